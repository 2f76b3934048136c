//! What Freshdesk may leave out or send as `null`. Freshdesk publishes no schema, so what is
//! optional is read from its answers: an agent's `contact` and a conversation's flags may be
//! `null` without failing the check or the list; what is unknown is read on the safe side
//! (a conversation that does not say it is public is a private note).

use deskgate_connector::testing::Script;
use deskgate_core::ids::TicketId;
use deskgate_core::{Connector, PageRequest};
use deskgate_freshdesk::{FreshdeskConnector, FreshdeskDomain};
use secrecy::SecretString;
use serde_json::{Value, json};

fn scripted(answers: Vec<(u16, Value)>) -> FreshdeskConnector {
    let script = Script::new(answers);
    FreshdeskConnector::new(
        script.upstream().unwrap(),
        FreshdeskDomain::parse("acme").unwrap(),
        SecretString::from("k3y"),
    )
}

#[tokio::test]
async fn an_agent_whose_contact_is_null_connects_without_an_email() {
    let me = json!({"id": 1, "available": true, "occasional": false, "signature": null,
        "ticket_scope": 1, "created_at": "2015-08-18T16:18:05Z",
        "updated_at": "2015-08-18T16:18:05Z", "contact": null});
    let identity = scripted(vec![(200, me)]).check().await.unwrap();
    assert_eq!(identity.user_id.as_deref(), Some("1"));
    assert_eq!((identity.user_email, identity.role), (None, None));
}

#[tokio::test]
async fn conversations_with_null_flags_list_and_one_that_does_not_say_is_private() {
    let conversation = |id: u64, private: Value, incoming: Value| {
        json!({"id": id, "ticket_id": 1, "user_id": 44, "body": "<div>Hi</div>",
            "body_text": "Hi", "private": private, "incoming": incoming, "source": 0,
            "created_at": "2016-05-19T05:36:12Z", "updated_at": "2016-05-19T05:36:12Z",
            "attachments": null})
    };
    let mut absent = conversation(3, json!(null), json!(false));
    absent.as_object_mut().unwrap().remove("private");
    let page = json!([
        conversation(1, json!(false), json!(null)),
        conversation(2, json!(null), json!(null)),
        absent,
    ]);
    let listed = scripted(vec![(200, page)])
        .list_comments(&TicketId::from("1"), &PageRequest::default())
        .await
        .unwrap();
    let public: Vec<bool> = listed.items.iter().map(|c| c.public).collect();
    assert_eq!(public, [true, false, false]);
}
