//! The test harness: a Freshdesk account on a manual clock served on port 0, its seeded
//! credentials, and request helpers (basic auth with the API key, multipart bodies).

use std::sync::Arc;

use base64::Engine as _;
use chrono::{TimeZone, Utc};
use deskgate_sandbox::{
    FreshdeskAccountConfig, FreshdeskCredentials, ManualClock, RunningSandbox, Sandbox,
    SandboxConfig, spawn_with,
};
use secrecy::ExposeSecret as _;
use serde_json::Value;

pub(crate) struct Harness {
    pub(crate) server: RunningSandbox,
    pub(crate) creds: FreshdeskCredentials,
    pub(crate) http: reqwest::Client,
    pub(crate) clock: Arc<ManualClock>,
}

/// 2026-03-01T12:00:15Z: fifteen seconds into a rate-limit window. Accounts are seeded as
/// of this instant.
pub(crate) fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 15)
        .single()
        .unwrap()
}

pub(crate) async fn start_with(account: FreshdeskAccountConfig) -> Harness {
    let clock = Arc::new(ManualClock::new(start_time()));
    let domain = account.domain.clone();
    let sandbox = Sandbox::with_clock(
        SandboxConfig {
            zendesk: vec![],
            freshdesk: vec![account],
            intercom: vec![],
        },
        clock.clone(),
    )
    .unwrap();
    let server = spawn_with(sandbox).await.unwrap();
    let creds = server.sandbox().freshdesk_credentials(&domain).unwrap();
    Harness {
        server,
        creds,
        http: reqwest::Client::new(),
        clock,
    }
}

pub(crate) async fn start() -> Harness {
    start_with(FreshdeskAccountConfig::new("acme")).await
}

/// An account whose limits never get in the way of a test about something else.
pub(crate) fn unlimited(domain: &str, tickets: u64) -> FreshdeskAccountConfig {
    let mut config = FreshdeskAccountConfig::new(domain);
    config.tickets = tickets;
    config.rate_limits.per_minute = 1_000_000;
    config.rate_limits.tickets_list = 1_000_000;
    config.rate_limits.contacts_list = 1_000_000;
    config.rate_limits.ticket_create = 1_000_000;
    config.rate_limits.ticket_update = 1_000_000;
    config
}

pub(crate) fn basic(key: &str) -> String {
    let raw = format!("{key}:X");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// A `multipart/form-data` body: text fields, then files as `attachments[]`.
pub(crate) fn multipart(
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "deskgate-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"attachments[]\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Harness {
    pub(crate) fn url(&self, path: &str) -> String {
        format!(
            "{}{path}",
            self.server.freshdesk_base_url(&self.creds.domain)
        )
    }

    pub(crate) fn admin(&self) -> String {
        basic(self.creds.admin_api_key.expose_secret())
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

    pub(crate) async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> reqwest::Response {
        self.http
            .request(method, self.url(path))
            .header("authorization", self.admin())
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn send_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> reqwest::Response {
        let (content_type, body) = multipart(fields, files);
        self.http
            .post(self.url(path))
            .header("authorization", self.admin())
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

/// The ids of a list response.
pub(crate) fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect()
}

/// The URL in a `Link: <url>; rel="next"` header, if any.
pub(crate) fn next_link(response: &reqwest::Response) -> Option<String> {
    let link = response.headers().get("link")?.to_str().unwrap();
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    Some(link.split(['<', '>']).nth(1).unwrap().to_owned())
}
