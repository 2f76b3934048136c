use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::Utc;
use deskgate_core::{
    ByteStream, ConnectionId, Connector, ConnectorError, PagePart, PageRequest, PageStream,
    PassthroughRequest, PassthroughResponse, TenantId,
};
use futures_core::Stream;
use futures_util::StreamExt;

use crate::connections::model::Connection;
use crate::connections::{refresh, registry};
use crate::credentials::{CredentialPurpose, Credentials};
use crate::limits::CallPermit;
use crate::{App, AppError, RequestContext, cursor};
use deskgate_core::ConnectionStatus;

/// Which list a page belongs to (its resource and filters, as a string) and the caller's
/// cursor into it, if any.
#[derive(Clone, Copy, Debug)]
pub struct ListAt<'a> {
    pub scope: &'a str,
    pub cursor: Option<&'a str>,
}

/// Whose call a connector makes: a tenant's (its connector is kept between calls), or a
/// sync's, through the engine that spends the sync's share of the budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lane {
    Call,
    Sync,
}

impl App {
    /// The connection's connector, with credentials renewed first when they are about to
    /// expire. A connection that needs reauthorization answers so without calling anyone.
    pub(crate) async fn connector(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        ctx: &RequestContext,
    ) -> Result<(Connection, Arc<dyn Connector>), AppError> {
        let connection = self.connection_for_call(tenant, id).await?;
        self.connector_of(connection, ctx, Lane::Call).await
    }

    /// [`App::connector`] for a connection's sync: its calls are background work, at the
    /// sync's share of the account's budget.
    pub(crate) async fn sync_connector(
        &self,
        connection: Connection,
        ctx: &RequestContext,
    ) -> Result<(Connection, Arc<dyn Connector>), AppError> {
        self.connector_of(connection, ctx, Lane::Sync).await
    }

    /// The connection's row for a call: from the row cache when a call read it a moment
    /// ago, otherwise from the database. Only rows without a token expiry are cached: for an
    /// expiring token, the row is what tells replicas that another one renewed it (and that
    /// the token this replica holds may be dead), so it is read on every call.
    pub(crate) async fn connection_for_call(
        &self,
        tenant: TenantId,
        id: ConnectionId,
    ) -> Result<Connection, AppError> {
        if let Some(connection) = self.connection_cache().get(tenant, id).await {
            return Ok(connection);
        }
        let seen = self.connection_cache().generation();
        let connection = self.connection(tenant, id).await?;
        if connection.token_expires_at.is_none() {
            self.connection_cache().insert(&connection, seen).await;
        }
        Ok(connection)
    }

    /// [`App::connector`] for a connection row already read.
    async fn connector_of(
        &self,
        connection: Connection,
        ctx: &RequestContext,
        lane: Lane,
    ) -> Result<(Connection, Arc<dyn Connector>), AppError> {
        if connection.status == ConnectionStatus::NeedsReauth {
            return Err(AppError::NeedsReauth {
                hint: connection
                    .status_detail
                    .clone()
                    .unwrap_or_else(|| "reconnect the account".into()),
            });
        }
        let (connection, creds) = if refresh::due(&connection, Utc::now()) {
            self.renew(connection, ctx).await?
        } else {
            let creds = self.current_credentials(&connection, ctx).await?;
            (connection, creds)
        };
        let kept = match lane {
            Lane::Call => self.connectors().get(&connection, &creds).await,
            Lane::Sync => None,
        };
        if let Some(connector) = kept {
            return Ok((connection, connector));
        }
        let upstream = match lane {
            Lane::Call => self.upstream(),
            Lane::Sync => self.sync_upstream(),
        };
        let cid = connection.id.to_string();
        let connector = registry::spec_of(&connection)?
            .connector(upstream, &registry::stored(&connection, &creds, &cid))
            .map_err(|e| AppError::Internal(format!("connection {}: {e}", connection.id)))?;
        if lane == Lane::Call {
            self.connectors()
                .insert(&connection, &creds, &connector)
                .await;
        }
        Ok((connection, connector))
    }

    /// The connection's credentials as of its current row: a cached copy opened before the
    /// row last changed (another replica renewed the token) is dropped and opened again.
    pub(crate) async fn current_credentials(
        &self,
        connection: &Connection,
        ctx: &RequestContext,
    ) -> Result<Arc<Credentials>, AppError> {
        let current =
            self.credential_stamps().get(&connection.id).await == Some(connection.updated_at);
        if !current {
            self.credential_cache()
                .invalidate(connection.tenant_id, connection.id)
                .await;
        }
        let creds = self
            .credentials(
                connection.tenant_id,
                connection.id,
                CredentialPurpose::UpstreamRequest,
                ctx,
            )
            .await?;
        if !current {
            // Written only when it changes: a cache write on every call costs more than the
            // rest of this lookup.
            self.credential_stamps()
                .insert(connection.id, connection.updated_at)
                .await;
        }
        Ok(creds)
    }

    /// Runs one connector operation for the tenant. A vendor 401 marks the connection
    /// `needs_reauth`; every other vendor error comes back as [`AppError::Upstream`]. With
    /// the connection's cap of calls in flight reached, nothing is sent:
    /// [`AppError::ConnectionBusy`].
    pub async fn call<T, F, Fut>(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        ctx: &RequestContext,
        op: F,
    ) -> Result<T, AppError>
    where
        F: FnOnce(Arc<dyn Connector>) -> Fut,
        Fut: Future<Output = Result<T, ConnectorError>>,
    {
        Ok(self.held_call(tenant, id, ctx, op).await?.0)
    }

    /// [`App::call`], handing back the connection's call slot with the result, for a result
    /// still being read (a body that streams).
    async fn held_call<T, F, Fut>(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        ctx: &RequestContext,
        op: F,
    ) -> Result<(T, Option<CallPermit>), AppError>
    where
        F: FnOnce(Arc<dyn Connector>) -> Fut,
        Fut: Future<Output = Result<T, ConnectorError>>,
    {
        let connection = self.connection_for_call(tenant, id).await?;
        // Held until the call is over, however it ends; taken once the row says the
        // connection is this tenant's, so that another tenant's id takes no slot.
        let permit = self.call_permit(id)?;
        let (_, connector) = self.connector_of(connection, ctx, Lane::Call).await?;
        match op(connector).await {
            Ok(v) => Ok((v, permit)),
            Err(e) => Err(self.vendor_error(tenant, id, e).await),
        }
    }

    /// Sends a passthrough request. It returns once the vendor's head has arrived; the
    /// connection's call slot is held until its body has been read or dropped.
    pub async fn passthrough(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        ctx: &RequestContext,
        request: PassthroughRequest,
    ) -> Result<PassthroughResponse, AppError> {
        let (answer, permit) = self
            .held_call(
                tenant,
                id,
                ctx,
                |c| async move { c.passthrough(request).await },
            )
            .await?;
        let PassthroughResponse {
            status,
            headers,
            body,
        } = answer;
        let declared = body.declared_len();
        let body = body.map(move |chunk| {
            // Held as long as the body.
            let _held = &permit;
            chunk
        });
        Ok(PassthroughResponse {
            status,
            headers,
            body: ByteStream::new(body, declared),
        })
    }

    pub(crate) async fn vendor_error(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        e: ConnectorError,
    ) -> AppError {
        match e {
            ConnectorError::Unauthorized { hint } => {
                if let Err(mark) = self.mark_needs_reauth(tenant, id, &hint).await {
                    return mark;
                }
                AppError::NeedsReauth { hint }
            }
            other => AppError::Upstream(other),
        }
    }

    /// Lists one page, the records handed over as the vendor's answer is read. `at.scope`
    /// names the list (resource and filters): a cursor is accepted only by the list and
    /// connection that issued it, and a refused cursor never reaches the vendor. It returns
    /// once the vendor's status is known, so every refusal (the cursor, the
    /// connection, the vendor's status) is still an error here; what fails after it (the
    /// answer breaks off or stops parsing) ends the stream with an error. The connection's
    /// call slot is held until the stream ends or is dropped.
    pub async fn list_streamed<T, Flt, F, Fut>(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        ctx: &RequestContext,
        at: ListAt<'_>,
        mut request: PageRequest<Flt>,
        op: F,
    ) -> Result<ListedStream<T>, AppError>
    where
        T: Send + 'static,
        F: FnOnce(Arc<dyn Connector>, PageRequest<Flt>) -> Fut,
        Fut: Future<Output = Result<PageStream<T>, ConnectorError>>,
    {
        // The connection first (another tenant's id is a 404 whatever the cursor), then the
        // cursor, before anything can reach the vendor (a token renewal included).
        let connection = self.connection_for_call(tenant, id).await?;
        request.cursor = at
            .cursor
            .map(|c| cursor::open(self.vault(), id, at.scope, c))
            .transpose()?;
        let permit = self.call_permit(id)?;
        let (_, connector) = self.connector_of(connection, ctx, Lane::Call).await?;
        let parts = match op(connector, request).await {
            Ok(parts) => parts,
            Err(e) => return Err(self.vendor_error(tenant, id, e).await),
        };
        let app = self.clone();
        let scope = at.scope.to_owned();
        Ok(Box::pin(parts.map(move |part| {
            // Held as long as the stream.
            let _held = &permit;
            match part {
                Ok(PagePart::Item(item)) => Ok(ListPart::Item(item)),
                Ok(PagePart::End { next }) => Ok(ListPart::End {
                    next_cursor: next
                        .map(|v| cursor::seal(app.vault(), id, &scope, &v))
                        .transpose()?,
                }),
                // The status was a success, so no error here is about the credentials.
                Err(e) => Err(AppError::Upstream(e)),
            }
        })))
    }
}

/// One part of a streamed page, its cursor sealed for the caller.
#[derive(Debug)]
pub enum ListPart<T> {
    Item(T),
    End { next_cursor: Option<String> },
}

/// A page streamed to the caller: items, then `End`; an error ends it early.
pub type ListedStream<T> = Pin<Box<dyn Stream<Item = Result<ListPart<T>, AppError>> + Send>>;
