//! PostgreSQL row-level security: the second line behind the code's own tenant checks.

use deskgate_app::RequestContext;
use deskgate_tests::{Backend, TestApp, skip};
use sqlx::Row;

/// Every table with a `tenant_id` column, and `tenants` itself, must have row-level
/// security enabled and forced, with at least one policy. A new tenant table without them
/// fails here.
#[tokio::test]
async fn every_tenant_table_has_forced_row_level_security_and_a_policy() {
    if skip(Backend::Postgres) {
        return;
    }
    let t = TestApp::spawn(Backend::Postgres).await;
    let pool = t.store.postgres_pool().unwrap();
    let rows = sqlx::query(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                (SELECT count(*) FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname) AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           AND (c.relname = 'tenants' OR EXISTS (
                SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
         ORDER BY c.relname",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut checked = Vec::new();
    for row in &rows {
        let name: String = row.get("relname");
        assert!(
            row.get::<bool, _>("relrowsecurity"),
            "{name}: row level security is not enabled"
        );
        assert!(
            row.get::<bool, _>("relforcerowsecurity"),
            "{name}: row level security is not forced"
        );
        assert!(row.get::<i64, _>("policies") > 0, "{name}: no policy");
        checked.push(name);
    }
    for table in [
        "api_keys",
        "audit_log",
        "connections",
        "credentials",
        "tenants",
    ] {
        assert!(
            checked.iter().any(|c| c == table),
            "{table} was not checked: {checked:?}"
        );
    }
}

/// As an ordinary role (not the superuser the tests connect as), a transaction scoped to
/// tenant A sees A's rows only, and one with no scope sees nothing.
#[tokio::test]
async fn row_level_security_hides_other_tenants_rows_from_an_ordinary_role() {
    if skip(Backend::Postgres) {
        return;
    }
    let t = TestApp::spawn(Backend::Postgres).await;
    let (a, _) = t
        .app
        .create_tenant("a", &RequestContext::operator())
        .await
        .unwrap();
    let (b, _) = t
        .app
        .create_tenant("b", &RequestContext::operator())
        .await
        .unwrap();
    t.app
        .create_api_key(b.id, "second", None, &RequestContext::operator())
        .await
        .unwrap();
    let pool = t.store.postgres_pool().unwrap();
    // Roles are per cluster; tolerate a concurrent test creating the same one.
    let _ = sqlx::query(
        "DO $$ BEGIN CREATE ROLE deskgate_rls_probe NOLOGIN; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
    )
    .execute(pool)
    .await;
    sqlx::query(
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO deskgate_rls_probe",
    )
    .execute(pool)
    .await
    .unwrap();

    let count = |scope_sql: &'static str, tenant: Option<String>| async move {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("SET LOCAL ROLE deskgate_rls_probe")
            .execute(&mut *tx)
            .await
            .unwrap();
        if let Some(id) = tenant {
            sqlx::query(scope_sql)
                .bind(id)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM api_keys")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        let tenants: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        (keys, tenants)
    };
    let scope = "SELECT set_config('app.tenant_id', $1, true)";
    assert_eq!(count(scope, Some(a.id.to_string())).await, (1, 1));
    assert_eq!(count(scope, Some(b.id.to_string())).await, (2, 1));
    assert_eq!(count(scope, None).await, (0, 0));

    // A write for another tenant is refused by the policy's check.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE deskgate_rls_probe")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(scope)
        .bind(a.id.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = sqlx::query("INSERT INTO api_keys (id, tenant_id, name, digest, created_at) VALUES ('x', $1, 'n', '\\x00', now())")
        .bind(b.id.as_uuid())
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
}
