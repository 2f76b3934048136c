//! Tickets: the keyset walk behind `list` (see `paging`), emulated filters through the
//! kit's scan, and get, create, update and delete.

use chrono::{DateTime, Utc};
use deskgate_connector::filters::{id_matches, later_than, numeric_id};
use deskgate_connector::{Endpoint, FeedKey, PageReader, RawPage, bad_response, scan};
use deskgate_core::ids::TicketId;
use deskgate_core::model::{NewTicket, Ticket, TicketPatch};
use deskgate_core::page::{ReadOptions, TicketFilter};
use deskgate_core::{ConnectorError, Page, PageRequest, PageStream, VendorCursor};
use deskgate_upstream::UpstreamRequest;
use http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::body;
use crate::budget::EndpointCap;
use crate::client::FreshdeskConnector;
use crate::domain::FreshdeskDomain;
use crate::map;
use crate::paging::{MAX_PER_PAGE, Step, TicketCursor, has_next, instant};
use crate::wire::{WireTicket, WireTicketKey};

type Result<T> = std::result::Result<T, ConnectorError>;

pub(crate) const TICKETS: Endpoint = Endpoint::new("/api/v2/tickets");
pub(crate) const TICKET: Endpoint = Endpoint::new("/api/v2/tickets/{id}");

/// The emulated ticket filters, and `updated_after` made exclusive (Freshdesk's
/// `updated_since` includes the instant itself). `None` when nothing is to be dropped.
fn keep(req: &PageRequest<TicketFilter>) -> Option<impl Fn(&Value) -> bool + Send + Sync + use<>> {
    let f = req.filter.clone();
    let emulated = f.status.is_some()
        || f.assignee_id.is_some()
        || f.team_id.is_some()
        || f.account_id.is_some()
        || f.requester_id.is_some();
    if !emulated && req.updated_after.is_none() {
        return None;
    }
    let newer = later_than(req.updated_after, "updated_at");
    Some(move |raw: &Value| {
        newer(raw)
            && f.status.is_none_or(|wanted| {
                raw.get("status")
                    .and_then(Value::as_i64)
                    .is_some_and(|code| map::status(code) == wanted)
            })
            && id_matches(
                raw,
                "responder_id",
                f.assignee_id.as_ref().map(|i| i.as_str()),
            )
            && id_matches(raw, "group_id", f.team_id.as_ref().map(|i| i.as_str()))
            && id_matches(raw, "company_id", f.account_id.as_ref().map(|i| i.as_str()))
            && id_matches(
                raw,
                "requester_id",
                f.requester_id.as_ref().map(|i| i.as_str()),
            )
    })
}

/// A ticket's id as the walk orders it.
fn numeric(id: &str) -> Result<u64> {
    id.parse::<u64>().map_err(|_| {
        bad_response(format!(
            "freshdesk sent a ticket id that is not a number: {id}"
        ))
    })
}

/// The walk's key of a raw record: its id and `updated_at`.
fn raw_key(raw: &Value) -> Result<FeedKey> {
    let key: WireTicketKey = serde::Deserialize::deserialize(raw)
        .map_err(|e| bad_response(format!("a freshdesk ticket could not be read: {e}")))?;
    wire_key(&key)
}

/// The walk's key of a ticket read only for it (the deleted list).
pub(crate) fn wire_key(key: &WireTicketKey) -> Result<FeedKey> {
    Ok((numeric(&key.id.0)?, key.updated_at))
}

/// The walk's key of a typed record.
pub(crate) fn typed_key(t: &WireTicket) -> Result<FeedKey> {
    Ok((numeric(&t.id.0)?, t.updated_at))
}

/// Which tickets a walk lists: the live ones, or those in the trash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shelf {
    Live,
    Deleted,
}

/// One vendor page of the walk read: the tickets not returned before (as `R`) with the keys
/// of every ticket on the page, and the walk's [`Step`].
pub(crate) struct WalkPage<R> {
    pub(crate) items: Vec<R>,
    pub(crate) keys: Vec<FeedKey>,
    pub(crate) step: Step,
}

/// The request for page `cursor.page` of the tickets on `shelf` updated since
/// `cursor.since()`, oldest first.
fn walk_request(
    fd: &FreshdeskConnector,
    shelf: Shelf,
    cursor: &TicketCursor,
    per_page: &str,
) -> Result<UpstreamRequest> {
    let mut request = fd
        .request(Method::GET, TICKETS, &[], Some(EndpointCap::TicketsList), 0)?
        .query_pair("updated_since", &instant(cursor.since()))
        .query_pair("order_by", "updated_at")
        .query_pair("order_type", "asc")
        .query_pair("per_page", per_page)
        .query_pair("page", &cursor.page.to_string());
    if shelf == Shelf::Deleted {
        request = request.query_pair("filter", "deleted");
    }
    Ok(request)
}

/// One vendor page of the walk ([`walk_request`]), read as `R`.
pub(crate) async fn walk_page<R: DeserializeOwned>(
    fd: &FreshdeskConnector,
    shelf: Shelf,
    cursor: &TicketCursor,
    per_page: &str,
    key: fn(&R) -> Result<FeedKey>,
) -> Result<WalkPage<R>> {
    let request = walk_request(fd, shelf, cursor, per_page)?;
    let response = fd.client().send(request).await?;
    let items: Vec<R> = fd.client().read(&response)?;
    let keys = items.iter().map(key).collect::<Result<Vec<_>>>()?;
    let step = cursor.step(&keys, has_next(response.headers()));
    let mut items: Vec<Option<R>> = items.into_iter().map(Some).collect();
    Ok(WalkPage {
        items: step.fresh.iter().filter_map(|i| items[*i].take()).collect(),
        keys,
        step,
    })
}

/// A list's page of the walk: its next cursor only while the vendor has more.
async fn list_page<R: DeserializeOwned>(
    fd: &FreshdeskConnector,
    cursor: TicketCursor,
    per_page: &str,
    key: fn(&R) -> Result<FeedKey>,
) -> Result<RawPage<R>> {
    let page = walk_page(fd, Shelf::Live, &cursor, per_page, key).await?;
    Ok(RawPage {
        items: page.items,
        next: page.step.more.then(|| page.step.next.encode()),
    })
}

/// Where the walk is: the caller's cursor, or the start.
fn position(
    cursor: Option<&VendorCursor>,
    updated_after: Option<DateTime<Utc>>,
) -> Result<TicketCursor> {
    match cursor {
        Some(cursor) => TicketCursor::decode(cursor),
        None => Ok(TicketCursor::start(updated_after)),
    }
}

pub(crate) async fn list(
    fd: &FreshdeskConnector,
    req: &PageRequest<TicketFilter>,
) -> Result<Page<Ticket>> {
    if plain(req) {
        return stream(fd, req).await?.into_page().await;
    }
    list_filtered(fd, req).await
}

/// Whether a list is Freshdesk's own page as it is: no filter deskgate applies and no raw
/// records to keep.
fn plain(req: &PageRequest<TicketFilter>) -> bool {
    keep(req).is_none() && !req.include_remote_data
}

/// A page of tickets handed over as Freshdesk's answer is read: an unfiltered list is read
/// record by record straight into wire types; a filtered one, or one with `remote_data`, is
/// read whole first.
pub(crate) async fn stream(
    fd: &FreshdeskConnector,
    req: &PageRequest<TicketFilter>,
) -> Result<PageStream<Ticket>> {
    if !plain(req) {
        return Ok(list_filtered(fd, req).await?.into());
    }
    let cursor = position(req.cursor.as_ref(), req.updated_after)?;
    let per_page = req.limit.get().min(MAX_PER_PAGE).to_string();
    let request = walk_request(fd, Shelf::Live, &cursor, &per_page)?;
    let response = fd.client().send_streamed(request).await?;
    let page = TicketPage {
        domain: fd.domain().clone(),
        cursor,
        keys: Vec::new(),
    };
    Ok(fd.client().stream_page(response, page))
}

/// A page of the walk, read record by record: the tickets not returned before, mapped; the
/// keys of all of them, for the next position.
struct TicketPage {
    domain: FreshdeskDomain,
    cursor: TicketCursor,
    keys: Vec<FeedKey>,
}

impl PageReader for TicketPage {
    type Record = WireTicket;
    type Item = Ticket;

    fn key(&self) -> Option<&'static str> {
        None
    }

    fn record(&mut self, ticket: WireTicket) -> Result<Option<Ticket>> {
        let key = typed_key(&ticket)?;
        self.keys.push(key);
        if !self.cursor.is_fresh(key) {
            return Ok(None);
        }
        Ok(Some(map::ticket_from_wire(ticket, &self.domain, None)))
    }

    fn end(
        &mut self,
        rest: &[u8],
        headers: &HeaderMap,
    ) -> Result<(Vec<WireTicket>, Option<VendorCursor>)> {
        let left: Vec<WireTicket> = serde_json::from_slice(rest)
            .map_err(|e| bad_response(format!("freshdesk's answer could not be read: {e}")))?;
        let mut keys = self.keys.clone();
        for ticket in &left {
            keys.push(typed_key(ticket)?);
        }
        let step = self.cursor.step(&keys, has_next(headers));
        Ok((left, step.more.then(|| step.next.encode())))
    }
}

/// A list deskgate filters itself, or whose raw records are kept: read whole, through a
/// `serde_json::Value` per record.
async fn list_filtered(
    fd: &FreshdeskConnector,
    req: &PageRequest<TicketFilter>,
) -> Result<Page<Ticket>> {
    let per_page = req.limit.get().min(MAX_PER_PAGE).to_string();
    let per_page = per_page.as_str();
    let keep = keep(req);
    let updated_after = req.updated_after;
    let fetch = |cursor: Option<VendorCursor>| async move {
        list_page(
            fd,
            position(cursor.as_ref(), updated_after)?,
            per_page,
            raw_key,
        )
        .await
    };
    let remote = req.include_remote_data;
    scan(
        req.cursor.clone(),
        fetch,
        keep.as_ref()
            .map(|k| k as &(dyn Fn(&Value) -> bool + Send + Sync)),
        |raw| map::ticket(raw, fd.domain(), remote),
    )
    .await
}

/// One ticket, with `include=stats` (one credit more) for when it was resolved.
pub(crate) async fn get(
    fd: &FreshdeskConnector,
    id: &TicketId,
    opts: ReadOptions,
) -> Result<Ticket> {
    let id = numeric_id(id.as_str())?;
    let request = fd
        .request(Method::GET, TICKET, &[id], None, 1)?
        .query_pair("include", "stats");
    fd.one(request, &|raw| {
        map::ticket(raw, fd.domain(), opts.include_remote_data)
    })
    .await
}

/// Reads a ticket without extra credits (for tag changes).
pub(crate) async fn read_plain(fd: &FreshdeskConnector, id: &str) -> Result<Ticket> {
    let request = fd.request(Method::GET, TICKET, &[id], None, 0)?;
    fd.one(request, &|raw| map::ticket(raw, fd.domain(), false))
        .await
}

pub(crate) async fn create(fd: &FreshdeskConnector, ticket: &NewTicket) -> Result<Ticket> {
    let body = body::new_ticket(ticket)?;
    let request = fd.request(
        Method::POST,
        TICKETS,
        &[],
        Some(EndpointCap::TicketCreate),
        0,
    )?;
    let request = fd.client().json(request, &body)?;
    fd.one(request, &|raw| map::ticket(raw, fd.domain(), false))
        .await
}

/// `PUT /tickets/{id}` with the given fields; an empty patch only reads the ticket.
pub(crate) async fn put(
    fd: &FreshdeskConnector,
    id: &str,
    body: serde_json::Map<String, Value>,
) -> Result<Ticket> {
    let request = fd.request(
        Method::PUT,
        TICKET,
        &[id],
        Some(EndpointCap::TicketUpdate),
        0,
    )?;
    let request = fd.client().json(request, &Value::Object(body))?;
    fd.one(request, &|raw| map::ticket(raw, fd.domain(), false))
        .await
}

pub(crate) async fn update(
    fd: &FreshdeskConnector,
    id: &TicketId,
    patch: &TicketPatch,
) -> Result<Ticket> {
    let id = numeric_id(id.as_str())?;
    let body = body::ticket_patch(patch)?;
    if body.is_empty() {
        return get(fd, &id.into(), ReadOptions::default()).await;
    }
    put(fd, id, body).await
}

pub(crate) async fn delete(fd: &FreshdeskConnector, id: &TicketId) -> Result<()> {
    let id = numeric_id(id.as_str())?;
    let request = fd.request(Method::DELETE, TICKET, &[id], None, 0)?;
    fd.client().send(request).await.map(drop)
}
