//! The provider description, labels, budget keys, OAuth URLs and stored settings.

#![allow(clippy::unwrap_used)]

use deskgate_connector::OAuthClientInput;
use serde_json::json;

use super::*;

#[test]
fn the_modes_are_sign_in_first_then_access_token_and_neither_renews_nor_revokes() {
    let modes = INTERCOM.modes();
    let kinds: Vec<AuthMode> = modes.iter().map(|m| m.mode).collect();
    assert_eq!(kinds, [AuthMode::OauthCode, AuthMode::AccessToken]);
    let oauth = &modes[0];
    assert_eq!(oauth.title, "Sign in with Intercom");
    assert!(!oauth.posted && !oauth.renews && !oauth.revokes);
    assert!(
        oauth.fields.is_empty(),
        "the tenant's public app, no customer client"
    );
    let token = &modes[1];
    assert_eq!(token.title, "Access token");
    assert!(token.posted && !token.renews && !token.revokes);
    assert_eq!(token.fields.len(), 1);
    assert_eq!(token.fields[0].name, "access_token");
    assert!(token.fields[0].secret && token.fields[0].required);
    assert!(token.fields[0].description.contains("Developer Hub"));
    assert_eq!(INTERCOM.description().title, "Intercom");
    assert_eq!(INTERCOM.provider(), Provider::Intercom);
}

#[test]
fn the_region_field_takes_exactly_us_eu_or_au() {
    let field = INTERCOM.account_field();
    assert_eq!(field.name, "region");
    for (host, region) in [
        ("api.intercom.io", "`us`"),
        ("api.eu.intercom.io", "`eu`"),
        ("api.au.intercom.io", "`au`"),
    ] {
        assert!(field.description.contains(host) && field.description.contains(region));
    }
    assert_eq!(INTERCOM.account_label("us").unwrap(), "us");
    assert_eq!(INTERCOM.account_label("EU ").unwrap(), "eu");
    assert_eq!(INTERCOM.account_label("\tAu").unwrap(), "au");
    for hostile in ["us.evil.com", "eu/", "", "https://api.intercom.io", "uk"] {
        let e = INTERCOM.account_label(hostile).unwrap_err();
        assert_eq!(e.field, "region", "{hostile:?}");
    }
}

#[test]
fn budget_keys_are_the_workspace_from_the_stored_settings() {
    assert!(
        INTERCOM.budget_keys("us").is_empty(),
        "a region names no workspace"
    );
    let settings = json!({"workspace_id": "wks7h2q1", "region": "us", "admin_id": "991"});
    let keys: Vec<String> = INTERCOM
        .connection_budget_keys("us", &settings)
        .iter()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(keys, ["intercom:wks7h2q1"]);
    for unusable in [
        json!(null),
        json!({}),
        json!({"workspace_id": "a/b"}),
        json!("x"),
    ] {
        assert!(
            INTERCOM.connection_budget_keys("us", &unusable).is_empty(),
            "{unusable}"
        );
    }
    assert_eq!(
        connect_budget(Region::Eu).unwrap().as_str(),
        "intercom:connect-eu"
    );
}

#[test]
fn the_token_url_is_on_the_regional_api_host() {
    assert_eq!(
        INTERCOM.token_url("us").as_deref(),
        Some("https://api.intercom.io/auth/eagle/token")
    );
    assert_eq!(
        INTERCOM.token_url("eu").as_deref(),
        Some("https://api.eu.intercom.io/auth/eagle/token")
    );
    assert_eq!(
        INTERCOM.token_url("au").as_deref(),
        Some("https://api.au.intercom.io/auth/eagle/token")
    );
    assert_eq!(INTERCOM.token_url("evil.com"), None);
}

fn client(secret: Option<&str>) -> OAuthClientInput {
    OAuthClientInput {
        client_id: "app-client".into(),
        client_secret: secret.map(SecretString::from),
        scopes: Some("read write".into()),
    }
}

#[test]
fn the_authorize_url_sends_state_and_redirect_but_no_scope_and_no_pkce() {
    let client = client(Some("s"));
    let state = SecretString::from("state-123");
    let verifier = SecretString::from("verifier-never-sent");
    let request = AuthorizeRequest {
        account_label: "eu",
        client: &client,
        redirect_uri: "https://gw.example/oauth/callback/intercom",
        state: &state,
        verifier: &verifier,
    };
    let url = INTERCOM.authorize_url(&request).unwrap().unwrap();
    let parsed = url::Url::parse(&url).unwrap();
    assert_eq!(
        parsed.origin().ascii_serialization(),
        "https://app.intercom.io"
    );
    assert_eq!(parsed.path(), "/oauth");
    let query: std::collections::BTreeMap<String, String> =
        parsed.query_pairs().into_owned().collect();
    assert_eq!(
        query.get("client_id").map(String::as_str),
        Some("app-client")
    );
    assert_eq!(query.get("state").map(String::as_str), Some("state-123"));
    assert_eq!(
        query.get("redirect_uri").map(String::as_str),
        Some("https://gw.example/oauth/callback/intercom")
    );
    assert_eq!(query.len(), 3, "no scope, no code_challenge: {url}");
    assert!(!url.contains("verifier-never-sent"));
    let bad = AuthorizeRequest {
        account_label: "evil.com",
        ..request
    };
    assert!(INTERCOM.authorize_url(&bad).is_err());
}

#[test]
fn settings_are_typed_json_and_read_back() {
    let settings = IntercomSettings {
        workspace_id: Some("wks7h2q1".into()),
        region: Some(Region::Eu),
        admin_id: Some("991".into()),
        workspace_name: Some("Acme".into()),
    };
    let value = serde_json::to_value(&settings).unwrap();
    assert_eq!(
        value,
        json!({"workspace_id": "wks7h2q1", "region": "eu", "admin_id": "991", "workspace_name": "Acme"})
    );
    assert_eq!(
        serde_json::from_value::<IntercomSettings>(value).unwrap(),
        settings
    );
    assert!(serde_json::from_value::<IntercomSettings>(json!({"workspace": "x"})).is_err());
}

fn upstream() -> Upstream {
    Upstream::new(deskgate_upstream::UpstreamConfig::default()).unwrap()
}

#[test]
fn a_stored_connection_builds_a_connector_that_never_shows_its_token() {
    let upstream = upstream();
    let credentials = Credentials::new().with(CredentialField::AccessToken, "canary-tok-9d1e");
    let settings = json!({"workspace_id": "wks7h2q1", "region": "eu", "admin_id": "991"});
    let stored = Stored {
        account_label: "eu",
        mode: AuthMode::AccessToken,
        credentials: &credentials,
        settings: &settings,
        token_expires_at: None,
        connection_id: "c-1",
    };
    let connector = INTERCOM.connector(&upstream, &stored).unwrap();
    assert_eq!(connector.provider(), Provider::Intercom);
    assert!(!format!("{connector:?}").contains("canary-tok-9d1e"));
    assert!(
        INTERCOM
            .connector(
                &upstream,
                &Stored {
                    mode: AuthMode::OauthCode,
                    ..stored
                }
            )
            .is_ok()
    );
    assert!(
        INTERCOM
            .connector(
                &upstream,
                &Stored {
                    mode: AuthMode::ApiKey,
                    ..stored
                }
            )
            .is_err()
    );
    assert!(
        INTERCOM
            .connector(
                &upstream,
                &Stored {
                    account_label: "us",
                    ..stored
                }
            )
            .is_err(),
        "the label and the settings disagree on the region"
    );
    let no_workspace = json!({"region": "eu"});
    assert!(
        INTERCOM
            .connector(
                &upstream,
                &Stored {
                    settings: &no_workspace,
                    ..stored
                }
            )
            .is_err()
    );
    let empty = Credentials::new();
    assert!(
        INTERCOM
            .connector(
                &upstream,
                &Stored {
                    credentials: &empty,
                    ..stored
                }
            )
            .is_err()
    );
}

#[tokio::test]
async fn the_code_exchange_needs_the_client_secret_and_a_region() {
    let upstream = upstream();
    let code = SecretString::from("code");
    let verifier = SecretString::from("v");
    let no_secret = client(None);
    let exchange = CodeExchange {
        account_label: "us",
        client: &no_secret,
        code: &code,
        redirect_uri: "https://gw.example/cb",
        verifier: &verifier,
    };
    let e = INTERCOM
        .exchange_code(&upstream, &exchange)
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::Invalid(f) if f.field == "client_secret"));
    let with_secret = client(Some("s"));
    let bad_region = CodeExchange {
        account_label: "mars",
        client: &with_secret,
        ..exchange
    };
    let e = INTERCOM
        .exchange_code(&upstream, &bad_region)
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::Invalid(f) if f.field == "region"));
}

#[tokio::test]
async fn tokens_are_never_renewed() {
    let credentials = Credentials::new().with(CredentialField::AccessToken, "t");
    let settings = json!({"workspace_id": "w"});
    let stored = Stored {
        account_label: "us",
        mode: AuthMode::OauthCode,
        credentials: &credentials,
        settings: &settings,
        token_expires_at: None,
        connection_id: "c",
    };
    let e = INTERCOM.refresh(&upstream(), &stored).await.unwrap_err();
    assert!(e.to_string().contains("do not expire"), "{e}");
}
