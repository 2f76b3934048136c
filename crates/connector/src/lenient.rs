//! Readers for vendor JSON that tolerate what is merely incomplete. Vendors are untrusted
//! input: a field their own document marks optional may be absent or `null`, and neither
//! must fail the record (or the page it is on). What identifies a record stays required in
//! each connector's wire types; these readers are for everything else.

use serde::{Deserialize, Deserializer};

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

    use super::null_as_default;

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
}
