//! Inbound request rates on every matched route: an authenticated request is counted against
//! its API key and its tenant (`App::admit`) before anything else runs; over either limit it
//! is a 429 `rate_limited` with `Retry-After`. Every answer to an authenticated request
//! carries `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-10):
//!
//! ```text
//! RateLimit-Policy: "key";q=200;w=2, "tenant";q=600;w=2
//! RateLimit: "key";r=199;t=1, "tenant";r=598;t=1
//! ```
//!
//! `q` is the burst, `w` the seconds a whole burst takes to come back (so `q/w` is the
//! sustained rate), `r` what may still come at once and `t` the seconds until the burst is
//! whole again. A 429 names only the limit that refused.
//!
//! The key is authenticated here, once: the result travels to `AuthTenant` in the request's
//! extensions. A request without a key, or with one that fails, is not counted (it charges no
//! one); the extractor answers it as before.

use std::io::Write;
use std::time::Duration;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::RETRY_AFTER;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use deskgate_app::AppError;
use deskgate_app::limits::{Admission, LimitSettings, Policy, Refusal, Remaining, Standing};

use crate::extract::auth::{KeyRefused, presented_key};
use crate::middleware::idempotency;
use crate::{ApiError, AppState};

pub(crate) const RATE_LIMIT: &str = "ratelimit";
pub(crate) const RATE_LIMIT_POLICY: &str = "ratelimit-policy";

pub(crate) async fn admit(state: &AppState, mut req: Request, next: Next) -> Response {
    let Some(presented) = presented_key(req.headers()) else {
        return idempotency::guard(state, req, next).await;
    };
    let auth = match state.app.authenticate(presented).await {
        Ok(auth) => auth,
        Err(AppError::Unauthenticated) => {
            // The extractor answers 401 without checking the key a second time; a route
            // that takes no key ignores it.
            req.extensions_mut().insert(KeyRefused);
            return idempotency::guard(state, req, next).await;
        }
        Err(e) => return ApiError::from(e).into_response(),
    };
    let admission = state.app.admit(&auth);
    if let Some(Admission::Refused(refusal)) = admission {
        return refused(state, refusal);
    }
    req.extensions_mut().insert(auth);
    let mut res = idempotency::guard(state, req, next).await;
    if let (Some(Admission::Admitted(standing)), Some(policy)) = (admission, &state.rate_policy) {
        let headers = res.headers_mut();
        headers.insert(RATE_LIMIT_POLICY, policy.clone());
        if let Some(value) = standing_value(&standing) {
            headers.insert(RATE_LIMIT, value);
        }
    }
    res
}

fn refused(state: &AppState, refusal: Refusal) -> Response {
    let retry_after = whole_secs(refusal.retry_after).max(1);
    let which = match refusal.by {
        Policy::Key => "API key",
        Policy::Tenant => "tenant",
    };
    let mut res = ApiError::rate_limited(
        which,
        refusal.rate.per_minute,
        refusal.rate.burst,
        retry_after,
    )
    .into_response();
    let headers = res.headers_mut();
    headers.insert(RETRY_AFTER, HeaderValue::from(retry_after));
    if let Some(policy) = &state.rate_policy {
        headers.insert(RATE_LIMIT_POLICY, policy.clone());
    }
    let full_in = refusal.retry_after.saturating_add(
        refusal
            .rate
            .interval()
            .saturating_mul(refusal.rate.burst.saturating_sub(1)),
    );
    let mut buf = [0u8; 64];
    let mut w = &mut buf[..];
    if write!(w, "\"{}\";r=0;t={}", name(refusal.by), whole_secs(full_in)).is_ok() {
        let len = 64 - w.len();
        if let Ok(value) = HeaderValue::from_bytes(&buf[..len]) {
            headers.insert(RATE_LIMIT, value);
        }
    }
    res
}

/// `RateLimit-Policy` for `settings`, or `None` when limits are off.
pub(crate) fn policy_value(settings: &LimitSettings) -> Option<HeaderValue> {
    if !settings.enabled {
        return None;
    }
    let (key, tenant) = (settings.key, settings.tenant);
    HeaderValue::try_from(format!(
        "\"key\";q={};w={}, \"tenant\";q={};w={}",
        key.burst,
        key.window_secs(),
        tenant.burst,
        tenant.window_secs()
    ))
    .ok()
}

/// `RateLimit` for what is left after an admitted request, written without a heap buffer.
fn standing_value(standing: &Standing) -> Option<HeaderValue> {
    let part = |w: &mut &mut [u8], policy: Policy, r: Remaining| {
        write!(
            w,
            "\"{}\";r={};t={}",
            name(policy),
            r.left,
            whole_secs(r.full_in)
        )
    };
    let mut buf = [0u8; 96];
    let mut w = &mut buf[..];
    part(&mut w, Policy::Key, standing.key).ok()?;
    w.write_all(b", ").ok()?;
    part(&mut w, Policy::Tenant, standing.tenant).ok()?;
    let len = 96 - w.len();
    HeaderValue::from_bytes(&buf[..len]).ok()
}

fn name(policy: Policy) -> &'static str {
    match policy {
        Policy::Key => "key",
        Policy::Tenant => "tenant",
    }
}

/// Whole seconds, rounded up: a client that waits this long is not refused again for it.
fn whole_secs(d: Duration) -> u64 {
    let secs = d.as_secs();
    if d.subsec_nanos() > 0 {
        secs.saturating_add(1)
    } else {
        secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headers_follow_the_draft() {
        let settings = LimitSettings::default();
        assert_eq!(
            policy_value(&settings).unwrap(),
            "\"key\";q=200;w=2, \"tenant\";q=600;w=2"
        );
        let standing = Standing {
            key: Remaining {
                left: 199,
                full_in: Duration::from_millis(10),
            },
            tenant: Remaining {
                left: 0,
                full_in: Duration::from_secs(2),
            },
        };
        assert_eq!(
            standing_value(&standing).unwrap(),
            "\"key\";r=199;t=1, \"tenant\";r=0;t=2"
        );
        let off = LimitSettings {
            enabled: false,
            ..settings
        };
        assert!(policy_value(&off).is_none());
        let widest = Standing {
            key: Remaining {
                left: u32::MAX,
                full_in: Duration::MAX,
            },
            tenant: Remaining {
                left: u32::MAX,
                full_in: Duration::MAX,
            },
        };
        assert!(standing_value(&widest).is_some(), "fits the buffer");
    }

    #[test]
    fn seconds_round_up() {
        assert_eq!(whole_secs(Duration::ZERO), 0);
        assert_eq!(whole_secs(Duration::from_millis(1)), 1);
        assert_eq!(whole_secs(Duration::from_secs(2)), 2);
        assert_eq!(whole_secs(Duration::from_millis(2001)), 3);
    }
}
