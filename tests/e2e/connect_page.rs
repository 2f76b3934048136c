//! The hosted connect page and OAuth by redirect, driven over HTTP as a browser without
//! JavaScript would: sessions, the page's forms, the sandbox's consent page, the callback,
//! and every refusal the flow owes (state replay, expiry, another provider's state, PKCE
//! mismatch, a reused code, a missing CSRF token, a spent or expired link, return URLs that
//! differ by one character).

use deskgate_tests::connect_flow::{
    RETURN_URL, browser, consent, location, page, query_param, start_zendesk_oauth,
};
use deskgate_tests::{Backend, TestApp, TestTenant, accounts, backends, freshdesk_account};
use serde_json::{Value, json};

backends!(
    a_customer_connects_zendesk_by_oauth_and_the_link_is_spent,
    denying_at_zendesk_returns_access_denied_and_stores_nothing,
    a_refused_api_token_shows_the_diagnosis_beside_the_field_and_stores_nothing,
    a_wrong_freshdesk_key_shows_its_diagnosis_and_a_right_one_connects,
    callbacks_that_must_not_complete_store_nothing,
    return_urls_must_match_exactly_and_forms_need_their_csrf_token,
    oauth_apps_keep_their_secret_sealed_and_unshown,
    sessions_are_listed_with_their_outcome_and_can_be_revoked,
    a_reauthorization_session_keeps_the_connection_id,
    oauth_started_on_one_replica_completes_on_another_and_renews_once,
    trace_logs_of_the_whole_connect_flow_hold_no_secret,
    a_customer_connects_intercom_by_oauth_in_its_region,
);

async fn spawn(backend: Backend) -> (TestApp, TestTenant) {
    let mut config = accounts(&["acme", "globex"], 20);
    config.freshdesk = vec![freshdesk_account("acme", 20)];
    let t = TestApp::spawn_with_sandbox(backend, config).await;
    let tenant = t.tenant("acme-corp").await;
    t.prepare_connect(&tenant.key, Some("acme")).await;
    (t, tenant)
}

fn session_body(providers: &[&str]) -> Value {
    json!({
        "end_user": {"external_ref": "customer-42", "display_name": "Ada"},
        "allowed_providers": providers,
        "return_url": RETURN_URL,
    })
}

async fn connection_count(t: &TestApp, tenant: &TestTenant) -> usize {
    let v: Value = t
        .get("/v1/connections", &tenant.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["data"].as_array().unwrap().len()
}

async fn a_customer_connects_zendesk_by_oauth_and_the_link_is_spent(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let (url, created) = t
        .connect_session(&tenant.key, session_body(&["zendesk", "freshdesk"]))
        .await;
    assert!(url.starts_with(&t.url("/connect/")), "{url}");
    assert_eq!(created["session"]["status"], "pending");
    let token = url.rsplit('/').next().unwrap().to_owned();

    // The first page offers the allowed helpdesks, with the page's security headers.
    let (status, html, headers) = page(&url).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"provider-zendesk\"") && html.contains("id=\"provider-freshdesk\""));
    assert!(!html.contains(&token), "the link's token is in the page");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let ancestors = csp.split("frame-ancestors ").nth(1).unwrap();
    let mut ancestors: Vec<&str> = ancestors.split(' ').collect();
    ancestors.sort_unstable();
    assert_eq!(
        ancestors,
        ["http://127.0.0.1:9", "https://app.acme.example"],
        "{csp}"
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");

    // Zendesk's page: OAuth recommended, the API token with its deadline.
    let (_, html, _) = page(&format!("{url}?provider=zendesk")).await;
    for id in [
        "mode-oauth_code",
        "mode-client_credentials",
        "mode-api_token",
    ] {
        assert!(html.contains(id), "{id} missing");
    }
    assert!(html.contains("Recommended"));
    let (_, token_page, _) = page(&format!("{url}?provider=zendesk&mode=api_token")).await;
    assert!(token_page.contains("2027-04-30"), "no deadline notice");

    let authorize = start_zendesk_oauth(&url, "acme").await;
    assert!(authorize.starts_with(&t.sandbox.as_ref().unwrap().base_url()));
    assert_eq!(
        query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        query_param(&authorize, "redirect_uri"),
        Some(t.url("/oauth/callback/zendesk"))
    );
    assert!(query_param(&authorize, "code_verifier").is_none());

    let callback = consent(&authorize, "approve").await;
    assert!(callback.starts_with(&t.url("/oauth/callback/zendesk?")));
    let res = browser().get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let back = location(&res);
    assert!(back.starts_with(RETURN_URL), "{back}");
    assert_eq!(
        query_param(&back, "end_user").as_deref(),
        Some("customer-42")
    );
    assert!(query_param(&back, "code").is_none() && query_param(&back, "state").is_none());
    let id = query_param(&back, "connection_id").unwrap();

    // The connection works, with a rotating OAuth grant, owned by the customer.
    let (status, v) = t
        .call("GET", &format!("/v1/connections/{id}"), &tenant.key, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["auth_kind"], "oauth_code");
    assert_eq!(v["external_ref"], "customer-42");
    let (status, list) = t
        .call(
            "GET",
            &format!("/v1/connections/{id}/tickets?limit=2"),
            &tenant.key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert_eq!(t.counters("acme").token_authorization_code, 1);

    // The session says so; the link is spent; the callback cannot be replayed.
    let sid = created["session"]["id"].as_str().unwrap();
    let (_, s) = t
        .call(
            "GET",
            &format!("/v1/connect/sessions/{sid}"),
            &tenant.key,
            None,
        )
        .await;
    assert_eq!(s["status"], "connected");
    assert_eq!(s["connection_id"], id.as_str());
    let (status, html, _) = page(&url).await;
    assert_eq!(status, 410, "{html}");
    let res = browser().get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(connection_count(&t, &tenant).await, 1);
    assert_eq!(t.counters("acme").token_authorization_code, 1);

    // The audit names the customer's session, never a secret.
    let audit = t.store.recent_audit(tenant.id, 50).await.unwrap();
    let created = audit
        .iter()
        .find(|e| e.action == "connection.create")
        .unwrap();
    assert_eq!(created.actor, format!("connect_session:{sid}"));
}

async fn denying_at_zendesk_returns_access_denied_and_stores_nothing(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let (url, created) = t
        .connect_session(&tenant.key, session_body(&["zendesk"]))
        .await;
    let authorize = start_zendesk_oauth(&url, "acme").await;
    let callback = consent(&authorize, "deny").await;
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some("access_denied")
    );
    let res = browser().get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert!(back.starts_with(RETURN_URL));
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("access_denied")
    );
    assert!(query_param(&back, "connection_id").is_none());
    assert_eq!(connection_count(&t, &tenant).await, 0);
    let sid = created["session"]["id"].as_str().unwrap();
    let (_, s) = t
        .call(
            "GET",
            &format!("/v1/connect/sessions/{sid}"),
            &tenant.key,
            None,
        )
        .await;
    assert_eq!(s["status"], "failed");
    assert_eq!(s["last_error"], "access_denied");
    // Cancel on the page ends the session the same way.
    let (url, _) = t
        .connect_session(&tenant.key, session_body(&["zendesk"]))
        .await;
    let (_, html, _) = page(&url).await;
    let res = t.post_page(&url, &html, &[("action", "cancel")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        query_param(&location(&res), "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(page(&url).await.0, 410);
}

async fn a_refused_api_token_shows_the_diagnosis_beside_the_field_and_stores_nothing(
    backend: Backend,
) {
    let (t, tenant) = spawn(backend).await;
    t.sandbox().set_zendesk_token_access("acme", false).unwrap();
    let (url, _) = t
        .connect_session(&tenant.key, session_body(&["zendesk"]))
        .await;
    let (_, html, _) = page(&format!("{url}?mode=api_token")).await;
    let c = t.zendesk("acme");
    let token = secrecy::ExposeSecret::expose_secret(&c.api_token).to_owned();
    let res = t
        .post_page(
            &url,
            &html,
            &[
                ("mode", "api_token"),
                ("subdomain", "acme"),
                ("email", &c.admin_email),
                ("token", &token),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("id=\"error-token\""), "{html}");
    assert!(html.contains("Allow API token access"), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));
    // What was typed stays, except the secret.
    assert!(html.contains(&format!("value=\"{}\"", c.admin_email)));
    assert!(html.contains("value=\"acme\""));
    assert!(!html.contains(&token), "the token came back in the page");
    assert_eq!(connection_count(&t, &tenant).await, 0);

    // An unknown subdomain is named beside its field.
    let res = t
        .post_page(
            &url,
            &html,
            &[
                ("mode", "api_token"),
                ("subdomain", "nosuchdesk"),
                ("email", &c.admin_email),
                ("token", &token),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"error-subdomain\""), "{html}");

    // With token access back on, the same form connects.
    t.sandbox().set_zendesk_token_access("acme", true).unwrap();
    let res = t
        .post_page(
            &url,
            &html,
            &[
                ("mode", "api_token"),
                ("subdomain", "acme"),
                ("email", &c.admin_email),
                ("token", &token),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(query_param(&location(&res), "connection_id").is_some());
    assert_eq!(connection_count(&t, &tenant).await, 1);
}

async fn a_wrong_freshdesk_key_shows_its_diagnosis_and_a_right_one_connects(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let (url, _) = t
        .connect_session(&tenant.key, session_body(&["freshdesk"]))
        .await;
    let (status, html, _) = page(&url).await;
    assert_eq!(status, 200);
    // One provider, one mode: the form at once.
    assert!(html.contains("name=\"api_key\""), "{html}");
    let res = t
        .post_page(
            &url,
            &html,
            &[("domain", "acme"), ("api_key", "not-the-key")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page_html = res.text().await.unwrap();
    assert!(page_html.contains("id=\"error-api_key\""), "{page_html}");
    assert!(
        page_html.contains("Freshdesk rejected the api key"),
        "{page_html}"
    );
    assert!(!page_html.contains("not-the-key"));
    assert_eq!(connection_count(&t, &tenant).await, 0);
    let key = t.freshdesk("acme");
    let key = secrecy::ExposeSecret::expose_secret(&key.admin_api_key).to_owned();
    let res = t
        .post_page(&url, &page_html, &[("domain", "acme"), ("api_key", &key)])
        .await;
    assert_eq!(res.status(), 303);
    let id = query_param(&location(&res), "connection_id").unwrap();
    let res = t
        .get(
            &format!("/v1/connections/{id}/tickets?limit=1"),
            &tenant.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn callbacks_that_must_not_complete_store_nothing(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let (url, _) = t
        .connect_session(&tenant.key, session_body(&["zendesk"]))
        .await;

    // Unknown state; no state.
    for query in ["state=forged&code=x", "code=x"] {
        let res = browser()
            .get(t.url(&format!("/oauth/callback/zendesk?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        assert_eq!(res.headers()["cache-control"], "no-store");
    }

    // A state from a Zendesk flow delivered on Freshdesk's callback path.
    let authorize = start_zendesk_oauth(&url, "acme").await;
    let callback = consent(&authorize, "approve").await;
    let wrong = callback.replace("/oauth/callback/zendesk", "/oauth/callback/freshdesk");
    assert_eq!(browser().get(&wrong).send().await.unwrap().status(), 400);

    // An expired state.
    let a = start_zendesk_oauth(&url, "acme").await;
    let a_back = consent(&a, "approve").await;
    t.db.exec("UPDATE oauth_sessions SET expires_at = '2020-01-01T00:00:00Z'")
        .await;
    let res = browser().get(&a_back).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("took too long"));

    // PKCE mismatch: flow B's state with flow C's code (C's verifier differs).
    let b = start_zendesk_oauth(&url, "acme").await;
    let c = start_zendesk_oauth(&url, "acme").await;
    let b_back = consent(&b, "approve").await;
    let c_back = consent(&c, "approve").await;
    let mixed = format!(
        "{}?state={}&code={}",
        t.url("/oauth/callback/zendesk"),
        query_param(&b_back, "state").unwrap(),
        query_param(&c_back, "code").unwrap()
    );
    let res = browser().get(&mixed).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        query_param(&location(&res), "error").as_deref(),
        Some("connection_check_failed")
    );
    // C's code completes C; then the same code again, under a fresh state, is refused.
    let res = browser().get(&c_back).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(query_param(&location(&res), "connection_id").is_some());
    assert_eq!(connection_count(&t, &tenant).await, 1);
    let (url2, _) = t
        .connect_session(&tenant.key, session_body(&["zendesk"]))
        .await;
    let d = start_zendesk_oauth(&url2, "acme").await;
    let d_back = consent(&d, "deny").await;
    let reused = format!(
        "{}?state={}&code={}",
        t.url("/oauth/callback/zendesk"),
        query_param(&d_back, "state").unwrap(),
        query_param(&c_back, "code").unwrap()
    );
    let res = browser().get(&reused).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        query_param(&location(&res), "error").as_deref(),
        Some("connection_check_failed")
    );
    assert_eq!(connection_count(&t, &tenant).await, 1);
    assert_eq!(t.counters("acme").refresh_token_reuse_detected, 0);
}

async fn return_urls_must_match_exactly_and_forms_need_their_csrf_token(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let near_misses = [
        "https://app.acme.example/helpdesk/connected/",
        "https://app.acme.example/helpdesk/Connected",
        "https://app.acme.example:8443/helpdesk/connected",
        "http://app.acme.example/helpdesk/connected",
        "https://user@app.acme.example/helpdesk/connected",
        "https://app.acme.example/helpdesk/connecte",
        "https://evil.example/helpdesk/connected",
        "http://127.0.0.1:10/cb",
    ];
    for bad in near_misses {
        let mut body = session_body(&["zendesk"]);
        body["return_url"] = json!(bad);
        let (status, v) = t
            .call("POST", "/v1/connect/sessions", &tenant.key, Some(&body))
            .await;
        assert_eq!(status, 422, "{bad}: {v}");
        assert_eq!(v["errors"][0]["field"], "return_url", "{bad}");
    }
    // Other mistakes name their field.
    for (body, field) in [
        (
            json!({"end_user": {}, "return_url": RETURN_URL}),
            "end_user",
        ),
        (
            json!({"end_user": {"external_ref": " "}, "return_url": RETURN_URL}),
            "end_user.external_ref",
        ),
        (
            json!({"end_user": {"external_ref": "c"}, "return_url": RETURN_URL, "allowed_providers": ["zendesk", "nope"]}),
            "allowed_providers[1]",
        ),
        (
            json!({"end_user": {"external_ref": "c", "email": "not-an-email"}, "return_url": RETURN_URL}),
            "end_user.email",
        ),
    ] {
        let (status, v) = t
            .call("POST", "/v1/connect/sessions", &tenant.key, Some(&body))
            .await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["errors"][0]["field"], field, "{v}");
    }

    let (url, _) = t
        .connect_session(&tenant.key, session_body(&["freshdesk"]))
        .await;
    let (_, html, _) = page(&url).await;
    let key = t.freshdesk("acme");
    let key = secrecy::ExposeSecret::expose_secret(&key.admin_api_key).to_owned();
    for csrf in ["", "forged", "AAAA"] {
        let res = t
            .post_page(
                &url,
                &html,
                &[("csrf_token", csrf), ("domain", "acme"), ("api_key", &key)],
            )
            .await;
        assert_eq!(res.status(), 403, "csrf {csrf:?}");
    }
    // Another session's token does not do either.
    let (other, _) = t
        .connect_session(&tenant.key, session_body(&["freshdesk"]))
        .await;
    let (_, other_html, _) = page(&other).await;
    let res = t
        .post_page(&url, &other_html, &[("domain", "acme"), ("api_key", &key)])
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(connection_count(&t, &tenant).await, 0);
    assert_eq!(
        t.vendor_requests(deskgate_tests::Vendor::Freshdesk, "acme"),
        0
    );

    // An expired link shows so, with the way back carrying `error=expired`.
    t.db.exec("UPDATE connect_sessions SET expires_at = '2020-01-01T00:00:00Z'")
        .await;
    let (status, html, _) = page(&url).await;
    assert_eq!(status, 410);
    assert!(html.contains("error=expired"), "{html}");
    let res = t
        .post_page(&url, &other_html, &[("domain", "acme"), ("api_key", &key)])
        .await;
    assert_eq!(res.status(), 410);
    // An unknown link is a 404 page.
    assert_eq!(page(&t.url("/connect/nosuchtoken")).await.0, 404);
}

async fn oauth_apps_keep_their_secret_sealed_and_unshown(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let c = t.zendesk("acme");
    let secret = secrecy::ExposeSecret::expose_secret(&c.oauth_client_secret).to_owned();
    let res = t
        .get("/v1/oauth-apps/zendesk", &tenant.key)
        .send()
        .await
        .unwrap();
    let text = res.text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["client_id"], c.oauth_client_id.as_str());
    assert_eq!(v["has_client_secret"], true);
    assert_eq!(v["redirect_uri"], t.url("/oauth/callback/zendesk"));
    assert!(!text.contains(&secret));
    // Stored sealed: the row holds an envelope, not the secret.
    let row = t
        .store
        .oauth_app(tenant.id, deskgate_core::Provider::Zendesk)
        .await
        .unwrap()
        .unwrap();
    let sealed = row.client_secret.unwrap();
    assert!(!sealed.windows(secret.len()).any(|w| w == secret.as_bytes()));
    assert_eq!(row.key_version, Some(1));
    let other = t.tenant("globex").await;
    assert_eq!(
        t.get("/v1/oauth-apps/zendesk", &other.key)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let (status, v) = t
        .call(
            "PUT",
            "/v1/oauth-apps/freshdesk",
            &tenant.key,
            Some(&json!({"client_id": "x"})),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(
        t.get("/v1/oauth-apps/nope", &tenant.key)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let (status, v) = t
        .call(
            "PUT",
            "/v1/oauth-apps/zendesk",
            &tenant.key,
            Some(&json!({"client_id": ""})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["field"], "client_id");
    let audit = t.store.recent_audit(tenant.id, 50).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "oauth_app.create"));
    assert!(!format!("{audit:?}").contains(&secret));

    // Without the app, the page asks for the customer's own client.
    let res = t
        .delete("/v1/oauth-apps/zendesk", &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (url, _) = t
        .connect_session(&tenant.key, session_body(&["zendesk"]))
        .await;
    let (_, html, _) = page(&url).await;
    let res = t.post_page(&url, &html, &[("subdomain", "acme")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("id=\"error-client_id\""));
    // The customer's own client works, its secret sealed with the OAuth session.
    let res = t
        .post_page(
            &url,
            &html,
            &[
                ("subdomain", "acme"),
                ("client_id", &c.oauth_client_id),
                ("client_secret", &secret),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let callback = consent(&location(&res), "approve").await;
    let res = browser().get(&callback).send().await.unwrap();
    assert!(query_param(&location(&res), "connection_id").is_some());
}

async fn sessions_are_listed_with_their_outcome_and_can_be_revoked(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let (url, a) = t
        .connect_session(&tenant.key, session_body(&["zendesk"]))
        .await;
    let (_, b) = t
        .connect_session(&tenant.key, session_body(&["freshdesk"]))
        .await;
    let aid = a["session"]["id"].as_str().unwrap();
    let bid = b["session"]["id"].as_str().unwrap();
    let res = t
        .post(&format!("/v1/connect/sessions/{aid}/revoke"), &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(page(&url).await.0, 410);
    let list = |status: &str| {
        let t = &t;
        let key = tenant.key.clone();
        let status = status.to_owned();
        async move {
            let v: Value = t
                .get(&format!("/v1/connect/sessions?status={status}"), &key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("revoked").await, vec![aid.to_owned()]);
    assert_eq!(list("pending").await, vec![bid.to_owned()]);
    let v: Value = t
        .get("/v1/connect/sessions?limit=1", &tenant.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"][0]["id"], bid);
    let next = v["next_cursor"].as_str().unwrap();
    let v: Value = t
        .get(
            &format!("/v1/connect/sessions?limit=1&cursor={next}"),
            &tenant.key,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"][0]["id"], aid);
    assert!(v["next_cursor"].is_null());
    let res = t
        .get("/v1/connect/sessions?status=bogus", &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    // Another tenant sees none of them.
    let other = t.tenant("globex").await;
    let res = t
        .get(&format!("/v1/connect/sessions/{aid}"), &other.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = t
        .post(&format!("/v1/connect/sessions/{bid}/revoke"), &other.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

async fn a_reauthorization_session_keeps_the_connection_id(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let id = t.connect_api_token(&tenant.key, "acme").await;
    let mut body = session_body(&["zendesk"]);
    body["connection_id"] = json!(id);
    let (url, created) = t.connect_session(&tenant.key, body).await;
    assert_eq!(created["session"]["reauthorizes"], id.as_str());
    let (_, html, _) = page(&url).await;
    assert!(html.contains("Reconnect Zendesk"));
    assert!(html.contains("id=\"fixed-account\""));
    let authorize = start_zendesk_oauth(&url, "ignored").await;
    let callback = consent(&authorize, "approve").await;
    let res = browser().get(&callback).send().await.unwrap();
    let back = location(&res);
    assert_eq!(
        query_param(&back, "connection_id").as_deref(),
        Some(id.as_str())
    );
    let v: Value = t
        .get(&format!("/v1/connections/{id}"), &tenant.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["auth_kind"], "oauth_code");
    assert_eq!(connection_count(&t, &tenant).await, 1);
    // A session for a connection of another provider is refused.
    let mut body = session_body(&["freshdesk"]);
    body["connection_id"] = json!(id);
    let (status, v) = t
        .call("POST", "/v1/connect/sessions", &tenant.key, Some(&body))
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["field"], "allowed_providers");
}

async fn oauth_started_on_one_replica_completes_on_another_and_renews_once(backend: Backend) {
    let (t, tenant) = spawn(backend).await;
    let replica = t.replica().await;
    let (url, _) = t
        .connect_session(&tenant.key, session_body(&["zendesk"]))
        .await;
    let authorize = start_zendesk_oauth(&url, "acme").await;
    let callback = consent(&authorize, "approve").await;
    // The browser comes back to the other replica.
    let on_replica = callback.replace(&t.base, &replica.base);
    assert_ne!(on_replica, callback);
    let res = browser().get(&on_replica).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let id = query_param(&location(&res), "connection_id").unwrap();

    // 50 concurrent calls on each replica against an expired rotating token: one refresh.
    let refreshes = t.counters("acme").token_refresh_token;
    let past = (chrono::Utc::now() - chrono::TimeDelta::seconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    t.db.exec(&format!(
        "UPDATE connections SET token_expires_at = '{past}'"
    ))
    .await;
    let mut calls = tokio::task::JoinSet::new();
    for base in [t.base.clone(), replica.base.clone()] {
        for _ in 0..50 {
            calls.spawn(
                t.http
                    .get(format!("{base}/v1/connections/{id}/tickets?limit=1"))
                    .bearer_auth(&tenant.key)
                    .send(),
            );
        }
    }
    while let Some(res) = calls.join_next().await {
        assert_eq!(res.unwrap().unwrap().status(), 200);
    }
    let counters = t.counters("acme");
    assert_eq!(counters.token_refresh_token - refreshes, 1, "{counters:?}");
    assert_eq!(counters.refresh_token_reuse_detected, 0);
}

#[allow(clippy::print_stdout)]
async fn trace_logs_of_the_whole_connect_flow_hold_no_secret(backend: Backend) {
    use deskgate_app::connect::{CallbackParams, PageAction, PageForm, Submitted};
    use deskgate_tests::Captured;
    use secrecy::ExposeSecret;
    use tracing::instrument::WithSubscriber;

    let (t, tenant) = spawn(backend).await;
    let (captured, subscriber) = Captured::trace_subscriber();
    let typed_token = "canary-typed-api-token-5e1f";
    let flow = async {
        let ctx = deskgate_app::RequestContext::operator();
        // A posted mode refused, with a secret typed into the form.
        let created = t
            .app
            .create_connect_session(
                tenant.id,
                deskgate_app::connect::NewConnectSession {
                    end_user: deskgate_app::connect::EndUser {
                        external_ref: "customer-42".into(),
                        email: None,
                        display_name: None,
                    },
                    allowed_providers: Some(vec!["zendesk".into()]),
                    return_url: RETURN_URL.into(),
                    connection_id: None,
                },
                &ctx,
            )
            .await
            .unwrap();
        let token = created.connect_url.rsplit('/').next().unwrap().to_owned();
        let view = t.app.connect_page(&token).await.unwrap();
        let refused = t
            .app
            .submit_connect_page(
                &token,
                PageForm {
                    action: PageAction::Connect {
                        provider: "zendesk".into(),
                        mode: "api_token".into(),
                    },
                    csrf: view.csrf.clone(),
                    popup: false,
                    fields: vec![
                        ("subdomain".into(), "acme".into()),
                        ("email".into(), "admin@acme.test".into()),
                        ("token".into(), typed_token.into()),
                    ],
                },
                None,
            )
            .await
            .unwrap();
        assert!(matches!(refused, Submitted::Invalid(..)));
        // OAuth by redirect, to the end.
        let started = t
            .app
            .submit_connect_page(
                &token,
                PageForm {
                    action: PageAction::Connect {
                        provider: "zendesk".into(),
                        mode: "oauth_code".into(),
                    },
                    csrf: view.csrf.clone(),
                    popup: false,
                    fields: vec![("subdomain".into(), "acme".into())],
                },
                None,
            )
            .await
            .unwrap();
        let Submitted::Redirect(authorize) = started else {
            panic!("no redirect: {started:?}")
        };
        let callback = consent(&authorize, "approve").await;
        let finish = t
            .app
            .oauth_callback(
                "zendesk",
                CallbackParams {
                    state: query_param(&callback, "state"),
                    code: query_param(&callback, "code"),
                    error: None,
                },
                None,
            )
            .await
            .unwrap();
        let id = query_param(&finish.location, "connection_id").unwrap();
        // The code again: refused, logged as such.
        let _ = t
            .app
            .oauth_callback(
                "zendesk",
                CallbackParams {
                    state: query_param(&callback, "state"),
                    code: query_param(&callback, "code"),
                    error: None,
                },
                None,
            )
            .await;
        let creds = t
            .app
            .credentials(
                tenant.id,
                id.parse().unwrap(),
                deskgate_app::credentials::CredentialPurpose::UpstreamRequest,
                &ctx,
            )
            .await
            .unwrap();
        let stored: Vec<String> = creds
            .fields()
            .filter(|f| f.label() != "client_id")
            .map(|f| creds.get(f).unwrap().expose_secret().to_owned())
            .collect();
        (token, callback, stored)
    };
    let (token, callback, stored) = flow.with_subscriber(subscriber).await;
    let logs = captured.text();
    assert!(
        logs.contains("oauth authorize started"),
        "nothing was captured"
    );
    let c = t.zendesk("acme");
    let mut secrets = vec![
        token,
        typed_token.to_owned(),
        query_param(&callback, "state").unwrap(),
        query_param(&callback, "code").unwrap(),
        c.oauth_client_secret.expose_secret().to_owned(),
    ];
    secrets.extend(stored);
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a secret is in the logs");
    }
    println!(
        "connect flow at trace level: {} log bytes, {} secrets searched, 0 found",
        logs.len(),
        secrets.len()
    );
}

async fn a_customer_connects_intercom_by_oauth_in_its_region(backend: Backend) {
    let mut config = accounts(&[], 0);
    config.intercom = vec![deskgate_sandbox::IntercomWorkspaceConfig {
        region: deskgate_sandbox::IntercomRegion::Eu,
        ..deskgate_tests::intercom_workspace("acme", 20)
    }];
    let t = TestApp::spawn_with_sandbox(backend, config).await;
    let tenant = t.tenant("acme-corp").await;
    t.prepare_connect(&tenant.key, None).await;
    let (url, _) = t
        .connect_session(&tenant.key, session_body(&["intercom"]))
        .await;

    // Without the tenant's Intercom app, signing in is not offered as working: the page says
    // so about the whole form (the customer has no client to bring), and nothing is sent.
    let (status, html, _) = page(&url).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<select id=\"field-region\""), "{html}");
    for region in ["us", "eu", "au"] {
        assert!(
            html.contains(&format!("<option value=\"{region}\"")),
            "{region}"
        );
    }
    let res = t.post_page(&url, &html, &[("region", "eu")]).await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await.unwrap();
    assert!(refused.contains("id=\"form-error\""), "{refused}");
    assert!(
        refused.contains("<option value=\"eu\" selected>"),
        "{refused}"
    );

    let c = t.intercom("acme");
    let (status, v) = t
        .call(
            "PUT",
            "/v1/oauth-apps/intercom",
            &tenant.key,
            Some(&json!({"client_id": c.oauth_client_id, "client_secret": secrecy::ExposeSecret::expose_secret(&c.oauth_client_secret)})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["redirect_uri"], t.url("/oauth/callback/intercom"));

    // Deny, then approve.
    let start = |region: &'static str| {
        let url = url.clone();
        let t = &t;
        async move {
            let (_, html, _) = page(&url).await;
            let res = t.post_page(&url, &html, &[("region", region)]).await;
            assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
            location(&res)
        }
    };
    let authorize = start("eu").await;
    assert!(authorize.contains("/intercom/app/oauth?"), "{authorize}");
    // Intercom documents no PKCE and takes no scopes in the authorize request.
    assert!(query_param(&authorize, "code_challenge").is_none());
    assert!(query_param(&authorize, "scope").is_none());
    assert_eq!(
        query_param(&authorize, "redirect_uri"),
        Some(t.url("/oauth/callback/intercom"))
    );
    let denied = consent(&authorize, "deny").await;
    let res = browser().get(&denied).send().await.unwrap();
    assert_eq!(
        query_param(&location(&res), "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(connection_count(&t, &tenant).await, 0);

    let authorize = start("eu").await;
    let callback = consent(&authorize, "approve").await;
    assert!(callback.starts_with(&t.url("/oauth/callback/intercom?")));
    let res = browser().get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let id = query_param(&location(&res), "connection_id").unwrap();
    let (status, v) = t
        .call("GET", &format!("/v1/connections/{id}"), &tenant.key, None)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["provider"], "intercom");
    assert_eq!(v["account_label"], "eu");
    assert_eq!(v["auth_kind"], "oauth_code");
    // Intercom tokens do not expire: nothing to renew.
    assert!(v["token_expires_at"].is_null(), "{v}");
    let (status, list) = t
        .call(
            "GET",
            &format!("/v1/connections/{id}/tickets?limit=2"),
            &tenant.key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let counters = t.sandbox().intercom_counters("acme").unwrap();
    assert_eq!(counters.token_exchanges, 1);
    assert_eq!(counters.last_version.as_deref(), Some("2.16"));
}
