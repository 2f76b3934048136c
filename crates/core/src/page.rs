//! Page requests and vendor cursors.
//!
//! A [`VendorCursor`] is what a connector needs to fetch the next page: the vendor's own
//! cursor or page number, never a URL. The API wraps it in a signed, connection-bound cursor
//! before a caller sees it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, ContactId, TeamId, UserId};
use crate::model::TicketStatus;

/// The vendor's position in a list, opaque to everyone but the connector that made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VendorCursor(pub String);

/// How many items a page holds: 1 to 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Limit(u8);

impl Limit {
    pub const MAX: u32 = 100;
    pub const DEFAULT: Limit = Limit(50);

    pub const fn get(self) -> u32 {
        self.0 as u32
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The error for a limit outside 1 to 100.
#[derive(Debug, thiserror::Error)]
#[error("limit must be between 1 and 100, got {0}")]
pub struct LimitOutOfRange(pub u32);

impl TryFrom<u32> for Limit {
    type Error = LimitOutOfRange;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        match u8::try_from(n) {
            Ok(v) if (1..=100).contains(&v) => Ok(Limit(v)),
            _ => Err(LimitOutOfRange(n)),
        }
    }
}

impl From<Limit> for u32 {
    fn from(l: Limit) -> u32 {
        l.get()
    }
}

/// One page request. `F` holds the resource's own filters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageRequest<F = NoFilter> {
    pub cursor: Option<VendorCursor>,
    pub limit: Limit,
    pub updated_after: Option<DateTime<Utc>>,
    pub filter: F,
    pub include_remote_data: bool,
}

/// For resources without filters of their own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoFilter;

/// Ticket list filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub assignee_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    pub account_id: Option<AccountId>,
    pub requester_id: Option<ContactId>,
}

/// Contact list filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactFilter {
    pub email: Option<String>,
    pub account_id: Option<AccountId>,
}

/// User list filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub email: Option<String>,
}

/// One page of results and where the next one starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<VendorCursor>,
}

impl<T> Page<T> {
    pub fn last(items: Vec<T>) -> Self {
        Self { items, next: None }
    }
}

/// Options for reading one object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    pub include_remote_data: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_accepts_one_to_one_hundred_only() {
        assert!(Limit::try_from(0).is_err());
        assert_eq!(Limit::try_from(1).unwrap().get(), 1);
        assert_eq!(Limit::try_from(100).unwrap().get(), 100);
        let err = Limit::try_from(101).unwrap_err();
        assert_eq!(err.to_string(), "limit must be between 1 and 100, got 101");
        assert!(serde_json::from_str::<Limit>("300").is_err());
    }
}
