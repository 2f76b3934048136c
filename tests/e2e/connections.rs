//! `/v1/connections` against the sandbox, Zendesk's own modes and settings: client
//! credentials, its diagnoses, listing with filters and cursors, health with the API-token
//! deadline, revocation on disconnect. What every helpdesk does alike is in `connect.rs`.

use deskgate_sandbox::SandboxConfig;
use deskgate_tests::{Backend, TestApp, Vendor, accounts, backends, leaks_secret, read};
use serde_json::{Value, json};

backends!(
    connecting_with_client_credentials_stores_an_expiring_token,
    a_failed_check_answers_422_with_a_diagnosis_and_stores_nothing,
    an_account_whose_role_zendesk_leaves_out_connects_with_a_null_role,
    input_that_cannot_be_a_zendesk_account_is_refused_before_any_vendor_call,
    connections_list_by_filter_and_page_by_cursor,
    health_reports_identity_deadline_and_rate_budget,
    deleting_a_client_credentials_connection_revokes_its_token_and_shreds_it,
    new_credentials_bring_a_connection_back_and_keep_its_id,
    a_connection_answers_only_to_the_canonical_form_of_its_id,
);

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with_sandbox(backend, accounts(&["acme", "globex"], 20)).await
}

async fn connecting_with_client_credentials_stores_an_expiring_token(backend: Backend) {
    let t = spawn(backend).await;
    let tenant = t.tenant("acme-corp").await;
    let res = t
        .post("/v1/connections", &tenant.key)
        .json(&t.client_credentials_body("acme"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let text = res.text().await.unwrap();
    assert!(!leaks_secret(&text, &t.zendesk("acme")), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["auth_kind"], "client_credentials");
    assert!(v["token_expires_at"].is_string(), "{v}");
    assert!(v["deprecated_after"].is_null(), "{v}");
    assert_eq!(t.counters("acme").token_client_credentials, 1);
}

async fn a_failed_check_answers_422_with_a_diagnosis_and_stores_nothing(backend: Backend) {
    let t = spawn(backend).await;
    let tenant = t.tenant("acme-corp").await;
    let c = t.zendesk("acme");

    let wrong_token = json!({"provider": "zendesk", "subdomain": "acme",
        "auth": {"mode": "api_token", "email": c.admin_email, "token": "0".repeat(40)}});
    let end_user = json!({"provider": "zendesk", "subdomain": "acme",
        "auth": {"mode": "api_token", "email": c.end_user_email, "token": secrecy::ExposeSecret::expose_secret(&c.api_token)}});
    let wrong_secret = json!({"provider": "zendesk", "subdomain": "acme",
        "auth": {"mode": "client_credentials", "client_id": c.oauth_client_id, "client_secret": "f".repeat(64)}});
    let mut unknown_account = t.api_token_body("acme");
    unknown_account["subdomain"] = json!("initech");
    // The first call of client credentials is the token endpoint, not `/users/me`.
    let mut unknown_account_cc = t.client_credentials_body("acme");
    unknown_account_cc["subdomain"] = json!("initech");

    for (name, body, expect) in [
        ("wrong token", wrong_token, "token"),
        ("end user", end_user, "agent"),
        ("wrong client secret", wrong_secret, ""),
        ("unknown subdomain", unknown_account, "subdomain"),
        (
            "unknown subdomain, client credentials",
            unknown_account_cc,
            "subdomain",
        ),
    ] {
        let (status, v) = read(
            t.post("/v1/connections", &tenant.key)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 422, "{name}: {v}");
        assert_eq!(v["code"], "connection_check_failed", "{name}: {v}");
        let detail = v["detail"].as_str().unwrap().to_lowercase();
        assert!(
            detail.contains(expect),
            "{name}: the diagnosis should mention {expect}: {v}"
        );
        assert!(!leaks_secret(&v.to_string(), &c), "{name}: {v}");
    }

    t.sandbox().set_zendesk_token_access("acme", false).unwrap();
    let (status, v) = read(
        t.post("/v1/connections", &tenant.key)
            .json(&t.api_token_body("acme"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["code"], "connection_check_failed");

    assert_eq!(t.stored_connections(&tenant).await, (0, Vec::new()));
}

/// `role` is optional in Zendesk's `UserObject`: a `/users/me` without one is incomplete, not
/// an end user, and connects; its health shows the role as `null`.
async fn an_account_whose_role_zendesk_leaves_out_connects_with_a_null_role(backend: Backend) {
    let t = spawn(backend).await;
    let tenant = t.tenant("acme-corp").await;
    t.sandbox()
        .set_zendesk_me_without_role("acme", true)
        .unwrap();
    let (status, v) = read(
        t.post("/v1/connections", &tenant.key)
            .json(&t.api_token_body("acme"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["status"], "active", "{v}");
    let id = v["id"].as_str().unwrap();
    let (status, v) = read(
        t.get(&format!("/v1/connections/{id}/health"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["identity"]["role"].is_null(), "{v}");
    assert_eq!(
        v["identity"]["user_email"],
        t.zendesk("acme").admin_email.as_str()
    );
}

async fn input_that_cannot_be_a_zendesk_account_is_refused_before_any_vendor_call(
    backend: Backend,
) {
    let t = spawn(backend).await;
    let tenant = t.tenant("acme-corp").await;
    let before = t.requests("acme") + t.requests("globex");
    for (subdomain, email, field) in [
        ("acme.evil.com", "admin@acme.test", "subdomain"),
        ("https://acme.zendesk.com", "admin@acme.test", "subdomain"),
        ("127.0.0.1", "admin@acme.test", "subdomain"),
        ("-acme", "admin@acme.test", "subdomain"),
        ("acme", "not-an-email", "auth.email"),
        ("acme", "admin@localhost", "auth.email"),
    ] {
        let mut body = t.api_token_body("acme");
        body["subdomain"] = json!(subdomain);
        body["auth"]["email"] = json!(email);
        let (status, v) = read(
            t.post("/v1/connections", &tenant.key)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 422, "{subdomain} {email}: {v}");
        assert_eq!(v["errors"][0]["field"], field, "{subdomain} {email}: {v}");
    }
    assert_eq!(t.requests("acme") + t.requests("globex"), before);
    assert_eq!(t.stored_connections(&tenant).await, (0, Vec::new()));
}

async fn connections_list_by_filter_and_page_by_cursor(backend: Backend) {
    let t = spawn(backend).await;
    let tenant = t.tenant("acme-corp").await;
    let mut ids = Vec::new();
    for (i, sub) in ["acme", "globex", "acme"].iter().enumerate() {
        let mut body = t.api_token_body(sub);
        body["external_ref"] = json!(format!("customer-{}", i % 2));
        ids.push(t.connect(&tenant.key, &body).await);
    }

    let page = |q: &str| {
        let url = format!("/v1/connections?{q}");
        let req = t.get(&url, &tenant.key);
        async move { read(req.send().await.unwrap()).await }
    };
    let ids_of = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let (_, first) = page("limit=2").await;
    assert_eq!(ids_of(&first), ids[..2]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = page(&format!("limit=2&cursor={cursor}")).await;
    assert_eq!(ids_of(&second), ids[2..]);
    assert!(second["next_cursor"].is_null());

    let (_, by_ref) = page("external_ref=customer-0").await;
    assert_eq!(ids_of(&by_ref), vec![ids[0].clone(), ids[2].clone()]);
    let (_, by_provider) = page("provider=zendesk&status=active").await;
    assert_eq!(ids_of(&by_provider), ids);
    let (_, none) = page("status=needs_reauth").await;
    assert_eq!(ids_of(&none), Vec::<String>::new());

    for bad in [
        "status=broken",
        "limit=0",
        "limit=101",
        "cursor=nope",
        "provider=hubspot",
    ] {
        let (status, v) = page(bad).await;
        assert_eq!(status, 400, "{bad}: {v}");
    }

    let other = t.tenant("other").await;
    let (_, theirs) = read(t.get("/v1/connections", &other.key).send().await.unwrap()).await;
    assert_eq!(ids_of(&theirs), Vec::<String>::new());
}

async fn health_reports_identity_deadline_and_rate_budget(backend: Backend) {
    let t = spawn(backend).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_api_token(&tenant.key, "acme").await;
    // A call first, so that the budget has heard the vendor's headers.
    let res = t
        .get(
            &format!("/v1/connections/{id}/tickets?limit=1"),
            &tenant.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let (status, v) = read(
        t.get(&format!("/v1/connections/{id}/health"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["ok"], true, "{v}");
    let c = t.zendesk("acme");
    assert_eq!(v["identity"]["account_label"], "acme");
    assert_eq!(v["identity"]["user_email"], c.admin_email.as_str());
    assert_eq!(v["identity"]["user_id"], c.admin_user_id.to_string());
    assert_eq!(v["connection"]["deprecated_after"], "2027-04-30");
    assert!(
        v["migration_hint"]
            .as_str()
            .is_some_and(|h| h.contains("oauth")),
        "{v}"
    );
    assert_eq!(v["rate_budget"]["key"], "zendesk:acme");
    assert_eq!(v["rate_budget"]["limit"], 2500, "{v}");
    let remaining = v["rate_budget"]["remaining"].as_u64().unwrap();
    assert!(remaining < 2500, "{v}");
    assert!(!leaks_secret(&v.to_string(), &c));

    // A client-credentials connection has no API-token deadline, and an expiry instead.
    let cc = t.connect_client_credentials(&tenant.key, "globex").await;
    let (_, v) = read(
        t.get(&format!("/v1/connections/{cc}/health"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["connection"]["deprecated_after"].is_null(), "{v}");
    assert!(v["connection"]["token_expires_at"].is_string(), "{v}");

    // Credentials the vendor stopped accepting show up as a failed check.
    t.sandbox().set_zendesk_token_access("acme", false).unwrap();
    let (status, v) = read(
        t.get(&format!("/v1/connections/{id}/health"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["ok"], false, "{v}");
    assert!(v["problem"].is_string(), "{v}");
    assert_eq!(v["connection"]["status"], "needs_reauth", "{v}");
}

async fn deleting_a_client_credentials_connection_revokes_its_token_and_shreds_it(
    backend: Backend,
) {
    let t = TestApp::spawn_with_sandbox(backend, SandboxConfig::default()).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_client_credentials(&tenant.key, "acme").await;
    let conn: deskgate_core::ConnectionId = id.parse().unwrap();
    let token = {
        let creds = t
            .app
            .credentials(
                tenant.id,
                conn,
                deskgate_app::credentials::CredentialPurpose::UpstreamRequest,
                &deskgate_app::RequestContext::operator(),
            )
            .await
            .unwrap();
        secrecy::ExposeSecret::expose_secret(
            creds
                .get(deskgate_app::credentials::CredentialField::AccessToken)
                .unwrap(),
        )
        .to_owned()
    };
    let sandbox_api = format!(
        "{}/zendesk/acme/api/v2/users/me.json",
        t.sandbox.as_ref().unwrap().base_url()
    );
    let before = reqwest::Client::new()
        .get(&sandbox_api)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(before.status(), 200);

    let res = t
        .delete(&format!("/v1/connections/{id}"), &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    let after = reqwest::Client::new()
        .get(&sandbox_api)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        401,
        "the token must be revoked at the vendor"
    );
    let res = t
        .get(&format!("/v1/connections/{id}"), &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(
        t.store
            .get_credentials(tenant.id, conn)
            .await
            .unwrap()
            .is_empty()
    );
    let res = t
        .delete(&format!("/v1/connections/{id}"), &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

async fn new_credentials_bring_a_connection_back_and_keep_its_id(backend: Backend) {
    let t = spawn(backend).await;
    let tenant = t.tenant("acme-corp").await;
    let c = t.zendesk("acme");
    let id = t.connect_api_token(&tenant.key, "acme").await;
    let conn = format!("/v1/connections/{id}");
    // Zendesk turns API tokens off: the connection needs a person.
    t.sandbox().set_zendesk_token_access("acme", false).unwrap();
    let (status, v) = read(
        t.get(&format!("{conn}/tickets"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (409, Some("connection_needs_reauth"))
    );

    let put = |body: Value| {
        let req = t
            .put(&format!("{conn}/credentials"), &tenant.key)
            .json(&body);
        async move { read(req.send().await.unwrap()).await }
    };
    // Credentials the vendor refuses change nothing.
    let (status, v) = put(json!({"auth": {"mode": "client_credentials",
        "client_id": c.oauth_client_id, "client_secret": "f".repeat(64)}}))
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (422, Some("connection_check_failed")),
        "{v}"
    );
    assert!(!leaks_secret(&v.to_string(), &c), "{v}");
    let (_, unchanged) = read(t.get(&conn, &tenant.key).send().await.unwrap()).await;
    assert_eq!(unchanged["status"], "needs_reauth");
    assert_eq!(unchanged["auth_kind"], "api_token");
    // A body that is not an auth names the field.
    let (status, v) = put(json!({"auth": {"mode": "password"}})).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "auth.mode", "{v}");

    // Moving to the account's OAuth client: same id, active, an expiring token, no deadline.
    let body = t.client_credentials_body("acme");
    let (status, moved) = put(json!({"auth": body["auth"]})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["id"], id.as_str());
    assert_eq!(moved["status"], "active");
    assert_eq!(moved["status_detail"], Value::Null);
    assert_eq!(moved["auth_kind"], "client_credentials");
    assert!(moved["token_expires_at"].is_string(), "{moved}");
    assert_eq!(moved["deprecated_after"], Value::Null);
    assert!(!leaks_secret(&moved.to_string(), &c), "{moved}");

    // It works again, with token access still off: the API token is no longer used.
    let (status, page) = read(
        t.get(&format!("{conn}/tickets?limit=1"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let audit = t.store.recent_audit(tenant.id, 100).await.unwrap();
    let event = audit
        .iter()
        .find(|e| e.action == "connection.reauthorize")
        .expect("the reauthorization is audited");
    assert_eq!(event.detail["previous_auth_kind"], "api_token");
    assert_eq!(event.detail["previous_status"], "needs_reauth");
    assert!(!leaks_secret(&event.detail.to_string(), &c));

    // Back to an API token (token access on again): the old fields are gone.
    t.sandbox().set_zendesk_token_access("acme", true).unwrap();
    let body = t.api_token_body("acme");
    let (status, back) = put(json!({"auth": body["auth"]})).await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["auth_kind"], "api_token");
    assert_eq!(back["token_expires_at"], Value::Null);
    let fields: Vec<String> = t
        .store
        .get_credentials(tenant.id, id.parse().unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.field)
        .collect();
    assert_eq!(fields.len(), 2, "{fields:?}");
    assert!(
        fields.iter().all(|f| f == "email" || f == "api_token"),
        "{fields:?}"
    );

    // A connection that does not exist.
    let (status, v) = read(
        t.put(
            &format!("/v1/connections/{}/credentials", uuid_like()),
            &tenant.key,
        )
        .json(&json!({"auth": body["auth"]}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (404, Some("not_found")),
        "{v}"
    );
}

/// A well-formed connection id that no connection has.
fn uuid_like() -> String {
    "0190c6b2-7a1e-7cc0-8000-000000000000".to_owned()
}

async fn a_connection_answers_only_to_the_canonical_form_of_its_id(backend: Backend) {
    let t = spawn(backend).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_vendor(Vendor::Zendesk, &tenant.key, "acme").await;
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    assert_eq!(
        uuid.hyphenated().to_string(),
        id,
        "ids are written canonically"
    );
    let res = t
        .get(&format!("/v1/connections/{id}"), &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let requests = || t.vendor_counts(Vendor::Zendesk, "acme").requests;
    let before = requests();
    // Each names the same UUID; only the form the API writes is an address.
    for form in [
        id.to_uppercase(),
        uuid.braced().to_string(),
        uuid.urn().to_string(),
        uuid.simple().to_string(),
    ] {
        for path in [
            format!("/v1/connections/{form}"),
            format!("/v1/connections/{form}/tickets"),
            format!("/v1/connections/{form}/passthrough/api/v2/tickets.json"),
        ] {
            let res = t.get(&path, &tenant.key).send().await.unwrap();
            assert_eq!(res.headers()["content-type"], "application/problem+json");
            let (status, p) = read(res).await;
            assert_eq!(
                (status, p["code"].as_str()),
                (404, Some("not_found")),
                "{path}"
            );
        }
    }
    assert_eq!(requests(), before, "a non-canonical id reached the vendor");
}
