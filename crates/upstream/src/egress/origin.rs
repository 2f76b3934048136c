//! [`VendorOrigin`]: where a connector may send requests, built from fixed templates; and
//! [`SandboxOverride`]: the operator's one way to point all traffic at a local sandbox.

use std::fmt;

use url::{Host, Url};

use super::label::{DnsLabel, LabelError};

/// An `https://{host}` origin with no port, user info, path, query or fragment.
///
/// It can only be built from `'static` parts (a vendor's fixed suffix or host, written in the
/// connector's code) plus a validated [`DnsLabel`], so a value a tenant typed can never become
/// a host. Every constructor re-parses the result and checks it is exactly what was meant.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VendorOrigin {
    host: String,
    url: Url,
}

/// Why an origin or sandbox base was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OriginError {
    #[error("invalid account label: {0}")]
    Label(#[from] LabelError),
    #[error("invalid vendor host {host:?}: {reason}")]
    Host { host: String, reason: &'static str },
    #[error("invalid sandbox base url: {reason}")]
    Sandbox { reason: &'static str },
}

impl VendorOrigin {
    /// `https://{label}.{suffix}`, e.g. `VendorOrigin::tenant(&label, "zendesk.com")`.
    pub fn tenant(label: &DnsLabel, suffix: &'static str) -> Result<Self, OriginError> {
        check_domain(suffix)?;
        Self::checked(format!("{label}.{suffix}"))
    }

    /// A vendor's fixed host, e.g. `VendorOrigin::fixed("api.eu.intercom.io")`.
    pub fn fixed(host: &'static str) -> Result<Self, OriginError> {
        check_domain(host)?;
        Self::checked(host.to_owned())
    }

    /// The host name, e.g. `acme.zendesk.com`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `https://{host}/`, to build links a browser follows.
    pub fn url(&self) -> &Url {
        &self.url
    }

    fn checked(host: String) -> Result<Self, OriginError> {
        let refuse = |reason| OriginError::Host {
            host: host.clone(),
            reason,
        };
        let url = Url::parse(&format!("https://{host}/")).map_err(|_| refuse("does not parse"))?;
        if url.scheme() != "https" {
            return Err(refuse("scheme is not https"));
        }
        match url.host() {
            Some(Host::Domain(parsed)) if parsed == host => {}
            Some(Host::Domain(_)) => return Err(refuse("host changed when parsed")),
            Some(_) => return Err(refuse("host is an ip address")),
            None => return Err(refuse("no host")),
        }
        if url.port().is_some() {
            return Err(refuse("has a port"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse("has user info"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(refuse("has a path, query or fragment"));
        }
        Ok(Self { host, url })
    }
}

/// A fixed domain: two or more valid labels, the last one not numeric (so it can never be
/// read as an IPv4 address in any notation).
fn check_domain(domain: &str) -> Result<(), OriginError> {
    let refuse = |reason| OriginError::Host {
        host: domain.to_owned(),
        reason,
    };
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(refuse("needs at least two labels"));
    }
    for label in &labels {
        match DnsLabel::parse(label) {
            Ok(parsed) if parsed.as_str() == *label => {}
            _ => return Err(refuse("has an invalid or uppercase label")),
        }
    }
    let last = labels.last().copied().unwrap_or_default();
    if !last.bytes().any(|b| b.is_ascii_lowercase()) {
        return Err(refuse("top-level label must contain a letter"));
    }
    Ok(())
}

impl fmt::Display for VendorOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "https://{}", self.host)
    }
}

impl fmt::Debug for VendorOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VendorOrigin({self})")
    }
}

/// Sends every request to a local sandbox instead of the vendor.
///
/// Set only by explicit operator configuration (`deskgate demo`, tests) on the
/// [`Upstream`](crate::Upstream) builder; nothing a tenant sends can create or reach it. While
/// set, every request goes to `{base}{path}` with `Host: {vendor host}` (as `curl --resolve`
/// would send it), and this exact origin is the only place a loopback or private address is
/// allowed.
#[derive(Clone, PartialEq, Eq)]
pub struct SandboxOverride {
    base: Url,
}

impl SandboxOverride {
    /// `base` is `http(s)://host[:port][/prefix]` with no user info, query or fragment.
    pub fn new(base: &str) -> Result<Self, OriginError> {
        let refuse = |reason| OriginError::Sandbox { reason };
        let mut base = Url::parse(base).map_err(|_| refuse("does not parse"))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(refuse("scheme must be http or https"));
        }
        if base.host().is_none() {
            return Err(refuse("no host"));
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(refuse("has user info"));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(refuse("has a query or fragment"));
        }
        let prefix = base.path().trim_end_matches('/').to_owned();
        base.set_path(&prefix);
        Ok(Self { base })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The sandbox's host name when it is a domain (not an IP literal).
    pub(crate) fn domain(&self) -> Option<&str> {
        self.base.domain()
    }

    pub(crate) fn url_for(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}{path}", self.base.path().trim_end_matches('/'));
        url.set_path(&joined);
        url
    }

    pub(crate) fn origin(&self) -> url::Origin {
        self.base.origin()
    }
}

impl fmt::Debug for SandboxOverride {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SandboxOverride({})", self.base)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn label(s: &str) -> DnsLabel {
        DnsLabel::parse(s).unwrap()
    }

    #[test]
    fn tenant_origin_is_the_label_under_the_fixed_suffix() {
        let origin = VendorOrigin::tenant(&label("acme"), "zendesk.com").unwrap();
        assert_eq!(origin.to_string(), "https://acme.zendesk.com");
        assert_eq!(origin.url().as_str(), "https://acme.zendesk.com/");
    }

    #[test]
    fn fixed_hosts_must_be_plain_lowercase_domains() {
        assert_eq!(
            VendorOrigin::fixed("api.eu.intercom.io").unwrap().host(),
            "api.eu.intercom.io"
        );
        for bad in [
            "localhost",
            "127.0.0.1",
            "0x7f.1",
            "2130706433",
            "1.2.3.4.5",
            "API.intercom.io",
            "a..b",
            "x.y:8443",
            "a@b.com",
            "a.b/c",
            "[::1]",
        ] {
            let leaked: &'static str = Box::leak(bad.to_owned().into_boxed_str());
            assert!(VendorOrigin::fixed(leaked).is_err(), "{bad}");
        }
    }

    #[test]
    fn sandbox_urls_keep_the_base_prefix() {
        let sandbox = SandboxOverride::new("http://127.0.0.1:4010/zd/").unwrap();
        assert_eq!(
            sandbox.url_for("/api/v2/tickets").as_str(),
            "http://127.0.0.1:4010/zd/api/v2/tickets"
        );
        let bare = SandboxOverride::new("http://127.0.0.1:4010").unwrap();
        assert_eq!(
            bare.url_for("/api/v2/tickets").as_str(),
            "http://127.0.0.1:4010/api/v2/tickets"
        );
        assert!(SandboxOverride::new("ftp://127.0.0.1").is_err());
        assert!(SandboxOverride::new("http://u:p@127.0.0.1").is_err());
        assert!(SandboxOverride::new("http://127.0.0.1/?x=1").is_err());
    }

    proptest! {
        #[test]
        fn any_accepted_label_builds_exactly_its_own_host(input in "\\PC{0,70}") {
            if let Ok(label) = DnsLabel::parse(&input) {
                let origin = VendorOrigin::tenant(&label, "zendesk.com").unwrap();
                prop_assert_eq!(origin.host(), format!("{label}.zendesk.com"));
                prop_assert_eq!(origin.url().as_str(), format!("https://{label}.zendesk.com/"));
                prop_assert!(label.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            }
        }

        #[test]
        fn every_label_matching_the_pattern_is_accepted(input in "[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?") {
            prop_assume!(input.get(2..4) != Some("--"));
            let label = DnsLabel::parse(&input).unwrap();
            prop_assert_eq!(label.as_str(), input.to_ascii_lowercase());
        }
    }
}
