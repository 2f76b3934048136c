//! Building a capability matrix row: a resource, its operations, and its filters with how
//! each is applied (`native` by the vendor, `emulated` by deskgate's scan).

use deskgate_core::capability::{FilterCapability, ResourceCapability};
use deskgate_core::{FilterSupport, Operation, Resource};

/// One resource's row of the matrix.
pub fn resource(
    resource: Resource,
    operations: &[Operation],
    filters: &[(&str, FilterSupport)],
) -> ResourceCapability {
    ResourceCapability {
        resource,
        operations: operations.to_vec(),
        filters: filters
            .iter()
            .map(|(name, support)| FilterCapability {
                name: (*name).to_owned(),
                support: *support,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_keeps_operations_and_filters_in_order() {
        let row = resource(
            Resource::Contacts,
            &[Operation::List, Operation::Get],
            &[
                ("email", FilterSupport::Native),
                ("updated_after", FilterSupport::Emulated),
            ],
        );
        assert_eq!(row.operations, vec![Operation::List, Operation::Get]);
        assert_eq!(row.filters[1].name, "updated_after");
        assert_eq!(row.filters[1].support, FilterSupport::Emulated);
    }
}
