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
    /// The database URL or options are wrong.
    #[error("invalid database configuration: {0}")]
    Config(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database cannot be reached right now (no connection within the pool's timeout, a
    /// connection lost, the server shutting down or starting): worth retrying later.
    #[error("the database is unavailable: {0}")]
    Unavailable(sqlx::Error),
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
            _ if unavailable(&e) => StoreError::Unavailable(e),
            _ => StoreError::Database(e),
        }
    }
}

/// Whether `e` says the database is out of reach rather than that the statement failed:
/// the pool gave no connection in time or is closed, the connection broke, or the server
/// answered with SQLSTATE class 08 (connection exception) or 57P01–57P03 (shutting down,
/// crashed, not accepting connections yet).
fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_out_of_reach_is_unavailable_and_a_failed_statement_is_not() {
        for e in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        ] {
            assert!(matches!(StoreError::from(e), StoreError::Unavailable(_)));
        }
        assert!(matches!(
            StoreError::from(sqlx::Error::RowNotFound),
            StoreError::Database(_)
        ));
    }
}
