//! The hosted connect page (`/connect/{token}`), its stylesheet and script, and the OAuth
//! callback (`/oauth/callback/{provider}`): HTML for a person, not JSON for a program.
//!
//! Rendered on the server with askama templates (escaped by default), one stylesheet and
//! one script served from here, usable without JavaScript. Every answer carries a strict
//! Content-Security-Policy whose `frame-ancestors` are the tenant's registered return-URL
//! origins, `Referrer-Policy: no-referrer` and `Cache-Control: no-store`. Forms post back
//! to the page's own URL (no `action`), so the link's token is never written into the HTML.

use crate::extract::ValidPath;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use deskgate_app::connect::{
    CallbackParams, Finish, FormError, ModeView, Outcome, PageAction, PageError, PageForm,
    PageView, ProviderView, SessionStatus, Submitted,
};

use crate::AppState;
use crate::middleware::request_id::RequestId;

const STYLESHEET: &str = include_str!("../../assets/connect.css");
const SCRIPT: &str = include_str!("../../assets/connect.js");
/// Largest form body read.
const FORM_LIMIT: usize = 64 * 1024;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/connect/{token}", get(show).post(submit))
        .route("/connect/assets/connect.css", get(stylesheet))
        .route("/connect.js", get(script))
        .route("/oauth/callback/{provider}", get(callback))
}

/// The path as logs may show it: a connect link's token is a bearer secret.
pub(crate) fn loggable_path(path: &str) -> &str {
    match path.strip_prefix("/connect/") {
        Some(rest) if !rest.starts_with("assets/") && !rest.is_empty() => "/connect/{token}",
        _ => path,
    }
}

#[derive(Template)]
#[template(path = "connect/page.html")]
struct PageTemplate<'a> {
    title: String,
    view: &'a PageView,
    provider: Option<&'a ProviderView>,
    mode: Option<&'a ModeView>,
    error: Option<&'a FormError>,
    popup: bool,
    popup_query: &'static str,
    popup_query_bare: &'static str,
    expires: String,
}

impl PageTemplate<'_> {
    fn is_mode(&self, mode: &str) -> bool {
        self.mode.is_some_and(|m| m.mode == mode)
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        self.error?
            .fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }

    fn any_error_in(&self, mode: &ModeView) -> bool {
        mode.fields.iter().any(|f| self.error_for(f.name).is_some())
    }

    /// Whether `choice` is the one to show selected: what was sent, else the example.
    fn chosen(&self, provider: &ProviderView, choice: &str) -> bool {
        match self.value(provider.account_field) {
            "" => choice == provider.account_example,
            sent => choice == sent,
        }
    }

    fn value(&self, field: &str) -> &str {
        self.error
            .and_then(|e| e.values.iter().find(|(n, _)| n == field))
            .map_or("", |(_, v)| v.as_str())
    }
}

/// What the popup's last page tells its opener.
struct ResultData {
    kind: &'static str,
    connection_id: String,
    code: String,
    origin: String,
    location: String,
}

#[derive(Template)]
#[template(path = "connect/message.html")]
struct MessageTemplate {
    title: String,
    heading: String,
    message: String,
    back: Option<String>,
    result: Option<ResultData>,
}

/// The headers of every page: no caching, no referrer, framing only by the tenant's own
/// sites, and nothing loaded from anywhere but here.
fn secured(status: StatusCode, body: String, frame_ancestors: &[String]) -> Response {
    let ancestors = if frame_ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        frame_ancestors.join(" ")
    };
    let csp = format!(
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
         base-uri 'none'; frame-ancestors {ancestors}"
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    secure_common(headers);
    response
}

fn secure_common(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

fn render(template: &impl Template) -> String {
    template.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "a connect page failed to render");
        "<!DOCTYPE html><title>Error</title><p>Something went wrong on our side.</p>".to_owned()
    })
}

fn message(status: StatusCode, heading: &str, text: &str, back: Option<String>) -> Response {
    let page = MessageTemplate {
        title: heading.to_owned(),
        heading: heading.to_owned(),
        message: text.to_owned(),
        back,
        result: None,
    };
    secured(status, render(&page), &[])
}

fn refused(e: PageError) -> Response {
    match e {
        PageError::Unknown => message(
            StatusCode::NOT_FOUND,
            "This link is not valid",
            "Check that you copied the whole link, or ask the app that sent you for a new one.",
            None,
        ),
        PageError::Closed { status, back } => {
            let (heading, text) = match status {
                SessionStatus::Connected => (
                    "This helpdesk is connected",
                    "This link was used already and has done its job. You can close this page.",
                ),
                SessionStatus::Revoked => (
                    "This link was withdrawn",
                    "Ask the app that sent you for a new link.",
                ),
                _ => (
                    "This link has expired",
                    "Links to connect a helpdesk work for 30 minutes. Ask the app that sent you for a new one.",
                ),
            };
            message(StatusCode::GONE, heading, text, back.map(|b| b.location))
        }
        PageError::Forgery => message(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The form was not sent from this page. Reload the page and try again.",
            None,
        ),
        PageError::BadCallback(reason) => message(
            StatusCode::BAD_REQUEST,
            "This sign-in cannot be completed",
            &format!(
                "{}. Nothing was saved. Start again from the app that sent you here.",
                capitalized(reason)
            ),
            None,
        ),
        PageError::Internal(deskgate_app::AppError::Unavailable(cause)) => {
            tracing::warn!(error = %cause, "the connect page's database is unavailable");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                "We cannot take this right now",
                "Nothing was saved. Try again in a moment.",
                None,
            )
        }
        PageError::Internal(e) => {
            tracing::error!(error = %e, "the connect page failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side",
                "Nothing was saved. Try again in a moment.",
                None,
            )
        }
    }
}

fn capitalized(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The customer's way back: a redirect, or in a popup a page that tells the opener.
fn finished(finish: Finish) -> Response {
    if !finish.popup {
        return see_other(&finish.location);
    }
    let (kind, connection_id, code, heading) = match &finish.outcome {
        Outcome::Connected(id) => ("connected", id.to_string(), String::new(), "Connected"),
        Outcome::Failed(code) => ("error", String::new(), code.clone(), "Not connected"),
    };
    let page = MessageTemplate {
        title: heading.to_owned(),
        heading: heading.to_owned(),
        message: "You can close this window.".to_owned(),
        back: Some(finish.location.clone()),
        result: Some(ResultData {
            kind,
            connection_id,
            code,
            origin: finish.origin.clone(),
            location: finish.location,
        }),
    };
    secured(StatusCode::OK, render(&page), &[])
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(location) {
        Ok(v) => {
            headers.insert(header::LOCATION, v);
        }
        Err(_) => return refused(PageError::BadCallback("the way back is not a valid URL")),
    }
    secure_common(headers);
    response
}

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn get_pair<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn page(
    view: &PageView,
    provider: Option<&str>,
    mode: Option<&str>,
    error: Option<&FormError>,
    popup: bool,
    status: StatusCode,
) -> Response {
    let provider = provider
        .and_then(|p| view.provider(p))
        .or_else(|| (view.providers.len() == 1).then(|| &view.providers[0]));
    let mode = provider.and_then(|p| {
        mode.and_then(|m| p.modes.iter().find(|x| x.mode == m))
            .or_else(|| p.modes.first())
    });
    let title = match provider {
        Some(p) => format!("Connect {}", p.title),
        None => "Connect your helpdesk".to_owned(),
    };
    let template = PageTemplate {
        title,
        view,
        provider,
        mode,
        error,
        popup,
        popup_query: if popup { "&display=popup" } else { "" },
        popup_query_bare: if popup { "display=popup" } else { "" },
        expires: view.expires_at.format("%H:%M UTC").to_string(),
    };
    secured(status, render(&template), &view.frame_ancestors)
}

async fn show(
    State(state): State<AppState>,
    ValidPath(token): ValidPath<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    match state.app.connect_page(&token).await {
        Ok(view) => page(
            &view,
            get_pair(&pairs, "provider"),
            get_pair(&pairs, "mode"),
            None,
            get_pair(&pairs, "display") == Some("popup"),
            StatusCode::OK,
        ),
        Err(e) => refused(e),
    }
}

async fn submit(
    State(state): State<AppState>,
    ValidPath(token): ValidPath<String>,
    request_id: Option<axum::Extension<RequestId>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type || body.len() > FORM_LIMIT {
        return message(
            StatusCode::BAD_REQUEST,
            "This form could not be read",
            "Reload the page and try again.",
            None,
        );
    }
    let mut fields = query_pairs(std::str::from_utf8(&body).ok());
    let mut take = |name: &str| {
        fields
            .iter()
            .position(|(k, _)| k == name)
            .map(|i| fields.remove(i).1)
    };
    let csrf = take("csrf_token").unwrap_or_default();
    let popup = take("display").as_deref() == Some("popup");
    let action = match take("action").as_deref() {
        Some("cancel") => PageAction::Cancel,
        _ => PageAction::Connect {
            provider: take("provider").unwrap_or_default(),
            mode: take("mode").unwrap_or_default(),
        },
    };
    let form = PageForm {
        action,
        csrf,
        popup,
        fields,
    };
    let request_id = request_id.map(|r| r.0.0);
    match state
        .app
        .submit_connect_page(&token, form, request_id)
        .await
    {
        Ok(Submitted::Redirect(url)) => see_other(&url),
        Ok(Submitted::Finished(finish)) => finished(finish),
        Ok(Submitted::Invalid(view, error)) => page(
            &view,
            Some(&error.provider),
            Some(&error.mode),
            Some(&error),
            popup,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => refused(e),
    }
}

async fn callback(
    State(state): State<AppState>,
    ValidPath(provider): ValidPath<String>,
    request_id: Option<axum::Extension<RequestId>>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let owned = |name: &str| get_pair(&pairs, name).map(str::to_owned);
    let params = CallbackParams {
        state: owned("state"),
        code: owned("code"),
        error: owned("error"),
    };
    let request_id = request_id.map(|r| r.0.0);
    match state
        .app
        .oauth_callback(&provider, params, request_id)
        .await
    {
        Ok(finish) => finished(finish),
        Err(e) => refused(e),
    }
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLESHEET)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A colour of the stylesheet's `:root`, by variable name.
    fn colour(name: &str) -> [f64; 3] {
        let at = STYLESHEET
            .find(&format!("--{name}:"))
            .unwrap_or_else(|| panic!("--{name} is not in the stylesheet"));
        let hex = STYLESHEET[at..]
            .split('#')
            .nth(1)
            .map(|h| &h[..6])
            .unwrap_or_default();
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        [channel(0), channel(2), channel(4)]
    }

    /// WCAG 2 contrast ratio of two colours.
    fn contrast(a: &str, b: &str) -> f64 {
        let luminance = |c: [f64; 3]| 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
        let (x, y) = (luminance(colour(a)), luminance(colour(b)));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn text_colours_meet_wcag_aa_contrast() {
        for (text, background) in [
            ("ink", "paper"),
            ("ink", "back"),
            ("muted", "paper"),
            ("muted", "back"),
            ("accent", "paper"),
            ("accent-ink", "accent"),
            ("accent-ink", "accent-dark"),
            ("error", "paper"),
            ("error", "error-back"),
            ("ink", "note-back"),
        ] {
            let ratio = contrast(text, background);
            assert!(ratio >= 4.5, "--{text} on --{background}: {ratio:.2} < 4.5");
        }
    }

    #[test]
    fn a_connect_token_never_reaches_a_log() {
        assert_eq!(loggable_path("/connect/abcDEF123"), "/connect/{token}");
        assert_eq!(
            loggable_path("/connect/assets/connect.css"),
            "/connect/assets/connect.css"
        );
        assert_eq!(loggable_path("/v1/connections"), "/v1/connections");
    }
}
