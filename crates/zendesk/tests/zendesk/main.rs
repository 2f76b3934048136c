//! deskgate-zendesk against the sandbox: every resource and operation for each auth mode,
//! the OAuth flows (PKCE, rotation, client credentials, revocation), a 10,000-ticket walk
//! while tickets change, and the diagnoses `check()` gives. Support code unwraps like the tests do.

#![allow(clippy::unwrap_used)]

mod diagnoses;
mod oauth;
mod paging;
mod resources;
mod support;
