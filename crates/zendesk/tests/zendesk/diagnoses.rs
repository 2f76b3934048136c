//! What `check()` and failed calls tell a person.

use deskgate_connector::ProviderSpec;
use deskgate_core::model::TicketPatch;
use deskgate_core::{AuthMode, Connector, ConnectorError};
use deskgate_zendesk::{ConnectInput, ZENDESK, ZendeskAuth};

use crate::support::World;

#[tokio::test]
async fn token_access_turned_off_is_diagnosed_with_the_setting_and_the_format() {
    let world = World::start().await;
    world
        .server
        .sandbox()
        .set_zendesk_token_access("acme", false)
        .unwrap();
    let c = world.connector("acme", world.api_token("acme"));
    match c.check().await {
        Err(ConnectorError::Unauthorized { hint }) => {
            assert!(hint.contains("Allow API token access"), "{hint}");
            assert!(
                hint.contains("Admin Center → Apps and integrations → APIs → API configuration")
            );
            assert!(hint.contains("{email}/token:{token}"));
        }
        other => panic!("expected unauthorized, got {other:?}"),
    }
    let health = world.health("acme", c.auth()).await;
    assert!(health.identity.is_none());
    assert!(matches!(
        health.problem,
        Some(ConnectorError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn an_api_token_connection_reports_its_deadline_and_how_to_migrate() {
    let world = World::start().await;
    let health = world.health("acme", &world.api_token("acme")).await;
    assert_eq!(
        health.identity.unwrap().user_email.as_deref(),
        Some("admin@acme.test")
    );
    assert_eq!(health.problem, None);
    let deadline = ZENDESK.deprecation(AuthMode::ApiToken).unwrap();
    assert_eq!(deadline.after.to_string(), "2027-04-30");
    assert!(deadline.hint.contains("oauth"));
    let oauth = world.oauth_auth("acme").await;
    assert!(world.health("acme", &oauth).await.problem.is_none());
    assert_eq!(ZENDESK.deprecation(oauth.mode()), None);
    assert!(oauth.expires_at().is_some());
}

#[tokio::test]
async fn an_end_user_is_told_their_role_lacks_access() {
    let world = World::start().await;
    let creds = world.credentials("acme");
    let c = world.connector(
        "acme",
        ZendeskAuth::ApiToken {
            email: creds.end_user_email,
            token: creds.api_token,
        },
    );
    match c.check().await {
        Err(ConnectorError::Forbidden { hint }) => {
            assert!(hint.contains("role lacks access"), "{hint}");
        }
        other => panic!("expected forbidden, got {other:?}"),
    }
    let listed = c.list_tickets(&Default::default()).await;
    assert!(
        matches!(listed, Err(ConnectorError::Forbidden { .. })),
        "{listed:?}"
    );
}

#[tokio::test]
async fn an_unknown_subdomain_is_named() {
    let world = World::start().await;
    let c = world.connector("nope", world.api_token("acme"));
    match c.check().await {
        Err(ConnectorError::Invalid { message, fields }) => {
            assert!(
                message.contains("no zendesk account at nope.zendesk.com"),
                "{message}"
            );
            assert_eq!(fields[0].field, "subdomain");
        }
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_subdomain_that_is_not_a_bare_label_is_refused_before_any_request() {
    let world = World::start().await;
    let before = world
        .server
        .sandbox()
        .zendesk_counters("acme")
        .unwrap()
        .requests;
    for bad in [
        "acme.evil.com",
        "acme/x",
        "127.0.0.1",
        "acme:443",
        "https://acme.zendesk.com",
    ] {
        assert!(
            ConnectInput::api_token(bad, "a@b.test", "t".into()).is_err(),
            "{bad}"
        );
    }
    let after = world
        .server
        .sandbox()
        .zendesk_counters("acme")
        .unwrap()
        .requests;
    assert_eq!(before, after);
}

#[tokio::test]
async fn record_invalid_details_come_back_as_field_errors() {
    let world = World::start().await;
    let c = world.connector("acme", world.api_token("acme"));
    let patch = TicketPatch {
        assignee_id: Some("999999999".into()),
        ..TicketPatch::default()
    };
    match c.update_ticket(&"1".into(), &patch).await {
        Err(ConnectorError::Invalid { fields, .. }) => {
            assert!(fields.iter().any(|f| f.field == "assignee"), "{fields:?}");
        }
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn ids_that_cannot_be_zendesk_ids_are_not_found_without_a_request() {
    let world = World::start().await;
    let c = world.connector("acme", world.api_token("acme"));
    let before = world
        .server
        .sandbox()
        .zendesk_counters("acme")
        .unwrap()
        .requests;
    for id in ["../users/me", "1/comments", "abc", ""] {
        assert_eq!(
            c.get_ticket(&id.into(), Default::default()).await,
            Err(ConnectorError::NotFound)
        );
    }
    assert_eq!(
        world
            .server
            .sandbox()
            .zendesk_counters("acme")
            .unwrap()
            .requests,
        before
    );
}
