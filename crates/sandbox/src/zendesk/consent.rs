//! Consent pages waiting for a decision: what each page was shown for, under a one-time
//! token the page's form carries, so a decision can only follow a page the sandbox served
//! for exactly those parameters.
//!
//! Tokens are kept only as SHA-256 digests, like every OAuth secret in the sandbox. A token
//! is consumed by the first decision that presents it, whatever that decision's fate.

use std::collections::HashMap;

use serde::Deserialize;

use super::tokens::mint;
use crate::query::QueryParams;
use crate::secret::sha;

/// How long a consent page stays usable. Zendesk does not document it; a few minutes is
/// enough for a person and short enough that a forgotten tab cannot be replayed later.
pub(crate) const CONSENT_TTL_SECS: i64 = 300;

/// The authorize request's parameters, in the order the page's hidden fields repeat them.
const FIELDS: [&str; 7] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

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

/// The parameters of one authorize request, exactly as sent (absent ones stay absent), so
/// the decision's copy can be compared with the page's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthorizeParams {
    values: [Option<String>; FIELDS.len()],
}

impl AuthorizeParams {
    /// The first value of each parameter, as a query string or a form carries it.
    pub(crate) fn read(pairs: &QueryParams) -> Self {
        Self {
            values: FIELDS.map(|name| pairs.get(name).map(str::to_owned)),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        FIELDS
            .iter()
            .position(|f| *f == name)
            .and_then(|i| self.values[i].as_deref())
    }

    /// The parameters that were sent, as `(name, value)`.
    pub(crate) fn present(&self) -> impl Iterator<Item = (&'static str, &str)> {
        FIELDS
            .iter()
            .zip(&self.values)
            .filter_map(|(name, value)| value.as_deref().map(|v| (*name, v)))
    }
}

#[derive(Debug)]
struct Pending {
    params: AuthorizeParams,
    expires_at: i64,
}

/// The consent pages of one account that still await a decision.
#[derive(Debug, Default)]
pub(crate) struct Consents {
    pending: HashMap<[u8; 32], Pending>,
}

impl Consents {
    /// Records a page shown for `params` and returns the token its form carries. Pages that
    /// expired unanswered are forgotten here, so abandoned pages do not accumulate.
    pub(crate) fn issue(&mut self, params: AuthorizeParams, now: i64) -> String {
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
    pub(crate) fn take(&mut self, token: &str, now: i64) -> Option<AuthorizeParams> {
        let pending = self.pending.remove(&sha(token))?;
        (now < pending.expires_at).then_some(pending.params)
    }
}
