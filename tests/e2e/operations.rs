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
    // Every documented operation is served (none answers "no such route").
    for (path, method) in expected {
        let url = t.url(&path.replace("{id}", "x"));
        let res = t
            .http
            .request(method.to_uppercase().parse().unwrap(), url)
            .send()
            .await
            .unwrap();
        assert_ne!(res.status(), 404, "{method} {path}");
        assert_ne!(res.status(), 405, "{method} {path}");
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
