//! Authentication: the credential enum, the OAuth authorize step (PKCE S256 and `state`),
//! and the token endpoint calls (code exchange, rotating refresh, client credentials,
//! revocation), and the call policy that authorizes every request.

mod authorize;
mod credentials;
mod policy;
mod token;

pub use authorize::{AuthorizeRequest, AuthorizeStart};
pub use credentials::{
    API_TOKEN_DEPRECATED_AFTER, API_TOKEN_MIGRATION_HINT, OAuthClient, ZendeskAuth,
};
pub use deskgate_connector::pkce::{OAuthState, PkceVerifier};
pub(crate) use policy::ZendeskCalls;
pub(crate) use token::TOKEN_PATH;
pub use token::{TokenLifetimes, ZendeskOAuth};
