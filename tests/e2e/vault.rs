//! The credential vault composed with the store and the app layer, on both backends:
//! re-wrap under concurrent writers, owner binding, crypto-shredding, audited opens, the
//! credential cache, the boot check of the keys, and a log canary.

#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use deskgate_app::credentials::{CredentialField, CredentialPurpose, Credentials, KeyCheckError};
use deskgate_app::{App, AppError, AppSettings, RequestContext};
use deskgate_core::{ConnectionId, TenantId};
use deskgate_store::Store;
use deskgate_store::connections::ConnectionRecord;
use deskgate_store::tenants::Tenant;
use deskgate_tests::{Backend, Captured, TestDb, backends};
use deskgate_vault::{
    AssociatedData, KeyRing, KeyRingError, Vault, blob_key_version, generate_key_entry,
};
use secrecy::{ExposeSecret, SecretString};
use tracing::instrument::WithSubscriber;

backends!(
    rewrap_leaves_no_old_rows_and_loses_no_concurrent_write,
    a_blob_moved_to_another_owner_fails_to_open,
    another_tenant_cannot_write_a_connections_credentials,
    deleting_a_connection_shreds_its_credentials_in_the_same_transaction,
    every_open_is_audited_without_the_secret,
    the_cache_serves_repeat_reads_and_is_invalidated_on_write_and_delete,
    boot_refuses_a_wrong_key_and_a_missing_version,
    trace_logs_of_every_vault_flow_contain_no_secret,
    a_tenants_oauth_client_secret_is_rewrapped_and_bound_to_its_tenant,
);

// ---- fixtures -------------------------------------------------------------------------

/// A fresh `<version>:<base64 key>` entry.
fn entry(version: u32) -> String {
    generate_key_entry(NonZeroU32::new(version).unwrap())
        .unwrap()
        .expose_secret()
        .to_owned()
}

fn ring(entries: &[&str], active: Option<&str>, min_version: Option<&str>) -> KeyRing {
    KeyRing::from_env(&SecretString::from(entries.join(",")), active, min_version).unwrap()
}

fn app(store: &Store, ring: KeyRing, cache_ttl: Duration) -> App {
    App::new(
        store.clone(),
        Vault::new(ring),
        AppSettings {
            credential_cache_ttl: cache_ttl,
            ..AppSettings::default()
        },
    )
    .unwrap()
}

const NO_CACHE: Duration = Duration::ZERO;
const CACHE: Duration = Duration::from_secs(300);

async fn tenant(store: &Store) -> TenantId {
    let id = TenantId::new();
    store
        .insert_tenant(&Tenant {
            id,
            name: format!("tenant {id}"),
            created_at: Utc::now(),
        })
        .await
        .unwrap();
    id
}

async fn connection(store: &Store, tenant: TenantId) -> ConnectionId {
    let now = Utc::now();
    let id = ConnectionId::new();
    store
        .insert_connection(&ConnectionRecord {
            id,
            tenant_id: tenant,
            provider: deskgate_core::Provider::Zendesk,
            account_label: "acme".into(),
            auth_kind: deskgate_core::AuthMode::OauthCode,
            status: deskgate_core::ConnectionStatus::Active,
            external_ref: None,
            created_at: now,
            updated_at: now,
            token_expires_at: None,
            status_detail: None,
            settings: deskgate_store::connections::settings(serde_json::json!({})),
        })
        .await
        .unwrap();
    id
}

fn ctx(request_id: &str) -> RequestContext {
    RequestContext {
        request_id: Some(request_id.to_owned()),
        ..RequestContext::operator()
    }
}

/// Four fields, each value naming its connection, field and a tag.
fn four_fields(tag: &str) -> Credentials {
    Credentials::new()
        .with(CredentialField::AccessToken, format!("{tag}-access"))
        .with(CredentialField::RefreshToken, format!("{tag}-refresh"))
        .with(CredentialField::ClientId, format!("{tag}-client-id"))
        .with(
            CredentialField::ClientSecret,
            format!("{tag}-client-secret"),
        )
}

fn value(creds: &Credentials, field: CredentialField) -> &str {
    creds.get(field).unwrap().expose_secret()
}

async fn audit_actions(store: &Store, tenant: TenantId) -> Vec<String> {
    store
        .recent_audit(tenant, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// A small deterministic generator, so each writer picks its own sequence of rows.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

// ---- re-wrap ---------------------------------------------------------------------------

const CONNECTIONS: usize = 2_500;
const FIELDS: usize = 4;
const WRITERS: usize = 4;

async fn rewrap_leaves_no_old_rows_and_loses_no_concurrent_write(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let (v1, v2) = (entry(1), entry(2));

    // 10,000 rows sealed under version 1, over two tenants.
    let old = app(&store, ring(&[&v1], None, None), NO_CACHE);
    old.check_vault_keys().await.unwrap();
    let tenants = [tenant(&store).await, tenant(&store).await];
    let started = Instant::now();
    let mut seeding = tokio::task::JoinSet::new();
    for chunk in 0..8 {
        let (store, old) = (store.clone(), old.clone());
        seeding.spawn(async move {
            let mut made = Vec::new();
            for i in (chunk..CONNECTIONS).step_by(8) {
                let t = tenants[i % 2];
                let c = connection(&store, t).await;
                old.put_credentials(t, c, &four_fields(&format!("seed-{i}")), &ctx("seed"))
                    .await
                    .unwrap();
                made.push((i, t, c));
            }
            made
        });
    }
    let mut rows: Vec<(usize, TenantId, ConnectionId)> = Vec::new();
    while let Some(made) = seeding.join_next().await {
        rows.extend(made.unwrap());
    }
    rows.sort_by_key(|(i, _, _)| *i);
    let seeded_in = started.elapsed();
    assert_eq!(
        store
            .list_stale_credentials(1, None, 100_000)
            .await
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        store
            .list_stale_credentials(2, None, 100_000)
            .await
            .unwrap()
            .len(),
        CONNECTIONS * FIELDS
    );

    // Version 2 is added and made active; writers keep updating their own rows (writer w
    // owns connections i with i % 4 == w) while the re-wrap runs.
    let new = app(&store, ring(&[&v1, &v2], Some("2"), None), NO_CACHE);
    new.check_vault_keys().await.unwrap();
    let rows = Arc::new(rows);
    let done = Arc::new(AtomicBool::new(false));
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..WRITERS {
        let (new, rows, done) = (new.clone(), rows.clone(), done.clone());
        writers.spawn(async move {
            let mine: Vec<usize> = (0..CONNECTIONS).filter(|i| i % WRITERS == w).collect();
            let mut rng = XorShift(0x9e37_79b9_7f4a_7c15 ^ (w as u64 + 1));
            let mut last: HashMap<usize, String> = HashMap::new();
            let mut writes = 0_u64;
            while !done.load(Ordering::SeqCst) {
                let i = mine[rng.below(mine.len())];
                let (_, t, c) = rows[i];
                let tag = format!("w{w}-n{writes}-c{i}");
                new.put_credentials(t, c, &four_fields(&tag), &ctx("writer"))
                    .await
                    .unwrap();
                last.insert(i, tag);
                writes += 1;
                tokio::task::yield_now().await;
            }
            (writes, last)
        });
    }
    let started = Instant::now();
    let report = new
        .rewrap_credentials(500, &RequestContext::operator())
        .await
        .unwrap();
    let rewrap_took = started.elapsed();
    done.store(true, Ordering::SeqCst);
    let mut expected: HashMap<usize, String> = HashMap::new();
    let mut writes = Vec::new();
    while let Some(result) = writers.join_next().await {
        let (n, last) = result.unwrap();
        writes.push(n);
        expected.extend(last);
    }

    let stale = store
        .list_stale_credentials(2, None, 100_000)
        .await
        .unwrap();
    let all = store
        .list_stale_credentials(0, None, 100_000)
        .await
        .unwrap();
    let vault = new.vault();
    let mut opened = 0;
    let mut by_connection: HashMap<ConnectionId, HashMap<String, String>> = HashMap::new();
    for row in &all {
        assert_eq!(row.key_version, 2);
        assert_eq!(blob_key_version(&row.sealed).unwrap(), 2);
        let owner = AssociatedData::connection_credential(
            row.tenant_id.as_uuid(),
            row.connection_id.as_uuid(),
            &row.field,
        );
        let plain = vault.open(&owner, &row.sealed).unwrap();
        let text = String::from_utf8(plain.expose_secret().to_vec()).unwrap();
        by_connection
            .entry(row.connection_id)
            .or_default()
            .insert(row.field.clone(), text);
        opened += 1;
    }
    let mut writer_values_checked = 0;
    for (i, _, c) in rows.iter() {
        let tag = expected
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("seed-{i}"));
        let stored = &by_connection[c];
        assert_eq!(
            stored["access_token"],
            format!("{tag}-access"),
            "connection {i}"
        );
        assert_eq!(
            stored["refresh_token"],
            format!("{tag}-refresh"),
            "connection {i}"
        );
        assert_eq!(
            stored["client_id"],
            format!("{tag}-client-id"),
            "connection {i}"
        );
        assert_eq!(
            stored["client_secret"],
            format!("{tag}-client-secret"),
            "connection {i}"
        );
        if expected.contains_key(i) {
            writer_values_checked += 1;
        }
    }
    println!(
        "rewrap [{backend:?}]: seeded {} rows in {seeded_in:?}; rewrap took {rewrap_took:?}: {report} \
         ({} superseded by writers); writers wrote {writes:?} times; afterwards {} rows on the old \
         version, {opened}/{} rows open, {writer_values_checked} connections hold their writer's \
         last value",
        CONNECTIONS * FIELDS,
        report.superseded,
        stale.len(),
        all.len(),
    );
    assert_eq!(stale.len(), 0, "rows left on the old version");
    assert_eq!(all.len(), CONNECTIONS * FIELDS);
    assert_eq!(opened, CONNECTIONS * FIELDS);
    assert_eq!(report.failed, 0);
    assert_eq!(report.scanned, report.rewrapped + report.superseded);
    assert!(report.scanned <= (CONNECTIONS * FIELDS) as u64);
    assert!(
        writes.iter().all(|n| *n > 0),
        "every writer wrote: {writes:?}"
    );
    assert!(writer_values_checked > 0);

    // A second run finds nothing left.
    let again = new
        .rewrap_credentials(500, &RequestContext::operator())
        .await
        .unwrap();
    assert_eq!((again.scanned, again.rewrapped, again.failed), (0, 0, 0));
}

// ---- owner binding ---------------------------------------------------------------------

async fn a_blob_moved_to_another_owner_fails_to_open(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let app = app(&store, ring(&[&entry(1)], None, None), NO_CACHE);
    let (a, b) = (tenant(&store).await, tenant(&store).await);
    let (a1, a2, b1) = (
        connection(&store, a).await,
        connection(&store, a).await,
        connection(&store, b).await,
    );
    for (t, c, tag) in [(a, a1, "a1"), (a, a2, "a2"), (b, b1, "b1")] {
        app.put_credentials(t, c, &four_fields(tag), &ctx("setup"))
            .await
            .unwrap();
    }
    let a1_rows = store.get_credentials(a, a1).await.unwrap();
    let a1_refresh = a1_rows.iter().find(|r| r.field == "refresh_token").unwrap();

    // The same bytes under tenant B's connection, another connection of tenant A, and
    // another field of the same connection.
    let moves = [
        (b, b1, "refresh_token"),
        (a, a2, "refresh_token"),
        (a, a1, "access_token"),
    ];
    let mut refused = 0;
    for (t, c, field) in moves {
        store
            .put_credential(t, c, field, &a1_refresh.sealed, 1, Utc::now())
            .await
            .unwrap();
        let err = app
            .credentials(t, c, CredentialPurpose::UpstreamRequest, &ctx("moved"))
            .await
            .unwrap_err();
        let AppError::Internal(message) = &err else {
            panic!("expected an internal error, got {err:?}");
        };
        assert!(message.contains("failed authentication"), "{message}");
        assert!(!message.contains("a1-refresh"), "{message}");
        refused += 1;
    }
    println!("owner binding [{backend:?}]: {refused}/3 moved blobs refused");
    assert!(
        audit_actions(&store, b)
            .await
            .contains(&"credential.open_failed".to_owned())
    );
}

async fn another_tenant_cannot_write_a_connections_credentials(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let app = app(&store, ring(&[&entry(1)], None, None), NO_CACHE);
    let (a, b) = (tenant(&store).await, tenant(&store).await);
    let a1 = connection(&store, a).await;
    app.put_credentials(a, a1, &four_fields("mine"), &ctx("a"))
        .await
        .unwrap();
    let err = app
        .put_credentials(b, a1, &four_fields("theirs"), &ctx("b"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound("connection")), "{err:?}");
    // Even past the app's check, the store refuses to overwrite another tenant's row.
    let err = store
        .put_credential(b, a1, "access_token", b"forged", 1, Utc::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, deskgate_store::StoreError::MissingReference),
        "{err:?}"
    );
    let creds = app
        .credentials(a, a1, CredentialPurpose::UpstreamRequest, &ctx("a"))
        .await
        .unwrap();
    assert_eq!(value(&creds, CredentialField::AccessToken), "mine-access");
}

// ---- crypto-shredding ------------------------------------------------------------------

async fn deleting_a_connection_shreds_its_credentials_in_the_same_transaction(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let app = app(&store, ring(&[&entry(1)], None, None), CACHE);
    let t = tenant(&store).await;
    let (gone, kept) = (connection(&store, t).await, connection(&store, t).await);
    for c in [gone, kept] {
        app.put_credentials(t, c, &four_fields("x"), &ctx("setup"))
            .await
            .unwrap();
    }
    // Cached before the delete.
    app.credentials(t, gone, CredentialPurpose::UpstreamRequest, &ctx("read"))
        .await
        .unwrap();

    let destroyed = app
        .delete_connection(t, gone, &ctx("req-delete"))
        .await
        .unwrap();
    assert_eq!(destroyed, FIELDS as u64);
    assert!(store.get_credentials(t, gone).await.unwrap().is_empty());
    assert!(store.get_connection(t, gone).await.unwrap().is_none());
    assert_eq!(store.get_credentials(t, kept).await.unwrap().len(), FIELDS);
    let err = app
        .credentials(t, gone, CredentialPurpose::UpstreamRequest, &ctx("after"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound("connection")), "{err:?}");

    let audit = store.recent_audit(t, 100).await.unwrap();
    let event = audit
        .iter()
        .find(|e| e.action == "connection.delete")
        .unwrap();
    assert_eq!(event.request_id.as_deref(), Some("req-delete"));
    assert_eq!(event.target, Some(format!("connection:{gone}")));
    assert_eq!(event.detail.0["credentials_destroyed"], FIELDS as u64);

    // Deleting again, or another tenant deleting, finds nothing and records nothing.
    let other = tenant(&store).await;
    for (who, c) in [(t, gone), (other, kept)] {
        let err = app
            .delete_connection(who, c, &ctx("again"))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound("connection")), "{err:?}");
    }
    assert_eq!(store.get_credentials(t, kept).await.unwrap().len(), FIELDS);
    let deletes = audit_actions(&store, t)
        .await
        .iter()
        .filter(|a| *a == "connection.delete")
        .count();
    assert_eq!(deletes, 1);
}

// ---- audit -----------------------------------------------------------------------------

async fn every_open_is_audited_without_the_secret(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let app = app(&store, ring(&[&entry(1)], None, None), NO_CACHE);
    let t = tenant(&store).await;
    let c = connection(&store, t).await;
    let secret = "audit-canary-5b1e0c";
    let creds = Credentials::new()
        .with(CredentialField::Email, "agent@example.invalid")
        .with(CredentialField::ApiToken, secret);
    app.put_credentials(t, c, &creds, &ctx("req-write"))
        .await
        .unwrap();
    for (n, purpose) in [
        CredentialPurpose::UpstreamRequest,
        CredentialPurpose::TokenRefresh,
        CredentialPurpose::ConnectionCheck,
    ]
    .into_iter()
    .enumerate()
    {
        let opened = app
            .credentials(t, c, purpose, &ctx(&format!("req-open-{n}")))
            .await
            .unwrap();
        assert_eq!(value(&opened, CredentialField::ApiToken), secret);
    }
    let audit = store.recent_audit(t, 100).await.unwrap();
    let opens: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "credential.open")
        .collect();
    assert_eq!(opens.len(), 3);
    for (n, purpose) in ["upstream_request", "token_refresh", "connection_check"]
        .iter()
        .enumerate()
    {
        let event = opens
            .iter()
            .find(|e| e.request_id.as_deref() == Some(&format!("req-open-{n}")))
            .unwrap();
        assert_eq!(event.tenant_id, Some(t.as_uuid()));
        assert_eq!(event.target, Some(format!("connection:{c}")));
        assert_eq!(event.detail.0["purpose"], *purpose);
        assert_eq!(event.detail.0["sealed_for"], "connection_credential");
        assert_eq!(
            event.detail.0["fields"],
            serde_json::json!(["api_token", "email"])
        );
    }
    let everything = format!("{audit:?}");
    assert!(!everything.contains(secret));
    assert!(!everything.contains("agent@example.invalid"));
    assert!(audit.iter().any(|e| e.action == "credential.write"));
}

// ---- cache -----------------------------------------------------------------------------

async fn the_cache_serves_repeat_reads_and_is_invalidated_on_write_and_delete(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let app = app(&store, ring(&[&entry(1)], None, None), CACHE);
    let t = tenant(&store).await;
    let c = connection(&store, t).await;
    let opens = || async {
        audit_actions(&store, t)
            .await
            .iter()
            .filter(|a| *a == "credential.open")
            .count()
    };
    let read_ctx = ctx("read");
    let read = || app.credentials(t, c, CredentialPurpose::UpstreamRequest, &read_ctx);

    app.put_credentials(t, c, &four_fields("one"), &ctx("w"))
        .await
        .unwrap();
    assert_eq!(
        value(&read().await.unwrap(), CredentialField::AccessToken),
        "one-access"
    );
    assert_eq!(
        value(&read().await.unwrap(), CredentialField::AccessToken),
        "one-access"
    );
    assert_eq!(opens().await, 1, "the second read is a cache hit");

    app.put_credentials(t, c, &four_fields("two"), &ctx("w"))
        .await
        .unwrap();
    assert_eq!(
        value(&read().await.unwrap(), CredentialField::AccessToken),
        "two-access"
    );
    assert_eq!(opens().await, 2, "a write invalidates");

    // A smaller set replaces the whole set.
    let only_token = Credentials::new().with(CredentialField::AccessToken, "three-access");
    app.put_credentials(t, c, &only_token, &ctx("w"))
        .await
        .unwrap();
    let creds = read().await.unwrap();
    assert_eq!(
        creds.fields().collect::<Vec<_>>(),
        [CredentialField::AccessToken]
    );

    app.delete_connection(t, c, &ctx("d")).await.unwrap();
    assert!(matches!(
        read().await.unwrap_err(),
        AppError::NotFound("connection")
    ));
}

// ---- boot check ------------------------------------------------------------------------

async fn boot_refuses_a_wrong_key_and_a_missing_version(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let (v1, v2) = (entry(1), entry(2));

    // The first boot records version 1's check value; booting again with it is fine.
    app(&store, ring(&[&v1], None, None), CACHE)
        .check_vault_keys()
        .await
        .unwrap();
    app(&store, ring(&[&v1], None, None), CACHE)
        .check_vault_keys()
        .await
        .unwrap();

    // Another key under version 1: a wrong key.
    let err = app(&store, ring(&[&entry(1)], None, None), CACHE)
        .check_vault_keys()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(&err, KeyCheckError::Keys(KeyRingError::KeyCheckFailed { mismatched, .. }) if mismatched == &[1]),
        "{err:?}"
    );
    assert!(message.contains("wrong key"), "{message}");

    // Version 2 added (recorded), then version 1 dropped without raising the minimum.
    app(&store, ring(&[&v1, &v2], Some("1"), None), CACHE)
        .check_vault_keys()
        .await
        .unwrap();
    let err = app(&store, ring(&[&v2], None, None), CACHE)
        .check_vault_keys()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains(
            "key versions [1] are recorded in the database but missing from the key ring"
        ),
        "{message}"
    );
    // Retired properly: the minimum is above the missing version.
    app(&store, ring(&[&v2], None, Some("2")), CACHE)
        .check_vault_keys()
        .await
        .unwrap();

    // Two replicas booting with different keys for a new version 3: the second refuses.
    let (first, second) = (entry(3), entry(3));
    app(&store, ring(&[&v2, &first], Some("2"), Some("2")), CACHE)
        .check_vault_keys()
        .await
        .unwrap();
    let err = app(&store, ring(&[&v2, &second], Some("2"), Some("2")), CACHE)
        .check_vault_keys()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("wrong key"), "{err}");
    // No message names a key.
    for key in [&v1, &v2, &first, &second] {
        let (_, base64) = key.split_once(':').unwrap();
        assert!(!err.to_string().contains(base64));
    }
}

// ---- log canary ------------------------------------------------------------------------

async fn trace_logs_of_every_vault_flow_contain_no_secret(backend: Backend) {
    let canaries = [
        "canary-api-token-3f9d1c0e",
        "canary-refresh-77ab42d1",
        "canary-access-0c5e9f13",
        "canary-client-secret-a4e8",
        "canary-user@example.invalid",
    ];
    let (captured, subscriber) = Captured::trace_subscriber();

    let db = TestDb::new(backend).await;
    let flows = async {
        let store = db.store().await;
        let (v1, v2) = (entry(1), entry(2));
        let old = app(&store, ring(&[&v1], None, None), CACHE);
        old.check_vault_keys().await.unwrap();
        let t = tenant(&store).await;
        let (c, other) = (connection(&store, t).await, connection(&store, t).await);
        let token = Credentials::new()
            .with(CredentialField::Email, canaries[4])
            .with(CredentialField::ApiToken, canaries[0]);
        let oauth = Credentials::new()
            .with(CredentialField::AccessToken, canaries[2])
            .with(CredentialField::RefreshToken, canaries[1])
            .with(CredentialField::ClientSecret, canaries[3]);
        old.put_credentials(t, c, &token, &ctx("w1")).await.unwrap();
        old.put_credentials(t, other, &oauth, &ctx("w2"))
            .await
            .unwrap();
        for _ in 0..2 {
            let creds = old
                .credentials(t, c, CredentialPurpose::UpstreamRequest, &ctx("r"))
                .await
                .unwrap();
            tracing::trace!(?creds, "credentials in hand");
        }
        // Rotation: a new active key, a re-wrap, reads after it.
        let new = app(&store, ring(&[&v1, &v2], Some("2"), None), CACHE);
        new.check_vault_keys().await.unwrap();
        let report = new
            .rewrap_credentials(1, &RequestContext::operator())
            .await
            .unwrap();
        assert_eq!(report.rewrapped, 5);
        new.put_credentials(t, c, &oauth, &ctx("w3")).await.unwrap();
        new.credentials(t, other, CredentialPurpose::TokenRefresh, &ctx("r2"))
            .await
            .unwrap();
        // A failed open: a blob moved to another connection.
        let moved = store.get_credentials(t, other).await.unwrap();
        store
            .put_credential(t, c, "refresh_token", &moved[0].sealed, 2, Utc::now())
            .await
            .unwrap();
        let cold = app(&store, ring(&[&v1, &v2], Some("2"), None), NO_CACHE);
        let err = cold
            .credentials(t, c, CredentialPurpose::UpstreamRequest, &ctx("r3"))
            .await
            .unwrap_err();
        tracing::error!(error = %err, debug = ?err, "open failed as expected");
        // A wrong key at boot, and crypto-shredding.
        let wrong = app(&store, ring(&[&entry(1)], None, None), CACHE);
        let err = wrong.check_vault_keys().await.unwrap_err();
        tracing::error!(error = %err, "boot refused as expected");
        new.delete_connection(t, other, &ctx("d")).await.unwrap();
        new.delete_connection(t, c, &ctx("d")).await.unwrap();
        tracing::info!(?new, ?token, ?oauth, "flows done");
        let audit = format!("{:?}", store.recent_audit(t, 1000).await.unwrap());
        (audit, [v1, v2])
    };
    let (audit, keys) = flows.with_subscriber(subscriber).await;

    let logs = captured.text();
    let mut found = 0;
    for canary in canaries {
        found += logs.matches(canary).count() + audit.matches(canary).count();
    }
    for key in &keys {
        let (_, base64) = key.split_once(':').unwrap();
        found += logs.matches(base64).count();
    }
    println!(
        "log canary [{backend:?}]: {} bytes of TRACE logs and {} bytes of audit log, {found} canary occurrences",
        logs.len(),
        audit.len()
    );
    assert!(logs.contains("credentials opened"), "the flows were logged");
    assert!(logs.contains("credential failed to open"));
    assert!(logs.contains("connection deleted, credentials destroyed"));
    assert_eq!(found, 0, "a secret reached the logs");
}

async fn a_tenants_oauth_client_secret_is_rewrapped_and_bound_to_its_tenant(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let (v1, v2) = (entry(1), entry(2));
    let old = app(&store, ring(&[&v1], None, None), NO_CACHE);
    old.check_vault_keys().await.unwrap();
    let (a, b) = (tenant(&store).await, tenant(&store).await);
    let secret = "oauth-client-secret-canary";
    old.put_oauth_app(
        a,
        "zendesk",
        deskgate_app::connect::OAuthAppInput {
            client_id: "acme_connect".into(),
            client_secret: Some(SecretString::from(secret)),
            scopes: None,
        },
        &ctx("put"),
    )
    .await
    .unwrap();
    let row = store
        .oauth_app(a, deskgate_core::Provider::Zendesk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.key_version, Some(1));

    // Rotated to version 2 and re-wrapped: the secret now opens under version 2 alone.
    let new = app(&store, ring(&[&v1, &v2], Some("2"), None), NO_CACHE);
    new.check_vault_keys().await.unwrap();
    let report = new.rewrap_credentials(100, &ctx("rewrap")).await.unwrap();
    assert_eq!((report.rewrapped, report.failed), (1, 0));
    let row = store
        .oauth_app(a, deskgate_core::Provider::Zendesk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.key_version, Some(2));
    let blob = row.client_secret.unwrap();
    assert_eq!(blob_key_version(&blob).unwrap(), 2);
    let only_v2 = Vault::new(ring(&[&v2], None, None));
    let owner = |tenant: TenantId| {
        AssociatedData::new(
            deskgate_vault::Purpose::OAuthClientSecret,
            tenant.as_uuid(),
            row.id,
            "client_secret",
        )
    };
    let opened = only_v2.open(&owner(a), &blob).unwrap();
    assert_eq!(opened.expose_secret(), secret.as_bytes());
    // The same blob as another tenant's fails to open.
    assert!(only_v2.open(&owner(b), &blob).is_err());
    // A second run finds nothing left.
    let again = new.rewrap_credentials(100, &ctx("rewrap")).await.unwrap();
    assert_eq!(again.rewrapped, 0);
}
