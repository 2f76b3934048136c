//! [`BudgetState`]: what the engine knows about one account, for health endpoints.

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetState {
    /// The vendor's limit per window, as last reported.
    pub limit: Option<u32>,
    /// Requests left in the vendor's current window, as last reported.
    pub remaining: Option<u32>,
    /// Until when no request is sent (a 429, or the quota ran out before its reset).
    pub blocked_until: Option<DateTime<Utc>>,
    /// The pace the engine keeps, in requests per minute (`None` until a limit is known).
    pub paced_per_minute: Option<u32>,
}
