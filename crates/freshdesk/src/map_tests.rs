//! Every mapping table value by value, and each record fixture end to end.

#![allow(clippy::unwrap_used)]

use chrono::DateTime;
use serde_json::{Value, json};

use super::*;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn domain() -> FreshdeskDomain {
    FreshdeskDomain::parse("acme").unwrap()
}

#[test]
fn statuses_two_to_five_are_open_pending_solved_closed_and_custom_ones_open() {
    assert_eq!(status(2), TicketStatus::Open);
    assert_eq!(status(3), TicketStatus::Pending);
    assert_eq!(status(4), TicketStatus::Solved);
    assert_eq!(status(5), TicketStatus::Closed);
    for custom in [0, 1, 6, 7, 12, 99] {
        assert_eq!(status(custom), TicketStatus::Open, "{custom}");
    }
}

#[test]
fn priorities_one_to_four_are_low_normal_high_urgent() {
    assert_eq!(priority(1), Some(Priority::Low));
    assert_eq!(priority(2), Some(Priority::Normal));
    assert_eq!(priority(3), Some(Priority::High));
    assert_eq!(priority(4), Some(Priority::Urgent));
    assert_eq!(priority(0), None);
    assert_eq!(priority(5), None);
}

#[test]
fn sources_map_to_channels_and_unknown_ones_to_other() {
    let table = [
        (1, Channel::Email),
        (2, Channel::Web),
        (3, Channel::Phone),
        (7, Channel::Chat),
        (9, Channel::Web),
        (10, Channel::Email),
        (4, Channel::Other),
        (5, Channel::Other),
        (6, Channel::Other),
        (8, Channel::Other),
        (11, Channel::Other),
    ];
    for (code, expected) in table {
        assert_eq!(channel(code), expected, "{code}");
    }
}

#[test]
fn only_our_type_names_map_and_the_rest_is_none() {
    assert_eq!(ticket_type("Question"), Some(TicketType::Question));
    assert_eq!(ticket_type("Incident"), Some(TicketType::Incident));
    assert_eq!(ticket_type("Problem"), Some(TicketType::Problem));
    assert_eq!(ticket_type("Task"), Some(TicketType::Task));
    assert_eq!(ticket_type("Feature Request"), None);
    assert_eq!(ticket_type("question"), None);
}

#[test]
fn a_ticket_maps_every_field() {
    let d = domain();
    let t = ticket(fixture("ticket.json"), &d, false).unwrap();
    assert_eq!(t.id.as_str(), "1");
    assert_eq!(t.subject.as_deref(), Some("Printer on fire"));
    assert_eq!(
        t.description.as_deref(),
        Some("The printer on floor 2 is on fire.")
    );
    assert_eq!(
        (t.status, t.raw_status.as_deref()),
        (TicketStatus::Open, Some("2"))
    );
    assert_eq!(
        (t.priority, t.raw_priority.as_deref()),
        (Some(Priority::High), Some("3"))
    );
    assert_eq!(
        (t.ticket_type, t.raw_type.as_deref()),
        (Some(TicketType::Incident), Some("Incident"))
    );
    assert_eq!(
        (t.channel, t.raw_channel.as_deref()),
        (Channel::Web, Some("2"))
    );
    assert_eq!(t.requester_id.unwrap().as_str(), "6012691534");
    assert_eq!(t.assignee_id.unwrap().as_str(), "6010396333");
    assert_eq!(t.team_id, None);
    assert_eq!(t.account_id.unwrap().as_str(), "77");
    assert_eq!(t.submitter_id, None);
    assert!(t.cc_ids.is_empty());
    assert_eq!(t.tags, vec!["foo", "bar"]);
    assert_eq!(
        t.due_at,
        Some(
            DateTime::parse_from_rfc3339("2016-05-19T04:06:04Z")
                .unwrap()
                .to_utc()
        )
    );
    assert_eq!(
        t.solved_at, None,
        "an open ticket is not solved, whatever stats say"
    );
    assert_eq!(
        t.url.as_deref(),
        Some("https://acme.freshdesk.com/a/tickets/1")
    );
    let fields: Vec<(&str, &Value)> = t
        .custom_fields
        .iter()
        .map(|f| (f.id.as_str(), &f.value))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("cf_asset_tag", &json!("PR-0042")),
            ("cf_floor", &json!(2)),
            ("cf_warranty", &Value::Null)
        ]
    );
    assert_eq!(t.remote_data, None);
}

#[test]
fn remote_data_is_the_raw_record_only_when_asked() {
    let d = domain();
    let t = ticket(fixture("ticket.json"), &d, true).unwrap();
    assert_eq!(t.remote_data, Some(fixture("ticket.json")));
}

#[test]
fn a_resolved_ticket_is_solved_at_its_resolution_time() {
    let d = domain();
    let mut raw = fixture("ticket.json");
    raw["status"] = json!(4);
    let t = ticket(raw, &d, false).unwrap();
    assert_eq!(t.status, TicketStatus::Solved);
    assert_eq!(
        t.solved_at.unwrap().to_rfc3339(),
        "2020-07-24T15:35:21+00:00"
    );
}

#[test]
fn list_tickets_keep_unknown_values_raw() {
    let d = domain();
    let Value::Array(items) = fixture("tickets_page.json") else {
        panic!()
    };
    let tickets: Vec<Ticket> = items
        .into_iter()
        .map(|r| ticket(r, &d, false).unwrap())
        .collect();
    assert_eq!(tickets[1].ticket_type, None);
    assert_eq!(tickets[1].raw_type.as_deref(), Some("Feature Request"));
    assert_eq!(tickets[1].channel, Channel::Chat);
    assert!(tickets[1].tags.is_empty() && tickets[1].custom_fields.is_empty());
    assert_eq!(
        (tickets[2].status, tickets[2].raw_status.as_deref()),
        (TicketStatus::Open, Some("12"))
    );
    assert_eq!(
        (tickets[2].channel, tickets[2].raw_channel.as_deref()),
        (Channel::Other, Some("5"))
    );
    assert_eq!(
        tickets[2].created_at.unwrap().to_rfc3339(),
        "2026-01-01T11:00:00+00:00"
    );
    assert_eq!(tickets[2].description, None, "lists carry no description");
}

#[test]
fn a_private_note_and_an_incoming_reply_map_to_comments() {
    let Value::Array(items) = fixture("conversations.json") else {
        panic!()
    };
    let mut comments = items.into_iter().map(|r| comment(r, "1", false).unwrap());
    let note = comments.next().unwrap();
    assert_eq!(note.id.as_str(), "101");
    assert_eq!(note.ticket_id.as_str(), "1");
    assert!(!note.public);
    assert_eq!(note.author_kind, Some(AuthorKind::User));
    assert_eq!(note.author_id.as_deref(), Some("44"));
    assert_eq!(note.body, "Checked the wiring.");
    assert_eq!(
        note.html_body.as_deref(),
        Some("<div>Checked the wiring.</div>")
    );
    let reply = comments.next().unwrap();
    assert!(reply.public);
    assert_eq!(reply.author_kind, Some(AuthorKind::Contact));
    let a = &reply.attachments[0];
    assert_eq!(
        (
            a.id.as_str(),
            a.file_name.as_str(),
            a.content_type.as_deref(),
            a.size,
            a.url.as_deref()
        ),
        (
            "7",
            "photo.png",
            Some("image/png"),
            Some(2048),
            Some("https://files.example.test/photo.png")
        )
    );
}

#[test]
fn an_agent_is_a_user_named_by_its_contact() {
    let Value::Array(items) = fixture("agents.json") else {
        panic!()
    };
    let users: Vec<User> = items.into_iter().map(|r| user(r, false).unwrap()).collect();
    assert_eq!(users[0].id.as_str(), "44");
    assert_eq!(users[0].name.as_deref(), Some("Rachel"));
    assert_eq!(users[0].email.as_deref(), Some("rachel@acme.test"));
    assert_eq!(users[0].role.as_deref(), Some("support_agent"));
    assert!(users[0].active);
    assert_eq!(users[0].team_ids, vec!["9".into(), "10".into()]);
    assert!(!users[1].active);
    assert!(users[1].team_ids.is_empty());
}

#[test]
fn contacts_companies_and_groups_map() {
    let Value::Array(contacts) = fixture("contacts.json") else {
        panic!()
    };
    let c: Vec<Contact> = contacts
        .into_iter()
        .map(|r| contact(r, false).unwrap())
        .collect();
    assert_eq!(c[0].phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(c[0].account_id.as_ref().unwrap().as_str(), "3");
    assert_eq!(
        c[1].phone.as_deref(),
        Some("5550100"),
        "the mobile when there is no phone"
    );
    assert_eq!(c[1].email, None);
    let Value::Array(companies) = fixture("companies.json") else {
        panic!()
    };
    let a = account(companies[0].clone(), false).unwrap();
    assert_eq!((a.id.as_str(), a.name.as_str()), ("3", "Super Nova"));
    assert_eq!(a.domains, vec!["supernova.test", "nova.test"]);
    let Value::Array(groups) = fixture("groups.json") else {
        panic!()
    };
    let t = team(groups[0].clone(), false).unwrap();
    assert_eq!((t.id.as_str(), t.name.as_str()), ("9", "Hardware"));
}

#[test]
fn a_record_that_does_not_read_is_an_error_not_a_panic() {
    let d = domain();
    let e = ticket(json!({"id": "x y", "created_at": 5}), &d, false).unwrap_err();
    assert!(e.starts_with("a freshdesk ticket could not be read"), "{e}");
    assert!(user(json!([]), false).is_err());
}
