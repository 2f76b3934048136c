//! [`FreshdeskConnector`]: one Freshdesk account reached with one agent's API key. It holds
//! the kit's [`VendorClient`] (origin, budget, auth, errors) and implements [`Connector`]
//! by delegating to the resource modules; the request and list plumbing they share is here.

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
use deskgate_upstream::{Upstream, UpstreamRequest};
use http::Method;
use secrecy::SecretString;
use serde_json::Value;

use crate::auth::{self, ApiKeyPolicy};
use crate::budget::{EndpointCap, spend};
use crate::capabilities::capabilities;
use crate::domain::{FreshdeskDomain, VENDOR};
use crate::paging::{MAX_PER_PAGE, next_page, page_cursor, page_from};
use crate::{changes, comments, directory, tags, tickets};

type Result<T> = std::result::Result<T, ConnectorError>;

/// Maps one raw record, or says why it could not.
pub(crate) type MapFn<'a, T> = &'a (dyn Fn(Value) -> std::result::Result<T, String> + Send + Sync);

/// An emulated filter over raw records.
pub(crate) type KeepFn<'a> = &'a (dyn Fn(&Value) -> bool + Send + Sync);

/// A list paged by page numbers.
pub(crate) struct Listing<'a, T> {
    pub(crate) endpoint: Endpoint,
    pub(crate) ids: &'a [&'a str],
    /// Native filters.
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) cap: Option<EndpointCap>,
    /// Emulated filters, `None` when there are none.
    pub(crate) keep: Option<KeepFn<'a>>,
    pub(crate) map: MapFn<'a, T>,
}

/// A Freshdesk account, reached with one agent's API key.
#[derive(Clone, Debug)]
pub struct FreshdeskConnector {
    client: VendorClient,
    domain: FreshdeskDomain,
}

impl FreshdeskConnector {
    pub fn new(upstream: Upstream, domain: FreshdeskDomain, api_key: SecretString) -> Self {
        let client = VendorClient::new(
            VENDOR,
            upstream,
            domain.origin().clone(),
            domain.budget_key().clone(),
            Arc::new(ApiKeyPolicy::new(api_key)),
        );
        Self { client, domain }
    }

    /// The connection id logged with every call.
    #[must_use]
    pub fn with_connection_id(mut self, id: impl Into<String>) -> Self {
        self.client = self.client.with_connection_id(id);
        self
    }

    pub fn domain(&self) -> &FreshdeskDomain {
        &self.domain
    }

    pub(crate) fn client(&self) -> &VendorClient {
        &self.client
    }

    /// An authorized request that spends the account's budget, `cap`'s too, and one credit
    /// more per `include=` value.
    pub(crate) fn request(
        &self,
        method: Method,
        endpoint: Endpoint,
        ids: &[&str],
        cap: Option<EndpointCap>,
        includes: u32,
    ) -> Result<UpstreamRequest> {
        let request = self.client.request(method, endpoint, ids)?;
        Ok(spend(request, &self.domain, cap, includes))
    }

    /// Sends and maps one record.
    pub(crate) async fn one<T>(&self, request: UpstreamRequest, map: MapFn<'_, T>) -> Result<T> {
        let raw: Value = self.client.send_json(request).await?;
        map(raw).map_err(bad_response)
    }

    /// One unified page of a numbered list, through the kit's bounded scan when a filter is
    /// emulated.
    pub(crate) async fn list<T>(
        &self,
        listing: Listing<'_, T>,
        cursor: Option<&VendorCursor>,
        limit: u32,
    ) -> Result<Page<T>> {
        page_from(cursor)?;
        let per_page = limit.min(MAX_PER_PAGE).to_string();
        let listing = &listing;
        let per_page = per_page.as_str();
        let fetch = |cursor: Option<VendorCursor>| async move {
            let page = page_from(cursor.as_ref())?;
            let mut request = self
                .request(Method::GET, listing.endpoint, listing.ids, listing.cap, 0)?
                .query_pair("per_page", per_page)
                .query_pair("page", &page.to_string());
            for (name, value) in &listing.query {
                request = request.query_pair(name, value);
            }
            let response = self.client.send(request).await?;
            let items: Vec<Value> = self.client.read(&response)?;
            let next = next_page(response.headers())?.map(page_cursor);
            Ok(RawPage { items, next })
        };
        scan(cursor.cloned(), fetch, listing.keep, listing.map).await
    }
}

#[async_trait]
impl Connector for FreshdeskConnector {
    fn provider(&self) -> Provider {
        Provider::Freshdesk
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    async fn check(&self) -> Result<AccountIdentity> {
        auth::check(&self.client, &self.domain).await
    }

    async fn list_tickets(&self, req: &PageRequest<TicketFilter>) -> Result<Page<Ticket>> {
        tickets::list(self, req).await
    }

    async fn stream_tickets(&self, req: &PageRequest<TicketFilter>) -> Result<PageStream<Ticket>> {
        tickets::stream(self, req).await
    }

    async fn get_ticket(&self, id: &TicketId, opts: ReadOptions) -> Result<Ticket> {
        tickets::get(self, id, opts).await
    }

    async fn create_ticket(&self, ticket: &NewTicket) -> Result<Ticket> {
        tickets::create(self, ticket).await
    }

    async fn update_ticket(&self, id: &TicketId, patch: &TicketPatch) -> Result<Ticket> {
        tickets::update(self, id, patch).await
    }

    async fn delete_ticket(&self, id: &TicketId) -> Result<()> {
        tickets::delete(self, id).await
    }

    async fn list_comments(&self, ticket: &TicketId, req: &PageRequest) -> Result<Page<Comment>> {
        comments::list(self, ticket, req).await
    }

    async fn create_comment(&self, ticket: &TicketId, comment: &NewComment) -> Result<Comment> {
        comments::create(self, ticket, comment).await
    }

    async fn list_users(&self, req: &PageRequest<UserFilter>) -> Result<Page<User>> {
        directory::list_users(self, req).await
    }

    async fn get_user(&self, id: &UserId, opts: ReadOptions) -> Result<User> {
        directory::get_user(self, id, opts).await
    }

    async fn list_contacts(&self, req: &PageRequest<ContactFilter>) -> Result<Page<Contact>> {
        directory::list_contacts(self, req).await
    }

    async fn get_contact(&self, id: &ContactId, opts: ReadOptions) -> Result<Contact> {
        directory::get_contact(self, id, opts).await
    }

    async fn list_accounts(&self, req: &PageRequest) -> Result<Page<Account>> {
        directory::list_accounts(self, req).await
    }

    async fn get_account(&self, id: &AccountId, opts: ReadOptions) -> Result<Account> {
        directory::get_account(self, id, opts).await
    }

    async fn list_teams(&self, req: &PageRequest<NoFilter>) -> Result<Page<Team>> {
        directory::list_teams(self, req).await
    }

    async fn get_team(&self, id: &TeamId, opts: ReadOptions) -> Result<Team> {
        directory::get_team(self, id, opts).await
    }

    async fn list_tags(&self, _req: &PageRequest) -> Result<Page<Tag>> {
        tags::list()
    }

    async fn get_tag(&self, _name: &str) -> Result<Tag> {
        tags::get()
    }

    async fn change_ticket_tags(&self, id: &TicketId, change: &TagChange) -> Result<Vec<String>> {
        tags::change(self, id, change).await
    }

    /// The ticket walk over live tickets, then over the trash (`changes`).
    async fn ticket_changes(&self, req: &ChangeRequest) -> Result<ChangePage> {
        changes::ticket_changes(self, req).await
    }

    async fn passthrough(&self, req: PassthroughRequest) -> Result<PassthroughResponse> {
        self.client
            .passthrough(req, "/api/v2/", "/api/v2/{passthrough}")
            .await
    }
}
