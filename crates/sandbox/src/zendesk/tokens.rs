//! OAuth state of one account: authorization codes, grants, access and refresh tokens.
//!
//! Tokens are kept only as SHA-256 digests, so no token can leak through `Debug`. Refresh
//! tokens rotate: a successful refresh kills the old access and refresh token of the grant;
//! presenting a refresh token that was already rotated revokes the whole grant (every token
//! ever issued from it) and is counted as a reuse detection.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

type TokenDigest = [u8; 32];

fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

pub(crate) use crate::secret::mint;

/// Code lifetime: "The code is valid for only 120 seconds" [ZD-OAS].
pub(crate) const CODE_TTL_SECS: i64 = 120;
pub(crate) const ACCESS_DEFAULT_SECS: i64 = 30 * 60;
pub(crate) const ACCESS_MIN_SECS: i64 = 300;
pub(crate) const ACCESS_MAX_SECS: i64 = 172_800;
pub(crate) const REFRESH_DEFAULT_SECS: i64 = 2_592_000;
pub(crate) const REFRESH_MIN_SECS: i64 = 604_800;
pub(crate) const REFRESH_MAX_SECS: i64 = 7_776_000;

#[derive(Debug)]
struct AuthCode {
    client_id: String,
    redirect_uri: String,
    scope: String,
    code_challenge: Option<String>,
    user_id: u64,
    expires_at: i64,
    /// The grant created when the code was redeemed; set on first use.
    redeemed_grant: Option<u64>,
}

#[derive(Debug)]
struct Grant {
    client_id: String,
    user_id: u64,
    scope: String,
    /// Obtained with PKCE and no client secret: refreshing needs no secret either.
    public_client: bool,
    revoked: bool,
}

#[derive(Debug)]
struct AccessToken {
    id: u64,
    grant: u64,
    scope: String,
    prefix: String,
    created_at: i64,
    expires_at: i64,
    revoked: bool,
}

#[derive(Debug)]
struct RefreshToken {
    grant: u64,
    expires_at: i64,
    rotated: bool,
    revoked: bool,
}

/// A successful authentication with an access token.
#[derive(Debug, Clone)]
pub(crate) struct BearerIdentity {
    pub(crate) token_id: u64,
    pub(crate) user_id: u64,
    pub(crate) scope: String,
    pub(crate) client_id: String,
    pub(crate) prefix: String,
    pub(crate) created_at: i64,
    pub(crate) expires_at: i64,
}

/// Tokens handed out by one issuance.
#[derive(Debug)]
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
    pub(crate) scope: String,
    pub(crate) expires_in: i64,
    pub(crate) refresh_token_expires_in: Option<i64>,
}

/// Lifetimes requested on the token call, already validated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lifetimes {
    pub(crate) access: i64,
    pub(crate) refresh: i64,
}

#[derive(Debug)]
pub(crate) enum CodeOutcome {
    Ok {
        grant: u64,
        scope: String,
    },
    /// Unknown, expired, wrong client, wrong redirect URI or failed PKCE.
    Invalid,
    /// Already redeemed: the grant issued from it was revoked.
    Replayed,
}

#[derive(Debug)]
pub(crate) enum RefreshOutcome {
    Ok {
        grant: u64,
        scope: String,
    },
    Invalid,
    /// An already-rotated token: the grant was revoked.
    Reused,
}

#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    codes: HashMap<TokenDigest, AuthCode>,
    grants: HashMap<u64, Grant>,
    access: HashMap<TokenDigest, AccessToken>,
    refresh: HashMap<TokenDigest, RefreshToken>,
    next_id: u64,
}

pub(crate) struct NewCode<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) redirect_uri: &'a str,
    pub(crate) scope: &'a str,
    pub(crate) code_challenge: Option<String>,
    pub(crate) user_id: u64,
}

impl TokenStore {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn issue_code(&mut self, new: NewCode<'_>, now: i64) -> String {
        let code = mint();
        self.codes.insert(
            digest(&code),
            AuthCode {
                client_id: new.client_id.to_owned(),
                redirect_uri: new.redirect_uri.to_owned(),
                scope: new.scope.to_owned(),
                code_challenge: new.code_challenge,
                user_id: new.user_id,
                expires_at: now + CODE_TTL_SECS,
                redeemed_grant: None,
            },
        );
        code
    }

    /// Redeems an authorization code. `client_authenticated` says whether a correct client
    /// secret came with the call; without one the code must carry a PKCE challenge.
    pub(crate) fn redeem_code(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
        client_authenticated: bool,
        now: i64,
    ) -> CodeOutcome {
        let Some(entry) = self.codes.get_mut(&digest(code)) else {
            return CodeOutcome::Invalid;
        };
        if let Some(grant) = entry.redeemed_grant {
            self.revoke_grant(grant);
            return CodeOutcome::Replayed;
        }
        if entry.client_id != client_id || now >= entry.expires_at {
            return CodeOutcome::Invalid;
        }
        if redirect_uri.is_some_and(|r| r != entry.redirect_uri) {
            return CodeOutcome::Invalid;
        }
        match (&entry.code_challenge, code_verifier) {
            (Some(challenge), Some(verifier)) => {
                if pkce_s256(verifier) != *challenge {
                    return CodeOutcome::Invalid;
                }
            }
            (Some(_), None) => return CodeOutcome::Invalid,
            (None, _) if !client_authenticated => return CodeOutcome::Invalid,
            (None, _) => {}
        }
        let public_client = !client_authenticated;
        let (user_id, scope) = (entry.user_id, entry.scope.clone());
        let grant = self.new_grant(client_id, user_id, &scope, public_client);
        if let Some(entry) = self.codes.get_mut(&digest(code)) {
            entry.redeemed_grant = Some(grant);
        }
        CodeOutcome::Ok { grant, scope }
    }

    pub(crate) fn new_grant(
        &mut self,
        client_id: &str,
        user_id: u64,
        scope: &str,
        public_client: bool,
    ) -> u64 {
        let id = self.id();
        self.grants.insert(
            id,
            Grant {
                client_id: client_id.to_owned(),
                user_id,
                scope: scope.to_owned(),
                public_client,
                revoked: false,
            },
        );
        id
    }

    /// The grant behind a refresh token: whether it belongs to a public (PKCE) client,
    /// and its scope.
    pub(crate) fn peek_refresh(&self, token: &str) -> Option<(bool, String)> {
        let entry = self.refresh.get(&digest(token))?;
        let grant = self.grants.get(&entry.grant)?;
        Some((grant.public_client, grant.scope.clone()))
    }

    /// Issues an access token (and a refresh token when `lifetimes.refresh` applies).
    pub(crate) fn issue(
        &mut self,
        grant: u64,
        scope: &str,
        lifetimes: Lifetimes,
        with_refresh: bool,
        now: i64,
    ) -> Issued {
        let access_token = mint();
        let id = self.id();
        self.access.insert(
            digest(&access_token),
            AccessToken {
                id,
                grant,
                scope: scope.to_owned(),
                prefix: access_token.chars().take(10).collect(),
                created_at: now,
                expires_at: now + lifetimes.access,
                revoked: false,
            },
        );
        let refresh_token = with_refresh.then(|| {
            let token = mint();
            self.refresh.insert(
                digest(&token),
                RefreshToken {
                    grant,
                    expires_at: now + lifetimes.refresh,
                    rotated: false,
                    revoked: false,
                },
            );
            token
        });
        Issued {
            access_token,
            refresh_token_expires_in: refresh_token.as_ref().map(|_| lifetimes.refresh),
            refresh_token,
            scope: scope.to_owned(),
            expires_in: lifetimes.access,
        }
    }

    /// Validates a refresh token for rotation, and kills the grant's current tokens when it
    /// is valid.
    pub(crate) fn rotate(&mut self, token: &str, client_id: &str, now: i64) -> RefreshOutcome {
        let Some(entry) = self.refresh.get(&digest(token)) else {
            return RefreshOutcome::Invalid;
        };
        let grant_id = entry.grant;
        let Some(grant) = self.grants.get(&grant_id) else {
            return RefreshOutcome::Invalid;
        };
        if grant.client_id != client_id || grant.revoked || entry.revoked {
            return RefreshOutcome::Invalid;
        }
        if entry.rotated {
            self.revoke_grant(grant_id);
            return RefreshOutcome::Reused;
        }
        if now >= entry.expires_at {
            return RefreshOutcome::Invalid;
        }
        let scope = grant.scope.clone();
        if let Some(entry) = self.refresh.get_mut(&digest(token)) {
            entry.rotated = true;
        }
        // "returns a new access token and refresh token while invalidating the previous
        // access and refresh tokens"
        for access in self.access.values_mut().filter(|a| a.grant == grant_id) {
            access.revoked = true;
        }
        for refresh in self
            .refresh
            .values_mut()
            .filter(|r| r.grant == grant_id && !r.rotated)
        {
            refresh.revoked = true;
        }
        RefreshOutcome::Ok {
            grant: grant_id,
            scope,
        }
    }

    fn revoke_grant(&mut self, grant_id: u64) {
        if let Some(grant) = self.grants.get_mut(&grant_id) {
            grant.revoked = true;
        }
        for access in self.access.values_mut().filter(|a| a.grant == grant_id) {
            access.revoked = true;
        }
        for refresh in self.refresh.values_mut().filter(|r| r.grant == grant_id) {
            refresh.revoked = true;
        }
    }

    pub(crate) fn authenticate(&self, token: &str, now: i64) -> Option<BearerIdentity> {
        let access = self.access.get(&digest(token))?;
        let grant = self.grants.get(&access.grant)?;
        if access.revoked || grant.revoked || now >= access.expires_at {
            return None;
        }
        Some(BearerIdentity {
            token_id: access.id,
            user_id: grant.user_id,
            scope: access.scope.clone(),
            client_id: grant.client_id.clone(),
            prefix: access.prefix.clone(),
            created_at: access.created_at,
            expires_at: access.expires_at,
        })
    }

    pub(crate) fn revoke_access(&mut self, token_id: u64) {
        for access in self.access.values_mut().filter(|a| a.id == token_id) {
            access.revoked = true;
        }
    }
}

/// `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))` without padding (RFC 7636 §4.2).
pub(crate) fn pkce_s256(verifier: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}
