//! Intercom's OAuth code flow, for public apps.
//!
//! - Authorize: `https://app.intercom.io/oauth?client_id=…&state=…&redirect_uri=…`. Intercom
//!   documents no scopes (permissions are set on the app in the Developer Hub) and no PKCE,
//!   so neither is sent: the verifier the caller keeps for every redirect mode is simply not
//!   used here.
//! - Token: `POST https://{regional api host}/auth/eagle/token` with `code`, `client_id` and
//!   `client_secret` (form-encoded), answered with `{"token"|"access_token", "token_type"}`.
//!   The token does not expire and there is no refresh token: a new token means running the
//!   flow again.
//!
//! The token endpoint is not part of the REST API's OpenAPI document; it is described in
//! Intercom's OAuth guide.

use deskgate_connector::bad_response;
use deskgate_connector::vendor_error::from_upstream;
use deskgate_core::{ConnectorError, FieldError};
use deskgate_upstream::{BudgetKey, Upstream, UpstreamRequest};
use http::header::ACCEPT;
use http::{HeaderValue, Method};
use secrecy::{ExposeSecret, SecretString};

use crate::errors;
use crate::region::{Region, VENDOR};
use crate::wire::WireToken;

/// Where a person is sent to install the app on a workspace (all regions).
pub(crate) const AUTHORIZE_URL: &str = "https://app.intercom.io/oauth";

/// The token endpoint's path on the regional API host.
pub(crate) const TOKEN_PATH: &str = "/auth/eagle/token";

/// The authorize URL: `client_id`, `state` and `redirect_uri`; no scope, no PKCE challenge.
pub(crate) fn authorize_url(
    client_id: &str,
    redirect_uri: &str,
    state: &SecretString,
) -> Result<String, url::ParseError> {
    let mut url = url::Url::parse(AUTHORIZE_URL)?;
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("state", state.expose_secret())
        .append_pair("redirect_uri", redirect_uri);
    Ok(url.to_string())
}

fn refused_code(said: &str) -> ConnectorError {
    let message = format!(
        "intercom refused the authorization code ({said}): it is used once and expires after \
         about five minutes, and the client id and secret must be the app's; start again"
    );
    ConnectorError::Invalid {
        message: message.clone(),
        fields: vec![FieldError {
            field: "code".into(),
            message,
        }],
    }
}

/// The token request's form body.
pub(crate) fn token_form(
    client_id: &str,
    client_secret: &SecretString,
    code: &SecretString,
) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", code.expose_secret())
        .append_pair("client_id", client_id)
        .append_pair("client_secret", client_secret.expose_secret())
        .finish()
}

/// Exchanges a code for an access token at the region's token endpoint. Never retried: a
/// code is single-use.
pub(crate) async fn exchange_code(
    upstream: &Upstream,
    region: Region,
    budget: BudgetKey,
    client_id: &str,
    client_secret: &SecretString,
    code: &SecretString,
) -> Result<SecretString, ConnectorError> {
    let origin = region.origin().map_err(|e| ConnectorError::Transport {
        detail: e.to_string(),
    })?;
    let request = UpstreamRequest::new(Method::POST, &origin, TOKEN_PATH, budget)
        .map_err(|e| ConnectorError::Transport {
            detail: e.to_string(),
        })?
        .path_template(TOKEN_PATH)
        .fixed_header(ACCEPT, HeaderValue::from_static("application/json"))
        .body(
            HeaderValue::from_static("application/x-www-form-urlencoded"),
            token_form(client_id, client_secret, code),
        )
        .idempotent(false)
        .rate_window(super::RATE_WINDOW);
    let response = upstream
        .send(request)
        .await
        .map_err(|e| from_upstream(VENDOR, e, errors::from_response))?;
    match response.status().as_u16() {
        200..=299 => {}
        400 | 401 | 403 => return Err(refused_code(&errors::read(response.body()).message)),
        _ => return Err(errors::from_response(&response)),
    }
    let token: WireToken = serde_json::from_slice(response.body())
        .map_err(|e| bad_response(format!("intercom's token answer could not be read: {e}")))?;
    read_token(token)
}

/// The token from the answer: `token`, else `access_token`; a `token_type` other than
/// bearer is refused.
pub(crate) fn read_token(token: WireToken) -> Result<SecretString, ConnectorError> {
    if let Some(kind) = token.token_type.as_deref()
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(bad_response(format!(
            "intercom answered a {} token, not a bearer token",
            deskgate_connector::vendor_error::clip(kind)
        )));
    }
    token
        .token
        .or(token.access_token)
        .filter(|t| !t.trim().is_empty())
        .map(SecretString::from)
        .ok_or_else(|| bad_response("intercom's token answer holds no token"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_authorize_url_has_client_state_and_redirect_and_no_scope_or_pkce() {
        let url = authorize_url(
            "client-123",
            "https://gw.example/oauth/callback/intercom",
            &SecretString::from("st&te=1"),
        )
        .unwrap();
        let parsed = url::Url::parse(&url).unwrap();
        assert_eq!(parsed.host_str(), Some("app.intercom.io"));
        assert_eq!(parsed.path(), "/oauth");
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            vec![
                ("client_id".into(), "client-123".into()),
                ("state".into(), "st&te=1".into()),
                (
                    "redirect_uri".into(),
                    "https://gw.example/oauth/callback/intercom".into()
                ),
            ]
        );
        for absent in [
            "scope",
            "code_challenge",
            "code_challenge_method",
            "response_type",
        ] {
            assert!(!url.contains(absent), "{absent} in {url}");
        }
    }

    #[test]
    fn the_token_form_carries_code_and_client() {
        let form = token_form(
            "cid",
            &SecretString::from("s&cret"),
            &SecretString::from("c0de"),
        );
        assert_eq!(form, "code=c0de&client_id=cid&client_secret=s%26cret");
    }

    #[test]
    fn either_token_field_is_read_and_only_bearer_tokens_are_taken() {
        let read = |json: &str| read_token(serde_json::from_str(json).unwrap());
        let t = read(r#"{"token":"tok-1","access_token":"tok-1","token_type":"Bearer"}"#).unwrap();
        assert_eq!(t.expose_secret(), "tok-1");
        let t = read(r#"{"access_token":"tok-2"}"#).unwrap();
        assert_eq!(t.expose_secret(), "tok-2");
        assert!(read(r#"{"token":"x","token_type":"mac"}"#).is_err());
        assert!(read(r#"{"token":"  ","token_type":"bearer"}"#).is_err());
        assert!(read("{}").is_err());
    }

    #[test]
    fn a_refused_code_names_the_code() {
        let e = refused_code("invalid_grant");
        assert!(matches!(e, ConnectorError::Invalid { fields, .. } if fields[0].field == "code"));
    }
}
