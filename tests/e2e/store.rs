//! Store invariants that hold on both backends.

use chrono::Utc;
use deskgate_app::RequestContext;
use deskgate_core::ConnectionId;
use deskgate_store::audit::AuditEvent;
use deskgate_store::connections::ConnectionRecord;
use deskgate_tests::{Backend, TestApp, backends};

backends!(
    audit_log_is_append_only,
    deleting_a_connection_deletes_its_sealed_credentials,
    a_database_a_newer_release_migrated_still_opens_and_serves
);

async fn audit_log_is_append_only(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let (tenant, _) = t
        .app
        .create_tenant("acme", &RequestContext::operator())
        .await
        .unwrap();
    t.store
        .append_audit(&AuditEvent {
            tenant_id: Some(tenant.id),
            at: Utc::now(),
            actor: "operator".into(),
            action: "test.event".into(),
            target: None,
            request_id: None,
            detail: serde_json::json!({"n": 1}),
        })
        .await
        .unwrap();
    let url = t.db.url.clone();
    for sql in [
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
    ] {
        let err = match backend {
            Backend::Postgres => {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap_err()
            }
            Backend::Sqlite => {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap_err()
            }
        };
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let events = t.store.recent_audit(tenant.id, 10).await.unwrap();
    assert!(events.iter().any(|e| e.action == "test.event"));
    assert!(events.iter().all(|e| e.action != "forged"));
}

async fn deleting_a_connection_deletes_its_sealed_credentials(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let (tenant, _) = t
        .app
        .create_tenant("acme", &RequestContext::operator())
        .await
        .unwrap();
    let (other, _) = t
        .app
        .create_tenant("other", &RequestContext::operator())
        .await
        .unwrap();
    let now = Utc::now();
    let conn = ConnectionRecord {
        id: ConnectionId::new(),
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
    t.store.insert_connection(&conn).await.unwrap();
    t.store
        .put_credential(tenant.id, conn.id, "api_token", b"sealed-bytes", 1, now)
        .await
        .unwrap();
    t.store
        .put_credential(tenant.id, conn.id, "api_token", b"sealed-again", 1, now)
        .await
        .unwrap();
    let creds = t.store.get_credentials(tenant.id, conn.id).await.unwrap();
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0].revision, 2);
    assert_eq!(creds[0].sealed, b"sealed-again");

    // Another tenant can neither read nor delete it.
    assert!(
        t.store
            .get_credentials(other.id, conn.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        t.store
            .get_connection(other.id, conn.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(!t.store.delete_connection(other.id, conn.id).await.unwrap());

    assert!(t.store.delete_connection(tenant.id, conn.id).await.unwrap());
    assert!(
        t.store
            .get_credentials(tenant.id, conn.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        t.store
            .get_connection(tenant.id, conn.id)
            .await
            .unwrap()
            .is_none()
    );
}

/// A rolling upgrade runs the new release's migrations while this one still serves: a replica
/// of this release that starts (or restarts) then must open the database, whose schema only
/// grew. Played here with a migration this release does not know.
async fn a_database_a_newer_release_migrated_still_opens_and_serves(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    // An empty checksum: the literal is bytea on PostgreSQL and a blob-compatible text on
    // SQLite, and this release never reads it.
    t.db.exec("CREATE TABLE newer_release_things (id bigint PRIMARY KEY)")
        .await;
    t.db.exec(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990001, 'a newer release', true, '', 1)",
    )
    .await;
    // A replica starting: it applies its own migrations (none pending) and serves.
    let restarted = t.db.store().await;
    restarted.migrate().await.unwrap();
    restarted.ping().await.unwrap();
    let tenant = t.tenant("acme").await;
    let answer = t.get("/v1/connections", &tenant.key).send().await.unwrap();
    assert_eq!(answer.status(), 200);
}
