//! The test harness: a Zendesk account on a manual clock served on port 0, its seeded
//! credentials, and request helpers.

use std::sync::Arc;

use base64::Engine as _;
use chrono::{TimeZone, Utc};
use deskgate_sandbox::{
    ManualClock, RunningSandbox, Sandbox, SandboxConfig, ZendeskAccountConfig, ZendeskCredentials,
    spawn_with,
};
use secrecy::ExposeSecret as _;
use serde_json::Value;

pub(crate) struct Harness {
    pub(crate) server: RunningSandbox,
    pub(crate) creds: ZendeskCredentials,
    pub(crate) http: reqwest::Client,
    pub(crate) clock: Arc<ManualClock>,
}

/// 2026-03-01T12:00:15Z: fifteen seconds into a rate-limit window.
pub(crate) fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 15)
        .single()
        .unwrap()
}

pub(crate) async fn start_with(account: ZendeskAccountConfig) -> Harness {
    let clock = Arc::new(ManualClock::new(start_time()));
    let subdomain = account.subdomain.clone();
    let sandbox = Sandbox::with_clock(
        SandboxConfig {
            zendesk: vec![account],
            freshdesk: vec![],
            intercom: vec![],
        },
        clock.clone(),
    )
    .unwrap();
    let server = spawn_with(sandbox).await.unwrap();
    let creds = server.sandbox().zendesk_credentials(&subdomain).unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Harness {
        server,
        creds,
        http,
        clock,
    }
}

pub(crate) async fn start() -> Harness {
    start_with(ZendeskAccountConfig::new("acme")).await
}

impl Harness {
    pub(crate) fn url(&self, path: &str) -> String {
        format!(
            "{}{path}",
            self.server.zendesk_base_url(&self.creds.subdomain)
        )
    }

    /// The sandbox clock's now, in seconds.
    pub(crate) fn clock_now(&self) -> i64 {
        use deskgate_sandbox::Clock as _;
        self.clock.now().timestamp()
    }

    pub(crate) fn basic_for(&self, email: &str) -> String {
        basic(email, self.creds.api_token.expose_secret())
    }

    pub(crate) fn admin(&self) -> String {
        self.basic_for(&self.creds.admin_email)
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .header("authorization", self.admin())
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    pub(crate) async fn post_json(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header("authorization", self.admin())
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn delete(&self, path: &str) -> reqwest::Response {
        self.http
            .delete(self.url(path))
            .header("authorization", self.admin())
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn put_json(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .header("authorization", self.admin())
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

pub(crate) fn basic(email: &str, token: &str) -> String {
    let raw = format!("{email}/token:{token}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}
