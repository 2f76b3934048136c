//! Users (admins), contacts, accounts (companies) and teams.
//!
//! - Users: `GET /admins` answers every admin at once; the `email` filter is applied here
//!   (emulated) and the list paged by offset. `GET /admins/{id}`.
//! - Contacts: `POST /contacts/search` (the 2.16 `GET /contacts` declares no paging
//!   parameters): `email` is the search field `email` (native); `account_id` and
//!   `updated_after` are emulated (contact search matches dates by calendar day only).
//!   Without a filter the query is every user and lead (`role IN [user, lead]`).
//!   `GET /contacts/{id}`.
//! - Accounts: `GET /companies?page=&per_page=` (numbered pages, at most 50 per page here).
//!   `GET /companies/{id}`.
//! - Teams: `GET /teams` answers every team at once; paged by offset. `GET /teams/{id}`.

use deskgate_connector::{Endpoint, bad_response, filters};
use deskgate_core::ids::{AccountId, ContactId, TeamId, UserId};
use deskgate_core::model::{Account, Contact, Team, User};
use deskgate_core::page::{ContactFilter, NoFilter, ReadOptions, UserFilter};
use deskgate_core::{ConnectorError, Page, PageRequest};
use http::Method;
use serde_json::{Value, json};

use crate::client::{IntercomConnector, Search};
use crate::ids::{body_id, path_id};
use crate::map;
use crate::paging::{next_page, page_number, slice};
use crate::search::{Op, Query};
use crate::wire::{WireAdminList, WireCompanyPage, WireTeamList};

type Result<T> = std::result::Result<T, ConnectorError>;

const ADMINS: Endpoint = Endpoint::new("/admins");
const ADMIN: Endpoint = Endpoint::new("/admins/{admin_id}");
const CONTACTS_SEARCH: Endpoint = Endpoint::new("/contacts/search");
const CONTACT: Endpoint = Endpoint::new("/contacts/{contact_id}");
const COMPANIES: Endpoint = Endpoint::new("/companies");
const COMPANY: Endpoint = Endpoint::new("/companies/{company_id}");
const TEAMS: Endpoint = Endpoint::new("/teams");
const TEAM: Endpoint = Endpoint::new("/teams/{team_id}");

/// Companies per page asked for; Intercom's default is 15 and its maximum is not stated in
/// the 2.16 document.
pub(crate) const COMPANIES_PER_PAGE: u32 = 50;

fn read<T: serde::de::DeserializeOwned>(raw: Value, what: &str) -> Result<T> {
    serde_json::from_value(raw)
        .map_err(|e| bad_response(format!("intercom's {what} could not be read: {e}")))
}

fn map_all<T>(
    items: Vec<Value>,
    map: impl Fn(Value) -> std::result::Result<T, String>,
) -> Result<Vec<T>> {
    items
        .into_iter()
        .map(map)
        .collect::<std::result::Result<Vec<_>, String>>()
        .map_err(bad_response)
}

pub(crate) async fn list_users(
    c: &IntercomConnector,
    req: &PageRequest<UserFilter>,
) -> Result<Page<User>> {
    let list: WireAdminList = read(c.get_raw(ADMINS, &[]).await?, "admin list")?;
    let email = req.filter.email.as_deref();
    let admins: Vec<Value> = list
        .admins
        .into_iter()
        .filter(|raw| filters::email_matches(raw, "email", email))
        .collect();
    let page = slice(admins, req.cursor.as_ref(), req.limit.get())?;
    let include = req.include_remote_data;
    Ok(Page {
        items: map_all(page.items, |raw| map::user(raw, include))?,
        next: page.next,
    })
}

pub(crate) async fn get_user(
    c: &IntercomConnector,
    id: &UserId,
    opts: ReadOptions,
) -> Result<User> {
    // `admin_id` is an integer path parameter in the 2.16 document.
    filters::numeric_id(id.as_str())?;
    let include = opts.include_remote_data;
    c.get(ADMIN, &[id.as_str()], &move |raw| map::user(raw, include))
        .await
}

/// The contact search for a filter.
pub(crate) fn contact_query(filter: &ContactFilter) -> Query {
    match filter.email.as_deref() {
        Some(email) => Query::filter("email", Op::Eq, email),
        None => Query::filter("role", Op::In, json!(["user", "lead"])),
    }
}

pub(crate) async fn list_contacts(
    c: &IntercomConnector,
    req: &PageRequest<ContactFilter>,
) -> Result<Page<Contact>> {
    let account = match &req.filter.account_id {
        Some(id) => Some(body_id("account_id", id.as_str())?.to_owned()),
        None => None,
    };
    let after = req.updated_after;
    let keep = move |raw: &Value| {
        let newer = after.is_none_or(|after| {
            raw.get("updated_at")
                .and_then(Value::as_i64)
                .is_some_and(|t| t > after.timestamp())
        });
        let in_account = account.as_deref().is_none_or(|wanted| {
            raw.pointer("/companies/data")
                .and_then(Value::as_array)
                .is_some_and(|companies| {
                    companies
                        .iter()
                        .any(|company| filters::id_matches(company, "id", Some(wanted)))
                })
        });
        newer && in_account
    };
    let filtered = after.is_some() || req.filter.account_id.is_some();
    let include = req.include_remote_data;
    let map = move |raw: Value| map::contact(raw, include);
    let keep_fn: crate::client::KeepFn<'_> = &keep;
    c.search(
        Search {
            endpoint: CONTACTS_SEARCH,
            query: contact_query(&req.filter),
            keep: filtered.then_some(keep_fn),
            map: &map,
        },
        req.cursor.as_ref(),
        req.limit.get(),
    )
    .await
}

pub(crate) async fn get_contact(
    c: &IntercomConnector,
    id: &ContactId,
    opts: ReadOptions,
) -> Result<Contact> {
    let include = opts.include_remote_data;
    c.get(CONTACT, &[id.as_str()], &move |raw| {
        map::contact(raw, include)
    })
    .await
}

pub(crate) async fn list_accounts(
    c: &IntercomConnector,
    req: &PageRequest,
) -> Result<Page<Account>> {
    let page = page_number(req.cursor.as_ref())?;
    let per_page = req.limit.get().min(COMPANIES_PER_PAGE);
    let request = c
        .client()
        .request(Method::GET, COMPANIES, &[])?
        .query_pair("page", &page.to_string())
        .query_pair("per_page", &per_page.to_string());
    let answer: WireCompanyPage = c.client().send_json(request).await?;
    let include = req.include_remote_data;
    Ok(Page {
        items: map_all(answer.data, |raw| map::account(raw, include))?,
        next: next_page(answer.pages),
    })
}

pub(crate) async fn get_account(
    c: &IntercomConnector,
    id: &AccountId,
    opts: ReadOptions,
) -> Result<Account> {
    let include = opts.include_remote_data;
    c.get(COMPANY, &[id.as_str()], &move |raw| {
        map::account(raw, include)
    })
    .await
}

pub(crate) async fn list_teams(
    c: &IntercomConnector,
    req: &PageRequest<NoFilter>,
) -> Result<Page<Team>> {
    let list: WireTeamList = read(c.get_raw(TEAMS, &[]).await?, "team list")?;
    let page = slice(list.teams, req.cursor.as_ref(), req.limit.get())?;
    let include = req.include_remote_data;
    Ok(Page {
        items: map_all(page.items, |raw| map::team(raw, include))?,
        next: page.next,
    })
}

pub(crate) async fn get_team(
    c: &IntercomConnector,
    id: &TeamId,
    opts: ReadOptions,
) -> Result<Team> {
    path_id(id.as_str())?;
    let include = opts.include_remote_data;
    c.get(TEAM, &[id.as_str()], &move |raw| map::team(raw, include))
        .await
}
