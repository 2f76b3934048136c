//! deskgate-core: the vocabulary every other crate speaks.
//!
//! - [`ids`]: tenant and connection ids (UUID v7) and remote ids (vendor strings).
//! - [`provider`]: the closed set of helpdesks deskgate connects to.
//! - [`status`]: whether a connection can be used.
//! - [`model`]: the normalized schema (tickets, comments, users, contacts, accounts, teams,
//!   tags, attachments) with helpdesk-native enums that keep the raw vendor value beside them.
//! - [`page`]: page requests, filters and vendor cursors.
//! - [`connector`]: the object-safe [`Connector`] trait and its typed [`ConnectorError`].
//! - [`capability`]: the capability matrix a connector publishes about itself.
//! - [`changes`]: change-feed pages a connector answers a connection's sync with.
//! - [`event`]: the types of change events.
//! - [`timestamp`]: timestamps written into answers and read from vendors exactly as chrono
//!   does, without `fmt` or chrono's general parser for the common form.
//!
//! This crate does no I/O: no HTTP client, no SQL, no files.

pub mod capability;
pub mod changes;
pub mod connector;
pub mod event;
pub mod ids;
pub mod model;
pub mod page;
pub mod provider;
pub mod status;
pub mod stream;
pub mod timestamp;

pub use capability::{
    AuthMode, Capabilities, ChangeCapability, ChangeDetection, DeleteDetection, FilterSupport,
    Operation, Resource,
};
pub use changes::{ChangeCursor, ChangePage, ChangeRequest, DeletedTicket};
pub use connector::{
    AccountIdentity, Connector, ConnectorError, FieldError, InputPart, PassthroughRequest,
    PassthroughResponse,
};
pub use event::EventType;
pub use ids::{ConnectionId, TenantId};
pub use page::{Page, PageRequest, VendorCursor};
pub use provider::Provider;
pub use status::ConnectionStatus;
pub use stream::{ByteStream, PagePart, PageStream};
