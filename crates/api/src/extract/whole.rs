//! A JSON Schema `integer` as a body field: JSON Schema counts `60.0` as the integer 60, so
//! the API takes it as 60 (serde alone refuses it), and refuses `60.5` as any other wrong
//! value.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A whole number in range of `T`, written `60` or `60.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Whole<T>(pub(crate) T);

impl<'de, T: TryFrom<u64>> Deserialize<'de> for Whole<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WholeVisitor(PhantomData))
    }
}

struct WholeVisitor<T>(PhantomData<T>);

impl<T: TryFrom<u64>> Visitor<'_> for WholeVisitor<T> {
    type Value = Whole<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number in range")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::try_from(v)
            .map(Whole)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        u64::try_from(v)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            .and_then(|v| self.visit_u64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // Below 2^53 every whole f64 is exact, and no field here comes near it.
        if v.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&v) {
            self.visit_u64(v as u64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::Whole;

    fn parse(text: &str) -> Result<u32, String> {
        serde_json::from_str::<Whole<u32>>(text)
            .map(|w| w.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_are_taken_as_json_schema_counts_them() {
        assert_eq!(parse("60"), Ok(60));
        assert_eq!(parse("60.0"), Ok(60));
        assert_eq!(parse("6e1"), Ok(60));
        assert_eq!(parse("0"), Ok(0));
    }

    #[test]
    fn fractions_negatives_and_out_of_range_are_refused() {
        for bad in [
            "60.5",
            "-1",
            "-1.0",
            "4294967296",
            "1e300",
            "\"60\"",
            "null",
            "true",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
