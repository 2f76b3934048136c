//! [`BudgetState`]: what the engine knows about one account or endpoint key, for health
//! endpoints.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Counts are in the vendor's unit: requests, or credits for Freshdesk accounts. For an
/// endpoint key (`freshdesk:acme/tickets_list`) they are requests, and the limit is the cap
/// its requests state, or the one learned from the endpoint's last 429.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetState {
    /// The vendor's limit per window, as last reported (an endpoint's: as stated, or as last
    /// learned).
    pub limit: Option<u32>,
    /// What is left in the vendor's current window, as last reported (`None` for endpoint
    /// keys: no vendor reports it).
    pub remaining: Option<u32>,
    /// Until when no request is sent (a 429, or the quota ran out before its reset).
    pub blocked_until: Option<DateTime<Utc>>,
    /// The pace this replica keeps per minute, in the limit's unit, below the limit and at
    /// its share of it (`None` until a limit is known). Where the vendor reports a fixed
    /// window, the replicas together spend what is left of it evenly to its end instead.
    pub paced_per_minute: Option<u32>,
    /// What the answered tenant calls cost since the key was first tracked (refused ones
    /// cost nothing; an account idle for `idle_account_ttl_secs` is forgotten and counts
    /// again from 0).
    pub foreground_spent: u64,
    /// The same for background work ([`Upstream::background`](crate::Upstream::background)):
    /// over a span of `t` windows, `background_spent / (limit · t)` is the share of the rate
    /// budget it used.
    pub background_spent: u64,
    /// The live replicas this one last split the account's pace with (1: alone). Each paces
    /// the account at its share: `paced_per_minute` is this replica's.
    pub replicas: u32,
}
