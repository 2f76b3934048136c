//! The account check behind `connect`, `health` and the code exchange: `GET /me` answers the
//! admin the token acts as and its workspace (`app.id_code`), which names the rate budget and
//! is kept in the connection's settings.

use deskgate_connector::{Endpoint, VendorClient, bad_response};
use deskgate_core::{AccountIdentity, ConnectorError};
use http::Method;
use serde_json::Value;

use crate::ids::plausible;
use crate::wire::WireMe;

const ME: Endpoint = Endpoint::new("/me");

/// Who the token is, as `/me` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Checked {
    pub(crate) identity: AccountIdentity,
    /// `app.id_code`.
    pub(crate) workspace_id: String,
    pub(crate) workspace_name: Option<String>,
    /// The admin replies, notes and tag changes are attributed to.
    pub(crate) admin_id: String,
}

/// Reads a `/me` answer. The workspace and admin ids go into budget keys and request bodies,
/// so anything but a plain id is refused.
pub(crate) fn read_me(raw: &Value) -> Result<Checked, ConnectorError> {
    let me: WireMe = serde_json::from_value(raw.clone())
        .map_err(|e| bad_response(format!("intercom's /me answer could not be read: {e}")))?;
    let app = me
        .app
        .ok_or_else(|| bad_response("intercom's /me answer names no workspace"))?;
    let workspace_id = app
        .id_code
        .filter(|id| plausible(id))
        .ok_or_else(|| bad_response("intercom's /me answer has no usable workspace id"))?;
    if !plausible(&me.id.0) {
        return Err(bad_response("intercom's /me answer has no usable admin id"));
    }
    Ok(Checked {
        identity: AccountIdentity {
            account_label: workspace_id.clone(),
            user_id: Some(me.id.0.clone()),
            user_email: me.email.filter(|e| !e.is_empty()),
            role: Some("admin".into()),
        },
        workspace_name: app.name.filter(|n| !n.is_empty()),
        workspace_id,
        admin_id: me.id.0,
    })
}

/// `GET /me` with the token.
pub(crate) async fn check(client: &VendorClient) -> Result<Checked, ConnectorError> {
    let request = client.request(Method::GET, ME, &[])?;
    let raw: Value = client.send_json(request).await?;
    read_me(&raw)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn me_names_the_admin_and_the_workspace() {
        let raw: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/me.json")).unwrap();
        let checked = read_me(&raw).unwrap();
        assert_eq!(checked.workspace_id, "wks7h2q1");
        assert_eq!(checked.admin_id, "991267461");
        assert_eq!(checked.workspace_name.as_deref(), Some("Acme Support"));
        assert_eq!(checked.identity.account_label, "wks7h2q1");
        assert_eq!(
            checked.identity.user_email.as_deref(),
            Some("ops@acme.test")
        );
    }

    #[test]
    fn a_me_without_a_plain_workspace_id_is_refused() {
        for app in [
            json!(null),
            json!({"name": "x"}),
            json!({"id_code": "../x"}),
            json!({"id_code": ""}),
        ] {
            let raw = json!({"type": "admin", "id": "1", "app": app});
            assert!(
                matches!(read_me(&raw), Err(ConnectorError::BadResponse { .. })),
                "{app}"
            );
        }
        let raw = json!({"id": "1/2", "app": {"id_code": "abc"}});
        assert!(read_me(&raw).is_err());
    }
}
