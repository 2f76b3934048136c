//! Vendor webhooks in: how a provider's notifications to `/hooks/{provider}/{token}` prove
//! they come from the vendor. A notification only makes a connection's sync run sooner; the
//! poll is the truth, so a refused one loses nothing.
//!
//! The path token (random, stored hashed) names the connection and is checked by the app
//! first. A provider whose vendor signs its webhooks checks the signature here, with the
//! secret the app holds for the connection.

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;
use secrecy::SecretString;

/// How far a signed timestamp may be from now, either way.
pub const HOOK_TOLERANCE: Duration = Duration::from_secs(300);

/// Which secret verifies a provider's webhooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookSecret {
    /// None: the path token is the only proof (the vendor does not sign).
    PathToken,
    /// A secret the vendor shows for the webhook (Zendesk's signing secret), which the tenant
    /// sets on the connection.
    WebhookSecret,
    /// The OAuth app's client secret (Intercom): the tenant's OAuth app for the provider, or
    /// one set on the connection.
    ClientSecret,
}

/// How a provider's webhooks are verified, for the API reference and the connection's view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HookScheme {
    pub secret: HookSecret,
    /// One sentence: what is signed and where the signature travels.
    pub summary: &'static str,
}

/// One notification as it arrived.
#[derive(Clone, Copy, Debug)]
pub struct InboundHook<'a> {
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub now: DateTime<Utc>,
}

/// Why a notification was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HookRefusal {
    /// No signature header, or one that does not parse.
    #[error("the notification is not signed")]
    Unsigned,
    /// The signature does not match the body with the connection's secret.
    #[error("the notification's signature does not match")]
    BadSignature,
    /// The signed timestamp is too far from now.
    #[error("the notification's timestamp is too old or in the future")]
    Stale,
    /// The provider signs its webhooks but no secret is set to check them.
    #[error("no secret is set to verify this provider's notifications")]
    NoSecret,
}

impl HookRefusal {
    /// A stable name for metrics and logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            HookRefusal::Unsigned => "unsigned",
            HookRefusal::BadSignature => "bad_signature",
            HookRefusal::Stale => "stale",
            HookRefusal::NoSecret => "no_secret",
        }
    }
}

/// The secret a provider's signature is checked with, if one is set.
pub type HookKey<'a> = Option<&'a SecretString>;
