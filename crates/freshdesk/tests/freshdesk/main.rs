//! deskgate-freshdesk against the sandbox's Freshdesk: the connect check and each of its
//! diagnoses, every resource, the 30-day and 300-page traps of the ticket list (a 3,500-ticket
//! walk while tickets change ahead of and behind the cursor), filters, validation errors,
//! rate limits, and ticket changes (scripted where the sandbox lacks the trash). Support code
//! unwraps like the tests do.

#![allow(clippy::unwrap_used)]

mod changes;
mod connect;
mod limits;
mod resources;
mod support;
mod tolerance;
mod walk;
