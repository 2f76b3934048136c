//! The `Connector` trait: one vendor account, reached with one connection's credentials.
//!
//! The trait is object-safe so the registry can hand out `Arc<dyn Connector>`; operations a
//! vendor lacks answer [`ConnectorError::Unsupported`] by default.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use serde::Serialize;

use crate::capability::Capabilities;
use crate::changes::{ChangePage, ChangeRequest};
use crate::ids::{AccountId, ContactId, TeamId, TicketId, UserId};
use crate::model::{
    Account, Comment, Contact, NewComment, NewTicket, Tag, TagChange, Team, Ticket, TicketPatch,
    User,
};
use crate::page::{
    ContactFilter, NoFilter, Page, PageRequest, ReadOptions, TicketFilter, UserFilter,
};
use crate::provider::Provider;
use crate::stream::PageStream;

/// Who the credentials belong to, as the vendor reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountIdentity {
    /// The vendor account: a Zendesk subdomain, a Freshdesk domain, an Intercom workspace.
    pub account_label: String,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub role: Option<String>,
}

/// A field the vendor rejected, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Where in the caller's request a value the connector refused was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputPart {
    /// A path parameter (a passthrough path, a tag name in the path).
    Path,
    /// A query parameter, a list cursor included.
    Query,
    /// A field of the request body.
    Body,
}

/// What went wrong, classified by what the caller can do about it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConnectorError {
    /// The credentials no longer work; a person must reconnect.
    #[error("the vendor rejected the credentials: {hint}")]
    Unauthorized { hint: String },
    /// The credentials work but lack permission.
    #[error("the vendor refused access: {hint}")]
    Forbidden { hint: String },
    #[error("the vendor has no such object")]
    NotFound,
    /// The vendor rejected the input: its own answer (a 4xx validation error), never a
    /// check of ours.
    #[error("the vendor rejected the request: {message}")]
    Invalid {
        message: String,
        fields: Vec<FieldError>,
    },
    /// The connector refused the caller's input before any call to the vendor: `part` says
    /// where the value was, `field` names it. Build it with [`ConnectorError::refused`].
    #[error("{message}")]
    Refused {
        part: InputPart,
        message: String,
        field: FieldError,
    },
    /// Try again after `retry_after`.
    #[error("the vendor's rate limit is exhausted; retry after {} s", retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    /// The vendor failed (5xx) or answered with a status we do not expect.
    #[error("the vendor answered {status}")]
    Upstream { status: u16 },
    /// The vendor answered something we cannot read.
    #[error("the vendor's response could not be read: {detail}")]
    BadResponse { detail: String },
    #[error("the vendor did not answer in time")]
    Timeout,
    #[error("the vendor could not be reached: {detail}")]
    Transport { detail: String },
    #[error("{operation} is not supported by this connector")]
    Unsupported { operation: &'static str },
}

impl ConnectorError {
    /// A refusal of the caller's `field` (in `part`) before any vendor call.
    pub fn refused(part: InputPart, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Refused {
            part,
            message: format!("{field}: {message}"),
            field: FieldError {
                field: field.to_owned(),
                message,
            },
        }
    }

    /// A list cursor that this connector did not hand out (or that was altered).
    pub fn bad_cursor() -> Self {
        Self::refused(
            InputPart::Query,
            "cursor",
            "is not one this list handed out: pass `next_cursor` unchanged",
        )
    }
}

/// A raw request to the vendor's API, relative to its API root.
#[derive(Clone, Debug)]
pub struct PassthroughRequest {
    pub method: http::Method,
    /// Relative to the vendor's API root, e.g. `api/v2/tickets/1`.
    pub path: String,
    pub query: Option<String>,
    /// Headers to forward; the connector adds authentication.
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// The vendor's raw answer: its head, and its body as it arrives.
#[derive(Debug)]
pub struct PassthroughResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: crate::stream::ByteStream,
}

type Result<T> = std::result::Result<T, ConnectorError>;

fn unsupported<T>(operation: &'static str) -> Result<T> {
    Err(ConnectorError::Unsupported { operation })
}

/// One vendor account, reached with one connection's credentials.
#[async_trait]
pub trait Connector: Send + Sync + fmt::Debug {
    fn provider(&self) -> Provider;

    fn capabilities(&self) -> Capabilities;

    /// Checks the credentials and reports whose they are.
    async fn check(&self) -> Result<AccountIdentity>;

    async fn list_tickets(&self, _req: &PageRequest<TicketFilter>) -> Result<Page<Ticket>> {
        unsupported("list tickets")
    }
    /// [`list_tickets`](Self::list_tickets), with the tickets handed over as the vendor's
    /// answer is read; it returns once the vendor's status is known. By default the page is
    /// read whole first.
    async fn stream_tickets(&self, req: &PageRequest<TicketFilter>) -> Result<PageStream<Ticket>> {
        Ok(self.list_tickets(req).await?.into())
    }
    async fn get_ticket(&self, _id: &TicketId, _opts: ReadOptions) -> Result<Ticket> {
        unsupported("get ticket")
    }
    async fn create_ticket(&self, _ticket: &NewTicket) -> Result<Ticket> {
        unsupported("create ticket")
    }
    async fn update_ticket(&self, _id: &TicketId, _patch: &TicketPatch) -> Result<Ticket> {
        unsupported("update ticket")
    }
    async fn delete_ticket(&self, _id: &TicketId) -> Result<()> {
        unsupported("delete ticket")
    }
    async fn list_comments(&self, _ticket: &TicketId, _req: &PageRequest) -> Result<Page<Comment>> {
        unsupported("list comments")
    }
    async fn create_comment(&self, _ticket: &TicketId, _comment: &NewComment) -> Result<Comment> {
        unsupported("create comment")
    }
    async fn list_users(&self, _req: &PageRequest<UserFilter>) -> Result<Page<User>> {
        unsupported("list users")
    }
    async fn get_user(&self, _id: &UserId, _opts: ReadOptions) -> Result<User> {
        unsupported("get user")
    }
    async fn list_contacts(&self, _req: &PageRequest<ContactFilter>) -> Result<Page<Contact>> {
        unsupported("list contacts")
    }
    async fn get_contact(&self, _id: &ContactId, _opts: ReadOptions) -> Result<Contact> {
        unsupported("get contact")
    }
    async fn list_accounts(&self, _req: &PageRequest) -> Result<Page<Account>> {
        unsupported("list accounts")
    }
    async fn get_account(&self, _id: &AccountId, _opts: ReadOptions) -> Result<Account> {
        unsupported("get account")
    }
    async fn list_teams(&self, _req: &PageRequest<NoFilter>) -> Result<Page<Team>> {
        unsupported("list teams")
    }
    async fn get_team(&self, _id: &TeamId, _opts: ReadOptions) -> Result<Team> {
        unsupported("get team")
    }
    async fn list_tags(&self, _req: &PageRequest) -> Result<Page<Tag>> {
        unsupported("list tags")
    }
    /// One tag by its name; `NotFound` when the helpdesk has no such tag.
    async fn get_tag(&self, _name: &str) -> Result<Tag> {
        unsupported("get tag")
    }
    /// Sets, adds or removes one ticket's tags; answers the ticket's tags afterwards.
    async fn change_ticket_tags(&self, _id: &TicketId, _change: &TagChange) -> Result<Vec<String>> {
        unsupported("change ticket tags")
    }
    async fn passthrough(&self, _req: PassthroughRequest) -> Result<PassthroughResponse> {
        unsupported("passthrough")
    }
    /// The next page of tickets changed or deleted since `req.cursor` (or `req.since`), from
    /// the vendor's change feed; what [`Capabilities::changes`] describes.
    async fn ticket_changes(&self, _req: &ChangeRequest) -> Result<ChangePage> {
        unsupported("ticket changes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::AuthMode;
    use std::sync::Arc;

    #[derive(Debug)]
    struct Minimal;

    #[async_trait]
    impl Connector for Minimal {
        fn provider(&self) -> Provider {
            Provider::Freshdesk
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities {
                provider: Provider::Freshdesk,
                auth_modes: vec![AuthMode::ApiKey],
                resources: vec![],
                changes: vec![],
            }
        }
        async fn check(&self) -> Result<AccountIdentity> {
            Ok(AccountIdentity {
                account_label: "acme".into(),
                user_id: None,
                user_email: None,
                role: None,
            })
        }
    }

    #[test]
    fn connector_is_object_safe_and_defaults_to_unsupported() {
        let c: Arc<dyn Connector> = Arc::new(Minimal);
        let rt = tokio_free_block_on(c.delete_ticket(&"1".into()));
        assert_eq!(
            rt,
            Err(ConnectorError::Unsupported {
                operation: "delete ticket"
            })
        );
    }

    #[test]
    fn rate_limited_error_says_when_to_retry() {
        let e = ConnectorError::RateLimited {
            retry_after: Duration::from_secs(7),
        };
        assert_eq!(
            e.to_string(),
            "the vendor's rate limit is exhausted; retry after 7 s"
        );
    }

    /// Polls a future that never waits; enough for default methods.
    fn tokio_free_block_on<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("future waited"),
        }
    }
}
