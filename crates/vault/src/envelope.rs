//! The self-describing binary envelope of a sealed blob.
//!
//! ```text
//! offset  length  content
//! 0       1       format version (1)
//! 1       1       algorithm id (1 = AES-256-GCM, 96-bit nonce, 128-bit tag)
//! 2       4       key version, unsigned big-endian, never 0
//! 6       12      nonce
//! 18      n       ciphertext (as long as the plaintext)
//! 18 + n  16      authentication tag
//! ```

use crate::error::{MalformedReason, VaultError};

pub(crate) const FORMAT_VERSION: u8 = 1;
pub(crate) const ALGORITHM_AES_256_GCM: u8 = 1;
pub(crate) const HEADER_LEN: usize = 6;
pub(crate) const NONCE_LEN: usize = 12;
pub(crate) const TAG_LEN: usize = 16;

/// Bytes a sealed blob adds to its plaintext.
pub const ENVELOPE_OVERHEAD: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;

/// The header bytes that are authenticated as part of the associated data: everything in the
/// header except the key version, which is bound implicitly because it selects the key.
pub(crate) const AUTHENTICATED_HEADER: [u8; 2] = [FORMAT_VERSION, ALGORITHM_AES_256_GCM];

/// A parsed envelope, borrowing from the blob.
#[derive(Debug)]
pub(crate) struct Envelope<'a> {
    pub(crate) key_version: u32,
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) ciphertext: &'a [u8],
    pub(crate) tag: [u8; TAG_LEN],
}

impl<'a> Envelope<'a> {
    pub(crate) fn parse(blob: &'a [u8]) -> Result<Self, VaultError> {
        let malformed = |reason| VaultError::Malformed { reason };
        let key_version = parse_header(blob)?;
        let (nonce, rest) = blob[HEADER_LEN..].split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let too_short = || malformed(MalformedReason::TooShort { len: blob.len() });
        Ok(Envelope {
            key_version,
            nonce: nonce.try_into().map_err(|_| too_short())?,
            ciphertext,
            tag: tag.try_into().map_err(|_| too_short())?,
        })
    }
}

/// Writes the header of a blob sealed with the current format and algorithm.
pub(crate) fn write_header(out: &mut Vec<u8>, key_version: u32) {
    out.extend_from_slice(&AUTHENTICATED_HEADER);
    out.extend_from_slice(&key_version.to_be_bytes());
}

/// Checks length, format and algorithm, and returns the key version.
fn parse_header(blob: &[u8]) -> Result<u32, VaultError> {
    let malformed = |reason| VaultError::Malformed { reason };
    if blob.len() < ENVELOPE_OVERHEAD {
        return Err(malformed(MalformedReason::TooShort { len: blob.len() }));
    }
    let [format, algorithm, v0, v1, v2, v3, ..] = *blob else {
        return Err(malformed(MalformedReason::TooShort { len: blob.len() }));
    };
    if format != FORMAT_VERSION {
        return Err(malformed(MalformedReason::UnknownFormat {
            version: format,
        }));
    }
    if algorithm != ALGORITHM_AES_256_GCM {
        return Err(malformed(MalformedReason::UnknownAlgorithm {
            id: algorithm,
        }));
    }
    match u32::from_be_bytes([v0, v1, v2, v3]) {
        0 => Err(malformed(MalformedReason::ReservedKeyVersion)),
        version => Ok(version),
    }
}

/// The key version a blob was sealed with, read from its header without opening it.
///
/// Lets a re-wrap job find blobs sealed under an old key. The header is checked (length,
/// format, algorithm) but nothing is decrypted, so a valid answer does not mean the blob is
/// authentic.
pub fn blob_key_version(blob: &[u8]) -> Result<u32, VaultError> {
    parse_header(blob)
}
