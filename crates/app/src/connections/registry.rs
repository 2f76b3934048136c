//! The provider registry: the one `match` on [`Provider`]. Every other path reaches a
//! vendor through the [`ProviderSpec`] it returns; adding a helpdesk adds one arm here.

use deskgate_connector::{ProviderError, ProviderSpec, Stored};
use deskgate_core::Provider;

use crate::AppError;
use crate::connections::model::Connection;
use crate::credentials::Credentials;

/// The description of `provider`, or `None` when this build has no connector for it.
pub fn spec(provider: Provider) -> Option<&'static dyn ProviderSpec> {
    match provider {
        Provider::Zendesk => Some(&deskgate_zendesk::ZENDESK),
        Provider::Freshdesk => Some(&deskgate_freshdesk::FRESHDESK),
        Provider::Intercom => Some(&deskgate_intercom::INTERCOM),
    }
}

/// Every provider this build connects to, in [`Provider::ALL`] order.
pub fn specs() -> impl Iterator<Item = &'static dyn ProviderSpec> {
    Provider::ALL.into_iter().filter_map(spec)
}

/// The names of the providers this build connects to, for error messages.
pub fn available() -> String {
    specs()
        .map(|s| s.provider().as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The description of a stored connection's provider; a connection of a provider this
/// build lacks is a fault of the deployment, not of the caller.
pub(crate) fn spec_of(connection: &Connection) -> Result<&'static dyn ProviderSpec, AppError> {
    spec(connection.provider).ok_or_else(|| {
        AppError::Internal(format!(
            "connection {} is of provider {}, which this build lacks",
            connection.id, connection.provider
        ))
    })
}

/// A stored connection as its provider reads it back.
pub(crate) fn stored<'a>(
    connection: &'a Connection,
    credentials: &'a Credentials,
    connection_id: &'a str,
) -> Stored<'a> {
    Stored {
        account_label: &connection.account_label,
        mode: connection.auth_kind,
        credentials,
        settings: &connection.settings,
        token_expires_at: connection.token_expires_at,
        connection_id,
    }
}

/// A provider's failure as the app reports it: the caller's input, the vendor's refusal
/// (`vendor` says how: a connect check, or a call), or our own fault.
pub(crate) fn provider_error(
    connection: Option<&Connection>,
    e: ProviderError,
    vendor: fn(deskgate_core::ConnectorError) -> AppError,
) -> AppError {
    match e {
        ProviderError::Invalid(f) => AppError::invalid(f.field, f.message),
        ProviderError::Vendor(e) => vendor(e),
        ProviderError::Stored(e) => AppError::Internal(match connection {
            Some(c) => format!("connection {}: {e}", c.id),
            None => e.to_string(),
        }),
    }
}
