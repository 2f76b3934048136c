//! The `{id}` of a record path. Anything but a number names no record, which Freshdesk
//! answers with its bare 404.

use axum::extract::{FromRequestParts, Path};
use http::request::Parts;

use super::errors::FreshdeskError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordId(pub(crate) u64);

impl<S: Send + Sync> FromRequestParts<S> for RecordId {
    type Rejection = FreshdeskError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| FreshdeskError::NotFound)?;
        text.parse().map(Self).map_err(|_| FreshdeskError::NotFound)
    }
}
