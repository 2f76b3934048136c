//! Two gateway processes (the real binary) on one PostgreSQL database: a customer's OAuth
//! flow started on one completes on the other, because all of its state lives in the store;
//! then 50 concurrent calls on each process against the new connection's expired rotating
//! token make exactly one token call and no reuse the vendor would take for theft.

#![allow(clippy::unwrap_used)]

mod gateway;

use deskgate_tests::connect_flow::{browser, consent, location, query_param, start_zendesk_oauth};
use deskgate_tests::{Backend, TestDb};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::gateway::Deployment;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_started_on_one_process_completes_on_another() {
    if deskgate_tests::skip(Backend::Postgres) {
        return;
    }
    let db = TestDb::new(Backend::Postgres).await;
    let sandbox = gateway::acme_sandbox(20, 2_500).await;
    let deployment = Deployment::new(&db.url, &sandbox.base_url());
    let key = deployment.create_tenant("acme-corp");

    let a = deployment.start(&[]).await;
    let b = deployment.start(&[]).await;
    let http = browser();
    let call = |base: &str, method: &str, path: &str, body: Option<Value>| {
        let mut req = http
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .bearer_auth(&key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send()
    };
    let return_url = "https://app.acme.example/helpdesk/connected";
    let res = call(
        &a.base,
        "PUT",
        "/v1/settings/return-urls",
        Some(json!({"return_urls": [return_url]})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let c = sandbox.sandbox().zendesk_credentials("acme").unwrap();
    let res = call(
        &a.base,
        "PUT",
        "/v1/oauth-apps/zendesk",
        Some(json!({"client_id": c.oauth_client_id, "client_secret": c.oauth_client_secret.expose_secret()})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let session: Value = call(
        &a.base,
        "POST",
        "/v1/connect/sessions",
        Some(json!({"end_user": {"external_ref": "customer-42"}, "allowed_providers": ["zendesk"], "return_url": return_url})),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let url = session["connect_url"].as_str().unwrap();
    assert!(url.starts_with(&a.base), "{url}");

    // Started on A; the vendor sends the browser back to B.
    let authorize = start_zendesk_oauth(url, "acme").await;
    let callback = consent(&authorize, "approve").await;
    let on_b = callback.replace(&a.base, &b.base);
    let res = http.get(&on_b).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let back = location(&res);
    assert!(back.starts_with(return_url), "{back}");
    let id = query_param(&back, "connection_id").unwrap();
    let sid = session["session"]["id"].as_str().unwrap();
    let s: Value = call(&a.base, "GET", &format!("/v1/connect/sessions/{sid}"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["status"], "connected");

    // 50 concurrent calls on each process against the expired rotating token.
    let before = sandbox.sandbox().zendesk_counters("acme").unwrap();
    let past = (chrono::Utc::now() - chrono::TimeDelta::seconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    db.exec(&format!(
        "UPDATE connections SET token_expires_at = '{past}'"
    ))
    .await;
    let mut calls = tokio::task::JoinSet::new();
    for base in [a.base.clone(), b.base.clone()] {
        for _ in 0..50 {
            calls.spawn(
                http.get(format!("{base}/v1/connections/{id}/tickets?limit=1"))
                    .bearer_auth(&key)
                    .send(),
            );
        }
    }
    while let Some(res) = calls.join_next().await {
        assert_eq!(res.unwrap().unwrap().status(), 200);
    }
    let after = sandbox.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!(
        after.token_refresh_token - before.token_refresh_token,
        1,
        "{after:?}"
    );
    assert_eq!(after.refresh_token_reuse_detected, 0);
    println!(
        "two processes, 100 concurrent calls on an expired rotating token: {} token call, {} reuse detected",
        after.token_refresh_token - before.token_refresh_token,
        after.refresh_token_reuse_detected
    );
}
