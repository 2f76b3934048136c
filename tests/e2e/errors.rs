//! Bad input gets a clear problem+json naming the field and the fix; never a 500.

use deskgate_tests::{Backend, TestApp, Vendor, backends, vendors};
use serde_json::Value;

vendors!(
    bodies_that_are_not_objects_are_refused_without_a_vendor_call,
    a_connectors_own_checks_answer_gateway_codes_by_where_the_value_was,
);
backends!(
    bad_bodies_name_the_field,
    bad_query_parameters_name_the_parameter,
    unknown_routes_and_methods_are_problems,
    path_parameters_that_are_not_utf8_are_problems,
    own_list_cursors_take_only_the_form_they_were_issued_in,
    undecodable_escapes_and_odd_request_targets_are_problems,
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

/// A problem with this status and code, naming `field`.
async fn refused(res: reqwest::Response, status: u16, code: &str, field: &str) {
    let (got, p) = problem(res).await;
    assert_eq!((got, p["code"].as_str()), (status, Some(code)), "{p}");
    assert_eq!(p["errors"][0]["field"], field, "{p}");
}

/// Checks a connector makes before any vendor call are the gateway's refusals, by where the
/// value was: a body field 422 `invalid_body`, a query parameter 400 `invalid_query`, a path
/// parameter 400 `invalid_path`; never `upstream_validation`, which only a vendor's own
/// answer is (tests/e2e/upstream_errors.rs).
async fn a_connectors_own_checks_answer_gateway_codes_by_where_the_value_was(
    vendor: Vendor,
    backend: Backend,
) {
    let t = TestApp::spawn_with_sandbox(backend, vendor.accounts(&["acme"], 10)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_vendor(vendor, &tenant.key, "acme").await;
    let requests = || t.vendor_counts(vendor, "acme").requests;
    let before = requests();
    let conn = format!("/v1/connections/{id}");
    // An author id that cannot be the vendor's: the connector refuses the body field.
    let body = serde_json::json!({"body": "x", "author_id": "not an id!"});
    let res = t
        .post(&format!("{conn}/tickets/1/comments"), &tenant.key)
        .json(&body);
    refused(res.send().await.unwrap(), 422, "invalid_body", "author_id").await;
    // A passthrough path outside what the connector lets out: a path parameter.
    let outside = match vendor {
        Vendor::Zendesk => "oauth/tokens",
        Vendor::Freshdesk => "support/login",
        Vendor::Intercom => "auth/eagle/token",
    };
    let res = t.get(&format!("{conn}/passthrough/{outside}"), &tenant.key);
    refused(res.send().await.unwrap(), 400, "invalid_path", "path").await;
    // A query the passthrough would not forward as it came.
    let res = t.get(&format!("{conn}/passthrough/{outside}?q=%FF"), &tenant.key);
    refused(res.send().await.unwrap(), 400, "invalid_query", "query").await;
    if vendor == Vendor::Zendesk {
        // A query parameter and a path parameter the helpdesk cannot apply.
        let res = t.get(
            &format!("{conn}/tags?updated_after=2026-01-01T00:00:00Z"),
            &tenant.key,
        );
        refused(
            res.send().await.unwrap(),
            400,
            "invalid_query",
            "updated_after",
        )
        .await;
        let res = t.get(&format!("{conn}/tags/c"), &tenant.key);
        refused(res.send().await.unwrap(), 400, "invalid_path", "tag").await;
    }
    assert_eq!(requests(), before, "a refused request reached the vendor");
}

/// The gateway's own lists take back only the cursor they issued, spelled as issued: another
/// spelling of the same UUID names nothing.
async fn own_list_cursors_take_only_the_form_they_were_issued_in(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let uuid = uuid::Uuid::now_v7();
    let hyphenated = uuid.hyphenated().to_string();
    let other_forms = [
        hyphenated.to_uppercase(),
        uuid.braced().to_string(),
        uuid.urn().to_string(),
        uuid.simple().to_string(),
    ];
    for list in [
        "/v1/connections",
        "/v1/webhook-endpoints",
        "/v1/connect/sessions",
    ] {
        let res = t
            .get(&format!("{list}?cursor={hyphenated}"), &acme.key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{list}");
        for cursor in &other_forms {
            let res = t
                .http
                .get(t.url(list))
                .query(&[("cursor", cursor)])
                .bearer_auth(&acme.key)
                .send()
                .await
                .unwrap();
            let (status, p) = problem(res).await;
            assert_eq!(
                (status, p["code"].as_str()),
                (400, Some("invalid_query")),
                "{list} {cursor}: {p}"
            );
            assert_eq!(p["errors"][0]["field"], "cursor", "{list} {cursor}");
        }
    }
    // Ids in paths: another spelling is no object at all, as for connections.
    for path in [
        "/v1/connections",
        "/v1/webhook-endpoints",
        "/v1/connect/sessions",
    ] {
        for form in &other_forms {
            let res = t
                .get(
                    &format!("{path}/{}", form.replace(['{', '}'], "")),
                    &acme.key,
                )
                .send()
                .await
                .unwrap();
            let (status, p) = problem(res).await;
            assert_eq!(
                (status, p["code"].as_str()),
                (404, Some("not_found")),
                "{path} {form}"
            );
        }
    }
}

/// Sends `request` as raw bytes and returns the status line's code and the whole answer.
async fn raw(base: &str, request: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer.to_ascii_lowercase())
}

/// What the gateway answers to odd request targets is problem+json; what hyper refuses
/// before the router sees the request (a target that is not UTF-8, headers over its buffer)
/// it answers itself, with an empty body, and the connection closes.
async fn undecodable_escapes_and_odd_request_targets_are_problems(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    for target in [
        "/v1/connections/%zz",
        "/v1/connections/%",
        "/v1/api-keys?limit=%zz",
        "/v1/api-keys?limit=%FF",
        "/v1/api-keys?cursor=%FF",
    ] {
        let res = t.get(target, &acme.key).send().await.unwrap();
        let status = res.status().as_u16();
        let (_, p) = problem(res).await;
        assert!(status == 400 || status == 404, "{target}: {status} {p}");
        assert!(p["code"].is_string(), "{target}: {p}");
    }
    let addr = t.base.trim_start_matches("http://").to_owned();
    let head = |target: &[u8], extra: &str| {
        let mut r = b"GET ".to_vec();
        r.extend_from_slice(target);
        r.extend_from_slice(
            format!(
                " HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n{extra}Connection: close\r\n\r\n",
                acme.key
            )
            .as_bytes(),
        );
        r
    };
    // A long request target reaches the router: a problem, not hyper's.
    let long = format!("/v1/api-keys?limit={}", "1".repeat(60 * 1024));
    let (status, answer) = raw(&t.base, &head(long.as_bytes(), "")).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    // Refused by hyper before any of our code runs: empty bodies, recorded here so that a
    // change in the HTTP layer shows.
    let (status, answer) = raw(&t.base, &head(b"/v1/api-keys?q=\xff", "")).await;
    assert_eq!(status, 400, "{answer}");
    assert!(!answer.contains("problem+json"), "{answer}");
    let longer = format!("/v1/api-keys?limit={}", "1".repeat(70 * 1024));
    let (status, answer) = raw(&t.base, &head(longer.as_bytes(), "")).await;
    assert_eq!(status, 414, "{answer}");
    assert!(!answer.contains("problem+json"), "{answer}");
    let big = format!("X-Big: {}\r\n", "a".repeat(512 * 1024));
    let (status, answer) = raw(&t.base, &head(b"/v1/api-keys", &big)).await;
    assert_eq!(status, 431, "{answer}");
    assert!(!answer.contains("problem+json"), "{answer}");
}
