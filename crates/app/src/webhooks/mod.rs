//! The tenant's webhook endpoints and the signed, durable delivery of events to them, per
//! the Standard Webhooks specification.
//!
//! - [`endpoints`]: registering, changing, deleting endpoints and rotating their secret.
//! - [`secrets`]: the signing secrets in the vault (sealed per endpoint, re-wrapped).
//! - [`signing`]: the Standard Webhooks body, headers and `v1` signatures.
//! - [`send`]: one attempt through the engine's egress guard, and how it ended.
//! - [`schedule`]: when a failed delivery is tried again.
//! - [`worker`]: the delivery workers every replica runs over the store's outbox.
//! - [`health`]: disabling an endpoint that answers 410 or fails for too long.
//! - [`ping`]: the test webhook. [`resend`]: sending again. [`attempts`]: the attempt log.
//! - [`settings`]: how delivery runs ([`WebhookSettings`]).

pub mod attempts;
pub mod endpoints;
mod health;
pub mod ping;
pub mod resend;
mod schedule;
mod secrets;
mod send;
pub mod settings;
pub mod signing;
mod worker;

pub use attempts::ListAttempts;
pub use deskgate_store::webhooks::AttemptView;
pub use endpoints::{EndpointPatch, EndpointWithSecret, NewEndpoint, WebhookEndpoint};
pub use ping::PingOutcome;
pub use settings::{InvalidWebhookSettings, WebhookSettings};
pub(crate) use worker::Deliveries;
