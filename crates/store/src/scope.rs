//! Whose rows a transaction may touch.
//!
//! On PostgreSQL every tenant table has row-level security; a transaction first sets
//! `app.tenant_id` and `app.scope` (transaction-local), so even a query that forgot its
//! `WHERE tenant_id = …` sees only that tenant's rows. SQLite has no such feature and relies on
//! the queries alone, which name the tenant in every statement either way.

use deskgate_core::TenantId;
use sqlx::{PgConnection, Postgres, Transaction};

/// The row-level security scope of one transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One tenant's rows.
    Tenant(TenantId),
    /// Operator tasks that span tenants: tenant administration, key re-wrapping.
    Operator,
    /// Reading one API key by id to learn its tenant.
    Authenticate,
}

pub(crate) async fn enter_pg(conn: &mut PgConnection, scope: Scope) -> Result<(), sqlx::Error> {
    let (tenant, name) = match scope {
        Scope::Tenant(t) => (t.to_string(), "tenant"),
        Scope::Operator => (String::new(), "operator"),
        Scope::Authenticate => (String::new(), "authenticate"),
    };
    sqlx::query("SELECT set_config('app.tenant_id', $1, true), set_config('app.scope', $2, true)")
        .bind(tenant)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) type PgTx = Transaction<'static, Postgres>;

/// Runs `$body` with `$conn` bound to a connection of either backend inside one transaction,
/// in the given [`Scope`] (on SQLite, one that holds the write lock from its start). The body is expanded once per backend, so the same query text and
/// bindings serve both; SQL is written with `$n` placeholders, which SQLite accepts too.
macro_rules! scoped {
    ($store:expr, $scope:expr, |$conn:ident| $body:expr) => {{
        match &$store.db {
            $crate::db::Db::Postgres(pool) => {
                let mut tx: $crate::scope::PgTx = pool.begin().await?;
                $crate::scope::enter_pg(&mut tx, $scope).await?;
                let out = {
                    let $conn = &mut *tx;
                    $body
                };
                tx.commit().await?;
                out
            }
            $crate::db::Db::Sqlite(pool) => {
                // IMMEDIATE: the write lock is taken (or waited for, up to the busy timeout)
                // at the start. A deferred transaction that reads and then writes fails at
                // once with SQLITE_BUSY when another connection wrote in between, and the
                // background syncs and delivery workers write often.
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = {
                    let $conn = &mut *tx;
                    $body
                };
                tx.commit().await?;
                out
            }
        }
    }};
}
