//! [`ZendeskConnector`]: one Zendesk account reached with one connection's credentials,
//! implementing [`Connector`] over the shared call path ([`VendorClient`]). Each resource
//! family lives in its own module (`tickets`, `comments`, `directory`, `tags`); this file
//! holds the struct, the reads every family shares, and the trait's table of contents.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use deskgate_connector::{Endpoint, RawPage, VendorClient, bad_response, scan};
use deskgate_core::ids::{AccountId, ContactId, TeamId, TicketId, UserId};
use deskgate_core::model::{
    Account, Comment, Contact, NewComment, NewTicket, Tag, TagChange, Team, Ticket, TicketPatch,
    User,
};
use deskgate_core::page::{ContactFilter, NoFilter, ReadOptions, TicketFilter, UserFilter};
use deskgate_core::{
    AccountIdentity, Capabilities, ChangePage, ChangeRequest, Connector, ConnectorError, Page,
    PageRequest, PageStream, PassthroughRequest, PassthroughResponse, Provider, VendorCursor,
};
use deskgate_upstream::Upstream;
use http::Method;
use serde_json::Value;

use crate::auth::{ZendeskAuth, ZendeskCalls};
use crate::capabilities::capabilities;
use crate::connect::ConnectInput;
use crate::errors::{forbidden_hint, unauthorized_hint};
use crate::map::{self, MapContext};
use crate::paging::{next_cursor, page_query};
use crate::subdomain::ZendeskSubdomain;
use crate::wire::{WirePage, WireUser};

pub(crate) type Result<T> = std::result::Result<T, ConnectorError>;

/// Keeps the records an emulated filter selects.
pub(crate) type Keep<'a> = &'a (dyn Fn(&Value) -> bool + Send + Sync);

const ME: Endpoint = Endpoint::new("/api/v2/users/me");

/// A Zendesk account, reached with one connection's credentials.
///
/// Immutable: after a renewal the app stores the new credentials and builds a new connector
/// with them (the old access token no longer works).
#[derive(Clone)]
pub struct ZendeskConnector {
    pub(crate) client: VendorClient,
    pub(crate) subdomain: ZendeskSubdomain,
    pub(crate) auth: ZendeskAuth,
    web_root: String,
}

/// One cursor-paged list: where, under which key, and how to read each record.
pub(crate) struct ListSpec<'a, T> {
    pub(crate) endpoint: Endpoint,
    pub(crate) ids: &'a [&'a str],
    pub(crate) key: &'static str,
    pub(crate) query: Vec<(&'static str, String)>,
    /// `Some` when a filter is emulated: records it rejects are dropped and more vendor
    /// pages may be read.
    pub(crate) keep: Option<Keep<'a>>,
    pub(crate) map: &'a (dyn Fn(Value) -> std::result::Result<T, String> + Send + Sync),
}

impl ZendeskConnector {
    pub fn new(upstream: Upstream, input: ConnectInput) -> Self {
        let web_root = input.subdomain.web_root();
        let policy = ZendeskCalls {
            auth: input.auth.clone(),
            subdomain: input.subdomain.clone(),
        };
        let client = VendorClient::new(
            "zendesk",
            upstream,
            input.subdomain.origin().clone(),
            input.subdomain.budget_key().clone(),
            Arc::new(policy),
        );
        Self {
            client,
            subdomain: input.subdomain,
            auth: input.auth,
            web_root,
        }
    }

    /// The connection id logged with every call.
    #[must_use]
    pub fn with_connection_id(mut self, id: impl Into<String>) -> Self {
        self.client = self.client.with_connection_id(id);
        self
    }

    pub fn subdomain(&self) -> &ZendeskSubdomain {
        &self.subdomain
    }

    pub fn auth(&self) -> &ZendeskAuth {
        &self.auth
    }

    pub(crate) fn ctx(&self, include_remote_data: bool) -> MapContext<'_> {
        MapContext {
            web_root: &self.web_root,
            include_remote_data,
        }
    }

    /// `GET endpoint` and the object under `key`.
    pub(crate) async fn get_one(
        &self,
        endpoint: Endpoint,
        ids: &[&str],
        key: &str,
    ) -> Result<Value> {
        let mut value: Value = self
            .client
            .send_json(self.client.request(Method::GET, endpoint, ids)?)
            .await?;
        match value.get_mut(key).map(Value::take) {
            Some(Value::Null) | None => Err(bad_response(format!("the answer has no `{key}`"))),
            Some(object) => Ok(object),
        }
    }

    /// One cursor page of `spec`'s list from `cursor`.
    async fn cursor_page<T>(
        &self,
        spec: &ListSpec<'_, T>,
        limit: deskgate_core::page::Limit,
        cursor: Option<VendorCursor>,
    ) -> Result<RawPage<Value>> {
        let mut request = self.client.request(Method::GET, spec.endpoint, spec.ids)?;
        for (name, value) in spec
            .query
            .iter()
            .cloned()
            .chain(page_query(limit, cursor.as_ref())?)
        {
            request = request.query_pair(name, &value);
        }
        let response = self.client.send(request).await?;
        let page = WirePage::parse(response.body(), spec.key).map_err(bad_response)?;
        Ok(RawPage {
            next: next_cursor(page.meta.has_more, page.meta.after_cursor)?,
            items: page.items,
        })
    }

    /// One page of results of a cursor-paged list, scanning on for an emulated filter
    /// within the shared bound.
    pub(crate) async fn list<T, F>(
        &self,
        spec: ListSpec<'_, T>,
        req: &PageRequest<F>,
    ) -> Result<Page<T>> {
        let spec = &spec;
        scan(
            req.cursor.clone(),
            |cursor| self.cursor_page(spec, req.limit, cursor),
            spec.keep,
            spec.map,
        )
        .await
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
    /// when it accepted no credentials, and end users cannot use the agent API. A user whose
    /// role is not said connects with a `null` role.
    async fn check(&self) -> Result<AccountIdentity> {
        let raw = self.get_one(ME, &[], "user").await?;
        let me: WireUser = serde_json::from_value(raw)
            .map_err(|e| bad_response(format!("the current user could not be read: {e}")))?;
        let Some(id) = me.id else {
            return Err(ConnectorError::Unauthorized {
                hint: unauthorized_hint(self.auth.mode()),
            });
        };
        // Refuse only what is proved dangerous: an end user cannot use the agent API, so a
        // connection made with one would fail every call. A `null` or absent role is merely
        // incomplete (the field is optional in Zendesk's `UserObject`): refusing it would tell a
        // person their role lacks access when Zendesk only left the field out. Such an account
        // connects with `role: null` in its identity, and a call its real role cannot make is
        // diagnosed when it is made (a 403 is `Forbidden` with the role hint).
        if map::is_end_user(me.role.as_deref()) {
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
        self.tickets(req).await
    }

    async fn stream_tickets(&self, req: &PageRequest<TicketFilter>) -> Result<PageStream<Ticket>> {
        self.tickets_streamed(req).await
    }

    async fn get_ticket(&self, id: &TicketId, opts: ReadOptions) -> Result<Ticket> {
        self.ticket(id, opts).await
    }

    async fn create_ticket(&self, ticket: &NewTicket) -> Result<Ticket> {
        self.new_ticket(ticket).await
    }

    async fn update_ticket(&self, id: &TicketId, patch: &TicketPatch) -> Result<Ticket> {
        self.patch_ticket(id, patch).await
    }

    async fn delete_ticket(&self, id: &TicketId) -> Result<()> {
        self.remove_ticket(id).await
    }

    async fn list_comments(&self, ticket: &TicketId, req: &PageRequest) -> Result<Page<Comment>> {
        self.comments(ticket, req).await
    }

    async fn create_comment(&self, ticket: &TicketId, comment: &NewComment) -> Result<Comment> {
        self.add_comment(ticket, comment).await
    }

    async fn list_users(&self, req: &PageRequest<UserFilter>) -> Result<Page<User>> {
        self.users(req).await
    }

    async fn get_user(&self, id: &UserId, opts: ReadOptions) -> Result<User> {
        self.user(id, opts).await
    }

    async fn list_contacts(&self, req: &PageRequest<ContactFilter>) -> Result<Page<Contact>> {
        self.contacts(req).await
    }

    async fn get_contact(&self, id: &ContactId, opts: ReadOptions) -> Result<Contact> {
        self.contact(id, opts).await
    }

    async fn list_accounts(&self, req: &PageRequest) -> Result<Page<Account>> {
        self.organizations(req).await
    }

    async fn get_account(&self, id: &AccountId, opts: ReadOptions) -> Result<Account> {
        self.organization(id, opts).await
    }

    async fn list_teams(&self, req: &PageRequest<NoFilter>) -> Result<Page<Team>> {
        self.groups(req).await
    }

    async fn get_team(&self, id: &TeamId, opts: ReadOptions) -> Result<Team> {
        self.group(id, opts).await
    }

    async fn list_tags(&self, req: &PageRequest) -> Result<Page<Tag>> {
        self.tags(req).await
    }

    async fn get_tag(&self, name: &str) -> Result<Tag> {
        self.tag(name).await
    }

    async fn change_ticket_tags(&self, id: &TicketId, change: &TagChange) -> Result<Vec<String>> {
        self.retag(id, change).await
    }

    /// The cursor-based incremental ticket export (`changes`).
    async fn ticket_changes(&self, req: &ChangeRequest) -> Result<ChangePage> {
        self.changes(req).await
    }

    /// A raw call under `/api/v2/` (OAuth and other roots are refused).
    async fn passthrough(&self, req: PassthroughRequest) -> Result<PassthroughResponse> {
        self.client
            .passthrough(req, "/api/v2/", "/api/v2/{passthrough}")
            .await
    }
}

impl fmt::Debug for ZendeskConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZendeskConnector")
            .field("subdomain", &self.subdomain)
            .field("auth_mode", &self.auth.mode())
            .field("connection_id", &self.client.connection_id())
            .finish_non_exhaustive()
    }
}
