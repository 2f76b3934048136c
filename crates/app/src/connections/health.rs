use chrono::{DateTime, NaiveDate, Utc};
use deskgate_core::{AccountIdentity, ConnectionId, ConnectionStatus, ConnectorError, TenantId};

use crate::connections::model::Connection;
use crate::connections::registry;
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
    /// Whether deskgate renews this connection's token before it expires (false for a
    /// token that never expires, such as Intercom's, or an API key).
    pub token_renews: bool,
    /// The upstream account's rate budget, as last learned from the vendor's headers.
    pub budget: Option<BudgetHealth>,
    /// Per-endpoint caps below the account's budget (Freshdesk's tickets list, …), as
    /// learned from the vendor's refusals.
    pub endpoint_budgets: Vec<BudgetHealth>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetHealth {
    /// `zendesk:acme`: shared by every connection to that account.
    pub key: String,
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub blocked_until: Option<DateTime<Utc>>,
    /// What the tenant's calls and the sync (background work) spent on the account, in the
    /// limit's unit, since this replica began tracking it.
    pub foreground_spent: u64,
    pub background_spent: u64,
    /// The pace this replica keeps per minute, at its share (`None` until a limit is known).
    pub paced_per_minute: Option<u32>,
    /// The live replicas the account's budget is split between (1: this one alone).
    pub replicas: u32,
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
        let (identity, problem) = self.check_now(&connection, ctx).await?;
        let deprecation = connection.deprecation();
        let spec = registry::spec_of(&connection)?;
        let mut budgets = Vec::new();
        for key in spec.connection_budget_keys(&connection.account_label, &connection.settings) {
            let state = self.upstream().budget_state(&key).await;
            budgets.push(BudgetHealth {
                key: key.as_str().to_owned(),
                limit: state.as_ref().and_then(|s| s.limit),
                remaining: state.as_ref().and_then(|s| s.remaining),
                blocked_until: state.as_ref().and_then(|s| s.blocked_until),
                foreground_spent: state.as_ref().map_or(0, |s| s.foreground_spent),
                background_spent: state.as_ref().map_or(0, |s| s.background_spent),
                paced_per_minute: state.as_ref().and_then(|s| s.paced_per_minute),
                replicas: state.map_or_else(|| self.upstream().replicas().get(), |s| s.replicas),
            });
        }
        let mut budgets = budgets.into_iter();
        // The check may have renewed the token or marked the connection: report the row as
        // it is now.
        let connection = self.connection(tenant, id).await?;
        let token_renews = spec.mode(connection.auth_kind).is_some_and(|m| m.renews);
        Ok(ConnectionHealth {
            connection,
            identity,
            problem,
            deprecated_after: deprecation.map(|d| d.after),
            migration_hint: deprecation.map(|d| d.hint),
            token_renews,
            budget: budgets.next(),
            endpoint_budgets: budgets.collect(),
        })
    }

    /// The live check: whose credentials these are, or what is wrong with them.
    async fn check_now(
        &self,
        connection: &Connection,
        ctx: &RequestContext,
    ) -> Result<(Option<AccountIdentity>, Option<ConnectorError>), AppError> {
        let (tenant, id) = (connection.tenant_id, connection.id);
        if connection.status == ConnectionStatus::NeedsReauth {
            let hint = connection
                .status_detail
                .clone()
                .unwrap_or_else(|| "reconnect the account".into());
            return Ok((None, Some(ConnectorError::Unauthorized { hint })));
        }
        // A health check is a call to the vendor like any other: it takes a slot.
        let _permit = self.call_permit(id)?;
        // Through the call path, so that a token due for renewal is renewed first.
        let (current, connector) = match self.connector(tenant, id, ctx).await {
            Ok(pair) => pair,
            Err(AppError::NeedsReauth { hint }) => {
                return Ok((None, Some(ConnectorError::Unauthorized { hint })));
            }
            Err(AppError::Upstream(e)) => return Ok((None, Some(e))),
            Err(e) => return Err(e),
        };
        drop(connector);
        let creds = self.current_credentials(&current, ctx).await?;
        let cid = id.to_string();
        let health = registry::spec_of(&current)?
            .health(self.upstream(), &registry::stored(&current, &creds, &cid))
            .await
            .map_err(|e| AppError::Internal(format!("connection {id}: {e}")))?;
        if let Some(ConnectorError::Unauthorized { hint }) = &health.problem {
            self.mark_needs_reauth(tenant, id, hint).await?;
        }
        Ok((health.identity, health.problem))
    }
}
