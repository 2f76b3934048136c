//! The real binary's vault boot: where keys come from, the key file generated for the
//! embedded SQLite default, the refusals (each naming its problem and never a key), and the
//! `deskgate vault` commands.

#![allow(clippy::unwrap_used)]

use std::num::NonZeroU32;
use std::path::Path;
use std::process::{Command, Output};

use chrono::Utc;
use deskgate_app::credentials::{CredentialField, Credentials};
use deskgate_app::{App, AppSettings, RequestContext};
use deskgate_store::Store;
use deskgate_store::connections::ConnectionRecord;
use deskgate_store::db::PoolOptions;
use deskgate_store::tenants::Tenant;
use deskgate_vault::{KeyRing, Vault, generate_key_entry};
use secrecy::{ExposeSecret, SecretString};

const BIN: &str = env!("CARGO_BIN_EXE_deskgate");

/// The binary in `dir`, on the default SQLite database there, with no vault or database
/// setting inherited from the environment running the tests.
fn deskgate(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir);
    for name in [
        "DATABASE_URL",
        "DESKGATE_DATABASE__URL",
        "DESKGATE_CONFIG",
        "DESKGATE_VAULT_KEYS",
        "DESKGATE_VAULT_ACTIVE",
        "DESKGATE_VAULT_MIN_VERSION",
        "DESKGATE_VAULT__KEY_FILE",
        "RUST_LOG",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    (
        status.success(),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

fn entry(version: u32) -> String {
    generate_key_entry(NonZeroU32::new(version).unwrap())
        .unwrap()
        .expose_secret()
        .to_owned()
}

fn key_text(entry: &str) -> &str {
    entry.split_once(':').unwrap().1
}

#[test]
fn embedded_sqlite_generates_a_private_key_file_once_and_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(deskgate(dir.path()).args(["tenant", "list"]));
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("GENERATED A NEW VAULT KEY FILE") && stderr.contains("single-node"),
        "{stderr}"
    );
    let key_file = dir.path().join("deskgate.vault-key");
    let first = std::fs::read_to_string(&key_file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "key file mode {mode:o}");
    }
    assert!(!stderr.contains(key_text(first.lines().last().unwrap())));

    let (ok, _, stderr) = run(deskgate(dir.path()).args(["tenant", "list"]));
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("GENERATED"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), first);
}

#[test]
fn postgres_without_a_key_refuses_to_start_naming_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: the refusal comes before any connection is tried.
    let (ok, _, stderr) = run(deskgate(dir.path()).args(["tenant", "list"]).env(
        "DESKGATE_DATABASE__URL",
        "postgres://deskgate@127.0.0.1:1/deskgate",
    ));
    assert!(!ok);
    assert!(
        stderr.contains("no vault key is configured")
            && stderr.contains("PostgreSQL")
            && stderr.contains("DESKGATE_VAULT_KEYS")
            && stderr.contains("DESKGATE_VAULT__KEY_FILE"),
        "{stderr}"
    );
    assert!(!dir.path().join("deskgate.vault-key").exists());
}

/// A refusal: its name, the environment that causes it, and what the message must say.
type Case<'a> = (&'a str, Vec<(&'a str, String)>, &'a str);

#[test]
fn bad_key_configuration_refuses_to_start_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2) = (entry(1), entry(2));
    let key_file = dir.path().join("vault.key");
    std::fs::write(&key_file, format!("{v1}\n")).unwrap();
    let short = format!("1:{}", "QUFBQUFBQUFBQUFBQUFBQQ==");
    let cases: Vec<Case<'_>> = vec![
        (
            "short key",
            vec![("DESKGATE_VAULT_KEYS", short.clone())],
            "key version 1 is too short: 16 bytes",
        ),
        (
            "conflicting sources",
            vec![
                ("DESKGATE_VAULT_KEYS", v1.clone()),
                ("DESKGATE_VAULT__KEY_FILE", key_file.display().to_string()),
            ],
            "conflicting vault key sources",
        ),
        (
            "absent active version",
            vec![
                ("DESKGATE_VAULT_KEYS", format!("{v1},{v2}")),
                ("DESKGATE_VAULT_ACTIVE", "3".into()),
            ],
            "active key version 3 is not among the configured versions [1, 2]",
        ),
        (
            "no active version among several",
            vec![("DESKGATE_VAULT_KEYS", format!("{v1},{v2}"))],
            "names no active version",
        ),
        (
            "duplicate version",
            vec![("DESKGATE_VAULT_KEYS", format!("{v1},{}", entry(1)))],
            "key version 1 is defined more than once",
        ),
        (
            "setting without keys",
            vec![("DESKGATE_VAULT_ACTIVE", "1".into())],
            "DESKGATE_VAULT_ACTIVE is set but DESKGATE_VAULT_KEYS is not",
        ),
        (
            "missing key file",
            vec![(
                "DESKGATE_VAULT__KEY_FILE",
                dir.path().join("absent.key").display().to_string(),
            )],
            "reading the vault key file",
        ),
    ];
    for (name, env, expected) in cases {
        let mut cmd = deskgate(dir.path());
        cmd.args(["tenant", "list"]);
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let (ok, _, stderr) = run(&mut cmd);
        assert!(!ok, "{name}: started");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        for key in [&v1, &v2, &short] {
            assert!(!stderr.contains(key_text(key)), "{name}: a key was printed");
        }
    }
    assert!(
        !dir.path().join("deskgate.db").exists(),
        "refused before opening the database"
    );
}

#[test]
fn a_wrong_key_against_the_recorded_check_values_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let (right, wrong) = (entry(1), entry(1));
    let (ok, _, stderr) = run(deskgate(dir.path())
        .args(["tenant", "list"])
        .env("DESKGATE_VAULT_KEYS", &right));
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = run(deskgate(dir.path())
        .args(["tenant", "list"])
        .env("DESKGATE_VAULT_KEYS", &wrong));
    assert!(!ok);
    assert!(
        stderr.contains(
            "key versions [1] do not match the check values recorded in the database (wrong key)"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains(key_text(&wrong)) && !stderr.contains(key_text(&right)));
    let (ok, _, stderr) = run(deskgate(dir.path())
        .args(["tenant", "list"])
        .env("DESKGATE_VAULT_KEYS", &right));
    assert!(ok, "{stderr}");
}

#[test]
fn a_lost_key_file_is_reported_and_not_silently_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(deskgate(dir.path()).args(["tenant", "list"]));
    assert!(ok, "{stderr}");
    let key_file = dir.path().join("deskgate.vault-key");
    std::fs::remove_file(&key_file).unwrap();

    let (ok, _, stderr) = run(deskgate(dir.path()).args(["tenant", "list"]));
    assert!(!ok);
    assert!(
        stderr.contains("restore the original key file") && stderr.contains("wrong key"),
        "{stderr}"
    );
    assert!(!key_file.exists(), "the useless new key was kept");
}

#[test]
fn generate_key_and_rotate_print_an_entry_and_the_runbook() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) =
        run(deskgate(dir.path()).args(["vault", "generate-key", "--version", "3"]));
    assert!(ok, "{stderr}");
    let printed = stdout.trim();
    assert!(printed.starts_with("3:"), "{printed}");
    KeyRing::from_env(&SecretString::from(printed), None, None).unwrap();
    assert!(!stderr.contains(key_text(printed)));

    // With keys configured, the next version is proposed.
    let v1 = entry(1);
    let (ok, stdout, _) = run(deskgate(dir.path())
        .args(["vault", "generate-key"])
        .env("DESKGATE_VAULT_KEYS", &v1));
    assert!(ok);
    assert!(stdout.starts_with("2:"), "{stdout}");
    let (ok, stdout, stderr) = run(deskgate(dir.path())
        .args(["vault", "rotate"])
        .env("DESKGATE_VAULT_KEYS", &v1));
    assert!(ok, "{stderr}");
    for step in [
        "versions [1] from DESKGATE_VAULT_KEYS, active 1",
        "deskgate vault generate-key --version 2",
        "keep DESKGATE_VAULT_ACTIVE=1",
        "DESKGATE_VAULT_ACTIVE=2",
        "deskgate vault rewrap",
        "DESKGATE_VAULT_MIN_VERSION=2",
        "Retire the old key",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
    assert!(!stdout.contains(key_text(&v1)));
}

#[test]
fn rewrap_command_reseals_stored_credentials_under_the_active_key() {
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2) = (entry(1), entry(2));
    let url = format!("sqlite:{}", dir.path().join("deskgate.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(async {
        let store = Store::connect(&url, PoolOptions::default()).await.unwrap();
        store.migrate().await.unwrap();
        let ring = KeyRing::from_env(&SecretString::from(v1.as_str()), None, None).unwrap();
        let app = App::new(store.clone(), Vault::new(ring), AppSettings::default()).unwrap();
        app.check_vault_keys().await.unwrap();
        let now = Utc::now();
        let tenant = Tenant {
            id: Default::default(),
            name: "acme".into(),
            created_at: now,
        };
        store.insert_tenant(&tenant).await.unwrap();
        for _ in 0..3 {
            let connection = ConnectionRecord {
                id: Default::default(),
                tenant_id: tenant.id,
                provider: deskgate_core::Provider::Zendesk,
                account_label: "acme".into(),
                auth_kind: deskgate_core::AuthMode::ApiToken,
                status: deskgate_core::ConnectionStatus::Active,
                external_ref: None,
                created_at: now,
                updated_at: now,
                token_expires_at: None,
                status_detail: None,
                settings: deskgate_store::connections::settings(serde_json::json!({})),
            };
            store.insert_connection(&connection).await.unwrap();
            let creds = Credentials::new()
                .with(CredentialField::Email, "agent@example.invalid")
                .with(CredentialField::ApiToken, "rewrap-canary-token");
            app.put_credentials(
                tenant.id,
                connection.id,
                &creds,
                &RequestContext::operator(),
            )
            .await
            .unwrap();
        }
        store
    });

    let rotated = |cmd: &mut Command| {
        cmd.env("DESKGATE_VAULT_KEYS", format!("{v1},{v2}"))
            .env("DESKGATE_VAULT_ACTIVE", "2");
    };
    let mut cmd = deskgate(dir.path());
    cmd.args(["vault", "rewrap", "--batch-size", "4"]);
    rotated(&mut cmd);
    let (ok, stdout, stderr) = run(&mut cmd);
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout.lines().next(),
        Some("scanned 6, rewrapped 6, failed 0"),
        "{stdout}"
    );
    assert!(!stderr.contains("rewrap-canary-token"));
    let stale = rt
        .block_on(store.list_stale_credentials(2, None, 100))
        .unwrap();
    assert!(stale.is_empty());

    let mut cmd = deskgate(dir.path());
    cmd.args(["vault", "rewrap"]);
    rotated(&mut cmd);
    let (ok, stdout, stderr) = run(&mut cmd);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "scanned 0, rewrapped 0, failed 0");

    // Rows moved back to version 1, then the minimum raised to 2 before re-wrapping: they
    // cannot be opened, and the run fails naming why.
    let mut cmd = deskgate(dir.path());
    cmd.args(["vault", "rewrap"])
        .env("DESKGATE_VAULT_KEYS", format!("{v1},{v2}"))
        .env("DESKGATE_VAULT_ACTIVE", "1");
    let (ok, stdout, stderr) = run(&mut cmd);
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout.lines().next(),
        Some("scanned 6, rewrapped 6, failed 0")
    );
    let mut cmd = deskgate(dir.path());
    cmd.args(["vault", "rewrap"])
        .env("DESKGATE_VAULT_KEYS", format!("{v1},{v2}"))
        .env("DESKGATE_VAULT_ACTIVE", "2")
        .env("DESKGATE_VAULT_MIN_VERSION", "2");
    let (ok, stdout, stderr) = run(&mut cmd);
    assert!(!ok);
    assert_eq!(
        stdout.lines().next(),
        Some("scanned 6, rewrapped 0, failed 6")
    );
    assert!(
        stderr.contains("below the minimum decryptable version 2")
            && stderr.contains("6 credentials could not be re-wrapped"),
        "{stderr}"
    );
    rt.block_on(store.close());
}
