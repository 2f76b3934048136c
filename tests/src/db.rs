use std::sync::OnceLock;

use deskgate_store::Store;
use deskgate_store::db::PoolOptions;
use sqlx::Connection;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Whether the user asked to leave a backend out (`DESKGATE_TEST_BACKENDS=sqlite`).
pub fn skip(backend: Backend) -> bool {
    let Ok(list) = std::env::var("DESKGATE_TEST_BACKENDS") else {
        return false;
    };
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    !list.split(',').any(|b| b.trim() == name)
}

/// A database of one test's own, removed when dropped.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

fn server_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned()))
}

/// The server URL with the password, if any, hidden: for messages.
fn shown_url() -> String {
    let mut u =
        url::Url::parse(server_url()).unwrap_or_else(|_| url::Url::parse(DEFAULT_URL).unwrap());
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    u.to_string()
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite:{}", dir.path().join("deskgate.db").display());
                Self {
                    url,
                    backend,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("deskgate_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(server_url()).await.unwrap_or_else(|e| {
                    panic!(
                        "the PostgreSQL half of the tests needs a server: could not connect to {} ({e}). \
                         Start PostgreSQL and set DATABASE_URL=postgres://USER@HOST:PORT/DB (the user must \
                         be allowed to create databases), or run the SQLite half alone with \
                         DESKGATE_TEST_BACKENDS=sqlite",
                        shown_url()
                    )
                });
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let _ = admin.close().await;
                let mut url = url::Url::parse(server_url()).unwrap();
                url.set_path(&name);
                Self {
                    url: url.to_string(),
                    backend,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// Runs one statement as the database owner, past row-level security: for tests that set
    /// up a state the API would not produce.
    pub async fn exec(&self, sql: &str) {
        match self.backend {
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
        }
    }

    /// A migrated store on this database.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url, PoolOptions::default())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        store
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot block on itself.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut admin) = sqlx::PgConnection::connect(server_url()).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    let _ = sqlx::query(&sql).execute(&mut admin).await;
                }
            });
        })
        .join();
    }
}
