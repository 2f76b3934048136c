//! The test harness: Intercom workspaces on a manual clock served on port 0, their seeded
//! credentials, and request helpers (bearer token, `Intercom-Version: 2.16`, the region's
//! path prefix).

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use deskgate_sandbox::{
    IntercomCredentials, IntercomRegion, IntercomWorkspaceConfig, ManualClock, RunningSandbox,
    Sandbox, SandboxConfig, spawn_with,
};
use secrecy::ExposeSecret as _;
use serde_json::Value;

pub(crate) struct Harness {
    pub(crate) server: RunningSandbox,
    pub(crate) creds: IntercomCredentials,
    pub(crate) http: reqwest::Client,
    pub(crate) clock: Arc<ManualClock>,
}

/// 2026-03-01T12:00:15Z: five seconds into a 10-second rate-limit window. Workspaces are
/// seeded as of this instant.
pub(crate) fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 15)
        .single()
        .unwrap()
}

/// A workspace whose limit never gets in the way of a test about something else.
pub(crate) fn roomy(name: &str, tickets: u64) -> IntercomWorkspaceConfig {
    IntercomWorkspaceConfig {
        tickets,
        rate_limit_per_10s: 1_000_000,
        ..IntercomWorkspaceConfig::new(name)
    }
}

/// Serves `workspaces`; the harness's credentials are the first one's.
pub(crate) async fn start_many(workspaces: Vec<IntercomWorkspaceConfig>) -> Harness {
    let clock = Arc::new(ManualClock::new(start_time()));
    let name = workspaces[0].name.clone();
    let sandbox = Sandbox::with_clock(
        SandboxConfig {
            zendesk: vec![],
            freshdesk: vec![],
            intercom: workspaces,
        },
        clock.clone(),
    )
    .unwrap();
    let server = spawn_with(sandbox).await.unwrap();
    let creds = server.sandbox().intercom_credentials(&name).unwrap();
    Harness {
        server,
        creds,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        clock,
    }
}

pub(crate) async fn start_with(workspace: IntercomWorkspaceConfig) -> Harness {
    start_many(vec![workspace]).await
}

pub(crate) async fn start() -> Harness {
    start_with(roomy("acme", 50)).await
}

impl Harness {
    pub(crate) fn token(&self) -> String {
        self.creds.access_token.expose_secret().to_owned()
    }

    /// `http://127.0.0.1:PORT/intercom/{region}` for the workspace's region.
    pub(crate) fn base(&self) -> String {
        self.server.intercom_base_url(self.creds.region)
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// A request as a pinned connector sends it: bearer token and `Intercom-Version: 2.16`.
    pub(crate) fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(self.token())
            .header("Intercom-Version", "2.16")
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.request(method, path).json(body).send().await.unwrap()
    }

    pub(crate) async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    pub(crate) async fn post_json(&self, path: &str, body: &Value) -> Value {
        let response = self.send(reqwest::Method::POST, path, body).await;
        assert_eq!(response.status(), 200, "POST {path}");
        response.json().await.unwrap()
    }

    pub(crate) async fn put_json(&self, path: &str, body: &Value) -> Value {
        let response = self.send(reqwest::Method::PUT, path, body).await;
        assert_eq!(response.status(), 200, "PUT {path}");
        response.json().await.unwrap()
    }

    /// Every ticket matching `query`, walking `per_page` pages to the end.
    pub(crate) async fn search_all(&self, query: Value, per_page: u64) -> Vec<Value> {
        let mut tickets = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut pagination = serde_json::json!({"per_page": per_page});
            if let Some(c) = &cursor {
                pagination["starting_after"] = Value::String(c.clone());
            }
            let page = self
                .post_json(
                    "/tickets/search",
                    &serde_json::json!({"query": query, "pagination": pagination}),
                )
                .await;
            tickets.extend(page["tickets"].as_array().unwrap().iter().cloned());
            match page["pages"]["next"]["starting_after"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return tickets,
            }
        }
    }

    pub(crate) fn counters(&self) -> deskgate_sandbox::IntercomCounters {
        self.server
            .sandbox()
            .intercom_counters(&self.creds.name)
            .unwrap()
    }
}

/// The error body Intercom sends: `error.list` with a UUID request id and one error.
pub(crate) async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "error.list", "{body}");
    let request_id = body["request_id"].as_str().unwrap();
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");
    assert_eq!(body["errors"][0]["code"], code, "{body}");
    assert!(body["errors"][0]["message"].is_string(), "{body}");
    body
}

pub(crate) fn region(name: &str, region: IntercomRegion) -> IntercomWorkspaceConfig {
    IntercomWorkspaceConfig {
        region,
        ..roomy(name, 20)
    }
}
