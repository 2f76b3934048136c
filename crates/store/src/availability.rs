//! Which database errors mean "the database is not there right now" rather than "this query
//! is wrong": the first are answered as a temporary outage, the second as our fault.

/// Whether `e` says the database could not be reached or went away while it was used.
pub(crate) fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| unavailable_code(&code)),
        _ => false,
    }
}

/// PostgreSQL's SQLSTATEs of a server that is unreachable, shutting down or full, and
/// SQLite's busy and locked codes (a lock held past the busy timeout).
fn unavailable_code(code: &str) -> bool {
    // Class 08: connection exceptions.
    code.starts_with("08")
        || matches!(
            code,
            // admin_shutdown ("terminating connection due to administrator command"),
            // crash_shutdown, cannot_connect_now (starting up or shutting down),
            // database_dropped.
            "57P01" | "57P02" | "57P03" | "57P04"
            // too_many_connections.
            | "53300"
            // SQLITE_BUSY, SQLITE_LOCKED and their extended codes.
            | "5" | "6" | "261" | "517" | "773" | "262"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_timeout_and_a_reset_connection_are_outages() {
        assert!(is_unavailable(&sqlx::Error::PoolTimedOut));
        assert!(is_unavailable(&sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionReset
        ))));
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
    }

    #[test]
    fn a_server_shutting_down_is_an_outage_and_a_wrong_query_is_not() {
        for code in ["57P01", "57P02", "57P03", "08006", "08001", "53300", "5"] {
            assert!(unavailable_code(code), "{code}");
        }
        for code in ["42P01", "23505", "40001", "22P02", "1"] {
            assert!(!unavailable_code(code), "{code}");
        }
    }
}
