//! The workspace's app webhooks: in Intercom an app's webhook URL and topics are set in the
//! Developer Hub, not through the API, so the control API sets them here. There are two
//! apps a workspace's data reaches: the public OAuth app (its tokens come from the OAuth
//! flow) and the private app that owns the access token; each has one URL and its topics,
//! and signs with its own client secret.

use serde::{Deserialize, Serialize};

use crate::sandbox::SandboxError;

/// Which app of the workspace a webhook belongs to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntercomApp {
    /// The public app behind the OAuth flow (`oauth_client_id`/`oauth_client_secret`).
    #[default]
    Oauth,
    /// The private app that owns the workspace's access token
    /// (`private_app_client_id`/`private_app_client_secret`).
    PrivateApp,
}

impl IntercomApp {
    /// `oauth` or `private_app`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oauth => "oauth",
            Self::PrivateApp => "private_app",
        }
    }
}

/// The topics Intercom offers that the sandbox accepts (it sends the ticket and
/// conversation ones marked in `docs/sandbox.md`, and `ping`).
pub(crate) const TOPICS: [&str; 31] = [
    "ticket.created",
    "ticket.note.created",
    "ticket.state.updated",
    "ticket.contact.attached",
    "ticket.contact.detached",
    "ticket.admin.assigned",
    "ticket.team.assigned",
    "ticket.attribute.updated",
    "ticket.admin.replied",
    "ticket.contact.replied",
    "conversation.user.created",
    "conversation.user.replied",
    "conversation.admin.replied",
    "conversation.admin.single.created",
    "conversation.admin.assigned",
    "conversation.admin.noted",
    "conversation.admin.closed",
    "conversation.admin.opened",
    "conversation.admin.snoozed",
    "conversation.admin.unsnoozed",
    "conversation.deleted",
    "conversation.part.redacted",
    "conversation.part.tag.created",
    "contact.user.created",
    "contact.user.updated",
    "contact.lead.created",
    "contact.deleted",
    "contact.tag.created",
    "company.created",
    "company.updated",
    "ping",
];

/// An app's webhook: where its notifications go and which topics it subscribes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntercomWebhook {
    pub url: String,
    pub topics: Vec<String>,
    /// The app it belongs to; the OAuth app when not named.
    #[serde(default)]
    pub app: IntercomApp,
}

impl IntercomWebhook {
    pub(crate) fn validate(&self) -> Result<(), SandboxError> {
        let url = url::Url::parse(&self.url).ok();
        if !url.is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some()) {
            return Err(SandboxError::InvalidConfig(format!(
                "url {:?} is not an http or https URL",
                self.url
            )));
        }
        if let Some(topic) = self.topics.iter().find(|t| !TOPICS.contains(&t.as_str())) {
            return Err(SandboxError::InvalidConfig(format!(
                "unknown topic {topic:?}"
            )));
        }
        Ok(())
    }

    /// Whether a notification on `topic` goes to this webhook (`ping` always does).
    pub(crate) fn receives(&self, topic: &str) -> bool {
        topic == "ping" || self.topics.iter().any(|t| t == topic)
    }
}

#[derive(Debug, Default)]
pub(crate) struct AppWebhooks {
    oauth: Option<IntercomWebhook>,
    private_app: Option<IntercomWebhook>,
}

impl AppWebhooks {
    fn slot(&mut self, app: IntercomApp) -> &mut Option<IntercomWebhook> {
        match app {
            IntercomApp::Oauth => &mut self.oauth,
            IntercomApp::PrivateApp => &mut self.private_app,
        }
    }

    pub(crate) fn set(&mut self, webhook: IntercomWebhook) {
        let app = webhook.app;
        *self.slot(app) = Some(webhook);
    }

    pub(crate) fn remove(&mut self, app: IntercomApp) -> bool {
        self.slot(app).take().is_some()
    }

    /// Both apps' webhooks, the OAuth app's first.
    pub(crate) fn all(&self) -> Vec<IntercomWebhook> {
        self.oauth
            .iter()
            .chain(&self.private_app)
            .cloned()
            .collect()
    }
}
