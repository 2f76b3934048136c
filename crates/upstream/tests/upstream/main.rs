//! Integration tests of deskgate-upstream: budget, stated endpoint caps, background work and
//! retries on tokio's paused clock with a scripted vendor; the SSRF corpus, body cap, request
//! events and webhook delivery with the real HTTP client against listeners on 127.0.0.1.

// Test helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

mod background;
mod budget;
mod credits;
mod endpoint_caps;
mod events;
mod replicas;
mod retry;
mod ssrf;
mod stated_caps;
mod streamed;
mod support;
mod webhooks;
mod wire;
