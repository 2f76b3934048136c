//! The Zendesk Support imitation. Each resource module owns its routes; `entry` resolves
//! the account and applies faults and rate limits in front of all of them. Ticket writes
//! become `zen:event-type:ticket.*` events (`ticket_events`) that the Webhooks API's
//! webhooks (`webhooks`, `webhook_input`, `webhook_store`) receive signed
//! (`webhook_delivery`).

pub(crate) mod account;
mod auth;
mod authorize;
mod comments;
pub(crate) mod consent;
mod consent_page;
pub(crate) mod context;
pub(crate) mod counters;
pub(crate) mod credentials;
mod entry;
mod errors;
mod groups;
mod incremental;
mod listing;
mod oauth;
mod organizations;
mod paging;
mod records;
mod render;
mod router;
mod seed;
mod tags;
mod ticket_events;
mod ticket_write;
mod tickets;
mod tokens;
mod uploads;
mod users;
mod webhook_delivery;
mod webhook_input;
pub(crate) mod webhook_store;
mod webhooks;

pub(crate) use authorize::consent_without_page;
pub(crate) use router::service;
