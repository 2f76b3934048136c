//! The entry middleware in front of every Freshdesk route: it finds the account (by path
//! prefix `/freshdesk/{domain}` or by `Host: {domain}.freshdesk.com|.freshdesk.localhost`),
//! injects faults, charges the call's credits and adds the `X-Ratelimit-*` headers.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::HeaderValue;

use super::context::Ctx;
use super::errors::FreshdeskError;
use super::rate_limit::{Charge, Endpoint};
use crate::context::run_with;
use crate::fault::Injected;
use crate::lock::lock;
use crate::query::QueryParams;
use crate::route::{Vendor, locate, rewrite};
use crate::sandbox::Sandbox;
use crate::traffic::{admit, count_rate_limited, cut_short};

/// One credit, plus one per `include` value.
fn cost(q: &QueryParams) -> u32 {
    let includes = q
        .all("include")
        .iter()
        .flat_map(|v| v.split(','))
        .filter(|v| !v.trim().is_empty())
        .count();
    1 + u32::try_from(includes).unwrap_or(u32::MAX - 1)
}

pub(crate) async fn enter(
    State(sandbox): State<Sandbox>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(target) = locate(&request).filter(|t| t.vendor == Vendor::Freshdesk) else {
        return FreshdeskError::NotFound.into_response();
    };
    let Some(account) = sandbox.freshdesk_registry().get(&target.account) else {
        return FreshdeskError::NoHelpdesk.into_response();
    };
    if !rewrite(&mut request, &target.path) {
        return FreshdeskError::NotFound.into_response();
    }
    let method = request.method().clone();
    let cut = match admit(&account.traffic, &account.faults, &method).await {
        Injected::None => None,
        Injected::Cut(cut) => Some(cut),
        Injected::ServerError(status) => {
            return FreshdeskError::ServerError(status).into_response();
        }
        Injected::RateLimitedWithoutRetryAfter => {
            return FreshdeskError::RateLimited { retry_after: None }.into_response();
        }
    };

    let clock = sandbox.clock();
    let endpoint = Endpoint::of(request.method(), &target.path);
    let cost = cost(&QueryParams::parse(request.uri().query()));
    let charge = lock(&account.credits).charge(clock.now(), cost, endpoint);
    if let Some(retry_after) = charge.retry_after {
        count_rate_limited(&account.traffic);
        let mut response = FreshdeskError::RateLimited {
            retry_after: Some(retry_after),
        }
        .into_response();
        add_headers(&mut response, charge);
        return response;
    }
    {
        let mut usage = lock(&account.usage);
        usage.credits_used += u64::from(charge.spent);
        match endpoint {
            Some(Endpoint::TicketsList) => usage.tickets_list_calls += 1,
            Some(Endpoint::ContactsList) => usage.contacts_list_calls += 1,
            Some(Endpoint::TicketCreate) => usage.ticket_create_calls += 1,
            Some(Endpoint::TicketUpdate) => usage.ticket_update_calls += 1,
            None => {}
        }
    }

    let ctx = Ctx {
        account,
        base_url: target.base_url,
        clock,
        outbound: sandbox.outbound(),
    };
    let mut response =
        crate::recorder::record("freshdesk", request, |r| run_with(r, next, ctx)).await;
    add_headers(&mut response, charge);
    if let Some(cut) = cut {
        response = cut_short(response, cut).await;
    }
    response
}

fn add_headers(response: &mut Response, charge: Charge) {
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-total", HeaderValue::from(charge.total.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(charge.total.remaining),
    );
    headers.insert(
        "x-ratelimit-used-currentrequest",
        HeaderValue::from(charge.spent),
    );
}
