//! Where a customer is sent back to when a session ends, and with what: the registered
//! return URL with `connection_id` (or `error`) and the tenant's `end_user` reference.
//! Never a secret or token.

use deskgate_core::ConnectionId;
use deskgate_store::connect_sessions::ConnectSessionRecord;
use url::Url;

/// How a visit ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Connected(ConnectionId),
    /// `access_denied`, `expired`, `revoked`, `connection_check_failed`, …
    Failed(String),
}

/// The customer's way back to the tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finish {
    /// The return URL with the outcome in its query.
    pub location: String,
    /// The return URL's exact origin: the only target of `postMessage`.
    pub origin: String,
    /// Whether the page runs in a popup opened by `/connect.js`.
    pub popup: bool,
    pub outcome: Outcome,
}

impl Finish {
    pub(crate) fn new(record: &ConnectSessionRecord, outcome: Outcome, popup: bool) -> Self {
        // Registered return URLs are checked absolute URLs in canonical form.
        let (location, origin) = match Url::parse(&record.return_url) {
            Ok(mut url) => {
                {
                    let mut query = url.query_pairs_mut();
                    match &outcome {
                        Outcome::Connected(id) => {
                            query.append_pair("connection_id", &id.to_string());
                        }
                        Outcome::Failed(code) => {
                            query.append_pair("error", code);
                        }
                    }
                    query.append_pair("end_user", &record.end_user_ref);
                }
                let origin = url.origin().ascii_serialization();
                (url.to_string(), origin)
            }
            Err(_) => (record.return_url.clone(), "null".into()),
        };
        Self {
            location,
            origin,
            popup,
            outcome,
        }
    }
}
