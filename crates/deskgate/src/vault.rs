//! `deskgate vault …`: key rotation guidance, fresh key entries, and re-wrapping every stored
//! credential under the active key.

use std::io::Write;
use std::num::NonZeroU32;

use anyhow::{Context, bail};
use deskgate_app::RequestContext;
use deskgate_vault::{ACTIVE_ENV, KEYS_ENV, KeyRing, MIN_VERSION_ENV, generate_key_entry};
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::keys::{self, KeyOrigin};
use crate::serve::{build_app, open_store};

/// Prints the rotation runbook, filled in with the configured key ring when there is one.
pub(crate) fn rotate(config: &Config) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Rotating the vault key (docs/security.md, \"Rotation runbook\")"
    )?;
    writeln!(out)?;
    let current = keys::load_existing(config);
    let (old, new, file) = match &current {
        Ok(Some((ring, origin))) => {
            let where_from = match origin {
                KeyOrigin::Environment => KEYS_ENV.to_owned(),
                KeyOrigin::KeyFile(path) => format!("key file {}", path.display()),
            };
            writeln!(
                out,
                "Now: versions {:?} from {where_from}, active {}, minimum decryptable {}.",
                ring.versions(),
                ring.active_version(),
                ring.min_version()
            )?;
            (
                ring.active_version(),
                next_version(ring),
                matches!(origin, KeyOrigin::KeyFile(_)),
            )
        }
        Ok(None) => {
            writeln!(out, "Now: no vault key is configured yet.")?;
            (1, 2, false)
        }
        Err(e) => {
            writeln!(out, "Now: the configured key ring does not load: {e:#}")?;
            (1, 2, false)
        }
    };
    let (active, min) = if file {
        (
            format!("`active = {new}` in the key file"),
            format!("`min_version = {new}` in the key file"),
        )
    } else {
        (
            format!("{ACTIVE_ENV}={new}"),
            format!("{MIN_VERSION_ENV}={new}"),
        )
    };
    let keep = if file {
        format!("keep `active = {old}`")
    } else {
        format!("keep {ACTIVE_ENV}={old}")
    };
    let add = if file {
        "add the printed entry to the key file as a line of its own"
    } else {
        "append the printed entry to DESKGATE_VAULT_KEYS, comma-separated"
    };
    writeln!(out)?;
    writeln!(
        out,
        "1. Add the new key, decrypt-only, on every replica.\n   \
         Run `deskgate vault generate-key --version {new}`,\n   \
         {add}, and {keep}.\n   \
         Roll out everywhere. The first replica to start records the new version's check value;\n   \
         a replica with a mistyped key then refuses to start."
    )?;
    writeln!(
        out,
        "2. Make it active: set {active} and roll out. New credentials are sealed with it,\n   \
         and every replica can already open them."
    )?;
    writeln!(
        out,
        "3. Re-wrap: run `deskgate vault rewrap` (safe while replicas serve) until it reports\n   \
         `scanned 0`. Each run prints scanned / rewrapped / failed."
    )?;
    writeln!(
        out,
        "4. Raise the minimum: set {min} and roll out. A blob still sealed with\n   \
         version {old} is now refused; lowering the minimum again recovers it while the key\n   \
         is configured."
    )?;
    writeln!(
        out,
        "5. Retire the old key: remove version {old} and roll out. Destroy its copies once no\n   \
         backup that still holds blobs sealed with it must stay restorable."
    )?;
    Ok(())
}

/// Prints one fresh `<version>:<base64 key>` entry on stdout; guidance goes to stderr.
pub(crate) fn generate_key(config: &Config, version: Option<NonZeroU32>) -> anyhow::Result<()> {
    let version = match version {
        Some(version) => version,
        None => {
            let next = match keys::load_existing(config) {
                Ok(Some((ring, _))) => next_version(&ring),
                _ => 1,
            };
            NonZeroU32::new(next).context("no key version is left")?
        }
    };
    let entry = generate_key_entry(version).context("generating a vault key")?;
    writeln!(std::io::stdout().lock(), "{}", entry.expose_secret())?;
    writeln!(
        std::io::stderr().lock(),
        "This is key version {version}. Add it to {KEYS_ENV} or the key file on every replica \
         before making it active; `deskgate vault rotate` shows the whole order."
    )?;
    Ok(())
}

/// Re-seals every credential not sealed with the active key and prints the counts.
pub(crate) async fn rewrap(config: &Config, batch_size: u32) -> anyhow::Result<()> {
    let keys = keys::load(config)?;
    let store = open_store(config).await?;
    let app = build_app(config, store.clone(), keys).await?;
    let result = app
        .rewrap_credentials(batch_size, &RequestContext::operator())
        .await;
    store.close().await;
    let report = result.context("re-wrapping credentials")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{report}")?;
    if report.superseded > 0 {
        writeln!(
            out,
            "{} of them were rewritten or deleted by other writers meanwhile and needed nothing more",
            report.superseded
        )?;
    }
    if report.failed > 0 {
        bail!(
            "{} credentials could not be re-wrapped; the log above names each connection and field",
            report.failed
        );
    }
    Ok(())
}

fn next_version(ring: &KeyRing) -> u32 {
    ring.versions()
        .last()
        .map_or(1, |highest| highest.saturating_add(1))
}
