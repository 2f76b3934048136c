//! The body of Intercom's search endpoints (`POST /tickets/search`, `POST /contacts/search`):
//! `{"query": …, "pagination": {"per_page", "starting_after"}}`, where a query is one filter
//! `{"field","operator","value"}` or a group `{"operator":"AND"|"OR","value":[…]}`.
//!
//! Intercom allows at most two levels of nested groups and at most 15 filters per group; a
//! query over either limit is refused here, before anything is sent.

use deskgate_core::{ConnectorError, InputPart};
use serde_json::{Map, Value, json};

/// Most filters (or groups) in one AND/OR group.
pub(crate) const MAX_PER_GROUP: usize = 15;

/// Most levels of groups: `(1 OR 2) AND (3 OR 4)` is two.
pub(crate) const MAX_NESTING: usize = 2;

/// A search operator (the 2.16 `single_filter_search_request` enum, those deskgate uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    /// "Greater (or equal) than" on integers and dates.
    Gt,
    In,
}

impl Op {
    const fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Gt => ">",
            Op::In => "IN",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Join {
    And,
    /// Not built by a list yet; the nesting limits are tested with it.
    #[cfg_attr(not(test), expect(dead_code))]
    Or,
}

/// A search query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Query {
    Filter {
        field: &'static str,
        op: Op,
        value: Value,
    },
    Group {
        join: Join,
        items: Vec<Query>,
    },
}

/// The list's filters (query parameters) are more than Intercom's search can take.
fn too_complex(message: String) -> ConnectorError {
    ConnectorError::refused(InputPart::Query, "filter", message)
}

impl Query {
    pub(crate) fn filter(field: &'static str, op: Op, value: impl Into<Value>) -> Self {
        Query::Filter {
            field,
            op,
            value: value.into(),
        }
    }

    /// The filters joined by AND; one filter stands alone.
    pub(crate) fn all(mut items: Vec<Query>) -> Self {
        if items.len() == 1
            && let Some(only) = items.pop()
        {
            return only;
        }
        Query::Group {
            join: Join::And,
            items,
        }
    }

    /// Levels of groups: 0 for a filter.
    fn nesting(&self) -> usize {
        match self {
            Query::Filter { .. } => 0,
            Query::Group { items, .. } => 1 + items.iter().map(Query::nesting).max().unwrap_or(0),
        }
    }

    /// The query as Intercom reads it, or why Intercom would refuse it.
    pub(crate) fn to_json(&self) -> Result<Value, ConnectorError> {
        if self.nesting() > MAX_NESTING {
            return Err(too_complex(format!(
                "intercom searches nest at most {MAX_NESTING} levels of filter groups"
            )));
        }
        self.json()
    }

    fn json(&self) -> Result<Value, ConnectorError> {
        match self {
            Query::Filter { field, op, value } => Ok(json!({
                "field": field,
                "operator": op.as_str(),
                "value": value,
            })),
            Query::Group { join, items } => {
                if items.is_empty() {
                    return Err(too_complex("an empty filter group".into()));
                }
                if items.len() > MAX_PER_GROUP {
                    return Err(too_complex(format!(
                        "intercom searches take at most {MAX_PER_GROUP} filters per group, got {}",
                        items.len()
                    )));
                }
                let value = items
                    .iter()
                    .map(Query::json)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(json!({
                    "operator": match join { Join::And => "AND", Join::Or => "OR" },
                    "value": value,
                }))
            }
        }
    }
}

/// A whole search body: the query, `per_page`, and where to start.
pub(crate) fn body(
    query: &Query,
    per_page: u32,
    starting_after: Option<&str>,
) -> Result<Value, ConnectorError> {
    let mut pagination = Map::new();
    pagination.insert("per_page".into(), json!(per_page));
    if let Some(after) = starting_after {
        pagination.insert("starting_after".into(), json!(after));
    }
    Ok(json!({
        "query": query.to_json()?,
        "pagination": pagination,
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn eq(field: &'static str, value: &str) -> Query {
        Query::filter(field, Op::Eq, value)
    }

    #[test]
    fn one_filter_is_sent_alone_and_several_as_an_and_group() {
        let one = Query::all(vec![Query::filter("updated_at", Op::Gt, 1_700_000_000)]);
        assert_eq!(
            body(&one, 50, None).unwrap(),
            json!({
                "query": {"field": "updated_at", "operator": ">", "value": 1_700_000_000},
                "pagination": {"per_page": 50}
            })
        );
        let two = Query::all(vec![
            Query::filter("updated_at", Op::Gt, 5),
            eq("admin_assignee_id", "991"),
        ]);
        assert_eq!(
            body(&two, 20, Some("WzE3MDAwMDAwMDAsNjMzXQ==")).unwrap(),
            json!({
                "query": {"operator": "AND", "value": [
                    {"field": "updated_at", "operator": ">", "value": 5},
                    {"field": "admin_assignee_id", "operator": "=", "value": "991"}
                ]},
                "pagination": {"per_page": 20, "starting_after": "WzE3MDAwMDAwMDAsNjMzXQ=="}
            })
        );
    }

    #[test]
    fn fifteen_filters_per_group_pass_and_sixteen_are_refused() {
        let group = |n: usize| Query::all((0..n).map(|_| eq("contact_ids", "1")).collect());
        assert!(group(15).to_json().is_ok());
        let e = group(16).to_json().unwrap_err();
        assert!(
            matches!(&e, ConnectorError::Refused { message, .. } if message.contains("at most 15")),
            "{e:?}"
        );
        let inner_too_big = Query::all(vec![eq("open", "true"), group(16)]);
        assert!(inner_too_big.to_json().is_err());
    }

    #[test]
    fn two_levels_of_groups_pass_and_three_are_refused() {
        let or = |a: &str, b: &str| Query::Group {
            join: Join::Or,
            items: vec![eq("id", a), eq("id", b)],
        };
        let two = Query::all(vec![or("1", "2"), or("3", "4")]);
        let sent = two.to_json().unwrap();
        assert_eq!(sent["operator"], "AND");
        assert_eq!(sent["value"][0]["operator"], "OR");
        assert_eq!(
            sent["value"][1]["value"][1],
            json!({"field": "id", "operator": "=", "value": "4"})
        );
        let three = Query::all(vec![
            Query::all(vec![or("1", "2"), eq("id", "3")]),
            eq("id", "5"),
        ]);
        assert!(three.to_json().is_err());
        assert!(Query::all(vec![]).to_json().is_err(), "an empty group");
    }

    #[test]
    fn in_takes_a_list() {
        let q = Query::filter("contact_ids", Op::In, json!(["a", "b"]));
        assert_eq!(q.to_json().unwrap()["operator"], "IN");
    }
}
