//! Reading `Authorization: Basic base64(user:password)`, which both vendors use for API
//! keys and tokens.

use base64::Engine as _;
use http::header;
use http::request::Parts;

/// The user and password of a basic `Authorization` header, if it is one.
pub(crate) fn credentials(parts: &Parts) -> Option<(String, String)> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}
