//! Bad input gets a clear problem+json naming the field and the fix; never a 500.

use deskgate_tests::{Backend, TestApp, Vendor, backends, vendors};
use serde_json::Value;

vendors!(bodies_that_are_not_objects_are_refused_without_a_vendor_call);
backends!(
    bad_bodies_name_the_field,
    bad_query_parameters_name_the_parameter,
    unknown_routes_and_methods_are_problems,
    path_parameters_that_are_not_utf8_are_problems
);

async fn problem(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    (status, res.json().await.unwrap())
}

async fn bad_bodies_name_the_field(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let post = |body: &'static str| {
        t.post("/v1/api-keys", &acme.key)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    let (status, p) = problem(post(r#"{"name": "x",,}"#).await.unwrap()).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("malformed_json")));
    assert!(
        p["detail"].as_str().unwrap().contains("line 1 column"),
        "{p}"
    );

    let (status, p) = problem(post(r#"{"name": 42}"#).await.unwrap()).await;
    assert_eq!((status, p["code"].as_str()), (422, Some("invalid_body")));
    assert_eq!(p["errors"][0]["field"], "name");

    let (status, p) = problem(post(r#"{"name": "x", "scopes": ["all"]}"#).await.unwrap()).await;
    assert_eq!(status, 422);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `scopes`"),
        "{p}"
    );

    let (status, p) = problem(post(r#"{}"#).await.unwrap()).await;
    assert_eq!(status, 422);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("missing field `name`"),
        "{p}"
    );

    let (status, p) = problem(
        post(r#"{"name": "x", "expires_at": "tomorrow"}"#)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "expires_at");

    let (status, p) = problem(post(r#"{"name": "   "}"#).await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "name");

    let res = t
        .post("/v1/api-keys", &acme.key)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    let (status, p) = problem(res).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );

    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let res = t
        .post("/v1/api-keys", &acme.key)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["connection"], "close");
    let (status, p) = problem(res).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (413, Some("payload_too_large"))
    );

    // Nothing was created by any of these.
    let keys: Value = t
        .get("/v1/api-keys", &acme.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys["data"].as_array().unwrap().len(), 1);
}

async fn bad_query_parameters_name_the_parameter(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("limti=5", "limti"),
    ] {
        let (status, p) = problem(
            t.get(&format!("/v1/api-keys?{query}"), &acme.key)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(p["code"], "invalid_query", "{query}");
        assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
    }
}

async fn unknown_routes_and_methods_are_problems(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let (status, p) = problem(t.http.get(t.url("/v1/nothing-here")).send().await.unwrap()).await;
    assert_eq!((status, p["code"].as_str()), (404, Some("no_route")));
    let (status, p) = problem(t.http.put(t.url("/v1/api-keys")).send().await.unwrap()).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
}

async fn bodies_that_are_not_objects_are_refused_without_a_vendor_call(
    vendor: Vendor,
    backend: Backend,
) {
    let t = TestApp::spawn_with_sandbox(backend, vendor.accounts(&["acme"], 10)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_vendor(vendor, &tenant.key, "acme").await;
    let requests = || t.vendor_counts(vendor, "acme").requests;
    let before = requests();
    let conn = format!("/v1/connections/{id}");
    let calls = [
        (reqwest::Method::POST, format!("{conn}/tickets")),
        (reqwest::Method::PATCH, format!("{conn}/tickets/1")),
        (reqwest::Method::POST, format!("{conn}/tickets/1/comments")),
        (reqwest::Method::POST, "/v1/api-keys".to_owned()),
        (reqwest::Method::POST, "/v1/connect/sessions".to_owned()),
        (reqwest::Method::POST, "/v1/connections".to_owned()),
    ];
    for (method, path) in &calls {
        // serde reads a struct from a sequence: this array was once a ticket, a key.
        for body in [r#"["s", "d"]"#, r#"["x"]"#, "[]", r#""s""#, "null", "7"] {
            let res = t
                .http
                .request(method.clone(), t.url(path))
                .bearer_auth(&tenant.key)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let (status, p) = problem(res).await;
            assert_eq!(
                (status, p["code"].as_str()),
                (422, Some("invalid_body")),
                "{method} {path} {body}: {p}"
            );
            assert_eq!(p["errors"][0]["field"], "body", "{method} {path} {body}");
        }
    }
    assert_eq!(requests(), before, "a refused body reached the vendor");
    let keys: Value = t
        .get("/v1/api-keys", &tenant.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys["data"].as_array().unwrap().len(), 1, "no key was made");
}

async fn path_parameters_that_are_not_utf8_are_problems(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let id = "0190b5a4-0000-7000-8000-000000000000";
    for (method, path, field) in [
        (reqwest::Method::GET, "/v1/connections/%FF".to_owned(), "id"),
        (
            reqwest::Method::DELETE,
            "/v1/connections/%C3%28".to_owned(),
            "id",
        ),
        (
            reqwest::Method::GET,
            "/v1/connections/%FF/tickets".to_owned(),
            "id",
        ),
        (
            reqwest::Method::GET,
            format!("/v1/connections/{id}/tickets/%FF"),
            "ticket_id",
        ),
        (
            reqwest::Method::GET,
            format!("/v1/connections/{id}/passthrough/api/%FF"),
            "path",
        ),
        (reqwest::Method::DELETE, "/v1/api-keys/%FF".to_owned(), "id"),
        (
            reqwest::Method::GET,
            "/v1/webhook-endpoints/%FF".to_owned(),
            "id",
        ),
        (
            reqwest::Method::GET,
            "/v1/connect/sessions/%FF".to_owned(),
            "id",
        ),
        (
            reqwest::Method::GET,
            "/v1/oauth-apps/%FF".to_owned(),
            "provider",
        ),
        (
            reqwest::Method::POST,
            "/hooks/zendesk/%FF".to_owned(),
            "token",
        ),
        (reqwest::Method::GET, "/connect/%FF".to_owned(), "token"),
        (
            reqwest::Method::GET,
            "/oauth/callback/%FF".to_owned(),
            "provider",
        ),
    ] {
        let res = t
            .http
            .request(method.clone(), t.url(&path))
            .bearer_auth(&acme.key)
            .send()
            .await
            .unwrap();
        let (status, p) = problem(res).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (400, Some("invalid_path")),
            "{method} {path}: {p}"
        );
        assert_eq!(p["errors"][0]["field"], field, "{method} {path}: {p}");
    }
}
