//! Connecting each helpdesk through `POST /v1/connections`, the same scenarios for every
//! vendor: the answer carries no secret, every failed check stores nothing, input that cannot
//! name an account never reaches a vendor, health reports whose credentials these are and the
//! account's rate budget, and new credentials bring a connection back under its id.

use deskgate_tests::{Backend, TestApp, TestTenant, Vendor, read, vendors};
use serde_json::{Value, json};

vendors!(
    connecting_answers_the_connection_without_secrets,
    every_failed_check_answers_422_with_a_diagnosis_and_stores_nothing,
    input_that_cannot_name_an_account_is_refused_before_any_vendor_call,
    health_reports_identity_and_the_accounts_rate_budget,
    new_credentials_bring_a_connection_back_under_its_id,
);

async fn spawn(vendor: Vendor, backend: Backend) -> (TestApp, TestTenant) {
    let t = TestApp::spawn_with_sandbox(backend, vendor.accounts(&["acme", "globex"], 20)).await;
    let tenant = t.tenant("acme-corp").await;
    (t, tenant)
}

fn leaks(t: &TestApp, vendor: Vendor, text: &str) -> bool {
    ["acme", "globex"]
        .iter()
        .flat_map(|a| t.vendor_secrets(vendor, a))
        .any(|secret| text.contains(&secret))
}

fn auth_kind(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Zendesk => "api_token",
        Vendor::Freshdesk => "api_key",
        Vendor::Intercom => "access_token",
    }
}

async fn post(t: &TestApp, tenant: &TestTenant, body: &Value) -> (u16, Value) {
    read(
        t.post("/v1/connections", &tenant.key)
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn connecting_answers_the_connection_without_secrets(vendor: Vendor, backend: Backend) {
    let (t, tenant) = spawn(vendor, backend).await;
    let mut body = t.connect_body(vendor, "acme");
    body["external_ref"] = json!("customer-42");
    let res = t
        .post("/v1/connections", &tenant.key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let text = res.text().await.unwrap();
    assert!(!leaks(&t, vendor, &text), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["provider"], vendor.name());
    assert_eq!(v["account_label"], t.vendor_account_label(vendor, "acme"));
    assert_eq!(v["auth_kind"], auth_kind(vendor));
    assert_eq!(v["status"], "active");
    assert_eq!(v["external_ref"], "customer-42");
    assert!(v["token_expires_at"].is_null(), "{v}");
    let deadline = match vendor {
        Vendor::Zendesk => json!("2027-04-30"),
        Vendor::Freshdesk | Vendor::Intercom => Value::Null,
    };
    assert_eq!(v["deprecated_after"], deadline);
    assert!(v["created_at"].is_string() && v["id"].is_string(), "{v}");

    let id = v["id"].as_str().unwrap();
    let got = t
        .get(&format!("/v1/connections/{id}"), &tenant.key)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!leaks(&t, vendor, &got), "{got}");
    assert_eq!(serde_json::from_str::<Value>(&got).unwrap()["id"], id);
    assert_eq!(t.stored_connections(&tenant).await.0, 1);
}

async fn every_failed_check_answers_422_with_a_diagnosis_and_stores_nothing(
    vendor: Vendor,
    backend: Backend,
) {
    let (t, tenant) = spawn(vendor, backend).await;
    let mut unknown_account = t.connect_body(vendor, "acme");
    unknown_account[vendor.account_field()] = json!(vendor.unknown_account());
    let (wrong, forbidden) = match vendor {
        Vendor::Zendesk => ("token", "agent"),
        Vendor::Freshdesk => ("your api key", "role"),
        Vendor::Intercom => ("reconnect", "read_tickets"),
    };
    for (name, body, expect) in [
        ("a wrong secret", t.wrong_secret_body(vendor, "acme"), wrong),
        (
            "a user without access",
            t.forbidden_body(vendor, "acme"),
            forbidden,
        ),
        (
            "an unknown account",
            unknown_account,
            vendor.account_field(),
        ),
    ] {
        let (status, v) = post(&t, &tenant, &body).await;
        assert_eq!(status, 422, "{name}: {v}");
        assert_eq!(v["code"], "connection_check_failed", "{name}: {v}");
        let said = v.to_string().to_lowercase();
        assert!(
            said.contains(expect),
            "{name}: should mention {expect}: {v}"
        );
        assert!(!leaks(&t, vendor, &said), "{name}: {v}");
    }
    assert_eq!(t.stored_connections(&tenant).await, (0, Vec::new()));
}

/// A change to a valid body that makes it invalid.
type Edit = Box<dyn Fn(&mut Value)>;

async fn input_that_cannot_name_an_account_is_refused_before_any_vendor_call(
    vendor: Vendor,
    backend: Backend,
) {
    let (t, tenant) = spawn(vendor, backend).await;
    let requests =
        || t.vendor_counts(vendor, "acme").requests + t.vendor_counts(vendor, "globex").requests;
    let before = requests();
    let account = vendor.account_field();
    let secret_field = match vendor {
        Vendor::Zendesk => "token",
        Vendor::Freshdesk => "api_key",
        Vendor::Intercom => "access_token",
    };
    let edits: Vec<(Edit, String)> = vec![
        (
            Box::new(move |b| b[account] = json!("acme.evil.com")),
            account.into(),
        ),
        (
            Box::new(move |b| {
                b[account] = json!(format!(
                    "https://acme.{}.com",
                    b["provider"].as_str().unwrap()
                ));
            }),
            account.into(),
        ),
        (
            Box::new(move |b| b[account] = json!("127.0.0.1")),
            account.into(),
        ),
        (
            Box::new(move |b| b[account] = json!("-acme")),
            account.into(),
        ),
        (Box::new(move |b| b[account] = json!(7)), account.into()),
        (
            Box::new(move |b| {
                b.as_object_mut().unwrap().remove(account);
            }),
            account.into(),
        ),
        (
            Box::new(|b| b["provider"] = json!("helpscout")),
            "provider".into(),
        ),
        (
            Box::new(|b| b["auth"]["mode"] = json!("password")),
            "auth.mode".into(),
        ),
        (
            Box::new(move |b| {
                b["auth"].as_object_mut().unwrap().remove(secret_field);
            }),
            format!("auth.{secret_field}"),
        ),
        (
            Box::new(move |b| b["auth"][secret_field] = json!("")),
            format!("auth.{secret_field}"),
        ),
        (
            Box::new(move |b| b["auth"][secret_field] = json!(["a"])),
            format!("auth.{secret_field}"),
        ),
        (
            Box::new(|b| b["auth"]["password"] = json!("x")),
            "auth.password".into(),
        ),
        (Box::new(|b| b["auth"] = json!("key")), "auth".into()),
        (
            Box::new(|b| b["subdomainn"] = json!("acme")),
            "subdomainn".into(),
        ),
    ];
    for (edit, field) in edits {
        let mut body = t.connect_body(vendor, "acme");
        edit(&mut body);
        let (status, v) = post(&t, &tenant, &body).await;
        assert_eq!(status, 422, "{body}: {v}");
        assert_eq!(v["code"], "invalid_body", "{body}: {v}");
        assert_eq!(v["errors"][0]["field"], field.as_str(), "{body}: {v}");
        assert!(!leaks(&t, vendor, &v.to_string()), "{v}");
    }
    // A JSON array is not a connection.
    let (status, v) = post(&t, &tenant, &json!([t.connect_body(vendor, "acme")])).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(requests(), before, "refused input reached a vendor");
    assert_eq!(t.stored_connections(&tenant).await, (0, Vec::new()));
}

async fn health_reports_identity_and_the_accounts_rate_budget(vendor: Vendor, backend: Backend) {
    let (t, tenant) = spawn(vendor, backend).await;
    let id = t.connect_vendor(vendor, &tenant.key, "acme").await;
    let (status, v) = read(
        t.get(&format!("/v1/connections/{id}/health"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["problem"].is_null(), "{v}");
    // None of these tokens expires, so nothing is renewed.
    assert_eq!(
        v["token"],
        json!({"expires_at": null, "renews": false}),
        "{v}"
    );
    let email = t.vendor_admin_email(vendor, "acme");
    assert_eq!(v["identity"]["user_email"], email.as_str(), "{v}");
    assert_eq!(
        v["rate_budget"]["key"],
        t.vendor_budget_key(vendor, "acme"),
        "{v}"
    );
    assert!(v["rate_budget"]["limit"].as_u64().unwrap() > 0, "{v}");
    let endpoints: Vec<&str> = v["endpoint_budgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["key"].as_str().unwrap())
        .collect();
    match vendor {
        Vendor::Zendesk => assert_eq!(endpoints, ["zendesk:acme/incremental_export"], "{v}"),
        Vendor::Intercom => assert!(endpoints.is_empty(), "{v}"),
        Vendor::Freshdesk => assert!(endpoints.contains(&"freshdesk:acme/tickets_list"), "{v}"),
    }
    assert!(!leaks(&t, vendor, &v.to_string()), "{v}");
}

async fn new_credentials_bring_a_connection_back_under_its_id(vendor: Vendor, backend: Backend) {
    let (t, tenant) = spawn(vendor, backend).await;
    let id = t.connect_vendor(vendor, &tenant.key, "acme").await;
    t.vendor_accepts_credentials(vendor, "acme", false);
    let (status, v) = read(
        t.get(&format!("/v1/connections/{id}/tickets"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["code"], "connection_needs_reauth");

    // Credentials the vendor refuses change nothing.
    let put = |body: Value| {
        let req = t
            .put(&format!("/v1/connections/{id}/credentials"), &tenant.key)
            .json(&body);
        async move { read(req.send().await.unwrap()).await }
    };
    let (status, v) = put(json!({"auth": t.wrong_secret_body(vendor, "acme")["auth"]})).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["code"], "connection_check_failed");
    let (status, v) = put(json!({"auth": {"mode": auth_kind(vendor)}, "extra": 1})).await;
    assert_eq!(status, 422, "{v}");

    // Working credentials bring it back, under the same id: Zendesk's OAuth client (API
    // token access stays off), Freshdesk's key as it is since the reset.
    let working = match vendor {
        Vendor::Zendesk => t.client_credentials_body("acme"),
        Vendor::Freshdesk | Vendor::Intercom => t.connect_body(vendor, "acme"),
    };
    let (status, v) = put(json!({"auth": working["auth"]})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["status"], "active");
    let (status, page) = read(
        t.get(
            &format!("/v1/connections/{id}/tickets?limit=1"),
            &tenant.key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let (_, audit) = t.stored_connections(&tenant).await;
    assert!(
        audit.iter().any(|a| a == "connection.reauthorize"),
        "{audit:?}"
    );
}
