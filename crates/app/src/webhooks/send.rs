//! One attempt: sign the body for the endpoint's valid keys, send it through the engine's
//! egress guard, and classify the answer. The delivery workers and the test ping share it.

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use deskgate_core::TenantId;
use deskgate_upstream::{Delivery, DeliveryAnswer};
use tokio::time::Instant;
use url::Url;
use uuid::Uuid;

use crate::App;
use crate::webhooks::signing::signed_headers;

/// Where an attempt goes and what signs it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target<'a> {
    pub(crate) tenant: TenantId,
    pub(crate) endpoint: Uuid,
    pub(crate) url: &'a str,
    pub(crate) secret: &'a [u8],
    pub(crate) previous: Option<(&'a [u8], DateTime<Utc>)>,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sent {
    /// The receiver's status; `None` when it did not answer.
    pub(crate) status: Option<u16>,
    /// Why it failed, for the attempt log: the start of the receiver's answer, or why there
    /// was none. `None` on success.
    pub(crate) error: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) duration: Duration,
}

/// The longest error kept with an attempt.
const MAX_ERROR: usize = 500;

impl Sent {
    /// A 2xx answer.
    pub(crate) fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// 410 Gone: the receiver wants no more webhooks.
    pub(crate) fn gone(&self) -> bool {
        self.status == Some(410)
    }

    fn answered(answer: &DeliveryAnswer, duration: Duration) -> Self {
        let success = (200..300).contains(&answer.status);
        let error = (!success).then(|| {
            let excerpt = answer.excerpt.trim();
            let text = if excerpt.is_empty() {
                format!("answered {}", answer.status)
            } else {
                format!("answered {}: {excerpt}", answer.status)
            };
            shorten(text)
        });
        Self {
            status: Some(answer.status),
            error,
            retry_after: answer.retry_after,
            duration,
        }
    }

    fn failed(error: String, duration: Duration) -> Self {
        Self {
            status: None,
            error: Some(shorten(error)),
            retry_after: None,
            duration,
        }
    }
}

fn shorten(mut text: String) -> String {
    if text.len() > MAX_ERROR {
        let mut end = MAX_ERROR;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

impl App {
    /// Sends `body` as webhook `id` to `target`, signed at `now`, within the configured
    /// timeout. Never fails: what went wrong is in the answer.
    pub(crate) async fn send_webhook(
        &self,
        target: Target<'_>,
        id: &str,
        body: String,
        now: DateTime<Utc>,
    ) -> Sent {
        let started = Instant::now();
        let keys = match self.webhook_keys(
            target.tenant,
            target.endpoint,
            target.secret,
            target.previous,
            now,
        ) {
            Ok(keys) => keys,
            Err(e) => {
                tracing::error!(tenant = %target.tenant, endpoint = %target.endpoint, error = %e, "a webhook secret does not open");
                return Sent::failed(
                    "the gateway could not open the signing secret".into(),
                    started.elapsed(),
                );
            }
        };
        let url = match Url::parse(target.url) {
            Ok(url) => url,
            Err(e) => return Sent::failed(format!("the url is invalid: {e}"), started.elapsed()),
        };
        let headers = signed_headers(id, now.timestamp(), body.as_bytes(), &keys);
        let delivery = Delivery {
            url,
            headers,
            body: Bytes::from(body),
            timeout: self.webhook_settings().timeout,
        };
        match self.upstream().deliver(delivery).await {
            Ok(answer) => Sent::answered(&answer, started.elapsed()),
            Err(e) => Sent::failed(e.to_string(), started.elapsed()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, excerpt: &str) -> DeliveryAnswer {
        DeliveryAnswer {
            status,
            retry_after: None,
            excerpt: excerpt.into(),
        }
    }

    #[test]
    fn only_2xx_is_delivered_and_failures_keep_the_start_of_the_answer() {
        let ok = Sent::answered(&answer(204, ""), Duration::ZERO);
        assert!(ok.delivered() && ok.error.is_none());
        let redirect = Sent::answered(&answer(302, ""), Duration::ZERO);
        assert!(!redirect.delivered());
        assert_eq!(redirect.error.as_deref(), Some("answered 302"));
        let gone = Sent::answered(&answer(410, "bye"), Duration::ZERO);
        assert!(gone.gone() && !gone.delivered());
        assert_eq!(gone.error.as_deref(), Some("answered 410: bye"));
        let long = Sent::answered(&answer(500, &"é".repeat(600)), Duration::ZERO);
        assert!(long.error.unwrap().chars().count() <= MAX_ERROR + 1);
    }
}
