//! Authentication by API key, the restricted agent, and account resolution.

use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

use crate::support::{basic, start};

#[tokio::test]
async fn a_missing_or_unknown_key_answers_401_invalid_credentials() {
    let h = start().await;
    let expected = json!({"code": "invalid_credentials", "message": "You have to be logged in to perform this action."});
    let bare = h.http.get(h.url("/api/v2/tickets")).send().await.unwrap();
    assert_eq!(bare.status(), 401);
    assert_eq!(bare.json::<Value>().await.unwrap(), expected);
    let wrong = h
        .http
        .get(h.url("/api/v2/tickets"))
        .header("authorization", basic("not-a-key"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(wrong.json::<Value>().await.unwrap(), expected);
}

#[tokio::test]
async fn the_key_of_an_agent_without_api_access_answers_403_on_every_call() {
    let h = start().await;
    let key = basic(h.creds.restricted_api_key.expose_secret());
    for path in ["/api/v2/agents/me", "/api/v2/tickets", "/api/v2/tickets/1"] {
        let response = h
            .http
            .get(h.url(path))
            .header("authorization", &key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"code": "access_denied", "message": "You are not authorized to perform this action."})
        );
    }
}

#[tokio::test]
async fn any_password_goes_with_the_key_and_agents_me_is_the_keys_agent() {
    let h = start().await;
    let raw = format!("{}:anything", h.creds.admin_api_key.expose_secret());
    use base64::Engine as _;
    let header = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    );
    let me: Value = h
        .http
        .get(h.url("/api/v2/agents/me"))
        .header("authorization", header)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], h.creds.admin_agent_id);
    assert_eq!(me["contact"]["email"], h.creds.admin_email.as_str());
    for key in [
        "type",
        "ticket_scope",
        "available",
        "created_at",
        "updated_at",
    ] {
        assert!(me.get(key).is_some(), "agents/me lacks {key}");
    }
}

#[tokio::test]
async fn the_host_header_names_the_account_like_the_real_domain() {
    let h = start().await;
    let me = h
        .http
        .get(format!("{}/api/v2/agents/me", h.server.base_url()))
        .header("host", "acme.freshdesk.com")
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let local = h
        .http
        .get(format!("{}/api/v2/tickets?per_page=1", h.server.base_url()))
        .header("host", "acme.freshdesk.localhost:8080")
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(local.status(), 200);
}

#[tokio::test]
async fn an_unknown_domain_answers_the_no_helpdesk_page() {
    let h = start().await;
    let by_path = h
        .http
        .get(format!(
            "{}/freshdesk/nope/api/v2/tickets",
            h.server.base_url()
        ))
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap();
    let by_host = h
        .http
        .get(format!("{}/api/v2/tickets", h.server.base_url()))
        .header("host", "nope.freshdesk.com")
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap();
    for response in [by_path, by_host] {
        assert_eq!(response.status(), 404);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("There is no helpdesk here")
        );
    }
}
