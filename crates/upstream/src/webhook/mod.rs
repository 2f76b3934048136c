//! Delivering a tenant's webhooks: the same egress guard as vendor calls (https only, public
//! addresses only, resolved and pinned, no redirects, no proxy), a capped read of the answer,
//! a timeout for the whole attempt.
//!
//! A tenant's URL is untrusted input. Plain `http`, and loopback addresses at all, are
//! allowed only when the operator turned them on for development
//! ([`WebhookPolicy::allow_loopback_http`]). The sandbox override never applies here: a
//! tenant's URL is never rewritten, and the sandbox's exemption from the address policy is
//! not the webhooks'.
//!
//! Layout: `policy` (what an operator allows, and the check of a URL), `delivery` (the sender, its client and
//! its one event per delivery).

mod delivery;
mod policy;

pub(crate) use delivery::WebhookSender;
pub use delivery::{Delivery, DeliveryAnswer, DeliveryError};
pub use policy::{WebhookPolicy, WebhookUrlError, check_webhook_url};
