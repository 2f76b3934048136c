//! The browser leg of Zendesk's authorization-code flow, as the account's admin:
//! - `GET /oauth/authorizations/new` checks the request (client, registered redirect URI,
//!   `response_type`, scope, PKCE method) and answers a consent page (`consent_page`) whose
//!   form carries the request back with a one-time consent token (`consent`).
//! - `POST /oauth/authorizations` takes the decision: `approve` redirects (302) to the
//!   redirect URI with `code` and `state`; `deny` with `error=access_denied` and `state`
//!   (RFC 6749 §4.1.2.1). A decision whose token is unknown, used or expired, or whose
//!   parameters differ from the page's, gets a 400 page and nothing is issued.
//!
//! [`consent_without_page`] makes the same checks and decision for callers that drive no
//! browser (`Sandbox::zendesk_consent`).
//!
//! Where a real Zendesk form posts is not in the reference; `POST /oauth/authorizations` is
//! the Doorkeeper route beside `GET /oauth/authorizations/new`.

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;

use super::account::Account;
use super::consent::{AuthorizeParams, ConsentDecision};
use super::consent_page::{self, ConsentView};
use super::context::Ctx;
use super::errors::ZendeskError;
use super::seed::{ADMIN_INDEX, USER_BASE};
use super::tokens::NewCode;
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

const AUTHORIZE_PATH: &str = "/oauth/authorizations/new";
const DECISION_PATH: &str = "/oauth/authorizations";

/// Doorkeeper's description for `access_denied`, like the other OAuth error texts.
const ACCESS_DENIED: &str = "The resource owner or authorization server denied the request.";
const INVALID_REDIRECT: &str = "The redirect uri included is not valid.";

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(AUTHORIZE_PATH, get(show_consent))
        .route(DECISION_PATH, post(decide_consent))
}

/// Why an authorize request goes no further.
#[derive(Debug)]
enum Refusal {
    /// Answered where it was asked (unknown client, unregistered redirect URI): a client's
    /// error is never sent to a URI the client did not register.
    OnTheSpot(ZendeskError),
    /// Sent back to the registered redirect URI with an `error`: this location.
    Redirect(String),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::OnTheSpot(error) => error.into_response(),
            Self::Redirect(location) => found(&location),
        }
    }
}

/// `uri` with `pairs` added to its query.
fn location(uri: &str, pairs: &[(&str, &str)]) -> Result<String, ZendeskError> {
    crate::redirect::location(uri, pairs)
        .ok_or_else(|| ZendeskError::invalid_request(INVALID_REDIRECT))
}

/// 302 Found, the status of Zendesk's authorization redirect.
fn found(location: &str) -> Response {
    crate::redirect::found(location)
        .unwrap_or_else(|| ZendeskError::invalid_request(INVALID_REDIRECT).into_response())
}

/// The redirect for an error, carrying `state` back when the request had one.
fn error_redirect(params: &AuthorizeParams, error: &str) -> Refusal {
    let redirect_uri = params.get("redirect_uri").unwrap_or_default();
    let mut pairs = vec![("error", error)];
    pairs.extend(params.get("state").map(|s| ("state", s)));
    match location(redirect_uri, &pairs) {
        Ok(to) => Refusal::Redirect(to),
        Err(e) => Refusal::OnTheSpot(e),
    }
}

/// The checks made before any page is shown, in the order Zendesk's OAuth layer makes them.
fn validate(account: &Account, params: &AuthorizeParams) -> Result<(), Refusal> {
    if params.get("client_id") != Some(account.client.identifier.as_str()) {
        return Err(Refusal::OnTheSpot(ZendeskError::invalid_client()));
    }
    let registered = lock(&account.settings).redirect_uris.clone();
    if !crate::redirect::allowed(&registered, params.get("redirect_uri").unwrap_or_default()) {
        return Err(Refusal::OnTheSpot(ZendeskError::invalid_request(
            INVALID_REDIRECT,
        )));
    }
    if params.get("response_type") != Some("code") {
        return Err(error_redirect(params, "unsupported_response_type"));
    }
    if params.get("scope").unwrap_or_default().trim().is_empty() {
        return Err(error_redirect(params, "invalid_scope"));
    }
    if params.get("code_challenge").is_some() && params.get("code_challenge_method") != Some("S256")
    {
        return Err(error_redirect(params, "invalid_request"));
    }
    Ok(())
}

/// Acts on a decision about a validated request: the location to send the browser to.
/// Approving issues the authorization code, as the admin.
fn decide(
    account: &Account,
    params: &AuthorizeParams,
    decision: ConsentDecision,
    now: i64,
) -> Result<String, ZendeskError> {
    let redirect_uri = params.get("redirect_uri").unwrap_or_default();
    let state = params.get("state").map(|s| ("state", s));
    match decision {
        ConsentDecision::Approve => {
            let code = lock(&account.tokens).issue_code(
                NewCode {
                    client_id: params.get("client_id").unwrap_or_default(),
                    redirect_uri,
                    scope: params.get("scope").unwrap_or_default().trim(),
                    code_challenge: params.get("code_challenge").map(str::to_owned),
                    user_id: USER_BASE + ADMIN_INDEX,
                },
                now,
            );
            lock(&account.counters).authorization_codes_issued += 1;
            let mut pairs = vec![("code", code.as_str())];
            pairs.extend(state);
            location(redirect_uri, &pairs)
        }
        ConsentDecision::Deny => {
            let mut pairs = vec![
                ("error", "access_denied"),
                ("error_description", ACCESS_DENIED),
            ];
            pairs.extend(state);
            location(redirect_uri, &pairs)
        }
    }
}

/// The checks and the decision of the browser leg without the page, for callers that drive
/// no browser: where the browser would be sent (including an error redirect the request
/// earns before any page), or the refusal given on the spot.
pub(crate) fn consent_without_page(
    account: &Account,
    authorize_url: &str,
    decision: ConsentDecision,
    now: i64,
) -> Result<String, String> {
    let url = url::Url::parse(authorize_url).map_err(|e| format!("authorize url: {e}"))?;
    if !url.path().ends_with(AUTHORIZE_PATH) {
        return Err(format!(
            "authorize url: the path must end in {AUTHORIZE_PATH}"
        ));
    }
    let params = AuthorizeParams::read(&QueryParams::parse(url.query()));
    match validate(account, &params) {
        Ok(()) => decide(account, &params, decision, now).map_err(|e| refusal_text(&e)),
        Err(Refusal::Redirect(to)) => Ok(to),
        Err(Refusal::OnTheSpot(e)) => Err(refusal_text(&e)),
    }
}

fn refusal_text(error: &ZendeskError) -> String {
    match error {
        ZendeskError::OAuth {
            error, description, ..
        } => format!("{error}: {description}"),
        other => other.to_string(),
    }
}

async fn show_consent(ctx: Ctx, q: QueryParams) -> Response {
    let params = AuthorizeParams::read(&q);
    if let Err(refusal) = validate(&ctx.account, &params) {
        return refusal.into_response();
    }
    let admin = lock(&ctx.account.data).user(USER_BASE + ADMIN_INDEX);
    let (user_name, user_email) = admin.map(|u| (u.name, u.email)).unwrap_or_default();
    let consent_token = lock(&ctx.account.consents).issue(params.clone(), ctx.now_secs());
    consent_page::render(&ConsentView {
        params: &params,
        subdomain: &ctx.account.config.subdomain,
        user_name: &user_name,
        user_email: &user_email,
        action: &ctx.url(DECISION_PATH),
        consent_token: &consent_token,
    })
}

async fn decide_consent(ctx: Ctx, body: Bytes) -> Response {
    let Ok(text) = std::str::from_utf8(&body) else {
        return consent_page::refuse("The form could not be read.");
    };
    let form = QueryParams::parse(Some(text));
    let Some(decision) = form.get("decision").and_then(ConsentDecision::parse) else {
        return consent_page::refuse("The form must say whether you approve or deny access.");
    };
    let Some(token) = form.get("consent_token") else {
        return consent_page::refuse("The decision did not come from a consent page.");
    };
    let now = ctx.now_secs();
    let Some(shown) = lock(&ctx.account.consents).take(token, now) else {
        return consent_page::refuse("This consent page has expired or was already used.");
    };
    if AuthorizeParams::read(&form) != shown {
        return consent_page::refuse(
            "The decision does not match the request the consent page was shown for.",
        );
    }
    match decide(&ctx.account, &shown, decision, now) {
        Ok(to) => found(&to),
        Err(e) => e.into_response(),
    }
}
