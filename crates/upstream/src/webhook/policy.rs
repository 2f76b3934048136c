//! [`WebhookPolicy`] and [`check_webhook_url`]: which URLs a tenant may have webhooks sent to.

use std::net::IpAddr;

use url::{Host, Url};

use crate::egress::address::is_public;

/// What an operator allows of webhook URLs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WebhookPolicy {
    /// Accept loopback receivers: `http://127.0.0.1…` (all of `127.0.0.0/8`), `http://[::1]…`
    /// and `http://localhost…`, over https too (development only; the name `localhost` may
    /// then resolve to loopback addresses, and only to those).
    pub allow_loopback_http: bool,
}

/// Why a webhook URL is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookUrlError {
    #[error("is not a valid absolute URL")]
    Invalid,
    #[error("must use https")]
    NotHttps,
    #[error("must not carry a user name or password")]
    Credentials,
    #[error("must not have a fragment")]
    Fragment,
    #[error("names a private, loopback, link-local or metadata address")]
    PrivateAddress,
}

/// The one name that is loopback by definition, and the only one the policy lets through.
const LOCALHOST: &str = "localhost";

/// Checks a URL a tenant registers, before anything is stored: the syntax (an absolute URL
/// with a host, a port is fine), no user name or password, no fragment, `https` (or `http`
/// to a loopback receiver when the policy allows them), and, for an IP literal, a public
/// address. A name is judged when it is resolved, at each delivery (a name that resolves to
/// a private address is refused then), except `localhost` and `*.localhost`, which are
/// loopback by definition (RFC 6761).
pub fn check_webhook_url(raw: &str, policy: WebhookPolicy) -> Result<Url, WebhookUrlError> {
    let url = Url::parse(raw).map_err(|_| WebhookUrlError::Invalid)?;
    check_parsed(&url, policy)?;
    Ok(url)
}

/// [`check_webhook_url`] on a parsed URL: a stored URL is checked again at each delivery,
/// against the policy of the day.
pub(crate) fn check_parsed(url: &Url, policy: WebhookPolicy) -> Result<(), WebhookUrlError> {
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        _ => return Err(WebhookUrlError::NotHttps),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(WebhookUrlError::Credentials);
    }
    if url.fragment().is_some() {
        return Err(WebhookUrlError::Fragment);
    }
    let host = url.host().ok_or(WebhookUrlError::Invalid)?;
    let loopback = match &host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        Host::Domain(name) => *name == LOCALHOST,
    };
    if loopback && policy.allow_loopback_http {
        return Ok(());
    }
    if !https {
        return Err(WebhookUrlError::NotHttps);
    }
    let public = match host {
        Host::Ipv4(ip) => is_public(IpAddr::V4(ip)),
        Host::Ipv6(ip) => is_public(IpAddr::V6(ip)),
        Host::Domain(name) => {
            let name = name.trim_end_matches('.');
            name != LOCALHOST && !name.ends_with(".localhost")
        }
    };
    if public {
        Ok(())
    } else {
        Err(WebhookUrlError::PrivateAddress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: WebhookPolicy = WebhookPolicy {
        allow_loopback_http: false,
    };
    const DEVELOPMENT: WebhookPolicy = WebhookPolicy {
        allow_loopback_http: true,
    };

    fn refusal(raw: &str, policy: WebhookPolicy) -> Option<WebhookUrlError> {
        check_webhook_url(raw, policy).err()
    }

    #[test]
    fn public_https_urls_pass_with_a_port_path_and_query() {
        for raw in [
            "https://hooks.example.com/deskgate",
            "https://hooks.example.com:8443/in?token=abc",
            "https://93.184.216.34/hook",
            "https://[2606:4700::6810:85e5]/hook",
            "HTTPS://Hooks.Example.COM/x",
        ] {
            assert_eq!(refusal(raw, STRICT), None, "{raw}");
            assert_eq!(refusal(raw, DEVELOPMENT), None, "{raw}");
        }
    }

    #[test]
    fn refused_urls_say_why() {
        use WebhookUrlError::*;
        for (raw, why) in [
            ("not a url", Invalid),
            ("/relative/path", Invalid),
            ("https://", Invalid),
            ("http://hooks.example.com/", NotHttps),
            ("http://93.184.216.34/", NotHttps),
            ("ftp://hooks.example.com/", NotHttps),
            ("file:///etc/passwd", NotHttps),
            ("javascript:alert(1)", NotHttps),
            ("http://127.0.0.1:8080/hook", NotHttps),
            ("http://localhost:8080/hook", NotHttps),
            ("http://[::1]:8080/hook", NotHttps),
            ("https://user:pass@hooks.example.com/", Credentials),
            ("https://user@hooks.example.com/", Credentials),
            ("https://hooks.example.com/#frag", Fragment),
            ("https://hooks.example.com/#", Fragment),
            ("https://10.0.0.1/", PrivateAddress),
            ("https://10.255.0.9:8443/", PrivateAddress),
            ("https://172.16.3.4/", PrivateAddress),
            ("https://192.168.1.1/", PrivateAddress),
            ("https://100.64.0.1/", PrivateAddress),
            ("https://169.254.169.254/latest/meta-data/", PrivateAddress),
            ("https://127.0.0.1/", PrivateAddress),
            ("https://0x7f.1/", PrivateAddress),
            ("https://2130706433/", PrivateAddress),
            ("https://0/", PrivateAddress),
            ("https://[::1]/", PrivateAddress),
            ("https://[::ffff:127.0.0.1]/", PrivateAddress),
            ("https://[::ffff:169.254.169.254]/", PrivateAddress),
            ("https://[fd00::1]/", PrivateAddress),
            ("https://[fe80::1]/", PrivateAddress),
            ("https://localhost/", PrivateAddress),
            ("https://localhost./", PrivateAddress),
            ("https://api.localhost/", PrivateAddress),
        ] {
            assert_eq!(refusal(raw, STRICT), Some(why.clone()), "{raw}");
        }
    }

    #[test]
    fn the_development_policy_lets_loopback_through_and_nothing_else() {
        for raw in [
            "http://127.0.0.1:8080/hook",
            "http://127.9.9.9/hook",
            "http://[::1]:8080/hook",
            "http://localhost:3000/hook",
            "https://localhost/hook",
        ] {
            assert_eq!(refusal(raw, DEVELOPMENT), None, "{raw}");
        }
        for (raw, why) in [
            ("http://hooks.example.com/", WebhookUrlError::NotHttps),
            ("http://10.0.0.1/", WebhookUrlError::NotHttps),
            ("http://[::ffff:127.0.0.1]/", WebhookUrlError::NotHttps),
            ("http://api.localhost/", WebhookUrlError::NotHttps),
            ("https://169.254.169.254/", WebhookUrlError::PrivateAddress),
            (
                "https://[::ffff:127.0.0.1]/",
                WebhookUrlError::PrivateAddress,
            ),
            ("http://user:pw@127.0.0.1/", WebhookUrlError::Credentials),
            ("http://127.0.0.1/#x", WebhookUrlError::Fragment),
        ] {
            assert_eq!(refusal(raw, DEVELOPMENT), Some(why), "{raw}");
        }
    }
}
