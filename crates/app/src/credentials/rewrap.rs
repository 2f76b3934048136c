//! Re-sealing every credential (and every tenant's OAuth client secret, vendor hook secret and
//! webhook signing secret) under the active key version, while other replicas serve.
//!
//! The job walks the credentials not sealed with the active version in primary-key order, a
//! batch at a time. For each row it opens the blob with its old key and seals it with the
//! active one for the same owner, then writes it back only if the row's revision is still the
//! one it read (compare-and-swap), so a concurrent write is never overwritten. A row that lost
//! the race is read again and retried; one that was meanwhile rewritten under the active
//! version or deleted needs nothing more.

use std::fmt;

use chrono::Utc;
use deskgate_store::audit::AuditEvent;
use deskgate_store::credentials::{CredentialKey, CredentialSwap, SealedCredential};

use crate::credentials::access::owner;
use crate::{App, AppError, RequestContext};

/// How often one row is re-read and retried after losing a race to a writer.
const MAX_ATTEMPTS: u32 = 5;

/// What a re-wrap run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RewrapReport {
    /// Rows found on another key version than the active one.
    pub scanned: u64,
    /// Rows re-sealed under the active version by this run.
    pub rewrapped: u64,
    /// Rows that could not be re-sealed: they fail to open (altered, sealed below the minimum
    /// version or with a key that is not configured), or kept losing races. They are logged
    /// with their connection and field.
    pub failed: u64,
    /// Rows that needed nothing more because a writer replaced or deleted them meanwhile.
    pub superseded: u64,
}

impl fmt::Display for RewrapReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "scanned {}, rewrapped {}, failed {}",
            self.scanned, self.rewrapped, self.failed
        )
    }
}

/// What became of one row.
enum Outcome {
    Rewrapped,
    Superseded,
    Failed,
}

impl App {
    /// Re-seals every credential not sealed with the active key version, `batch_size` rows
    /// per transaction. Safe to run while this and other replicas serve traffic; running it
    /// twice at once is safe too. The run is audited with its counts.
    pub async fn rewrap_credentials(
        &self,
        batch_size: u32,
        ctx: &RequestContext,
    ) -> Result<RewrapReport, AppError> {
        let batch_size = batch_size.max(1);
        let active = self.vault().key_ring().active_version();
        let active_column = i32::try_from(active)
            .map_err(|_| AppError::Internal(format!("key version {active} is out of range")))?;
        let mut report = RewrapReport::default();
        let mut after: Option<CredentialKey> = None;
        loop {
            let rows = self
                .store()
                .list_stale_credentials(active_column, after.as_ref(), batch_size)
                .await?;
            let Some(last) = rows.last() else { break };
            after = Some(CredentialKey {
                connection_id: last.connection_id,
                field: last.field.clone(),
            });
            report.scanned += rows.len() as u64;

            let mut swaps = Vec::with_capacity(rows.len());
            for row in &rows {
                match self.rewrapped(row, active_column) {
                    Some(swap) => swaps.push(swap),
                    None => report.failed += 1,
                }
            }
            let applied = match self.store().swap_credentials(&swaps, Utc::now()).await {
                Ok(applied) => applied,
                Err(e) => {
                    // A deadlock with a writer or a busy database: retry each row alone.
                    tracing::warn!(error = %e, rows = swaps.len(), "re-wrap batch failed; retrying its rows one by one");
                    vec![false; swaps.len()]
                }
            };
            for (swap, applied) in swaps.iter().zip(applied) {
                let outcome = if applied {
                    Outcome::Rewrapped
                } else {
                    self.retry_row(swap, active_column).await
                };
                match outcome {
                    Outcome::Rewrapped => report.rewrapped += 1,
                    Outcome::Superseded => report.superseded += 1,
                    Outcome::Failed => report.failed += 1,
                }
            }
            tracing::info!(
                scanned = report.scanned,
                rewrapped = report.rewrapped,
                failed = report.failed,
                "re-wrap progress"
            );
            if rows.len() < batch_size as usize {
                break;
            }
        }
        // The tenants' OAuth client secrets are sealed by the same key ring.
        let (apps_rewrapped, apps_failed) = self.rewrap_oauth_apps().await?;
        report.rewrapped += apps_rewrapped;
        report.failed += apps_failed;
        // And the vendors' hook secrets.
        let (hooks_rewrapped, hooks_failed) = self.rewrap_hook_secrets().await?;
        report.rewrapped += hooks_rewrapped;
        report.failed += hooks_failed;
        // And the webhook endpoints' signing secrets.
        let (secrets_rewrapped, secrets_failed) = self.rewrap_webhook_secrets().await?;
        report.rewrapped += secrets_rewrapped;
        report.failed += secrets_failed;
        self.store()
            .append_audit(&AuditEvent {
                tenant_id: None,
                at: Utc::now(),
                actor: ctx.actor.to_string(),
                action: "vault.rewrap".into(),
                target: None,
                request_id: ctx.request_id.clone(),
                detail: serde_json::json!({
                    "active_version": active,
                    "scanned": report.scanned,
                    "rewrapped": report.rewrapped,
                    "failed": report.failed,
                    "superseded": report.superseded,
                }),
            })
            .await?;
        Ok(report)
    }

    /// The swap that re-seals `row` under the active key, or `None` (logged) if it cannot be
    /// opened.
    fn rewrapped(&self, row: &SealedCredential, active: i32) -> Option<CredentialSwap> {
        let owner = owner(row.tenant_id, row.connection_id, &row.field);
        match self.vault().rewrap(&owner, &row.sealed) {
            Ok(sealed) => Some(CredentialSwap {
                tenant_id: row.tenant_id,
                connection_id: row.connection_id,
                field: row.field.clone(),
                sealed,
                key_version: active,
                expected_revision: row.revision,
            }),
            Err(e) => {
                tracing::warn!(
                    tenant = %row.tenant_id,
                    connection = %row.connection_id,
                    field = %row.field,
                    key_version = row.key_version,
                    error = %e,
                    "credential cannot be re-wrapped"
                );
                None
            }
        }
    }

    /// Reads a row that lost its compare-and-swap again and re-wraps it if it still needs it.
    async fn retry_row(&self, lost: &CredentialSwap, active: i32) -> Outcome {
        for _ in 0..MAX_ATTEMPTS {
            let current = match self
                .store()
                .get_credential(lost.tenant_id, lost.connection_id, &lost.field)
                .await
            {
                Ok(Some(row)) => row,
                Ok(None) => return Outcome::Superseded,
                Err(e) => {
                    tracing::warn!(connection = %lost.connection_id, field = %lost.field, error = %e, "re-reading a credential failed");
                    continue;
                }
            };
            if current.key_version == active {
                return Outcome::Superseded;
            }
            let Some(swap) = self.rewrapped(&current, active) else {
                return Outcome::Failed;
            };
            match self.store().swap_credential(&swap, Utc::now()).await {
                Ok(true) => return Outcome::Rewrapped,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(connection = %lost.connection_id, field = %lost.field, error = %e, "re-wrapping a credential failed");
                }
            }
        }
        tracing::warn!(
            tenant = %lost.tenant_id,
            connection = %lost.connection_id,
            field = %lost.field,
            attempts = MAX_ATTEMPTS,
            "credential kept changing during re-wrap; left for the next run"
        );
        Outcome::Failed
    }
}
