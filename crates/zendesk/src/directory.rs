//! The directory: users (agents and admins), contacts (end users), accounts
//! (organizations) and teams (groups). Zendesk keeps agents and end users in one `users`
//! collection, told apart by role.

use deskgate_connector::filters::{email_matches, id_matches, later_than, numeric_id};
use deskgate_connector::{Endpoint, bad_response};
use deskgate_core::ids::{AccountId, ContactId, TeamId, UserId};
use deskgate_core::model::{Account, Contact, Team, User};
use deskgate_core::page::{ContactFilter, NoFilter, ReadOptions, UserFilter};
use deskgate_core::{ConnectorError, Page, PageRequest};
use serde_json::Value;

use crate::client::{Keep, ListSpec, Result, ZendeskConnector};
use crate::map;

const USERS: Endpoint = Endpoint::new("/api/v2/users");
const USER: Endpoint = Endpoint::new("/api/v2/users/{id}");
const ORGANIZATIONS: Endpoint = Endpoint::new("/api/v2/organizations");
const ORGANIZATION: Endpoint = Endpoint::new("/api/v2/organizations/{id}");
const GROUPS: Endpoint = Endpoint::new("/api/v2/groups");
const GROUP: Endpoint = Endpoint::new("/api/v2/groups/{id}");

fn role(raw: &Value) -> Option<&str> {
    raw.get("role").and_then(Value::as_str)
}

impl ZendeskConnector {
    pub(crate) async fn users(&self, req: &PageRequest<UserFilter>) -> Result<Page<User>> {
        let email = req.filter.email.clone();
        let updated = later_than(req.updated_after, "updated_at");
        let keep = move |raw: &Value| updated(raw) && email_matches(raw, "email", email.as_deref());
        let emulated = req.filter.email.is_some() || req.updated_after.is_some();
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::user(raw, ctx);
        let spec = ListSpec {
            endpoint: USERS,
            ids: &[],
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

    pub(crate) async fn user(&self, id: &UserId, opts: ReadOptions) -> Result<User> {
        let raw = self
            .get_one(USER, &[numeric_id(id.as_str())?], "user")
            .await?;
        // Only a proved end user is not a user: a role Zendesk leaves out (optional in
        // `UserObject`) proves nothing, and such a user is read, with `role: null`.
        if map::is_end_user(role(&raw)) {
            return Err(ConnectorError::NotFound);
        }
        map::user(raw, self.ctx(opts.include_remote_data)).map_err(bad_response)
    }

    pub(crate) async fn contacts(&self, req: &PageRequest<ContactFilter>) -> Result<Page<Contact>> {
        let email = req.filter.email.clone();
        let account = req.filter.account_id.clone();
        let updated = later_than(req.updated_after, "updated_at");
        let keep = move |raw: &Value| {
            updated(raw)
                && email_matches(raw, "email", email.as_deref())
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
            endpoint: USERS,
            ids: &[],
            key: "users",
            query: vec![("role", "end-user".to_owned())],
            keep: emulated.then_some(&keep as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    pub(crate) async fn contact(&self, id: &ContactId, opts: ReadOptions) -> Result<Contact> {
        let raw = self
            .get_one(USER, &[numeric_id(id.as_str())?], "user")
            .await?;
        // Only proved staff is not a contact; a role left out proves nothing.
        if map::is_staff(role(&raw)) {
            return Err(ConnectorError::NotFound);
        }
        map::contact(raw, self.ctx(opts.include_remote_data)).map_err(bad_response)
    }

    pub(crate) async fn organizations(&self, req: &PageRequest) -> Result<Page<Account>> {
        let updated = later_than(req.updated_after, "updated_at");
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::account(raw, ctx);
        let spec = ListSpec {
            endpoint: ORGANIZATIONS,
            ids: &[],
            key: "organizations",
            query: vec![],
            keep: req.updated_after.is_some().then_some(&updated as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    pub(crate) async fn organization(&self, id: &AccountId, opts: ReadOptions) -> Result<Account> {
        let raw = self
            .get_one(ORGANIZATION, &[numeric_id(id.as_str())?], "organization")
            .await?;
        map::account(raw, self.ctx(opts.include_remote_data)).map_err(bad_response)
    }

    pub(crate) async fn groups(&self, req: &PageRequest<NoFilter>) -> Result<Page<Team>> {
        let updated = later_than(req.updated_after, "updated_at");
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::team(raw, ctx);
        let spec = ListSpec {
            endpoint: GROUPS,
            ids: &[],
            key: "groups",
            query: vec![],
            keep: req.updated_after.is_some().then_some(&updated as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    pub(crate) async fn group(&self, id: &TeamId, opts: ReadOptions) -> Result<Team> {
        let raw = self
            .get_one(GROUP, &[numeric_id(id.as_str())?], "group")
            .await?;
        map::team(raw, self.ctx(opts.include_remote_data)).map_err(bad_response)
    }
}
