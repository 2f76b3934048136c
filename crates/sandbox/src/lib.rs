//! `deskgate-sandbox`: faithful local imitations of the helpdesk vendors' HTTP APIs.
//!
//! The sandbox is an axum server that behaves like Zendesk Support closely enough that a
//! connector which passes against it works against the real vendor: the same paths (with and
//! without `.json`), the same JSON field names and error bodies, API-token and OAuth
//! authentication with rotating refresh tokens, cursor and offset pagination, incremental
//! export, per-minute rate limits with `Retry-After`, and injectable faults. It is written
//! from the vendors' documentation and shares no code with the connectors, so that a
//! misreading of a vendor is not mirrored on both sides.
//!
//! Layout:
//! - [`config`]: what accounts to seed ([`SandboxConfig`]).
//! - [`sandbox`]: the shared state handle ([`Sandbox`]) with its accessors for tests.
//! - `server`: [`router`], [`serve`] and [`spawn`] (a background server on port 0).
//! - `control`: the `/_sandbox/...` control API (not part of any vendor's surface).
//! - [`clock`]: the injectable clock used for expiry, rate-limit windows and timestamps.
//! - [`fault`]: fault injection (5xx, delays, 429 without `Retry-After`).
//! - `zendesk/`: the Zendesk imitation, one module per concern (seeding, auth, OAuth,
//!   tickets, users, pagination, errors, rate limits, ...).
//! - `summary`: a short human summary of the seeded accounts for the CLI.

pub mod clock;
pub mod config;
mod control;
pub mod fault;
mod lock;
mod query;
pub mod sandbox;
mod server;
mod summary;
mod zendesk;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{SandboxConfig, ZendeskAccountConfig};
pub use fault::FaultConfig;
pub use sandbox::{Sandbox, SandboxError};
pub use server::{RunningSandbox, router, serve, spawn, spawn_with};
pub use zendesk::counters::ZendeskCounters;
pub use zendesk::credentials::ZendeskCredentials;
