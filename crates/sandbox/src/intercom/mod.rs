//! The Intercom (REST API 2.16) imitation. `entry` finds the host and the workspace (by
//! bearer token) and applies faults, the version header and the 10-second rate window in
//! front of every route; each resource module owns its routes. Writes notify the apps'
//! webhooks (`app_webhooks`, `notifications`); deletions are listed by `deletions`.

pub(crate) mod app_webhooks;
mod body;
mod consent;
mod contacts;
mod context;
mod conversation_parts;
mod conversations;
pub(crate) mod counters;
pub(crate) mod credentials;
mod data;
mod deletions;
mod directory;
mod entry;
mod errors;
mod handle;
mod notifications;
mod oauth;
mod paging;
mod records;
mod render;
mod reply;
mod router;
pub(crate) mod scope;
mod search;
mod seed;
mod ticket_parts;
mod ticket_search;
mod tickets;
mod tokens;
pub(crate) mod workspace;

pub(crate) use router::service;
