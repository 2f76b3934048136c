//! Intercom's webhooks in: each notification carries `X-Hub-Signature: sha1=<40 hex>`, the
//! hex HMAC-SHA1 of the raw body keyed with the app's client secret.
//!
//! Intercom signs no timestamp, so nothing here can tell a fresh notification from one
//! captured and sent again: there is no staleness check. A replay only makes the
//! connection's sync run sooner, which the sync's own schedule bounds.

use deskgate_connector::hooks::{HmacSha1, check_hmac, header, hex_signature, secret_bytes};
use deskgate_connector::{HookKey, HookRefusal, HookScheme, HookSecret, InboundHook};

pub(crate) const SIGNATURE: &str = "x-hub-signature";

pub(crate) const SCHEME: HookScheme = HookScheme {
    secret: HookSecret::ClientSecret,
    summary: "X-Hub-Signature: sha1= and the hex HMAC-SHA1 of the raw body, keyed with the \
              app's client secret",
};

/// Checks one notification with the app's client secret.
pub(crate) fn verify(hook: &InboundHook<'_>, key: HookKey<'_>) -> Result<(), HookRefusal> {
    let secret = secret_bytes(key)?;
    let signature = hex_signature(header(hook, SIGNATURE)?, "sha1=")?;
    check_hmac::<HmacSha1>(secret, &[hook.body], &signature)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::{TimeDelta, Utc};
    use http::{HeaderMap, HeaderValue};
    use secrecy::SecretString;

    use super::*;

    const SECRET: &str = "c1ient-secret-0f-the-app";
    const BODY: &[u8] = br#"{"type":"notification_event","id":"notif_ccd8a4d2","topic":"ticket.state.updated","app_id":"wks7h2q1","data":{"type":"notification_event_data","item":{"type":"ticket","id":"631"}},"created_at":1767225600}"#;
    /// hex(HMAC-SHA1(SECRET, BODY)), computed once with Python's hmac module.
    const SIGNED: &str = "sha1=e93b3ac91324a0fd5e54ace211dc6c6987d2aacf";

    fn check(
        signature: Option<&str>,
        body: &[u8],
        secret: Option<&str>,
    ) -> Result<(), HookRefusal> {
        let mut headers = HeaderMap::new();
        if let Some(s) = signature {
            headers.insert("X-Hub-Signature", HeaderValue::from_str(s).unwrap());
        }
        let secret = secret.map(SecretString::from);
        verify(
            &InboundHook {
                headers: &headers,
                body,
                // Intercom signs no time: a day-old notification verifies all the same.
                now: Utc::now() + TimeDelta::days(1),
            },
            secret.as_ref(),
        )
    }

    #[test]
    fn a_notification_signed_with_the_client_secret_is_accepted() {
        assert_eq!(check(Some(SIGNED), BODY, Some(SECRET)), Ok(()));
    }

    #[test]
    fn a_tampered_body_or_a_wrong_secret_is_a_bad_signature() {
        let mut tampered = BODY.to_vec();
        let last = tampered.len() - 2;
        tampered[last] = b'1';
        assert_eq!(
            check(Some(SIGNED), &tampered, Some(SECRET)),
            Err(HookRefusal::BadSignature)
        );
        assert_eq!(
            check(Some(SIGNED), BODY, Some("another-secret")),
            Err(HookRefusal::BadSignature)
        );
    }

    #[test]
    fn a_missing_or_malformed_signature_is_unsigned_and_no_secret_is_said_first() {
        let bare = SIGNED.trim_start_matches("sha1=");
        let sha256 = format!("sha256={bare}");
        for signature in [None, Some(bare), Some(sha256.as_str()), Some("sha1=xyz")] {
            assert_eq!(
                check(signature, BODY, Some(SECRET)),
                Err(HookRefusal::Unsigned),
                "{signature:?}"
            );
        }
        assert_eq!(check(None, BODY, None), Err(HookRefusal::NoSecret));
    }
}
