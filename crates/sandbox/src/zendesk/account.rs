//! One imitated Zendesk account: its seed, settings, data overlay, OAuth state (tokens and
//! consent pages awaiting a decision), webhooks, rate windows (the account's and the
//! incremental exports'), faults and counters, each behind its own lock so that no request
//! holds two at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use secrecy::SecretString;

use super::consent::Consents;
use super::counters::ZendeskCounters;
use super::credentials::{ZendeskCredentials, default_redirect_uris, derive};
use super::records::{Attachment, Comment, Group, Organization, Ticket, User};
use super::seed::{
    ADMIN_INDEX, AGENT_INDEX, ATTACHMENT_BASE, END_USER_INDEX, GROUP_BASE, NEW_COMMENT_BASE,
    ORGANIZATION_BASE, Seed, USER_BASE,
};
use super::tokens::TokenStore;
use super::webhook_store::Webhooks;
use crate::collection::Collection;
use crate::config::ZendeskAccountConfig;
use crate::fault::FaultState;
use crate::traffic::Traffic;
use crate::window::RateWindow;

#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) token_access_enabled: bool,
    /// Whether `/users/me` leaves the user's `role` out (`null`), as Zendesk's `UserObject`
    /// allows: only `name` is required, and the vendor's own user example has no role.
    pub(crate) me_without_role: bool,
    pub(crate) redirect_uris: Vec<String>,
}

/// The account's OAuth client, with its secrets kept as digests for comparison.
#[derive(Debug)]
pub(crate) struct OAuthClient {
    pub(crate) identifier: String,
    pub(crate) secret_digest: [u8; 32],
}

#[derive(Debug)]
pub(crate) struct Upload {
    pub(crate) attachments: Vec<Attachment>,
    pub(crate) expires_at: i64,
    pub(crate) consumed: bool,
}

#[derive(Debug)]
pub(crate) struct Data {
    pub(crate) seed: Seed,
    pub(crate) tickets: Collection<Ticket>,
    pub(crate) users: Collection<User>,
    pub(crate) organizations: Collection<Organization>,
    pub(crate) groups: Collection<Group>,
    /// Comments added through the API, per ticket, oldest first.
    pub(crate) added_comments: HashMap<u64, Vec<Comment>>,
    pub(crate) uploads: HashMap<String, Upload>,
    /// Uploaded file contents by attachment token: content type and bytes.
    pub(crate) files: HashMap<String, (String, Bytes)>,
    pub(crate) next_comment_id: u64,
    pub(crate) next_attachment_id: u64,
    /// Seeded tickets ordered by `(updated_at, id)`, built on the first incremental export.
    pub(crate) export_index: Option<Arc<Vec<(i64, u64)>>>,
}

impl Data {
    fn new(seed: Seed) -> Self {
        Self {
            tickets: Collection::new(1, seed.tickets),
            users: Collection::new(USER_BASE, seed.users()),
            organizations: Collection::new(ORGANIZATION_BASE, seed.organizations),
            groups: Collection::new(GROUP_BASE, seed.groups),
            seed,
            added_comments: HashMap::new(),
            uploads: HashMap::new(),
            files: HashMap::new(),
            next_comment_id: NEW_COMMENT_BASE,
            next_attachment_id: ATTACHMENT_BASE,
            export_index: None,
        }
    }

    pub(crate) fn ticket(&self, id: u64) -> Option<Ticket> {
        self.tickets.get(id, |i| self.seed.ticket(i))
    }

    pub(crate) fn user(&self, id: u64) -> Option<User> {
        self.users.get(id, |i| self.seed.user(i))
    }

    pub(crate) fn organization(&self, id: u64) -> Option<Organization> {
        self.organizations.get(id, |i| self.seed.organization(i))
    }

    pub(crate) fn group(&self, id: u64) -> Option<Group> {
        self.groups.get(id, |i| self.seed.group(i))
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Option<User> {
        let index = self.seed.user_index_for_email(email)?;
        self.user(USER_BASE + index)
            .filter(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// Every comment of a ticket, oldest first.
    pub(crate) fn comments(&self, ticket: &Ticket) -> Vec<Comment> {
        let mut comments = if self.tickets.index_of(ticket.id).is_some() {
            // Seeded comments come from the seeded ticket, not from later edits of it.
            self.seed.comments(&self.seed.ticket(ticket.id - 1))
        } else {
            Vec::new()
        };
        if let Some(added) = self.added_comments.get(&ticket.id) {
            comments.extend(added.iter().cloned());
        }
        comments
    }
}

#[derive(Debug)]
pub(crate) struct Account {
    pub(crate) config: ZendeskAccountConfig,
    /// The account's number, as webhook events carry it in `account_id`.
    pub(crate) account_id: u64,
    pub(crate) api_token_digest: [u8; 32],
    pub(crate) client: OAuthClient,
    credentials: ZendeskCredentials,
    pub(crate) settings: Mutex<Settings>,
    pub(crate) data: Mutex<Data>,
    pub(crate) tokens: Mutex<TokenStore>,
    pub(crate) consents: Mutex<Consents>,
    pub(crate) rate: Mutex<RateWindow>,
    /// The incremental exports' own per-minute cap.
    pub(crate) export_rate: Mutex<RateWindow>,
    pub(crate) webhooks: Mutex<Webhooks>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) counters: Mutex<ZendeskCounters>,
    pub(crate) traffic: Mutex<Traffic>,
}

impl Account {
    pub(crate) fn new(config: ZendeskAccountConfig) -> Self {
        let sub = config.subdomain.clone();
        let seed = Seed::new(&sub, config.seed, config.tickets);
        let api_token = derive("api-token", config.seed, &sub, 40);
        let client_secret = derive("oauth-client-secret", config.seed, &sub, 64);
        let client_id = format!("deskgate_sandbox_{sub}");
        let domain = format!("{sub}.test");
        // Eight digits, like Zendesk's account numbers.
        let account_id = 10_000_000
            + u64::from_str_radix(&derive("account-id", config.seed, &sub, 8), 16).unwrap_or(0)
                % 90_000_000;
        let credentials = ZendeskCredentials {
            subdomain: sub,
            account_id,
            admin_email: format!("admin@{domain}"),
            admin_user_id: USER_BASE + ADMIN_INDEX,
            agent_email: format!("agent@{domain}"),
            agent_user_id: USER_BASE + AGENT_INDEX,
            end_user_email: format!("customer@{domain}"),
            end_user_id: USER_BASE + END_USER_INDEX,
            api_token: SecretString::from(api_token.clone()),
            oauth_client_id: client_id.clone(),
            oauth_client_secret: SecretString::from(client_secret.clone()),
            oauth_redirect_uris: default_redirect_uris(),
        };
        Self {
            account_id,
            api_token_digest: sha(&api_token),
            client: OAuthClient {
                identifier: client_id,
                secret_digest: sha(&client_secret),
            },
            settings: Mutex::new(Settings {
                token_access_enabled: config.token_access_enabled,
                me_without_role: false,
                redirect_uris: default_redirect_uris(),
            }),
            data: Mutex::new(Data::new(seed)),
            tokens: Mutex::new(TokenStore::default()),
            consents: Mutex::new(Consents::default()),
            rate: Mutex::new(RateWindow::new(config.rate_limit_per_minute)),
            export_rate: Mutex::new(RateWindow::new(config.incremental_export_per_minute)),
            webhooks: Mutex::new(Webhooks::default()),
            faults: Mutex::new(FaultState::default()),
            counters: Mutex::new(ZendeskCounters::default()),
            traffic: Mutex::new(Traffic::default()),
            credentials,
            config,
        }
    }

    /// The counters, with the requests, 429s and injected errors the entry counted.
    pub(crate) fn counters(&self) -> ZendeskCounters {
        let traffic = *crate::lock::lock(&self.traffic);
        ZendeskCounters {
            requests: traffic.requests,
            rate_limited: traffic.rate_limited,
            injected_errors: traffic.injected_errors,
            ..crate::lock::lock(&self.counters).clone()
        }
    }

    pub(crate) fn credentials(&self) -> ZendeskCredentials {
        let mut credentials = self.credentials.clone();
        credentials.oauth_redirect_uris = crate::lock::lock(&self.settings).redirect_uris.clone();
        credentials
    }
}

pub(crate) use crate::secret::sha;
