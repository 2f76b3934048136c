//! deskgate-freshdesk: the Freshdesk connector.
//!
//! It reaches `https://{domain}.freshdesk.com/api/v2/` only through the outbound engine
//! (`deskgate-upstream`), with one agent's API key, and speaks deskgate's normalized model
//! through the [`Connector`](deskgate_core::Connector) trait. Everything connectors share
//! (the call path, the emulated-filter scan, error classification, id checks) comes from
//! `deskgate-connector`; this crate holds only what is Freshdesk's.
//!
//! Layout:
//! - `provider`: [`FRESHDESK`], the [`ProviderSpec`](deskgate_connector::ProviderSpec) the
//!   app's registry references (auth mode, stored key, connect check, budget keys).
//! - `domain`: [`FreshdeskDomain`], a bare DNS label checked before any request.
//! - `auth`: the API-key call policy and the account check with its diagnoses.
//! - `client`: [`FreshdeskConnector`], the `Connector` implementation, and the request and
//!   numbered-list plumbing the resource modules share.
//! - `tickets`, `comments`, `directory` (agents, contacts, companies, groups), `tags`: one
//!   module per resource family.
//! - `changes`: what the sync reads: the ticket walk over live tickets, then over the trash,
//!   from a change cursor holding both positions.
//! - `wire`: Freshdesk's JSON, lenient where Freshdesk is. `map`: wire → model.
//! - `body`: model → request bodies; `multipart`: the form encoder for attachments.
//! - `paging`: the Link header, numbered cursors, and the ticket walk past the 300-page cap.
//! - `budget`: per-endpoint caps and request costs. `errors`: error bodies and hints.
//! - `capabilities`: the capability matrix.
//! - `fuzzing` (hidden): entry points for the fuzz targets in `fuzz/` only.

mod auth;
mod body;
mod budget;
mod capabilities;
mod changes;
mod client;
mod comments;
mod directory;
mod domain;
mod errors;
#[doc(hidden)]
pub mod fuzzing;
mod map;
mod multipart;
mod paging;
mod provider;
mod tags;
mod tickets;
mod wire;

pub use budget::EndpointCap;
pub use capabilities::capabilities;
pub use client::FreshdeskConnector;
pub use domain::{DomainError, FRESHDESK_DOMAIN, FreshdeskDomain};
pub use provider::{FRESHDESK, FreshdeskSettings, FreshdeskSpec};
