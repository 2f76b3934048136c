use chrono::{DateTime, NaiveDate, Utc};
use deskgate_core::{AccountIdentity, ConnectionId, ConnectorError, Provider, TenantId};
use deskgate_zendesk::{ZendeskConnector, ZendeskSubdomain};

use crate::connections::model::{Connection, ConnectionStatus};
use crate::connections::providers;
use crate::{App, AppError, RequestContext};

/// What `GET /v1/connections/{id}/health` reports.
#[derive(Debug)]
pub struct ConnectionHealth {
    pub connection: Connection,
    /// Whose credentials these are, when the live check passed.
    pub identity: Option<AccountIdentity>,
    /// What is wrong, when the check failed.
    pub problem: Option<ConnectorError>,
    /// The day the credentials stop working whatever deskgate does (Zendesk API tokens).
    pub deprecated_after: Option<NaiveDate>,
    pub migration_hint: Option<&'static str>,
    /// The upstream account's rate budget, as last learned from the vendor's headers.
    pub budget: Option<BudgetHealth>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetHealth {
    /// `zendesk:acme`: shared by every connection to that account.
    pub key: String,
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub blocked_until: Option<DateTime<Utc>>,
}

impl App {
    /// Checks the connection with its vendor now and reports its auth, deadlines and rate
    /// budget. A failed check is reported, not raised; a 401 also marks the connection
    /// `needs_reauth`.
    pub async fn connection_health(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        ctx: &RequestContext,
    ) -> Result<ConnectionHealth, AppError> {
        let connection = self.connection(tenant, id).await?;
        let (identity, problem, deprecated_after, migration_hint) = match connection.provider {
            Provider::Zendesk => self.zendesk_health(&connection, ctx).await?,
            other => {
                return Err(AppError::Internal(format!(
                    "health of {other} connections is not built"
                )));
            }
        };
        let budget = self.budget_health(&connection).await;
        // The check may have renewed the token or marked the connection: report the row as
        // it is now.
        let connection = self.connection(tenant, id).await?;
        Ok(ConnectionHealth {
            connection,
            identity,
            problem,
            deprecated_after,
            migration_hint,
            budget,
        })
    }

    async fn zendesk_health(
        &self,
        connection: &Connection,
        ctx: &RequestContext,
    ) -> Result<
        (
            Option<AccountIdentity>,
            Option<ConnectorError>,
            Option<NaiveDate>,
            Option<&'static str>,
        ),
        AppError,
    > {
        let (tenant, id) = (connection.tenant_id, connection.id);
        if connection.status == ConnectionStatus::NeedsReauth {
            let hint = connection
                .status_detail
                .clone()
                .unwrap_or_else(|| "reconnect the account".into());
            let creds = self.current_credentials(connection, ctx).await?;
            let auth = providers::zendesk_input(connection, &creds)?.auth;
            return Ok((
                None,
                Some(ConnectorError::Unauthorized { hint }),
                auth.deprecated_after(),
                auth.migration_hint(),
            ));
        }
        let (current, connector) = match self.connector(tenant, id, ctx).await {
            Ok(pair) => pair,
            Err(AppError::NeedsReauth { hint }) => {
                return Ok((
                    None,
                    Some(ConnectorError::Unauthorized { hint }),
                    None,
                    None,
                ));
            }
            Err(AppError::Upstream(e)) => return Ok((None, Some(e), None, None)),
            Err(e) => return Err(e),
        };
        drop(connector);
        let creds = self.current_credentials(&current, ctx).await?;
        let input = providers::zendesk_input(&current, &creds)?;
        let health = ZendeskConnector::new(self.upstream().clone(), input)
            .with_connection_id(id.to_string())
            .health()
            .await;
        if let Some(ConnectorError::Unauthorized { hint }) = &health.problem {
            self.mark_needs_reauth(tenant, id, hint).await?;
        }
        Ok((
            health.identity,
            health.problem,
            health.deprecated_after,
            health.migration_hint,
        ))
    }

    async fn budget_health(&self, connection: &Connection) -> Option<BudgetHealth> {
        let key = match connection.provider {
            Provider::Zendesk => ZendeskSubdomain::parse(&connection.account_label)
                .ok()?
                .budget_key()
                .clone(),
            _ => return None,
        };
        let state = self.upstream().budget_state(&key).await;
        Some(BudgetHealth {
            key: key.as_str().to_owned(),
            limit: state.as_ref().and_then(|s| s.limit),
            remaining: state.as_ref().and_then(|s| s.remaining),
            blocked_until: state.and_then(|s| s.blocked_until),
        })
    }
}
