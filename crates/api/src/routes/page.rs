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

/// Builds a page request from the parameters every list takes.
pub(crate) fn request<F>(
    limit_raw: Option<u32>,
    updated_after: Option<chrono::DateTime<chrono::Utc>>,
    include_remote_data: Option<bool>,
    filter: F,
) -> Result<deskgate_core::PageRequest<F>, crate::ApiError> {
    let limit = limit(limit_raw)?;
    let limit = deskgate_core::page::Limit::try_from(limit)
        .map_err(|e| crate::ApiError::invalid_query("limit", e.to_string()))?;
    Ok(deskgate_core::PageRequest {
        cursor: None,
        limit,
        updated_after,
        filter,
        include_remote_data: include_remote_data.unwrap_or(false),
    })
}

/// The list envelope from a connector page.
pub(crate) fn envelope<T>(listed: deskgate_app::connections::Listed<T>) -> ListResponse<T> {
    ListResponse {
        data: listed.items,
        next_cursor: listed.next_cursor,
    }
}
