//! Reading typed values out of a write's fields, with Freshdesk's per-field errors
//! (`datatype_mismatch`, `invalid_value`).

use serde_json::{Map, Value};

use super::errors::FieldError;

/// How Freshdesk names a JSON value's type in `datatype_mismatch` messages.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "Integer",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "key/value pair",
    }
}

/// The fields of one write, and the errors found reading them.
pub(crate) struct Fields<'a> {
    pub(crate) map: &'a Map<String, Value>,
    pub(crate) errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>, allowed: &[&str]) -> Self {
        let errors = map
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .map(|k| FieldError::unexpected(k))
            .collect();
        Self { map, errors }
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    fn mismatch(&mut self, name: &str, expected: &str) {
        let actual = self.map.get(name).map_or("Null", type_name);
        self.errors
            .push(FieldError::mismatch(name, actual, expected));
    }

    pub(crate) fn string(&mut self, name: &str) -> Option<String> {
        match self.map.get(name)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.mismatch(name, "String");
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.map.get(name)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.mismatch(name, "Boolean");
                None
            }
        }
    }

    /// A number from `allowed`, e.g. a status.
    pub(crate) fn choice(&mut self, name: &str, allowed: &[u64]) -> Option<u64> {
        let value = self.map.get(name)?;
        let listed = allowed
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        match value.as_u64() {
            Some(n) if allowed.contains(&n) => Some(n),
            Some(_) => {
                self.errors.push(FieldError::one_of(name, &listed));
                None
            }
            None if value.is_number() => {
                self.errors.push(FieldError::one_of(name, &listed));
                None
            }
            None => {
                self.mismatch(name, "Integer");
                None
            }
        }
    }

    /// A nullable id that must name an existing record; `Some(None)` is an explicit null.
    pub(crate) fn reference(
        &mut self,
        name: &str,
        what: &str,
        exists: impl Fn(u64) -> bool,
    ) -> Option<Option<u64>> {
        match self.map.get(name)? {
            Value::Null => Some(None),
            value => match value.as_u64() {
                Some(id) if exists(id) => Some(Some(id)),
                Some(_) => {
                    self.errors.push(FieldError::new(
                        name,
                        format!("There is no {what} matching the given {name}"),
                        "invalid_value",
                    ));
                    None
                }
                None => {
                    self.mismatch(name, "Positive Integer");
                    None
                }
            },
        }
    }

    /// A list of strings (`tags`, `cc_emails`).
    pub(crate) fn strings(&mut self, name: &str) -> Option<Vec<String>> {
        let items = match self.map.get(name)? {
            Value::Array(items) => items,
            _ => {
                self.mismatch(name, "Array");
                return None;
            }
        };
        let strings: Option<Vec<String>> = items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect();
        if strings.is_none() {
            self.errors.push(FieldError::new(
                name,
                "It should contain elements of type String only",
                "datatype_mismatch",
            ));
        }
        strings
    }

    /// A list of email addresses.
    pub(crate) fn emails(&mut self, name: &str) -> Option<Vec<String>> {
        let emails = self.strings(name)?;
        if emails.iter().all(|e| is_email(e)) {
            Some(emails)
        } else {
            self.errors.push(invalid_email(name));
            None
        }
    }

    /// An ISO-8601 date-time, as seconds.
    pub(crate) fn time(&mut self, name: &str) -> Option<i64> {
        let text = self.string(name)?;
        let parsed = crate::timestamp::parse(&text);
        if parsed.is_none() {
            self.errors.push(FieldError::new(
                name,
                "It should be in the 'valid date time' format",
                "invalid_value",
            ));
        }
        parsed
    }
}

pub(crate) fn is_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !text.contains(' ')
    })
}

pub(crate) fn invalid_email(name: &str) -> FieldError {
    FieldError::new(name, "It is not in a valid email format", "invalid_value")
}
