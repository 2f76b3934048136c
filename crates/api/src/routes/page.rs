//! The list envelope every collection answers with, and the one path every connector list
//! takes through the app.

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;

use axum::Json;
use chrono::{DateTime, Utc};
use deskgate_app::connections::ListAt;
use deskgate_core::{Connector, ConnectorError, Page, PageRequest};
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::AuthTenant;
use crate::routes::connections::connection_id;
use crate::{ApiError, AppState};

/// One page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ListResponse<T> {
    pub(crate) data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub(crate) next_cursor: Option<String>,
}

/// The largest page a list answers.
pub(crate) const LIMIT_MAX: u32 = 100;
/// The page size when `limit` is absent.
pub(crate) const LIMIT_DEFAULT: u32 = 50;

/// Checks a `limit` query parameter: 1 to [`LIMIT_MAX`], [`LIMIT_DEFAULT`] when absent.
pub(crate) fn limit(raw: Option<u32>) -> Result<u32, ApiError> {
    match raw {
        None => Ok(LIMIT_DEFAULT),
        Some(n @ 1..=LIMIT_MAX) => Ok(n),
        Some(n) => Err(ApiError::invalid_query(
            "limit",
            format!("must be between 1 and 100, got {n}"),
        )),
    }
}

/// Cuts rows read with `limit + 1` down to a page of `limit`; the cursor of its last row
/// when there were more.
pub(crate) fn next_cursor<T>(
    rows: &mut Vec<T>,
    limit: u32,
    cursor: impl Fn(&T) -> String,
) -> Option<String> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    if more { rows.last().map(cursor) } else { None }
}

/// Builds a page request from the parameters every list takes.
pub(crate) fn request<F>(
    limit_raw: Option<u32>,
    updated_after: Option<DateTime<Utc>>,
    include_remote_data: Option<bool>,
    filter: F,
) -> Result<PageRequest<F>, ApiError> {
    let limit = limit(limit_raw)?;
    let limit = deskgate_core::page::Limit::try_from(limit)
        .map_err(|e| ApiError::invalid_query("limit", e.to_string()))?;
    Ok(PageRequest {
        cursor: None,
        limit,
        updated_after,
        filter,
        include_remote_data: include_remote_data.unwrap_or(false),
    })
}

/// What every connector list takes besides its own filters.
#[derive(Debug)]
pub(crate) struct Window<'a> {
    /// Names the list for its cursors: `tickets`, `comments/{ticket_id}`.
    pub(crate) list: &'a str,
    pub(crate) cursor: Option<&'a str>,
    pub(crate) limit: Option<u32>,
    pub(crate) updated_after: Option<DateTime<Utc>>,
    pub(crate) include_remote_data: Option<bool>,
}

/// Runs one connector operation on a connection (its id as the path gave it) and answers its
/// result as JSON: the shape of every single-object read and of most writes.
pub(crate) async fn one<T, F, Fut>(
    state: &AppState,
    auth: &AuthTenant,
    id: &str,
    op: F,
) -> Result<Json<T>, ApiError>
where
    F: FnOnce(Arc<dyn Connector>) -> Fut,
    Fut: Future<Output = Result<T, ConnectorError>>,
{
    let id = connection_id(id)?;
    Ok(Json(state.app.call(auth.tenant, id, &auth.ctx, op).await?))
}

/// Lists one page of a connection's resource and wraps it in the envelope. The cursor's
/// scope is the list and its filters, so a cursor only continues the list that issued it.
pub(crate) async fn list<T, Flt, F, Fut>(
    state: &AppState,
    auth: &AuthTenant,
    id: &str,
    window: Window<'_>,
    filter: Flt,
    op: F,
) -> Result<Json<ListResponse<T>>, ApiError>
where
    Flt: Debug,
    F: FnOnce(Arc<dyn Connector>, PageRequest<Flt>) -> Fut,
    Fut: Future<Output = Result<Page<T>, ConnectorError>>,
{
    let id = connection_id(id)?;
    let scope = format!("{}|{:?}|{filter:?}", window.list, window.updated_after);
    let request = request(
        window.limit,
        window.updated_after,
        window.include_remote_data,
        filter,
    )?;
    let at = ListAt {
        scope: &scope,
        cursor: window.cursor,
    };
    let listed = state
        .app
        .list(auth.tenant, id, &auth.ctx, at, request, op)
        .await?;
    Ok(Json(ListResponse {
        data: listed.items,
        next_cursor: listed.next_cursor,
    }))
}
