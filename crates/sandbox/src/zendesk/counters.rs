//! What an account has served, for tests and benchmarks to assert on.

use serde::{Deserialize, Serialize};

/// Per-account counters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ZendeskCounters {
    /// Every request that reached the account (API, OAuth and attachment content).
    pub requests: u64,
    /// 429 responses sent, from the rate limit or injected.
    pub rate_limited: u64,
    /// Injected server errors sent.
    pub injected_errors: u64,
    /// Authorization codes issued: consents approved on the page or through
    /// `Sandbox::zendesk_consent`. Showing the consent page issues none.
    pub authorization_codes_issued: u64,
    /// `POST /oauth/tokens` calls with `grant_type=authorization_code`.
    pub token_authorization_code: u64,
    /// `POST /oauth/tokens` calls with `grant_type=refresh_token`.
    pub token_refresh_token: u64,
    /// `POST /oauth/tokens` calls with `grant_type=client_credentials`.
    pub token_client_credentials: u64,
    /// `POST /oauth/tokens` calls with another or no grant type.
    pub token_other: u64,
    /// Incremental export requests admitted by the export cap.
    pub incremental_exports: u64,
    /// Incremental export requests refused by the export cap (also counted in
    /// `rate_limited`).
    pub incremental_export_rate_limited: u64,
    /// Refresh requests that presented an already-rotated refresh token (each revoked its
    /// whole grant).
    pub refresh_token_reuse_detected: u64,
}
