//! deskgate-zendesk: the Zendesk Support connector.
//!
//! It reaches `https://{subdomain}.zendesk.com` only through the outbound engine
//! (`deskgate-upstream`), with one connection's typed credentials, and speaks deskgate's
//! normalized model through the [`Connector`](deskgate_core::Connector) trait.
//!
//! Layout:
//! - `subdomain`: [`ZendeskSubdomain`], a bare DNS label checked before any request.
//! - `auth/`: [`ZendeskAuth`] (API token, OAuth code + PKCE with rotating refresh tokens,
//!   client credentials), the authorize URL ([`AuthorizeRequest`]), and the token endpoint
//!   calls ([`ZendeskOAuth`]: code exchange, refresh, client-credentials mint, revoke). The
//!   token calls are hand-written rather than built on the `oauth2` crate: Zendesk's token
//!   endpoint takes a JSON body, which `oauth2` cannot send, and every call must go through
//!   our own engine anyway.
//! - `connect`: [`ConnectInput`] (what a connection is built from) and [`ZendeskHealth`].
//! - `client`: [`ZendeskConnector`], the `Connector` implementation.
//! - `capabilities`: operations per resource, filters native or emulated.
//! - `wire`: Zendesk's JSON, lenient where Zendesk is.
//! - `map`: wire → model (status, priority, type, channel tables).
//! - `decode`: [`map_ticket_page`], one vendor page read and mapped, for measuring.
//! - `body`: model → request bodies.
//! - `paging`: cursor pagination and the emulated-filter scan.
//! - `errors`: every documented error shape → `ConnectorError`, with diagnoses.

mod auth;
mod body;
mod capabilities;
mod client;
mod connect;
mod decode;
mod errors;
mod map;
mod paging;
mod subdomain;
mod wire;

pub use auth::{
    API_TOKEN_DEPRECATED_AFTER, API_TOKEN_MIGRATION_HINT, AuthorizeRequest, AuthorizeStart,
    OAuthClient, OAuthState, PkceVerifier, TokenLifetimes, ZendeskAuth, ZendeskOAuth,
};
pub use capabilities::capabilities;
pub use client::ZendeskConnector;
pub use connect::{ConnectInput, ZendeskHealth};
pub use decode::{map_ticket_page, map_ticket_page_via_values};
pub use subdomain::{SubdomainError, ZENDESK_DOMAIN, ZendeskSubdomain};
