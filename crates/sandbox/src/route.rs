//! Which vendor and account a request is for: the path prefix `/{vendor}/{account}/...`
//! (the base URL a connector is configured with) or the Host header
//! `{account}.{vendor}.com` / `{account}.{vendor}.localhost` (the real vendor URL, sent to
//! the sandbox's address).
//!
//! Intercom's hosts are regional, not per account: its "account" here is the host it was
//! reached on, `us`, `eu`, `au` (the API hosts `api[.eu|.au].intercom.io`) or `app` (the
//! OAuth pages on `app.intercom.io`), by path prefix `/intercom/{us|eu|au|app}/...` or by
//! Host (`.localhost` in place of `.io` works too). The workspace is then found by token.

use axum::extract::Request;
use http::header;

/// The vendors the sandbox imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vendor {
    Zendesk,
    Freshdesk,
    Intercom,
}

impl Vendor {
    const ALL: [Vendor; 3] = [Self::Zendesk, Self::Freshdesk, Self::Intercom];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Zendesk => "zendesk",
            Self::Freshdesk => "freshdesk",
            Self::Intercom => "intercom",
        }
    }
}

/// Where a request goes inside one vendor's imitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) vendor: Vendor,
    /// The account label, lowercased.
    pub(crate) account: String,
    /// The base URL the client used: `http://HOST/{vendor}/{account}` or `http://HOST`.
    pub(crate) base_url: String,
    /// The vendor path, starting with `/`.
    pub(crate) path: String,
}

fn host_of(request: &Request) -> String {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_else(|| "127.0.0.1".to_owned())
}

/// The vendor and account a request names, if any.
pub(crate) fn locate(request: &Request) -> Option<Target> {
    let host = host_of(request);
    let path = request.uri().path();
    for vendor in Vendor::ALL {
        let prefix = format!("/{}/", vendor.as_str());
        if let Some(rest) = path.strip_prefix(prefix.as_str()) {
            let (account, tail) = rest.split_once('/').unwrap_or((rest, ""));
            return Some(Target {
                vendor,
                account: account.to_ascii_lowercase(),
                base_url: format!("http://{host}/{}/{account}", vendor.as_str()),
                path: format!("/{tail}"),
            });
        }
    }
    let name = host
        .rsplit_once(':')
        .map_or(host.as_str(), |(h, _)| h)
        .to_ascii_lowercase();
    if let Some(account) = intercom_host(&name) {
        return Some(Target {
            vendor: Vendor::Intercom,
            account: account.to_owned(),
            base_url: format!("http://{host}"),
            path: path.to_owned(),
        });
    }
    let per_account = [Vendor::Zendesk, Vendor::Freshdesk];
    per_account.into_iter().find_map(|vendor| {
        let account = [".com", ".localhost"].into_iter().find_map(|tld| {
            name.strip_suffix(tld)?
                .strip_suffix(vendor.as_str())?
                .strip_suffix('.')
        })?;
        (!account.is_empty() && !account.contains('.')).then(|| Target {
            vendor,
            account: account.to_owned(),
            base_url: format!("http://{host}"),
            path: path.to_owned(),
        })
    })
}

/// Intercom's regional API hosts and its app host, as the sandbox's "account" for them.
fn intercom_host(name: &str) -> Option<&'static str> {
    let stem = name
        .strip_suffix(".intercom.io")
        .or_else(|| name.strip_suffix(".intercom.localhost"))?;
    match stem {
        "api" => Some("us"),
        "api.eu" => Some("eu"),
        "api.au" => Some("au"),
        "app" => Some("app"),
        _ => None,
    }
}

/// Replaces the request's URI with the vendor path and the original query.
pub(crate) fn rewrite(request: &mut Request, path: &str) -> bool {
    let path_and_query = match request.uri().query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    match path_and_query.parse() {
        Ok(uri) => {
            *request.uri_mut() = uri;
            true
        }
        Err(_) => false,
    }
}
