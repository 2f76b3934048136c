//! [`BudgetKey`]: names one upstream account whose rate limit requests share.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// `{vendor}:{account}`, e.g. `zendesk:acme`, `intercom:ws_123`. Every connection and
/// request kind that spends the same vendor quota must use the same key.
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

    /// Reads back a key written by [`BudgetKey::as_str`] (e.g. from the database).
    pub fn parse(key: &str) -> Result<Self, BudgetKeyError> {
        let (vendor, account) = key.split_once(':').ok_or(BudgetKeyError("missing ':'"))?;
        Self::new(vendor, account)
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
}
