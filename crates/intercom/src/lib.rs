//! deskgate-intercom: the Intercom connector.
//!
//! It reaches one of Intercom's three regional API hosts (`api.intercom.io`,
//! `api.eu.intercom.io`, `api.au.intercom.io`) only through the outbound engine
//! (`deskgate-upstream`), with a bearer token and `Intercom-Version: 2.16` pinned on every
//! call, and speaks deskgate's normalized model through the
//! [`Connector`](deskgate_core::Connector) trait. What connectors share (the call path, the
//! emulated-filter scan, error classification) comes from `deskgate-connector`; this crate
//! holds only what is Intercom's.
//!
//! Layout:
//! - `provider`: [`INTERCOM`], the [`ProviderSpec`](deskgate_connector::ProviderSpec) the
//!   app's registry references (the region field, the OAuth and access-token modes, stored
//!   token and settings, the connect check, budget keys).
//! - `region`: [`Region`], `us|eu|au` and each one's fixed host.
//! - `auth/`: the bearer policy (`policy`), the `/me` check (`check`), the OAuth legs
//!   (`oauth`).
//! - `client`: [`IntercomConnector`], the `Connector` implementation, and the request and
//!   search plumbing the resource modules share.
//! - `tickets`, `comments` (ticket parts), `directory` (admins, contacts, companies, teams),
//!   `tags`: one module per resource family.
//! - `wire`: Intercom's JSON. `map`: wire → model. `html`: message bodies as text.
//! - `changes`: what the sync reads: ticket search on `updated_at`, then the deleted
//!   conversations, from one change cursor. `hooks`: Intercom's webhook signature
//!   (HMAC-SHA1 of the body with the app's client secret).
//! - `search`: search bodies and their limits. `paging`: cursors. `ids`: id checks.
//! - `errors`: error bodies and hints. `capabilities`: the capability matrix.
//! - `fuzzing` (hidden): entry points for the fuzz targets in `fuzz/` only.
//!
//! Conversations (Intercom's messenger threads) are not exposed: deskgate's model has no
//! conversation resource, and a conversation is not a ticket until Intercom converts it.

mod auth;
mod capabilities;
mod changes;
mod client;
mod comments;
mod directory;
mod errors;
#[doc(hidden)]
pub mod fuzzing;
mod hooks;
mod html;
mod ids;
mod map;
mod paging;
mod provider;
mod region;
mod search;
mod tags;
mod tickets;
mod wire;

pub use capabilities::capabilities;
pub use client::{IntercomConnector, connect_budget, workspace_budget};
pub use provider::{INTERCOM, IntercomSettings, IntercomSpec};
pub use region::{Region, RegionError};

/// The `Intercom-Version` every call sends.
pub const INTERCOM_VERSION: &str = auth::INTERCOM_VERSION;

#[cfg(test)]
mod request_tests;
#[cfg(test)]
mod tolerance_tests;
