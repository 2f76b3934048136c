//! Zendesk's webhooks in: each notification carries `X-Zendesk-Webhook-Signature`, the
//! base64 HMAC-SHA256 of `X-Zendesk-Webhook-Signature-Timestamp` (ISO-8601) followed by the
//! raw body, keyed with the webhook's signing secret. The timestamp must be within the kit's
//! `HOOK_TOLERANCE` of now, so a captured notification cannot be replayed later.

use chrono::DateTime;
use deskgate_connector::hooks::{
    HmacSha256, base64_signature, check_fresh, check_hmac, header, secret_bytes,
};
use deskgate_connector::{HookKey, HookRefusal, HookScheme, HookSecret, InboundHook};

pub(crate) const SIGNATURE: &str = "x-zendesk-webhook-signature";
pub(crate) const TIMESTAMP: &str = "x-zendesk-webhook-signature-timestamp";

pub(crate) const SCHEME: HookScheme = HookScheme {
    secret: HookSecret::WebhookSecret,
    summary: "X-Zendesk-Webhook-Signature: base64 HMAC-SHA256 over timestamp + body with the \
              webhook's signing secret",
};

/// Checks one notification with the webhook's signing secret: the signature first, then how
/// old its signed timestamp is (so `Stale` is only said of a notification Zendesk did sign).
pub(crate) fn verify(hook: &InboundHook<'_>, key: HookKey<'_>) -> Result<(), HookRefusal> {
    let secret = secret_bytes(key)?;
    let signature = base64_signature(header(hook, SIGNATURE)?)?;
    let timestamp = header(hook, TIMESTAMP)?;
    let signed_at = DateTime::parse_from_rfc3339(timestamp)
        .map_err(|_| HookRefusal::Unsigned)?
        .to_utc();
    check_hmac::<HmacSha256>(secret, &[timestamp.as_bytes(), hook.body], &signature)?;
    check_fresh(signed_at, hook.now)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::{DateTime, Utc};
    use http::{HeaderMap, HeaderValue};
    use secrecy::SecretString;

    use super::*;

    const SECRET: &str = "dGhpcyBpcyBhIHNpZ25pbmcgc2VjcmV0";
    const STAMP: &str = "2026-03-01T12:00:00Z";
    const BODY: &[u8] =
        br#"{"type":"zen:event-type:ticket.status_changed","detail":{"id":"35436"}}"#;
    /// base64(HMAC-SHA256(SECRET, STAMP + BODY)), computed once with Python's hmac module.
    const SIGNED: &str = "S6Gj9DpASCEVRkBe1nmy5HrEi9fQ8f66HkOY6I82Uoo=";

    fn headers(signature: Option<&str>, stamp: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(s) = signature {
            h.insert(
                "X-Zendesk-Webhook-Signature",
                HeaderValue::from_str(s).unwrap(),
            );
        }
        if let Some(t) = stamp {
            h.insert(
                "X-Zendesk-Webhook-Signature-Timestamp",
                HeaderValue::from_str(t).unwrap(),
            );
        }
        h
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:02:00Z")
            .unwrap()
            .to_utc()
    }

    fn check(
        h: &HeaderMap,
        body: &[u8],
        secret: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), HookRefusal> {
        let secret = secret.map(SecretString::from);
        verify(
            &InboundHook {
                headers: h,
                body,
                now,
            },
            secret.as_ref(),
        )
    }

    #[test]
    fn a_notification_signed_with_the_secret_is_accepted() {
        let h = headers(Some(SIGNED), Some(STAMP));
        assert_eq!(check(&h, BODY, Some(SECRET), now()), Ok(()));
    }

    #[test]
    fn a_tampered_body_a_wrong_secret_or_a_moved_timestamp_is_a_bad_signature() {
        let h = headers(Some(SIGNED), Some(STAMP));
        let tampered =
            br#"{"type":"zen:event-type:ticket.status_changed","detail":{"id":"35437"}}"#;
        assert_eq!(
            check(&h, tampered, Some(SECRET), now()),
            Err(HookRefusal::BadSignature)
        );
        assert_eq!(
            check(&h, BODY, Some("another-secret"), now()),
            Err(HookRefusal::BadSignature)
        );
        let moved = headers(Some(SIGNED), Some("2026-03-01T12:00:01Z"));
        assert_eq!(
            check(&moved, BODY, Some(SECRET), now()),
            Err(HookRefusal::BadSignature)
        );
    }

    #[test]
    fn an_old_notification_is_stale_even_when_signed() {
        let h = headers(Some(SIGNED), Some(STAMP));
        let later = now() + chrono::TimeDelta::minutes(10);
        assert_eq!(
            check(&h, BODY, Some(SECRET), later),
            Err(HookRefusal::Stale)
        );
    }

    #[test]
    fn missing_or_unreadable_headers_are_unsigned_and_no_secret_is_said_first() {
        for h in [
            headers(None, Some(STAMP)),
            headers(Some(SIGNED), None),
            headers(Some("not base64!"), Some(STAMP)),
            headers(Some(SIGNED), Some("yesterday")),
        ] {
            assert_eq!(
                check(&h, BODY, Some(SECRET), now()),
                Err(HookRefusal::Unsigned)
            );
        }
        assert_eq!(
            check(&headers(None, None), BODY, None, now()),
            Err(HookRefusal::NoSecret)
        );
    }
}
