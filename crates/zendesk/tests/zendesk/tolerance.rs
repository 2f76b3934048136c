//! What Zendesk may leave out. Its OpenAPI document marks most fields optional or nullable;
//! an answer missing one is incomplete, not dangerous: it connects, lists and reads with
//! `null` where the field was, and only what is proved dangerous (an end user) or what
//! identifies a record (its `id`) is refused.

use deskgate_connector::testing::Script;
use deskgate_core::ids::TicketId;
use deskgate_core::model::Ticket;
use deskgate_core::page::{ReadOptions, TicketFilter};
use deskgate_core::{Connector, ConnectorError, Page, PageRequest};
use serde_json::{Value, json};

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

/// A cursor page of `tickets`, the last one.
fn page(tickets: &[Value]) -> Value {
    json!({"tickets": tickets, "meta": {"has_more": false, "after_cursor": null}})
}

/// A ticket with what Zendesk's `TicketObject` example has, trimmed.
fn ticket(id: u64) -> Value {
    json!({
        "id": id, "subject": "Help, my printer is on fire!", "status": "open",
        "priority": "high", "type": "incident", "via": {"channel": "web"},
        "requester_id": 20978392, "tags": ["enterprise"],
        "created_at": "2009-07-20T22:55:29Z", "updated_at": "2011-05-05T10:38:52Z"
    })
}

/// Lists `tickets` as one page, both ways the connector reads a list: straight into wire
/// types (a plain list) and through the raw records (`include_remote_data`).
async fn list_both_ways(tickets: Vec<Value>) -> Vec<Result<Page<Ticket>, ConnectorError>> {
    let mut out = Vec::new();
    for remote in [false, true] {
        let script = Script::new(vec![(200, page(&tickets))]);
        let (c, _) = scripted(&script);
        let req = PageRequest::<TicketFilter> {
            include_remote_data: remote,
            ..Default::default()
        };
        out.push(c.list_tickets(&req).await);
    }
    out
}

#[tokio::test]
async fn a_ticket_whose_tags_are_one_string_lists_with_those_tags() {
    // `TicketObject.tags` is `oneOf` a list of strings and a single string.
    let mut one = ticket(2);
    one["tags"] = json!("vip");
    let mut spaced = ticket(3);
    spaced["tags"] = json!("vip  printer");
    let mut null = ticket(4);
    null["tags"] = json!(null);
    for listed in list_both_ways(vec![ticket(1), one, spaced, null]).await {
        let tags: Vec<Vec<String>> = listed.unwrap().items.into_iter().map(|t| t.tags).collect();
        assert_eq!(
            tags,
            vec![
                vec!["enterprise".to_owned()],
                vec!["vip".to_owned()],
                vec!["vip".to_owned(), "printer".to_owned()],
                vec![],
            ]
        );
    }
}

#[tokio::test]
async fn a_ticket_without_timestamps_lists_with_nulls_and_keeps_its_record() {
    // `TicketObject` requires none of its fields; `created_at` and `updated_at` among them.
    let mut bare = ticket(2);
    bare.as_object_mut().unwrap().remove("created_at");
    bare["updated_at"] = json!(null);
    let [plain, with_raw] =
        <[_; 2]>::try_from(list_both_ways(vec![ticket(1), bare.clone()]).await).unwrap();
    for listed in [plain.unwrap(), with_raw.unwrap()] {
        let t = &listed.items[1];
        assert_eq!(t.id.as_str(), "2");
        assert_eq!((t.created_at, t.updated_at), (None, None));
        assert_eq!(t.subject.as_deref(), Some("Help, my printer is on fire!"));
        assert!(listed.items[0].created_at.is_some());
    }
    let script = Script::new(vec![(200, page(std::slice::from_ref(&bare)))]);
    let (c, _) = scripted(&script);
    let req = PageRequest::<TicketFilter> {
        include_remote_data: true,
        ..Default::default()
    };
    let listed = c.list_tickets(&req).await.unwrap();
    assert_eq!(
        listed.items[0].remote_data,
        Some(bare),
        "the record shows what was missing"
    );
}

#[tokio::test]
async fn a_ticket_without_an_id_fails_its_page_clearly() {
    let mut nameless = ticket(2);
    nameless.as_object_mut().unwrap().remove("id");
    for listed in list_both_ways(vec![ticket(1), nameless]).await {
        match listed {
            Err(ConnectorError::BadResponse { detail }) => {
                assert!(detail.contains("id"), "{detail}");
            }
            other => panic!("expected bad_response, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_comment_without_created_at_lists_with_a_null_time() {
    // `TicketCommentObject` requires none of its fields.
    let comments = json!({
        "comments": [
            {"id": 1274, "type": "Comment", "author_id": 123123, "body": "Thanks!",
             "public": true, "created_at": "2009-07-20T22:55:29Z"},
            {"id": 1275, "type": "Comment", "author_id": 123123, "body": "And again",
             "public": false, "created_at": null},
        ],
        "meta": {"has_more": false, "after_cursor": null},
    });
    let script = Script::new(vec![(200, comments)]);
    let (c, _) = scripted(&script);
    let listed = c
        .list_comments(&TicketId::from("35436"), &PageRequest::default())
        .await
        .unwrap();
    assert!(listed.items[0].created_at.is_some());
    assert_eq!(listed.items[1].created_at, None);
    assert_eq!(listed.items[1].body, "And again");
}

#[tokio::test]
async fn a_user_whose_role_zendesk_leaves_out_reads_as_a_user_and_as_a_contact() {
    // Not proved an end user, so not hidden from users; not proved staff, so not hidden from
    // contacts. A proved role still decides.
    let user = |role: Value| json!({"user": {"id": 35436, "name": "Johnny Agent", "role": role}});
    let script = Script::new(vec![(200, user(json!(null))), (200, user(json!(null)))]);
    let (c, _) = scripted(&script);
    let id = "35436".to_owned();
    let read = c
        .get_user(&id.clone().into(), ReadOptions::default())
        .await
        .unwrap();
    assert_eq!((read.id.as_str(), read.role), ("35436", None));
    let contact = c
        .get_contact(&id.clone().into(), ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(contact.name.as_deref(), Some("Johnny Agent"));

    let script = Script::new(vec![
        (200, user(json!("end-user"))),
        (200, user(json!("agent"))),
    ]);
    let (c, _) = scripted(&script);
    let as_user = c.get_user(&id.clone().into(), ReadOptions::default()).await;
    assert!(
        matches!(as_user, Err(ConnectorError::NotFound)),
        "{as_user:?}"
    );
    let as_contact = c.get_contact(&id.into(), ReadOptions::default()).await;
    assert!(
        matches!(as_contact, Err(ConnectorError::NotFound)),
        "{as_contact:?}"
    );
}
