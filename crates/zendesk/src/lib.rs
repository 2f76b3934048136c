//! deskgate-zendesk: the Zendesk Support connector.
//!
//! It reaches `https://{subdomain}.zendesk.com` only through the outbound engine
//! (`deskgate-upstream`), with one connection's typed credentials, and speaks deskgate's
//! normalized model through the [`Connector`](deskgate_core::Connector) trait.
//!
//! Layout:
//! - `provider`: [`ZENDESK`], Zendesk described once for the app's registry (auth modes and
//!   their fields, stored credentials ⇄ [`ZendeskAuth`], the connect check, renewal,
//!   revocation, the API-token deadline, the rate-budget key).
//! - `subdomain`: [`ZendeskSubdomain`], a bare DNS label checked before any request.
//! - `auth/`: [`ZendeskAuth`] (API token, OAuth code + PKCE with rotating refresh tokens,
//!   client credentials), the authorize URL ([`AuthorizeRequest`]), the token endpoint
//!   calls ([`ZendeskOAuth`]: code exchange, refresh, client-credentials mint, revoke), and
//!   the call policy that authorizes requests. The token calls are hand-written rather than
//!   built on the `oauth2` crate: Zendesk's token endpoint takes a JSON body, which `oauth2`
//!   cannot send, and every call must go through our own engine anyway.
//! - `connect`: [`ConnectInput`], what a connector is built from.
//! - `client`: [`ZendeskConnector`], the `Connector` implementation over the shared call
//!   path, and the reads every resource family shares; `tickets`, `comments`, `directory`
//!   (users, contacts, organizations, groups) and `tags` hold one family each.
//! - `changes`: what the sync reads: the cursor-based incremental ticket export, under its
//!   own 10-a-minute budget, deleted tickets included.
//! - `hooks`: Zendesk's webhook signature (HMAC-SHA256 over timestamp and body).
//! - `capabilities`: operations per resource, filters native or emulated.
//! - `wire`: Zendesk's JSON, lenient where Zendesk is.
//! - `map`: wire → model (status, priority, type, channel tables).
//! - `decode`: [`map_ticket_page`], one vendor page read and mapped, for measuring.
//! - `body`: model → request bodies.
//! - `paging`: cursor pagination (the emulated-filter scan is `deskgate_connector::scan`).
//! - `errors`: every documented error shape → `ConnectorError`, with diagnoses.
//! - `fuzzing` (hidden): entry points for the fuzz targets in `fuzz/` only.

mod auth;
mod body;
mod capabilities;
mod changes;
mod client;
mod comments;
mod connect;
mod decode;
mod directory;
mod errors;
#[doc(hidden)]
pub mod fuzzing;
mod hooks;
mod map;
mod paging;
mod provider;
mod subdomain;
mod tags;
mod tickets;
mod wire;

pub use auth::{
    API_TOKEN_DEPRECATED_AFTER, API_TOKEN_MIGRATION_HINT, AuthorizeRequest, AuthorizeStart,
    OAuthClient, OAuthState, PkceVerifier, TokenLifetimes, ZendeskAuth, ZendeskOAuth,
};
pub use capabilities::capabilities;
pub use client::ZendeskConnector;
pub use connect::ConnectInput;
pub use decode::{map_ticket_page, map_ticket_page_streamed, map_ticket_page_via_values};
pub use provider::{DEFAULT_SCOPE, ZENDESK, ZendeskSettings, ZendeskSpec, stored};
pub use subdomain::{SubdomainError, ZENDESK_DOMAIN, ZendeskSubdomain};
