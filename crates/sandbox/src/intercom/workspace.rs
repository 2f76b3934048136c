//! One imitated Intercom workspace: its data, apps (the OAuth app with its tokens, and
//! the private app that owns the access token) and their webhooks, rate window, faults,
//! revoked permissions and counters, each behind its own lock so that no request holds two
//! at once.

use std::collections::BTreeSet;
use std::sync::Mutex;

use base64::Engine as _;
use secrecy::{ExposeSecret as _, SecretString};

use super::app_webhooks::{AppWebhooks, IntercomApp};
use super::consent::OAuthParams;
use super::counters::Usage;
use super::credentials::IntercomCredentials;
use super::data::Data;
use super::scope::Scope;
use super::seed::{self, OWNER_INDEX};
use super::tokens::Tokens;
use crate::config::IntercomWorkspaceConfig;
use crate::consent_store::Consents;
use crate::fault::FaultState;
use crate::sandbox::{SandboxError, positive_limit};
use crate::secret::{derive, sha};
use crate::traffic::Traffic;
use crate::window::RateWindow;

/// Intercom enforces its limits in windows of ten seconds.
pub(crate) const WINDOW_SECS: u32 = 10;

/// The loopback callbacks every workspace's OAuth app accepts, on any port.
pub(crate) const DEFAULT_REDIRECT_URIS: [&str; 2] = [
    "http://127.0.0.1/oauth/callback/intercom",
    "http://localhost/oauth/callback/intercom",
];

#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) redirect_uris: Vec<String>,
    /// Permissions every token of the workspace lacks.
    pub(crate) revoked: BTreeSet<Scope>,
}

#[derive(Debug)]
pub(crate) struct Workspace {
    pub(crate) config: IntercomWorkspaceConfig,
    pub(crate) workspace_id: String,
    credentials: IntercomCredentials,
    client_secret_digest: [u8; 32],
    pub(crate) created_at: i64,
    pub(crate) data: Mutex<Data>,
    pub(crate) tokens: Mutex<Tokens>,
    pub(crate) consents: Mutex<Consents<OAuthParams>>,
    pub(crate) settings: Mutex<Settings>,
    pub(crate) webhooks: Mutex<AppWebhooks>,
    pub(crate) rate: Mutex<RateWindow>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) traffic: Mutex<Traffic>,
    pub(crate) usage: Mutex<Usage>,
}

/// `8-4-4-4-12` hex, the shape of Intercom's OAuth client ids and secrets.
fn uuid_like(hex: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

impl Workspace {
    /// Validates `config` and seeds the workspace as of `now` (seconds).
    pub(crate) fn create(config: IntercomWorkspaceConfig, now: i64) -> Result<Self, SandboxError> {
        crate::label::validate(&config.name, "workspace name")?;
        crate::label::validate_tickets(
            config.tickets,
            IntercomWorkspaceConfig::MIN_TICKETS,
            IntercomWorkspaceConfig::MAX_TICKETS,
        )?;
        if config.conversations > IntercomWorkspaceConfig::MAX_CONVERSATIONS {
            return Err(SandboxError::InvalidConfig(format!(
                "conversations must be at most {}",
                IntercomWorkspaceConfig::MAX_CONVERSATIONS
            )));
        }
        positive_limit(config.rate_limit_per_10s)?;
        let name = config.name.clone();
        let data = seed::build(&config, now);
        let owner = data.admins[OWNER_INDEX].clone();
        // Intercom's access tokens are base64 text; the name keeps them unique per workspace.
        let token = base64::engine::general_purpose::STANDARD.encode(format!(
            "tok:{}_{}:1:0",
            derive("intercom-access-token", config.seed, &name, 32),
            name
        ));
        let client_secret = uuid_like(&derive("intercom-client-secret", config.seed, &name, 32));
        let contact = data.contacts[0].clone();
        let workspace_id = seed::workspace_id(&config);
        let credentials = IntercomCredentials {
            name: name.clone(),
            region: config.region,
            api_host: config.region.api_host(),
            workspace_id: workspace_id.clone(),
            access_token: SecretString::from(token.clone()),
            admin_id: owner.id.to_string(),
            admin_email: owner.email.clone(),
            oauth_client_id: uuid_like(&derive("intercom-client-id", config.seed, &name, 32)),
            oauth_client_secret: SecretString::from(client_secret.clone()),
            private_app_client_id: uuid_like(&derive(
                "intercom-private-app-client-id",
                config.seed,
                &name,
                32,
            )),
            private_app_client_secret: SecretString::from(uuid_like(&derive(
                "intercom-private-app-client-secret",
                config.seed,
                &name,
                32,
            ))),
            redirect_uris: DEFAULT_REDIRECT_URIS.map(str::to_owned).to_vec(),
            contact_id: contact.id,
            contact_email: contact.email,
            team_id: data.teams[0].id.to_string(),
            ticket_type_id: data.types[0].id.to_string(),
            tag_id: data
                .tags
                .keys()
                .next()
                .map(u64::to_string)
                .unwrap_or_default(),
        };
        Ok(Self {
            workspace_id,
            client_secret_digest: sha(&client_secret),
            created_at: now,
            data: Mutex::new(data),
            tokens: Mutex::new(Tokens::with_token(&token, owner.id)),
            consents: Mutex::new(Consents::default()),
            settings: Mutex::new(Settings {
                redirect_uris: credentials.redirect_uris.clone(),
                revoked: BTreeSet::new(),
            }),
            webhooks: Mutex::new(AppWebhooks::default()),
            rate: Mutex::new(RateWindow::every(config.rate_limit_per_10s, WINDOW_SECS)),
            faults: Mutex::new(FaultState::default()),
            traffic: Mutex::new(Traffic::default()),
            usage: Mutex::new(Usage::default()),
            credentials,
            config,
        })
    }

    pub(crate) fn credentials(&self) -> IntercomCredentials {
        let mut credentials = self.credentials.clone();
        credentials.redirect_uris = crate::lock::lock(&self.settings).redirect_uris.clone();
        credentials
    }

    pub(crate) fn client_id(&self) -> &str {
        &self.credentials.oauth_client_id
    }

    /// The client secret `app` signs its webhook notifications with.
    pub(crate) fn client_secret(&self, app: IntercomApp) -> String {
        match app {
            IntercomApp::Oauth => self.credentials.oauth_client_secret.expose_secret(),
            IntercomApp::PrivateApp => self.credentials.private_app_client_secret.expose_secret(),
        }
        .to_owned()
    }

    pub(crate) fn secret_matches(&self, secret: &str) -> bool {
        sha(secret) == self.client_secret_digest
    }
}
