//! The query language of `POST /tickets/search` and `POST /conversations/search`
//! ([IC-OAS] `search_request`): a single filter `{field, operator, value}` or a group
//! `{operator: AND|OR, value: [...]}`; groups nest at most two levels deep and hold at most
//! 15 filters each.
//!
//! Operators by field type (the spec's table): `=`, `!=`, `IN`, `NIN` on every type;
//! `>`, `<`, `>=`, `<=` on integers and dates; `~` (contains), `!~`, `^` (starts with), `$`
//! (ends with) on strings. The spec documents `>` and `<` as "greater (or equal)" and
//! "lower (or equal)", so the sandbox makes them inclusive, the same as `>=` and `<=`: a
//! client polling `updated_at > last_seen` sees the last record again and must not rely on
//! strictness. String comparisons by `~ !~ ^ $` ignore case; `=` is exact. On a list field
//! (`contact_ids`, `teammate_ids`) `=` means "contains" and `!=` "does not contain".
//!
//! Contact search matches dates by calendar day instead ([`Kind::Day`]), as its spec text
//! says.
//!
//! Every query error answers 400 `parameter_invalid` (the spec shows no example of one).

use serde_json::Value;

use super::errors::IntercomError;

const DAY: i64 = 86_400;

/// At most this many levels of groups.
pub(crate) const MAX_NESTING: usize = 2;
/// At most this many filters in one AND or OR group.
pub(crate) const MAX_GROUP: usize = 15;

/// What a searchable field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// UNIX seconds (an integer).
    Date,
    /// UNIX seconds matched by calendar day in the workspace's time zone (UTC in the
    /// sandbox), as contact search does: `=` matches the whole day, `>` from the start of
    /// the next day, `<` before the start of the day; no other operator.
    Day,
    Text,
    Boolean,
    /// A list of ids; a filter matches by membership.
    List,
}

/// A field's value on one record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldValue {
    Number(i64),
    Text(String),
    Boolean(bool),
    List(Vec<String>),
    Absent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    In,
    Nin,
    Gt,
    Lt,
    Ge,
    Le,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Number(i64),
    /// The start of a UTC day, for [`Kind::Day`] fields.
    Day(i64),
    Text(String),
    Boolean(bool),
    Many(Vec<Operand>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Query {
    Filter {
        field: String,
        op: Op,
        operand: Operand,
    },
    Group {
        all: bool,
        items: Vec<Query>,
    },
}

fn invalid(message: impl Into<String>) -> IntercomError {
    IntercomError::invalid(message)
}

fn operand(kind: Kind, value: &Value, field: &str) -> Result<Operand, IntercomError> {
    let wrong = || invalid(format!("The value for {field} is not of the expected type"));
    match kind {
        Kind::Date | Kind::Day => value
            .as_i64()
            .or_else(|| value.as_f64().map(|f| f as i64))
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .map(Operand::Number)
            .ok_or_else(wrong),
        Kind::Boolean => value
            .as_bool()
            .or_else(|| match value.as_str() {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            })
            .map(Operand::Boolean)
            .ok_or_else(wrong),
        Kind::Text | Kind::List => match value {
            Value::String(s) => Ok(Operand::Text(s.clone())),
            Value::Number(n) => Ok(Operand::Text(n.to_string())),
            _ => Err(wrong()),
        },
    }
}

fn parse_op(text: &str) -> Option<Op> {
    Some(match text {
        "=" => Op::Eq,
        "!=" => Op::Ne,
        "IN" => Op::In,
        "NIN" => Op::Nin,
        ">" => Op::Gt,
        "<" => Op::Lt,
        ">=" => Op::Ge,
        "<=" => Op::Le,
        "~" => Op::Contains,
        "!~" => Op::NotContains,
        "^" => Op::StartsWith,
        "$" => Op::EndsWith,
        _ => return None,
    })
}

impl Query {
    /// Parses a `query` object; `kind_of` names the searchable fields.
    pub(crate) fn parse(
        value: &Value,
        kind_of: &dyn Fn(&str) -> Option<Kind>,
    ) -> Result<Self, IntercomError> {
        Self::parse_at(value, kind_of, 0)
    }

    fn parse_at(
        value: &Value,
        kind_of: &dyn Fn(&str) -> Option<Kind>,
        depth: usize,
    ) -> Result<Self, IntercomError> {
        let object = value
            .as_object()
            .ok_or_else(|| invalid("query must be an object"))?;
        let operator = object
            .get("operator")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("operator is required"))?;
        if let Some(field) = object.get("field") {
            let field = field
                .as_str()
                .ok_or_else(|| invalid("field must be a string"))?;
            return Self::filter(field, operator, object.get("value"), kind_of);
        }
        let all = match operator {
            "AND" => true,
            "OR" => false,
            other => return Err(invalid(format!("Unsupported operator {other} for a group"))),
        };
        if depth >= MAX_NESTING {
            return Err(invalid(format!(
                "Queries can be nested at most {MAX_NESTING} levels deep"
            )));
        }
        let items = object
            .get("value")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("value of an AND or OR group must be an array"))?;
        if items.is_empty() {
            return Err(invalid("An AND or OR group needs at least one filter"));
        }
        if items.len() > MAX_GROUP {
            return Err(invalid(format!(
                "An AND or OR group can hold at most {MAX_GROUP} filters"
            )));
        }
        let items = items
            .iter()
            .map(|item| Self::parse_at(item, kind_of, depth + 1))
            .collect::<Result<_, _>>()?;
        Ok(Self::Group { all, items })
    }

    fn filter(
        field: &str,
        operator: &str,
        value: Option<&Value>,
        kind_of: &dyn Fn(&str) -> Option<Kind>,
    ) -> Result<Self, IntercomError> {
        let kind =
            kind_of(field).ok_or_else(|| invalid(format!("{field} is not a searchable field")))?;
        let op =
            parse_op(operator).ok_or_else(|| invalid(format!("{operator} is not an operator")))?;
        let allowed = match op {
            Op::Eq => true,
            Op::Gt | Op::Lt => matches!(kind, Kind::Date | Kind::Day),
            Op::Ne | Op::In | Op::Nin => kind != Kind::Day,
            Op::Ge | Op::Le => kind == Kind::Date,
            Op::Contains | Op::NotContains | Op::StartsWith | Op::EndsWith => kind == Kind::Text,
        };
        if !allowed {
            return Err(invalid(format!(
                "The operator {operator} cannot be used with the field {field}"
            )));
        }
        let value = value.ok_or_else(|| invalid(format!("value is required for {field}")))?;
        let operand = if matches!(op, Op::In | Op::Nin) {
            let values = value
                .as_array()
                .ok_or_else(|| invalid(format!("{operator} needs an array value")))?;
            Operand::Many(
                values
                    .iter()
                    .map(|v| operand(kind, v, field))
                    .collect::<Result<_, _>>()?,
            )
        } else {
            operand(kind, value, field)?
        };
        let operand = match (kind, operand) {
            (Kind::Day, Operand::Number(n)) => Operand::Day(n.div_euclid(DAY) * DAY),
            (_, operand) => operand,
        };
        Ok(Self::Filter {
            field: field.to_owned(),
            op,
            operand,
        })
    }

    /// Whether a record matches; `value_of` reads its fields.
    pub(crate) fn matches(&self, value_of: &dyn Fn(&str) -> FieldValue) -> bool {
        match self {
            Self::Group { all: true, items } => items.iter().all(|q| q.matches(value_of)),
            Self::Group { all: false, items } => items.iter().any(|q| q.matches(value_of)),
            Self::Filter { field, op, operand } => test(&value_of(field), *op, operand),
        }
    }
}

fn equals(value: &FieldValue, operand: &Operand) -> bool {
    match (value, operand) {
        (FieldValue::Number(a), Operand::Number(b)) => a == b,
        (FieldValue::Number(a), Operand::Day(start)) => (*start..start + DAY).contains(a),
        (FieldValue::Text(a), Operand::Text(b)) => a == b,
        (FieldValue::Boolean(a), Operand::Boolean(b)) => a == b,
        (FieldValue::List(items), Operand::Text(b)) => items.iter().any(|a| a == b),
        _ => false,
    }
}

fn test(value: &FieldValue, op: Op, operand: &Operand) -> bool {
    let text = |f: &dyn Fn(&str, &str) -> bool| match (value, operand) {
        (FieldValue::Text(a), Operand::Text(b)) => f(&a.to_lowercase(), &b.to_lowercase()),
        _ => false,
    };
    let number = |f: &dyn Fn(i64, i64) -> bool| match (value, operand) {
        (FieldValue::Number(a), Operand::Number(b)) => f(*a, *b),
        _ => false,
    };
    let day = |f: &dyn Fn(i64, i64) -> bool| match (value, operand) {
        (FieldValue::Number(a), Operand::Day(start)) => Some(f(*a, *start)),
        _ => None,
    };
    let any = || match operand {
        Operand::Many(items) => items.iter().any(|o| equals(value, o)),
        _ => false,
    };
    match op {
        Op::Eq => equals(value, operand),
        Op::Ne => !equals(value, operand),
        Op::In => any(),
        Op::Nin => !any(),
        Op::Gt => day(&|a, start| a >= start + DAY).unwrap_or_else(|| number(&|a, b| a >= b)),
        Op::Lt => day(&|a, start| a < start).unwrap_or_else(|| number(&|a, b| a <= b)),
        Op::Ge => number(&|a, b| a >= b),
        Op::Le => number(&|a, b| a <= b),
        Op::Contains => text(&|a, b| a.contains(b)),
        Op::NotContains => !text(&|a, b| a.contains(b)),
        Op::StartsWith => text(&|a, b| a.starts_with(b)),
        Op::EndsWith => text(&|a, b| a.ends_with(b)),
    }
}

/// The body of a search: the parsed query, the page size and the cursor.
pub(crate) struct SearchRequest {
    pub(crate) query: Query,
    pub(crate) per_page: usize,
    /// `sort {field, order}`, when sent (contact search).
    pub(crate) sort: Option<(String, bool)>,
    pub(crate) starting_after: Option<super::paging::Key>,
}

impl SearchRequest {
    /// Parses a search body whose page size defaults to `default_per_page`.
    pub(crate) fn parse(
        body: &Value,
        kind_of: &dyn Fn(&str) -> Option<Kind>,
        default_per_page: usize,
    ) -> Result<Self, IntercomError> {
        let sort = body.get("sort").map(parse_sort).transpose()?;
        let query = body
            .get("query")
            .ok_or_else(|| IntercomError::required("query is required"))?;
        let query = Query::parse(query, kind_of)?;
        let pagination = body.get("pagination");
        let per_page =
            super::paging::per_page(pagination.and_then(|p| p.get("per_page")), default_per_page)?;
        let starting_after = pagination
            .and_then(|p| p.get("starting_after"))
            .and_then(Value::as_str)
            .map(super::paging::decode)
            .transpose()?;
        Ok(Self {
            query,
            per_page,
            sort,
            starting_after,
        })
    }
}

/// `{"field", "order": "ascending"|"descending"}`: the field and whether ascending.
fn parse_sort(sort: &Value) -> Result<(String, bool), IntercomError> {
    let field = sort
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("sort needs a field"))?;
    let ascending = match sort
        .get("order")
        .and_then(Value::as_str)
        .unwrap_or("ascending")
    {
        "ascending" => true,
        "descending" => false,
        other => {
            return Err(IntercomError::new(
                http::StatusCode::BAD_REQUEST,
                "invalid_sort_order",
                format!("Invalid sort order '{other}'. Must be one of: ascending, descending"),
            ));
        }
    };
    Ok((field.to_owned(), ascending))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::{FieldValue, Kind, Query};

    fn kinds(field: &str) -> Option<Kind> {
        match field {
            "n" => Some(Kind::Date),
            "s" => Some(Kind::Text),
            "b" => Some(Kind::Boolean),
            "l" => Some(Kind::List),
            _ => None,
        }
    }

    proptest! {
        #[test]
        fn greater_and_lower_are_inclusive(a in any::<i32>(), b in any::<i32>()) {
            let value = |_: &str| FieldValue::Number(i64::from(a));
            for (op, expected) in [(">", a >= b), (">=", a >= b), ("<", a <= b), ("<=", a <= b), ("=", a == b), ("!=", a != b)] {
                let q = Query::parse(&json!({"field": "n", "operator": op, "value": b}), &kinds).unwrap();
                prop_assert_eq!(q.matches(&value), expected, "{} {} {}", a, op, b);
            }
        }

        #[test]
        fn text_operators_ignore_case(hay in "[a-zA-Z ]{0,12}", needle in "[a-zA-Z]{0,4}") {
            let value = |_: &str| FieldValue::Text(hay.clone());
            let (h, n) = (hay.to_lowercase(), needle.to_lowercase());
            for (op, expected) in [("~", h.contains(&n)), ("!~", !h.contains(&n)), ("^", h.starts_with(&n)), ("$", h.ends_with(&n))] {
                let q = Query::parse(&json!({"field": "s", "operator": op, "value": needle}), &kinds).unwrap();
                prop_assert_eq!(q.matches(&value), expected);
            }
        }

        #[test]
        fn arbitrary_filters_parse_or_are_refused_without_panicking(
            field in "[nsblx]",
            op in prop::sample::select(vec!["=", "!=", "IN", "NIN", ">", "<", ">=", "<=", "~", "!~", "^", "$", "AND", "OR", "?"]),
            value in prop_oneof![
                any::<i64>().prop_map(|v| json!(v)),
                "[a-z0-9]{0,5}".prop_map(|v| json!(v)),
                any::<bool>().prop_map(|v| json!(v)),
                prop::collection::vec(any::<i32>(), 0..3).prop_map(|v| json!(v)),
            ],
        ) {
            let query = json!({"field": field, "operator": op, "value": value});
            if let Ok(q) = Query::parse(&query, &kinds) {
                let _ = q.matches(&|_| FieldValue::Absent);
            }
        }
    }
}
