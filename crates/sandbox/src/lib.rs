//! `deskgate-sandbox`: faithful local imitations of the helpdesk vendors' HTTP APIs.
//!
//! The sandbox is an axum server that behaves like Zendesk Support, Freshdesk and Intercom closely
//! enough that a connector which passes against it works against the real vendor: the same
//! paths, JSON field names and error bodies, the vendors' authentication (Zendesk API tokens
//! and OAuth with rotating refresh tokens; Freshdesk API keys), their pagination (Zendesk
//! cursors and offsets, incremental export; Freshdesk pages with `Link` headers, the 30-day
//! default window and the 300-page cap; Intercom's keyset cursors and search query
//! language), their limits (per minute with `Retry-After`; Intercom's 10-second windows),
//! Intercom's regional hosts, bearer tokens and OAuth, and injectable faults. It is written from the vendors' documentation and shares no code with
//! the connectors, so that a misreading of a vendor is not mirrored on both sides.
//!
//! Layout:
//! - [`config`]: what accounts to seed ([`SandboxConfig`]).
//! - [`sandbox`]: the shared state handle ([`Sandbox`]) with its accessors for tests.
//! - `server`: [`router`], [`serve`] and [`spawn`] (a background server on port 0).
//! - `control/`: the `/_sandbox/...` control API (not part of any vendor's surface), one
//!   module per vendor.
//! - The vendor-neutral shell every imitation uses: `route` (which vendor and account a
//!   request is for, by path prefix or Host), `registry` (accounts by label), `context`
//!   (the per-request context), `traffic` (request counts and fault application at entry),
//!   `window` (per-minute budgets), `collection` (lazily seeded records with an overlay of
//!   changes), `label` (account label checks), `basic_auth`, `multipart`, `html`,
//!   `timestamp`, `secret` (derived fake secrets), `mix` and `words` (seeding material).
//! - [`clock`]: the injectable clock used for expiry, rate-limit windows and timestamps.
//! - [`fault`]: fault injection (5xx, delays, 429 without `Retry-After`).
//! - `zendesk/`: the Zendesk imitation, one module per concern (seeding, auth, OAuth and
//!   its consent page, tickets, users, pagination, errors, rate limits, ...).
//! - `freshdesk/`: the Freshdesk imitation, likewise (seeding, auth, tickets and their
//!   ordering, conversations, directory, paging, credits, errors, ...).
//! - `intercom/`: the Intercom imitation (regional hosts, workspaces found by bearer token,
//!   seeding, tickets and their search, conversations, directory, OAuth, errors, ...).
//! - `outbound/`: the webhooks the imitations send (Zendesk's Webhooks API, Freshdesk's
//!   automation webhooks, Intercom's app topics): posting in the background with retries,
//!   and the log of deliveries tests read.
//! - `redirect`, `consent_store`: OAuth pieces shared by the Zendesk and Intercom imitations
//!   (redirect-URI matching, one-time consent tokens).
//! - `summary`: a short human summary of the seeded accounts for the CLI.

mod basic_auth;
pub mod clock;
mod collection;
pub mod config;
mod consent_store;
mod context;
mod control;
pub mod fault;
mod freshdesk;
mod html;
mod intercom;
mod label;
mod lock;
mod mix;
mod multipart;
mod outbound;
mod query;
pub mod recorder;
mod redirect;
mod registry;
mod route;
pub mod sandbox;
mod secret;
mod server;
mod summary;
mod timestamp;
mod traffic;
mod window;
mod words;
mod zendesk;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    FreshdeskAccountConfig, FreshdeskRateLimits, IntercomRegion, IntercomWorkspaceConfig,
    SandboxConfig, ZendeskAccountConfig,
};
pub use consent_store::ConsentDecision;
pub use fault::FaultConfig;
pub use freshdesk::automations::{AutomationEvent, FreshdeskAutomation};
pub use freshdesk::counters::FreshdeskCounters;
pub use freshdesk::credentials::FreshdeskCredentials;
pub use intercom::app_webhooks::{IntercomApp, IntercomWebhook};
pub use intercom::counters::IntercomCounters;
pub use intercom::credentials::IntercomCredentials;
pub use outbound::{DeliveryState, WebhookAttempt, WebhookDelivery};
pub use sandbox::{Sandbox, SandboxError};
pub use server::{RunningSandbox, router, serve, spawn, spawn_with};
pub use zendesk::counters::ZendeskCounters;
pub use zendesk::credentials::ZendeskCredentials;
