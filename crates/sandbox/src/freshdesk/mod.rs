//! The Freshdesk (API v2) imitation. Each resource module owns its routes; `entry` resolves
//! the account and applies faults and credit limits in front of all of them. Ticket writes
//! run the account's automation rules (`automations`) that trigger webhooks
//! (`trigger_webhook`).

pub(crate) mod account;
mod attachments;
mod auth;
pub(crate) mod automations;
mod body;
mod context;
mod conversations;
pub(crate) mod counters;
pub(crate) mod credentials;
mod directory;
mod entry;
mod errors;
mod fields;
mod handle;
mod paging;
pub(crate) mod rate_limit;
mod record_id;
mod records;
mod render;
mod router;
mod seed;
mod ticket_input;
mod ticket_order;
mod tickets;
mod trigger_webhook;

pub(crate) use router::service;
