//! Tickets: list (typed fast path, or the scan for emulated filters), get, create, update,
//! delete.

use deskgate_connector::filters::{id_matches, later_than, numeric_id};
use deskgate_connector::{Endpoint, PageReader, bad_response};
use deskgate_core::ids::{AccountId, ContactId, TeamId, TicketId, UserId};
use deskgate_core::model::{NewTicket, Ticket, TicketPatch};
use deskgate_core::page::{ReadOptions, TicketFilter};
use deskgate_core::{Page, PageRequest, PageStream, VendorCursor};
use deskgate_upstream::UpstreamRequest;
use http::{HeaderMap, Method};
use serde_json::Value;

use crate::body;
use crate::client::{Keep, ListSpec, Result, ZendeskConnector};
use crate::map::{self, MapContext};
use crate::paging::{next_cursor, page_query};
use crate::wire::{WireTicket, WireTicketPage, WireTicketWrite};

pub(crate) const TICKETS: Endpoint = Endpoint::new("/api/v2/tickets");
pub(crate) const TICKET: Endpoint = Endpoint::new("/api/v2/tickets/{id}");

/// Whether deskgate applies filters to the list itself.
fn emulated(req: &PageRequest<TicketFilter>) -> bool {
    let f = &req.filter;
    f.status.is_some()
        || f.assignee_id.is_some()
        || f.team_id.is_some()
        || f.account_id.is_some()
        || f.requester_id.is_some()
        || req.updated_after.is_some()
}

/// Whether a list is Zendesk's own page as it is: no filter deskgate applies and no raw
/// records to keep.
fn plain(req: &PageRequest<TicketFilter>) -> bool {
    !emulated(req) && !req.include_remote_data
}

/// An unfiltered page of `GET /api/v2/tickets`, read record by record.
pub(crate) struct TicketPage {
    web_root: String,
}

impl TicketPage {
    /// A page of the account at `web_root` (`https://{subdomain}.zendesk.com`).
    pub(crate) fn new(web_root: String) -> Self {
        Self { web_root }
    }
}

impl PageReader for TicketPage {
    type Record = WireTicket;
    type Item = Ticket;

    fn key(&self) -> Option<&'static str> {
        Some("tickets")
    }

    fn record(&mut self, wire: WireTicket) -> Result<Option<Ticket>> {
        let ctx = MapContext {
            web_root: &self.web_root,
            include_remote_data: false,
        };
        map::ticket_from_wire(wire, None, ctx)
            .map(Some)
            .map_err(bad_response)
    }

    fn end(
        &mut self,
        rest: &[u8],
        _: &HeaderMap,
    ) -> Result<(Vec<WireTicket>, Option<VendorCursor>)> {
        let page: WireTicketPage = serde_json::from_slice(rest)
            .map_err(|e| bad_response(format!("zendesk's answer could not be read: {e}")))?;
        Ok((
            page.tickets,
            next_cursor(page.meta.has_more, page.meta.after_cursor)?,
        ))
    }
}

impl ZendeskConnector {
    pub(crate) async fn tickets(&self, req: &PageRequest<TicketFilter>) -> Result<Page<Ticket>> {
        if plain(req) {
            return self.tickets_streamed(req).await?.into_page().await;
        }
        self.tickets_filtered(req).await
    }

    /// A list deskgate filters itself, or whose raw records are kept: read whole, through a
    /// `serde_json::Value` per record.
    async fn tickets_filtered(&self, req: &PageRequest<TicketFilter>) -> Result<Page<Ticket>> {
        let f = &req.filter;
        let mut query = Vec::new();
        if let Some(after) = req.updated_after {
            // `start_time` selects tickets created or updated after a whole second; the
            // exact instant is then checked on `updated_at`.
            query.push(("start_time", after.timestamp().to_string()));
        }
        let status = f.status;
        let updated = later_than(req.updated_after, "updated_at");
        let keep = move |raw: &Value| {
            updated(raw)
                && status.is_none_or(|s| {
                    raw.get("status").and_then(Value::as_str).map(map::status) == Some(s)
                })
                && id_matches(
                    raw,
                    "assignee_id",
                    f.assignee_id.as_ref().map(UserId::as_str),
                )
                && id_matches(raw, "group_id", f.team_id.as_ref().map(TeamId::as_str))
                && id_matches(
                    raw,
                    "organization_id",
                    f.account_id.as_ref().map(AccountId::as_str),
                )
                && id_matches(
                    raw,
                    "requester_id",
                    f.requester_id.as_ref().map(ContactId::as_str),
                )
        };
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::ticket(raw, ctx);
        let spec = ListSpec {
            endpoint: TICKETS,
            ids: &[],
            key: "tickets",
            query,
            keep: emulated(req).then_some(&keep as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    /// A page of tickets handed over as Zendesk's answer is read: an unfiltered list is read
    /// record by record straight into wire types (no `serde_json::Value` per record, which
    /// was most of a list's cost); a filtered one, or one with `remote_data`, is read whole
    /// first.
    pub(crate) async fn tickets_streamed(
        &self,
        req: &PageRequest<TicketFilter>,
    ) -> Result<PageStream<Ticket>> {
        if !plain(req) {
            return Ok(self.tickets_filtered(req).await?.into());
        }
        let mut request = self.client.request(Method::GET, TICKETS, &[])?;
        for (name, value) in page_query(req.limit, req.cursor.as_ref())? {
            request = request.query_pair(name, &value);
        }
        let response = self.client.send_streamed(request).await?;
        let page = TicketPage::new(self.ctx(false).web_root.to_owned());
        Ok(self.client.stream_page(response, page))
    }

    pub(crate) async fn ticket(&self, id: &TicketId, opts: ReadOptions) -> Result<Ticket> {
        let raw = self
            .get_one(TICKET, &[numeric_id(id.as_str())?], "ticket")
            .await?;
        map::ticket(raw, self.ctx(opts.include_remote_data)).map_err(bad_response)
    }

    pub(crate) async fn new_ticket(&self, ticket: &NewTicket) -> Result<Ticket> {
        let request = self.client.request(Method::POST, TICKETS, &[])?;
        let written = self
            .write_ticket(request, &body::new_ticket(ticket))
            .await?;
        map::ticket(written.ticket, self.ctx(false)).map_err(bad_response)
    }

    pub(crate) async fn patch_ticket(&self, id: &TicketId, patch: &TicketPatch) -> Result<Ticket> {
        let request = self
            .client
            .request(Method::PUT, TICKET, &[numeric_id(id.as_str())?])?;
        let written = self
            .write_ticket(request, &body::ticket_patch(patch))
            .await?;
        map::ticket(written.ticket, self.ctx(false)).map_err(bad_response)
    }

    pub(crate) async fn remove_ticket(&self, id: &TicketId) -> Result<()> {
        let request = self
            .client
            .request(Method::DELETE, TICKET, &[numeric_id(id.as_str())?])?;
        self.client.send(request).await.map(|_| ())
    }

    /// A ticket write (`POST /tickets` or `PUT /tickets/{id}`) and its answer.
    pub(crate) async fn write_ticket(
        &self,
        request: UpstreamRequest,
        body: &Value,
    ) -> Result<WireTicketWrite> {
        let request = self.client.json(request, body)?;
        self.client.send_json(request).await
    }
}
