//! One module per resource; each owns its routes and their OpenAPI entries.

pub(crate) mod api_keys;
pub(crate) mod docs;
pub(crate) mod health;
pub(crate) mod page;
