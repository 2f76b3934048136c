//! deskgate-api: the HTTP API, and nothing but the HTTP API.
//!
//! - [`router`] builds the whole axum [`Router`](axum::Router) from an [`AppState`]; it is the
//!   seam tests use, and the binary only serves it.
//! - `routes/`: one module per resource, each owning its routes and their OpenAPI entries.
//! - `extract/`: extractors named for what they guarantee ([`AuthTenant`](extract::AuthTenant),
//!   `ValidJson`, `ValidQuery`).
//! - `middleware/`: requests in flight and their ids, metrics around the inbound rate limits
//!   (`RateLimit` headers, 429 `rate_limited`) and the idempotency guard, logging of internal
//!   errors.
//! - [`Lifecycle`]: whether the process is draining before a shutdown (`/readyz` answers
//!   503 then), and how many requests are in flight.
//! - [`problem`]: [`ApiError`], the one error type, rendered as `application/problem+json`.
//! - `fuzzing` (hidden): entry points for the fuzz targets in `fuzz/` only.
//!
//! Handlers are thin: they translate HTTP to calls on [`deskgate_app::App`] and back. Only
//! this crate knows our API's status codes.

mod contract;
pub mod extract;
#[doc(hidden)]
pub mod fuzzing;
mod lifecycle;
mod middleware;
pub mod problem;
mod router;
mod routes;
mod state;

pub use lifecycle::Lifecycle;
pub use problem::ApiError;
pub use router::{openapi, router};
pub use state::AppState;
