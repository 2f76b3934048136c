//! The entry middleware in front of every Intercom route. It finds the host the request was
//! meant for (path prefix `/intercom/{us|eu|au|app}` or `Host: api[.eu|.au].intercom.io` /
//! `app.intercom.io`), then:
//! - on the app host, lets only the OAuth page through (no token, no limit);
//! - on an API host, lets `POST /auth/eagle/token` through without a token, and otherwise
//!   finds the workspace by its bearer token among that region's workspaces (401 if none),
//!   counts the request and applies injected faults, records and checks `Intercom-Version`,
//!   spends one request of the 10-second window (429 past it) and adds the
//!   `X-RateLimit-*` headers to the answer.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};

use super::context::{ApiHost, AppHost, Caller, Ctx};
use super::errors::IntercomError;
use super::workspace::Workspace;
use crate::config::IntercomRegion;
use crate::context::run_with;
use crate::fault::Injected;
use crate::lock::lock;
use crate::route::{Vendor, locate, rewrite};
use crate::sandbox::Sandbox;
use crate::traffic::{admit, count_rate_limited, cut_short};
use crate::window::RateDecision;

/// The values `Intercom-Version` may take in the 2.16 spec (`intercom_version`).
const VERSIONS: [&str; 22] = [
    "1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7",
    "2.8", "2.9", "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16",
];

pub(crate) const OAUTH_PATH: &str = "/oauth";
pub(crate) const TOKEN_PATH: &str = "/auth/eagle/token";

fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The workspace of `region` that issued `token`.
fn workspace_for(
    sandbox: &Sandbox,
    region: IntercomRegion,
    token: &str,
) -> Option<(Arc<Workspace>, u64)> {
    sandbox.intercom_registry().all().into_iter().find_map(|w| {
        if w.config.region != region {
            return None;
        }
        let admin = lock(&w.tokens).admin_for(token)?;
        Some((w, admin))
    })
}

pub(crate) async fn enter(
    State(sandbox): State<Sandbox>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(target) = locate(&request).filter(|t| t.vendor == Vendor::Intercom) else {
        return IntercomError::not_found("Resource Not Found").into_response();
    };
    if !rewrite(&mut request, &target.path) {
        return IntercomError::not_found("Resource Not Found").into_response();
    }
    if target.account == "app" {
        if target.path != OAUTH_PATH {
            return IntercomError::not_found("Resource Not Found").into_response();
        }
        request.extensions_mut().insert(AppHost {
            base_url: target.base_url,
            sandbox: sandbox.clone(),
        });
        return next.run(request).await;
    }
    let Some(region) = IntercomRegion::parse(&target.account) else {
        return IntercomError::not_found("Resource Not Found").into_response();
    };
    if target.path == OAUTH_PATH {
        return IntercomError::not_found("Resource Not Found").into_response();
    }
    if target.path == TOKEN_PATH {
        request.extensions_mut().insert(ApiHost {
            region,
            sandbox: sandbox.clone(),
        });
        return crate::recorder::record("intercom", request, |r| next.run(r)).await;
    }
    let Some((workspace, admin_id)) =
        bearer(&request).and_then(|token| workspace_for(&sandbox, region, token))
    else {
        return IntercomError::unauthorized().into_response();
    };

    let method = request.method().clone();
    let cut = match admit(&workspace.traffic, &workspace.faults, &method).await {
        Injected::None => None,
        Injected::Cut(cut) => Some(cut),
        Injected::ServerError(status) => {
            return IntercomError::server_error(status).into_response();
        }
        Injected::RateLimitedWithoutRetryAfter => {
            return IntercomError::rate_limited().into_response();
        }
    };

    let version = request
        .headers()
        .get("intercom-version")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    {
        let mut usage = lock(&workspace.usage);
        match &version {
            Some(v) => *usage.versions.entry(v.clone()).or_default() += 1,
            None => usage.without_version += 1,
        }
        usage.last_version.clone_from(&version);
    }
    let clock = sandbox.clock();
    let decision = lock(&workspace.rate).hit(clock.now());
    if !decision.allowed {
        count_rate_limited(&workspace.traffic);
        let mut response = IntercomError::rate_limited().into_response();
        add_headers(&mut response, decision);
        return response;
    }
    if let Some(v) = version.filter(|v| !VERSIONS.contains(&v.as_str())) {
        let mut response = IntercomError::unknown_version(&v).into_response();
        add_headers(&mut response, decision);
        return response;
    }

    request.extensions_mut().insert(Caller { admin_id });
    let ctx = Ctx {
        account: workspace,
        base_url: target.base_url,
        clock,
        outbound: sandbox.outbound(),
    };
    let mut response =
        crate::recorder::record("intercom", request, |r| run_with(r, next, ctx)).await;
    add_headers(&mut response, decision);
    if let Some(cut) = cut {
        response = cut_short(response, cut).await;
    }
    response
}

fn add_headers(response: &mut Response, decision: RateDecision) {
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(decision.remaining),
    );
    headers.insert("x-ratelimit-reset", HeaderValue::from(decision.reset_at));
}
