//! Intercom's cursor pages ([IC-OAS] `cursor_pages`, `starting_after_paging`): a page says
//! `{"type":"pages","page","per_page","total_pages","next":{"per_page","starting_after"}}`,
//! and `next` is absent on the last page.
//!
//! Cursors are keysets, in the form Intercom's own cursors take (base64 of a JSON array,
//! e.g. `[1719493757.0, "123"]`): the sort value and the id of the last record served. The
//! next page starts strictly after that key, so records that change between pages are
//! neither skipped nor repeated because of it: a record moves in the order only when its
//! `updated_at` changes, and then it is served again at its new place if that lies ahead.

use base64::Engine as _;
use serde_json::{Value, json};

use super::errors::IntercomError;

/// The page sizes of listings and searches: default 20, at most 150.
pub(crate) const DEFAULT_PER_PAGE: usize = 20;
pub(crate) const MAX_PER_PAGE: usize = 150;

/// A position in a `(sort value, id)` order.
pub(crate) type Key = (i64, u64);

pub(crate) fn encode(key: Key) -> String {
    let text = json!([key.0 as f64, key.1.to_string()]).to_string();
    base64::engine::general_purpose::STANDARD.encode(text)
}

pub(crate) fn decode(cursor: &str) -> Result<Key, IntercomError> {
    let invalid = || IntercomError::invalid("starting_after is not a valid cursor");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor.trim())
        .map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let sort = value.get(0).and_then(Value::as_f64).ok_or_else(invalid)?;
    let id = value
        .get(1)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or_else(invalid)?;
    Ok((sort as i64, id))
}

/// `per_page` as sent (a number or numeric string), within 1 to 150.
pub(crate) fn per_page(value: Option<&Value>, default: usize) -> Result<usize, IntercomError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(default);
    };
    let n = value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .ok_or_else(|| IntercomError::invalid("per_page must be an integer"))?;
    if n == 0 || n > MAX_PER_PAGE as u64 {
        return Err(IntercomError::invalid(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}"
        )));
    }
    Ok(n as usize)
}

/// One page of a keyset walk.
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    /// How many matching records precede the page.
    pub(crate) before: usize,
    pub(crate) total: usize,
    pub(crate) per_page: usize,
    /// The key of the last item, if more follow.
    pub(crate) next: Option<Key>,
}

impl<T> Page<T> {
    /// Takes a page from `matches` (every matching record in order, with its key):
    /// `before` counts those at or before `after`.
    pub(crate) fn collect(
        matches: impl Iterator<Item = (Key, T)>,
        after: Option<Key>,
        per_page: usize,
    ) -> Self {
        let mut items = Vec::with_capacity(per_page);
        let mut before = 0;
        let mut total = 0;
        let mut last = None;
        let mut more = false;
        for (key, item) in matches {
            total += 1;
            if after.is_some_and(|a| key <= a) {
                before += 1;
            } else if items.len() < per_page {
                last = Some(key);
                items.push(item);
            } else {
                more = true;
            }
        }
        Self {
            items,
            before,
            total,
            per_page,
            next: if more { last } else { None },
        }
    }

    pub(crate) fn pages(&self) -> Value {
        let total_pages = self.total.div_ceil(self.per_page);
        let mut pages = json!({
            "type": "pages",
            "page": self.before / self.per_page + 1,
            "per_page": self.per_page,
            "total_pages": total_pages,
        });
        if let Some(key) = self.next {
            pages["next"] = json!({"per_page": self.per_page, "starting_after": encode(key)});
        }
        pages
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{decode, encode};

    proptest! {
        #[test]
        fn a_cursor_decodes_to_the_key_it_encodes(sort in 0i64..(1 << 40), id in any::<u64>()) {
            prop_assert_eq!(decode(&encode((sort, id))).ok(), Some((sort, id)));
        }

        #[test]
        fn any_text_decodes_or_is_refused_without_panicking(text in ".{0,64}") {
            let _ = decode(&text);
        }
    }
}
