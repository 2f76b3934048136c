//! Webhooks the sandbox sends, as the vendors send theirs: Zendesk's Webhooks API
//! subscriptions, Freshdesk's automation "Trigger Webhook" actions and Intercom's app
//! webhook topics all end here. Each vendor builds its messages (payload, headers and
//! signature, in `zendesk/`, `freshdesk/` and `intercom/`); this module posts them.
//!
//! - `sender`: [`Outbound`], one per sandbox: posts each message in a task of its own, so
//!   no API call waits on a receiver, retries failures after the sandbox's short delays,
//!   and keeps count of the deliveries still going.
//! - `message`: what a vendor hands over: where to, which event, and how to build each
//!   attempt (signing vendors stamp every attempt anew).
//! - `log`: the recent deliveries with every attempt and its outcome, for tests to read
//!   ([`WebhookDelivery`]).
//! - `handle`: the [`crate::Sandbox`] accessors for all of this.

mod handle;
mod log;
mod message;
mod sender;

pub use log::{DeliveryState, WebhookAttempt, WebhookDelivery};
pub(crate) use message::{Message, Outgoing};
pub(crate) use sender::Outbound;
