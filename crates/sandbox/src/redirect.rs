//! The browser redirects of the OAuth imitations: whether a redirect URI matches one an
//! app registered, the location with the answer's parameters added, and the 302 itself.

use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// Whether `uri` matches a registered redirect URI: exactly, or, for loopback hosts, on
/// everything but the port (RFC 8252 §7.3), since a local callback's port varies per run.
pub(crate) fn allowed(registered: &[String], uri: &str) -> bool {
    let Ok(candidate) = url::Url::parse(uri) else {
        return false;
    };
    registered.iter().any(|r| {
        if r == uri {
            return true;
        }
        let Ok(reg) = url::Url::parse(r) else {
            return false;
        };
        let loopback = matches!(reg.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        loopback
            && reg.scheme() == candidate.scheme()
            && reg.host_str() == candidate.host_str()
            && reg.path() == candidate.path()
            && reg.query() == candidate.query()
    })
}

/// `uri` with `pairs` added to its query; `None` if `uri` is not a URL.
pub(crate) fn location(uri: &str, pairs: &[(&str, &str)]) -> Option<String> {
    let mut url = url::Url::parse(uri).ok()?;
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
    }
    Some(url.into())
}

/// 302 Found to `location`; `None` if it cannot be a header value.
pub(crate) fn found(location: &str) -> Option<Response> {
    let value = http::HeaderValue::from_str(location).ok()?;
    Some((StatusCode::FOUND, [(http::header::LOCATION, value)]).into_response())
}
