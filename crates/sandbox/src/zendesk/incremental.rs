//! Cursor-based incremental ticket export:
//! `GET /api/v2/incremental/tickets/cursor?start_time=<unix>` then `?cursor=<after_cursor>`.
//!
//! Tickets come in `(generated_timestamp, id)` order, so a ticket changed after the client
//! passed it shows up again later in the stream; deleted tickets appear with status
//! `deleted`. `end_of_stream` is true when the page reached the present.
//!
//! The exports have a cap of their own, 10 requests a minute per account
//! (`incremental_export_per_minute`), on top of the account-wide limit, which counts them
//! too: past it, 429 with `Retry-After` (seconds to the end of the clock minute) and
//! `{"errors":[{"code":"RateLimitExceeded","title":"Rate limit exceeded. Maximum 10
//! requests per minute."}]}`. Only authenticated requests reach the cap.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Router;
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;
use serde_json::{Value, json};

use super::account::Data;
use super::auth::Staff;
use super::context::Ctx;
use super::errors::ZendeskError;
use super::paging::{decode_cursor, encode_cursor};
use super::render;
use super::tickets::ok_json;
use crate::collection::Slot;
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;
use crate::traffic::count_rate_limited;

const DEFAULT_PER_PAGE: usize = 1000;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new().route("/api/v2/incremental/tickets/cursor", get(export_tickets))
}

/// Seeded tickets sorted by `(updated_at, id)`, built once per account.
fn export_index(data: &mut Data) -> Arc<Vec<(i64, u64)>> {
    if let Some(index) = &data.export_index {
        return Arc::clone(index);
    }
    let mut index: Vec<(i64, u64)> = (0..data.seed.tickets)
        .map(|i| (data.seed.ticket_updated_at(i), i + 1))
        .collect();
    index.sort_unstable();
    let index = Arc::new(index);
    data.export_index = Some(Arc::clone(&index));
    index
}

fn bad(description: &str) -> ZendeskError {
    ZendeskError::BadRequest("InvalidValue", description.to_owned())
}

/// Spends one of the exports' requests this minute, or refuses with their own 429. The
/// account-wide limit has already counted the request at entry.
fn admit_export(ctx: &Ctx) -> Result<(), ZendeskError> {
    let decision = lock(&ctx.account.export_rate).hit(ctx.clock.now());
    if !decision.allowed {
        count_rate_limited(&ctx.account.traffic);
        lock(&ctx.account.counters).incremental_export_rate_limited += 1;
        return Err(ZendeskError::EndpointRateLimited {
            limit: decision.limit,
            retry_after: decision.reset_secs,
        });
    }
    lock(&ctx.account.counters).incremental_exports += 1;
    Ok(())
}

async fn export_tickets(ctx: Ctx, _staff: Staff, q: QueryParams) -> Result<Response, ZendeskError> {
    admit_export(&ctx)?;
    let now = ctx.now_secs();
    let per_page = match q.get("per_page") {
        None => DEFAULT_PER_PAGE,
        Some(p) => p
            .parse::<usize>()
            .map_err(|_| bad("per_page must be a positive integer"))?
            .clamp(1, 1000),
    };
    // Position: strictly after `(ts, id)`.
    let start: (i64, u64) = match (q.get("cursor"), q.get("start_time")) {
        (Some(cursor), _) => decode_cursor(cursor)
            .and_then(|k| {
                let (ts, id) = k.split_once('.')?;
                Some((ts.parse().ok()?, id.parse().ok()?))
            })
            .ok_or_else(|| bad("cursor is invalid"))?,
        (None, Some(start)) => {
            let start: i64 = start
                .parse()
                .map_err(|_| bad("start_time must be a unix timestamp"))?;
            if start > now - 60 {
                return Err(bad(
                    "Too recent start_time. Use a start_time which is at least one minute in the past",
                ));
            }
            (start, 0)
        }
        (None, None) => return Err(bad("start_time or cursor is required")),
    };
    let mut data = lock(&ctx.account.data);
    let index = export_index(&mut data);
    let mut changed: Vec<(i64, u64, Value)> = Vec::new();
    let overlay_ids: HashSet<u64> = data.tickets.overlay().keys().copied().collect();
    for (id, slot) in data.tickets.overlay() {
        let (ts, value) = match slot {
            Slot::Live(t) => (t.updated_at, render::ticket(&ctx, t)),
            Slot::Deleted(t, at) => {
                let mut value = render::ticket(&ctx, t);
                value["status"] = json!("deleted");
                value["updated_at"] = render::timestamp(*at);
                value["generated_timestamp"] = json!(at);
                (*at, value)
            }
        };
        if (ts, *id) > start {
            changed.push((ts, *id, value));
        }
    }
    changed.sort_by_key(|entry| (entry.0, entry.1));
    let mut seeded = index[index.partition_point(|entry| *entry <= start)..]
        .iter()
        .filter(|(_, id)| !overlay_ids.contains(id))
        .peekable();
    let mut changed = changed.into_iter().peekable();
    let mut page: Vec<((i64, u64), Value)> = Vec::with_capacity(per_page.min(1000));
    while page.len() < per_page {
        let take_seeded = match (seeded.peek(), changed.peek()) {
            (Some(s), Some(c)) => **s < (c.0, c.1),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if take_seeded {
            if let Some((&(ts, id), Some(ticket))) = seeded.next().map(|e| (e, data.ticket(e.1))) {
                page.push(((ts, id), render::ticket(&ctx, &ticket)));
            }
        } else if let Some((ts, id, value)) = changed.next() {
            page.push(((ts, id), value));
        }
    }
    let end_of_stream = seeded.peek().is_none() && changed.peek().is_none();
    drop(data);
    let last = page.last().map_or(start, |(key, _)| *key);
    let after_cursor = encode_cursor(&format!("{}.{}", last.0, last.1));
    let after_url = format!(
        "{}?cursor={after_cursor}",
        ctx.url("/api/v2/incremental/tickets/cursor.json")
    );
    let tickets: Vec<Value> = page.into_iter().map(|(_, v)| v).collect();
    Ok(ok_json(
        StatusCode::OK,
        json!({
            "tickets": tickets,
            "after_cursor": after_cursor,
            "after_url": after_url,
            "before_cursor": null,
            "before_url": null,
            "end_of_stream": end_of_stream,
        }),
    ))
}
