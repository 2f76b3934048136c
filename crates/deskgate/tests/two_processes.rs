//! Two gateway processes (the real binary) on one PostgreSQL database: a customer's OAuth
//! flow started on one completes on the other, because all of its state lives in the store;
//! then 50 concurrent calls on each process against the new connection's expired rotating
//! token make exactly one token call and no reuse the vendor would take for theft.

#![allow(clippy::unwrap_used)]

use std::num::NonZeroU32;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use deskgate_sandbox::{SandboxConfig, ZendeskAccountConfig};
use deskgate_tests::connect_flow::{browser, consent, location, query_param, start_zendesk_oauth};
use deskgate_tests::{Backend, TestDb};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_deskgate");

/// The binary with the shared database, keys and sandbox, and nothing inherited.
fn deskgate(db: &str, keys: &str, sandbox: &str) -> Command {
    let mut cmd = Command::new(BIN);
    for name in [
        "DATABASE_URL",
        "DESKGATE_CONFIG",
        "RUST_LOG",
        "DESKGATE_PUBLIC_URL",
    ] {
        cmd.env_remove(name);
    }
    cmd.args(["--database-url", db])
        .env("DESKGATE_VAULT_KEYS", keys)
        .env("DESKGATE_API_KEY_PEPPER", "two-process-pepper")
        .env("DESKGATE_SANDBOX__URL", sandbox)
        .env("DESKGATE_RENEWAL__ENABLED", "false")
        .env("NO_COLOR", "1");
    cmd
}

/// One `deskgate serve` process, killed when dropped.
struct Gateway {
    base: String,
    child: Child,
}

impl Gateway {
    async fn start(db: &str, keys: &str, sandbox: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let gateway = Self {
            child: deskgate(db, keys, sandbox)
                .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
                .env("DESKGATE_PUBLIC_URL", &base)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
            base,
        };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(res) = http.get(format!("{}/readyz", gateway.base)).send().await
                && res.status() == 200
            {
                return gateway;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("deskgate serve on {} did not become ready", gateway.base);
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_started_on_one_process_completes_on_another() {
    if deskgate_tests::skip(Backend::Postgres) {
        return;
    }
    let db = TestDb::new(Backend::Postgres).await;
    let sandbox = deskgate_sandbox::spawn(SandboxConfig {
        zendesk: vec![ZendeskAccountConfig {
            tickets: 20,
            rate_limit_per_minute: 2_500,
            ..ZendeskAccountConfig::new("acme")
        }],
        freshdesk: vec![],
        intercom: vec![],
    })
    .await
    .unwrap();
    let keys = deskgate_vault::generate_key_entry(NonZeroU32::new(1).unwrap())
        .unwrap()
        .expose_secret()
        .to_owned();
    let sandbox_url = sandbox.base_url();
    let out = deskgate(&db.url, &keys, &sandbox_url)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = deskgate(&db.url, &keys, &sandbox_url)
        .args(["tenant", "create", "acme-corp"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let key = stdout
        .lines()
        .find_map(|l| l.strip_prefix("api key: "))
        .unwrap_or_else(|| panic!("no key in {stdout:?}"))
        .to_owned();

    let a = Gateway::start(&db.url, &keys, &sandbox_url).await;
    let b = Gateway::start(&db.url, &keys, &sandbox_url).await;
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
