//! The last check before a request leaves: is this URL a place we may send to?
//!
//! IP-literal hosts never reach the resolver, so they are judged here. Vendor origins are
//! always domains, so outside the sandbox any IP literal is refused outright.

use url::{Host, Url};

use super::address::is_public;
use super::origin::SandboxOverride;

/// Why a destination was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlockReason {
    #[error("the host resolves only to private, loopback or reserved addresses")]
    PrivateAddress,
    #[error("the host is an ip address")]
    IpLiteral,
    #[error("the url is not an https vendor url")]
    NotHttps,
    #[error("the url is not the configured sandbox origin")]
    NotSandbox,
}

pub(crate) fn check(url: &Url, sandbox: Option<&SandboxOverride>) -> Result<(), BlockReason> {
    if let Some(sandbox) = sandbox {
        return if url.origin() == sandbox.origin() {
            Ok(())
        } else {
            Err(BlockReason::NotSandbox)
        };
    }
    if url.scheme() != "https" || !url.username().is_empty() || url.password().is_some() {
        return Err(BlockReason::NotHttps);
    }
    match url.host() {
        Some(Host::Domain(_)) => Ok(()),
        Some(Host::Ipv4(ip)) if is_public(ip.into()) => Err(BlockReason::IpLiteral),
        Some(Host::Ipv6(ip)) if is_public(ip.into()) => Err(BlockReason::IpLiteral),
        Some(_) => Err(BlockReason::PrivateAddress),
        None => Err(BlockReason::NotHttps),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(url: &str, sandbox: Option<&SandboxOverride>) -> Result<(), BlockReason> {
        check(&Url::parse(url).unwrap(), sandbox)
    }

    #[test]
    fn ip_literals_in_every_notation_are_refused() {
        for url in [
            "https://127.0.0.1/",
            "https://0x7f.1/",
            "https://2130706433/",
            "https://017700000001/",
            "https://0177.0.0.1/",
            "https://127.1/",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://169.254.169.254/",
            "https://8.8.8.8/",
        ] {
            assert!(checked(url, None).is_err(), "{url}");
        }
    }

    #[test]
    fn https_domains_pass_and_other_schemes_do_not() {
        assert_eq!(
            checked("https://acme.zendesk.com/api/v2/tickets", None),
            Ok(())
        );
        assert_eq!(
            checked("http://acme.zendesk.com/", None),
            Err(BlockReason::NotHttps)
        );
        assert_eq!(
            checked("https://u:p@acme.zendesk.com/", None),
            Err(BlockReason::NotHttps)
        );
    }

    #[test]
    fn with_a_sandbox_only_its_exact_origin_passes() {
        let sandbox = SandboxOverride::new("http://127.0.0.1:4010").unwrap();
        assert_eq!(checked("http://127.0.0.1:4010/api", Some(&sandbox)), Ok(()));
        assert_eq!(
            checked("http://127.0.0.1:4011/api", Some(&sandbox)),
            Err(BlockReason::NotSandbox)
        );
        assert_eq!(
            checked("https://127.0.0.1:4010/api", Some(&sandbox)),
            Err(BlockReason::NotSandbox)
        );
        assert_eq!(
            checked("https://acme.zendesk.com/", Some(&sandbox)),
            Err(BlockReason::NotSandbox)
        );
    }
}
