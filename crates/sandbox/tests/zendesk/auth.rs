//! API-token authentication, "token access disabled", and roles.

use serde_json::{Value, json};

use crate::support::{basic, start};

#[tokio::test]
async fn bad_credentials_answer_the_vendor_401() {
    let h = start().await;
    for auth in [
        basic(&h.creds.admin_email, "wrong"),
        basic("nobody@acme.test", "x"),
        "Basic !!!".to_owned(),
    ] {
        let response = h
            .http
            .get(h.url("/api/v2/tickets"))
            .header("authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"error": "Couldn't authenticate you"})
        );
    }
    let anonymous = h.http.get(h.url("/api/v2/tickets")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn token_access_disabled_answers_401_to_valid_tokens() {
    let h = start().await;
    assert_eq!(h.get("/api/v2/users/me").await.status(), 200);
    h.server
        .sandbox()
        .set_zendesk_token_access("acme", false)
        .unwrap();
    let response = h.get("/api/v2/users/me").await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "Couldn't authenticate you"})
    );
}

#[tokio::test]
async fn me_can_answer_a_null_role_and_then_the_role_again() {
    let h = start().await;
    let me = |v: Value| v["user"]["role"].clone();
    assert_eq!(
        me(h.get("/api/v2/users/me").await.json().await.unwrap()),
        "admin"
    );
    h.server
        .sandbox()
        .set_zendesk_me_without_role("acme", true)
        .unwrap();
    let user: Value = h.get("/api/v2/users/me").await.json().await.unwrap();
    assert!(
        user["user"]["role"].is_null() && user["user"]["id"].is_u64(),
        "{user}"
    );
    h.server
        .sandbox()
        .set_zendesk_me_without_role("acme", false)
        .unwrap();
    assert_eq!(
        me(h.get("/api/v2/users/me").await.json().await.unwrap()),
        "admin"
    );
}

#[tokio::test]
async fn end_user_gets_403_on_agent_endpoints() {
    let h = start().await;
    let auth = h.basic_for(&h.creds.end_user_email);
    for path in [
        "/api/v2/tickets",
        "/api/v2/tickets/1.json",
        "/api/v2/users",
        "/api/v2/tags",
    ] {
        let response = h
            .http
            .get(h.url(path))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"error": "Forbidden", "description": "You do not have access to this page. Please contact the account owner of this help desk for further help."})
        );
    }
    let me = h
        .http
        .get(h.url("/api/v2/users/me"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(
        me.json::<Value>().await.unwrap()["user"]["role"],
        "end-user"
    );
}

#[tokio::test]
async fn agents_authenticate_with_their_email_and_the_account_token() {
    let h = start().await;
    let response = h
        .http
        .get(h.url("/api/v2/users/me"))
        .header("authorization", h.basic_for(&h.creds.agent_email))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["id"], h.creds.agent_user_id);
    assert_eq!(body["user"]["role"], "agent");
}
