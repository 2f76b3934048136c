//! Consent pages waiting for a decision: what each page was shown for, under a one-time
//! token the page's form carries, so a decision can only follow a page the sandbox served
//! for exactly those parameters. Each OAuth imitation keeps its own parameters `P`.
//!
//! Tokens are kept only as SHA-256 digests, like every OAuth secret in the sandbox. A token
//! is consumed by the first decision that presents it, whatever that decision's fate.

use std::collections::HashMap;

use serde::Deserialize;

use crate::secret::{mint, sha};

/// How long a consent page stays usable. No vendor documents it; a few minutes is enough
/// for a person and short enough that a forgotten tab cannot be replayed later.
pub(crate) const CONSENT_TTL_SECS: i64 = 300;

/// The resource owner's answer on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentDecision {
    /// Grant the access asked for: the client gets an authorization code.
    Approve,
    /// Refuse it: the client gets `error=access_denied`.
    Deny,
}

impl ConsentDecision {
    /// The value of the page's `decision` button.
    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "approve" => Some(Self::Approve),
            "deny" => Some(Self::Deny),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct Pending<P> {
    params: P,
    expires_at: i64,
}

/// The consent pages of one account that still await a decision.
#[derive(Debug)]
pub(crate) struct Consents<P> {
    pending: HashMap<[u8; 32], Pending<P>>,
}

impl<P> Default for Consents<P> {
    fn default() -> Self {
        Self {
            pending: HashMap::new(),
        }
    }
}

impl<P> Consents<P> {
    /// Records a page shown for `params` and returns the token its form carries. Pages that
    /// expired unanswered are forgotten here, so abandoned pages do not accumulate.
    pub(crate) fn issue(&mut self, params: P, now: i64) -> String {
        self.pending.retain(|_, p| now < p.expires_at);
        let token = mint();
        self.pending.insert(
            sha(&token),
            Pending {
                params,
                expires_at: now + CONSENT_TTL_SECS,
            },
        );
        token
    }

    /// Consumes a token: what its page was shown for, unless the token is unknown, already
    /// used or expired.
    pub(crate) fn take(&mut self, token: &str, now: i64) -> Option<P> {
        let pending = self.pending.remove(&sha(token))?;
        (now < pending.expires_at).then_some(pending.params)
    }
}
