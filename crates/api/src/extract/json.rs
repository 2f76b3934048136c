use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// Request bodies larger than this are refused with 413.
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;

/// The body as bytes, whatever its type, up to [`BODY_LIMIT`]: larger is 413
/// `payload_too_large`, a body that breaks off is 400 `unreadable_body`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawBody(pub(crate) Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "unreadable_body",
                        "Unreadable body",
                        e.body_text(),
                    )
                }
            })
    }
}

/// Whether `Content-Type` is a JSON media type: `application/json` or `application/*+json`,
/// with no parameter but `charset=utf-8` (JSON is UTF-8, RFC 8259).
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let json = essence == "application/json"
        || essence
            .strip_prefix("application/")
            .and_then(|sub| sub.strip_suffix("+json"))
            .is_some_and(|name| !name.is_empty() && !name.contains('/'));
    json && parts.all(|param| {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        name.trim().eq_ignore_ascii_case("charset")
            && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
    })
}

/// 415 `unsupported_media_type`.
pub(crate) fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "Unsupported media type",
        "send the body as JSON with `Content-Type: application/json`",
    )
}

/// 413 `payload_too_large`.
pub(crate) fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "Payload too large",
        "the request body is larger than the gateway accepts (1 MiB)",
    )
}

/// A JSON body that parsed into `T`. Failures name the field at fault:
/// - not JSON at all: 415 `unsupported_media_type`;
/// - broken JSON: 400 `malformed_json` with line and column;
/// - a wrong type, a missing or unknown field: 422 `invalid_body` with the field's path;
/// - JSON that is not an object (an array, a string, `null`): 422 `invalid_body` naming
///   `body`, since every body the API takes is an object;
/// - too large: 413 `payload_too_large`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidJson<T>(pub T);

impl<S, T> FromRequest<S> for ValidJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(unsupported_media_type());
        }
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        parse(&bytes).map(ValidJson)
    }
}

pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // serde reads a struct from a sequence too (`["s","d"]` fills the fields in order), so
    // an object is checked for before `T` sees the body.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|e| classify(".", &e))?;
        return Err(ApiError::invalid_body("body", "must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let e = e.into_inner();
        // serde stops at the first token a type does not take and calls it a syntax error
        // (a second key where an enum takes one): valid JSON of the wrong shape is the
        // caller's field to fix, not malformed JSON.
        if (e.is_syntax() || e.is_eof())
            && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
        {
            let field = if path == "." { "body" } else { path.as_str() };
            return ApiError::invalid_body(
                field,
                format!(
                    "does not have the shape the schema gives ({})",
                    strip_position(&e.to_string())
                ),
            );
        }
        classify(&path, &e)
    })?;
    de.end().map_err(|e| classify(".", &e))?;
    Ok(value)
}

fn classify(path: &str, e: &serde_json::Error) -> ApiError {
    if e.is_syntax() || e.is_eof() {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "Malformed JSON",
            format!("the body is not valid JSON: {e}"),
        )
    } else {
        let field = if path == "." { "body" } else { path };
        ApiError::invalid_body(field, strip_position(&e.to_string()))
    }
}

/// serde_json appends " at line 1 column 17" to data errors; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn json_media_types_are_json_and_nothing_else_is() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, value.parse().unwrap());
            is_json(&headers)
        };
        for good in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=\"UTF-8\"",
            "application/merge-patch+json",
        ] {
            assert!(with(good), "{good}");
        }
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=iso-8859-1",
            "application/json; boundary=x",
            "application/+json",
            "application/jsonx",
            "text/json",
        ] {
            assert!(!with(bad), "{bad}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn problem(bytes: &str) -> serde_json::Value {
        serde_json::to_value(parse::<Body>(bytes.as_bytes()).unwrap_err().body()).unwrap()
    }

    #[test]
    fn valid_json_of_a_shape_serde_stops_at_is_an_invalid_body_not_malformed_json() {
        // An externally tagged enum takes one key; serde calls the second a syntax error.
        let e = parse::<deskgate_core::model::TagChange>(br#"{"add": ["a"], "remove": null}"#)
            .unwrap_err();
        assert_eq!(e.code(), "invalid_body", "{:?}", e.body());
        let e = parse::<deskgate_core::model::TagChange>(br#"{"add": ["a"], "remove": nul}"#)
            .unwrap_err();
        assert_eq!(e.code(), "malformed_json", "{:?}", e.body());
    }

    #[test]
    fn a_wrong_type_names_the_nested_field() {
        let p = problem(r#"{"name":"a","inner":{"count":"x"}}"#);
        assert_eq!(p["status"], 422);
        assert_eq!(p["errors"][0]["field"], "inner.count");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("invalid type"),
            "{p}"
        );
    }

    #[test]
    fn an_unknown_field_is_named() {
        let p = problem(r#"{"name":"a","colour":1}"#);
        assert_eq!(p["code"], "invalid_body");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("unknown field `colour`"),
            "{p}"
        );
    }

    #[test]
    fn a_missing_field_is_named() {
        let p = problem(r#"{}"#);
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("missing field `name`"),
            "{p}"
        );
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused() {
        for body in [r#"["a", null]"#, r#" "a""#, "null", "1", "true", "[]"] {
            let p = problem(body);
            assert_eq!(p["code"], "invalid_body", "{body}");
            assert_eq!(p["errors"][0]["field"], "body", "{body}");
        }
        assert_eq!(problem(r#"["a""#)["code"], "malformed_json");
        assert_eq!(problem("")["code"], "malformed_json");
    }

    #[test]
    fn broken_json_is_a_400_with_its_position() {
        let p = problem(r#"{"name": "a",,}"#);
        assert_eq!(p["status"], 400);
        assert_eq!(p["code"], "malformed_json");
        assert!(p["detail"].as_str().unwrap().contains("line 1"), "{p}");
        assert_eq!(
            problem(r#"{"name":"a"} trailing"#)["code"],
            "malformed_json"
        );
    }
}
