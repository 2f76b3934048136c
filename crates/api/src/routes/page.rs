//! The list envelope every collection answers with.

use serde::Serialize;
use utoipa::ToSchema;

/// One page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ListResponse<T> {
    pub(crate) data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub(crate) next_cursor: Option<String>,
}

/// Checks a `limit` query parameter: 1 to 100, 50 when absent.
pub(crate) fn limit(raw: Option<u32>) -> Result<u32, crate::ApiError> {
    match raw {
        None => Ok(50),
        Some(n @ 1..=100) => Ok(n),
        Some(n) => Err(crate::ApiError::invalid_query(
            "limit",
            format!("must be between 1 and 100, got {n}"),
        )),
    }
}
