//! [`Script`]: a vendor played from a script, for connectors' tests (the `testing`
//! feature), and [`at`], an instant in whole seconds. It answers each request the outbound engine sends with the next scripted
//! answer and records what was sent, so a test can hold a connector's requests to what the
//! vendor documents and feed it answers the sandbox cannot give.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use deskgate_upstream::{
    BuildError, Transport, TransportError, TransportRequest, TransportResponse, Upstream,
    UpstreamConfig,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::Value;

/// The instant `secs` whole seconds after the epoch (the epoch itself when out of range).
pub fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Asserts that each of `texts`, as a stored change cursor, is refused as corrupt
/// (`BadResponse`) rather than read or sent anywhere.
pub fn assert_corrupt<P: crate::CursorPosition + std::fmt::Debug>(texts: &[&str]) {
    for text in texts {
        let read = P::from_change_cursor(&deskgate_core::ChangeCursor((*text).to_owned()));
        assert!(
            matches!(read, Err(deskgate_core::ConnectorError::BadResponse { .. })),
            "{text:?} gave {read:?}"
        );
    }
}

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// A JSON answer.
    pub fn json(status: u16, body: &Value) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Self {
            status,
            headers,
            body: Bytes::from(body.to_string()),
        }
    }

    /// The same answer with one more header; a name or value that is not a header is left
    /// out (a test's typo shows as a missing header).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.append(name, value);
        }
        self
    }
}

/// One request as the vendor saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub host: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The value of query parameter `name`, decoded.
    pub fn param(&self, name: &str) -> Option<String> {
        form_pairs(self.query.as_deref().unwrap_or_default())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

fn form_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    url::form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// Headers added to every answer, computed when it is sent (rate headers with a reset ahead).
type Every = Box<dyn Fn() -> HeaderMap + Send + Sync>;

/// Answers scripted responses in order (a 500 once they run out) and records every request.
pub struct Script {
    answers: Mutex<VecDeque<Answer>>,
    seen: Mutex<Vec<Seen>>,
    every: Option<Every>,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Script").finish_non_exhaustive()
    }
}

impl Script {
    /// JSON answers, in order.
    pub fn new(answers: Vec<(u16, Value)>) -> Arc<Self> {
        Self::answers(
            answers
                .into_iter()
                .map(|(status, body)| Answer::json(status, &body))
                .collect(),
        )
    }

    pub fn answers(answers: Vec<Answer>) -> Arc<Self> {
        Arc::new(Self {
            answers: Mutex::new(answers.into()),
            seen: Mutex::new(Vec::new()),
            every: None,
        })
    }

    /// JSON answers that also carry `every()`'s headers.
    pub fn with_headers(
        answers: Vec<(u16, Value)>,
        every: impl Fn() -> HeaderMap + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            answers: Mutex::new(
                answers
                    .into_iter()
                    .map(|(status, body)| Answer::json(status, &body))
                    .collect(),
            ),
            seen: Mutex::new(Vec::new()),
            every: Some(Box::new(every)),
        })
    }

    /// Every request sent so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Answers not yet given.
    pub fn left(&self) -> usize {
        self.answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// An outbound engine (default configuration) whose every request reaches this script.
    pub fn upstream(self: &Arc<Self>) -> Result<Upstream, BuildError> {
        Upstream::builder(UpstreamConfig::default())
            .transport(self.clone())
            .build()
    }
}

#[async_trait]
impl Transport for Script {
    async fn send(&self, request: TransportRequest) -> Result<TransportResponse, TransportError> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Seen {
                method: request.method.clone(),
                host: request.url.host_str().unwrap_or_default().to_owned(),
                path: request.url.path().to_owned(),
                query: request.url.query().map(str::to_owned),
                headers: request.headers.clone(),
                body: request.body.clone(),
            });
        let answer = self
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
            .unwrap_or_else(|| {
                Answer::json(500, &serde_json::json!({"message": "unscripted request"}))
            });
        let mut headers = answer.headers;
        if let Some(every) = &self.every {
            headers.extend(every());
        }
        Ok(TransportResponse {
            status: StatusCode::from_u16(answer.status)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers,
            body: answer.body,
        })
    }
}
