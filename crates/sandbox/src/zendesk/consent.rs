//! The parameters a Zendesk consent page is shown for, and the decision on it. The pages
//! awaiting a decision are kept by the shared `consent_store`.

use crate::query::QueryParams;

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

pub(crate) use crate::consent_store::ConsentDecision;

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

/// The consent pages of one account that still await a decision.
pub(crate) type Consents = crate::consent_store::Consents<AuthorizeParams>;
