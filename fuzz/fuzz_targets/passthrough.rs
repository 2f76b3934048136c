//! Passthrough: the method, path and query a caller sends, through the API's checks and
//! then the connector's (the API root) and the outbound engine's (`UpstreamRequest`). No
//! input may panic, and whatever all three accept must reach the vendor's origin under the
//! API root, nowhere else, with its path and query unchanged. Input: method, path and query
//! on three lines.
#![no_main]

use std::sync::LazyLock;

use deskgate_upstream::{BudgetKey, DnsLabel, UpstreamRequest, VendorOrigin};
use http::Method;
use libfuzzer_sys::fuzz_target;

/// Zendesk's API root, as its connector passes it.
const ROOT: &str = "/api/v2/";

static ORIGIN: LazyLock<VendorOrigin> = LazyLock::new(|| {
    let label = DnsLabel::parse("acme").expect("a valid label");
    VendorOrigin::tenant(&label, "zendesk.com").expect("a valid origin")
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.splitn(3, '\n');
    let method = lines.next().unwrap_or_default();
    let path = lines.next().unwrap_or_default();
    let query = lines.next();
    let Ok(method) = Method::from_bytes(method.as_bytes()) else {
        return;
    };
    if deskgate_api::fuzzing::passthrough(&method, path, query).is_err() {
        return;
    }
    // The connector's part (`VendorClient::passthrough`).
    let path = format!("/{}", path.trim_start_matches('/'));
    if !path.starts_with(ROOT) {
        return;
    }
    let key = BudgetKey::new("zendesk", "acme").expect("a valid budget key");
    let Ok(request) = UpstreamRequest::new(method, &ORIGIN, &path, key) else {
        return;
    };
    if let Some(query) = query
        && request.raw_query(query).is_err()
    {
        return;
    }
    // Where the engine sends it (`UpstreamRequest::url_on` without a sandbox).
    let mut url = ORIGIN.url().clone();
    url.set_path(&path);
    url.set_query(query.filter(|q| !q.is_empty()));
    assert_eq!(
        url.origin(),
        ORIGIN.url().origin(),
        "{path:?} {query:?} left the origin"
    );
    assert!(
        url.path().starts_with(ROOT),
        "{path:?} {query:?} left the api root: {url}"
    );
    assert_eq!(url.path(), path, "{path:?} was rewritten to {}", url.path());
    assert_eq!(
        url.query(),
        query.filter(|q| !q.is_empty()),
        "{query:?} was rewritten"
    );
});
