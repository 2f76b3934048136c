//! One module per resource; each owns its routes and their OpenAPI entries.

pub(crate) mod api_keys;
pub(crate) mod comments;
pub(crate) mod connect_page;
pub(crate) mod connect_schema;
pub(crate) mod connect_sessions;
pub(crate) mod connections;
pub(crate) mod connectors;
pub(crate) mod directory;
pub(crate) mod docs;
pub(crate) mod events;
pub(crate) mod health;
pub(crate) mod hooks;
pub(crate) mod oauth_apps;
pub(crate) mod page;
pub(crate) mod passthrough;
pub(crate) mod settings;
pub(crate) mod streamed;
pub(crate) mod syncs;
pub(crate) mod tickets;
pub(crate) mod webhook_endpoints;
