//! Extractors, named for what they guarantee.

mod auth;
mod json;
mod query;

pub use auth::AuthTenant;
pub(crate) use json::BODY_LIMIT;
pub use json::ValidJson;
pub use query::ValidQuery;
