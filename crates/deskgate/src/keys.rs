//! Loading the vault's key ring at boot.
//!
//! Sources, exactly one of which may be configured (`docs/security.md`, "Key ring"):
//! `DESKGATE_VAULT_KEYS` with `DESKGATE_VAULT_ACTIVE` and `DESKGATE_VAULT_MIN_VERSION`, or a
//! key file named by `[vault] key_file` (`DESKGATE_VAULT__KEY_FILE`). With neither, the
//! embedded SQLite default uses a key file beside the database, `<db>.vault-key`, generating
//! it with mode 0600 on first run; PostgreSQL refuses to start.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use deskgate_vault::{
    ACTIVE_ENV, KEYS_ENV, KeyRing, KeyRingSources, MIN_VERSION_ENV, Vault, generate_key_file,
};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::config::Config;

/// The vault built from configuration, and the key file generated for it, if one was.
#[derive(Debug)]
pub(crate) struct VaultKeys {
    pub(crate) vault: Vault,
    /// Set when this process created the key file because none was configured or found.
    pub(crate) generated: Option<PathBuf>,
}

/// Where the key ring came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyOrigin {
    Environment,
    KeyFile(PathBuf),
}

/// Builds the vault from the configured keys; in the embedded SQLite default with none
/// configured, from the key file beside the database, generated if it does not exist.
pub(crate) fn load(config: &Config) -> anyhow::Result<VaultKeys> {
    let mut sources = environment_sources()?;
    let mut generated = None;
    if let Some(path) = &config.vault.key_file {
        sources.key_file = Some(read_key_file(path)?);
    } else if nothing_in_environment(&sources) {
        let Some(path) = default_key_file(&config.database.url)? else {
            bail!(no_key_message(&config.database.url));
        };
        if path.exists() {
            tracing::info!(path = %path.display(), "using the vault key file beside the database");
            sources.key_file = Some(read_key_file(&path)?);
        } else {
            sources.key_file = Some(create_key_file(&path)?);
            tracing::warn!(
                path = %path.display(),
                "GENERATED A NEW VAULT KEY FILE beside the database. It is for single-node use only. \
                 Back it up apart from the database: without it every stored credential is lost. \
                 Replicas and PostgreSQL need one shared key ring from {KEYS_ENV} or a key file; \
                 see docs/security.md"
            );
            generated = Some(path);
        }
    }
    let key_ring = KeyRing::from_sources(&sources).context("invalid vault key configuration")?;
    Ok(VaultKeys {
        vault: Vault::new(key_ring),
        generated,
    })
}

/// The configured key ring and where it came from, without generating anything: `None` when
/// no key is configured and no key file exists beside an SQLite database.
pub(crate) fn load_existing(config: &Config) -> anyhow::Result<Option<(KeyRing, KeyOrigin)>> {
    let mut sources = environment_sources()?;
    let origin = if let Some(path) = &config.vault.key_file {
        sources.key_file = Some(read_key_file(path)?);
        KeyOrigin::KeyFile(path.clone())
    } else if nothing_in_environment(&sources) {
        match default_key_file(&config.database.url)? {
            Some(path) if path.exists() => {
                sources.key_file = Some(read_key_file(&path)?);
                KeyOrigin::KeyFile(path)
            }
            _ => return Ok(None),
        }
    } else {
        KeyOrigin::Environment
    };
    let key_ring = KeyRing::from_sources(&sources).context("invalid vault key configuration")?;
    Ok(Some((key_ring, origin)))
}

fn nothing_in_environment(sources: &KeyRingSources) -> bool {
    sources.keys.is_none() && sources.active.is_none() && sources.min_version.is_none()
}

fn environment_sources() -> anyhow::Result<KeyRingSources> {
    Ok(KeyRingSources {
        keys: env_var(KEYS_ENV)?.map(|keys| SecretString::from(keys.as_str())),
        active: env_var(ACTIVE_ENV)?.map(|v| v.to_string()),
        min_version: env_var(MIN_VERSION_ENV)?.map(|v| v.to_string()),
        key_file: None,
    })
}

/// An environment variable's value, zeroized when dropped; `None` when unset.
fn env_var(name: &str) -> anyhow::Result<Option<Zeroizing<String>>> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(Zeroizing::new(value))),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => bail!("{name} is not valid UTF-8"),
    }
}

/// `<database file>.vault-key` for a file-backed SQLite database; `None` otherwise.
fn default_key_file(database_url: &str) -> anyhow::Result<Option<PathBuf>> {
    let file = deskgate_store::db::sqlite_file(database_url)
        .context("invalid configuration: database.url")?;
    Ok(file.map(|db| db.with_extension("vault-key")))
}

fn no_key_message(database_url: &str) -> String {
    let why = match deskgate_store::db::backend_of(database_url) {
        Ok(deskgate_store::Backend::Postgres) => {
            "deskgate on PostgreSQL needs a configured vault key, shared by every replica"
        }
        _ => "an in-memory SQLite database has no directory to keep a generated vault key in",
    };
    format!(
        "no vault key is configured: {why}. Set {KEYS_ENV}=1:<base64 key> (print one with \
         `deskgate vault generate-key`; with several keys also set {ACTIVE_ENV}), or point \
         `[vault] key_file` (DESKGATE_VAULT__KEY_FILE) at a key file. See docs/security.md"
    )
}

fn read_key_file(path: &Path) -> anyhow::Result<SecretString> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .with_context(|| format!("reading the vault key file {}", path.display()))?,
    );
    warn_if_shared(path);
    Ok(SecretString::from(text.as_str()))
}

/// Whoever can read the key file can open every credential: say so if others can.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{mode:o}"),
                    "the vault key file is readable by other users; restrict it with chmod 600"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Creates a key file with one fresh key, readable by its owner only. If another process
/// created it first, uses that one.
fn create_key_file(path: &Path) -> anyhow::Result<SecretString> {
    let contents = generate_key_file().context("generating a vault key")?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return read_key_file(path),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("creating the vault key file {}", path.display()));
        }
    };
    if let Err(e) = file
        .write_all(contents.expose_secret().as_bytes())
        .and_then(|()| file.sync_all())
    {
        // A truncated key file must not be found and trusted by the next start.
        let _ = std::fs::remove_file(path);
        return Err(e).with_context(|| format!("writing the vault key file {}", path.display()));
    }
    Ok(contents)
}
