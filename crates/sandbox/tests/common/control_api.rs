//! Calling the sandbox's control API (`/_sandbox/...`) from the tests of every vendor, as
//! a tool without the Rust handle would.

use deskgate_sandbox::RunningSandbox;
use reqwest::Method;
use serde_json::Value;

/// `method` on `/_sandbox{path}`, with `body` as JSON when there is one.
pub(crate) async fn control(
    server: &RunningSandbox,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let request =
        reqwest::Client::new().request(method, format!("{}/_sandbox{path}", server.base_url()));
    match body {
        Some(body) => request.json(body),
        None => request,
    }
    .send()
    .await
    .unwrap()
}
