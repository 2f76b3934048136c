//! The entry middleware in front of every Zendesk route: it finds the account (by path
//! prefix `/zendesk/{subdomain}` or by `Host: {subdomain}.zendesk.com|.zendesk.localhost`),
//! strips the optional `.json` suffix, injects faults, enforces the per-minute rate limit
//! and adds Zendesk's response headers.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::HeaderValue;

use super::context::Ctx;
use super::errors::ZendeskError;
use crate::context::run_with;
use crate::fault::Injected;
use crate::lock::lock;
use crate::route::{Vendor, locate, rewrite};
use crate::sandbox::Sandbox;
use crate::traffic::{admit, count_rate_limited, cut_short};
use crate::window::RateDecision;

/// `/api/v2/tickets/1.json` → `/api/v2/tickets/1`.
fn strip_json(path: &str) -> &str {
    path.strip_suffix(".json").unwrap_or(path)
}

pub(crate) async fn enter(
    State(sandbox): State<Sandbox>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(target) = locate(&request).filter(|t| t.vendor == Vendor::Zendesk) else {
        return ZendeskError::InvalidEndpoint.into_response();
    };
    let Some(account) = sandbox.zendesk_account(&target.account) else {
        return ZendeskError::UnknownAccount.into_response();
    };
    let path = strip_json(&target.path).to_owned();
    if !rewrite(&mut request, &path) {
        return ZendeskError::InvalidEndpoint.into_response();
    }
    let method = request.method().clone();
    let cut = match admit(&account.traffic, &account.faults, &method).await {
        Injected::None => None,
        Injected::Cut(cut) => Some(cut),
        Injected::ServerError(status) => return ZendeskError::ServerError(status).into_response(),
        Injected::RateLimitedWithoutRetryAfter => {
            return ZendeskError::RateLimited { retry_after: None }.into_response();
        }
    };

    let clock = sandbox.clock();
    let decision = path
        .starts_with("/api/")
        .then(|| lock(&account.rate).hit(clock.now()));
    if let Some(decision) = decision.filter(|d| !d.allowed) {
        count_rate_limited(&account.traffic);
        let mut response = ZendeskError::RateLimited {
            retry_after: Some(decision.reset_secs),
        }
        .into_response();
        add_headers(&mut response, Some(decision));
        return response;
    }

    let ctx = Ctx {
        account,
        base_url: target.base_url,
        clock,
        outbound: sandbox.outbound(),
    };
    let mut response =
        crate::recorder::record("zendesk", request, |r| run_with(r, next, ctx)).await;
    add_headers(&mut response, decision);
    if let Some(cut) = cut {
        response = cut_short(response, cut).await;
    }
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
