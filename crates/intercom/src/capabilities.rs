//! The capability matrix: what the Intercom connector does, and which filters Intercom
//! applies (`native`) or deskgate's scan applies (`emulated`).

use deskgate_connector::matrix::resource;
use deskgate_core::{AuthMode, Capabilities, Operation, Provider, Resource};

/// Intercom's row of `GET /v1/connectors`.
pub fn capabilities() -> Capabilities {
    use Operation::{Create, Delete, Get, List, Update};
    Capabilities {
        provider: Provider::Intercom,
        auth_modes: vec![AuthMode::OauthCode, AuthMode::AccessToken],
        resources: vec![
            resource(
                Resource::Tickets,
                &[List, Get, Create, Update, Delete],
                &["updated_after", "assignee_id", "team_id", "requester_id"],
                &["status"],
            ),
            resource(Resource::Comments, &[List, Create], &[], &[]),
            resource(Resource::Users, &[List, Get], &[], &["email"]),
            resource(
                Resource::Contacts,
                &[List, Get],
                &["email"],
                &["account_id", "updated_after"],
            ),
            resource(Resource::Accounts, &[List, Get], &[], &[]),
            resource(Resource::Teams, &[List, Get], &[], &[]),
            resource(Resource::Tags, &[List, Get, Update], &[], &[]),
        ],
        changes: deskgate_connector::matrix::changes(
            deskgate_core::ChangeDetection::Search,
            &[
                "POST /tickets/search (updated_at)",
                "GET /conversations/deleted",
            ],
            "GET /tickets/{id}",
        ),
    }
}

#[cfg(test)]
mod tests {
    use deskgate_core::FilterSupport;

    use super::*;

    #[test]
    fn ticket_filters_are_native_but_status_and_account_is_absent() {
        let caps = capabilities();
        let tickets = caps
            .resource(Resource::Tickets)
            .unwrap_or_else(|| unreachable!());
        let support = |name: &str| {
            tickets
                .filters
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.support)
        };
        assert_eq!(support("updated_after"), Some(FilterSupport::Native));
        assert_eq!(support("requester_id"), Some(FilterSupport::Native));
        assert_eq!(support("status"), Some(FilterSupport::Emulated));
        assert_eq!(support("account_id"), None);
        assert!(caps.supports(Resource::Tickets, Operation::Delete));
        assert!(!caps.supports(Resource::Comments, Operation::Get));
        assert_eq!(
            caps.auth_modes,
            vec![AuthMode::OauthCode, AuthMode::AccessToken]
        );
    }
}
