//! [`ZendeskSubdomain`]: the account label a tenant's customer types, checked before any
//! request is built. Only a bare DNS label is accepted: never a URL, a host or a path.

use std::fmt;
use std::str::FromStr;

use deskgate_connector::tenant::{LabelRefused, TenantAccount};
use deskgate_upstream::{BudgetKey, VendorOrigin};
use serde::{Deserialize, Serialize};
use url::Url;

/// The fixed suffix every Zendesk account lives under.
pub const ZENDESK_DOMAIN: &str = "zendesk.com";

/// A Zendesk subdomain: `acme` for `https://acme.zendesk.com`.
///
/// Lowercased; letters, digits and inner hyphens; 1 to 63 characters; no punycode. Zendesk
/// forbids hyphens in *new* subdomains, but older accounts may have them, so any valid DNS
/// label is accepted. The checks are the kit's [`TenantAccount`], shared by every vendor
/// whose accounts live on their own host.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ZendeskSubdomain {
    account: TenantAccount,
}

/// Why a subdomain was refused.
pub type SubdomainError = LabelRefused;

impl ZendeskSubdomain {
    pub fn parse(input: &str) -> Result<Self, SubdomainError> {
        TenantAccount::parse("zendesk", ZENDESK_DOMAIN, "subdomain", input)
            .map(|account| Self { account })
    }

    pub fn as_str(&self) -> &str {
        self.account.as_str()
    }

    /// `https://{subdomain}.zendesk.com`, the only host this connector talks to.
    pub fn origin(&self) -> &VendorOrigin {
        self.account.origin()
    }

    /// The rate budget every connection to this account shares: `zendesk:{subdomain}`.
    pub fn budget_key(&self) -> &BudgetKey {
        self.account.budget_key()
    }

    /// The incremental exports' own cap (10 requests a minute) on the account:
    /// `zendesk:{subdomain}/incremental_export`.
    pub fn export_budget_key(&self) -> BudgetKey {
        self.account.endpoint_key("incremental_export")
    }

    /// The agent interface root, `https://{subdomain}.zendesk.com`.
    pub fn web_root(&self) -> String {
        self.account.web_url("")
    }

    /// `https://{subdomain}.zendesk.com{path}`, for links a browser follows (the authorize
    /// page). `path` is a fixed path of this crate.
    pub(crate) fn browser_url(&self, path: &str) -> Url {
        let mut url = self.origin().url().clone();
        url.set_path(path);
        url
    }
}

impl std::hash::Hash for ZendeskSubdomain {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
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
        assert_eq!(
            sub.export_budget_key().as_str(),
            "zendesk:acme/incremental_export"
        );
    }

    #[test]
    fn hosts_and_paths_are_refused_as_subdomains() {
        for bad in [
            "acme.zendesk.com",
            "https://acme.zendesk.com",
            "acme/path",
            "a_b",
        ] {
            assert!(ZendeskSubdomain::parse(bad).is_err(), "{bad:?}");
        }
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
