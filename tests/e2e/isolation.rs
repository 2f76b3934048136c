//! Another tenant's connection does not exist: every route under `/v1/connections/{id}`, with
//! every method it serves, answers 404 `not_found` and never reaches the vendor.

use deskgate_tests::{Backend, TestApp, Vendor, vendors};
use serde_json::{Value, json};

vendors!(every_connection_route_hides_another_tenants_connection);

/// A body each write route accepts, so that the answer is about the connection alone.
fn body_for(t: &TestApp, vendor: Vendor, path: &str, method: &str) -> Value {
    match (
        method,
        path.ends_with("/comments"),
        path.ends_with("/tickets"),
    ) {
        ("post", true, _) => json!({"body": "hello"}),
        ("post", _, true) => json!({"subject": "s", "description": "d"}),
        ("post", _, _) if path.ends_with("/tags") => json!({"add": ["vip"]}),
        ("put", _, _) if path.ends_with("/credentials") => {
            json!({"auth": t.connect_body(vendor, "acme")["auth"]})
        }
        ("patch", _, _) if path.ends_with("/sync") => json!({"enabled": true}),
        ("patch", _, _) => json!({"status": "open"}),
        _ => json!({}),
    }
}

async fn every_connection_route_hides_another_tenants_connection(vendor: Vendor, backend: Backend) {
    let t = TestApp::spawn_with_sandbox(backend, vendor.accounts(&["acme"], 20)).await;
    let a = t.tenant("acme-corp").await;
    let b = t.tenant("intruder").await;
    let id = match vendor {
        // An expiring token: the path that could renew it must not be reachable either.
        Vendor::Zendesk => t.connect_client_credentials(&a.key, "acme").await,
        Vendor::Freshdesk | Vendor::Intercom => t.connect_vendor(vendor, &a.key, "acme").await,
    };
    let doc: Value = t
        .http
        .get(t.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let mut checked = 0;
    for (template, ops) in doc["paths"].as_object().unwrap() {
        if !template.starts_with("/v1/connections/{id}") {
            continue;
        }
        let path = template
            .replace("{id}", &id)
            .replace("{ticket_id}", "1")
            .replace("{user_id}", "1")
            .replace("{contact_id}", "1")
            .replace("{account_id}", "1")
            .replace("{team_id}", "1")
            .replace("{tag}", "vip")
            .replace("{path}", "api/v2/tickets/1");
        assert!(
            !path.contains('{'),
            "a parameter this test does not fill: {template}"
        );
        for method in ops.as_object().unwrap().keys() {
            let before = t.vendor_counts(vendor, "acme").requests;
            let mut req = t
                .http
                .request(method.to_uppercase().parse().unwrap(), t.url(&path))
                .bearer_auth(&b.key)
                .header("Idempotency-Key", format!("isolation-{checked}"));
            // A GET carries no body (passthrough refuses one, whatever the connection).
            if method != "get" {
                req = req.json(&body_for(&t, vendor, template, method));
            }
            let res = req.send().await.unwrap();
            let status = res.status();
            let v: Value = res.json().await.unwrap();
            assert_eq!(status, 404, "{method} {template}: {v}");
            assert_eq!(v["code"], "not_found", "{method} {template}: {v}");
            assert_eq!(
                t.vendor_counts(vendor, "acme").requests,
                before,
                "{method} {template} reached the vendor"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} operations checked");

    // Nothing happened to tenant A's connection.
    let res = t
        .get(&format!("/v1/connections/{id}"), &a.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let audit = t.store.recent_audit(b.id, 100).await.unwrap();
    assert!(
        audit.iter().all(|e| !e.action.starts_with("credential")),
        "{audit:?}"
    );
}
