//! What the Freshdesk connector can do, and which filters Freshdesk applies (`native`) or
//! deskgate applies to the pages Freshdesk returns (`emulated`, bounded by the kit's scan).

use deskgate_connector::matrix::resource;
use deskgate_core::{AuthMode, Capabilities, FilterSupport, Operation, Provider, Resource};

pub fn capabilities() -> Capabilities {
    use FilterSupport::{Emulated, Native};
    use Operation::{Create, Delete, Get, List, Update};
    Capabilities {
        provider: Provider::Freshdesk,
        // Freshdesk's REST API has no OAuth: an agent's API key is the only way in.
        auth_modes: vec![AuthMode::ApiKey],
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
                    ("email", Native),
                    ("account_id", Native),
                    ("updated_after", Native),
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
            // Freshdesk has no tag resource, only a ticket's `tags`: listing and reading tags
            // answer 501; a ticket's tags can be set, added to or removed from.
            resource(Resource::Tags, &[Update], &[]),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_offers_api_keys_only_and_tags_only_as_updates() {
        let caps = capabilities();
        assert_eq!(caps.auth_modes, vec![AuthMode::ApiKey]);
        assert!(caps.supports(Resource::Tags, Operation::Update));
        assert!(!caps.supports(Resource::Tags, Operation::List));
        assert!(!caps.supports(Resource::Tags, Operation::Get));
        assert!(caps.supports(Resource::Tickets, Operation::Delete));
        let tickets = caps
            .resource(Resource::Tickets)
            .unwrap_or_else(|| unreachable!());
        let emulated: Vec<&str> = tickets
            .filters
            .iter()
            .filter(|f| f.support == FilterSupport::Emulated)
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(
            emulated,
            [
                "status",
                "assignee_id",
                "team_id",
                "account_id",
                "requester_id"
            ]
        );
    }
}
