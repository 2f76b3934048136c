//! OAuth state of one workspace: authorization codes waiting to be exchanged and the access
//! tokens that exist, kept only as SHA-256 digests. Intercom's tokens never expire and come
//! with no refresh token; codes are single-use and expire after about five minutes.

use std::collections::HashMap;

use crate::secret::{mint, sha};

/// "The code expires after about 5 min" (reference §3.2).
pub(crate) const CODE_TTL_SECS: i64 = 300;

#[derive(Debug)]
struct Code {
    client_id: String,
    admin_id: u64,
    expires_at: i64,
}

#[derive(Debug, Default)]
pub(crate) struct Tokens {
    /// Access token digests and the admin each acts as.
    access: HashMap<[u8; 32], u64>,
    codes: HashMap<[u8; 32], Code>,
}

impl Tokens {
    pub(crate) fn with_token(token: &str, admin_id: u64) -> Self {
        let mut tokens = Self::default();
        tokens.access.insert(sha(token), admin_id);
        tokens
    }

    /// The admin a token acts as.
    pub(crate) fn admin_for(&self, token: &str) -> Option<u64> {
        self.access.get(&sha(token)).copied()
    }

    pub(crate) fn issue_code(&mut self, client_id: &str, admin_id: u64, now: i64) -> String {
        self.codes.retain(|_, c| now < c.expires_at);
        let code = mint();
        self.codes.insert(
            sha(&code),
            Code {
                client_id: client_id.to_owned(),
                admin_id,
                expires_at: now + CODE_TTL_SECS,
            },
        );
        code
    }

    /// Consumes a code issued to `client_id` and mints its access token. A code is gone
    /// after its first presentation, whatever the outcome.
    pub(crate) fn exchange(&mut self, code: &str, client_id: &str, now: i64) -> Option<String> {
        let issued = self.codes.remove(&sha(code))?;
        if now >= issued.expires_at || issued.client_id != client_id {
            return None;
        }
        let token = mint();
        self.access.insert(sha(&token), issued.admin_id);
        Some(token)
    }
}
