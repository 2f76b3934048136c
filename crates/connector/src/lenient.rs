//! Readers for vendor JSON that tolerate what is merely incomplete. Vendors are untrusted
//! input: a field their own document marks optional may be absent or `null`, and neither
//! must fail the record (or the page it is on). What identifies a record stays required in
//! each connector's wire types; these readers are for everything else, and [`IdText`] reads
//! the ids themselves as each connector then accepts them.

use std::fmt;

use serde::de::{self, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};

/// A vendor id as text, as it came: an integer as its decimal digits, a string as it is, a
/// fractional number as serde_json writes it. Each connector's id type says which of these
/// it accepts. Read by a visitor of its own, not through a `Value`, and integers written
/// without `fmt`: ids are most of a ticket's fields, and a page of 100 has about 800.
/// Anything else (a boolean, `null`, a list, an object) is an error saying what an id is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdText {
    Integer(String),
    Text(String),
    Fraction(String),
}

impl IdText {
    pub fn into_string(self) -> String {
        match self {
            Self::Integer(s) | Self::Text(s) | Self::Fraction(s) => s,
        }
    }
}

/// As the JSON it came as: a string quoted, a number as it is.
impl fmt::Display for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Integer(s) | Self::Fraction(s) => f.write_str(s),
            Self::Text(s) => write!(f, "{s:?}"),
        }
    }
}

impl<'de> Deserialize<'de> for IdText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Id;
        impl Visitor<'_> for Id {
            type Value = IdText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (a number or a string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IdText, E> {
                Ok(IdText::Integer(itoa::Buffer::new().format(v).to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IdText, E> {
                Ok(IdText::Integer(itoa::Buffer::new().format(v).to_owned()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<IdText, E> {
                serde_json::Number::from_f64(v)
                    .map(|n| IdText::Fraction(n.to_string()))
                    .ok_or_else(|| E::invalid_value(Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdText, E> {
                Ok(IdText::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<IdText, E> {
                Ok(IdText::Text(v))
            }
        }
        d.deserialize_any(Id)
    }
}

/// A value that may be `null`: `null` reads as `T::default()` (an empty list, `false`, an
/// empty object). With `#[serde(default, deserialize_with = "null_as_default")]` an absent
/// field reads the same way.
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde::Deserialize;
    use serde_json::json;

    use super::{IdText, null_as_default};

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Inner {
        #[serde(default)]
        name: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Record {
        #[serde(default, deserialize_with = "null_as_default")]
        tags: Vec<String>,
        #[serde(default, deserialize_with = "null_as_default")]
        private: bool,
        #[serde(default, deserialize_with = "null_as_default")]
        inner: Inner,
    }

    #[test]
    fn null_and_absent_read_as_the_default_and_values_as_themselves() {
        let empty = Record {
            tags: Vec::new(),
            private: false,
            inner: Inner::default(),
        };
        let absent: Record = serde_json::from_value(json!({})).unwrap();
        let null: Record =
            serde_json::from_value(json!({"tags": null, "private": null, "inner": null})).unwrap();
        assert_eq!((&absent, &null), (&empty, &empty));
        let full: Record =
            serde_json::from_value(json!({"tags": ["a"], "private": true, "inner": {"name": "x"}}))
                .unwrap();
        assert_eq!(full.tags, ["a"]);
        assert!(full.private);
        assert_eq!(full.inner.name.as_deref(), Some("x"));
    }

    #[test]
    fn a_value_of_the_wrong_type_is_still_an_error() {
        assert!(serde_json::from_value::<Record>(json!({"tags": "a"})).is_err());
        assert!(serde_json::from_value::<Record>(json!({"private": "yes"})).is_err());
    }

    #[test]
    fn an_id_reads_as_the_text_it_came_as_and_says_which_kind_it_was() {
        let read = |v: serde_json::Value| serde_json::from_value::<IdText>(v);
        let integer = |s: &str| IdText::Integer(s.to_owned());
        assert_eq!(read(json!(0)).unwrap(), integer("0"));
        assert_eq!(read(json!(35436)).unwrap(), integer("35436"));
        assert_eq!(
            read(json!(u64::MAX)).unwrap(),
            integer("18446744073709551615")
        );
        assert_eq!(read(json!(-7)).unwrap(), integer("-7"));
        assert_eq!(
            read(json!(i64::MIN)).unwrap(),
            integer("-9223372036854775808")
        );
        assert_eq!(
            read(json!(1.5)).unwrap(),
            IdText::Fraction("1.5".to_owned())
        );
        assert_eq!(read(json!("")).unwrap(), IdText::Text(String::new()));
        assert_eq!(read(json!("a1")).unwrap(), IdText::Text("a1".to_owned()));
        // From text too, as the lists read it, escapes and all.
        let text: IdText = serde_json::from_str(r#""a\"b""#).unwrap();
        assert_eq!(text.to_string(), r#""a\"b""#);
        assert_eq!(text.into_string(), "a\"b");
        for other in [json!(true), json!(null), json!([1]), json!({"id": 1})] {
            let err = read(other.clone()).unwrap_err().to_string();
            assert!(
                err.contains("expected an id (a number or a string)"),
                "{other}: {err}"
            );
        }
    }
}
