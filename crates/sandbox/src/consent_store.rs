//! Consent pages waiting for a decision: what each page was shown for, under a one-time
//! token the page's form carries, so a decision can only follow a page the sandbox served
//! for exactly those parameters. Each OAuth imitation keeps its own parameters `P`.
//!
//! Tokens are kept only as SHA-256 digests, like every OAuth secret in the sandbox. A token
//! is consumed by the first decision that presents it, whatever that decision's fate.

use std::collections::HashMap;
use std::marker::PhantomData;

use serde::Deserialize;

use crate::query::QueryParams;
use crate::secret::{mint, sha};

/// The parameters a vendor's authorize page is shown for, in the order the page's hidden
/// fields repeat them.
pub(crate) trait ShownFields {
    const NAMES: &'static [&'static str];
}

/// One authorize request's parameters, exactly as sent (absent ones stay absent), so that
/// a decision's copy can be compared with the page's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShownParams<F> {
    values: Vec<Option<String>>,
    fields: PhantomData<F>,
}

impl<F: ShownFields> ShownParams<F> {
    /// The first value of each parameter, as a query string or a form carries it.
    pub(crate) fn read(pairs: &QueryParams) -> Self {
        Self {
            values: F::NAMES
                .iter()
                .map(|name| pairs.get(name).map(str::to_owned))
                .collect(),
            fields: PhantomData,
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        F::NAMES
            .iter()
            .position(|f| *f == name)
            .and_then(|i| self.values[i].as_deref())
    }

    /// The parameters that were sent, as `(name, value)`.
    pub(crate) fn present(&self) -> impl Iterator<Item = (&'static str, &str)> {
        F::NAMES
            .iter()
            .zip(&self.values)
            .filter_map(|(name, value)| value.as_deref().map(|v| (*name, v)))
    }
}

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
