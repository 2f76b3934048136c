//! Looking up a connection's credentials: from the cache, and uncached (read two sealed rows
//! from a temporary SQLite database, open them, append the audit record of the open).

use std::hint::black_box;
use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use deskgate_app::credentials::{CredentialField, CredentialPurpose, Credentials};
use deskgate_app::{App, AppSettings, RequestContext};
use deskgate_core::{ConnectionId, TenantId};
use deskgate_store::Store;
use deskgate_store::connections::ConnectionRecord;
use deskgate_store::db::PoolOptions;
use deskgate_store::tenants::Tenant;
use deskgate_vault::{KeyRing, Vault, generate_key_file};

/// Two apps over one store and one key: one caching opened credentials, one not.
fn apps(store: &Store) -> (App, App) {
    let key_file = generate_key_file().expect("a key is generated");
    let app = |cache_ttl| {
        let ring = KeyRing::from_key_file(&key_file).expect("the generated key file loads");
        App::new(
            store.clone(),
            Vault::new(ring),
            AppSettings {
                credential_cache_ttl: cache_ttl,
                ..AppSettings::default()
            },
        )
        .expect("building the app")
    };
    (app(Duration::from_secs(3600)), app(Duration::ZERO))
}

/// A tenant with one connection holding an OAuth token pair of about 200 bytes.
async fn seed(store: &Store, app: &App) -> (TenantId, ConnectionId) {
    let now = Utc::now();
    let tenant = TenantId::new();
    store
        .insert_tenant(&Tenant {
            id: tenant,
            name: "bench".into(),
            created_at: now,
        })
        .await
        .expect("tenant inserted");
    let connection = ConnectionId::new();
    store
        .insert_connection(&ConnectionRecord {
            id: connection,
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
        .expect("connection inserted");
    let credentials = Credentials::new()
        .with(CredentialField::AccessToken, "a".repeat(100))
        .with(CredentialField::RefreshToken, "r".repeat(100));
    app.put_credentials(
        tenant,
        connection,
        &credentials,
        &RequestContext::operator(),
    )
    .await
    .expect("credentials written");
    (tenant, connection)
}

fn lookups(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime starts");
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let (cached, uncached, tenant, connection) = rt.block_on(async {
        let store = Store::connect(&url, PoolOptions::default())
            .await
            .expect("database opens");
        store.migrate().await.expect("migrations apply");
        let (cached, uncached) = apps(&store);
        let (tenant, connection) = seed(&store, &cached).await;
        (cached, uncached, tenant, connection)
    });
    let ctx = RequestContext::operator();
    let purpose = CredentialPurpose::UpstreamRequest;
    let lookup = |app: &App| {
        let creds = rt
            .block_on(app.credentials(tenant, connection, purpose, &ctx))
            .expect("credentials open");
        black_box(creds);
    };

    let mut group = c.benchmark_group("credentials");
    group.bench_function("cached_lookup", |b| b.iter(|| lookup(&cached)));
    group.bench_function("uncached_lookup_sqlite", |b| b.iter(|| lookup(&uncached)));
    group.finish();
}

criterion_group!(benches, lookups);
criterion_main!(benches);
