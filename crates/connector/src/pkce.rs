//! PKCE (RFC 7636, S256 only) and the OAuth `state` value: both 32 random bytes,
//! base64url without padding.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

fn random_text() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The PKCE code verifier: kept by the caller (with the OAuth session) until the code
/// exchange, never sent to the browser.
#[derive(Clone)]
pub struct PkceVerifier(SecretString);

impl PkceVerifier {
    /// A fresh verifier: 43 characters from 256 random bits.
    pub fn generate() -> Self {
        Self(SecretString::from(random_text()))
    }

    /// A verifier stored earlier (read back from the OAuth session).
    pub fn from_secret(secret: SecretString) -> Self {
        Self(secret)
    }

    pub fn secret(&self) -> &SecretString {
        &self.0
    }

    /// `BASE64URL(SHA256(verifier))`, the `code_challenge` for `code_challenge_method=S256`.
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.expose_secret().as_bytes()))
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier([redacted])")
    }
}

/// The `state` parameter: random, single-use. The caller stores only its hash.
#[derive(Clone)]
pub struct OAuthState(SecretString);

impl OAuthState {
    pub fn generate() -> Self {
        Self(SecretString::from(random_text()))
    }

    /// A state the caller generated and kept.
    pub fn from_secret(secret: SecretString) -> Self {
        Self(secret)
    }

    pub fn secret(&self) -> &SecretString {
        &self.0
    }
}

impl fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OAuthState([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_matches_rfc_7636_appendix_b() {
        let verifier =
            PkceVerifier::from_secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(
            verifier.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn fresh_verifiers_and_states_are_long_random_and_url_safe() {
        let a = PkceVerifier::generate();
        let b = PkceVerifier::generate();
        assert_ne!(a.secret().expose_secret(), b.secret().expose_secret());
        assert_eq!(a.secret().expose_secret().len(), 43);
        let state = OAuthState::generate();
        assert!(
            state
                .secret()
                .expose_secret()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert!(!format!("{a:?}{state:?}").contains(a.secret().expose_secret()));
    }
}
