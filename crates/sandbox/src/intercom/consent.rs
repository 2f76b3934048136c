//! The parameters Intercom's authorize page is shown for: `client_id`, `redirect_uri`
//! (optional: the app's first registered URI when absent) and `state`. Scopes are not
//! sent; they are the app's permissions.

use crate::consent_store::{ShownFields, ShownParams};

/// The fields of Intercom's authorize request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthFields;

impl ShownFields for OAuthFields {
    const NAMES: &'static [&'static str] = &["client_id", "redirect_uri", "state"];
}

/// The request's parameters, exactly as sent.
pub(crate) type OAuthParams = ShownParams<OAuthFields>;
