//! Extractors, named for what they guarantee.

mod auth;
mod json;
mod query;

pub use auth::AuthTenant;
pub use json::ValidJson;
pub(crate) use json::{BODY_LIMIT, RawBody, too_large};
pub use query::ValidQuery;
