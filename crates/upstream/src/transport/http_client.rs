//! The production [`Transport`]: one pooled reqwest client that follows no redirects, uses no
//! proxy, resolves through the guarded resolver and stops reading a body past the cap: a
//! vendor's answer past it is an error, a webhook receiver's is cut there.

use std::error::Error as _;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::BytesMut;
use reqwest::redirect;

use super::{Transport, TransportError, TransportRequest, TransportResponse};
use crate::config::UpstreamConfig;
use crate::egress::destination::BlockReason;
use crate::egress::resolver::{GuardedResolver, NoPublicAddress};

/// What a body longer than the cap becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PastCap {
    /// [`TransportError::TooLarge`]: a vendor's answer is read whole or not at all.
    Refuse,
    /// Its first `cap` bytes: a webhook receiver's answer is only kept for the attempt log.
    Cut,
}

#[derive(Debug)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
    max_body_bytes: usize,
    past_cap: PastCap,
}

impl HttpClient {
    /// The vendors' client: bodies up to `max_body_bytes`, refused past it.
    pub(crate) fn new(
        config: &UpstreamConfig,
        resolver: GuardedResolver,
    ) -> Result<Self, reqwest::Error> {
        Self::capped(config, resolver, config.max_body_bytes, PastCap::Refuse)
    }

    /// A client reading at most `cap` bytes of a body, past which it does what `past_cap`
    /// says.
    pub(crate) fn capped(
        config: &UpstreamConfig,
        resolver: GuardedResolver,
        cap: usize,
        past_cap: PastCap,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            // The engine retries by its own rules (idempotency, budget, deadline).
            .retry(reqwest::retry::never())
            // A proxy would resolve names itself and bypass the guarded resolver.
            .no_proxy()
            .referer(false)
            .dns_resolver(Arc::new(resolver))
            .connect_timeout(config.connect_timeout())
            .pool_idle_timeout(std::time::Duration::from_millis(
                config.pool_idle_timeout_ms,
            ))
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .tcp_nodelay(true)
            .user_agent(config.user_agent.clone())
            .build()?;
        Ok(Self {
            client,
            max_body_bytes: cap,
            past_cap,
        })
    }
}

#[async_trait]
impl Transport for HttpClient {
    async fn send(&self, request: TransportRequest) -> Result<TransportResponse, TransportError> {
        let TransportRequest {
            method,
            url,
            headers,
            body,
            timeout,
        } = request;
        let mut response = self
            .client
            .request(method, url)
            .headers(headers)
            .body(body)
            .timeout(timeout)
            .send()
            .await
            .map_err(classify)?;
        let limit = self.max_body_bytes;
        let refuse = self.past_cap == PastCap::Refuse;
        if refuse
            && response
                .content_length()
                .is_some_and(|len| len > limit as u64)
        {
            return Err(TransportError::TooLarge { limit });
        }
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let mut collected = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if collected.len() + chunk.len() > limit {
                // Dropping the response here closes the connection mid-body.
                if refuse {
                    return Err(TransportError::TooLarge { limit });
                }
                collected.extend_from_slice(&chunk[..limit - collected.len()]);
                break;
            }
            collected.extend_from_slice(&chunk);
        }
        Ok(TransportResponse {
            status,
            headers,
            body: collected.freeze(),
        })
    }
}

fn classify(error: reqwest::Error) -> TransportError {
    let mut source = error.source();
    while let Some(cause) = source {
        if cause.is::<NoPublicAddress>() {
            return TransportError::Blocked(BlockReason::PrivateAddress);
        }
        source = cause.source();
    }
    if error.is_timeout() {
        return TransportError::Timeout;
    }
    let connect = error.is_connect();
    // The URL is dropped from the message: it is the caller's business, not the log's.
    let detail = describe(&error.without_url());
    if connect {
        TransportError::Connect(detail)
    } else {
        TransportError::Other(detail)
    }
}

fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut detail = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    detail
}
