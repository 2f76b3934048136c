//! Connecting: the check with `GET /api/v2/agents/me` and what it tells a person.

use deskgate_connector::{CredentialField, ProviderError, ProviderSpec, Stored};
use deskgate_core::{AuthMode, ConnectorError, Provider};
use deskgate_freshdesk::FRESHDESK;
use secrecy::ExposeSecret;

use crate::support::World;

#[tokio::test]
async fn connecting_with_the_admin_key_stores_the_key_and_who_it_belongs_to() {
    let world = World::start().await;
    let creds = world.credentials("acme");
    let auth = world
        .connect("ACME", &world.admin_key("acme"))
        .await
        .unwrap();
    assert_eq!(auth.account_label, "acme");
    assert_eq!(auth.mode, AuthMode::ApiKey);
    assert_eq!(auth.token_expires_at, None);
    assert_eq!(
        auth.credentials
            .get(CredentialField::ApiKey)
            .unwrap()
            .expose_secret(),
        creds.admin_api_key.expose_secret()
    );
    assert_eq!(auth.settings["agent_id"], creds.admin_agent_id.to_string());
    let stored = Stored {
        account_label: &auth.account_label,
        mode: auth.mode,
        credentials: &auth.credentials,
        settings: &auth.settings,
        token_expires_at: None,
        connection_id: "conn-1",
    };
    let connector = FRESHDESK.connector(&world.upstream, &stored).unwrap();
    assert_eq!(connector.provider(), Provider::Freshdesk);
    let me = connector.check().await.unwrap();
    assert_eq!(me.user_email.as_deref(), Some(creds.admin_email.as_str()));
    assert_eq!(me.account_label, "acme");
    let health = FRESHDESK.health(&world.upstream, &stored).await.unwrap();
    assert!(health.identity.is_some() && health.problem.is_none());
}

#[tokio::test]
async fn a_wrong_key_is_diagnosed_with_where_to_find_the_right_one() {
    let world = World::start().await;
    match world.connect("acme", "not-the-key").await {
        Err(ProviderError::Vendor(ConnectorError::Unauthorized { hint })) => {
            assert!(hint.contains("\"Your API Key\""), "{hint}");
            assert!(hint.contains("reset"), "{hint}");
        }
        other => panic!("expected unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn a_key_whose_role_lacks_access_is_told_so() {
    let world = World::start().await;
    let key = world.credentials("acme").restricted_api_key;
    match world.connect("acme", key.expose_secret()).await {
        Err(ProviderError::Vendor(ConnectorError::Forbidden { hint })) => {
            assert!(hint.contains("role"), "{hint}");
        }
        other => panic!("expected forbidden, got {other:?}"),
    }
}

#[tokio::test]
async fn a_domain_without_a_helpdesk_is_an_error_on_the_domain_field() {
    let world = World::start().await;
    // Freshdesk said so (the check was sent): a vendor refusal that names the field.
    match world.connect("nosuchdesk", &world.admin_key("acme")).await {
        Err(ProviderError::Vendor(ConnectorError::Invalid { fields, .. })) => {
            assert_eq!(fields[0].field, "domain");
            assert!(
                fields[0].message.contains("nosuchdesk.freshdesk.com"),
                "{}",
                fields[0].message
            );
        }
        other => panic!("expected a domain field error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_url_for_a_domain_is_refused_before_anything_is_sent() {
    let world = World::start().await;
    let before = world.counters("acme").requests;
    for typed in [
        "https://acme.freshdesk.com",
        "acme.freshdesk.com",
        "acme/api",
    ] {
        match world.connect(typed, &world.admin_key("acme")).await {
            Err(ProviderError::Invalid(field)) => assert_eq!(field.field, "domain"),
            other => panic!("{typed}: expected a domain field error, got {other:?}"),
        }
    }
    let after = world.counters("acme").requests;
    assert_eq!(before, after);
}
