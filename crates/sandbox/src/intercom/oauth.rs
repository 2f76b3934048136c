//! Intercom's OAuth for public apps:
//! - `GET /oauth?client_id=…&state=…&redirect_uri=…` on the app host (`app.intercom.io`, or
//!   the path form `/intercom/app/oauth`): checks the client and that the redirect URI is
//!   registered (exactly, or a loopback URI on any port), then shows a consent page as the
//!   workspace's owner admin, with `<button id="approve">` and `<button id="deny">`. An
//!   unknown client or an unregistered redirect URI gets a 400 page and no redirect.
//! - `POST /oauth` (the page's form, posted back to the prefix the page was reached on)
//!   takes the decision: approve redirects (302) to `redirect_uri?code=…&state=…`, deny to
//!   `redirect_uri?error=access_denied&state=…`. The form's one-time consent token must come
//!   from a page shown for exactly these parameters.
//! - `POST /auth/eagle/token` on the workspace's regional API host, with `code`,
//!   `client_id` and `client_secret` as JSON or a form: answers
//!   `{"token", "access_token", "token_type": "Bearer"}`. Tokens never expire and there is no
//!   refresh token; codes are single-use and expire five minutes after they are issued.
//!
//! The token endpoint's errors are not documented; the sandbox answers Intercom's usual
//! `error.list`: 401 `unauthorized` for an unknown client or a wrong secret, 400
//! `parameter_invalid` for a code that is unknown, used, expired or another client's, 400
//! `parameter_not_found` for a missing parameter.

use std::sync::Arc;

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use http::StatusCode;
use serde_json::{Value, json};

use super::consent::OAuthParams;
use super::context::{ApiHost, AppHost};
use super::entry::{OAUTH_PATH, TOKEN_PATH};
use super::errors::IntercomError;
use super::seed::OWNER_INDEX;
use super::workspace::Workspace;
use crate::consent_store::ConsentDecision;
use crate::html::{document, escape, page};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(OAUTH_PATH, get(show_consent).post(decide_consent))
        .route(TOKEN_PATH, post(exchange_code))
}

fn refuse(reason: &str) -> Response {
    let main = format!(
        "<h1>This authorization cannot be completed</h1>\n<p id=\"reason\">{}</p>\n\
         <p>Nothing was granted. Start again from the app that sent you here.</p>\n",
        escape(reason)
    );
    page(
        StatusCode::BAD_REQUEST,
        document("Authorization refused", &main),
    )
}

fn workspace_by_client(sandbox: &Sandbox, client_id: &str) -> Option<Arc<Workspace>> {
    sandbox
        .intercom_registry()
        .all()
        .into_iter()
        .find(|w| w.client_id() == client_id)
}

/// The checks made before any page: the client exists and the redirect URI is registered.
/// Returns the workspace and the redirect URI to use.
fn validate(
    sandbox: &Sandbox,
    params: &OAuthParams,
) -> Result<(Arc<Workspace>, String), &'static str> {
    let workspace = params
        .get("client_id")
        .and_then(|c| workspace_by_client(sandbox, c))
        .ok_or("The app asking for access is not known to Intercom.")?;
    let registered = lock(&workspace.settings).redirect_uris.clone();
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if crate::redirect::allowed(&registered, uri) => uri.to_owned(),
        Some(_) => return Err("The redirect URI is not one the app registered."),
        None => registered
            .first()
            .cloned()
            .ok_or("The app has no redirect URI.")?,
    };
    Ok((workspace, redirect_uri))
}

/// Acts on a decision about a validated request: where the browser goes.
fn decide(
    workspace: &Workspace,
    params: &OAuthParams,
    redirect_uri: &str,
    decision: ConsentDecision,
    now: i64,
) -> Option<String> {
    let state = params.get("state").map(|s| ("state", s));
    match decision {
        ConsentDecision::Approve => {
            let owner = lock(&workspace.data).admins[OWNER_INDEX].id;
            let code = lock(&workspace.tokens).issue_code(workspace.client_id(), owner, now);
            lock(&workspace.usage).oauth_codes_issued += 1;
            let mut pairs = vec![("code", code.as_str())];
            pairs.extend(state);
            crate::redirect::location(redirect_uri, &pairs)
        }
        ConsentDecision::Deny => {
            let mut pairs = vec![("error", "access_denied")];
            pairs.extend(state);
            crate::redirect::location(redirect_uri, &pairs)
        }
    }
}

/// The browserless consent of `Sandbox::intercom_consent`: the same checks and decision
/// as the page, for the URL a client would send a browser to.
pub(crate) fn consent_without_page(
    sandbox: &Sandbox,
    authorize_url: &str,
    decision: ConsentDecision,
    now: i64,
) -> Result<String, String> {
    let url = url::Url::parse(authorize_url).map_err(|e| format!("authorize url: {e}"))?;
    if !url.path().ends_with(OAUTH_PATH) {
        return Err(format!("authorize url: the path must end in {OAUTH_PATH}"));
    }
    let params = OAuthParams::read(&QueryParams::parse(url.query()));
    let (workspace, redirect_uri) = validate(sandbox, &params).map_err(str::to_owned)?;
    decide(&workspace, &params, &redirect_uri, decision, now)
        .ok_or_else(|| "the redirect uri is not a URL".to_owned())
}

async fn show_consent(host: AppHost, q: QueryParams) -> Response {
    let params = OAuthParams::read(&q);
    let (workspace, redirect_uri) = match validate(&host.sandbox, &params) {
        Ok(found) => found,
        Err(reason) => return refuse(reason),
    };
    let now = host.sandbox.clock().now().timestamp();
    let (admin_name, admin_email) = {
        let data = lock(&workspace.data);
        let owner = &data.admins[OWNER_INDEX];
        (owner.name.clone(), owner.email.clone())
    };
    let token = lock(&workspace.consents).issue(params.clone(), now);
    let mut hidden = format!(
        "<input type=\"hidden\" name=\"consent_token\" value=\"{}\">\n",
        escape(&token)
    );
    for (name, value) in params.present() {
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
            escape(value)
        ));
    }
    let main = format!(
        "<h1>Connect <span id=\"client\">{client}</span> to Intercom?</h1>\n\
         <p>The app <strong>{client}</strong> asks to access the workspace \
         <strong id=\"workspace\">{workspace}</strong> ({region}) as \
         <strong id=\"admin\">{admin}</strong> (<span id=\"email\">{email}</span>), with the \
         permissions set on the app.</p>\n\
         <p>Either answer sends you back to <code id=\"redirect-uri\">{redirect}</code>.</p>\n\
         <form method=\"post\" action=\"{action}\" aria-label=\"Your decision\">\n{hidden}\
         <button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">Authorize access</button>\n\
         <button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Cancel</button>\n\
         </form>\n",
        client = escape(params.get("client_id").unwrap_or_default()),
        workspace = escape(&workspace.config.name),
        region = workspace.config.region.label(),
        admin = escape(&admin_name),
        email = escape(&admin_email),
        redirect = escape(&redirect_uri),
        action = escape(&format!("{}{OAUTH_PATH}", host.base_url)),
    );
    page(StatusCode::OK, document("Connect to Intercom?", &main))
}

async fn decide_consent(host: AppHost, body: Bytes) -> Response {
    let Ok(text) = std::str::from_utf8(&body) else {
        return refuse("The form could not be read.");
    };
    let form = QueryParams::parse(Some(text));
    let decision = match form.get("decision") {
        Some("approve") => ConsentDecision::Approve,
        Some("deny") => ConsentDecision::Deny,
        _ => return refuse("The form must say whether you authorize access or cancel."),
    };
    let Some(token) = form.get("consent_token") else {
        return refuse("The decision did not come from a consent page.");
    };
    let params = OAuthParams::read(&form);
    let Some(workspace) = params
        .get("client_id")
        .and_then(|c| workspace_by_client(&host.sandbox, c))
    else {
        return refuse("The app asking for access is not known to Intercom.");
    };
    let now = host.sandbox.clock().now().timestamp();
    let Some(shown) = lock(&workspace.consents).take(token, now) else {
        return refuse("This consent page has expired or was already used.");
    };
    if shown != params {
        return refuse("The decision does not match the request the consent page was shown for.");
    }
    let redirect_uri = match validate(&host.sandbox, &shown) {
        Ok((_, uri)) => uri,
        Err(reason) => return refuse(reason),
    };
    decide(&workspace, &shown, &redirect_uri, decision, now)
        .and_then(|to| crate::redirect::found(&to))
        .unwrap_or_else(|| refuse("The redirect URI is not a URL."))
}

/// The token request's parameters, from a JSON or a form body.
fn token_params(body: &Bytes) -> Option<QueryParams> {
    let text = std::str::from_utf8(body).ok()?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(
                    map.iter()
                        .filter_map(|(k, v)| super::body::text_id(v).map(|v| (k.clone(), v))),
                )
                .finish();
            Some(QueryParams::parse(Some(&query)))
        }
        Ok(_) => None,
        Err(_) => Some(QueryParams::parse(Some(text))),
    }
}

async fn exchange_code(host: ApiHost, body: Bytes) -> Response {
    let Some(params) = token_params(&body) else {
        return IntercomError::invalid("The request body could not be read").into_response();
    };
    let (Some(code), Some(client_id), Some(secret)) = (
        params.get("code"),
        params.get("client_id"),
        params.get("client_secret"),
    ) else {
        return IntercomError::required("code, client_id and client_secret are required")
            .into_response();
    };
    let workspace =
        workspace_by_client(&host.sandbox, client_id).filter(|w| w.config.region == host.region);
    let Some(workspace) = workspace else {
        return IntercomError::unauthorized().into_response();
    };
    if !workspace.secret_matches(secret) {
        lock(&workspace.usage).token_exchange_failures += 1;
        return IntercomError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Client authentication failed",
        )
        .into_response();
    }
    let now = host.sandbox.clock().now().timestamp();
    let issued = lock(&workspace.tokens).exchange(code, client_id, now);
    let Some(token) = issued else {
        lock(&workspace.usage).token_exchange_failures += 1;
        return IntercomError::invalid("The authorization code is invalid, expired or used")
            .into_response();
    };
    lock(&workspace.usage).token_exchanges += 1;
    axum::Json(json!({"token": token, "access_token": token, "token_type": "Bearer"}))
        .into_response()
}
