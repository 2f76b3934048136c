//! The entry middleware in front of every Zendesk route: it finds the account (by path
//! prefix `/zendesk/{subdomain}` or by `Host: {subdomain}.zendesk.com|.zendesk.localhost`),
//! strips the optional `.json` suffix, injects faults, enforces the per-minute rate limit
//! and adds Zendesk's response headers.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Uri, header};

use super::context::Ctx;
use super::errors::ZendeskError;
use super::rate_limit::RateDecision;
use crate::fault::Injected;
use crate::lock::lock;
use crate::sandbox::Sandbox;

struct Target {
    subdomain: String,
    base_url: String,
    path: String,
}

fn host_of(request: &Request) -> Option<String> {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()))
}

fn locate(request: &Request) -> Option<Target> {
    let host = host_of(request).unwrap_or_else(|| "127.0.0.1".to_owned());
    let path = request.uri().path();
    if let Some(rest) = path.strip_prefix("/zendesk/") {
        let (subdomain, tail) = rest.split_once('/').map_or((rest, ""), |(s, t)| (s, t));
        return Some(Target {
            subdomain: subdomain.to_ascii_lowercase(),
            base_url: format!("http://{host}/zendesk/{subdomain}"),
            path: format!("/{tail}"),
        });
    }
    let name = host
        .rsplit_once(':')
        .map_or(host.as_str(), |(h, _)| h)
        .to_ascii_lowercase();
    let subdomain = name
        .strip_suffix(".zendesk.com")
        .or_else(|| name.strip_suffix(".zendesk.localhost"))?;
    if subdomain.contains('.') {
        return None;
    }
    Some(Target {
        subdomain: subdomain.to_owned(),
        base_url: format!("http://{host}"),
        path: path.to_owned(),
    })
}

/// `/api/v2/tickets/1.json` → `/api/v2/tickets/1`.
fn strip_json(path: &str) -> &str {
    path.strip_suffix(".json").unwrap_or(path)
}

pub(crate) async fn enter(
    State(sandbox): State<Sandbox>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(target) = locate(&request) else {
        return ZendeskError::InvalidEndpoint.into_response();
    };
    let Some(account) = sandbox.zendesk_account(&target.subdomain) else {
        return ZendeskError::UnknownAccount.into_response();
    };
    let path = strip_json(&target.path).to_owned();
    let path_and_query = match request.uri().query() {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    match path_and_query.parse::<Uri>() {
        Ok(uri) => *request.uri_mut() = uri,
        Err(_) => return ZendeskError::InvalidEndpoint.into_response(),
    }

    lock(&account.counters).requests += 1;
    let (injected, delay) = {
        let mut faults = lock(&account.faults);
        (faults.next(), faults.config.delay())
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    match injected {
        Injected::None => {}
        Injected::ServerError(status) => {
            lock(&account.counters).injected_errors += 1;
            return ZendeskError::ServerError(status).into_response();
        }
        Injected::RateLimitedWithoutRetryAfter => {
            lock(&account.counters).rate_limited += 1;
            return ZendeskError::RateLimited { retry_after: None }.into_response();
        }
    }

    let clock = sandbox.clock();
    let decision = path
        .starts_with("/api/")
        .then(|| lock(&account.rate).hit(clock.now()));
    if let Some(decision) = decision.filter(|d| !d.allowed) {
        lock(&account.counters).rate_limited += 1;
        let mut response = ZendeskError::RateLimited {
            retry_after: Some(decision.reset_secs),
        }
        .into_response();
        add_headers(&mut response, Some(decision));
        return response;
    }

    request.extensions_mut().insert(Ctx {
        account,
        base_url: target.base_url,
        clock,
    });
    let mut response = next.run(request).await;
    add_headers(&mut response, decision);
    response
}

fn add_headers(response: &mut Response, decision: Option<RateDecision>) {
    let headers = response.headers_mut();
    headers.insert("x-zendesk-api-version", HeaderValue::from_static("v2"));
    if let Some(d) = decision {
        headers.insert("x-rate-limit", HeaderValue::from(d.limit));
        headers.insert("x-rate-limit-remaining", HeaderValue::from(d.remaining));
        headers.insert("ratelimit-limit", HeaderValue::from(d.limit));
        headers.insert("ratelimit-remaining", HeaderValue::from(d.remaining));
        headers.insert("ratelimit-reset", HeaderValue::from(d.reset_secs));
    }
}
