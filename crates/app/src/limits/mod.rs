//! Inbound limits (OWASP API4): what one API key, one tenant and one connection may ask of
//! this replica.
//!
//! - [`settings`]: [`LimitSettings`], the configured rates and cap, and their check.
//! - [`rates`]: request rates per API key and per tenant (GCRA, keyed, in memory), the
//!   stricter of the two deciding; what is left of each, for the answer's headers.
//! - [`in_flight`]: calls to a vendor in flight through one connection, capped; a
//!   [`CallPermit`] gives its slot back when dropped (completion, cancellation or panic).
//!
//! The rates use `governor` (keyed GCRA over a `DashMap`): an inbound limit has a fixed
//! quota and refuses at once, which is what that crate does. The outbound engine paces with a
//! GCRA of its own (`deskgate-upstream`, `budget/gcra.rs`) because there the rate changes at
//! runtime and a request waits for its slot up to a deadline, neither of which governor does.
//!
//! Both are per replica: nothing is shared through the database, so with N replicas behind a
//! load balancer a key may reach N times its configured rate (docs/security.md, "Inbound
//! limits", says how to set them).

pub mod in_flight;
pub mod rates;
pub mod settings;

pub use in_flight::{CallPermit, ConnectionCalls};
pub use rates::{Admission, Policy, RateLimits, Refusal, Remaining, Standing};
pub use settings::{LimitSettings, Rate};
