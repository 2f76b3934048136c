//! Tickets.
//!
//! - List: Intercom has no ticket list, so lists are `POST /tickets/search`. `updated_after`
//!   is `updated_at >` (native); `assignee_id`, `team_id` and `requester_id` are the search
//!   fields `admin_assignee_id`, `team_assignee_id` and `contact_ids` (native); `status` is
//!   emulated (deskgate's status joins the state category and `open`); `account_id` is
//!   refused: a 2.16 ticket carries no company to search or filter by.
//! - Get: `GET /tickets/{id}`. Delete: `DELETE /tickets/{id}`.
//! - Create: `POST /tickets` needs a ticket type, which the unified body does not carry:
//!   deskgate picks the workspace's first unarchived ticket type of the category our `type`
//!   names (`problem` → Tracker, `task` → Back-office, anything else → Customer) from
//!   `GET /ticket_types`, and the one contact Intercom takes is the requester.
//! - Update: `PUT /tickets/{id}`. A status becomes a `ticket_state_id` of the ticket's type
//!   with the matching category (from `GET /ticket_states`), `closed` becomes `open: false`;
//!   the assignee (an admin) or team goes in `assignee_id`; the connection's admin is sent
//!   as `admin_id` so workflows attribute the change.

use deskgate_connector::{Endpoint, PageReader, bad_response};
use deskgate_core::ids::TicketId;
use deskgate_core::model::{NewTicket, Ticket, TicketPatch, TicketStatus, TicketType};
use deskgate_core::page::{ReadOptions, TicketFilter};
use deskgate_core::{ConnectorError, Page, PageRequest, PageStream, VendorCursor};
use http::{HeaderMap, Method};
use serde_json::{Map, Value, json};

use crate::client::{IntercomConnector, Search};
use crate::ids::{body_id, invalid};
use crate::map::{self, DESCRIPTION, TITLE, raw_ticket_status};
use crate::paging::{next_cursor, starting_after};
use crate::search::{Op, Query};
use crate::wire::{WireSearchPage, WireStateList, WireTicket, WireTicketTypeList};

type Result<T> = std::result::Result<T, ConnectorError>;

pub(crate) const TICKETS: Endpoint = Endpoint::new("/tickets");
pub(crate) const TICKET: Endpoint = Endpoint::new("/tickets/{ticket_id}");
pub(crate) const SEARCH: Endpoint = Endpoint::new("/tickets/search");
const TICKET_TYPES: Endpoint = Endpoint::new("/ticket_types");
const TICKET_STATES: Endpoint = Endpoint::new("/ticket_states");

/// The search for a ticket list: the native filters, AND-ed. With none, every ticket
/// (`updated_at > 0`): the search body requires a query.
pub(crate) fn query(req: &PageRequest<TicketFilter>) -> Result<Query> {
    let f = &req.filter;
    if f.account_id.is_some() {
        return Err(ConnectorError::Unsupported {
            operation: "filter intercom tickets by account_id",
        });
    }
    let mut filters = Vec::new();
    let since = req.updated_after.map_or(0, |t| t.timestamp().max(0));
    filters.push(Query::filter("updated_at", Op::Gt, since));
    if let Some(id) = &f.assignee_id {
        let id = body_id("assignee_id", id.as_str())?;
        filters.push(Query::filter("admin_assignee_id", Op::Eq, id));
    }
    if let Some(id) = &f.team_id {
        let id = body_id("team_id", id.as_str())?;
        filters.push(Query::filter("team_assignee_id", Op::Eq, id));
    }
    if let Some(id) = &f.requester_id {
        let id = body_id("requester_id", id.as_str())?;
        filters.push(Query::filter("contact_ids", Op::Eq, id));
    }
    Ok(Query::all(filters))
}

pub(crate) async fn list(
    c: &IntercomConnector,
    req: &PageRequest<TicketFilter>,
) -> Result<Page<Ticket>> {
    if !filtered(req) {
        return stream(c, req).await?.into_page().await;
    }
    list_filtered(c, req).await
}

/// A list deskgate filters itself, through the kit's bounded scan.
async fn list_filtered(
    c: &IntercomConnector,
    req: &PageRequest<TicketFilter>,
) -> Result<Page<Ticket>> {
    let query = query(req)?;
    let include = req.include_remote_data;
    let after = req.updated_after;
    let status = req.filter.status;
    // Intercom's `>` is documented as "greater or equal": the instant itself is dropped here.
    let keep = move |raw: &Value| {
        let newer = after.is_none_or(|after| {
            raw.get("updated_at")
                .and_then(Value::as_i64)
                .is_some_and(|t| t > after.timestamp())
        });
        newer && status.is_none_or(|s| raw_ticket_status(raw) == s)
    };
    let map = move |raw: Value| map::ticket(raw, include);
    c.search(
        Search {
            endpoint: SEARCH,
            query,
            keep: Some(&keep as _),
            map: &map,
        },
        req.cursor.as_ref(),
        req.limit.get(),
    )
    .await
}

/// Whether deskgate drops tickets from Intercom's page itself.
fn filtered(req: &PageRequest<TicketFilter>) -> bool {
    req.filter.status.is_some() || req.updated_after.is_some()
}

/// A page of tickets handed over as Intercom's answer is read; a list deskgate filters
/// itself is read whole first (it may take several of Intercom's pages).
pub(crate) async fn stream(
    c: &IntercomConnector,
    req: &PageRequest<TicketFilter>,
) -> Result<PageStream<Ticket>> {
    if filtered(req) {
        return Ok(list_filtered(c, req).await?.into());
    }
    let query = query(req)?;
    let per_page = crate::paging::per_page(req.limit.get());
    let after = starting_after(req.cursor.as_ref())?;
    let request = c.search_request(SEARCH, &query, per_page, after)?;
    let response = c.client().send_streamed(request).await?;
    let page = SearchPage {
        remote_data: req.include_remote_data,
    };
    Ok(c.client().stream_page(response, page))
}

/// One page of `POST /tickets/search`, read record by record.
struct SearchPage {
    remote_data: bool,
}

impl PageReader for SearchPage {
    type Record = Value;
    type Item = Ticket;

    fn key(&self) -> Option<&'static str> {
        Some("tickets")
    }

    fn record(&mut self, raw: Value) -> Result<Option<Ticket>> {
        map::ticket(raw, self.remote_data)
            .map(Some)
            .map_err(bad_response)
    }

    fn end(&mut self, rest: &[u8], _: &HeaderMap) -> Result<(Vec<Value>, Option<VendorCursor>)> {
        let page: WireSearchPage = serde_json::from_slice(rest)
            .map_err(|e| bad_response(format!("intercom's answer could not be read: {e}")))?;
        Ok((page.data, next_cursor(page.pages)))
    }
}

pub(crate) async fn get(c: &IntercomConnector, id: &TicketId, opts: ReadOptions) -> Result<Ticket> {
    let include = opts.include_remote_data;
    c.get(TICKET, &[id.as_str()], &move |raw| {
        map::ticket(raw, include)
    })
    .await
}

pub(crate) async fn delete(c: &IntercomConnector, id: &TicketId) -> Result<()> {
    let ids = [crate::ids::path_id(id.as_str())?];
    let request = c.client().request(Method::DELETE, TICKET, &ids)?;
    c.client().send(request).await.map(|_| ())
}

/// The Intercom ticket category a new ticket of our `type` is made in.
pub(crate) fn category_for(ticket_type: Option<TicketType>) -> &'static str {
    match ticket_type {
        Some(TicketType::Problem) => "Tracker",
        Some(TicketType::Task) => "Back-office",
        _ => "Customer",
    }
}

/// The first unarchived ticket type of `category` in a `GET /ticket_types` answer.
pub(crate) fn pick_ticket_type(types: WireTicketTypeList, category: &str) -> Result<String> {
    types
        .data
        .into_iter()
        .find(|t| t.category.as_deref() == Some(category) && t.archived != Some(true))
        .map(|t| t.id.0)
        .filter(|id| crate::ids::plausible(id))
        .ok_or_else(|| {
            invalid(
                "type",
                &format!(
                    "has no intercom ticket type to create in: the workspace needs an \
                     unarchived ticket type of category {category}"
                ),
            )
        })
}

/// Fields intercom tickets do not have, refused naming them.
fn refuse_unsupported(priority: bool, due_at: bool, extra: &[(&str, bool)]) -> Result<()> {
    let unsupported = [("priority", priority), ("due_at", due_at)];
    if let Some((field, _)) = unsupported.iter().chain(extra).find(|(_, given)| *given) {
        return Err(invalid(field, "is not supported by intercom tickets"));
    }
    Ok(())
}

/// Custom fields as ticket attributes (keyed by attribute name).
fn put_custom_fields(
    attributes: &mut Map<String, Value>,
    fields: &[deskgate_core::model::CustomField],
) -> Result<()> {
    for field in fields {
        if field.id.is_empty() || field.id == TITLE || field.id == DESCRIPTION {
            return Err(invalid(
                "custom_fields",
                "need an intercom ticket attribute name (title and description are set with \
                 subject and description)",
            ));
        }
        attributes.insert(field.id.clone(), field.value.clone());
    }
    Ok(())
}

/// `POST /tickets`'s body.
pub(crate) fn create_body(t: &NewTicket, ticket_type_id: &str) -> Result<Value> {
    refuse_unsupported(
        t.priority.is_some(),
        t.due_at.is_some(),
        &[("status", t.status.is_some_and(|s| s != TicketStatus::New))],
    )?;
    let requester = t.requester_id.as_ref().ok_or_else(|| {
        invalid(
            "requester_id",
            "is required: intercom tickets need a contact",
        )
    })?;
    let requester = body_id("requester_id", requester.as_str())?;
    let mut attributes = Map::new();
    attributes.insert(TITLE.into(), json!(t.subject));
    attributes.insert(DESCRIPTION.into(), json!(t.description));
    put_custom_fields(&mut attributes, &t.custom_fields)?;
    let mut body = json!({
        "ticket_type_id": ticket_type_id,
        "contacts": [{"id": requester}],
        "ticket_attributes": attributes,
    });
    let mut assignment = Map::new();
    if let Some(id) = &t.assignee_id {
        assignment.insert(
            "admin_assignee_id".into(),
            json!(body_id("assignee_id", id.as_str())?),
        );
    }
    if let Some(id) = &t.team_id {
        assignment.insert(
            "team_assignee_id".into(),
            json!(body_id("team_id", id.as_str())?),
        );
    }
    if !assignment.is_empty() {
        body["assignment"] = Value::Object(assignment);
    }
    Ok(body)
}

/// Whether the token may read tickets: `GET /ticket_types` needs the same permission as
/// every ticket read, so a connect check learns at once that the app lacks it (403, named)
/// instead of at the first list.
pub(crate) async fn probe(c: &IntercomConnector) -> Result<()> {
    c.get_raw(TICKET_TYPES, &[]).await.map(drop)
}

pub(crate) async fn create(c: &IntercomConnector, t: &NewTicket) -> Result<Ticket> {
    // Checked before the ticket type is looked up: a refusal costs no call.
    create_body(t, "0")?;
    let types: WireTicketTypeList = serde_json::from_value(c.get_raw(TICKET_TYPES, &[]).await?)
        .map_err(|e| {
            deskgate_connector::bad_response(format!(
                "intercom's ticket types could not be read: {e}"
            ))
        })?;
    let type_id = pick_ticket_type(types, category_for(t.ticket_type))?;
    let body = create_body(t, &type_id)?;
    let raw = c.send_body(Method::POST, TICKETS, &[], &body).await?;
    let mut ticket = map::ticket(raw, false).map_err(deskgate_connector::bad_response)?;
    if !t.tags.is_empty() {
        let change = deskgate_core::model::TagChange::Add(t.tags.clone());
        crate::tags::change(c, &ticket.id, &change).await?;
        ticket.tags = t.tags.clone();
    }
    Ok(ticket)
}

/// The state category a status is set with; `closed` is `open: false` instead, `on_hold`
/// has no Intercom state.
pub(crate) fn category_of(status: TicketStatus) -> Result<Option<&'static str>> {
    match status {
        TicketStatus::New => Ok(Some("submitted")),
        TicketStatus::Open => Ok(Some("in_progress")),
        TicketStatus::Pending => Ok(Some("waiting_on_customer")),
        TicketStatus::Solved => Ok(Some("resolved")),
        TicketStatus::Closed => Ok(None),
        TicketStatus::OnHold => Err(invalid(
            "status",
            "on_hold has no intercom ticket state (snoozing is not a state)",
        )),
    }
}

/// The state of `category` that ticket type `type_id` uses, from `GET /ticket_states`.
pub(crate) fn pick_state(states: WireStateList, type_id: &str, category: &str) -> Result<String> {
    states
        .data
        .into_iter()
        .filter(|s| s.category.as_deref() == Some(category) && s.archived != Some(true))
        .find(|s| {
            s.ticket_types.as_ref().is_some_and(|types| {
                types
                    .data
                    .iter()
                    .any(|t| t.id.as_ref().is_some_and(|id| id.0 == type_id))
            })
        })
        .map(|s| s.id.0)
        .filter(|id| crate::ids::plausible(id))
        .ok_or_else(|| {
            invalid(
                "status",
                &format!(
                    "has no intercom ticket state of category {category} for this ticket's type"
                ),
            )
        })
}

/// `PUT /tickets/{id}`'s body. `state_id` is the state the status resolved to.
pub(crate) fn update_body(
    patch: &TicketPatch,
    state_id: Option<&str>,
    admin_id: Option<&str>,
) -> Result<Value> {
    refuse_unsupported(
        patch.priority.is_some(),
        patch.due_at.is_some(),
        &[
            ("type", patch.ticket_type.is_some()),
            ("tags", patch.tags.is_some()),
        ],
    )?;
    let mut body = Map::new();
    let mut attributes = Map::new();
    if let Some(subject) = &patch.subject {
        attributes.insert(TITLE.into(), json!(subject));
    }
    if let Some(fields) = &patch.custom_fields {
        put_custom_fields(&mut attributes, fields)?;
    }
    if !attributes.is_empty() {
        body.insert("ticket_attributes".into(), Value::Object(attributes));
    }
    match patch.status {
        Some(TicketStatus::Closed) => {
            body.insert("open".into(), json!(false));
        }
        Some(_) => {
            if let Some(state) = state_id {
                body.insert("ticket_state_id".into(), json!(state));
            }
            body.insert("open".into(), json!(true));
        }
        None => {}
    }
    match (&patch.assignee_id, &patch.team_id) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "team_id",
                "cannot be set with assignee_id: an intercom ticket is assigned to an admin or \
                 a team",
            ));
        }
        (Some(id), None) => {
            body.insert(
                "assignee_id".into(),
                json!(body_id("assignee_id", id.as_str())?),
            );
        }
        (None, Some(id)) => {
            body.insert(
                "assignee_id".into(),
                json!(body_id("team_id", id.as_str())?),
            );
        }
        (None, None) => {}
    }
    if body.is_empty() {
        return Err(invalid("body", "changes nothing intercom can change"));
    }
    // `admin_id` is an integer in the 2.16 schema; a non-numeric admin is left out.
    if let Some(admin) = admin_id.and_then(|a| a.parse::<u64>().ok()) {
        body.insert("admin_id".into(), json!(admin));
    }
    Ok(Value::Object(body))
}

pub(crate) async fn update(
    c: &IntercomConnector,
    id: &TicketId,
    patch: &TicketPatch,
) -> Result<Ticket> {
    // Checked before any lookup: a refusal costs no call.
    update_body(patch, None, None)?;
    let category = patch.status.map(category_of).transpose()?.flatten();
    let state_id = match category {
        Some(category) => {
            let current: WireTicket =
                serde_json::from_value(c.get_raw(TICKET, &[id.as_str()]).await?).map_err(|e| {
                    deskgate_connector::bad_response(format!(
                        "an intercom ticket could not be read: {e}"
                    ))
                })?;
            let type_id = current
                .ticket_type
                .and_then(|t| t.id)
                .map(|id| id.0)
                .ok_or_else(|| {
                    deskgate_connector::bad_response("an intercom ticket has no ticket type")
                })?;
            let states: WireStateList =
                serde_json::from_value(c.get_raw(TICKET_STATES, &[]).await?).map_err(|e| {
                    deskgate_connector::bad_response(format!(
                        "intercom's ticket states could not be read: {e}"
                    ))
                })?;
            Some(pick_state(states, &type_id, category)?)
        }
        None => None,
    };
    let body = update_body(patch, state_id.as_deref(), c.admin_id().ok())?;
    let raw = c
        .send_body(Method::PUT, TICKET, &[id.as_str()], &body)
        .await?;
    map::ticket(raw, false).map_err(deskgate_connector::bad_response)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use deskgate_core::model::Priority;

    use super::*;
    use crate::map::map_tests::fixture;

    fn types() -> WireTicketTypeList {
        serde_json::from_value(fixture("ticket_types.json")).unwrap()
    }

    fn states() -> WireStateList {
        serde_json::from_value(fixture("ticket_states.json")).unwrap()
    }

    fn field_of(e: ConnectorError) -> String {
        match e {
            ConnectorError::Refused { field, .. } => field.field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn new_tickets_go_to_the_first_unarchived_type_of_their_category() {
        assert_eq!(pick_ticket_type(types(), category_for(None)).unwrap(), "95");
        assert_eq!(
            pick_ticket_type(types(), category_for(Some(TicketType::Question))).unwrap(),
            "95"
        );
        assert_eq!(
            pick_ticket_type(types(), category_for(Some(TicketType::Problem))).unwrap(),
            "96"
        );
        assert_eq!(
            pick_ticket_type(types(), category_for(Some(TicketType::Task))).unwrap(),
            "91"
        );
        let none = WireTicketTypeList { data: vec![] };
        assert_eq!(
            field_of(pick_ticket_type(none, "Customer").unwrap_err()),
            "type"
        );
    }

    #[test]
    fn a_status_is_the_unarchived_state_of_the_tickets_type() {
        assert_eq!(pick_state(states(), "95", "resolved").unwrap(), "8540");
        assert_eq!(
            pick_state(states(), "96", "waiting_on_customer").unwrap(),
            "8541"
        );
        assert_eq!(
            field_of(pick_state(states(), "95", "waiting_on_customer").unwrap_err()),
            "status"
        );
        assert_eq!(category_of(TicketStatus::Closed).unwrap(), None);
        assert_eq!(category_of(TicketStatus::New).unwrap(), Some("submitted"));
        assert_eq!(
            field_of(category_of(TicketStatus::OnHold).unwrap_err()),
            "status"
        );
    }

    #[test]
    fn patches_refuse_what_intercom_tickets_lack() {
        let cases = [
            (
                TicketPatch {
                    priority: Some(Priority::High),
                    ..TicketPatch::default()
                },
                "priority",
            ),
            (
                TicketPatch {
                    tags: Some(vec!["a".into()]),
                    ..TicketPatch::default()
                },
                "tags",
            ),
            (
                TicketPatch {
                    assignee_id: Some("1".into()),
                    team_id: Some("2".into()),
                    ..TicketPatch::default()
                },
                "team_id",
            ),
            (TicketPatch::default(), "body"),
            (
                TicketPatch {
                    assignee_id: Some("1/2".into()),
                    ..TicketPatch::default()
                },
                "assignee_id",
            ),
        ];
        for (patch, field) in cases {
            assert_eq!(
                field_of(update_body(&patch, None, Some("7")).unwrap_err()),
                field
            );
        }
        let subject = TicketPatch {
            subject: Some("New title".into()),
            ..TicketPatch::default()
        };
        assert_eq!(
            update_body(&subject, None, Some("not-a-number")).unwrap(),
            json!({"ticket_attributes": {"_default_title_": "New title"}})
        );
    }

    #[test]
    fn custom_fields_are_attributes_but_not_the_title_or_description() {
        let mut t = new_ticket();
        t.custom_fields = vec![deskgate_core::model::CustomField {
            id: "floor".into(),
            name: None,
            value: json!(2),
        }];
        let body = create_body(&t, "95").unwrap();
        assert_eq!(body["ticket_attributes"]["floor"], 2);
        t.custom_fields[0].id = TITLE.into();
        assert_eq!(
            field_of(create_body(&t, "95").unwrap_err()),
            "custom_fields"
        );
        t.custom_fields.clear();
        t.status = Some(TicketStatus::Pending);
        assert_eq!(field_of(create_body(&t, "95").unwrap_err()), "status");
    }

    fn new_ticket() -> NewTicket {
        NewTicket {
            subject: "s".into(),
            description: "d".into(),
            status: Some(TicketStatus::New),
            priority: None,
            ticket_type: None,
            requester_id: Some("c1".into()),
            assignee_id: None,
            team_id: Some("814".into()),
            tags: vec![],
            due_at: None,
            custom_fields: vec![],
        }
    }

    #[test]
    fn a_team_on_a_new_ticket_is_its_assignment() {
        let body = create_body(&new_ticket(), "95").unwrap();
        assert_eq!(body["assignment"], json!({"team_assignee_id": "814"}));
        assert_eq!(body["contacts"], json!([{"id": "c1"}]));
    }
}
