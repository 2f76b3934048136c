use deskgate_core::ConnectorError;
use deskgate_store::StoreError;

/// What went wrong, classified by what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The credentials are missing, malformed, unknown, expired or revoked. Deliberately
    /// says no more than that.
    #[error("authentication failed")]
    Unauthenticated,
    /// No such object for this tenant (also for another tenant's object).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A value the caller sent is wrong.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// A query parameter the caller sent is wrong (a list cursor this list did not issue).
    #[error("{field}: {message}")]
    InvalidQuery { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    /// The connection's credentials no longer work: a person must reconnect it. The
    /// connection is marked `needs_reauth` and stays so until it is reconnected.
    #[error("the connection needs to be reauthorized: {hint}")]
    NeedsReauth { hint: String },
    /// Connecting failed the vendor's check; nothing was stored.
    #[error("the connection check failed: {0}")]
    ConnectFailed(ConnectorError),
    /// The vendor's answer to a call on the tenant's behalf.
    #[error("{0}")]
    Upstream(ConnectorError),
    /// A write with this idempotency key is still running.
    #[error("a request with this idempotency key is still in progress")]
    IdempotencyInFlight,
    /// This idempotency key was used for a different request.
    #[error("this idempotency key was used with a different request")]
    IdempotencyMismatch,
    /// A connect session was spent, revoked or expired while this request ran.
    #[error("the connect session was used, revoked or expired meanwhile")]
    Gone,
    /// The webhook endpoint is disabled, so what was asked would wait unseen: enable it
    /// first.
    #[error("the webhook endpoint is disabled")]
    WebhookEndpointDisabled,
    /// As many calls as the cap allows are in flight through this connection on this
    /// replica; nothing was sent. Retry when one has finished.
    #[error("{limit} calls are in flight through this connection already")]
    ConnectionBusy { limit: u32 },
    /// The database cannot be reached right now; nothing was committed and the same call may
    /// succeed later. The cause is logged, never shown.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Our own fault or the database's; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn invalid_query(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::InvalidQuery {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => {
                AppError::Conflict("a record with the same key already exists".into())
            }
            StoreError::Gone => AppError::Gone,
            e @ StoreError::Unavailable(_) => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}
