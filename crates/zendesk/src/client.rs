//! [`ZendeskConnector`]: one Zendesk account reached with one connection's credentials,
//! implementing [`Connector`] on the outbound engine.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deskgate_core::ids::{AccountId, ContactId, TeamId, TicketId, UserId};
use deskgate_core::model::{
    Account, Attachment, Comment, Contact, NewAttachment, NewComment, NewTicket, Tag, TagChange,
    Team, Ticket, TicketPatch, User,
};
use deskgate_core::page::{ContactFilter, NoFilter, ReadOptions, TicketFilter, UserFilter};
use deskgate_core::{
    AccountIdentity, Capabilities, Connector, ConnectorError, FieldError, Page, PageRequest,
    PassthroughRequest, PassthroughResponse, Provider,
};
use deskgate_upstream::{Upstream, UpstreamRequest, UpstreamResponse};
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method};
use serde_json::{Value, json};

use crate::auth::{ZendeskAuth, ZendeskOAuth};
use crate::body;
use crate::capabilities::capabilities;
use crate::connect::{ConnectInput, ZendeskHealth};
use crate::errors::{forbidden_hint, from_response, from_upstream, unauthorized_hint};
use crate::map::{self, MapContext};
use crate::paging::{Keep, MAX_SCAN_PAGES, next_cursor, page_query};
use crate::subdomain::ZendeskSubdomain;
use crate::wire::{WirePage, WireTicketPage, WireTicketWrite, WireUploadResponse, WireUser};

type Result<T> = std::result::Result<T, ConnectorError>;

/// A Zendesk account, reached with one connection's credentials.
///
/// Immutable: after [`refresh`](Self::refresh) the caller persists the new credentials and
/// builds a new connector with them (the old access token no longer works).
#[derive(Clone)]
pub struct ZendeskConnector {
    subdomain: ZendeskSubdomain,
    auth: ZendeskAuth,
    upstream: Upstream,
    connection_id: String,
    web_root: String,
}

/// One list call: where, under which key, and how to read each record.
struct ListSpec<'a, T> {
    path: &'a str,
    template: &'static str,
    key: &'static str,
    query: Vec<(&'static str, String)>,
    /// `Some` when a filter is emulated: records it rejects are dropped and more vendor
    /// pages may be read.
    keep: Option<Keep<'a>>,
    map: &'a (dyn Fn(Value) -> std::result::Result<T, String> + Send + Sync),
}

/// A path segment from a caller: Zendesk ids are integers, so anything else cannot exist.
fn numeric_id(id: &str) -> Result<&str> {
    if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(ConnectorError::NotFound)
    }
}

fn bad_response(detail: String) -> ConnectorError {
    ConnectorError::BadResponse { detail }
}

fn newer_than(after: Option<DateTime<Utc>>) -> impl Fn(&Value) -> bool + Send + Sync {
    move |raw| after.is_none_or(|after| map::updated_at(raw).is_some_and(|u| u > after))
}

fn id_matches(raw: &Value, field: &str, wanted: Option<&str>) -> bool {
    wanted.is_none_or(|wanted| match raw.get(field) {
        Some(Value::Number(n)) => n.to_string() == wanted,
        Some(Value::String(s)) => s == wanted,
        _ => false,
    })
}

fn email_matches(raw: &Value, wanted: Option<&str>) -> bool {
    wanted.is_none_or(|wanted| {
        raw.get("email")
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
    })
}

impl ZendeskConnector {
    pub fn new(upstream: Upstream, input: ConnectInput) -> Self {
        let web_root = input.subdomain.web_root();
        Self {
            subdomain: input.subdomain,
            auth: input.auth,
            upstream,
            connection_id: String::new(),
            web_root,
        }
    }

    /// The connection id logged with every call.
    #[must_use]
    pub fn with_connection_id(mut self, id: impl Into<String>) -> Self {
        self.connection_id = id.into();
        self
    }

    pub fn subdomain(&self) -> &ZendeskSubdomain {
        &self.subdomain
    }

    pub fn auth(&self) -> &ZendeskAuth {
        &self.auth
    }

    /// When the token in use stops working (`None`: an API token, or Zendesk did not say).
    pub fn token_expires_at(&self) -> Option<DateTime<Utc>> {
        self.auth.expires_at()
    }

    /// The OAuth endpoints of this account, with this connector's engine.
    pub fn oauth(&self) -> ZendeskOAuth {
        ZendeskOAuth::new(self.upstream.clone(), self.subdomain.clone())
            .with_connection_id(self.connection_id.clone())
    }

    /// Renews the credentials (rotating refresh, or a new client-credentials token) and
    /// returns them for the caller to persist before use. See [`ZendeskOAuth::refresh`].
    pub async fn refresh(&self) -> Result<ZendeskAuth> {
        self.oauth().refresh(&self.auth).await
    }

    /// Revokes the token in use, on disconnect.
    pub async fn revoke(&self) -> Result<()> {
        self.oauth().revoke(&self.auth).await
    }

    /// Checks the credentials and reports what a person needs to know about the connection:
    /// whose it is, what is wrong, and the API-token deadline.
    pub async fn health(&self) -> ZendeskHealth {
        let checked = self.check().await;
        let (identity, problem) = match checked {
            Ok(identity) => (Some(identity), None),
            Err(error) => (None, Some(error)),
        };
        ZendeskHealth {
            auth_mode: self.auth.mode(),
            identity,
            problem,
            deprecated_after: self.auth.deprecated_after(),
            migration_hint: self.auth.migration_hint(),
            token_expires_at: self.auth.expires_at(),
        }
    }

    /// Uploads files (`POST /api/v2/uploads`, one call per file, chained on one token) and
    /// returns the upload token (valid 60 minutes, usable on one comment) and the
    /// attachments it holds.
    pub async fn upload(&self, files: &[NewAttachment]) -> Result<(String, Vec<Attachment>)> {
        let mut token: Option<String> = None;
        let mut attachments = Vec::new();
        for file in files {
            let content_type =
                HeaderValue::from_str(&file.content_type).map_err(|_| ConnectorError::Invalid {
                    message: "the attachment's content type is not a valid mime type".into(),
                    fields: vec![],
                })?;
            let mut request = self
                .request(Method::POST, "/api/v2/uploads", "/api/v2/uploads")?
                .query_pair("filename", &file.file_name)
                .body(content_type, file.content.clone());
            if let Some(token) = &token {
                request = request.query_pair("token", token);
            }
            let response = self.send(request).await?;
            let upload: WireUploadResponse = serde_json::from_slice(response.body())
                .map_err(|e| bad_response(format!("the upload answer could not be read: {e}")))?;
            attachments = upload
                .upload
                .attachments
                .into_iter()
                .map(map::attachment)
                .collect();
            token = Some(upload.upload.token);
        }
        token
            .map(|t| (t, attachments))
            .ok_or_else(|| ConnectorError::Invalid {
                message: "no file to upload".into(),
                fields: vec![],
            })
    }

    fn ctx(&self, include_remote_data: bool) -> MapContext<'_> {
        MapContext {
            web_root: &self.web_root,
            include_remote_data,
        }
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        template: &'static str,
    ) -> Result<UpstreamRequest> {
        let request = UpstreamRequest::new(
            method,
            self.subdomain.origin(),
            path,
            self.subdomain.budget_key().clone(),
        )
        .map_err(|e| ConnectorError::Invalid {
            message: e.to_string(),
            fields: vec![],
        })?
        .path_template(template)
        .connection_id(self.connection_id.clone());
        Ok(self.auth.authorize(request))
    }

    /// Sends and turns any non-success answer into a [`ConnectorError`].
    async fn send(&self, request: UpstreamRequest) -> Result<UpstreamResponse> {
        let response = self
            .upstream
            .send(request)
            .await
            .map_err(|e| from_upstream(e, self.auth.mode(), &self.subdomain))?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(from_response(&response, self.auth.mode(), &self.subdomain))
        }
    }

    async fn send_json(&self, request: UpstreamRequest) -> Result<Value> {
        let response = self.send(request).await?;
        serde_json::from_slice(response.body())
            .map_err(|e| bad_response(format!("zendesk's answer is not json: {e}")))
    }

    /// `GET path` and the object under `key`.
    async fn get_one(&self, path: &str, template: &'static str, key: &str) -> Result<Value> {
        let mut value = self
            .send_json(self.request(Method::GET, path, template)?)
            .await?;
        match value.get_mut(key).map(Value::take) {
            Some(Value::Null) | None => Err(bad_response(format!("the answer has no `{key}`"))),
            Some(object) => Ok(object),
        }
    }

    /// Reads cursor pages until one page of results is ready: the first vendor page, or,
    /// with an emulated filter, the first vendor page with a match (at most
    /// [`MAX_SCAN_PAGES`] pages, then whatever was found and where to go on).
    async fn list<T, F>(&self, spec: ListSpec<'_, T>, req: &PageRequest<F>) -> Result<Page<T>> {
        let mut cursor = req.cursor.clone();
        for _ in 0..MAX_SCAN_PAGES {
            let mut request = self.request(Method::GET, spec.path, spec.template)?;
            for (name, value) in spec
                .query
                .iter()
                .cloned()
                .chain(page_query(req.limit, cursor.as_ref())?)
            {
                request = request.query_pair(name, &value);
            }
            let response = self.send(request).await?;
            let page = WirePage::parse(response.body(), spec.key).map_err(bad_response)?;
            let next = next_cursor(page.meta.has_more, page.meta.after_cursor)?;
            let kept: Vec<Value> = match spec.keep {
                Some(keep) => page.items.into_iter().filter(|raw| keep(raw)).collect(),
                None => page.items,
            };
            let items = kept
                .into_iter()
                .map(spec.map)
                .collect::<std::result::Result<Vec<T>, String>>()
                .map_err(bad_response)?;
            if spec.keep.is_none() || !items.is_empty() || next.is_none() {
                return Ok(Page { items, next });
            }
            cursor = next;
        }
        Ok(Page {
            items: Vec::new(),
            next: cursor,
        })
    }

    /// One page of an unfiltered ticket list, read straight into wire types: no
    /// `serde_json::Value` per record, which was most of a list's cost.
    async fn list_tickets_typed(&self, req: &PageRequest<TicketFilter>) -> Result<Page<Ticket>> {
        let mut request = self.request(Method::GET, "/api/v2/tickets", "/api/v2/tickets")?;
        for (name, value) in page_query(req.limit, req.cursor.as_ref())? {
            request = request.query_pair(name, &value);
        }
        let response = self.send(request).await?;
        let page: WireTicketPage = serde_json::from_slice(response.body())
            .map_err(|e| bad_response(format!("a tickets page could not be read: {e}")))?;
        let next = next_cursor(page.meta.has_more, page.meta.after_cursor)?;
        let ctx = self.ctx(false);
        let items = page
            .tickets
            .into_iter()
            .map(|w| map::ticket_from_wire(w, None, ctx))
            .collect::<std::result::Result<Vec<_>, String>>()
            .map_err(bad_response)?;
        Ok(Page { items, next })
    }

    /// A ticket write (`POST /tickets` or `PUT /tickets/{id}`) and its answer.
    async fn write_ticket(
        &self,
        request: UpstreamRequest,
        body: &Value,
    ) -> Result<WireTicketWrite> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| bad_response(format!("the request could not be encoded: {e}")))?;
        let response = self.send(request.json_body(bytes)).await?;
        serde_json::from_slice(response.body())
            .map_err(|e| bad_response(format!("the ticket answer could not be read: {e}")))
    }

    /// The comment a write added, from the `Comment` event of its audit; when the audit is
    /// missing, the ticket's newest comment.
    async fn written_comment(&self, ticket: &str, written: WireTicketWrite) -> Result<Comment> {
        if let Some(audit) = written.audit {
            let event = audit
                .events
                .into_iter()
                .find(|e| e.get("type").and_then(Value::as_str) == Some("Comment"));
            if let Some(event) = event {
                return map::comment(event, ticket, audit.created_at, self.ctx(false))
                    .map_err(bad_response);
            }
        }
        let path = format!("/api/v2/tickets/{ticket}/comments");
        let request = self
            .request(Method::GET, &path, "/api/v2/tickets/{id}/comments")?
            .query_pair("sort", "-created_at")
            .query_pair("page[size]", "1");
        let response = self.send(request).await?;
        let page = WirePage::parse(response.body(), "comments").map_err(bad_response)?;
        let newest = page
            .items
            .into_iter()
            .next()
            .ok_or_else(|| bad_response("the comment was not found after writing it".into()))?;
        map::comment(newest, ticket, None, self.ctx(false)).map_err(bad_response)
    }
}

#[async_trait]
impl Connector for ZendeskConnector {
    fn provider(&self) -> Provider {
        Provider::Zendesk
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    /// `GET /api/v2/users/me`, with diagnoses: Zendesk answers the anonymous user (no id)
    /// when it accepted no credentials, and end users cannot use the agent API.
    async fn check(&self) -> Result<AccountIdentity> {
        let raw = self
            .get_one("/api/v2/users/me", "/api/v2/users/me", "user")
            .await?;
        let me: WireUser = serde_json::from_value(raw)
            .map_err(|e| bad_response(format!("the current user could not be read: {e}")))?;
        let Some(id) = me.id else {
            return Err(ConnectorError::Unauthorized {
                hint: unauthorized_hint(self.auth.mode()),
            });
        };
        if !map::is_staff(me.role.as_deref()) {
            return Err(ConnectorError::Forbidden {
                hint: forbidden_hint(self.auth.mode(), &Default::default()),
            });
        }
        Ok(AccountIdentity {
            account_label: self.subdomain.as_str().to_owned(),
            user_id: Some(id.0),
            user_email: me.email,
            role: me.role,
        })
    }

    async fn list_tickets(&self, req: &PageRequest<TicketFilter>) -> Result<Page<Ticket>> {
        let f = &req.filter;
        let mut query = Vec::new();
        if let Some(after) = req.updated_after {
            // `start_time` selects tickets created or updated after a whole second; the
            // exact instant is then checked on `updated_at`.
            query.push(("start_time", after.timestamp().to_string()));
        }
        let status = f.status;
        let updated = newer_than(req.updated_after);
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
        let emulated = f.status.is_some()
            || f.assignee_id.is_some()
            || f.team_id.is_some()
            || f.account_id.is_some()
            || f.requester_id.is_some()
            || req.updated_after.is_some();
        if !emulated && !req.include_remote_data {
            return self.list_tickets_typed(req).await;
        }
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::ticket(raw, ctx);
        let spec = ListSpec {
            path: "/api/v2/tickets",
            template: "/api/v2/tickets",
            key: "tickets",
            query,
            keep: emulated.then_some(&keep as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    async fn get_ticket(&self, id: &TicketId, opts: ReadOptions) -> Result<Ticket> {
        let path = format!("/api/v2/tickets/{}", numeric_id(id.as_str())?);
        let raw = self
            .get_one(&path, "/api/v2/tickets/{id}", "ticket")
            .await?;
        map::ticket(raw, self.ctx(opts.include_remote_data)).map_err(bad_response)
    }

    async fn create_ticket(&self, ticket: &NewTicket) -> Result<Ticket> {
        let request = self.request(Method::POST, "/api/v2/tickets", "/api/v2/tickets")?;
        let written = self
            .write_ticket(request, &body::new_ticket(ticket))
            .await?;
        map::ticket(written.ticket, self.ctx(false)).map_err(bad_response)
    }

    async fn update_ticket(&self, id: &TicketId, patch: &TicketPatch) -> Result<Ticket> {
        let path = format!("/api/v2/tickets/{}", numeric_id(id.as_str())?);
        let request = self.request(Method::PUT, &path, "/api/v2/tickets/{id}")?;
        let written = self
            .write_ticket(request, &body::ticket_patch(patch))
            .await?;
        map::ticket(written.ticket, self.ctx(false)).map_err(bad_response)
    }

    async fn delete_ticket(&self, id: &TicketId) -> Result<()> {
        let path = format!("/api/v2/tickets/{}", numeric_id(id.as_str())?);
        self.send(self.request(Method::DELETE, &path, "/api/v2/tickets/{id}")?)
            .await
            .map(|_| ())
    }

    async fn list_comments(&self, ticket: &TicketId, req: &PageRequest) -> Result<Page<Comment>> {
        let ticket_id = numeric_id(ticket.as_str())?;
        let path = format!("/api/v2/tickets/{ticket_id}/comments");
        let after = req.updated_after;
        // Comments do not change once written: `updated_after` selects by `created_at`.
        let keep = move |raw: &Value| {
            after.is_none_or(|after| {
                raw.get("created_at")
                    .and_then(Value::as_str)
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .is_some_and(|c| c.to_utc() > after)
            })
        };
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::comment(raw, ticket_id, None, ctx);
        let spec = ListSpec {
            path: &path,
            template: "/api/v2/tickets/{id}/comments",
            key: "comments",
            query: vec![("sort", "created_at".to_owned())],
            keep: after.is_some().then_some(&keep as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    /// Zendesk has no comment endpoint: files are uploaded first, then the comment goes in
    /// through a ticket update carrying the upload token.
    async fn create_comment(&self, ticket: &TicketId, comment: &NewComment) -> Result<Comment> {
        let ticket_id = numeric_id(ticket.as_str())?;
        if let Some(author) = &comment.author_id {
            numeric_id(author).map_err(|_| ConnectorError::Invalid {
                message: "author_id is not a zendesk user id".into(),
                fields: vec![deskgate_core::FieldError {
                    field: "author_id".into(),
                    message: "must be a zendesk user id".into(),
                }],
            })?;
        }
        let token = if comment.attachments.is_empty() {
            None
        } else {
            Some(self.upload(&comment.attachments).await?.0)
        };
        let path = format!("/api/v2/tickets/{ticket_id}");
        let request = self.request(Method::PUT, &path, "/api/v2/tickets/{id}")?;
        let written = self
            .write_ticket(request, &body::comment(comment, token.as_deref()))
            .await?;
        self.written_comment(ticket_id, written).await
    }

    async fn list_users(&self, req: &PageRequest<UserFilter>) -> Result<Page<User>> {
        let email = req.filter.email.clone();
        let updated = newer_than(req.updated_after);
        let keep = move |raw: &Value| updated(raw) && email_matches(raw, email.as_deref());
        let emulated = req.filter.email.is_some() || req.updated_after.is_some();
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::user(raw, ctx);
        let spec = ListSpec {
            path: "/api/v2/users",
            template: "/api/v2/users",
            key: "users",
            query: vec![
                ("role[]", "agent".to_owned()),
                ("role[]", "admin".to_owned()),
            ],
            keep: emulated.then_some(&keep as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    async fn get_user(&self, id: &UserId, opts: ReadOptions) -> Result<User> {
        let path = format!("/api/v2/users/{}", numeric_id(id.as_str())?);
        let raw = self.get_one(&path, "/api/v2/users/{id}", "user").await?;
        if !map::is_staff(raw.get("role").and_then(Value::as_str)) {
            return Err(ConnectorError::NotFound);
        }
        map::user(raw, self.ctx(opts.include_remote_data)).map_err(bad_response)
    }

    async fn list_contacts(&self, req: &PageRequest<ContactFilter>) -> Result<Page<Contact>> {
        let email = req.filter.email.clone();
        let account = req.filter.account_id.clone();
        let updated = newer_than(req.updated_after);
        let keep = move |raw: &Value| {
            updated(raw)
                && email_matches(raw, email.as_deref())
                && id_matches(
                    raw,
                    "organization_id",
                    account.as_ref().map(AccountId::as_str),
                )
        };
        let emulated = req.filter.email.is_some()
            || req.filter.account_id.is_some()
            || req.updated_after.is_some();
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::contact(raw, ctx);
        let spec = ListSpec {
            path: "/api/v2/users",
            template: "/api/v2/users",
            key: "users",
            query: vec![("role", "end-user".to_owned())],
            keep: emulated.then_some(&keep as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    async fn get_contact(&self, id: &ContactId, opts: ReadOptions) -> Result<Contact> {
        let path = format!("/api/v2/users/{}", numeric_id(id.as_str())?);
        let raw = self.get_one(&path, "/api/v2/users/{id}", "user").await?;
        if map::is_staff(raw.get("role").and_then(Value::as_str)) {
            return Err(ConnectorError::NotFound);
        }
        map::contact(raw, self.ctx(opts.include_remote_data)).map_err(bad_response)
    }

    async fn list_accounts(&self, req: &PageRequest) -> Result<Page<Account>> {
        let updated = newer_than(req.updated_after);
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::account(raw, ctx);
        let spec = ListSpec {
            path: "/api/v2/organizations",
            template: "/api/v2/organizations",
            key: "organizations",
            query: vec![],
            keep: req.updated_after.is_some().then_some(&updated as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    async fn get_account(&self, id: &AccountId, opts: ReadOptions) -> Result<Account> {
        let path = format!("/api/v2/organizations/{}", numeric_id(id.as_str())?);
        let raw = self
            .get_one(&path, "/api/v2/organizations/{id}", "organization")
            .await?;
        map::account(raw, self.ctx(opts.include_remote_data)).map_err(bad_response)
    }

    async fn list_teams(&self, req: &PageRequest<NoFilter>) -> Result<Page<Team>> {
        let updated = newer_than(req.updated_after);
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::team(raw, ctx);
        let spec = ListSpec {
            path: "/api/v2/groups",
            template: "/api/v2/groups",
            key: "groups",
            query: vec![],
            keep: req.updated_after.is_some().then_some(&updated as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    async fn get_team(&self, id: &TeamId, opts: ReadOptions) -> Result<Team> {
        let path = format!("/api/v2/groups/{}", numeric_id(id.as_str())?);
        let raw = self.get_one(&path, "/api/v2/groups/{id}", "group").await?;
        map::team(raw, self.ctx(opts.include_remote_data)).map_err(bad_response)
    }

    async fn list_tags(&self, req: &PageRequest) -> Result<Page<Tag>> {
        if req.updated_after.is_some() {
            return Err(ConnectorError::Invalid {
                message: "zendesk tags have no update time: updated_after cannot apply".into(),
                fields: vec![],
            });
        }
        let map = |raw: Value| map::tag(&raw);
        let spec = ListSpec {
            path: "/api/v2/tags",
            template: "/api/v2/tags",
            key: "tags",
            query: vec![],
            keep: None,
            map: &map,
        };
        self.list(spec, req).await
    }

    /// Zendesk has no tag resource: the tag is looked up with `GET /api/v2/autocomplete/tags`
    /// (names starting with at least two given characters, offset pages), and found when one
    /// of the names is exactly it.
    async fn get_tag(&self, name: &str) -> Result<Tag> {
        let wanted = name.to_lowercase();
        if wanted.chars().count() < 2 || wanted.chars().any(|c| c.is_whitespace() || c == ',') {
            return Err(ConnectorError::Invalid {
                message: "zendesk looks tags up by at least their first two characters: \
                          list the tags to find shorter ones"
                    .into(),
                fields: vec![FieldError {
                    field: "tag".into(),
                    message: "must be at least two characters, without spaces or commas".into(),
                }],
            });
        }
        for page in 1..=MAX_SCAN_PAGES {
            let request = self
                .request(
                    Method::GET,
                    "/api/v2/autocomplete/tags",
                    "/api/v2/autocomplete/tags",
                )?
                .query_pair("name", &wanted)
                .query_pair("page", &page.to_string());
            let value = self.send_json(request).await?;
            let names: Vec<String> =
                serde_json::from_value(value.get("tags").cloned().unwrap_or(Value::Null))
                    .map_err(|e| bad_response(format!("the tags answer could not be read: {e}")))?;
            if let Some(found) = names.into_iter().find(|n| n.to_lowercase() == wanted) {
                return Ok(Tag { name: found });
            }
            if value.get("next_page").is_none_or(Value::is_null) {
                break;
            }
        }
        Err(ConnectorError::NotFound)
    }

    /// `POST` sets, `PUT` adds, `DELETE` removes (`/api/v2/tickets/{id}/tags`).
    async fn change_ticket_tags(&self, id: &TicketId, change: &TagChange) -> Result<Vec<String>> {
        let path = format!("/api/v2/tickets/{}/tags", numeric_id(id.as_str())?);
        let (method, tags) = match change {
            TagChange::Set(tags) => (Method::POST, tags),
            TagChange::Add(tags) => (Method::PUT, tags),
            TagChange::Remove(tags) => (Method::DELETE, tags),
        };
        let bytes = serde_json::to_vec(&json!({ "tags": tags }))
            .map_err(|e| bad_response(format!("the request could not be encoded: {e}")))?;
        // Setting, adding and removing the same tags twice ends the same: safe to retry.
        let request = self
            .request(method, &path, "/api/v2/tickets/{id}/tags")?
            .json_body(bytes)
            .idempotent(true);
        let value = self.send_json(request).await?;
        serde_json::from_value::<Vec<String>>(value.get("tags").cloned().unwrap_or(Value::Null))
            .map_err(|e| bad_response(format!("the tags answer could not be read: {e}")))
    }

    /// A raw call under `/api/v2/` (OAuth and other roots are refused). Only `Content-Type`
    /// and `Accept` are forwarded; the connector adds authentication. Any status comes back
    /// as it is.
    async fn passthrough(&self, req: PassthroughRequest) -> Result<PassthroughResponse> {
        let path = format!("/{}", req.path.trim_start_matches('/'));
        if !path.starts_with("/api/v2/") {
            return Err(ConnectorError::Invalid {
                message: "passthrough paths must start with api/v2/".into(),
                fields: vec![],
            });
        }
        let mut request = self.request(req.method, &path, "/api/v2/{passthrough}")?;
        if let Some(query) = req.query.as_deref() {
            request = request
                .raw_query(query)
                .map_err(|e| ConnectorError::Invalid {
                    message: e.to_string(),
                    fields: vec![],
                })?;
        }
        if let Some(accept) = req.headers.get(ACCEPT).and_then(|v| v.to_str().ok()) {
            request = request
                .header(ACCEPT, accept)
                .map_err(|e| ConnectorError::Invalid {
                    message: e.to_string(),
                    fields: vec![],
                })?;
        }
        if !req.body.is_empty() {
            let content_type = req
                .headers
                .get(CONTENT_TYPE)
                .cloned()
                .unwrap_or_else(|| HeaderValue::from_static("application/json"));
            request = request.body(content_type, req.body);
        }
        let response = self
            .upstream
            .send(request)
            .await
            .map_err(|e| from_upstream(e, self.auth.mode(), &self.subdomain))?;
        // The credentials are deskgate's, not the caller's: a 401 means the connection needs
        // a person to reconnect it, and handing it back would read as the caller's own key
        // being refused.
        if response.status() == http::StatusCode::UNAUTHORIZED {
            return Err(ConnectorError::Unauthorized {
                hint: unauthorized_hint(self.auth.mode()),
            });
        }
        let mut headers = HeaderMap::new();
        for name in [CONTENT_TYPE, http::header::RETRY_AFTER] {
            if let Some(value) = response.headers().get(&name) {
                headers.insert(name, value.clone());
            }
        }
        Ok(PassthroughResponse {
            status: response.status().as_u16(),
            headers,
            body: response.into_body(),
        })
    }
}

impl fmt::Debug for ZendeskConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZendeskConnector")
            .field("subdomain", &self.subdomain)
            .field("auth_mode", &self.auth.mode())
            .field("connection_id", &self.connection_id)
            .finish_non_exhaustive()
    }
}
