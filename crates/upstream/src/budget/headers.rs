//! Reading the vendors' rate-limit headers into one [`Observation`].
//!
//! | vendor | limit | remaining | reset | cost of this request |
//! |---|---|---|---|---|
//! | Zendesk | `X-Rate-Limit` | `X-Rate-Limit-Remaining` | (`ratelimit-reset`, seconds) | none (1) |
//! | IETF draft (Zendesk too) | `ratelimit-limit` or `RateLimit: limit=…` | `ratelimit-remaining` | `ratelimit-reset` (seconds) | none (1) |
//! | Intercom | `X-RateLimit-Limit` (per 10-second window) | `X-RateLimit-Remaining` | `X-RateLimit-Reset` (epoch seconds) | none (1) |
//! | Freshdesk (credits) | `X-Ratelimit-Total` | `X-Ratelimit-Remaining` | none | `X-Ratelimit-Used-CurrentRequest` |
//!
//! And on 429: `Retry-After`, in delta seconds or as an HTTP date.

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderName};

/// What one response said about the account's quota.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Observation {
    /// Requests allowed per window: a minute for Zendesk and Freshdesk, 10 seconds for
    /// Intercom (the request names its vendor's window, `UpstreamRequest::rate_window`).
    pub(crate) limit: Option<u32>,
    pub(crate) remaining: Option<u32>,
    /// When the current window's quota refills.
    pub(crate) reset_after: Option<Duration>,
    /// What the vendor counted for this request (Freshdesk: credits, more than 1 for
    /// `include=`); `None` when it does not say.
    pub(crate) used: Option<u32>,
}

/// Values above this are read as a UNIX time rather than a number of seconds.
const EPOCH_THRESHOLD: u64 = 1_000_000_000;

// The names as `HeaderName`s built once: a `&str` is parsed into one on every lookup, and
// every vendor response is looked up a dozen times.
static LIMIT: [HeaderName; 4] = [
    HeaderName::from_static("x-rate-limit"),
    HeaderName::from_static("ratelimit-limit"),
    HeaderName::from_static("x-ratelimit-limit"),
    HeaderName::from_static("x-ratelimit-total"),
];
static REMAINING: [HeaderName; 3] = [
    HeaderName::from_static("x-rate-limit-remaining"),
    HeaderName::from_static("ratelimit-remaining"),
    HeaderName::from_static("x-ratelimit-remaining"),
];
static RESET: [HeaderName; 2] = [
    HeaderName::from_static("ratelimit-reset"),
    HeaderName::from_static("x-ratelimit-reset"),
];
static USED: [HeaderName; 1] = [HeaderName::from_static("x-ratelimit-used-currentrequest")];
static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

pub(crate) fn observe(headers: &HeaderMap, now: DateTime<Utc>) -> Observation {
    let combined = combined_ratelimit(headers);
    let limit = first_number(headers, &LIMIT).or(combined.limit.map(u64::from));
    let remaining = first_number(headers, &REMAINING).or(combined.remaining.map(u64::from));
    let reset_after = first_number(headers, &RESET)
        .map(|value| seconds_or_epoch(value, now))
        .or(combined.reset_after);
    let used = first_number(headers, &USED);
    Observation {
        limit: limit.and_then(|v| u32::try_from(v).ok()),
        remaining: remaining.and_then(|v| u32::try_from(v).ok()),
        reset_after,
        used: used.and_then(|v| u32::try_from(v).ok()),
    }
}

/// `Retry-After` as a wait from `now`: `7` or `Wed, 21 Oct 2015 07:28:00 GMT`.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

fn seconds_or_epoch(value: u64, now: DateTime<Utc>) -> Duration {
    if value < EPOCH_THRESHOLD {
        return Duration::from_secs(value);
    }
    let at = i64::try_from(value)
        .ok()
        .and_then(|secs| DateTime::from_timestamp(secs, 0));
    at.and_then(|at| (at - now).to_std().ok())
        .unwrap_or(Duration::ZERO)
}

fn first_number(headers: &HeaderMap, names: &[HeaderName]) -> Option<u64> {
    names
        .iter()
        .find_map(|name| leading_number(headers.get(name)?.to_str().ok()?))
}

/// The digits a value starts with: `ratelimit-limit: 100, 100;w=60` is 100.
fn leading_number(value: &str) -> Option<u64> {
    let value = value.trim();
    let end = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    value[..end].parse().ok()
}

/// The single-header draft form: `RateLimit: limit=100, remaining=50, reset=30`.
fn combined_ratelimit(headers: &HeaderMap) -> Observation {
    let mut observation = Observation::default();
    let Some(value) = headers.get(&RATELIMIT).and_then(|v| v.to_str().ok()) else {
        return observation;
    };
    for part in value.split([',', ';']) {
        let Some((name, number)) = part.split_once('=') else {
            continue;
        };
        let Some(number) = leading_number(number) else {
            continue;
        };
        match name.trim() {
            "limit" => observation.limit = u32::try_from(number).ok(),
            "remaining" | "r" => observation.remaining = u32::try_from(number).ok(),
            "reset" | "t" => observation.reset_after = Some(Duration::from_secs(number)),
            _ => {}
        }
    }
    observation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    #[test]
    fn zendesk_headers_are_read() {
        let seen = observe(
            &headers(&[("X-Rate-Limit", "700"), ("X-Rate-Limit-Remaining", "699")]),
            now(),
        );
        assert_eq!(
            seen,
            Observation {
                limit: Some(700),
                remaining: Some(699),
                reset_after: None,
                used: None
            }
        );
    }

    #[test]
    fn ietf_draft_headers_are_read_in_both_forms() {
        let split = observe(
            &headers(&[
                ("ratelimit-limit", "100, 100;w=60"),
                ("ratelimit-remaining", "40"),
                ("ratelimit-reset", "12"),
            ]),
            now(),
        );
        assert_eq!(
            split,
            Observation {
                limit: Some(100),
                remaining: Some(40),
                reset_after: Some(Duration::from_secs(12)),
                used: None
            }
        );
        let combined = observe(
            &headers(&[("RateLimit", "limit=100, remaining=3, reset=9")]),
            now(),
        );
        assert_eq!(
            combined,
            Observation {
                limit: Some(100),
                remaining: Some(3),
                reset_after: Some(Duration::from_secs(9)),
                used: None
            }
        );
    }

    #[test]
    fn intercom_reset_is_an_epoch_time() {
        let seen = observe(
            &headers(&[
                ("X-RateLimit-Limit", "10000"),
                ("X-RateLimit-Remaining", "9000"),
                ("X-RateLimit-Reset", "1700000008"),
            ]),
            now(),
        );
        assert_eq!(
            seen,
            Observation {
                limit: Some(10_000),
                remaining: Some(9_000),
                reset_after: Some(Duration::from_secs(8)),
                used: None
            }
        );
    }

    #[test]
    fn freshdesk_headers_are_read() {
        let seen = observe(
            &headers(&[
                ("X-Ratelimit-Total", "400"),
                ("X-Ratelimit-Remaining", "398"),
                ("X-Ratelimit-Used-CurrentRequest", "1"),
            ]),
            now(),
        );
        assert_eq!(
            seen,
            Observation {
                limit: Some(400),
                remaining: Some(398),
                reset_after: None,
                used: Some(1)
            }
        );
    }

    #[test]
    fn freshdesk_reports_what_a_request_with_includes_cost() {
        let seen = observe(
            &headers(&[
                ("X-Ratelimit-Total", "200"),
                ("X-Ratelimit-Remaining", "150"),
                ("X-Ratelimit-Used-CurrentRequest", "3"),
            ]),
            now(),
        );
        assert_eq!(seen.used, Some(3));
    }

    #[test]
    fn garbage_values_are_ignored() {
        let seen = observe(
            &headers(&[("X-Rate-Limit", "lots"), ("X-Rate-Limit-Remaining", "-1")]),
            now(),
        );
        assert_eq!(seen, Observation::default());
    }

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        assert_eq!(
            retry_after(&headers(&[("Retry-After", "7")]), now()),
            Some(Duration::from_secs(7))
        );
        let date = (now() + chrono::Duration::seconds(30))
            .to_rfc2822()
            .replace("+0000", "GMT");
        assert_eq!(
            retry_after(&headers(&[("Retry-After", date.as_str())]), now()),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after(&headers(&[("Retry-After", "soon")]), now()),
            None
        );
        assert_eq!(retry_after(&HeaderMap::new(), now()), None);
    }
}
