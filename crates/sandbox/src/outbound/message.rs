//! One webhook a vendor sends: its destination, what it is about, and how each attempt
//! looks.

use std::fmt;
use std::time::Duration;

/// The headers and body of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outgoing {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

/// Builds the attempt numbered `n` (from 1). Zendesk signs a timestamp taken when the
/// attempt is made, and Intercom counts `delivery_attempts` in the body, so an attempt is
/// built when it is made, not once.
pub(crate) type Attempt = Box<dyn Fn(u32) -> Outgoing + Send + Sync>;

/// A webhook to post.
pub(crate) struct Message {
    /// `zendesk`, `freshdesk` or `intercom`.
    pub(crate) vendor: &'static str,
    /// The account's label (subdomain, domain or workspace name).
    pub(crate) account: String,
    /// Which subscription sends it: a Zendesk webhook id, a Freshdesk automation id, an
    /// Intercom app.
    pub(crate) target: String,
    /// The event type or topic.
    pub(crate) event: String,
    pub(crate) url: String,
    /// How long one attempt may take, answer included.
    pub(crate) timeout: Duration,
    pub(crate) attempt: Attempt,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("vendor", &self.vendor)
            .field("account", &self.account)
            .field("target", &self.target)
            .field("event", &self.event)
            .field("url", &self.url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
