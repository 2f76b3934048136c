//! Deterministic fake secrets and their digests: every seeded credential is derived from
//! the account's seed, and accounts keep only digests for comparison.

use sha2::{Digest, Sha256};

/// A deterministic secret string: lowercase hex of SHA-256 over the label, seed and
/// account label, cut to `len` characters.
pub(crate) fn derive(label: &str, seed: u64, account: &str, len: usize) -> String {
    let digest = Sha256::digest(format!("deskgate-sandbox/{label}/{account}/{seed}"));
    let mut text = hex::encode(digest);
    text.truncate(len);
    text
}

/// SHA-256 of a secret, for comparing without keeping it.
pub(crate) fn sha(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// A fresh random secret (64 hex characters) for issued codes, tokens and consent pages.
pub(crate) fn mint() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}
