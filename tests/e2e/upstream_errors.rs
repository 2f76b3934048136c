//! How the vendor's failures reach the tenant: each maps to its own problem code.

use deskgate_sandbox::FaultConfig;
use deskgate_tests::{
    Backend, TestApp, TestTenant, Vendor, fast_upstream, read, read_until_break, vendors,
};
use serde_json::{Value, json};

vendors!(
    a_vendor_401_marks_the_connection_and_later_calls_skip_the_vendor,
    a_vendor_429_answers_429_with_retry_after,
    vendor_server_errors_are_retried_on_reads_then_answer_502,
    a_vendor_slower_than_the_deadline_answers_504,
    vendor_validation_answers_422_with_the_fields,
    a_vendor_answer_that_does_not_parse_is_a_502_and_never_a_partial_page,
    a_list_that_breaks_off_midway_never_ends_as_a_whole_answer,
);

async fn connected(t: &TestApp, vendor: Vendor) -> (TestTenant, String) {
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_vendor(vendor, &tenant.key, "acme").await;
    (tenant, id)
}

async fn spawn(vendor: Vendor, backend: Backend, tickets: u64) -> TestApp {
    TestApp::spawn_with_sandbox(backend, vendor.accounts(&["acme"], tickets)).await
}

async fn a_vendor_401_marks_the_connection_and_later_calls_skip_the_vendor(
    vendor: Vendor,
    backend: Backend,
) {
    let t = spawn(vendor, backend, 20).await;
    let (tenant, id) = connected(&t, vendor).await;
    t.vendor_accepts_credentials(vendor, "acme", false);

    let url = format!("/v1/connections/{id}/tickets");
    let (status, v) = read(t.get(&url, &tenant.key).send().await.unwrap()).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["code"], "connection_needs_reauth");
    let (_, conn) = read(
        t.get(&format!("/v1/connections/{id}"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(conn["status"], "needs_reauth", "{conn}");
    assert!(conn["status_detail"].is_string(), "{conn}");
    let (_, listed) = read(
        t.get("/v1/connections?status=needs_reauth", &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed["data"][0]["id"], id.as_str());

    // Turning token access back on changes nothing until a person reconnects.
    t.vendor_accepts_credentials(vendor, "acme", true);
    let before = t.vendor_counts(vendor, "acme").requests;
    for path in [
        "/tickets",
        "/tickets/1",
        "/users",
        match vendor {
            Vendor::Zendesk => "/passthrough/api/v2/users/me.json",
            Vendor::Freshdesk => "/passthrough/api/v2/agents/me",
            Vendor::Intercom => "/passthrough/me",
        },
    ] {
        let (status, v) = read(
            t.get(&format!("/v1/connections/{id}{path}"), &tenant.key)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 409, "{path}: {v}");
        assert_eq!(v["code"], "connection_needs_reauth", "{path}");
    }
    let (status, v) = read(
        t.post(&format!("/v1/connections/{id}/tickets"), &tenant.key)
            .json(&json!({"subject": "s", "description": "d"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(
        t.vendor_counts(vendor, "acme").requests,
        before,
        "a connection that needs reauth called the vendor"
    );
}

async fn a_vendor_429_answers_429_with_retry_after(vendor: Vendor, backend: Backend) {
    let t = spawn(vendor, backend, 20).await;
    let (tenant, id) = connected(&t, vendor).await;
    // The sandbox's clock stands at the start of a minute: the window has 60 s left, longer
    // than any deadline, so the gateway must answer instead of waiting.
    t.vendor_rate_limit(vendor, "acme", 1);
    let res = t
        .get(&format!("/v1/connections/{id}/tickets"), &tenant.key)
        .send()
        .await
        .unwrap();
    let retry_after: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let (status, v) = read(res).await;
    assert_eq!(status, 429, "{v}");
    assert_eq!(v["code"], "upstream_rate_limited");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(t.vendor_counts(vendor, "acme").rate_limited >= 1);

    // The block is shared: the next call is refused without asking the vendor again.
    let before = t.vendor_counts(vendor, "acme").requests;
    let (status, v) = read(
        t.get(&format!("/v1/connections/{id}/users"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 429, "{v}");
    assert_eq!(t.vendor_counts(vendor, "acme").requests, before);
}

async fn vendor_server_errors_are_retried_on_reads_then_answer_502(
    vendor: Vendor,
    backend: Backend,
) {
    let t = spawn(vendor, backend, 20).await;
    let (tenant, id) = connected(&t, vendor).await;
    let url = format!("/v1/connections/{id}/tickets?limit=1");

    // Two failures are absorbed by retries.
    t.vendor_faults(
        vendor,
        "acme",
        FaultConfig {
            fail_next: 2,
            error_status: Some(500),
            ..FaultConfig::default()
        },
    );
    let (status, v) = read(t.get(&url, &tenant.key).send().await.unwrap()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(t.vendor_counts(vendor, "acme").injected_errors, 2);

    // Failures on every attempt are a 502.
    let attempts = fast_upstream().retry.max_attempts;
    t.vendor_faults(
        vendor,
        "acme",
        FaultConfig {
            fail_next: attempts,
            error_status: Some(502),
            ..FaultConfig::default()
        },
    );
    let (status, v) = read(t.get(&url, &tenant.key).send().await.unwrap()).await;
    assert_eq!(status, 502, "{v}");
    assert_eq!(v["code"], "upstream_error");
    assert_eq!(
        t.vendor_counts(vendor, "acme").injected_errors,
        2 + u64::from(attempts)
    );
    let (_, conn) = read(
        t.get(&format!("/v1/connections/{id}"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(conn["status"], "active", "a 5xx is not an auth problem");
}

async fn a_vendor_slower_than_the_deadline_answers_504(vendor: Vendor, backend: Backend) {
    let mut upstream = fast_upstream();
    upstream.default_deadline_ms = 400;
    upstream.attempt_timeout_ms = 300;
    let t =
        TestApp::spawn_with_sandbox_and(backend, vendor.accounts(&["acme"], 20), upstream).await;
    let (tenant, id) = connected(&t, vendor).await;
    t.vendor_faults(
        vendor,
        "acme",
        FaultConfig {
            delay_ms: 1_500,
            ..FaultConfig::default()
        },
    );
    let started = std::time::Instant::now();
    let (status, v) = read(
        t.get(&format!("/v1/connections/{id}/tickets"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 504, "{v}");
    assert_eq!(v["code"], "upstream_timeout");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1_400),
        "{:?}",
        started.elapsed()
    );
}

async fn vendor_validation_answers_422_with_the_fields(vendor: Vendor, backend: Backend) {
    let t = spawn(vendor, backend, 40).await;
    let (tenant, id) = connected(&t, vendor).await;
    // A write the vendor refuses: Zendesk keeps closed tickets closed; Freshdesk has no
    // agent 12345 to assign.
    let (target, patch) = match vendor {
        Vendor::Zendesk => {
            let (_, closed) = read(
                t.get(
                    &format!("/v1/connections/{id}/tickets?status=closed&limit=1"),
                    &tenant.key,
                )
                .send()
                .await
                .unwrap(),
            )
            .await;
            let closed_id = closed["data"][0]["id"].as_str().unwrap().to_owned();
            (closed_id, json!({"subject": "reopen me"}))
        }
        Vendor::Freshdesk => ("1".to_owned(), json!({"assignee_id": "12345"})),
        // Intercom has no admin 12345 to assign.
        Vendor::Intercom => {
            let (_, page) = read(
                t.get(
                    &format!("/v1/connections/{id}/tickets?limit=1"),
                    &tenant.key,
                )
                .send()
                .await
                .unwrap(),
            )
            .await;
            let first = page["data"][0]["id"].as_str().unwrap().to_owned();
            (first, json!({"assignee_id": "12345"}))
        }
    };
    let (status, v) = read(
        t.patch(
            &format!("/v1/connections/{id}/tickets/{target}"),
            &tenant.key,
        )
        .json(&patch)
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["code"], "upstream_validation");
    assert!(!v["errors"].as_array().unwrap().is_empty(), "{v}");

    let mut create = json!({"subject": "s", "description": "d", "assignee_id": "12345"});
    if let Some(requester) = t.vendor_requester(vendor, "acme") {
        create["requester_id"] = json!(requester);
    }
    let (status, v) = read(
        t.post(&format!("/v1/connections/{id}/tickets"), &tenant.key)
            .json(&create)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["code"], "upstream_validation");
    assert!(
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"].as_str().unwrap().contains("assignee")),
        "{v}"
    );

    // Our own validation answers before the vendor is asked.
    let before = t.vendor_counts(vendor, "acme").requests;
    let (status, v) = read(
        t.post(&format!("/v1/connections/{id}/tickets"), &tenant.key)
            .json(&json!({"subject": " ", "description": "d"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["code"], "invalid_body");
    assert_eq!(t.vendor_counts(vendor, "acme").requests, before);
}

async fn a_vendor_answer_that_does_not_parse_is_a_502_and_never_a_partial_page(
    vendor: Vendor,
    backend: Backend,
) {
    let t = spawn(vendor, backend, 20).await;
    let (tenant, id) = connected(&t, vendor).await;
    let (_, page) = read(
        t.get(
            &format!("/v1/connections/{id}/tickets?limit=1"),
            &tenant.key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    let one = format!("/tickets/{}", page["data"][0]["id"].as_str().unwrap());
    for path in ["/tickets?limit=5", one.as_str(), "/users", "/contacts"] {
        t.vendor_faults(
            vendor,
            "acme",
            FaultConfig {
                truncate_next: 1,
                ..FaultConfig::default()
            },
        );
        let res = t
            .get(&format!("/v1/connections/{id}{path}"), &tenant.key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let (status, v) = read(res).await;
        assert_eq!(status, 502, "{path}: {v}");
        assert_eq!(v["code"], "upstream_bad_response", "{path}: {v}");
        assert!(v.get("data").is_none(), "{path}: a partial page: {v}");
        // The cause is logged, not returned: the body is the same opaque problem each time.
        assert!(!v.to_string().contains("line"), "{path}: {v}");
    }
    // The connection is fine: it was the answer, not the credentials.
    let (status, page) = read(
        t.get(
            &format!("/v1/connections/{id}/tickets?limit=5"),
            &tenant.key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["data"].as_array().unwrap().len(), 5);
}

async fn a_list_that_breaks_off_midway_never_ends_as_a_whole_answer(
    vendor: Vendor,
    backend: Backend,
) {
    let t = spawn(vendor, backend, 60).await;
    let (tenant, id) = connected(&t, vendor).await;
    let list = format!("/v1/connections/{id}/tickets?limit=50");
    t.break_next_answer(vendor, "acme");
    // Streamed: the first tickets went out with the 200 before the vendor broke off, and
    // the transfer is then aborted, which the client sees as an error: never a short page.
    let res = t.get(&list, &tenant.key).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    let (got, broke) = read_until_break(res).await;
    let text = String::from_utf8_lossy(&got);
    assert!(broke, "the transfer must end in an error: {text}");
    assert!(got.starts_with(br#"{"data":[{"id":"#), "{text}");
    assert!(serde_json::from_slice::<Value>(&got).is_err(), "{text}");
    assert_eq!(t.vendor_counts(vendor, "acme").injected_errors, 1);
    assert_eq!(t.aborted_answers("list").await, 1);
    assert_eq!(t.aborted_answers("passthrough").await, 0);
    // The next list is whole.
    let (status, page) = read(t.get(&list, &tenant.key).send().await.unwrap()).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["data"].as_array().unwrap().len(), 50);
    assert!(page["next_cursor"].is_string());

    // A page that breaks off before its first bytes is asked for again: nothing had gone
    // out, so the client gets the whole page.
    t.reset_next_answer(vendor, "acme");
    let before = t.vendor_counts(vendor, "acme").requests;
    let (status, again) = read(t.get(&list, &tenant.key).send().await.unwrap()).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["data"], page["data"]);
    let counts = t.vendor_counts(vendor, "acme");
    assert_eq!((counts.requests - before, counts.injected_errors), (2, 2));
    assert_eq!(t.aborted_answers("list").await, 1);
}
