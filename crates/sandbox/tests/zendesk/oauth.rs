//! OAuth: authorization code with PKCE (approved on the consent page, see `consent`),
//! rotating refresh tokens with reuse detection, client credentials, expiry, scopes and
//! revocation.

use base64::Engine as _;
use chrono::Duration;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use sha2::Digest as _;

use crate::consent::{open, redirected, submit};
use crate::support::{Harness, start};

pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

pub(crate) fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

pub(crate) const REDIRECT: &str = "http://127.0.0.1:9999/oauth/callback/zendesk";

/// The authorize URL a client sends the admin to: code flow, PKCE S256, `read write`.
pub(crate) fn authorize_url(h: &Harness, state: &str) -> reqwest::Url {
    reqwest::Url::parse_with_params(
        &h.url("/oauth/authorizations/new"),
        &[
            ("response_type", "code"),
            ("client_id", h.creds.oauth_client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("scope", "read write"),
            ("state", state),
            ("code_challenge", &challenge(VERIFIER)),
            ("code_challenge_method", "S256"),
        ],
    )
    .unwrap()
}

/// Opens the consent page, approves as a browser would, and reads the code off the
/// redirect, checking `state` comes back.
async fn authorize(h: &Harness, state: &str) -> String {
    let (_, form) = open(h, authorize_url(h, state)).await;
    let pairs = redirected(&submit(h, &form, "approve").await);
    assert!(pairs.contains(&("state".to_owned(), state.to_owned())));
    pairs.into_iter().find(|(k, _)| k == "code").unwrap().1
}

async fn token(h: &Harness, body: Value) -> (u16, Value) {
    let response = h
        .http
        .post(h.url("/oauth/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

pub(crate) async fn exchange(h: &Harness, code: &str, verifier: &str) -> (u16, Value) {
    token(h, json!({"grant_type": "authorization_code", "code": code, "client_id": h.creds.oauth_client_id, "redirect_uri": REDIRECT, "code_verifier": verifier})).await
}

async fn refresh(h: &Harness, refresh_token: &Value) -> (u16, Value) {
    token(h, json!({"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": h.creds.oauth_client_id, "client_secret": h.creds.oauth_client_secret.expose_secret()})).await
}

async fn me(h: &Harness, access: &Value) -> reqwest::Response {
    h.http
        .get(h.url("/api/v2/users/me.json"))
        .bearer_auth(access.as_str().unwrap())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn code_flow_with_pkce_issues_expiring_rotating_tokens() {
    let h = start().await;
    let code = authorize(&h, "st4te").await;
    let (status, body) = exchange(&h, &code, VERIFIER).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["scope"], "read write");
    assert_eq!(body["expires_in"], 1800);
    assert_eq!(body["refresh_token_expires_in"], 2_592_000);
    assert!(body["refresh_token"].is_string());
    let response = me(&h, &body["access_token"]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap()["user"]["id"],
        h.creds.admin_user_id
    );
    assert_eq!(
        h.server
            .sandbox()
            .zendesk_counters("acme")
            .unwrap()
            .token_authorization_code,
        1
    );
}

#[tokio::test]
async fn wrong_pkce_verifier_is_an_invalid_grant() {
    let h = start().await;
    let code = authorize(&h, "s").await;
    let (status, body) = exchange(
        &h,
        &code,
        "not-the-verifier-not-the-verifier-not-the-verifier",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn codes_expire_after_120_seconds_and_are_single_use() {
    let h = start().await;
    let code = authorize(&h, "s").await;
    h.clock.advance(Duration::seconds(121));
    assert_eq!(
        exchange(&h, &code, VERIFIER).await.1["error"],
        "invalid_grant"
    );

    let code = authorize(&h, "s").await;
    let (status, first) = exchange(&h, &code, VERIFIER).await;
    assert_eq!(status, 201);
    let (status, again) = exchange(&h, &code, VERIFIER).await;
    assert_eq!(
        (status, again["error"].clone()),
        (400, json!("invalid_grant"))
    );
    // Replaying a code revokes what it produced.
    assert_eq!(me(&h, &first["access_token"]).await.status(), 401);
}

#[tokio::test]
async fn refresh_rotates_and_kills_the_previous_pair() {
    let h = start().await;
    let code = authorize(&h, "s").await;
    let (_, first) = exchange(&h, &code, VERIFIER).await;
    let (status, second) = refresh(&h, &first["refresh_token"]).await;
    assert_eq!(status, 201, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    let old = me(&h, &first["access_token"]).await;
    assert_eq!(old.status(), 401);
    assert_eq!(old.json::<Value>().await.unwrap()["error"], "invalid_token");
    assert_eq!(me(&h, &second["access_token"]).await.status(), 200);
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_grant() {
    let h = start().await;
    let code = authorize(&h, "s").await;
    let (_, first) = exchange(&h, &code, VERIFIER).await;
    let (_, second) = refresh(&h, &first["refresh_token"]).await;
    let (status, body) = refresh(&h, &first["refresh_token"]).await;
    assert_eq!(
        (status, body["error"].clone()),
        (400, json!("invalid_grant"))
    );
    assert_eq!(me(&h, &second["access_token"]).await.status(), 401);
    assert_eq!(
        refresh(&h, &second["refresh_token"]).await.1["error"],
        "invalid_grant"
    );
    let counters = h.server.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!(counters.refresh_token_reuse_detected, 1);
    assert_eq!(counters.token_refresh_token, 3);
}

#[tokio::test]
async fn access_tokens_expire_after_the_requested_lifetime() {
    let h = start().await;
    let code = authorize(&h, "s").await;
    let (status, body) = token(&h, json!({"grant_type": "authorization_code", "code": code, "client_id": h.creds.oauth_client_id, "redirect_uri": REDIRECT, "code_verifier": VERIFIER, "expires_in": 600, "refresh_token_expires_in": 604_800})).await;
    assert_eq!(status, 201);
    assert_eq!(
        (
            body["expires_in"].clone(),
            body["refresh_token_expires_in"].clone()
        ),
        (json!(600), json!(604_800))
    );
    h.clock.advance(Duration::seconds(599));
    assert_eq!(me(&h, &body["access_token"]).await.status(), 200);
    h.clock.advance(Duration::seconds(1));
    assert_eq!(me(&h, &body["access_token"]).await.status(), 401);
    let code = authorize(&h, "s").await;
    let (status, body) = token(&h, json!({"grant_type": "authorization_code", "code": code, "client_id": h.creds.oauth_client_id, "code_verifier": VERIFIER, "expires_in": 60})).await;
    assert_eq!(
        (status, body["error"].clone()),
        (400, json!("invalid_request"))
    );
}

#[tokio::test]
async fn client_credentials_issue_no_refresh_token_and_honour_scopes() {
    let h = start().await;
    let (status, body) = token(&h, json!({"grant_type": "client_credentials", "client_id": h.creds.oauth_client_id, "client_secret": h.creds.oauth_client_secret.expose_secret(), "scope": "tickets:read"})).await;
    assert_eq!(status, 201, "{body}");
    assert!(body.get("refresh_token").is_none());
    let access = body["access_token"].as_str().unwrap();
    let read = h
        .http
        .get(h.url("/api/v2/tickets/1"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let write = h
        .http
        .put(h.url("/api/v2/tickets/1"))
        .bearer_auth(access)
        .json(&json!({"ticket": {"priority": "high"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), 403);
    let users = h
        .http
        .get(h.url("/api/v2/users"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 403);

    let (status, body) = token(&h, json!({"grant_type": "client_credentials", "client_id": h.creds.oauth_client_id, "client_secret": "wrong", "scope": "read"})).await;
    assert_eq!(
        (status, body["error"].clone()),
        (401, json!("invalid_client"))
    );
}

#[tokio::test]
async fn revoking_the_current_token_ends_it() {
    let h = start().await;
    let (_, body) = token(&h, json!({"grant_type": "client_credentials", "client_id": h.creds.oauth_client_id, "client_secret": h.creds.oauth_client_secret.expose_secret(), "scope": "read"})).await;
    let access = body["access_token"].as_str().unwrap();
    let current = h
        .http
        .get(h.url("/api/v2/oauth/tokens/current.json"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(current.status(), 200);
    assert_eq!(
        current.json::<Value>().await.unwrap()["token"]["token"],
        &access[..10]
    );
    let revoke = h
        .http
        .delete(h.url("/api/v2/oauth/tokens/current"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    let after = h
        .http
        .get(h.url("/api/v2/users/me"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn unregistered_redirect_uri_is_refused_without_redirecting() {
    let h = start().await;
    let url = reqwest::Url::parse_with_params(
        &h.url("/oauth/authorizations/new"),
        &[
            ("response_type", "code"),
            ("client_id", h.creds.oauth_client_id.as_str()),
            ("redirect_uri", "https://evil.example/cb"),
            ("scope", "read"),
        ],
    )
    .unwrap();
    let response = h.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
}
