//! The parameters Intercom's authorize page is shown for: `client_id`, `redirect_uri`
//! (optional: the app's first registered URI when absent) and `state`. Scopes are not
//! sent; they are the app's permissions.

use crate::query::QueryParams;

const FIELDS: [&str; 3] = ["client_id", "redirect_uri", "state"];

/// The request's parameters, exactly as sent (absent ones stay absent), so that the
/// decision's copy can be compared with the page's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthParams {
    values: [Option<String>; FIELDS.len()],
}

impl OAuthParams {
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
