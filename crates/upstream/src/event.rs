//! The one structured event logged per outbound call (target `deskgate_upstream::request`).
//!
//! Fields: `connection_id`, `budget_key`, `method`, `path_template` (never the concrete path,
//! query or body), `background` (whether it was background work), `status`, `outcome` (`ok`
//! or the error kind), `attempts`, `waited_ms` (budget waits and backoff sleeps),
//! `duration_ms`, `vendor_request_id`. Nothing secret is in scope here: the request's
//! credentials are never read.

use std::time::Duration;

use http::StatusCode;

use crate::budget::lane::Lane;
use crate::error::UpstreamError;
use crate::request::UpstreamRequest;

/// What happened during one call, filled in as it goes.
#[derive(Debug, Default)]
pub(crate) struct CallRecord {
    pub(crate) attempts: u32,
    pub(crate) waited: Duration,
    pub(crate) status: Option<StatusCode>,
    pub(crate) vendor_request_id: Option<String>,
}

macro_rules! request_event {
    ($level:expr, $request:expr, $record:expr, $outcome:expr, $duration:expr, $lane:expr) => {
        tracing::event!(
            target: "deskgate_upstream::request",
            $level,
            connection_id = %$request.connection_id,
            budget_key = %$request.budget_key,
            method = %$request.method,
            path_template = $request.path_template,
            background = $lane.is_background(),
            status = $record.status.map(|status| status.as_u16()),
            outcome = $outcome,
            attempts = $record.attempts,
            waited_ms = u64::try_from($record.waited.as_millis()).unwrap_or(u64::MAX),
            duration_ms = u64::try_from($duration.as_millis()).unwrap_or(u64::MAX),
            vendor_request_id = $record.vendor_request_id.as_deref(),
            "upstream request"
        )
    };
}

pub(crate) fn emit(
    request: &UpstreamRequest,
    record: &CallRecord,
    result: Result<StatusCode, &UpstreamError>,
    duration: Duration,
    lane: Lane,
) {
    match result {
        Ok(status) if !status.is_server_error() => {
            request_event!(tracing::Level::INFO, request, record, "ok", duration, lane);
        }
        Ok(_) => request_event!(
            tracing::Level::WARN,
            request,
            record,
            "server_error",
            duration,
            lane
        ),
        Err(error) => request_event!(
            tracing::Level::WARN,
            request,
            record,
            error.kind(),
            duration,
            lane
        ),
    }
}
