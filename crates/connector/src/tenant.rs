//! [`TenantAccount`]: the label a person types for a vendor account that lives on its own
//! host under the vendor's fixed suffix (`acme` for acme.freshdesk.com). Only a bare DNS
//! label is accepted, never a URL, a host or a path, so the only host a connector built on
//! it can reach is `{label}.{suffix}`; the account's rate-budget key comes with it.

use std::fmt;

use deskgate_upstream::{BudgetKey, DnsLabel, VendorOrigin};

/// A checked account label with the origin and budget key made from it.
#[derive(Clone, PartialEq, Eq)]
pub struct TenantAccount {
    label: DnsLabel,
    origin: VendorOrigin,
    budget_key: BudgetKey,
}

/// Why a label was refused: what was typed (shortened), what was expected, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a {vendor} {noun} (the `acme` in acme.{suffix}): {reason}")]
pub struct LabelRefused {
    vendor: &'static str,
    noun: &'static str,
    suffix: &'static str,
    input: String,
    reason: String,
}

impl TenantAccount {
    /// `input` as the label of a `vendor` account under `suffix`; `noun` is what the vendor
    /// calls the label (`subdomain`, `domain`). Lowercased; letters, digits and inner
    /// hyphens; 1 to 63 characters; no punycode.
    pub fn parse(
        vendor: &'static str,
        suffix: &'static str,
        noun: &'static str,
        input: &str,
    ) -> Result<Self, LabelRefused> {
        let refuse = |reason: String| LabelRefused {
            vendor,
            noun,
            suffix,
            input: input.chars().take(80).collect(),
            reason,
        };
        let label = DnsLabel::parse(input).map_err(|e| refuse(e.to_string()))?;
        let origin = VendorOrigin::tenant(&label, suffix).map_err(|e| refuse(e.to_string()))?;
        let budget_key =
            BudgetKey::new(vendor, label.as_str()).map_err(|e| refuse(e.to_string()))?;
        Ok(Self {
            label,
            origin,
            budget_key,
        })
    }

    pub fn as_str(&self) -> &str {
        self.label.as_str()
    }

    /// `https://{label}.{suffix}`.
    pub fn origin(&self) -> &VendorOrigin {
        &self.origin
    }

    /// `{vendor}:{label}`, shared by every connection to the account.
    pub fn budget_key(&self) -> &BudgetKey {
        &self.budget_key
    }

    /// One endpoint's own cap on the account, e.g. `freshdesk:acme/tickets_list`: `name` is
    /// a connector's fixed lowercase word, which an account key always takes (the account's
    /// own key stands in, should one ever be refused).
    pub fn endpoint_key(&self, name: &'static str) -> BudgetKey {
        self.budget_key
            .endpoint(name)
            .unwrap_or_else(|_| self.budget_key.clone())
    }

    /// A link for a browser: `https://{label}.{suffix}{path}`; `path` is the connector's own.
    pub fn web_url(&self, path: &str) -> String {
        format!("https://{}{path}", self.origin.host())
    }
}

impl fmt::Debug for TenantAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantAccount({:?})", self.origin.host())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_label_makes_its_origin_budget_key_and_links() {
        let account = TenantAccount::parse("freshdesk", "freshdesk.com", "domain", "Acme").unwrap();
        assert_eq!(account.as_str(), "acme");
        assert_eq!(account.origin().to_string(), "https://acme.freshdesk.com");
        assert_eq!(account.budget_key().as_str(), "freshdesk:acme");
        assert_eq!(
            account.endpoint_key("tickets_list").as_str(),
            "freshdesk:acme/tickets_list"
        );
        assert_eq!(
            account.web_url("/a/tickets/7"),
            "https://acme.freshdesk.com/a/tickets/7"
        );
    }

    #[test]
    fn anything_but_a_bare_label_is_refused() {
        let refused = [
            "",
            "acme.example.com",
            "https://acme.example.com",
            "acme/path",
            "acme?x",
            "acme#f",
            "acme:8443",
            "acme%2f",
            "acme@evil.com",
            "acme\0",
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
        ];
        for input in refused
            .iter()
            .map(|s| s.to_string())
            .chain(["a".repeat(64)])
        {
            assert!(
                TenantAccount::parse("v", "example.com", "label", &input).is_err(),
                "{input:?}"
            );
        }
    }

    #[test]
    fn the_refusal_says_what_the_label_is() {
        let e = TenantAccount::parse("zendesk", "zendesk.com", "subdomain", "a.b").unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"a.b\" is not a zendesk subdomain (the `acme` in acme.zendesk.com): label may \
             contain only letters, digits and hyphens"
        );
    }
}
