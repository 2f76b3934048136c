//! [`BudgetKey`]: names one upstream account whose rate limit requests share.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// `{vendor}:{account}`, e.g. `zendesk:acme`, `intercom:ws_123`. Every connection and
/// request kind that spends the same vendor quota must use the same key.
///
/// An endpoint key, `{vendor}:{account}/{endpoint}` (e.g. `freshdesk:acme/tickets_list`), names
/// a lower cap the vendor puts on one endpoint of the account, which a request passes on top
/// of the account's budget (see [`UpstreamRequest::endpoint_budget`](crate::UpstreamRequest::endpoint_budget)).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BudgetKey(Arc<str>);

/// Why a budget key was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid budget key: {0}")]
pub struct BudgetKeyError(&'static str);

impl BudgetKey {
    /// `vendor` is lowercase letters, digits and hyphens; `account` is 1 to 200 letters,
    /// digits, `.`, `_` or `-`.
    pub fn new(vendor: &str, account: &str) -> Result<Self, BudgetKeyError> {
        let vendor_ok = !vendor.is_empty()
            && vendor.len() <= 32
            && vendor
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !vendor_ok {
            return Err(BudgetKeyError(
                "vendor must be lowercase letters, digits or hyphens",
            ));
        }
        let account_ok = !account.is_empty()
            && account.len() <= 200
            && account
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !account_ok {
            return Err(BudgetKeyError(
                "account must be 1 to 200 letters, digits, '.', '_' or '-'",
            ));
        }
        Ok(Self(format!("{vendor}:{account}").into()))
    }

    /// The key of one endpoint's own cap on this account: `{vendor}:{account}/{endpoint}`.
    /// `endpoint` is 1 to 64 lowercase letters, digits, `_` or `-` (e.g. `tickets_list`); the
    /// key must be an account key, not already an endpoint key.
    pub fn endpoint(&self, endpoint: &str) -> Result<Self, BudgetKeyError> {
        if self.endpoint_name().is_some() {
            return Err(BudgetKeyError("an endpoint key cannot have endpoints"));
        }
        check_endpoint(endpoint)?;
        Ok(Self(format!("{}/{endpoint}", self.0).into()))
    }

    /// The endpoint part of an endpoint key (`tickets_list` in `freshdesk:acme/tickets_list`),
    /// `None` for an account key.
    pub fn endpoint_name(&self) -> Option<&str> {
        self.0.split_once('/').map(|(_, endpoint)| endpoint)
    }

    /// The account an endpoint key belongs to (`freshdesk:acme`); an account key itself.
    pub fn account_key(&self) -> Self {
        match self.0.split_once('/') {
            Some((account, _)) => Self(account.into()),
            None => self.clone(),
        }
    }

    /// Reads back a key written by [`BudgetKey::as_str`] (e.g. from the database), account
    /// and endpoint keys alike.
    pub fn parse(key: &str) -> Result<Self, BudgetKeyError> {
        let (vendor, rest) = key.split_once(':').ok_or(BudgetKeyError("missing ':'"))?;
        match rest.split_once('/') {
            Some((account, endpoint)) => Self::new(vendor, account)?.endpoint(endpoint),
            None => Self::new(vendor, rest),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn check_endpoint(endpoint: &str) -> Result<(), BudgetKeyError> {
    let ok = !endpoint.is_empty()
        && endpoint.len() <= 64
        && endpoint
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(BudgetKeyError(
            "endpoint must be 1 to 64 lowercase letters, digits, '_' or '-'",
        ))
    }
}

impl TryFrom<String> for BudgetKey {
    type Error = BudgetKeyError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BudgetKey> for String {
    fn from(key: BudgetKey) -> Self {
        key.0.as_ref().to_owned()
    }
}

impl fmt::Display for BudgetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BudgetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BudgetKey({:?})", &*self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_their_text_form() {
        let key = BudgetKey::new("zendesk", "acme").unwrap();
        assert_eq!(key.as_str(), "zendesk:acme");
        assert_eq!(BudgetKey::parse(key.as_str()).unwrap(), key);
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert!(BudgetKey::new("", "acme").is_err());
        assert!(BudgetKey::new("Zendesk", "acme").is_err());
        assert!(BudgetKey::new("zendesk", "").is_err());
        assert!(BudgetKey::new("zendesk", "a:b").is_err());
        assert!(BudgetKey::new("zendesk", "a b").is_err());
        assert!(BudgetKey::parse("zendesk").is_err());
    }

    #[test]
    fn endpoint_keys_name_their_account_and_round_trip() {
        let account = BudgetKey::new("freshdesk", "acme").unwrap();
        let endpoint = BudgetKey::endpoint(&account, "tickets_list").unwrap();
        assert_eq!(endpoint.as_str(), "freshdesk:acme/tickets_list");
        assert_eq!(endpoint.endpoint_name(), Some("tickets_list"));
        assert_eq!(endpoint.account_key(), account);
        assert_eq!(account.endpoint_name(), None);
        assert_eq!(account.account_key(), account);
        assert_eq!(BudgetKey::parse(endpoint.as_str()).unwrap(), endpoint);
    }

    #[test]
    fn malformed_endpoint_keys_are_refused() {
        let account = BudgetKey::new("freshdesk", "acme").unwrap();
        for endpoint in ["", "Tickets", "a/b", "a:b", "a b", &"x".repeat(65)] {
            assert!(account.endpoint(endpoint).is_err(), "{endpoint:?}");
        }
        let endpoint = account.endpoint("tickets_list").unwrap();
        assert!(endpoint.endpoint("again").is_err());
        assert!(BudgetKey::new("freshdesk", "acme/tickets_list").is_err());
        assert!(BudgetKey::parse("freshdesk:acme/").is_err());
        assert!(BudgetKey::parse("freshdesk:acme/a/b").is_err());
    }
}
