//! The OAuth flows against the sandbox: its consent page (approved or denied like a
//! browser would) and its token endpoint.

use deskgate_core::{Connector, ConnectorError};
use deskgate_zendesk::{ZendeskAuth, ZendeskConnector};
use secrecy::ExposeSecret;

use crate::support::{REDIRECT_URI, World};

fn refresh_token(auth: &ZendeskAuth) -> String {
    match auth {
        ZendeskAuth::OAuth {
            refresh: Some(r), ..
        } => r.expose_secret().to_owned(),
        other => panic!("not an oauth grant with a refresh token: {other:?}"),
    }
}

#[tokio::test]
async fn a_pkce_code_exchange_gives_tokens_that_expire_and_work() {
    let world = World::start().await;
    let before = chrono::Utc::now();
    let auth = world.oauth_auth("acme").await;
    let expires = auth.expires_at().unwrap();
    // deskgate asks for 30 minutes explicitly.
    assert!(expires >= before + chrono::TimeDelta::seconds(1790));
    assert!(expires <= chrono::Utc::now() + chrono::TimeDelta::seconds(1800));
    assert!(auth.is_renewable());
    let c = world.connector("acme", auth);
    assert_eq!(c.check().await.unwrap().role.as_deref(), Some("admin"));
}

#[tokio::test]
async fn a_public_client_exchanges_its_code_with_the_verifier_alone() {
    let world = World::start().await;
    let client = world.client("acme", false);
    let (code, verifier) = world.authorize("acme", &client).await;
    let auth = world
        .oauth("acme")
        .exchange_code(&client, &code, REDIRECT_URI, &verifier)
        .await
        .unwrap();
    world.connector("acme", auth).check().await.unwrap();
    // A wrong verifier is refused as an invalid grant (this time the sandbox's helper
    // approves, with no page).
    let (code, _) = world.approve_without_page("acme", &client);
    let wrong = deskgate_zendesk::PkceVerifier::generate();
    let refused = world
        .oauth("acme")
        .exchange_code(&client, &code, REDIRECT_URI, &wrong)
        .await;
    assert!(
        matches!(refused, Err(ConnectorError::Unauthorized { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn denying_consent_sends_access_denied_and_the_state_back_and_issues_nothing() {
    let world = World::start().await;
    let client = world.client("acme", true);
    let (callback, start) = world.consent("acme", &client, "deny").await;
    assert_eq!(callback.param("error").as_deref(), Some("access_denied"));
    assert!(callback.param("error_description").is_some());
    assert_eq!(
        callback.param("state").as_deref(),
        Some(start.state.secret().expose_secret())
    );
    assert_eq!(callback.param("code"), None);
    let counters = world.server.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!(counters.authorization_codes_issued, 0);
}

#[tokio::test]
async fn refresh_rotates_and_never_presents_an_old_refresh_token() {
    let world = World::start().await;
    let first = world.oauth_auth("acme").await;
    let old = world.connector("acme", first.clone());
    let mut current = first.clone();
    let mut seen = vec![refresh_token(&first)];
    for _ in 0..3 {
        current = world.oauth("acme").refresh(&current).await.unwrap();
        let token = refresh_token(&current);
        assert!(!seen.contains(&token), "refresh tokens must rotate");
        seen.push(token);
    }
    let counters = world.server.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!(counters.token_refresh_token, 3);
    assert_eq!(counters.refresh_token_reuse_detected, 0);

    // The first grant's access token died with the first rotation; the newest one works.
    assert!(matches!(
        old.check().await,
        Err(ConnectorError::Unauthorized { .. })
    ));
    world
        .connector("acme", current.clone())
        .check()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_reused_refresh_token_asks_for_reconnection() {
    let world = World::start().await;
    let first = world.oauth_auth("acme").await;
    let second = world.oauth("acme").refresh(&first).await.unwrap();
    // Someone presents the rotated token: Zendesk revokes the grant.
    let reused = world.oauth("acme").refresh(&first).await;
    match reused {
        Err(ConnectorError::Unauthorized { hint }) => assert!(hint.contains("reconnect"), "{hint}"),
        other => panic!("expected unauthorized, got {other:?}"),
    }
    let counters = world.server.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!(counters.refresh_token_reuse_detected, 1);
    assert!(world.connector("acme", second).check().await.is_err());
}

#[tokio::test]
async fn client_credentials_renew_by_minting_a_new_token() {
    let world = World::start().await;
    let auth = world.client_credentials_auth("acme").await;
    assert!(auth.expires_at().is_some());
    let renewed = world.oauth("acme").refresh(&auth).await.unwrap();
    let token = |a: &ZendeskAuth| match a {
        ZendeskAuth::ClientCredentials { token, .. } => token.expose_secret().to_owned(),
        other => panic!("{other:?}"),
    };
    assert_ne!(token(&auth), token(&renewed));
    world.connector("acme", renewed).check().await.unwrap();
    let counters = world.server.sandbox().zendesk_counters("acme").unwrap();
    assert_eq!(counters.token_client_credentials, 2);
    assert_eq!(counters.token_refresh_token, 0);
}

#[tokio::test]
async fn revoking_on_disconnect_kills_the_token() {
    let world = World::start().await;
    let c: ZendeskConnector = world.connector("acme", world.oauth_auth("acme").await);
    c.check().await.unwrap();
    world.oauth("acme").revoke(c.auth()).await.unwrap();
    assert!(matches!(
        c.check().await,
        Err(ConnectorError::Unauthorized { .. })
    ));
    // Revoking again is harmless.
    world.oauth("acme").revoke(c.auth()).await.unwrap();
}

#[tokio::test]
async fn an_api_token_cannot_be_refreshed() {
    let world = World::start().await;
    let c = world.connector("acme", world.api_token("acme"));
    assert!(matches!(
        world.oauth("acme").refresh(c.auth()).await,
        Err(ConnectorError::Unsupported { .. })
    ));
    assert_eq!(c.auth().expires_at(), None);
}

/// The redirect mode through Zendesk's provider description, as the connect flow will run
/// it: the authorize URL, the sandbox's consent, the code exchange checked with the vendor,
/// and stored auth that works.
#[tokio::test]
async fn the_provider_description_runs_the_redirect_mode_from_url_to_stored_auth() {
    use deskgate_connector::{
        AuthorizeRequest, CodeExchange, CredentialField, OAuthClientInput, ProviderError,
        ProviderSpec, Stored,
    };
    use deskgate_core::AuthMode;
    use deskgate_sandbox::ConsentDecision;
    use deskgate_zendesk::{PkceVerifier, ZENDESK};
    use secrecy::SecretString;

    let world = World::start().await;
    let creds = world.credentials("acme");
    let client = OAuthClientInput {
        client_id: creds.oauth_client_id.clone(),
        client_secret: Some(creds.oauth_client_secret.clone()),
        scopes: None,
    };
    let state = SecretString::from("state-0123456789abcdef0123456789abcdef");
    let verifier = PkceVerifier::generate().secret().clone();
    let url = ZENDESK
        .authorize_url(&AuthorizeRequest {
            account_label: "acme",
            client: &client,
            redirect_uri: REDIRECT_URI,
            state: &state,
            verifier: &verifier,
        })
        .unwrap()
        .unwrap();
    assert!(
        url.starts_with("https://acme.zendesk.com/oauth/authorizations/new?"),
        "{url}"
    );
    assert!(
        !url.contains(verifier.expose_secret()),
        "the verifier left in the url"
    );
    assert!(!format!("{client:?}").contains(creds.oauth_client_secret.expose_secret()));

    let location = world
        .server
        .sandbox()
        .zendesk_consent("acme", &url, ConsentDecision::Approve)
        .unwrap();
    let location = url::Url::parse(&location).unwrap();
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    assert_eq!(param("state"), state.expose_secret());
    let code = SecretString::from(param("code"));
    let exchange = |verifier: SecretString| {
        let (client, code) = (client.clone(), code.clone());
        let upstream = world.upstream.clone();
        async move {
            ZENDESK
                .exchange_code(
                    &upstream,
                    &CodeExchange {
                        account_label: "acme",
                        client: &client,
                        code: &code,
                        redirect_uri: REDIRECT_URI,
                        verifier: &verifier,
                    },
                )
                .await
        }
    };
    // Another verifier than the one the challenge came from: refused, nothing issued.
    let wrong = exchange(PkceVerifier::generate().secret().clone()).await;
    assert!(matches!(wrong, Err(ProviderError::Vendor(_))), "{wrong:?}");

    let new = exchange(verifier.clone()).await.unwrap();
    assert_eq!(new.mode, AuthMode::OauthCode);
    assert!(new.token_expires_at.is_some());
    assert!(new.credentials.get(CredentialField::RefreshToken).is_some());
    let connector = ZENDESK
        .connector(
            &world.upstream,
            &Stored {
                account_label: &new.account_label,
                mode: new.mode,
                credentials: &new.credentials,
                settings: &new.settings,
                token_expires_at: new.token_expires_at,
                connection_id: "c1",
            },
        )
        .unwrap();
    connector.check().await.unwrap();

    // A code is single-use.
    let again = exchange(verifier).await;
    assert!(
        matches!(
            again,
            Err(ProviderError::Vendor(ConnectorError::Unauthorized { .. }))
        ),
        "{again:?}"
    );
}
