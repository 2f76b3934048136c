//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>).
//!
//! A secret is `whsec_` and the base64 of random bytes; the key is those bytes. Each attempt
//! carries `webhook-id` (the event id, the same on every retry), `webhook-timestamp` (this
//! attempt's unix seconds) and `webhook-signature`: `v1,` and the base64 HMAC-SHA256 of
//! `{id}.{timestamp}.{body}`, one per valid key, space-separated, so that a receiver that
//! still holds the secret from before a rotation keeps verifying.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderName, HeaderValue};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha256;

/// What a signing secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a new key (within the 24 to 64 the reference libraries accept).
const KEY_BYTES: usize = 24;

pub const WEBHOOK_ID: HeaderName = HeaderName::from_static("webhook-id");
pub const WEBHOOK_TIMESTAMP: HeaderName = HeaderName::from_static("webhook-timestamp");
pub const WEBHOOK_SIGNATURE: HeaderName = HeaderName::from_static("webhook-signature");

/// An endpoint's HMAC key. Its `Debug` shows nothing of it.
pub struct SigningKey(SecretBox<[u8]>);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// A secret that is not `whsec_` and base64.
#[derive(Debug, thiserror::Error)]
#[error("a webhook secret is `whsec_` followed by base64")]
pub struct MalformedSecret;

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(SecretBox::new(bytes.into_boxed_slice()))
    }

    /// The key of a `whsec_…` secret.
    pub fn from_secret(secret: &SecretString) -> Result<Self, MalformedSecret> {
        let encoded = secret
            .expose_secret()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(MalformedSecret)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| MalformedSecret)?;
        if bytes.is_empty() {
            return Err(MalformedSecret);
        }
        Ok(Self(SecretBox::new(bytes.into_boxed_slice())))
    }

    /// The secret as the tenant stores it: `whsec_` and the base64 of the key.
    pub fn to_secret(&self) -> SecretString {
        SecretString::from(format!(
            "{SECRET_PREFIX}{}",
            STANDARD.encode(self.0.expose_secret())
        ))
    }

    /// `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        // HMAC takes a key of any length; this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.expose_secret())
            .unwrap_or_else(|_| unreachable!("hmac accepts keys of any length"));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The body of a webhook: `{"type","timestamp","data"}` with `data` exactly as stored, so
/// every retry sends (and signs) the same bytes.
pub fn webhook_body(event_type: &str, timestamp: DateTime<Utc>, data: &str) -> String {
    let event_type = serde_json::Value::from(event_type);
    let timestamp = timestamp.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    format!(r#"{{"type":{event_type},"timestamp":"{timestamp}","data":{data}}}"#)
}

/// The Standard Webhooks headers of one attempt, signed with each of `keys` (the current
/// one first), and `Content-Type: application/json`.
pub fn signed_headers(id: &str, timestamp: i64, body: &[u8], keys: &[SigningKey]) -> HeaderMap {
    let signatures: Vec<String> = keys.iter().map(|k| k.sign(id, timestamp, body)).collect();
    let mut headers = HeaderMap::new();
    // An event id is `evt_` and hex, signatures are base64 and spaces: always valid values.
    if let Ok(v) = HeaderValue::from_str(id) {
        headers.insert(WEBHOOK_ID, v);
    }
    headers.insert(WEBHOOK_TIMESTAMP, HeaderValue::from(timestamp));
    if let Ok(v) = HeaderValue::from_str(&signatures.join(" ")) {
        headers.insert(WEBHOOK_SIGNATURE, v);
    }
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(secret: &str) -> SigningKey {
        SigningKey::from_secret(&SecretString::from(secret.to_owned())).unwrap()
    }

    /// The vector the Standard Webhooks reference libraries test their signing with.
    #[test]
    fn signs_the_reference_vector() {
        let k = key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert_eq!(
            k.sign(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn the_body_keeps_the_stored_data_verbatim() {
        let at = DateTime::parse_from_rfc3339("2026-11-03T20:26:10.344522Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            webhook_body("ticket.created", at, r#"{"b":1, "a":[2]}"#),
            r#"{"type":"ticket.created","timestamp":"2026-11-03T20:26:10.344522Z","data":{"b":1, "a":[2]}}"#
        );
    }

    #[test]
    fn headers_carry_one_signature_per_key_current_first() {
        let (new, old) = (SigningKey::generate(), SigningKey::generate());
        let h = signed_headers("evt_1", 1_700_000_000, b"{}", &[new, old]);
        assert_eq!(h[WEBHOOK_ID], "evt_1");
        assert_eq!(h[WEBHOOK_TIMESTAMP], "1700000000");
        let signatures: Vec<&str> = h[WEBHOOK_SIGNATURE].to_str().unwrap().split(' ').collect();
        assert_eq!(signatures.len(), 2);
        assert!(signatures.iter().all(|s| s.starts_with("v1,")));
        assert_ne!(signatures[0], signatures[1]);
    }

    #[test]
    fn a_secret_without_its_prefix_or_base64_is_refused() {
        for bad in [
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_",
            "whsec_not base64!",
        ] {
            assert!(SigningKey::from_secret(&SecretString::from(bad.to_owned())).is_err());
        }
    }

    proptest! {
        #[test]
        fn a_secret_round_trips_and_its_key_signs_alike(
            id in "evt_[0-9a-f]{32}",
            timestamp in 0i64..4_000_000_000,
            body in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let k = SigningKey::generate();
            let secret = k.to_secret();
            prop_assert!(secret.expose_secret().starts_with(SECRET_PREFIX));
            let back = SigningKey::from_secret(&secret).unwrap();
            prop_assert_eq!(k.sign(&id, timestamp, &body), back.sign(&id, timestamp, &body));
        }

        #[test]
        fn any_change_to_id_timestamp_or_body_changes_the_signature(
            timestamp in 0i64..4_000_000_000,
            body in proptest::collection::vec(any::<u8>(), 1..256),
            flip in any::<prop::sample::Index>(),
        ) {
            let k = SigningKey::generate();
            let signed = k.sign("evt_a", timestamp, &body);
            let mut tampered = body.clone();
            let i = flip.index(tampered.len());
            tampered[i] ^= 1;
            prop_assert_ne!(&signed, &k.sign("evt_a", timestamp, &tampered));
            prop_assert_ne!(&signed, &k.sign("evt_b", timestamp, &body));
            prop_assert_ne!(&signed, &k.sign("evt_a", timestamp + 1, &body));
        }
    }
}
