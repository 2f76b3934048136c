//! Expiring tokens are renewed once per connection, however many requests and replicas see
//! them expire together.

use chrono::{SecondsFormat, TimeDelta, Utc};
use deskgate_app::RequestContext;
use deskgate_app::credentials::{CredentialField, CredentialPurpose};
use deskgate_core::ConnectionId;
use deskgate_sandbox::ZendeskAccountConfig;
use deskgate_tests::{Backend, TestApp, TestTenant, accounts, backends};
use secrecy::ExposeSecret;
use serde_json::Value;

backends!(
    fifty_concurrent_requests_renew_an_expiring_token_once,
    three_replicas_renew_an_expiring_token_once,
    the_background_round_renews_a_quiet_connection_once_across_replicas,
    a_grant_refused_in_the_background_is_marked_and_never_retried,
);

async fn access_token(t: &TestApp, tenant: &TestTenant, id: &str) -> String {
    let id: ConnectionId = id.parse().unwrap();
    let creds = t
        .app
        .credentials(
            tenant.id,
            id,
            CredentialPurpose::UpstreamRequest,
            &RequestContext::operator(),
        )
        .await
        .unwrap();
    creds
        .get(CredentialField::AccessToken)
        .unwrap()
        .expose_secret()
        .to_owned()
}

async fn expires_at(t: &TestApp, tenant: &TestTenant, id: &str) -> chrono::DateTime<Utc> {
    let v: Value = t
        .get(&format!("/v1/connections/{id}"), &tenant.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token_expires_at"].as_str().unwrap().parse().unwrap()
}

/// Moves the token's expiry to 30 seconds from now, inside the renewal margin. The test's
/// database holds this one connection (SQLite keeps ids as blobs, so no `WHERE id`).
async fn nearly_expire(t: &TestApp) -> chrono::DateTime<Utc> {
    let soon = Utc::now() + TimeDelta::seconds(30);
    let at = soon.to_rfc3339_opts(SecondsFormat::Micros, true);
    t.db.exec(&format!("UPDATE connections SET token_expires_at = '{at}'"))
        .await;
    soon
}

async fn fifty_concurrent_requests_renew_an_expiring_token_once(backend: Backend) {
    let t = TestApp::spawn_with_sandbox(backend, accounts(&["acme"], 20)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_client_credentials(&tenant.key, "acme").await;
    assert_eq!(t.counters("acme").token_client_credentials, 1);
    let old_token = access_token(&t, &tenant, &id).await;
    let soon = nearly_expire(&t).await;

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..50 {
        calls.spawn(
            t.get(
                &format!("/v1/connections/{id}/tickets?limit=1"),
                &tenant.key,
            )
            .send(),
        );
    }
    while let Some(res) = calls.join_next().await {
        let res = res.unwrap().unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    assert_eq!(
        t.counters("acme").token_client_credentials,
        2,
        "renewed more than once"
    );
    assert!(expires_at(&t, &tenant, &id).await > soon + TimeDelta::minutes(5));
    assert_ne!(
        access_token(&t, &tenant, &id).await,
        old_token,
        "the renewed token was not stored"
    );
    let audit = t.store.recent_audit(tenant.id, 1000).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "credential.renew")
            .count(),
        1
    );
}

async fn three_replicas_renew_an_expiring_token_once(backend: Backend) {
    let t = TestApp::spawn_with_sandbox(backend, accounts(&["acme"], 20)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_client_credentials(&tenant.key, "acme").await;
    let (r1, r2) = (t.replica().await, t.replica().await);
    // Every replica has used the old token, so each holds it in its cache.
    for base in [t.base.clone(), r1.base.clone(), r2.base.clone()] {
        let res = t
            .http
            .get(format!("{base}/v1/connections/{id}/tickets?limit=1"))
            .bearer_auth(&tenant.key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let soon = nearly_expire(&t).await;

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        for base in [&t.base, &r1.base, &r2.base] {
            calls.spawn(
                t.http
                    .get(format!("{base}/v1/connections/{id}/tickets?limit=1"))
                    .bearer_auth(&tenant.key)
                    .send(),
            );
        }
    }
    while let Some(res) = calls.join_next().await {
        let res = res.unwrap().unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    assert_eq!(
        t.counters("acme").token_client_credentials,
        2,
        "renewed more than once"
    );
    assert!(expires_at(&t, &tenant, &id).await > soon + TimeDelta::minutes(5));
}

const MARGIN: std::time::Duration = std::time::Duration::from_secs(300);

async fn the_background_round_renews_a_quiet_connection_once_across_replicas(backend: Backend) {
    let t = TestApp::spawn_with_sandbox(backend, accounts(&["acme"], 20)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_client_credentials(&tenant.key, "acme").await;
    // API-token connections never expire: nothing for a round to do.
    t.connect_api_token(&tenant.key, "acme").await;
    let report = t.app.renew_due(MARGIN, 100).await.unwrap();
    assert_eq!(report.due, 0, "{report:?}");

    // No call touches the connection; three replicas run their rounds at once.
    let old_token = access_token(&t, &tenant, &id).await;
    let soon = nearly_expire_one(&t, &id).await;
    let (r1, r2) = (t.replica().await, t.replica().await);
    let (a, b, c) = tokio::join!(
        t.app.renew_due(MARGIN, 100),
        r1.app.renew_due(MARGIN, 100),
        r2.app.renew_due(MARGIN, 100),
    );
    let reports = [a.unwrap(), b.unwrap(), c.unwrap()];
    assert_eq!(
        reports.iter().map(|r| r.renewed).sum::<usize>(),
        1,
        "{reports:?}"
    );
    assert!(
        reports.iter().all(|r| r.failed == 0 && r.needs_reauth == 0),
        "{reports:?}"
    );
    assert_eq!(t.counters("acme").token_client_credentials, 2);
    assert!(expires_at(&t, &tenant, &id).await > soon + TimeDelta::minutes(5));
    // Read back through a replica with empty caches: whichever replica renewed, the new
    // token is what the database holds.
    let fresh = t.replica().await;
    let stored = fresh
        .app
        .credentials(
            tenant.id,
            id.parse().unwrap(),
            CredentialPurpose::UpstreamRequest,
            &RequestContext::operator(),
        )
        .await
        .unwrap();
    assert_ne!(
        stored
            .get(CredentialField::AccessToken)
            .unwrap()
            .expose_secret(),
        old_token
    );
    let audit = t.store.recent_audit(tenant.id, 1000).await.unwrap();
    let renewal = audit
        .iter()
        .find(|e| e.action == "credential.renew")
        .unwrap();
    assert_eq!(renewal.actor, "renewal");

    // Renewed well ahead: the next round finds nothing.
    assert_eq!(t.app.renew_due(MARGIN, 100).await.unwrap().due, 0);
}

async fn a_grant_refused_in_the_background_is_marked_and_never_retried(backend: Backend) {
    let t = TestApp::spawn_with_sandbox(backend, accounts(&["acme"], 20)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_client_credentials(&tenant.key, "acme").await;
    nearly_expire_one(&t, &id).await;
    // The account is reseeded: its OAuth client's secret is another one now.
    t.sandbox()
        .reset_zendesk_account(ZendeskAccountConfig {
            seed: 2,
            rate_limit_per_minute: 2_500,
            ..ZendeskAccountConfig::new("acme")
        })
        .unwrap();
    let report = t.app.renew_due(MARGIN, 100).await.unwrap();
    assert_eq!((report.due, report.needs_reauth), (1, 1), "{report:?}");
    let v: Value = t
        .get(&format!("/v1/connections/{id}"), &tenant.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "needs_reauth", "{v}");
    let token_calls = t.counters("acme").token_client_credentials;
    for _ in 0..3 {
        assert_eq!(t.app.renew_due(MARGIN, 100).await.unwrap().due, 0);
    }
    assert_eq!(
        t.counters("acme").token_client_credentials,
        token_calls,
        "a refused grant was tried again"
    );
}

/// Moves one connection's token expiry to 30 seconds from now.
async fn nearly_expire_one(t: &TestApp, id: &str) -> chrono::DateTime<Utc> {
    let soon = Utc::now() + TimeDelta::seconds(30);
    let at = soon.to_rfc3339_opts(SecondsFormat::Micros, true);
    t.db.exec(&format!(
        "UPDATE connections SET token_expires_at = '{at}' WHERE token_expires_at IS NOT NULL"
    ))
    .await;
    let _ = id;
    soon
}
