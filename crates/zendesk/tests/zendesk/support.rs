//! A sandbox on 127.0.0.1 and connectors pointed at it.

use std::sync::Arc;

use deskgate_connector::testing::Script;
use deskgate_connector::{Health, ProviderSpec, Stored};
use deskgate_core::model::{NewTicket, TicketStatus};
use deskgate_sandbox::{
    ConsentDecision, RunningSandbox, SandboxConfig, ZendeskAccountConfig, ZendeskCredentials,
};
use deskgate_upstream::{SandboxOverride, Upstream, UpstreamConfig};
use deskgate_zendesk::{
    AuthorizeRequest, AuthorizeStart, ConnectInput, OAuthClient, ZENDESK, ZendeskAuth,
    ZendeskConnector, ZendeskOAuth, ZendeskSubdomain,
};
use secrecy::{ExposeSecret, SecretString};

pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback/zendesk";

pub(crate) struct World {
    pub(crate) server: RunningSandbox,
    pub(crate) upstream: Upstream,
}

impl World {
    /// A sandbox with `acme` (50 tickets) and an engine that sends everything to it.
    pub(crate) async fn start() -> Self {
        Self::with(SandboxConfig::default()).await
    }

    pub(crate) async fn with(config: SandboxConfig) -> Self {
        let server = deskgate_sandbox::spawn(config).await.unwrap();
        let upstream = Upstream::builder(UpstreamConfig::default())
            .sandbox(SandboxOverride::new(&server.base_url()).unwrap())
            .build()
            .unwrap();
        Self { server, upstream }
    }

    pub(crate) fn credentials(&self, sub: &str) -> ZendeskCredentials {
        self.server.sandbox().zendesk_credentials(sub).unwrap()
    }

    pub(crate) fn connector(&self, sub: &str, auth: ZendeskAuth) -> ZendeskConnector {
        let input = ConnectInput {
            subdomain: ZendeskSubdomain::parse(sub).unwrap(),
            auth,
        };
        ZendeskConnector::new(self.upstream.clone(), input)
    }

    /// The provider's health check of `auth`, read back from what would be stored.
    pub(crate) async fn health(&self, sub: &str, auth: &ZendeskAuth) -> Health {
        let new = deskgate_zendesk::stored(&ZendeskSubdomain::parse(sub).unwrap(), auth);
        let stored = Stored {
            account_label: &new.account_label,
            mode: new.mode,
            credentials: &new.credentials,
            settings: &new.settings,
            token_expires_at: new.token_expires_at,
            connection_id: "test",
        };
        ZENDESK.health(&self.upstream, &stored).await.unwrap()
    }

    pub(crate) fn api_token(&self, sub: &str) -> ZendeskAuth {
        let creds = self.credentials(sub);
        ZendeskAuth::ApiToken {
            email: creds.admin_email,
            token: creds.api_token,
        }
    }

    pub(crate) fn oauth(&self, sub: &str) -> ZendeskOAuth {
        ZendeskOAuth::new(self.upstream.clone(), ZendeskSubdomain::parse(sub).unwrap())
    }

    pub(crate) fn client(&self, sub: &str, with_secret: bool) -> OAuthClient {
        let creds = self.credentials(sub);
        OAuthClient {
            client_id: creds.oauth_client_id,
            client_secret: with_secret.then_some(creds.oauth_client_secret),
        }
    }

    /// The authorize URL deskgate sends a person to, with what it keeps for the callback.
    pub(crate) fn start_authorize(&self, sub: &str, client: &OAuthClient) -> AuthorizeStart {
        let subdomain = ZendeskSubdomain::parse(sub).unwrap();
        let start = AuthorizeRequest {
            subdomain: &subdomain,
            client_id: &client.client_id,
            redirect_uri: REDIRECT_URI,
            scope: "read write",
        }
        .start();
        assert_eq!(
            start.url.host_str(),
            Some(format!("{sub}.zendesk.com").as_str())
        );
        start
    }

    /// Runs the browser leg against the sandbox as a person would: opens the authorize URL
    /// (rewritten to the sandbox), reads the consent page's form and clicks `decision`
    /// (`approve` or `deny`). Returns the query the callback receives, and what deskgate
    /// kept.
    pub(crate) async fn consent(
        &self,
        sub: &str,
        client: &OAuthClient,
        decision: &str,
    ) -> (Callback, AuthorizeStart) {
        let start = self.start_authorize(sub, client);
        let local = format!(
            "{}{}?{}",
            self.server.zendesk_base_url(sub),
            start.url.path(),
            start.url.query().unwrap()
        );
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = browser.get(local).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        let (action, mut fields) = read_form(&page);
        assert!(
            page.contains(&format!(
                "id=\"{decision}\" name=\"decision\" value=\"{decision}\""
            )),
            "no {decision} button on {page}"
        );
        fields.push(("decision".to_owned(), decision.to_owned()));
        let answer = browser.post(action).form(&fields).send().await.unwrap();
        assert_eq!(answer.status(), 302);
        (
            Callback::read(answer.headers()["location"].to_str().unwrap()),
            start,
        )
    }

    /// The browser leg, approved: the code from the redirect, checking `state` comes back.
    pub(crate) async fn authorize(
        &self,
        sub: &str,
        client: &OAuthClient,
    ) -> (SecretString, deskgate_zendesk::PkceVerifier) {
        let (callback, start) = self.consent(sub, client, "approve").await;
        assert_eq!(
            callback.param("state").as_deref(),
            Some(start.state.secret().expose_secret())
        );
        (
            SecretString::from(callback.param("code").unwrap()),
            start.verifier,
        )
    }

    /// The browser leg approved through the sandbox's helper, with no page.
    pub(crate) fn approve_without_page(
        &self,
        sub: &str,
        client: &OAuthClient,
    ) -> (SecretString, deskgate_zendesk::PkceVerifier) {
        let start = self.start_authorize(sub, client);
        let location = self
            .server
            .sandbox()
            .zendesk_consent(sub, start.url.as_str(), ConsentDecision::Approve)
            .unwrap();
        let callback = Callback::read(&location);
        assert_eq!(
            callback.param("state").as_deref(),
            Some(start.state.secret().expose_secret())
        );
        (
            SecretString::from(callback.param("code").unwrap()),
            start.verifier,
        )
    }

    /// A fresh OAuth grant (authorization code + PKCE, confidential client).
    pub(crate) async fn oauth_auth(&self, sub: &str) -> ZendeskAuth {
        let client = self.client(sub, true);
        let (code, verifier) = self.authorize(sub, &client).await;
        self.oauth(sub)
            .exchange_code(&client, &code, REDIRECT_URI, &verifier)
            .await
            .unwrap()
    }

    /// A client-credentials token.
    pub(crate) async fn client_credentials_auth(&self, sub: &str) -> ZendeskAuth {
        let creds = self.credentials(sub);
        self.oauth(sub)
            .client_credentials(
                &creds.oauth_client_id,
                &creds.oauth_client_secret,
                "read write",
            )
            .await
            .unwrap()
    }
}

/// Where the browser leg ended: the redirect to deskgate's callback.
pub(crate) struct Callback(url::Url);

impl Callback {
    fn read(location: &str) -> Self {
        let url = url::Url::parse(location).unwrap();
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        Self(url)
    }

    pub(crate) fn param(&self, name: &str) -> Option<String> {
        self.0
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in the tag starting at `tag`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let tag = &tag[..tag.find('>')?];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

/// A consent page's form as a browser reads it: its action and its hidden fields.
fn read_form(page: &str) -> (String, Vec<(String, String)>) {
    let form = &page[page.find("<form").unwrap()..];
    let action = attribute(form, "action").unwrap();
    let fields = form
        .split("<input")
        .skip(1)
        .filter(|tag| attribute(tag, "type").as_deref() == Some("hidden"))
        .map(|tag| {
            (
                attribute(tag, "name").unwrap(),
                attribute(tag, "value").unwrap(),
            )
        })
        .collect();
    (action, fields)
}

/// A new open ticket with `subject`, nothing else set.
pub(crate) fn new_ticket(subject: &str) -> NewTicket {
    NewTicket {
        subject: subject.into(),
        description: "Found by the sync".into(),
        status: Some(TicketStatus::Open),
        priority: None,
        ticket_type: None,
        requester_id: None,
        assignee_id: None,
        team_id: None,
        tags: vec![],
        due_at: None,
        custom_fields: vec![],
    }
}

pub(crate) fn big_account(sub: &str, tickets: u64) -> SandboxConfig {
    let mut account = ZendeskAccountConfig::new(sub);
    account.tickets = tickets;
    account.rate_limit_per_minute = 1_000_000;
    SandboxConfig {
        zendesk: vec![ZendeskAccountConfig::new("acme"), account],
        freshdesk: vec![],
        intercom: vec![],
    }
}

/// A connector whose every request reaches `script`, and the engine it sends through.
pub(crate) fn scripted(script: &Arc<Script>) -> (ZendeskConnector, Upstream) {
    let input = ConnectInput {
        subdomain: ZendeskSubdomain::parse("acme").unwrap(),
        auth: ZendeskAuth::ApiToken {
            email: "agent@acme.test".into(),
            token: SecretString::from("t0ken"),
        },
    };
    let upstream = script.upstream().unwrap();
    (ZendeskConnector::new(upstream.clone(), input), upstream)
}
