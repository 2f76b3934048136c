//! What an Intercom workspace has served, for tests and benchmarks to assert on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Per-workspace counters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct IntercomCounters {
    /// Every authenticated request that reached the workspace.
    pub requests: u64,
    /// 429 responses sent, from the limit or injected.
    pub rate_limited: u64,
    /// Injected server errors sent.
    pub injected_errors: u64,
    /// 403 responses for a permission the token lacks.
    pub forbidden: u64,
    /// Requests per `Intercom-Version` header value sent (valid or not).
    pub versions: BTreeMap<String, u64>,
    /// Requests that sent no `Intercom-Version` (the app's default version applies).
    pub without_version: u64,
    /// The `Intercom-Version` of the latest request, if it sent one.
    pub last_version: Option<String>,
    /// Authorization codes issued by approving the consent page.
    pub oauth_codes_issued: u64,
    /// Successful `POST /auth/eagle/token` exchanges.
    pub token_exchanges: u64,
    /// Refused `POST /auth/eagle/token` calls (bad client, secret or code).
    pub token_exchange_failures: u64,
}

/// The Intercom-specific part of the counters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Usage {
    pub(crate) forbidden: u64,
    pub(crate) versions: BTreeMap<String, u64>,
    pub(crate) without_version: u64,
    pub(crate) last_version: Option<String>,
    pub(crate) oauth_codes_issued: u64,
    pub(crate) token_exchanges: u64,
    pub(crate) token_exchange_failures: u64,
}
