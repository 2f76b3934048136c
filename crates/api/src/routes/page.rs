//! The list envelope every collection answers with, and the one path every connector list
//! takes through the app.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use deskgate_app::AppError;
use deskgate_app::connections::{ListAt, ListPart, ListedStream};
use deskgate_core::{Connector, ConnectorError, Page, PageRequest, PageStream};
use futures_core::Stream;
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::AuthTenant;
use crate::middleware::metrics::Streamed;
use crate::routes::connections::connection_id;
use crate::routes::streamed;
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

/// The scope a list's cursors are bound to (the list and its filters), and its page
/// request.
fn page_of<Flt: Debug>(
    window: &Window<'_>,
    filter: Flt,
) -> Result<(String, PageRequest<Flt>), ApiError> {
    let scope = format!("{}|{:?}|{filter:?}", window.list, window.updated_after);
    let request = request(
        window.limit,
        window.updated_after,
        window.include_remote_data,
        filter,
    )?;
    Ok((scope, request))
}

/// Lists one page of a connection's resource, read whole by the connector, and answers it
/// in the envelope as [`list_streamed`] does. The cursor's scope is the list and its
/// filters, so a cursor only continues the list that issued it.
pub(crate) async fn list<T, Flt, F, Fut>(
    state: &AppState,
    auth: &AuthTenant,
    id: &str,
    window: Window<'_>,
    filter: Flt,
    op: F,
) -> Result<Response, ApiError>
where
    T: Serialize + Send + 'static,
    Flt: Debug,
    F: FnOnce(Arc<dyn Connector>, PageRequest<Flt>) -> Fut,
    Fut: Future<Output = Result<Page<T>, ConnectorError>>,
{
    let whole = |c, r| async move { op(c, r).await.map(PageStream::from) };
    list_streamed(state, auth, id, window, filter, whole).await
}

/// Lists one page of a connection's resource, the envelope written as the vendor's answer is
/// read: each item goes out once mapped, so the first bytes leave before the vendor's last
/// arrive.
///
/// The status is sent with the first chunk, which holds at least one item (or the whole
/// page): whatever fails before it (the cursor, the connection, the vendor's status, an
/// answer that breaks off or does not parse in its first records) is a problem answer as
/// usual. What fails after it aborts the transfer ([`streamed::after_head`]): never a short
/// page.
pub(crate) async fn list_streamed<T, Flt, F, Fut>(
    state: &AppState,
    auth: &AuthTenant,
    id: &str,
    window: Window<'_>,
    filter: Flt,
    op: F,
) -> Result<Response, ApiError>
where
    T: Serialize + Send + 'static,
    Flt: Debug,
    F: FnOnce(Arc<dyn Connector>, PageRequest<Flt>) -> Fut,
    Fut: Future<Output = Result<PageStream<T>, ConnectorError>>,
{
    let id = connection_id(id)?;
    let (scope, request) = page_of(&window, filter)?;
    let at = ListAt {
        scope: &scope,
        cursor: window.cursor,
    };
    let parts = state
        .app
        .list_streamed(auth.tenant, id, &auth.ctx, at, request, op)
        .await?;
    let mut envelope = Envelope::new(parts);
    let first = match envelope.next().await {
        Some(chunk) => chunk?,
        None => return Err(ApiError::internal("a streamed list wrote nothing")),
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        streamed::after_head(state, id, Streamed::List, first, envelope),
    )
        .into_response())
}

/// Items are gathered into chunks of about this many bytes.
const CHUNK: usize = 16 * 1024;

/// Writes the list envelope, `{"data":[…],"next_cursor":…}`, from a streamed page: items
/// are gathered into chunks of about [`CHUNK`] bytes, and a chunk goes out early when the
/// next item is not there yet. A chunk holds at least one item or the envelope's end.
struct Envelope<T> {
    parts: ListedStream<T>,
    buf: Vec<u8>,
    items: usize,
    done: bool,
}

impl<T> Envelope<T> {
    fn new(parts: ListedStream<T>) -> Self {
        Self {
            parts,
            buf: br#"{"data":["#.to_vec(),
            items: 0,
            done: false,
        }
    }

    fn take(&mut self) -> Bytes {
        Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(CHUNK + CHUNK / 4),
        ))
    }

    fn fail(&mut self, e: AppError) -> Poll<Option<Result<Bytes, AppError>>> {
        self.done = true;
        self.buf.clear();
        Poll::Ready(Some(Err(e)))
    }
}

impl<T: Serialize> Stream for Envelope<T> {
    type Item = Result<Bytes, AppError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            match this.parts.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(ListPart::Item(item)))) => {
                    if this.items > 0 {
                        this.buf.push(b',');
                    }
                    this.items += 1;
                    if let Err(e) = serde_json::to_writer(&mut this.buf, &item) {
                        return this.fail(AppError::Internal(format!("an item: {e}")));
                    }
                    if this.buf.len() >= CHUNK {
                        return Poll::Ready(Some(Ok(this.take())));
                    }
                }
                Poll::Ready(Some(Ok(ListPart::End { next_cursor }))) => {
                    this.buf.extend_from_slice(br#"],"next_cursor":"#);
                    if let Err(e) = serde_json::to_writer(&mut this.buf, &next_cursor) {
                        return this.fail(AppError::Internal(format!("a cursor: {e}")));
                    }
                    this.buf.push(b'}');
                    this.done = true;
                    return Poll::Ready(Some(Ok(this.take())));
                }
                Poll::Ready(Some(Err(e))) => return this.fail(e),
                Poll::Ready(None) => {
                    return this.fail(AppError::Internal("a page ended before its end".into()));
                }
                Poll::Pending if this.items > 0 && !this.buf.is_empty() => {
                    return Poll::Ready(Some(Ok(this.take())));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
