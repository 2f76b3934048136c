//! Zendesk's two pagination styles.
//!
//! - Cursor: `page[size]` (at most 100), `page[after]` or `page[before]`; the response has
//!   `meta {has_more, after_cursor, before_cursor}` and `links {next, prev}`. Cursors are
//!   opaque; here they encode the id of the first/last record, so a walk is stable while
//!   records change (ids never move).
//! - Offset: `page` and `per_page`; the response has `next_page`, `previous_page`, `count`.
//!   Used when no `page[...]` parameter is sent.

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::errors::ZendeskError;
use crate::query::QueryParams;

pub(crate) const MAX_PAGE_SIZE: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageRequest {
    Cursor {
        size: usize,
        after: Option<u64>,
        before: Option<u64>,
    },
    Offset {
        page: u64,
        per_page: u64,
    },
}

/// The error body for bad pagination parameters is not in the reference; the code follows
/// Zendesk's `{"error","description"}` convention.
fn bad(description: impl Into<String>) -> ZendeskError {
    ZendeskError::BadRequest("InvalidPaginationParameter", description.into())
}

pub(crate) fn encode_cursor(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("zd1:{key}"))
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("zd1:")
        .map(str::to_owned)
}

fn decode_id(cursor: &str) -> Result<u64, ZendeskError> {
    decode_cursor(cursor)
        .and_then(|k| k.parse().ok())
        .ok_or_else(|| bad("page[after] or page[before] is not a valid cursor"))
}

impl PageRequest {
    pub(crate) fn parse(q: &QueryParams) -> Result<Self, ZendeskError> {
        let size = q.get("page[size]");
        let after = q.get("page[after]");
        let before = q.get("page[before]");
        if size.is_none() && after.is_none() && before.is_none() {
            let page = match q.get("page") {
                None => 1,
                Some(p) => p
                    .parse::<u64>()
                    .ok()
                    .filter(|p| *p >= 1)
                    .ok_or_else(|| bad("page must be a positive integer"))?,
            };
            let per_page = match q.get("per_page") {
                None => 100,
                Some(p) => p
                    .parse::<u64>()
                    .map_err(|_| bad("per_page must be a positive integer"))?
                    .clamp(1, 100),
            };
            return Ok(Self::Offset { page, per_page });
        }
        if after.is_some() && before.is_some() {
            return Err(bad("page[after] and page[before] cannot be combined"));
        }
        let size = match size {
            None => MAX_PAGE_SIZE,
            Some(s) => {
                let n = s
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| bad("page[size] must be a positive integer"))?;
                if n > MAX_PAGE_SIZE {
                    return Err(bad(format!(
                        "page[size] is greater than the maximum allowed value of {MAX_PAGE_SIZE}"
                    )));
                }
                n
            }
        };
        Ok(Self::Cursor {
            size,
            after: after.map(decode_id).transpose()?,
            before: before.map(decode_id).transpose()?,
        })
    }
}

/// The URL of `path` (an `/api/v2/...` path without `.json`) with the request's other query
/// parameters and the given paging parameters.
pub(crate) fn page_url(
    ctx: &Ctx,
    path: &str,
    q: &QueryParams,
    paging: &[(&str, String)],
) -> String {
    let paging_keys = [
        "page",
        "per_page",
        "page[size]",
        "page[after]",
        "page[before]",
    ];
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in q_pairs(q) {
        if !paging_keys.contains(&k.as_str()) {
            serializer.append_pair(&k, &v);
        }
    }
    for (k, v) in paging {
        serializer.append_pair(k, v);
    }
    format!("{}.json?{}", ctx.url(path), serializer.finish())
}

fn q_pairs(q: &QueryParams) -> Vec<(String, String)> {
    q.pairs().to_vec()
}

/// Where a page of results goes: the list path (without `.json`), the request's query and
/// the key the items are listed under.
pub(crate) struct Out<'a> {
    pub(crate) ctx: &'a Ctx,
    pub(crate) path: &'a str,
    pub(crate) q: &'a QueryParams,
    pub(crate) key: &'a str,
}

impl Out<'_> {
    /// A cursor-paginated body. `has_more` is in the direction the client walked.
    pub(crate) fn cursor(
        &self,
        items: Vec<Value>,
        first_last: Option<(String, String)>,
        has_more: bool,
        size: usize,
    ) -> Value {
        let Out { ctx, path, q, key } = *self;
        let (before_cursor, after_cursor) = match first_last {
            Some((first, last)) => (Some(encode_cursor(&first)), Some(encode_cursor(&last))),
            None => (None, None),
        };
        let next = after_cursor.as_ref().map(|c| {
            page_url(
                ctx,
                path,
                q,
                &[("page[after]", c.clone()), ("page[size]", size.to_string())],
            )
        });
        let prev = before_cursor.as_ref().map(|c| {
            page_url(
                ctx,
                path,
                q,
                &[
                    ("page[before]", c.clone()),
                    ("page[size]", size.to_string()),
                ],
            )
        });
        let mut body = Map::new();
        body.insert(key.to_owned(), Value::Array(items));
        body.insert(
        "meta".to_owned(),
        json!({"has_more": has_more, "after_cursor": after_cursor, "before_cursor": before_cursor}),
    );
        body.insert("links".to_owned(), json!({"prev": prev, "next": next}));
        Value::Object(body)
    }

    /// An offset-paginated body.
    pub(crate) fn offset(&self, items: Vec<Value>, page: u64, per_page: u64, count: u64) -> Value {
        let Out { ctx, path, q, key } = *self;
        let next = (page * per_page < count).then(|| {
            page_url(
                ctx,
                path,
                q,
                &[
                    ("page", (page + 1).to_string()),
                    ("per_page", per_page.to_string()),
                ],
            )
        });
        let previous = (page > 1).then(|| {
            page_url(
                ctx,
                path,
                q,
                &[
                    ("page", (page - 1).to_string()),
                    ("per_page", per_page.to_string()),
                ],
            )
        });
        let mut body = Map::new();
        body.insert(key.to_owned(), Value::Array(items));
        body.insert("next_page".to_owned(), json!(next));
        body.insert("previous_page".to_owned(), json!(previous));
        body.insert("count".to_owned(), json!(count));
        Value::Object(body)
    }
}

/// Pages an in-memory list whose items have string keys usable as cursors (comments, tags).
pub(crate) fn page_list(
    ctx: &Ctx,
    path: &str,
    q: &QueryParams,
    key: &str,
    items: Vec<(String, Value)>,
    request: PageRequestKeyed,
) -> Value {
    match request {
        PageRequestKeyed::Offset { page, per_page } => {
            let count = items.len() as u64;
            let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
            let take = usize::try_from(per_page).unwrap_or(100);
            let values = items
                .into_iter()
                .skip(skip)
                .take(take)
                .map(|(_, v)| v)
                .collect();
            Out { ctx, path, q, key }.offset(values, page, per_page, count)
        }
        PageRequestKeyed::Cursor {
            size,
            after,
            before,
        } => {
            let position = |k: &String| items.iter().position(|(key, _)| key == k);
            let (start, end, has_more) = if let Some(b) = before {
                let end = position(&b).unwrap_or(0);
                let start = end.saturating_sub(size);
                (start, end, start > 0)
            } else {
                let start = after.as_ref().and_then(position).map_or(0, |p| p + 1);
                let end = (start + size).min(items.len());
                (start, end, end < items.len())
            };
            let page: Vec<(String, Value)> = items
                .into_iter()
                .skip(start)
                .take(end.saturating_sub(start))
                .collect();
            let first_last = match (page.first(), page.last()) {
                (Some(f), Some(l)) => Some((f.0.clone(), l.0.clone())),
                _ => None,
            };
            let values = page.into_iter().map(|(_, v)| v).collect();
            Out { ctx, path, q, key }.cursor(values, first_last, has_more, size)
        }
    }
}

/// Like [`PageRequest`] but with string cursor keys, for in-memory lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageRequestKeyed {
    Cursor {
        size: usize,
        after: Option<String>,
        before: Option<String>,
    },
    Offset {
        page: u64,
        per_page: u64,
    },
}

impl PageRequestKeyed {
    pub(crate) fn parse(q: &QueryParams) -> Result<Self, ZendeskError> {
        let key = |name: &str| -> Result<Option<String>, ZendeskError> {
            q.get(name)
                .map(|c| {
                    decode_cursor(c).ok_or_else(|| bad(format!("{name} is not a valid cursor")))
                })
                .transpose()
        };
        let after = key("page[after]")?;
        let before = key("page[before]")?;
        // Reuse the numeric parser for sizes and offsets, without the cursors.
        let mut plain = q.clone();
        plain.remove("page[after]");
        plain.remove("page[before]");
        let has_cursor = after.is_some() || before.is_some();
        if has_cursor && !plain.has("page[size]") {
            plain.push("page[size]", &MAX_PAGE_SIZE.to_string());
        }
        if after.is_some() && before.is_some() {
            return Err(bad("page[after] and page[before] cannot be combined"));
        }
        Ok(match PageRequest::parse(&plain)? {
            PageRequest::Offset { page, per_page } => Self::Offset { page, per_page },
            PageRequest::Cursor { size, .. } => Self::Cursor {
                size,
                after,
                before,
            },
        })
    }
}
