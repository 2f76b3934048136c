//! Parsers for the two key-ring sources: environment values and a key file. Pure: the caller
//! reads the environment and the file and passes their text in.
//!
//! Environment:
//!
//! ```text
//! DESKGATE_VAULT_KEYS=1:<base64 key>,2:<base64 key>
//! DESKGATE_VAULT_ACTIVE=2        # required when there is more than one key
//! DESKGATE_VAULT_MIN_VERSION=1   # optional, default 1
//! ```
//!
//! Key file (the same entries, one per line, with the settings as `name = value`):
//!
//! ```text
//! # comments and blank lines are ignored
//! active = 2
//! min_version = 1
//! 1:<base64 key>
//! 2:<base64 key>
//! ```

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::{KeyRingError, KeySource, Location};
use crate::key::KEY_LEN;
use crate::key_ring::{KeyEntry, KeyRing, ParsedRing};

/// The environment variable holding the keys: `1:<base64>,2:<base64>`.
pub const KEYS_ENV: &str = "DESKGATE_VAULT_KEYS";
/// The environment variable naming the active version.
pub const ACTIVE_ENV: &str = "DESKGATE_VAULT_ACTIVE";
/// The environment variable naming the minimum decryptable version.
pub const MIN_VERSION_ENV: &str = "DESKGATE_VAULT_MIN_VERSION";

/// The highest key version, so that a version fits a signed 32-bit database column.
pub const MAX_KEY_VERSION: u32 = i32::MAX as u32;

const FILE_ACTIVE: &str = "key file setting `active`";
const FILE_MIN_VERSION: &str = "key file setting `min_version`";

/// Everything the key ring may be configured from, as read by the caller. `None` means
/// "not set"; an empty value counts as set.
#[derive(Debug, Default)]
pub struct KeyRingSources {
    /// The value of `DESKGATE_VAULT_KEYS`.
    pub keys: Option<SecretString>,
    /// The value of `DESKGATE_VAULT_ACTIVE`.
    pub active: Option<String>,
    /// The value of `DESKGATE_VAULT_MIN_VERSION`.
    pub min_version: Option<String>,
    /// The contents of the key file.
    pub key_file: Option<SecretString>,
}

impl KeyRing {
    /// Builds the key ring from whichever single source is configured.
    ///
    /// Refuses when both the environment keys and a key file are given (which one is meant is
    /// ambiguous), when neither is, and when an environment setting comes without the
    /// environment keys.
    pub fn from_sources(sources: &KeyRingSources) -> Result<Self, KeyRingError> {
        match (&sources.keys, &sources.key_file) {
            (Some(_), Some(_)) => Err(KeyRingError::ConflictingSources),
            (Some(keys), None) => KeyRing::from_env(
                keys,
                sources.active.as_deref(),
                sources.min_version.as_deref(),
            ),
            (None, key_file) => {
                if sources.active.is_some() {
                    return Err(KeyRingError::SettingWithoutKeys { name: ACTIVE_ENV });
                }
                if sources.min_version.is_some() {
                    return Err(KeyRingError::SettingWithoutKeys {
                        name: MIN_VERSION_ENV,
                    });
                }
                match key_file {
                    Some(contents) => KeyRing::from_key_file(contents),
                    None => Err(KeyRingError::NoSource),
                }
            }
        }
    }

    /// Builds the key ring from the values of `DESKGATE_VAULT_KEYS`, `DESKGATE_VAULT_ACTIVE`
    /// and `DESKGATE_VAULT_MIN_VERSION`.
    pub fn from_env(
        keys: &SecretString,
        active: Option<&str>,
        min_version: Option<&str>,
    ) -> Result<Self, KeyRingError> {
        let source = KeySource::Environment;
        let mut entries = Entries::default();
        let pieces = keys.expose_secret().split(',').map(str::trim);
        for (index, piece) in pieces.enumerate().filter(|(_, piece)| !piece.is_empty()) {
            entries.push(
                Location {
                    source,
                    index: index + 1,
                },
                piece,
            )?;
        }
        KeyRing::build(ParsedRing {
            source,
            entries: entries.list,
            active: active.map(|text| setting(text, ACTIVE_ENV)).transpose()?,
            min_version: min_version
                .map(|text| setting(text, MIN_VERSION_ENV))
                .transpose()?,
            active_hint: ACTIVE_ENV,
        })
    }

    /// Builds the key ring from the text of a key file.
    pub fn from_key_file(contents: &SecretString) -> Result<Self, KeyRingError> {
        let source = KeySource::KeyFile;
        let mut entries = Entries::default();
        let mut active = None;
        let mut min_version = None;
        for (index, line) in contents.expose_secret().lines().enumerate() {
            let line_number = index + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if starts_with_version(line) {
                entries.push(
                    Location {
                        source,
                        index: line_number,
                    },
                    line,
                )?;
                continue;
            }
            let Some((name, value)) = line.split_once('=') else {
                return Err(KeyRingError::UnrecognizedLine { line: line_number });
            };
            let (slot, name, described) = match name.trim() {
                "active" => (&mut active, "active", FILE_ACTIVE),
                "min_version" => (&mut min_version, "min_version", FILE_MIN_VERSION),
                _ => return Err(KeyRingError::UnrecognizedLine { line: line_number }),
            };
            if slot.is_some() {
                return Err(KeyRingError::DuplicateSetting {
                    line: line_number,
                    name,
                });
            }
            *slot = Some(setting(value, described)?);
        }
        KeyRing::build(ParsedRing {
            source,
            entries: entries.list,
            active,
            min_version,
            active_hint: "`active = <version>` in the key file",
        })
    }
}

/// Key entries collected so far, refusing repeated versions.
#[derive(Default)]
struct Entries {
    list: Vec<KeyEntry>,
    seen: BTreeSet<u32>,
}

impl Entries {
    fn push(&mut self, at: Location, text: &str) -> Result<(), KeyRingError> {
        let entry = parse_entry(at, text)?;
        if !self.seen.insert(entry.version) {
            return Err(KeyRingError::DuplicateVersion {
                at,
                version: entry.version,
            });
        }
        self.list.push(entry);
        Ok(())
    }
}

/// A key-file line is a key entry when the text before its first `:` is all digits.
fn starts_with_version(line: &str) -> bool {
    line.split_once(':')
        .is_some_and(|(version, _)| is_number(version.trim()))
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// Parses `<version>:<base64 key>`. Errors name the location and the version, never the text.
fn parse_entry(at: Location, text: &str) -> Result<KeyEntry, KeyRingError> {
    let Some((version, encoded)) = text.split_once(':') else {
        return Err(KeyRingError::MalformedEntry { at });
    };
    let version = version.trim();
    if !is_number(version) {
        return Err(KeyRingError::InvalidVersion { at });
    }
    let version = match version.parse::<u32>() {
        Ok(0) => return Err(KeyRingError::ReservedVersion { at }),
        Ok(version) if version <= MAX_KEY_VERSION => version,
        _ => return Err(KeyRingError::InvalidVersion { at }),
    };
    let encoded = encoded.trim();
    // Reserve the whole decoded length up front so decoding never reallocates and leaves an
    // unzeroized copy of the key behind.
    let mut decoded = Zeroizing::new(Vec::with_capacity(base64::decoded_len_estimate(
        encoded.len(),
    )));
    STANDARD
        .decode_vec(encoded, &mut decoded)
        .map_err(|_| KeyRingError::InvalidBase64 { at, version })?;
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    if decoded.len() != KEY_LEN {
        return Err(KeyRingError::WrongKeyLength {
            at,
            version,
            len: decoded.len(),
        });
    }
    key.copy_from_slice(&decoded);
    Ok(KeyEntry { version, key })
}

/// Parses a version setting: a whole number from 1 to `MAX_KEY_VERSION`.
fn setting(text: &str, name: &'static str) -> Result<u32, KeyRingError> {
    let text = text.trim();
    match text.parse::<u32>() {
        Ok(version) if (1..=MAX_KEY_VERSION).contains(&version) && is_number(text) => Ok(version),
        _ => Err(KeyRingError::InvalidSetting { name }),
    }
}
