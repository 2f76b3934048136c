//! Every resource and operation, once per auth mode.

use bytes::Bytes;
use deskgate_core::model::{
    NewAttachment, NewComment, NewTicket, Priority, TagChange, TicketPatch, TicketStatus,
    TicketType,
};
use deskgate_core::page::{ContactFilter, Limit, ReadOptions, TicketFilter, UserFilter};
use deskgate_core::{Connector, ConnectorError, PageRequest, PassthroughRequest};
use deskgate_zendesk::ZendeskConnector;
use http::Method;

use crate::support::World;

fn page<F: Default>(limit: u32) -> PageRequest<F> {
    PageRequest {
        limit: Limit::try_from(limit).unwrap(),
        ..PageRequest::default()
    }
}

/// Reads, writes and deletes through every operation the connector offers.
async fn every_operation_works(c: &ZendeskConnector) {
    let identity = c.check().await.unwrap();
    assert_eq!(identity.account_label, "acme");

    // Tickets: list, get (with remote data), create, update, delete.
    let tickets = c.list_tickets(&page(10)).await.unwrap();
    assert_eq!(tickets.items.len(), 10);
    assert!(tickets.next.is_some());
    let first = &tickets.items[0];
    let fetched = c
        .get_ticket(
            &first.id,
            ReadOptions {
                include_remote_data: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(fetched.id, first.id);
    assert_eq!(
        fetched.remote_data.as_ref().unwrap()["id"].to_string(),
        first.id.0
    );
    assert_eq!(
        fetched.url.as_deref(),
        Some(format!("https://acme.zendesk.com/agent/tickets/{}", first.id).as_str())
    );

    let created = c
        .create_ticket(&NewTicket {
            subject: "Printer on fire".into(),
            description: "It is very colorful.".into(),
            status: Some(TicketStatus::Open),
            priority: Some(Priority::High),
            ticket_type: Some(TicketType::Incident),
            requester_id: None,
            assignee_id: None,
            team_id: None,
            tags: vec!["fire".into()],
            due_at: None,
            custom_fields: vec![],
        })
        .await
        .unwrap();
    assert_eq!(created.subject.as_deref(), Some("Printer on fire"));
    assert_eq!(created.priority, Some(Priority::High));
    assert_eq!(created.ticket_type, Some(TicketType::Incident));
    assert_eq!(created.tags, vec!["fire".to_owned()]);

    let updated = c
        .update_ticket(
            &created.id,
            &TicketPatch {
                status: Some(TicketStatus::OnHold),
                priority: Some(Priority::Urgent),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.status, TicketStatus::OnHold);
    assert!(updated.raw_status.as_deref().unwrap().starts_with("hold"));
    assert_eq!(updated.priority, Some(Priority::Urgent));

    // Comments: public, private with an attachment, and the list.
    let public = c
        .create_comment(
            &created.id,
            &NewComment {
                body: "We are on it.".into(),
                html_body: None,
                public: true,
                author_id: None,
                attachments: vec![],
            },
        )
        .await
        .unwrap();
    assert!(public.public);
    assert_eq!(public.body, "We are on it.");
    let private = c
        .create_comment(
            &created.id,
            &NewComment {
                body: "Log attached.".into(),
                html_body: None,
                public: false,
                author_id: None,
                attachments: vec![
                    NewAttachment {
                        file_name: "crash.log".into(),
                        content_type: "text/plain".into(),
                        content: Bytes::from_static(b"boom"),
                    },
                    NewAttachment {
                        file_name: "screen.png".into(),
                        content_type: "image/png".into(),
                        content: Bytes::from_static(b"\x89PNG"),
                    },
                ],
            },
        )
        .await
        .unwrap();
    assert!(!private.public);
    let names: Vec<&str> = private
        .attachments
        .iter()
        .map(|a| a.file_name.as_str())
        .collect();
    assert_eq!(names, ["crash.log", "screen.png"]);
    assert_eq!(private.attachments[0].size, Some(4));
    let comments = c.list_comments(&created.id, &page(100)).await.unwrap();
    let bodies: Vec<&str> = comments.items.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["It is very colorful.", "We are on it.", "Log attached."]
    );
    assert_eq!(comments.next, None);

    // Tags: set, add, remove on the ticket, and the account's list.
    let set = TagChange::Set(vec!["a".into(), "b".into()]);
    assert_eq!(
        c.change_ticket_tags(&created.id, &set).await.unwrap(),
        ["a", "b"]
    );
    let add = TagChange::Add(vec!["c".into()]);
    assert_eq!(
        c.change_ticket_tags(&created.id, &add).await.unwrap(),
        ["a", "b", "c"]
    );
    let remove = TagChange::Remove(vec!["a".into()]);
    assert_eq!(
        c.change_ticket_tags(&created.id, &remove).await.unwrap(),
        ["b", "c"]
    );
    let tags = c.list_tags(&page(100)).await.unwrap();
    assert!(tags.items.iter().any(|t| t.name == "c"));

    // One tag by name, through autocomplete: exact names only, any case.
    let add = TagChange::Add(vec!["printer-fire".into()]);
    c.change_ticket_tags(&created.id, &add).await.unwrap();
    assert_eq!(
        c.get_tag("printer-fire").await.unwrap().name,
        "printer-fire"
    );
    assert_eq!(
        c.get_tag("Printer-Fire").await.unwrap().name,
        "printer-fire"
    );
    assert_eq!(
        c.get_tag("printer-fir").await,
        Err(ConnectorError::NotFound)
    );
    assert!(matches!(
        c.get_tag("c").await,
        Err(ConnectorError::Refused { field, .. }) if field.field == "tag"
    ));

    // Users (agents), contacts (end users), accounts, teams.
    let users = c.list_users(&page(100)).await.unwrap();
    assert!(!users.items.is_empty());
    assert!(
        users
            .items
            .iter()
            .all(|u| matches!(u.role.as_deref(), Some("agent" | "admin")))
    );
    let user = c
        .get_user(&users.items[0].id, ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(user.id, users.items[0].id);
    let contacts = c.list_contacts(&page(100)).await.unwrap();
    assert!(!contacts.items.is_empty());
    let contact = c
        .get_contact(&contacts.items[0].id, ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(contact.email, contacts.items[0].email);
    assert_eq!(
        c.get_contact(&users.items[0].id.0.as_str().into(), ReadOptions::default())
            .await,
        Err(ConnectorError::NotFound),
        "an agent is not a contact"
    );
    let accounts = c.list_accounts(&page(100)).await.unwrap();
    let account = c
        .get_account(&accounts.items[0].id, ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(account.name, accounts.items[0].name);
    let teams = c.list_teams(&page(100)).await.unwrap();
    let team = c
        .get_team(&teams.items[0].id, ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(team.name, teams.items[0].name);

    // Passthrough stays under /api/v2.
    let raw = c
        .passthrough(PassthroughRequest {
            method: Method::GET,
            path: format!("api/v2/tickets/{}", created.id),
            query: None,
            headers: http::HeaderMap::new(),
            body: Bytes::new(),
        })
        .await
        .unwrap();
    assert_eq!(raw.status, 200);
    let outside = c
        .passthrough(PassthroughRequest {
            method: Method::POST,
            path: "oauth/tokens".into(),
            query: None,
            headers: http::HeaderMap::new(),
            body: Bytes::new(),
        })
        .await;
    assert!(matches!(
        outside,
        Err(ConnectorError::Refused {
            part: deskgate_core::InputPart::Path,
            ..
        })
    ));

    c.delete_ticket(&created.id).await.unwrap();
    assert_eq!(
        c.get_ticket(&created.id, ReadOptions::default()).await,
        Err(ConnectorError::NotFound)
    );
}

#[tokio::test]
async fn every_operation_works_with_an_api_token() {
    let world = World::start().await;
    every_operation_works(&world.connector("acme", world.api_token("acme"))).await;
}

#[tokio::test]
async fn every_operation_works_with_an_oauth_grant() {
    let world = World::start().await;
    let auth = world.oauth_auth("acme").await;
    every_operation_works(&world.connector("acme", auth)).await;
}

#[tokio::test]
async fn every_operation_works_with_client_credentials() {
    let world = World::start().await;
    let auth = world.client_credentials_auth("acme").await;
    every_operation_works(&world.connector("acme", auth)).await;
}

#[tokio::test]
async fn emulated_filters_return_only_matching_records() {
    let world = World::start().await;
    let c = world.connector("acme", world.api_token("acme"));
    let all = c.list_tickets(&page(100)).await.unwrap().items;
    let pending = all
        .iter()
        .filter(|t| t.status == TicketStatus::Pending)
        .count();
    assert!(pending > 0);
    let mut req: PageRequest<TicketFilter> = page(100);
    req.filter.status = Some(TicketStatus::Pending);
    let found = c.list_tickets(&req).await.unwrap().items;
    assert_eq!(found.len(), pending);
    assert!(found.iter().all(|t| t.status == TicketStatus::Pending));

    let creds = world.credentials("acme");
    let mut by_email: PageRequest<UserFilter> = page(5);
    by_email.filter.email = Some(creds.agent_email.to_uppercase());
    let agents = c.list_users(&by_email).await.unwrap().items;
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0].email.as_deref(), Some(creds.agent_email.as_str()));

    let mut contact: PageRequest<ContactFilter> = page(5);
    contact.filter.email = Some(creds.end_user_email.clone());
    let found = c.list_contacts(&contact).await.unwrap().items;
    assert_eq!(found[0].id.0, creds.end_user_id.to_string());
}

#[tokio::test]
async fn updated_after_selects_tickets_changed_since_then() {
    let world = World::start().await;
    let c = world.connector("acme", world.api_token("acme"));
    let all = c.list_tickets(&page(100)).await.unwrap().items;
    let mut times: Vec<_> = all.iter().map(|t| t.updated_at.unwrap()).collect();
    times.sort();
    let cut = times[times.len() / 2];
    let mut req: PageRequest<TicketFilter> = page(100);
    req.updated_after = Some(cut);
    let mut found = Vec::new();
    loop {
        let p = c.list_tickets(&req).await.unwrap();
        found.extend(p.items);
        match p.next {
            Some(next) => req.cursor = Some(next),
            None => break,
        }
    }
    let expected = all.iter().filter(|t| t.updated_at > Some(cut)).count();
    assert_eq!(found.len(), expected);
    assert!(found.iter().all(|t| t.updated_at > Some(cut)));
}
