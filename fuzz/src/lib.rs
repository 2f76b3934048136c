//! What the fuzz targets share: JSON built from fuzz input in the shape of a vendor's pages
//! and errors (its field names, its kinds of values, nested records), so that a mapper sees
//! plausible records as well as the raw bytes libFuzzer mutates.

use arbitrary::Unstructured;
use serde_json::{Map, Number, Value};

/// A vendor's vocabulary: the field names of its records, pages and errors, and strings it
/// sends as values (statuses, channels, roles, …).
#[derive(Debug)]
pub struct Shape {
    pub keys: &'static [&'static str],
    pub strings: &'static [&'static str],
}

/// Deepest nesting built: records, their lists, and the records in those.
const MAX_DEPTH: u32 = 4;

/// A JSON object built from `data` in `shape`, serialized.
pub fn shaped(data: &[u8], shape: &Shape) -> Vec<u8> {
    let mut u = Unstructured::new(data);
    let value = object(&mut u, shape, 0);
    serde_json::to_vec(&value).unwrap_or_default()
}

fn object(u: &mut Unstructured<'_>, shape: &Shape, depth: u32) -> Value {
    let mut map = Map::new();
    let n = u.int_in_range(0..=8).unwrap_or(0);
    for _ in 0..n {
        let key = if u.ratio(1, 16).unwrap_or(false) {
            u.arbitrary::<String>().unwrap_or_default()
        } else {
            (*u.choose(shape.keys).unwrap_or(&"id")).to_owned()
        };
        map.insert(key, value(u, shape, depth + 1));
    }
    Value::Object(map)
}

fn value(u: &mut Unstructured<'_>, shape: &Shape, depth: u32) -> Value {
    let kinds = if depth >= MAX_DEPTH { 7 } else { 9 };
    match u.int_in_range(0..=kinds - 1).unwrap_or(0) {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary().unwrap_or(false)),
        2 => Value::from(u.int_in_range(-2..=1_000_000_i64).unwrap_or(0)),
        3 => match u.int_in_range(0..=3).unwrap_or(0) {
            0 => Value::from(u.arbitrary::<i64>().unwrap_or(0)),
            1 => Value::from(u.arbitrary::<u64>().unwrap_or(0)),
            _ => Number::from_f64(u.arbitrary::<f64>().unwrap_or(0.0))
                .map_or(Value::Null, Value::Number),
        },
        4 => Value::from(*u.choose(shape.strings).unwrap_or(&"")),
        5 => Value::from(timestamp(u)),
        6 => Value::from(u.arbitrary::<String>().unwrap_or_default()),
        7 => {
            let n = u.int_in_range(0..=4).unwrap_or(0);
            Value::Array((0..n).map(|_| value(u, shape, depth + 1)).collect())
        }
        _ => object(u, shape, depth),
    }
}

/// An RFC 3339 time, or something close to one, or epoch seconds as text.
fn timestamp(u: &mut Unstructured<'_>) -> String {
    let year = u.int_in_range(0..=10_000).unwrap_or(2026);
    let month = u.int_in_range(0..=13).unwrap_or(1);
    let day = u.int_in_range(0..=32).unwrap_or(1);
    let second = u.int_in_range(0..=61).unwrap_or(0);
    match u.int_in_range(0..=3).unwrap_or(0) {
        0 => format!("{year:04}-{month:02}-{day:02}T12:34:{second:02}Z"),
        1 => format!("{year:04}-{month:02}-{day:02}T12:34:{second:02}.123+05:30"),
        2 => format!("{year:04}-{month:02}-{day:02}"),
        _ => u.arbitrary::<i64>().unwrap_or(0).to_string(),
    }
}
