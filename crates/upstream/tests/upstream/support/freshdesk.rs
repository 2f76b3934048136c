//! Freshdesk's side of the budget tests: its account key, its endpoint keys, its credit
//! headers.

use deskgate_upstream::{BudgetKey, DnsLabel, UpstreamRequest, VendorOrigin};
use http::Method;

use super::fake::{Reply, response};

pub(crate) fn account() -> BudgetKey {
    BudgetKey::new("freshdesk", "acme").unwrap()
}

pub(crate) fn endpoint(name: &str) -> BudgetKey {
    BudgetKey::endpoint(&account(), name).unwrap()
}

fn origin() -> VendorOrigin {
    VendorOrigin::tenant(&DnsLabel::parse("acme").unwrap(), "freshdesk.com").unwrap()
}

/// A GET on the account with no endpoint cap of its own.
pub(crate) fn get(path: &str) -> UpstreamRequest {
    UpstreamRequest::new(Method::GET, &origin(), path, account())
        .unwrap()
        .path_template("/api/v2/{resource}")
}

/// `GET /api/v2/tickets`, under the `tickets_list` cap.
pub(crate) fn list_tickets() -> UpstreamRequest {
    get("/api/v2/tickets").endpoint_budget(endpoint("tickets_list"))
}

/// `GET /api/v2/contacts`, under the `contacts_list` cap.
pub(crate) fn list_contacts() -> UpstreamRequest {
    get("/api/v2/contacts").endpoint_budget(endpoint("contacts_list"))
}

/// Freshdesk's rate headers: the account's credits per minute, what is left, and what this
/// request cost.
pub(crate) fn credits(total: u32, remaining: u32, used: u32) -> Vec<(&'static str, String)> {
    vec![
        ("x-ratelimit-total", total.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-used-currentrequest", used.to_string()),
    ]
}

/// A 200 carrying Freshdesk's rate headers.
pub(crate) fn answered(total: u32, remaining: u32, used: u32) -> Reply {
    Reply::Respond(response(200, &credits(total, remaining, used)))
}

/// A 429 with `Retry-After` and, when given, the account's rate headers.
pub(crate) fn refused(retry_after: u64, account: Option<(u32, u32)>) -> Reply {
    let mut headers = vec![("retry-after", retry_after.to_string())];
    if let Some((total, remaining)) = account {
        headers.extend(credits(total, remaining, 0));
    }
    Reply::Respond(response(429, &headers))
}

/// The path of a call the fake vendor received.
pub(crate) fn path_of(url: &str) -> String {
    url::Url::parse(url).unwrap().path().to_owned()
}
