//! Building the capability matrix: a resource's row from its operations and the filters
//! the vendor applies (`native`) or deskgate's scan applies (`emulated`), and the ticket
//! filters every connector is asked for.

use deskgate_core::capability::{FilterCapability, ResourceCapability};
use deskgate_core::{
    ChangeCapability, ChangeDetection, DeleteDetection, FilterSupport, Operation, Resource,
};

/// The ticket list filters besides `updated_after`, as the API names them.
pub const TICKET_FILTERS: [&str; 5] = [
    "status",
    "assignee_id",
    "team_id",
    "account_id",
    "requester_id",
];

/// One resource's row: `native` filters first, then `emulated` ones.
pub fn resource(
    resource: Resource,
    operations: &[Operation],
    native: &[&str],
    emulated: &[&str],
) -> ResourceCapability {
    let with = |support| {
        move |name: &&str| FilterCapability {
            name: (*name).to_owned(),
            support,
        }
    };
    ResourceCapability {
        resource,
        operations: operations.to_vec(),
        filters: native
            .iter()
            .map(with(FilterSupport::Native))
            .chain(emulated.iter().map(with(FilterSupport::Emulated)))
            .collect(),
    }
}

/// The change rows every connector publishes: tickets found by `detection` through the
/// `tickets` endpoints (deletes reported by the vendor), and comments read for each changed
/// ticket through `comments` (their deletes are not followed).
pub fn changes(
    detection: ChangeDetection,
    tickets: &[&str],
    comments: &str,
) -> Vec<ChangeCapability> {
    vec![
        ChangeCapability {
            resource: Resource::Tickets,
            detection,
            deletes: DeleteDetection::Native,
            via: tickets.iter().map(|v| (*v).to_owned()).collect(),
        },
        ChangeCapability {
            resource: Resource::Comments,
            detection: ChangeDetection::ChangedTickets,
            deletes: DeleteDetection::None,
            via: vec![comments.to_owned()],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_lists_native_filters_then_emulated_ones() {
        let row = resource(
            Resource::Contacts,
            &[Operation::List, Operation::Get],
            &["email"],
            &["updated_after"],
        );
        assert_eq!(row.operations, vec![Operation::List, Operation::Get]);
        let filters: Vec<(&str, FilterSupport)> = row
            .filters
            .iter()
            .map(|f| (f.name.as_str(), f.support))
            .collect();
        assert_eq!(
            filters,
            [
                ("email", FilterSupport::Native),
                ("updated_after", FilterSupport::Emulated)
            ]
        );
    }
}
