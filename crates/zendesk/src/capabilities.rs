//! What the Zendesk connector can do, and which filters Zendesk applies itself (`native`)
//! or deskgate applies to the pages Zendesk returns (`emulated`).

use deskgate_core::capability::{FilterCapability, ResourceCapability};
use deskgate_core::{AuthMode, Capabilities, FilterSupport, Operation, Provider, Resource};

fn filters(list: &[(&str, FilterSupport)]) -> Vec<FilterCapability> {
    list.iter()
        .map(|(name, support)| FilterCapability {
            name: (*name).to_owned(),
            support: *support,
        })
        .collect()
}

pub fn capabilities() -> Capabilities {
    use FilterSupport::{Emulated, Native};
    use Operation::{Create, Delete, Get, List, Update};
    let resource =
        |resource, operations: &[Operation], list: &[(&str, FilterSupport)]| ResourceCapability {
            resource,
            operations: operations.to_vec(),
            filters: filters(list),
        };
    Capabilities {
        provider: Provider::Zendesk,
        auth_modes: vec![
            AuthMode::ApiToken,
            AuthMode::OauthCode,
            AuthMode::ClientCredentials,
        ],
        resources: vec![
            resource(
                Resource::Tickets,
                &[List, Get, Create, Update, Delete],
                &[
                    ("updated_after", Native),
                    ("status", Emulated),
                    ("assignee_id", Emulated),
                    ("team_id", Emulated),
                    ("account_id", Emulated),
                    ("requester_id", Emulated),
                ],
            ),
            resource(
                Resource::Comments,
                &[List, Create],
                &[("updated_after", Emulated)],
            ),
            resource(
                Resource::Users,
                &[List, Get],
                &[("email", Emulated), ("updated_after", Emulated)],
            ),
            resource(
                Resource::Contacts,
                &[List, Get],
                &[
                    ("email", Emulated),
                    ("account_id", Emulated),
                    ("updated_after", Emulated),
                ],
            ),
            resource(
                Resource::Accounts,
                &[List, Get],
                &[("updated_after", Emulated)],
            ),
            resource(
                Resource::Teams,
                &[List, Get],
                &[("updated_after", Emulated)],
            ),
            // `get`: by name, through tag autocomplete; `update`: set, add or remove one
            // ticket's tags.
            resource(Resource::Tags, &[List, Get, Update], &[]),
        ],
        changes: deskgate_connector::matrix::changes(
            deskgate_core::ChangeDetection::Feed,
            &["GET /api/v2/incremental/tickets/cursor"],
            "GET /api/v2/tickets/{id}/comments",
        ),
    }
}
