//! Extractors, named for what they guarantee.

pub(crate) mod auth;
mod json;
mod path;
mod query;
mod whole;

pub use auth::AuthTenant;
pub use json::ValidJson;
pub(crate) use json::{BODY_LIMIT, RawBody, is_json, too_large, unsupported_media_type};
pub use path::ValidPath;
pub use query::ValidQuery;
pub(crate) use whole::Whole;
