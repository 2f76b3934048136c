//! [`FreshdeskDomain`]: the account label a person types (`acme` for acme.freshdesk.com),
//! checked before any request is built. Only a bare DNS label is accepted, never a URL, a
//! host or a path, so the only host this connector can reach is `{label}.freshdesk.com`.

use std::fmt;
use std::str::FromStr;

use deskgate_upstream::{BudgetKey, DnsLabel, VendorOrigin};
use serde::{Deserialize, Serialize};

use crate::budget::EndpointCap;

/// The fixed suffix every Freshdesk account lives under. API v2 works only on these hosts,
/// not on a helpdesk's custom CNAME.
pub const FRESHDESK_DOMAIN: &str = "freshdesk.com";

/// The vendor name in budget keys and logs.
pub(crate) const VENDOR: &str = "freshdesk";

/// A Freshdesk domain label: `acme` for `https://acme.freshdesk.com`. Lowercased; letters,
/// digits and inner hyphens; 1 to 63 characters; no punycode.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FreshdeskDomain {
    label: DnsLabel,
    origin: VendorOrigin,
    budget_key: BudgetKey,
}

/// Why a domain was refused. The message says what was expected, with the typed value
/// shortened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a freshdesk domain (the `acme` in acme.freshdesk.com): {reason}")]
pub struct DomainError {
    input: String,
    reason: String,
}

impl FreshdeskDomain {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let refuse = |reason: String| DomainError {
            input: input.chars().take(80).collect(),
            reason,
        };
        let label = DnsLabel::parse(input).map_err(|e| refuse(e.to_string()))?;
        let origin =
            VendorOrigin::tenant(&label, FRESHDESK_DOMAIN).map_err(|e| refuse(e.to_string()))?;
        let budget_key =
            BudgetKey::new(VENDOR, label.as_str()).map_err(|e| refuse(e.to_string()))?;
        Ok(Self {
            label,
            origin,
            budget_key,
        })
    }

    pub fn as_str(&self) -> &str {
        self.label.as_str()
    }

    /// `https://{domain}.freshdesk.com`, the only origin this connector talks to.
    pub fn origin(&self) -> &VendorOrigin {
        &self.origin
    }

    /// The account's rate budget, shared by every connection to it: `freshdesk:{domain}`.
    pub fn budget_key(&self) -> &BudgetKey {
        &self.budget_key
    }

    /// One endpoint's own cap on the account, e.g. `freshdesk:acme/tickets_list`.
    pub fn endpoint_key(&self, cap: EndpointCap) -> BudgetKey {
        // Endpoint names are fixed lowercase words, always accepted on an account key.
        self.budget_key
            .endpoint(cap.name())
            .unwrap_or_else(|_| self.budget_key.clone())
    }

    /// The ticket in the agent interface: `https://{domain}.freshdesk.com/a/tickets/{id}`.
    pub fn ticket_url(&self, id: &str) -> String {
        format!(
            "https://{}.{FRESHDESK_DOMAIN}/a/tickets/{id}",
            self.as_str()
        )
    }
}

impl std::hash::Hash for FreshdeskDomain {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.label.hash(state);
    }
}

impl FromStr for FreshdeskDomain {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for FreshdeskDomain {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<FreshdeskDomain> for String {
    fn from(d: FreshdeskDomain) -> Self {
        d.as_str().to_owned()
    }
}

impl fmt::Display for FreshdeskDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for FreshdeskDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FreshdeskDomain({:?})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_bare_label_is_lowercased_and_names_its_host_and_budget() {
        let domain = FreshdeskDomain::parse("Acme-EU").unwrap();
        assert_eq!(domain.as_str(), "acme-eu");
        assert_eq!(domain.origin().to_string(), "https://acme-eu.freshdesk.com");
        assert_eq!(domain.budget_key().as_str(), "freshdesk:acme-eu");
        assert_eq!(
            domain.endpoint_key(EndpointCap::TicketsList).as_str(),
            "freshdesk:acme-eu/tickets_list"
        );
        assert_eq!(
            domain.ticket_url("42"),
            "https://acme-eu.freshdesk.com/a/tickets/42"
        );
    }

    #[test]
    fn urls_hosts_and_anything_but_a_dns_label_are_refused() {
        for bad in [
            "",
            "acme.freshdesk.com",
            "https://acme.freshdesk.com",
            "acme/api/v2",
            "acme?x=1",
            "acme#f",
            "acme:443",
            "acme@evil.com",
            "acme.evil.com",
            "acme%2f",
            "acme\n",
            " acme",
            "a_b",
            "-acme",
            "acme-",
            "xn--80ak6aa92e",
            "\u{0430}cme",
            "ａｃｍｅ",
            "127.0.0.1",
            "[::1]",
        ] {
            assert!(FreshdeskDomain::parse(bad).is_err(), "{bad:?}");
        }
        assert!(FreshdeskDomain::parse(&"a".repeat(64)).is_err());
    }

    #[test]
    fn the_refusal_says_what_a_domain_is() {
        let err = FreshdeskDomain::parse("https://acme.freshdesk.com").unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"https://acme.freshdesk.com\" is not a freshdesk domain (the `acme` in \
             acme.freshdesk.com): label may contain only letters, digits and hyphens"
        );
    }

    proptest! {
        #[test]
        fn every_accepted_domain_reaches_exactly_its_own_host(input in "\\PC{0,70}") {
            if let Ok(domain) = FreshdeskDomain::parse(&input) {
                prop_assert_eq!(domain.origin().host(), format!("{}.freshdesk.com", domain.as_str()));
            }
        }
    }
}
