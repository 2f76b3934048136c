//! [`IntercomConnector`]: one Intercom workspace reached with one access token. It holds the
//! kit's [`VendorClient`] (the region's fixed origin, the workspace's budget, the bearer
//! policy, errors) and implements [`Connector`] by delegating to the resource modules; the
//! request and search plumbing they share is here.

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
    AccountIdentity, Capabilities, ChangePage, ChangeRequest, Connector, ConnectorError, InputPart,
    Page, PageRequest, PageStream, PassthroughRequest, PassthroughResponse, Provider, VendorCursor,
};
use deskgate_upstream::{BudgetKey, Upstream, UpstreamRequest};
use http::Method;
use secrecy::SecretString;
use serde_json::Value;

use crate::auth::{self, Checked, TokenPolicy};
use crate::capabilities::capabilities;
use crate::ids::path_id;
use crate::paging::{next_cursor, starting_after};
use crate::region::{Region, VENDOR};
use crate::search::{self, Query};
use crate::wire::WireSearchPage;
use crate::{changes, comments, directory, tags, tickets};

type Result<T> = std::result::Result<T, ConnectorError>;

/// Maps one raw record, or says why it could not.
pub(crate) type MapFn<'a, T> = &'a (dyn Fn(Value) -> std::result::Result<T, String> + Send + Sync);

/// An emulated filter over raw records.
pub(crate) type KeepFn<'a> = &'a (dyn Fn(&Value) -> bool + Send + Sync);

/// One search: where, what, and what deskgate still filters itself.
pub(crate) struct Search<'a, T> {
    pub(crate) endpoint: Endpoint,
    pub(crate) query: Query,
    pub(crate) keep: Option<KeepFn<'a>>,
    pub(crate) map: MapFn<'a, T>,
}

/// The rate budget of a workspace: `intercom:{workspace_id}`.
pub fn workspace_budget(workspace_id: &str) -> Option<BudgetKey> {
    BudgetKey::new(VENDOR, workspace_id).ok()
}

/// The budget of calls made before the workspace is known (the connect check, the code
/// exchange): `intercom:connect-{region}`, so that they never spend, or are blocked by, a
/// workspace's budget they may not belong to.
pub fn connect_budget(region: Region) -> Option<BudgetKey> {
    BudgetKey::new(VENDOR, &format!("connect-{region}")).ok()
}

/// An Intercom workspace, reached with one access token.
#[derive(Clone, Debug)]
pub struct IntercomConnector {
    client: VendorClient,
    region: Region,
    /// The workspace the connection was made for; `None` only for the connect check.
    workspace_id: Option<String>,
    /// The admin the token acts as: replies, notes and tag changes are attributed to them.
    admin_id: Option<String>,
}

impl IntercomConnector {
    /// A connector for a stored connection: calls spend the workspace's budget.
    pub(crate) fn new(
        upstream: Upstream,
        region: Region,
        workspace_id: String,
        admin_id: Option<String>,
        token: SecretString,
    ) -> std::result::Result<Self, String> {
        let budget = workspace_budget(&workspace_id)
            .ok_or_else(|| "the stored workspace id is not a usable budget key".to_owned())?;
        let mut connector = Self::with_budget(upstream, region, budget, token)?;
        connector.workspace_id = Some(workspace_id);
        connector.admin_id = admin_id;
        Ok(connector)
    }

    /// A connector for the connect check, before the workspace is known.
    pub(crate) fn unverified(
        upstream: Upstream,
        region: Region,
        token: SecretString,
    ) -> std::result::Result<Self, String> {
        let budget = connect_budget(region).ok_or_else(|| "no connect budget key".to_owned())?;
        Self::with_budget(upstream, region, budget, token)
    }

    fn with_budget(
        upstream: Upstream,
        region: Region,
        budget: BudgetKey,
        token: SecretString,
    ) -> std::result::Result<Self, String> {
        let origin = region.origin().map_err(|e| e.to_string())?;
        let client = VendorClient::new(
            VENDOR,
            upstream,
            origin,
            budget,
            Arc::new(TokenPolicy::new(token)),
        );
        Ok(Self {
            client,
            region,
            workspace_id: None,
            admin_id: None,
        })
    }

    /// The connection id logged with every call.
    #[must_use]
    pub fn with_connection_id(mut self, id: impl Into<String>) -> Self {
        self.client = self.client.with_connection_id(id);
        self
    }

    pub fn region(&self) -> Region {
        self.region
    }

    pub(crate) fn client(&self) -> &VendorClient {
        &self.client
    }

    /// The admin actions are attributed to, from the connect check.
    pub(crate) fn admin_id(&self) -> Result<&str> {
        self.admin_id
            .as_deref()
            .ok_or_else(|| ConnectorError::Unauthorized {
                hint: "the connection does not know which intercom admin it acts as: reconnect it"
                    .into(),
            })
    }

    /// `GET /me`, and whether it is still the connection's workspace.
    pub(crate) async fn me(&self) -> Result<Checked> {
        let checked = auth::check(&self.client).await?;
        if let Some(expected) = self.workspace_id.as_deref()
            && checked.workspace_id != expected
        {
            return Err(ConnectorError::Unauthorized {
                hint: format!(
                    "the access token now belongs to intercom workspace {}, not the connected \
                     workspace {expected}: reconnect with a token for the connected workspace",
                    checked.workspace_id
                ),
            });
        }
        Ok(checked)
    }

    /// `GET` one record at `endpoint` (its ids checked), mapped.
    pub(crate) async fn get<T>(
        &self,
        endpoint: Endpoint,
        ids: &[&str],
        map: MapFn<'_, T>,
    ) -> Result<T> {
        let raw = self.get_raw(endpoint, ids).await?;
        map(raw).map_err(bad_response)
    }

    /// `GET` at `endpoint` (its ids checked), raw.
    pub(crate) async fn get_raw(&self, endpoint: Endpoint, ids: &[&str]) -> Result<Value> {
        let ids = checked(ids)?;
        let request = self.client.request(Method::GET, endpoint, &ids)?;
        self.client.send_json(request).await
    }

    /// A call with a JSON body, answered with JSON.
    pub(crate) async fn send_body(
        &self,
        method: Method,
        endpoint: Endpoint,
        ids: &[&str],
        body: &Value,
    ) -> Result<Value> {
        let ids = checked(ids)?;
        let request = self.client.request(method, endpoint, &ids)?;
        let request = self.client.json(request, body)?;
        self.client.send_json(request).await
    }

    /// One unified page of a search, through the kit's bounded scan when a filter is
    /// emulated.
    pub(crate) async fn search<T>(
        &self,
        search: Search<'_, T>,
        cursor: Option<&VendorCursor>,
        limit: u32,
    ) -> Result<Page<T>> {
        starting_after(cursor)?;
        let per_page = crate::paging::per_page(limit);
        let search = &search;
        // Refused here, before any request, when the query is over Intercom's limits.
        search.query.to_json()?;
        let fetch = |cursor: Option<VendorCursor>| async move {
            let page = self
                .search_page(
                    search.endpoint,
                    &search.query,
                    per_page,
                    starting_after(cursor.as_ref())?,
                )
                .await?;
            Ok(RawPage {
                items: page.data,
                next: next_cursor(page.pages),
            })
        };
        scan(cursor.cloned(), fetch, search.keep, search.map).await
    }

    /// One page of a search from `starting_after`, raw.
    pub(crate) async fn search_page(
        &self,
        endpoint: Endpoint,
        query: &Query,
        per_page: u32,
        starting_after: Option<&str>,
    ) -> Result<WireSearchPage> {
        let request = self.search_request(endpoint, query, per_page, starting_after)?;
        self.client.send_json(request).await
    }

    /// The request for one page of a search from `starting_after`.
    pub(crate) fn search_request(
        &self,
        endpoint: Endpoint,
        query: &Query,
        per_page: u32,
        starting_after: Option<&str>,
    ) -> Result<UpstreamRequest> {
        let body = search::body(query, per_page, starting_after)?;
        let request = self.client.request(Method::POST, endpoint, &[])?;
        // Searches read; repeating one changes nothing.
        Ok(self.client.json(request, &body)?.idempotent(true))
    }
}

/// Every id checked as a path id.
fn checked<'a>(ids: &[&'a str]) -> Result<Vec<&'a str>> {
    ids.iter().map(|id| path_id(id)).collect()
}

#[async_trait]
impl Connector for IntercomConnector {
    fn provider(&self) -> Provider {
        Provider::Intercom
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    async fn check(&self) -> Result<AccountIdentity> {
        Ok(self.me().await?.identity)
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

    async fn list_tags(&self, req: &PageRequest) -> Result<Page<Tag>> {
        tags::list(self, req).await
    }

    async fn get_tag(&self, name: &str) -> Result<Tag> {
        tags::get(self, name).await
    }

    async fn change_ticket_tags(&self, id: &TicketId, change: &TagChange) -> Result<Vec<String>> {
        tags::change(self, id, change).await
    }

    /// Ticket search on `updated_at`, then the deleted conversations (`changes`).
    async fn ticket_changes(&self, req: &ChangeRequest) -> Result<ChangePage> {
        changes::ticket_changes(self, req).await
    }

    /// Any REST path on the region's host (conversations included), with the connection's
    /// token and the pinned version. The OAuth endpoints under `/auth/` are refused.
    async fn passthrough(&self, req: PassthroughRequest) -> Result<PassthroughResponse> {
        let path = req.path.trim_start_matches('/');
        if path == "auth" || path.starts_with("auth/") {
            return Err(ConnectorError::refused(
                InputPart::Path,
                "path",
                "may not be one of intercom's oauth endpoints (auth/…)",
            ));
        }
        self.client.passthrough(req, "/", "/{passthrough}").await
    }
}
