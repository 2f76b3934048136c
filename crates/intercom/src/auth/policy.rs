//! [`TokenPolicy`]: every request carries `Authorization: Bearer {token}`, the pinned
//! `Intercom-Version` and `Accept: application/json`. The token is the same for both auth
//! modes: an OAuth access token or a private app's access token.

use std::fmt;
use std::time::Duration;

use deskgate_connector::CallPolicy;
use deskgate_core::ConnectorError;
use deskgate_upstream::{UpstreamRequest, UpstreamResponse};
use http::HeaderValue;
use http::header::{ACCEPT, HeaderName};
use secrecy::SecretString;

use crate::errors;

/// The API version every call asks for. Intercom otherwise answers in the version set on
/// the app, which the workspace's admins can change; the wire types are 2.16's.
pub(crate) const INTERCOM_VERSION: &str = "2.16";

/// Intercom counts its rate limit (`X-RateLimit-Limit`, reset at `X-RateLimit-Reset`) per
/// 10-second window, not per minute.
pub(crate) const RATE_WINDOW: Duration = Duration::from_secs(10);

const VERSION_HEADER: HeaderName = HeaderName::from_static("intercom-version");

pub(crate) struct TokenPolicy {
    token: SecretString,
}

impl TokenPolicy {
    pub(crate) fn new(token: SecretString) -> Self {
        Self { token }
    }
}

impl CallPolicy for TokenPolicy {
    fn authorize(&self, request: UpstreamRequest) -> UpstreamRequest {
        request
            .bearer_auth(self.token.clone())
            .fixed_header(VERSION_HEADER, HeaderValue::from_static(INTERCOM_VERSION))
            .fixed_header(ACCEPT, HeaderValue::from_static("application/json"))
            .rate_window(RATE_WINDOW)
    }

    fn refused(&self, response: &UpstreamResponse) -> ConnectorError {
        errors::from_response(response)
    }

    fn unauthorized_hint(&self) -> String {
        errors::unauthorized_hint()
    }
}

impl fmt::Debug for TokenPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPolicy")
            .field("token", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let shown = format!(
            "{:?}",
            TokenPolicy::new(SecretString::from("canary-tok-31c"))
        );
        assert!(!shown.contains("canary-tok-31c") && shown.contains("[redacted]"));
    }
}
