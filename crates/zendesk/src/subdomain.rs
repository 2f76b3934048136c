//! [`ZendeskSubdomain`]: the account label a tenant's customer types, checked before any
//! request is built. Only a bare DNS label is accepted: never a URL, a host or a path.

use std::fmt;
use std::str::FromStr;

use deskgate_upstream::{BudgetKey, DnsLabel, LabelError, VendorOrigin};
use serde::{Deserialize, Serialize};
use url::Url;

/// The fixed suffix every Zendesk account lives under.
pub const ZENDESK_DOMAIN: &str = "zendesk.com";

/// A Zendesk subdomain: `acme` for `https://acme.zendesk.com`.
///
/// Lowercased; letters, digits and inner hyphens; 1 to 63 characters; no punycode. Zendesk
/// forbids hyphens in *new* subdomains, but older accounts may have them, so any valid DNS
/// label is accepted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ZendeskSubdomain {
    label: DnsLabel,
    origin: VendorOrigin,
    budget_key: BudgetKey,
    web: Url,
}

/// Why a subdomain was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a zendesk subdomain (the `acme` in acme.zendesk.com): {reason}")]
pub struct SubdomainError {
    input: String,
    reason: String,
}

impl ZendeskSubdomain {
    pub fn parse(input: &str) -> Result<Self, SubdomainError> {
        let refuse = |reason: String| SubdomainError {
            input: input.chars().take(80).collect(),
            reason,
        };
        let label = DnsLabel::parse(input).map_err(|e: LabelError| refuse(e.to_string()))?;
        let origin =
            VendorOrigin::tenant(&label, ZENDESK_DOMAIN).map_err(|e| refuse(e.to_string()))?;
        let budget_key =
            BudgetKey::new("zendesk", label.as_str()).map_err(|e| refuse(e.to_string()))?;
        let web = Url::parse(&format!("https://{}.{ZENDESK_DOMAIN}/", label.as_str()))
            .map_err(|e| refuse(e.to_string()))?;
        Ok(Self {
            label,
            origin,
            budget_key,
            web,
        })
    }

    pub fn as_str(&self) -> &str {
        self.label.as_str()
    }

    /// `https://{subdomain}.zendesk.com`, the only host this connector talks to.
    pub fn origin(&self) -> &VendorOrigin {
        &self.origin
    }

    /// The rate budget every connection to this account shares: `zendesk:{subdomain}`.
    pub fn budget_key(&self) -> &BudgetKey {
        &self.budget_key
    }

    /// The agent interface root, `https://{subdomain}.zendesk.com`.
    pub fn web_root(&self) -> String {
        format!("https://{}.{ZENDESK_DOMAIN}", self.as_str())
    }

    /// `https://{subdomain}.zendesk.com{path}`, for links a browser follows (the authorize
    /// page). `path` is a fixed path of this crate.
    pub(crate) fn browser_url(&self, path: &str) -> Url {
        let mut url = self.web.clone();
        url.set_path(path);
        url
    }
}

impl std::hash::Hash for ZendeskSubdomain {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.label.hash(state);
    }
}

impl FromStr for ZendeskSubdomain {
    type Err = SubdomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ZendeskSubdomain {
    type Error = SubdomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ZendeskSubdomain> for String {
    fn from(s: ZendeskSubdomain) -> Self {
        s.as_str().to_owned()
    }
}

impl fmt::Display for ZendeskSubdomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ZendeskSubdomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ZendeskSubdomain({:?})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bare_labels_are_accepted_and_lowercased() {
        assert_eq!(ZendeskSubdomain::parse("Acme").unwrap().as_str(), "acme");
        assert_eq!(
            ZendeskSubdomain::parse("acme-eu2").unwrap().as_str(),
            "acme-eu2"
        );
        let sub = ZendeskSubdomain::parse("acme").unwrap();
        assert_eq!(sub.origin().to_string(), "https://acme.zendesk.com");
        assert_eq!(sub.budget_key().as_str(), "zendesk:acme");
    }

    #[test]
    fn anything_but_a_bare_label_is_refused() {
        for bad in [
            "",
            "acme.zendesk.com",
            "https://acme.zendesk.com",
            "acme/path",
            "acme?x",
            "acme#f",
            "acme:8443",
            "acme%2f",
            "acme.evil.com",
            "acme@evil.com",
            "acme\0",
            "xn--80ak6aa92e",
            "\u{0430}cme",
            "ａｃｍｅ",
            "-acme",
            "acme-",
            "a_b",
            " acme",
            "127.0.0.1",
            "[::1]",
        ] {
            assert!(ZendeskSubdomain::parse(bad).is_err(), "{bad:?}");
        }
        assert!(ZendeskSubdomain::parse(&"a".repeat(64)).is_err());
    }

    #[test]
    fn the_error_names_the_input_and_the_reason() {
        let err = ZendeskSubdomain::parse("acme.evil.com").unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"acme.evil.com\" is not a zendesk subdomain (the `acme` in acme.zendesk.com): \
             label may contain only letters, digits and hyphens"
        );
    }

    proptest! {
        #[test]
        fn every_accepted_subdomain_makes_exactly_its_own_host(input in "\\PC{0,70}") {
            if let Ok(sub) = ZendeskSubdomain::parse(&input) {
                prop_assert_eq!(sub.origin().host(), format!("{}.zendesk.com", sub.as_str()));
                prop_assert!(sub.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            }
        }
    }
}
