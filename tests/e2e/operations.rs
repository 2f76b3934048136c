//! Health, readiness, metrics and the OpenAPI document.

use deskgate_tests::{Backend, TestApp, backends};

backends!(
    healthz_and_readyz_answer,
    openapi_lists_every_route,
    metrics_count_requests_by_route
);

async fn healthz_and_readyz_answer(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let res = t.http.get(t.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );
    let res = t.http.get(t.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );

    t.store.close().await;
    let res = t.http.get(t.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body = res.json::<serde_json::Value>().await.unwrap();
    assert_eq!(body["code"], "unavailable");
}

async fn openapi_lists_every_route(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let doc: serde_json::Value = t
        .http
        .get(t.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
        ("/docs", "get"),
        ("/v1/api-keys", "get"),
        ("/v1/api-keys", "post"),
        ("/v1/api-keys/{id}", "delete"),
        ("/v1/webhook-endpoints", "get"),
        ("/v1/webhook-endpoints", "post"),
        ("/v1/webhook-endpoints/{id}", "get"),
        ("/v1/webhook-endpoints/{id}", "patch"),
        ("/v1/webhook-endpoints/{id}", "delete"),
        ("/v1/webhook-endpoints/{id}/rotate-secret", "post"),
        ("/v1/webhook-endpoints/{id}/test", "post"),
        ("/v1/webhook-endpoints/{id}/attempts", "get"),
        (
            "/v1/webhook-endpoints/{id}/deliveries/{event_id}/resend",
            "post",
        ),
        ("/v1/webhook-endpoints/{id}/resend", "post"),
        ("/v1/events", "get"),
        ("/v1/settings/sync", "get"),
        ("/v1/settings/sync", "put"),
        ("/v1/connections/{id}/sync", "get"),
        ("/v1/connections/{id}/sync", "patch"),
        ("/v1/connections/{id}/sync/hook", "post"),
        ("/v1/connections/{id}/sync/run", "post"),
        ("/hooks/{provider}/{token}", "post"),
        ("/v1/settings/return-urls", "get"),
        ("/v1/settings/return-urls", "put"),
        ("/v1/oauth-apps/{provider}", "get"),
        ("/v1/oauth-apps/{provider}", "put"),
        ("/v1/oauth-apps/{provider}", "delete"),
        ("/v1/connect/sessions", "get"),
        ("/v1/connect/sessions", "post"),
        ("/v1/connect/sessions/{id}", "get"),
        ("/v1/connect/sessions/{id}/revoke", "post"),
        ("/v1/connectors", "get"),
        ("/v1/connections", "get"),
        ("/v1/connections", "post"),
        ("/v1/connections/{id}", "get"),
        ("/v1/connections/{id}", "delete"),
        ("/v1/connections/{id}/health", "get"),
        ("/v1/connections/{id}/credentials", "put"),
        ("/v1/connections/{id}/tickets", "get"),
        ("/v1/connections/{id}/tickets", "post"),
        ("/v1/connections/{id}/tickets/{ticket_id}", "get"),
        ("/v1/connections/{id}/tickets/{ticket_id}", "patch"),
        ("/v1/connections/{id}/tickets/{ticket_id}", "delete"),
        ("/v1/connections/{id}/tickets/{ticket_id}/comments", "get"),
        ("/v1/connections/{id}/tickets/{ticket_id}/comments", "post"),
        ("/v1/connections/{id}/tickets/{ticket_id}/tags", "post"),
        ("/v1/connections/{id}/users", "get"),
        ("/v1/connections/{id}/users/{user_id}", "get"),
        ("/v1/connections/{id}/contacts", "get"),
        ("/v1/connections/{id}/contacts/{contact_id}", "get"),
        ("/v1/connections/{id}/accounts", "get"),
        ("/v1/connections/{id}/accounts/{account_id}", "get"),
        ("/v1/connections/{id}/teams", "get"),
        ("/v1/connections/{id}/teams/{team_id}", "get"),
        ("/v1/connections/{id}/tags", "get"),
        ("/v1/connections/{id}/tags/{tag}", "get"),
        ("/v1/connections/{id}/passthrough/{path}", "get"),
        ("/v1/connections/{id}/passthrough/{path}", "post"),
        ("/v1/connections/{id}/passthrough/{path}", "put"),
        ("/v1/connections/{id}/passthrough/{path}", "patch"),
        ("/v1/connections/{id}/passthrough/{path}", "delete"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        expected.len(),
        "an undocumented or unexpected operation: {paths:?}"
    );
    // Every documented operation is served (none answers "no such route" or "method not
    // allowed"; a missing object is `not_found`, not `no_route`).
    for (path, method) in expected {
        let url = t.url(
            &path
                .replace("{id}", "x")
                .replace("{path}", "api/v2/tickets.json")
                .replace(['{', '}'], ""),
        );
        let res = t
            .http
            .request(method.to_uppercase().parse().unwrap(), url)
            .send()
            .await
            .unwrap();
        assert_ne!(res.status(), 405, "{method} {path}");
        if res.status() == 404 {
            let v: serde_json::Value = res.json().await.unwrap();
            assert_ne!(v["code"], "no_route", "{method} {path}");
        }
    }
    // Every problem code a call through a connection can answer is documented on it (health
    // and a sync run report the vendor's failures in their body instead; new credentials are
    // checked, not used, so a refusal is a 422 and never a 409; the sync's settings call no
    // vendor).
    let mut undocumented = Vec::new();
    for (path, method) in expected.iter().filter(|(p, _)| {
        p.starts_with("/v1/connections/{id}/")
            && !p.ends_with("/health")
            && !p.ends_with("/credentials")
            && !p.contains("/sync")
    }) {
        let responses = &paths[*path][*method]["responses"];
        for status in ["401", "404", "409", "429", "502"] {
            if responses.get(status).is_none() {
                undocumented.push(format!("{method} {path} {status}"));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "undocumented answers: {undocumented:#?}"
    );
    // Every operation that takes a key is rate limited: its 429 and the headers are
    // documented.
    let mut unlimited = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if op["security"].as_array().is_none_or(Vec::is_empty) {
                continue;
            }
            let limited = &op["responses"]["429"];
            let ok = limited["description"]
                .as_str()
                .is_some_and(|d| d.contains("`rate_limited`"))
                && limited["headers"].get("Retry-After").is_some()
                && limited["headers"].get("RateLimit").is_some()
                && op["responses"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(status, _)| status.starts_with('2'))
                    .all(|(_, r)| r["headers"].get("RateLimit-Policy").is_some());
            if !ok {
                unlimited.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        unlimited.is_empty(),
        "rate limits undocumented on: {unlimited:#?}"
    );
    for (path, method) in [
        ("/v1/connections/{id}/tickets", "post"),
        ("/v1/connections/{id}/tickets/{ticket_id}", "patch"),
        ("/v1/connections/{id}/tickets/{ticket_id}/comments", "post"),
        ("/v1/connections/{id}/tickets/{ticket_id}/tags", "post"),
        ("/v1/connections", "post"),
    ] {
        let op = &paths[path][method];
        assert!(
            op["responses"].get("422").is_some(),
            "{method} {path} lacks 422"
        );
        let params = op["parameters"].as_array().unwrap();
        assert!(
            params
                .iter()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
            "{method} {path} does not document Idempotency-Key"
        );
    }
    for path in ["/v1/connections/{id}/tickets", "/v1/connections/{id}/users"] {
        let params = paths[path]["get"]["parameters"].as_array().unwrap();
        for name in ["cursor", "limit", "updated_after", "include_remote_data"] {
            assert!(
                params.iter().any(|p| p["name"] == name),
                "{path} lacks {name}"
            );
        }
        assert!(
            paths[path]["get"]["responses"].get("400").is_some(),
            "{path} lacks 400"
        );
    }
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());

    let page = t.http.get(t.url("/docs")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("openapi.json") && !html.contains("https://"),
        "the page must be self-contained"
    );
}

async fn metrics_count_requests_by_route(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    t.http.get(t.url("/healthz")).send().await.unwrap();
    t.http.get(t.url("/v1/api-keys")).send().await.unwrap();
    let res = t.http.get(t.url("/metrics")).send().await.unwrap();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            r#"deskgate_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/v1/api-keys",status="401""#),
        "{text}"
    );
    assert!(
        text.contains("deskgate_http_request_duration_seconds_bucket"),
        "{text}"
    );
}
