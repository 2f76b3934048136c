//! deskgate-connector: what every connector shares, written once.
//!
//! - [`provider`]: [`ProviderSpec`], a helpdesk described once (account label, auth modes
//!   and their input fields, stored credentials, the check, the connector for a call,
//!   renewal, revocation, health, rate-budget keys). The app's registry picks one per
//!   `Provider`; nothing else names a vendor.
//! - [`pkce`]: the PKCE verifier (S256) and the OAuth `state`, for every redirect mode.
//! - [`input`]: [`AuthInput`], one auth mode's fields read from a body against its
//!   description, secrets as `SecretString`s, errors naming the field.
//! - [`credentials`]: [`Credentials`], a connection's named secrets as stored.
//! - [`lenient`]: readers for vendor JSON that take `null` or absent as the default, so an
//!   optional field a vendor leaves out fails no record; `IdText`, a vendor id read as the
//!   text it came as, which each connector's id type then accepts or refuses.
//! - [`client`]: [`VendorClient`], the one request path (origin, budget, auth, errors),
//!   passthrough included; [`from_json`], vendor JSON checked to be UTF-8 once, then parsed.
//! - [`hooks`]: vendor webhooks in: which secret verifies them, why one is refused, and the
//!   HMAC, signature-decoding and freshness checks the signing vendors share.
//! - [`watermark`]: [`Watermark`], a position in a feed read by whole seconds (the instant and
//!   the ids already answered there).
//! - [`round`]: a change round over two feeds (changed tickets, then deleted ones), one page
//!   a call: [`Feed`], [`RoundPosition`], [`read_round`].
//! - [`cursor_text`]: the text of list and change cursors (a version tag and `.`-joined
//!   fields), read back strictly and kept short.
//! - [`endpoint`]: [`Endpoint`], a route template and the path filled from it.
//! - [`scan`]: the bounded scan behind emulated filters.
//! - [`filters`]: record predicates for emulated filters; id and cursor checks.
//! - [`matrix`]: a capability-matrix row from a resource, its operations and filters.
//! - [`tenant`]: [`TenantAccount`], an account label checked into its origin and budget key.
//! - [`vendor_error`]: vendor answers and engine failures → `ConnectorError`.
//! - `testing` (feature `testing`): a vendor played from a script, for connectors' tests.
//!
//! Connectors depend on this crate and on `deskgate-upstream`; this crate does no I/O of its
//! own beyond sending through the engine it is handed.

pub mod array_reader;
pub mod client;
pub mod credentials;
pub mod cursor_text;
pub mod endpoint;
pub mod filters;
pub mod hooks;
pub mod input;
pub mod lenient;
pub mod matrix;
pub mod pkce;
pub mod provider;
pub mod round;
pub mod scan;
pub mod tenant;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod vendor_error;
pub mod watermark;

pub use array_reader::ArrayReader;
pub use client::{CallPolicy, PageReader, VendorClient, bad_response, from_json};
pub use credentials::{CredentialField, Credentials, StoredError, UnknownCredentialField};
pub use cursor_text::{CursorFields, CursorPosition, CursorText, MalformedCursor, fitted};
pub use endpoint::Endpoint;
pub use hooks::{HookKey, HookRefusal, HookScheme, HookSecret, InboundHook};
pub use input::AuthInput;
pub use provider::{
    AccountField, AuthorizeRequest, CodeExchange, Deprecation, Description, Health, InputField,
    ModeDescription, NewAuth, OAuthClientInput, ProviderError, ProviderSpec, Stored,
};
pub use round::{Feed, FeedPage, RoundPosition, read_round};
pub use scan::{MAX_SCAN_PAGES, RawPage, scan};
pub use tenant::{LabelRefused, TenantAccount};
pub use vendor_error::{Hints, VendorError};
pub use watermark::{FeedKey, Watermark};
