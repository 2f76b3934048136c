//! deskgate-zendesk against the sandbox: every resource and operation for each auth mode,
//! ticket changes from the incremental export (and, scripted, what the sandbox lacks), the
//! OAuth flows (PKCE, rotation, client credentials, revocation), a 10,000-ticket walk while
//! tickets change, and the diagnoses `check()` gives. Support code unwraps like the tests do.

#![allow(clippy::unwrap_used)]

mod changes;
mod diagnoses;
mod oauth;
mod paging;
mod resources;
mod support;
mod tolerance;
