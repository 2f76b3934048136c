/// What went wrong in the store, classified by what the caller can do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write.
    #[error("a record with the same key already exists")]
    Conflict,
    /// A foreign key refused the write: the record it refers to (a connection, a tenant)
    /// does not exist, or belongs to another tenant.
    #[error("the referenced record does not exist")]
    MissingReference,
    /// A single-use record (a connect session) was spent, revoked or expired meanwhile.
    #[error("the session was spent, revoked or expired meanwhile")]
    Gone,
    /// The database cannot be reached or is going away (no connection within the pool's
    /// acquire timeout, refused or reset connections, a server shutting down, too many
    /// clients, SQLite's lock held past its busy timeout). Nothing this call did was
    /// committed; the same call may succeed once the database is back.
    #[error("the database is unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// The database URL or options are wrong.
    #[error("invalid database configuration: {0}")]
    Config(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::MissingReference
            }
            _ if crate::availability::is_unavailable(&e) => StoreError::Unavailable(e),
            _ => StoreError::Database(e),
        }
    }
}
