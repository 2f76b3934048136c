//! [`FreshdeskDomain`]: the account label a person types (`acme` for acme.freshdesk.com),
//! checked before any request is built. Only a bare DNS label is accepted, never a URL, a
//! host or a path, so the only host this connector can reach is `{label}.freshdesk.com`.

use std::fmt;

use deskgate_connector::{LabelRefused, TenantAccount};
use deskgate_upstream::{BudgetKey, VendorOrigin};

use crate::budget::EndpointCap;

/// The fixed suffix every Freshdesk account lives under. API v2 works only on these hosts,
/// not on a helpdesk's custom CNAME.
pub const FRESHDESK_DOMAIN: &str = "freshdesk.com";

/// The vendor name in budget keys and logs.
pub(crate) const VENDOR: &str = "freshdesk";

/// A Freshdesk domain label: `acme` for `https://acme.freshdesk.com`. Lowercased; letters,
/// digits and inner hyphens; 1 to 63 characters; no punycode.
#[derive(Clone, PartialEq, Eq)]
pub struct FreshdeskDomain(TenantAccount);

/// Why a domain was refused. The message says what was expected, with the typed value
/// shortened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct DomainError(#[from] LabelRefused);

impl FreshdeskDomain {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        Ok(Self(TenantAccount::parse(
            VENDOR,
            FRESHDESK_DOMAIN,
            "domain",
            input,
        )?))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// `https://{domain}.freshdesk.com`, the only origin this connector talks to.
    pub fn origin(&self) -> &VendorOrigin {
        self.0.origin()
    }

    /// The account's rate budget, shared by every connection to it: `freshdesk:{domain}`.
    pub fn budget_key(&self) -> &BudgetKey {
        self.0.budget_key()
    }

    /// One endpoint's own cap on the account, e.g. `freshdesk:acme/tickets_list`.
    pub fn endpoint_key(&self, cap: EndpointCap) -> BudgetKey {
        self.0.endpoint_key(cap.name())
    }

    /// The ticket in the agent interface: `https://{domain}.freshdesk.com/a/tickets/{id}`.
    pub fn ticket_url(&self, id: &str) -> String {
        self.0.web_url(&format!("/a/tickets/{id}"))
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
    fn urls_and_hosts_are_refused_as_domains() {
        // The label rules themselves are the kit's `TenantAccount`'s, tested there.
        let typed = [
            "https://acme.freshdesk.com",
            "acme.freshdesk.com",
            "acme/api/v2",
            "",
        ];
        assert!(typed.iter().all(|t| FreshdeskDomain::parse(t).is_err()));
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
