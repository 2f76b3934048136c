//! Vendor webhooks in: how a provider's notifications to `/hooks/{provider}/{token}` prove
//! they come from the vendor. A notification only makes a connection's sync run sooner; the
//! poll is the truth, so a refused one loses nothing.
//!
//! The path token (random, stored hashed) names the connection and is checked by the app
//! first. A provider whose vendor signs its webhooks checks the signature here, with the
//! secret the app holds for the connection.

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;
use secrecy::SecretString;

/// How far a signed timestamp may be from now, either way.
pub const HOOK_TOLERANCE: Duration = Duration::from_secs(300);

/// Which secret verifies a provider's webhooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookSecret {
    /// None: the path token is the only proof (the vendor does not sign).
    PathToken,
    /// A secret the vendor shows for the webhook (Zendesk's signing secret), which the tenant
    /// sets on the connection.
    WebhookSecret,
    /// The OAuth app's client secret (Intercom): the tenant's OAuth app for the provider, or
    /// one set on the connection.
    ClientSecret,
}

/// How a provider's webhooks are verified, for the API reference and the connection's view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HookScheme {
    pub secret: HookSecret,
    /// One sentence: what is signed and where the signature travels.
    pub summary: &'static str,
}

/// One notification as it arrived.
#[derive(Clone, Copy, Debug)]
pub struct InboundHook<'a> {
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub now: DateTime<Utc>,
}

/// Why a notification was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HookRefusal {
    /// No signature header, or one that does not parse.
    #[error("the notification is not signed")]
    Unsigned,
    /// The signature does not match the body with the connection's secret.
    #[error("the notification's signature does not match")]
    BadSignature,
    /// The signed timestamp is too far from now.
    #[error("the notification's timestamp is too old or in the future")]
    Stale,
    /// The provider signs its webhooks but no secret is set to check them.
    #[error("no secret is set to verify this provider's notifications")]
    NoSecret,
}

impl HookRefusal {
    /// A stable name for metrics and logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            HookRefusal::Unsigned => "unsigned",
            HookRefusal::BadSignature => "bad_signature",
            HookRefusal::Stale => "stale",
            HookRefusal::NoSecret => "no_secret",
        }
    }
}

/// The secret a provider's signature is checked with, if one is set.
pub type HookKey<'a> = Option<&'a SecretString>;

/// The secret to verify with, or [`HookRefusal::NoSecret`] when the provider signs and none
/// is set.
pub fn secret_bytes(key: HookKey<'_>) -> Result<&[u8], HookRefusal> {
    use secrecy::ExposeSecret;
    key.map(|k| k.expose_secret().as_bytes())
        .filter(|k| !k.is_empty())
        .ok_or(HookRefusal::NoSecret)
}

/// A header's value as text, or [`HookRefusal::Unsigned`] when it is missing or not text.
pub fn header<'a>(hook: &InboundHook<'a>, name: &str) -> Result<&'a str, HookRefusal> {
    hook.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(HookRefusal::Unsigned)
}

/// A standard base64 signature, or [`HookRefusal::Unsigned`] when it does not decode.
pub fn base64_signature(text: &str) -> Result<Vec<u8>, HookRefusal> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| HookRefusal::Unsigned)
}

/// A hex signature after `prefix` (`sha1=`), or [`HookRefusal::Unsigned`] when it has
/// another prefix or does not decode.
pub fn hex_signature(text: &str, prefix: &str) -> Result<Vec<u8>, HookRefusal> {
    let digits = text.strip_prefix(prefix).ok_or(HookRefusal::Unsigned)?;
    hex::decode(digits).map_err(|_| HookRefusal::Unsigned)
}

/// Checks `signature` against the HMAC of the concatenated `parts` keyed with `secret`, in
/// constant time: [`HookRefusal::BadSignature`] when it differs.
pub fn check_hmac<M>(secret: &[u8], parts: &[&[u8]], signature: &[u8]) -> Result<(), HookRefusal>
where
    M: hmac::Mac + hmac::digest::KeyInit,
{
    let mut mac =
        <M as hmac::digest::KeyInit>::new_from_slice(secret).map_err(|_| HookRefusal::NoSecret)?;
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(signature)
        .map_err(|_| HookRefusal::BadSignature)
}

/// HMAC-SHA256, as Zendesk signs.
pub type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// HMAC-SHA1, as Intercom signs.
pub type HmacSha1 = hmac::Hmac<sha1::Sha1>;

/// Refuses a signed timestamp further than [`HOOK_TOLERANCE`] from `now`, either way: an
/// old notification replayed, or a clock far off.
pub fn check_fresh(signed_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), HookRefusal> {
    let apart = (now - signed_at)
        .abs()
        .to_std()
        .map_err(|_| HookRefusal::Stale)?;
    if apart <= HOOK_TOLERANCE {
        Ok(())
    } else {
        Err(HookRefusal::Stale)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use http::HeaderValue;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn the_hmac_check_takes_the_parts_in_order_and_refuses_anything_else() {
        // The well-known HMAC example (key "key", the quick brown fox), checked with Python's
        // hmac module; the message is given in two parts to check they are joined.
        let expected =
            hex::decode("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
                .unwrap();
        let parts: [&[u8]; 2] = [b"The quick brown fox ", b"jumps over the lazy dog"];
        assert_eq!(check_hmac::<HmacSha256>(b"key", &parts, &expected), Ok(()));
        assert_eq!(
            check_hmac::<HmacSha256>(b"kez", &parts, &expected),
            Err(HookRefusal::BadSignature)
        );
        assert_eq!(
            check_hmac::<HmacSha256>(b"key", &[b"The quick brown fox"], &expected),
            Err(HookRefusal::BadSignature)
        );
        // The same sentence with HMAC-SHA1.
        let sha1 = hex::decode("de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9").unwrap();
        assert_eq!(check_hmac::<HmacSha1>(b"key", &parts, &sha1), Ok(()));
        assert_eq!(
            check_hmac::<HmacSha1>(b"key", &parts, &sha1[..19]),
            Err(HookRefusal::BadSignature)
        );
    }

    #[test]
    fn signatures_decode_or_the_notification_is_unsigned() {
        assert_eq!(base64_signature("AAEC").unwrap(), vec![0, 1, 2]);
        assert_eq!(base64_signature("not base64!"), Err(HookRefusal::Unsigned));
        assert_eq!(hex_signature("sha1=00ff", "sha1=").unwrap(), vec![0, 255]);
        assert_eq!(
            hex_signature("md5=00ff", "sha1="),
            Err(HookRefusal::Unsigned)
        );
        assert_eq!(
            hex_signature("sha1=0g", "sha1="),
            Err(HookRefusal::Unsigned)
        );
        let mut headers = HeaderMap::new();
        headers.insert("x-sig", HeaderValue::from_static(" abc "));
        headers.insert("x-empty", HeaderValue::from_static(""));
        let hook = InboundHook {
            headers: &headers,
            body: b"",
            now: Utc::now(),
        };
        assert_eq!(header(&hook, "X-Sig"), Ok("abc"));
        assert_eq!(header(&hook, "x-empty"), Err(HookRefusal::Unsigned));
        assert_eq!(header(&hook, "x-missing"), Err(HookRefusal::Unsigned));
        let secret = SecretString::from("s");
        assert_eq!(secret_bytes(Some(&secret)), Ok(&b"s"[..]));
        assert_eq!(secret_bytes(None), Err(HookRefusal::NoSecret));
        assert_eq!(
            secret_bytes(Some(&SecretString::from(""))),
            Err(HookRefusal::NoSecret)
        );
    }

    #[test]
    fn a_timestamp_is_fresh_within_five_minutes_either_way() {
        let now = at("2026-03-01T12:00:00Z");
        assert_eq!(check_fresh(at("2026-03-01T11:55:00Z"), now), Ok(()));
        assert_eq!(check_fresh(at("2026-03-01T12:05:00Z"), now), Ok(()));
        assert_eq!(
            check_fresh(at("2026-03-01T11:54:59Z"), now),
            Err(HookRefusal::Stale)
        );
        assert_eq!(
            check_fresh(at("2026-03-01T12:05:01Z"), now),
            Err(HookRefusal::Stale)
        );
    }
}
