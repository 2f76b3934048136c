//! Connecting by a visit: what a tenant's end customer does on the hosted page.
//!
//! - `oauth_apps`: the tenant's own OAuth client per provider, its secret sealed.
//! - `sessions`: connect sessions — a short-lived link whose token is stored hashed,
//!   spent in the transaction that stores the connection it produced.
//! - `page`: what the hosted page shows and does: providers and modes from the registry's
//!   descriptions, posted forms checked with the vendor first, CSRF tokens, cancel.
//! - `oauth`: OAuth by redirect — the OAuth session (state hashed, PKCE verifier sealed,
//!   token URL kept), the authorize redirect and the callback that consumes the state once.
//! - `finish`: where the customer is sent back to, with what.

mod finish;
mod oauth;
mod oauth_apps;
mod page;
mod sessions;

pub use deskgate_store::connect_sessions::SessionStatus;
pub use finish::{Finish, Outcome};
pub use oauth::{CallbackParams, OAUTH_SESSION_LIFETIME};
pub use oauth_apps::{OAuthApp, OAuthAppInput};
pub use page::{
    FieldView, FormError, ModeView, PageAction, PageError, PageForm, PageView, ProviderView,
    Submitted,
};
pub use sessions::{
    ConnectSession, CreatedSession, EndUser, ListSessions, NewConnectSession, SESSION_LIFETIME,
};

use sha2::{Digest, Sha256};

/// SHA-256 of a secret a browser holds (a connect token, an OAuth `state`): what the store
/// keeps and looks up by.
pub(crate) fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Checks a text a tenant sets: 1 to `max` printable characters, not only spaces.
pub(crate) fn printable(field: &str, value: &str, max: usize) -> Result<(), crate::AppError> {
    if value.trim().is_empty() || value.chars().count() > max || value.chars().any(char::is_control)
    {
        return Err(crate::AppError::invalid(
            field,
            format!("must be 1 to {max} printable characters"),
        ));
    }
    Ok(())
}
