//! What the Freshdesk connector can do, and which filters Freshdesk applies (`native`) or
//! deskgate applies to the pages Freshdesk returns (`emulated`, bounded by the kit's scan).

use deskgate_connector::matrix::{TICKET_FILTERS, resource};
use deskgate_core::{AuthMode, Capabilities, Operation, Provider, Resource};

pub fn capabilities() -> Capabilities {
    use Operation::{Create, Delete, Get, List, Update};
    let read = &[List, Get];
    Capabilities {
        provider: Provider::Freshdesk,
        // Freshdesk's REST API has no OAuth: an agent's API key is the only way in.
        auth_modes: vec![AuthMode::ApiKey],
        resources: vec![
            resource(
                Resource::Tickets,
                &[List, Get, Create, Update, Delete],
                &["updated_after"],
                &TICKET_FILTERS,
            ),
            resource(Resource::Comments, &[List, Create], &[], &["updated_after"]),
            // The agents list documents no filters.
            resource(Resource::Users, read, &[], &["email", "updated_after"]),
            resource(
                Resource::Contacts,
                read,
                &["email", "account_id", "updated_after"],
                &[],
            ),
            resource(Resource::Accounts, read, &[], &["updated_after"]),
            resource(Resource::Teams, read, &[], &["updated_after"]),
            // Freshdesk has no tag resource, only a ticket's `tags`: listing and reading tags
            // answer 501; a ticket's tags can be set, added to or removed from.
            resource(Resource::Tags, &[Update], &[], &[]),
        ],
        changes: deskgate_connector::matrix::changes(
            deskgate_core::ChangeDetection::UpdatedSince,
            &[
                "GET /api/v2/tickets?updated_since=…&order_by=updated_at&order_type=asc",
                "GET /api/v2/tickets?filter=deleted&updated_since=…",
            ],
            "GET /api/v2/tickets/{id}/conversations",
        ),
    }
}

#[cfg(test)]
mod tests {
    use deskgate_core::FilterSupport;

    use super::*;

    #[test]
    fn the_matrix_offers_api_keys_only_and_tags_only_as_updates() {
        let caps = capabilities();
        assert_eq!(caps.auth_modes, vec![AuthMode::ApiKey]);
        assert!(caps.supports(Resource::Tags, Operation::Update));
        assert!(!caps.supports(Resource::Tags, Operation::List));
        assert!(!caps.supports(Resource::Tags, Operation::Get));
        assert!(caps.supports(Resource::Tickets, Operation::Delete));
        let support = |resource, name: &str| {
            caps.resource(resource)
                .and_then(|r| r.filters.iter().find(|f| f.name == name))
                .map(|f| f.support)
        };
        assert_eq!(
            support(Resource::Tickets, "updated_after"),
            Some(FilterSupport::Native)
        );
        for name in TICKET_FILTERS {
            assert_eq!(
                support(Resource::Tickets, name),
                Some(FilterSupport::Emulated)
            );
        }
        assert_eq!(
            support(Resource::Contacts, "email"),
            Some(FilterSupport::Native)
        );
        assert_eq!(
            support(Resource::Users, "email"),
            Some(FilterSupport::Emulated)
        );
    }
}
