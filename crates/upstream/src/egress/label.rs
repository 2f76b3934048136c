//! [`DnsLabel`]: the only piece of a vendor host a tenant may choose.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One validated DNS label, lowercased: `^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`.
///
/// Tenants name their helpdesk account by a label (a Zendesk subdomain, a Freshdesk domain),
/// never by a URL; hosts are built from it with a fixed suffix by
/// [`VendorOrigin::tenant`](crate::VendorOrigin::tenant). Only ASCII letters are lowercased, so
/// look-alike characters (the Kelvin sign, fullwidth letters) are refused rather than folded.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DnsLabel(String);

/// Why a label was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LabelError {
    #[error("label is empty")]
    Empty,
    #[error("label is longer than 63 characters")]
    TooLong,
    #[error("label may contain only letters, digits and hyphens")]
    InvalidCharacter,
    #[error("label may not start or end with a hyphen")]
    EdgeHyphen,
    #[error("label may not have hyphens in its third and fourth places (reserved for punycode)")]
    ReservedHyphens,
}

impl DnsLabel {
    /// Validates `input` after lowercasing its ASCII letters.
    pub fn parse(input: &str) -> Result<Self, LabelError> {
        let label = input.to_ascii_lowercase();
        if label.is_empty() {
            return Err(LabelError::Empty);
        }
        if label.len() > 63 {
            return Err(LabelError::TooLong);
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(LabelError::InvalidCharacter);
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(LabelError::EdgeHyphen);
        }
        if label.get(2..4) == Some("--") {
            return Err(LabelError::ReservedHyphens);
        }
        Ok(Self(label))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for DnsLabel {
    type Err = LabelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for DnsLabel {
    type Error = LabelError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DnsLabel> for String {
    fn from(label: DnsLabel) -> Self {
        label.0
    }
}

impl fmt::Display for DnsLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DnsLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DnsLabel({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_labels_are_accepted_and_lowercased() {
        assert_eq!(DnsLabel::parse("acme").unwrap().as_str(), "acme");
        assert_eq!(DnsLabel::parse("ACME").unwrap().as_str(), "acme");
        assert_eq!(DnsLabel::parse("a").unwrap().as_str(), "a");
        assert_eq!(
            DnsLabel::parse("acme-support-2").unwrap().as_str(),
            "acme-support-2"
        );
        assert_eq!(DnsLabel::parse(&"a".repeat(63)).unwrap().as_str().len(), 63);
    }

    #[test]
    fn malformed_labels_are_refused_with_their_reason() {
        assert_eq!(DnsLabel::parse(""), Err(LabelError::Empty));
        assert_eq!(DnsLabel::parse(&"a".repeat(64)), Err(LabelError::TooLong));
        assert_eq!(DnsLabel::parse("-acme"), Err(LabelError::EdgeHyphen));
        assert_eq!(DnsLabel::parse("acme-"), Err(LabelError::EdgeHyphen));
        assert_eq!(
            DnsLabel::parse("xn--80ak6aa92e"),
            Err(LabelError::ReservedHyphens)
        );
        for bad in [
            "acme.evil",
            "acme/x",
            "a_b",
            "acme\0",
            "ac me",
            "\u{212a}ey",
            "ａｃｍｅ",
            "acme.",
        ] {
            assert_eq!(
                DnsLabel::parse(bad),
                Err(LabelError::InvalidCharacter),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn labels_deserialize_through_validation() {
        let ok: DnsLabel = serde_json::from_str("\"Acme\"").unwrap();
        assert_eq!(ok.as_str(), "acme");
        assert!(serde_json::from_str::<DnsLabel>("\"acme.evil.com\"").is_err());
    }
}
