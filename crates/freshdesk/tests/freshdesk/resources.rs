//! Every resource through the `Connector` trait.

use bytes::Bytes;
use deskgate_core::model::{
    NewAttachment, NewComment, NewTicket, TagChange, TicketPatch, TicketStatus,
};
use deskgate_core::page::{ContactFilter, ReadOptions, UserFilter};
use deskgate_core::{Connector, ConnectorError, PageRequest, PassthroughRequest};
use http::Method;
use serde_json::json;

use crate::support::{World, page};

fn new_ticket(requester: u64) -> NewTicket {
    serde_json::from_value(json!({
        "subject": "Printer on fire",
        "description": "It is <very> colourful.\nSend help.",
        "requester_id": requester.to_string(),
        "priority": "high",
        "type": "incident",
        "tags": ["fire"],
    }))
    .unwrap()
}

#[tokio::test]
async fn a_ticket_is_created_read_updated_and_deleted() {
    let world = World::start().await;
    let c = world.connector("acme");
    let creds = world.credentials("acme");
    let created = c
        .create_ticket(&new_ticket(creds.contact_id))
        .await
        .unwrap();
    assert_eq!(created.subject.as_deref(), Some("Printer on fire"));
    assert_eq!(created.status, TicketStatus::Open);
    assert_eq!(created.raw_priority.as_deref(), Some("3"));
    assert_eq!(created.raw_type.as_deref(), Some("Incident"));
    assert_eq!(
        created.requester_id.as_ref().unwrap().as_str(),
        creds.contact_id.to_string()
    );
    assert_eq!(created.tags, vec!["fire"]);
    assert_eq!(
        created.url.as_deref(),
        Some(format!("https://acme.freshdesk.com/a/tickets/{}", created.id).as_str())
    );

    let read = c
        .get_ticket(
            &created.id,
            ReadOptions {
                include_remote_data: true,
            },
        )
        .await
        .unwrap();
    let description = read.description.unwrap();
    assert!(
        description.starts_with("It is <very> colourful."),
        "{description}"
    );
    assert!(description.ends_with("Send help."), "{description}");
    assert!(
        read.remote_data.unwrap()["description"]
            .as_str()
            .unwrap()
            .contains("&lt;very&gt;")
    );

    let patch = TicketPatch {
        status: Some(TicketStatus::Solved),
        team_id: Some(creds.group_id.to_string().into()),
        ..TicketPatch::default()
    };
    let updated = c.update_ticket(&created.id, &patch).await.unwrap();
    assert_eq!(updated.status, TicketStatus::Solved);
    assert_eq!(
        updated.team_id.unwrap().as_str(),
        creds.group_id.to_string()
    );
    let solved = c
        .get_ticket(&created.id, ReadOptions::default())
        .await
        .unwrap();
    assert!(
        solved.solved_at.is_some(),
        "include=stats gives the resolution time"
    );

    c.delete_ticket(&created.id).await.unwrap();
    assert_eq!(
        c.get_ticket(&created.id, ReadOptions::default()).await,
        Err(ConnectorError::NotFound)
    );
}

#[tokio::test]
async fn a_ticket_without_a_requester_or_with_a_status_freshdesk_lacks_is_refused_before_sending() {
    let world = World::start().await;
    let c = world.connector("acme");
    let mut ticket = new_ticket(1);
    ticket.requester_id = None;
    let before = world.counters("acme").requests;
    let e = c.create_ticket(&ticket).await.unwrap_err();
    assert!(
        matches!(&e, ConnectorError::Refused { field, .. } if field.field == "requester_id"),
        "{e:?}"
    );
    let hold = TicketPatch {
        status: Some(TicketStatus::OnHold),
        ..TicketPatch::default()
    };
    let e = c.update_ticket(&"1".into(), &hold).await.unwrap_err();
    assert!(
        matches!(&e, ConnectorError::Refused { field, .. } if field.field == "status"),
        "{e:?}"
    );
    assert_eq!(world.counters("acme").requests, before);
}

#[tokio::test]
async fn a_type_the_account_lacks_comes_back_as_a_field_error_from_freshdesk() {
    let world = World::start().await;
    let c = world.connector("acme");
    let patch: TicketPatch = serde_json::from_value(json!({"type": "task"})).unwrap();
    match c.update_ticket(&"1".into(), &patch).await {
        Err(ConnectorError::Invalid { fields, message }) => {
            assert_eq!(fields[0].field, "type", "{message}");
            assert!(message.starts_with("Validation failed"), "{message}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(
        c.get_ticket(&"abc".into(), ReadOptions::default()).await,
        Err(ConnectorError::NotFound)
    );
}

#[tokio::test]
async fn replies_are_public_notes_are_private_and_files_are_attached() {
    let world = World::start().await;
    let c = world.connector("acme");
    let reply: NewComment = serde_json::from_value(json!({"body": "We are on it."})).unwrap();
    let reply = c.create_comment(&"1".into(), &reply).await.unwrap();
    assert!(reply.public);
    assert_eq!(reply.body, "We are on it.");
    assert_eq!(reply.ticket_id.as_str(), "1");

    let mut note: NewComment =
        serde_json::from_value(json!({"body": "Smoke photos attached", "public": false})).unwrap();
    for (name, content) in [("smoke.txt", "grey"), ("fire.txt", "orange")] {
        note.attachments.push(NewAttachment {
            file_name: name.into(),
            content_type: "text/plain".into(),
            content: Bytes::from(content),
        });
    }
    let note = c.create_comment(&"1".into(), &note).await.unwrap();
    assert!(!note.public);
    let names: Vec<&str> = note
        .attachments
        .iter()
        .map(|a| a.file_name.as_str())
        .collect();
    assert_eq!(names, ["smoke.txt", "fire.txt"]);

    let mut all = Vec::new();
    let mut req: PageRequest = page(2);
    loop {
        let p = c.list_comments(&"1".into(), &req).await.unwrap();
        all.extend(p.items);
        match p.next {
            Some(next) => req.cursor = Some(next),
            None => break,
        }
    }
    assert!(all.iter().any(|m| m.id == reply.id && m.public));
    assert!(
        all.iter()
            .any(|m| m.id == note.id && !m.public && m.attachments.len() == 2)
    );
}

#[tokio::test]
async fn agents_are_users_named_by_their_contact_and_filtered_by_email() {
    let world = World::start().await;
    let c = world.connector("acme");
    let creds = world.credentials("acme");
    let users = c.list_users(&page(100)).await.unwrap();
    assert!(users.items.len() >= 2);
    let admin = c
        .get_user(&creds.admin_agent_id.into(), ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(admin.email.as_deref(), Some(creds.admin_email.as_str()));
    assert!(admin.name.is_some());
    let mut by_email: PageRequest<UserFilter> = page(10);
    by_email.filter.email = Some(creds.admin_email.to_uppercase());
    let found = c.list_users(&by_email).await.unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].id, admin.id);
}

#[tokio::test]
async fn contacts_are_listed_read_and_filtered_by_email_and_account() {
    let world = World::start().await;
    let c = world.connector("acme");
    let creds = world.credentials("acme");
    let first = c.list_contacts(&page(5)).await.unwrap();
    assert_eq!(first.items.len(), 5);
    assert!(first.next.is_some());
    let second = c
        .list_contacts(&PageRequest {
            cursor: first.next.clone(),
            ..page(5)
        })
        .await
        .unwrap();
    assert!(
        second
            .items
            .iter()
            .all(|b| first.items.iter().all(|a| a.id != b.id))
    );

    let contact = c
        .get_contact(&creds.contact_id.into(), ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(contact.email.as_deref(), Some(creds.contact_email.as_str()));

    let mut by_email: PageRequest<ContactFilter> = page(10);
    by_email.filter.email = Some(creds.contact_email.clone());
    let found = c.list_contacts(&by_email).await.unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].id, contact.id);

    let mut by_account: PageRequest<ContactFilter> = page(100);
    by_account.filter.account_id = Some(creds.company_id.into());
    let members = c.list_contacts(&by_account).await.unwrap();
    assert!(
        members
            .items
            .iter()
            .all(|m| m.account_id.as_ref().unwrap().as_str() == creds.company_id.to_string())
    );
}

#[tokio::test]
async fn companies_are_accounts_and_groups_are_teams() {
    let world = World::start().await;
    let c = world.connector("acme");
    let creds = world.credentials("acme");
    let accounts = c.list_accounts(&page(100)).await.unwrap();
    assert!(!accounts.items.is_empty());
    let account = c
        .get_account(&creds.company_id.into(), ReadOptions::default())
        .await
        .unwrap();
    assert!(!account.name.is_empty());
    assert!(
        accounts
            .items
            .iter()
            .any(|a| a.id == account.id && a.domains == account.domains)
    );
    let teams = c.list_teams(&page(100)).await.unwrap();
    let team = c
        .get_team(
            &creds.group_id.into(),
            ReadOptions {
                include_remote_data: true,
            },
        )
        .await
        .unwrap();
    assert!(teams.items.iter().any(|t| t.id == team.id));
    assert_eq!(team.remote_data.unwrap()["id"], creds.group_id);
}

#[tokio::test]
async fn tags_cannot_be_listed_but_a_tickets_tags_can_be_set_added_and_removed() {
    let world = World::start().await;
    let c = world.connector("acme");
    assert!(matches!(
        c.list_tags(&page(10)).await,
        Err(ConnectorError::Unsupported { .. })
    ));
    assert!(matches!(
        c.get_tag("vip").await,
        Err(ConnectorError::Unsupported { .. })
    ));
    let id = "3".into();
    let set = c
        .change_ticket_tags(&id, &TagChange::Set(vec!["a".into(), "b".into()]))
        .await
        .unwrap();
    assert_eq!(set, ["a", "b"]);
    let added = c
        .change_ticket_tags(&id, &TagChange::Add(vec!["b".into(), "c".into()]))
        .await
        .unwrap();
    assert_eq!(added, ["a", "b", "c"]);
    let removed = c
        .change_ticket_tags(&id, &TagChange::Remove(vec!["a".into()]))
        .await
        .unwrap();
    assert_eq!(removed, ["b", "c"]);
    assert_eq!(
        c.get_ticket(&id, ReadOptions::default())
            .await
            .unwrap()
            .tags,
        ["b", "c"]
    );
}

#[tokio::test]
async fn passthrough_reaches_the_api_root_only() {
    let world = World::start().await;
    let c = world.connector("acme");
    let request = |path: &str| PassthroughRequest {
        method: Method::GET,
        path: path.into(),
        query: Some("include=stats".into()),
        headers: http::HeaderMap::new(),
        body: Bytes::new(),
    };
    let answer = c.passthrough(request("api/v2/tickets/1")).await.unwrap();
    assert_eq!(answer.status, 200);
    let body: serde_json::Value =
        serde_json::from_slice(&answer.body.into_bytes().await.unwrap()).unwrap();
    assert_eq!(body["id"], 1);
    assert!(body.get("stats").is_some());
    let missing = c
        .passthrough(request("api/v2/tickets/999999"))
        .await
        .unwrap();
    assert_eq!(missing.status, 404);
    assert!(matches!(
        c.passthrough(request("support/login")).await,
        Err(ConnectorError::Refused {
            part: deskgate_core::InputPart::Path,
            ..
        })
    ));
}
