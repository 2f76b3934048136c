//! What Zendesk may leave out. Its OpenAPI document marks most fields optional or nullable;
//! an answer missing one is incomplete, not dangerous: it connects, lists and reads with
//! `null` where the field was, and only what is proved dangerous (an end user) or what
//! identifies a record (its `id`) is refused.

use deskgate_connector::testing::Script;
use deskgate_core::{Connector, ConnectorError};
use serde_json::json;

use crate::support::scripted;

#[tokio::test]
async fn a_current_user_without_a_role_connects_with_a_null_role() {
    // `role` is optional in `UserObject` (only `name` is required), and Zendesk's own user
    // example leaves it out; a `null` says no more.
    let absent = json!({"id": 35436, "name": "Johnny Agent", "email": "johnny@acme.test"});
    let mut null = absent.clone();
    null["role"] = json!(null);
    for user in [absent, null] {
        let script = Script::new(vec![(200, json!({ "user": user }))]);
        let (c, _) = scripted(&script);
        let identity = c.check().await.unwrap();
        assert_eq!(identity.account_label, "acme");
        assert_eq!(identity.user_id.as_deref(), Some("35436"));
        assert_eq!(identity.user_email.as_deref(), Some("johnny@acme.test"));
        assert_eq!(identity.role, None, "the missing role is recorded as null");
    }
}

#[tokio::test]
async fn a_current_user_who_is_an_end_user_is_still_refused() {
    let user = json!({"id": 7, "name": "Cy", "role": "end-user"});
    let script = Script::new(vec![(200, json!({ "user": user }))]);
    let (c, _) = scripted(&script);
    match c.check().await {
        Err(ConnectorError::Forbidden { hint }) => assert!(hint.contains("role"), "{hint}"),
        other => panic!("expected forbidden, got {other:?}"),
    }
}

#[tokio::test]
async fn a_current_user_with_a_role_zendesk_adds_later_connects_with_that_role() {
    let user = json!({"id": 8, "name": "Di", "role": "light-agent"});
    let script = Script::new(vec![(200, json!({ "user": user }))]);
    let (c, _) = scripted(&script);
    let identity = c.check().await.unwrap();
    assert_eq!(identity.role.as_deref(), Some("light-agent"));
}
