//! Freshdesk's pagination: `page` (from 1) and `per_page` (default 30, at most 100). The
//! body is a bare JSON array; the next page is announced only by
//! `Link: <absolute url>; rel="next"`, with the request's other parameters, and the last
//! page has no `Link`.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::Value;

use super::context::Ctx;
use super::errors::{FieldError, FreshdeskError};
use crate::query::QueryParams;

pub(crate) const DEFAULT_PER_PAGE: u64 = 30;
pub(crate) const MAX_PER_PAGE: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) page: u64,
    pub(crate) per_page: u64,
}

fn positive(q: &QueryParams, field: &str, errors: &mut Vec<FieldError>) -> Option<u64> {
    let text = q.get(field)?;
    match text.parse::<i64>() {
        Err(_) => {
            errors.push(FieldError::mismatch(field, "String", "Positive Integer"));
            None
        }
        Ok(n) if n < 1 => {
            errors.push(FieldError::new(
                field,
                "It should be a/an Positive Integer",
                "invalid_value",
            ));
            None
        }
        Ok(n) => u64::try_from(n).ok(),
    }
}

impl Page {
    /// Reads `page` and `per_page`, adding what is wrong with them to `errors`.
    pub(crate) fn parse(q: &QueryParams, errors: &mut Vec<FieldError>) -> Self {
        let page = positive(q, "page", errors).unwrap_or(1);
        let per_page = positive(q, "per_page", errors).unwrap_or(DEFAULT_PER_PAGE);
        if per_page > MAX_PER_PAGE {
            errors.push(FieldError::new(
                "per_page",
                format!("It should be a Positive Integer less than or equal to {MAX_PER_PAGE}"),
                "invalid_value",
            ));
        }
        Self {
            page,
            per_page: per_page.min(MAX_PER_PAGE),
        }
    }

    /// How many records come before this page.
    pub(crate) fn skip(self) -> u64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    pub(crate) fn limit(self) -> usize {
        usize::try_from(self.per_page).unwrap_or(100)
    }

    /// Whether a list of `total` records goes on after this page.
    pub(crate) fn has_next(self, total: u64) -> bool {
        self.skip().saturating_add(self.per_page) < total
    }
}

/// A query checked against the parameters an endpoint takes. Errors gather (unknown
/// parameters first, as `invalid_field`) until [`Checked::finish`] reports them all.
pub(crate) struct Checked {
    pub(crate) errors: Vec<FieldError>,
}

impl Checked {
    pub(crate) fn new(q: &QueryParams, allowed: &[&str]) -> Self {
        let mut errors: Vec<FieldError> = Vec::new();
        for (key, _) in q.pairs() {
            let known = allowed.contains(&key.as_str()) || key == "page" || key == "per_page";
            if !known && !errors.iter().any(|e| &e.field == key) {
                errors.push(FieldError::unexpected(key));
            }
        }
        Self { errors }
    }

    /// Reads `page` and `per_page`.
    pub(crate) fn page(&mut self, q: &QueryParams) -> Page {
        Page::parse(q, &mut self.errors)
    }

    /// Every error found, as one validation error.
    pub(crate) fn finish(self) -> Result<(), FreshdeskError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(FreshdeskError::Validation(self.errors))
        }
    }
}

/// A page of a list: the JSON array, with `Link` when `has_next`.
pub(crate) fn respond(
    ctx: &Ctx,
    path: &str,
    q: &QueryParams,
    page: Page,
    items: Vec<Value>,
    has_next: bool,
) -> Response {
    let mut response = (StatusCode::OK, axum::Json(Value::Array(items))).into_response();
    if has_next {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in q.pairs() {
            if k != "page" && k != "per_page" {
                serializer.append_pair(k, v);
            }
        }
        serializer.append_pair("per_page", &page.per_page.to_string());
        serializer.append_pair("page", &(page.page + 1).to_string());
        let link = format!("<{}?{}>; rel=\"next\"", ctx.url(path), serializer.finish());
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    response
}
