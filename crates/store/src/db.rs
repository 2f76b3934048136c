//! Opening the database and applying migrations.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::StoreError;

/// The migrations of this release. Those a database holds that this release does not know,
/// a newer release's, are left alone: during a rolling upgrade the migration runs first, and
/// a replica of the release still serving must start (or restart) on the migrated schema,
/// which only ever grows (docs/operations.md, "Upgrades"). A known migration whose file
/// changed is still refused by its checksum.
static PG_MIGRATIONS: LazyLock<Migrator> =
    LazyLock::new(|| tolerant(sqlx::migrate!("../../migrations/postgres")));
static SQLITE_MIGRATIONS: LazyLock<Migrator> =
    LazyLock::new(|| tolerant(sqlx::migrate!("../../migrations/sqlite")));

fn tolerant(mut migrator: Migrator) -> Migrator {
    migrator.set_ignore_missing(true);
    migrator
}

/// Which database a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub(crate) enum Db {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// A handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
}

/// Pool settings.
#[derive(Clone, Copy, Debug)]
pub struct PoolOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

impl Store {
    /// Opens `postgres://…` or `sqlite:…` (a SQLite file is created if missing).
    pub async fn connect(url: &str, options: PoolOptions) -> Result<Self, StoreError> {
        match backend_of(url)? {
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Config(format!("database url: {e}")))?;
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(opts)
                    .await?;
                Ok(Self {
                    db: Db::Postgres(pool),
                })
            }
            Backend::Sqlite => {
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Config(format!("database url: {e}")))?
                    .create_if_missing(true)
                    .foreign_keys(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(opts)
                    .await?;
                Ok(Self {
                    db: Db::Sqlite(pool),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Postgres(_) => Backend::Postgres,
            Db::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Postgres(pool) => PG_MIGRATIONS.run(pool).await?,
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await?.rows_affected(),
            Db::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await?.rows_affected(),
        };
        Ok(())
    }

    /// The PostgreSQL pool, for tests that inspect the catalog.
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.db {
            Db::Postgres(pool) => Some(pool),
            Db::Sqlite(_) => None,
        }
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Postgres(pool) => pool.close().await,
            Db::Sqlite(pool) => pool.close().await,
        }
    }
}

/// Which backend a database URL names.
pub fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else {
        Err(StoreError::Config(
            "database url must start with postgres://, postgresql:// or sqlite:".into(),
        ))
    }
}

/// The file of a `sqlite:` URL, or `None` for PostgreSQL and for an in-memory SQLite database.
/// Reads the URL only; the file need not exist.
pub fn sqlite_file(url: &str) -> Result<Option<PathBuf>, StoreError> {
    if backend_of(url)? != Backend::Sqlite {
        return Ok(None);
    }
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(None);
    }
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Config(format!("database url: {e}")))?;
    Ok(Some(opts.get_filename().to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_file_is_read_from_the_url() {
        assert_eq!(
            sqlite_file("sqlite:deskgate.db").unwrap(),
            Some(PathBuf::from("deskgate.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/deskgate/deskgate.db?mode=rwc").unwrap(),
            Some(PathBuf::from("/var/lib/deskgate/deskgate.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:").unwrap(), None);
        assert_eq!(sqlite_file("postgres://u@h/db").unwrap(), None);
        assert!(sqlite_file("mysql://u@h/db").is_err());
    }
}
