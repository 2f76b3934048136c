//! The people and groups around tickets: agents as users, contacts, companies as accounts,
//! groups as teams. Lists page by page number. The contacts list's `email`, `company_id`
//! and `_updated_since` are Freshdesk's own filters; every other filter (agents by email
//! included: the agents list documents none) is emulated through the kit's bounded scan.
//! The native filters are checked again on what comes back, which costs nothing and keeps a
//! page right even if Freshdesk ignores a parameter; `_updated_since` is inclusive, so that
//! check also makes `updated_after` strict.

use deskgate_connector::Endpoint;
use deskgate_connector::filters::{email_matches, id_matches, later_than, numeric_id};
use deskgate_core::ids::{AccountId, ContactId, TeamId, UserId};
use deskgate_core::model::{Account, Contact, Team, User};
use deskgate_core::page::{ContactFilter, NoFilter, ReadOptions, UserFilter};
use deskgate_core::{ConnectorError, Page, PageRequest};
use http::Method;
use serde_json::Value;

use crate::budget::EndpointCap;
use crate::client::{FreshdeskConnector, KeepFn, Listing, MapFn};
use crate::map;
use crate::paging::instant;

type Result<T> = std::result::Result<T, ConnectorError>;

const AGENTS: Endpoint = Endpoint::new("/api/v2/agents");
const AGENT: Endpoint = Endpoint::new("/api/v2/agents/{id}");
const CONTACTS: Endpoint = Endpoint::new("/api/v2/contacts");
const CONTACT: Endpoint = Endpoint::new("/api/v2/contacts/{id}");
const COMPANIES: Endpoint = Endpoint::new("/api/v2/companies");
const COMPANY: Endpoint = Endpoint::new("/api/v2/companies/{id}");
const GROUPS: Endpoint = Endpoint::new("/api/v2/groups");
const GROUP: Endpoint = Endpoint::new("/api/v2/groups/{id}");

async fn get<T>(
    fd: &FreshdeskConnector,
    endpoint: Endpoint,
    id: &str,
    map: fn(Value, bool) -> std::result::Result<T, String>,
    opts: ReadOptions,
) -> Result<T> {
    let id = numeric_id(id)?;
    let request = fd.request(Method::GET, endpoint, &[id], None, 0)?;
    fd.one(request, &|raw| map(raw, opts.include_remote_data))
        .await
}

/// A list whose only filter is `updated_after`, emulated.
async fn list_plain<T, F>(
    fd: &FreshdeskConnector,
    endpoint: Endpoint,
    req: &PageRequest<F>,
    map: fn(Value, bool) -> std::result::Result<T, String>,
) -> Result<Page<T>> {
    let newer = later_than(req.updated_after, "updated_at");
    let remote = req.include_remote_data;
    let listing = Listing {
        endpoint,
        ids: &[],
        query: Vec::new(),
        cap: None,
        keep: req.updated_after.is_some().then_some(&newer as KeepFn<'_>),
        map: &|raw| map(raw, remote),
    };
    fd.list(listing, req.cursor.as_ref(), req.limit.get()).await
}

pub(crate) async fn list_users(
    fd: &FreshdeskConnector,
    req: &PageRequest<UserFilter>,
) -> Result<Page<User>> {
    let email = req.filter.email.clone();
    let newer = later_than(req.updated_after, "updated_at");
    let keep = move |raw: &Value| {
        newer(raw)
            && raw
                .get("contact")
                .is_some_and(|c| email_matches(c, "email", email.as_deref()))
    };
    let remote = req.include_remote_data;
    let map: MapFn<'_, User> = &|raw| map::user(raw, remote);
    let listing = Listing {
        endpoint: AGENTS,
        ids: &[],
        query: Vec::new(),
        cap: None,
        keep: (req.filter.email.is_some() || req.updated_after.is_some())
            .then_some(&keep as KeepFn<'_>),
        map,
    };
    fd.list(listing, req.cursor.as_ref(), req.limit.get()).await
}

pub(crate) async fn get_user(
    fd: &FreshdeskConnector,
    id: &UserId,
    opts: ReadOptions,
) -> Result<User> {
    get(fd, AGENT, id.as_str(), map::user, opts).await
}

pub(crate) async fn list_contacts(
    fd: &FreshdeskConnector,
    req: &PageRequest<ContactFilter>,
) -> Result<Page<Contact>> {
    let filter = req.filter.clone();
    let newer = later_than(req.updated_after, "updated_at");
    let keep = move |raw: &Value| {
        newer(raw)
            && email_matches(raw, "email", filter.email.as_deref())
            && id_matches(
                raw,
                "company_id",
                filter.account_id.as_ref().map(|a| a.as_str()),
            )
    };
    let mut query = Vec::new();
    if let Some(email) = &req.filter.email {
        query.push(("email", email.clone()));
    }
    if let Some(account) = &req.filter.account_id {
        let Ok(account) = numeric_id(account.as_str()) else {
            // Not a Freshdesk id: no contact belongs to it.
            return Ok(Page::last(Vec::new()));
        };
        query.push(("company_id", account.to_owned()));
    }
    if let Some(after) = req.updated_after {
        query.push(("_updated_since", instant(after)));
    }
    let filtered = !query.is_empty();
    let remote = req.include_remote_data;
    let listing = Listing {
        endpoint: CONTACTS,
        ids: &[],
        query,
        cap: Some(EndpointCap::ContactsList),
        keep: filtered.then_some(&keep as KeepFn<'_>),
        map: &|raw| map::contact(raw, remote),
    };
    fd.list(listing, req.cursor.as_ref(), req.limit.get()).await
}

pub(crate) async fn get_contact(
    fd: &FreshdeskConnector,
    id: &ContactId,
    opts: ReadOptions,
) -> Result<Contact> {
    get(fd, CONTACT, id.as_str(), map::contact, opts).await
}

pub(crate) async fn list_accounts(
    fd: &FreshdeskConnector,
    req: &PageRequest,
) -> Result<Page<Account>> {
    list_plain(fd, COMPANIES, req, map::account).await
}

pub(crate) async fn get_account(
    fd: &FreshdeskConnector,
    id: &AccountId,
    opts: ReadOptions,
) -> Result<Account> {
    get(fd, COMPANY, id.as_str(), map::account, opts).await
}

pub(crate) async fn list_teams(
    fd: &FreshdeskConnector,
    req: &PageRequest<NoFilter>,
) -> Result<Page<Team>> {
    list_plain(fd, GROUPS, req, map::team).await
}

pub(crate) async fn get_team(
    fd: &FreshdeskConnector,
    id: &TeamId,
    opts: ReadOptions,
) -> Result<Team> {
    get(fd, GROUP, id.as_str(), map::team, opts).await
}
