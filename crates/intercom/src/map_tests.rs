//! Every mapping table value by value, and each record fixture end to end.

#![allow(clippy::unwrap_used)]

use deskgate_core::model::{Priority, TicketStatus};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

pub(crate) fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn each_state_category_maps_and_a_closed_ticket_is_closed() {
    let table = [
        ("submitted", TicketStatus::New),
        ("in_progress", TicketStatus::Open),
        ("waiting_on_customer", TicketStatus::Pending),
        ("resolved", TicketStatus::Solved),
    ];
    for (category, expected) in table {
        assert_eq!(status(Some(category), Some(true)), expected, "{category}");
        assert_eq!(
            status(Some(category), None),
            expected,
            "{category} without open"
        );
        assert_eq!(
            status(Some(category), Some(false)),
            TicketStatus::Closed,
            "{category} closed"
        );
    }
    assert_eq!(
        status(Some("snoozed_forever"), Some(true)),
        TicketStatus::Open
    );
    assert_eq!(status(None, None), TicketStatus::Open);
}

#[test]
fn ticket_categories_map_to_types() {
    assert_eq!(ticket_type("Tracker"), Some(TicketType::Problem));
    assert_eq!(ticket_type("Back-office"), Some(TicketType::Task));
    assert_eq!(ticket_type("Customer"), None);
    assert_eq!(ticket_type("request"), None);
}

#[test]
fn a_ticket_maps_every_field() {
    let t = ticket(fixture("ticket.json"), false).unwrap();
    assert_eq!(
        t.id.as_str(),
        "631",
        "the api id, never the inbox ticket_id"
    );
    assert_eq!(t.subject.as_deref(), Some("Printer on fire"));
    assert_eq!(
        t.description.as_deref(),
        Some("The printer on floor 2 is on fire.")
    );
    assert_eq!(t.status, TicketStatus::Open);
    assert_eq!(t.raw_status.as_deref(), Some("Being handled"));
    assert_eq!(t.ticket_type, None);
    assert_eq!(t.raw_type.as_deref(), Some("Customer"));
    assert_eq!(t.channel, Channel::Other);
    assert_eq!(
        t.requester_id.as_ref().map(|c| c.as_str()),
        Some("6762f2f61bb69f9f2193bc59")
    );
    assert_eq!(t.cc_ids.len(), 1);
    assert_eq!(
        t.assignee_id.as_ref().map(|u| u.as_str()),
        Some("991267461")
    );
    assert_eq!(t.team_id.as_ref().map(|u| u.as_str()), Some("814"));
    assert_eq!(t.priority, None::<Priority>);
    assert!(t.tags.is_empty());
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(v["created_at"], "2024-12-18T16:06:14Z");
    assert_eq!(v["updated_at"], "2024-12-18T16:06:16Z");
    let ids: Vec<&str> = t.custom_fields.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        ["building", "floor"],
        "title and description are not custom fields"
    );
    assert_eq!(t.custom_fields[1].value, json!(2));
    assert!(t.remote_data.is_none());
    let with_raw = ticket(fixture("ticket.json"), true).unwrap();
    assert_eq!(with_raw.remote_data.unwrap()["ticket_id"], "38");
}

#[test]
fn zero_assignees_and_missing_optional_fields_are_none() {
    let t = ticket(fixture("ticket_minimal.json"), false).unwrap();
    assert_eq!(t.assignee_id, None);
    assert_eq!(t.team_id, None);
    assert_eq!(t.subject, None);
    assert_eq!(t.description, None);
    assert_eq!(t.requester_id, None);
    assert_eq!(t.status, TicketStatus::Open);
    assert_eq!(t.raw_status, None);
    assert_eq!(t.raw_type, None);
    assert!(t.custom_fields.is_empty());
}

#[test]
fn a_ticket_without_readable_times_maps_with_nulls() {
    // The 2.16 `ticket` schema requires neither time.
    for (field, value) in [
        ("created_at", json!(null)),
        ("updated_at", json!("yesterday")),
        ("created_at", json!(i64::MAX)),
    ] {
        let mut raw = fixture("ticket_minimal.json");
        raw[field] = value.clone();
        let t = ticket(raw, false).unwrap();
        let time = if field == "created_at" {
            t.created_at
        } else {
            t.updated_at
        };
        assert_eq!(time, None, "{field}: {value}");
    }
    let mut raw = fixture("ticket_minimal.json");
    raw.as_object_mut().unwrap().retain(|k, _| k == "id");
    let t = ticket(raw, false).unwrap();
    assert_eq!((t.created_at, t.updated_at), (None, None));
}

#[test]
fn a_ticket_without_an_id_fails_to_map() {
    for value in [json!(null), json!("")] {
        let mut raw = fixture("ticket_minimal.json");
        raw["id"] = value.clone();
        assert!(ticket(raw, false).is_err(), "id: {value}");
    }
}

#[test]
fn the_raw_status_of_a_search_hit_follows_the_same_table() {
    let page = fixture("tickets_search.json");
    let tickets = page["tickets"].as_array().unwrap();
    assert_eq!(raw_ticket_status(&tickets[0]), TicketStatus::Open);
    assert_eq!(raw_ticket_status(&tickets[1]), TicketStatus::Closed);
    assert_eq!(raw_ticket_status(&json!({})), TicketStatus::Open);
}

#[test]
fn message_parts_are_comments_and_state_changes_are_not() {
    let raw = fixture("ticket.json");
    let parts = raw["ticket_parts"]["ticket_parts"].as_array().unwrap();
    let kept: Vec<&Value> = parts.iter().filter(|p| is_message(p)).collect();
    assert_eq!(kept.len(), 3);

    let reply = comment(kept[0].clone(), "631", false).unwrap();
    assert_eq!(reply.id.as_str(), "186");
    assert_eq!(reply.ticket_id.as_str(), "631");
    assert!(reply.public);
    assert_eq!(reply.author_kind, Some(AuthorKind::User));
    assert_eq!(reply.author_id.as_deref(), Some("991267461"));
    assert_eq!(reply.body, "We are on it & the fire brigade too.");
    assert_eq!(
        reply.html_body.as_deref(),
        Some("<p>We are on it &amp; the fire brigade too.</p>")
    );
    assert_eq!(reply.attachments.len(), 1);
    let file = &reply.attachments[0];
    assert_eq!(file.id.as_str(), "186-0");
    assert_eq!(file.file_name, "floor2.png");
    assert_eq!(file.size, Some(1024));
    assert_eq!(file.content_type.as_deref(), Some("image/png"));

    let note = comment(kept[1].clone(), "631", false).unwrap();
    assert!(!note.public);
    assert!(note.attachments.is_empty(), "null attachments are none");

    let from_customer = comment(kept[2].clone(), "631", false).unwrap();
    assert_eq!(from_customer.author_kind, Some(AuthorKind::Contact));
    assert_eq!(from_customer.body, "Thanks!");
}

#[test]
fn a_reply_answer_maps_as_a_comment() {
    let c = comment(fixture("reply.json"), "631", true).unwrap();
    assert_eq!(c.id.as_str(), "190");
    assert!(!c.public);
    assert_eq!(c.body, "Checked the logs");
    assert!(c.remote_data.is_some());
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["created_at"], "2024-12-18T16:06:39Z");
}

#[test]
fn admins_are_users_with_their_role_and_teams() {
    let raw = fixture("admins.json");
    let admins = raw["admins"].as_array().unwrap();
    let first = user(admins[0].clone(), false).unwrap();
    assert_eq!(first.id.as_str(), "991267461");
    assert_eq!(first.role.as_deref(), Some("Admin"));
    assert!(first.active);
    let teams: Vec<&str> = first.team_ids.iter().map(|t| t.as_str()).collect();
    assert_eq!(teams, ["814", "815"]);
    let second = user(admins[1].clone(), false).unwrap();
    assert_eq!(second.role, None, "an empty job title is no role");
    assert!(second.team_ids.is_empty());
}

#[test]
fn contacts_take_their_first_company_as_account() {
    let raw = fixture("contacts_search.json");
    let data = raw["data"].as_array().unwrap();
    let jo = contact(data[0].clone(), false).unwrap();
    assert_eq!(jo.name.as_deref(), Some("Jo Customer"));
    assert_eq!(jo.email.as_deref(), Some("jo@customer.test"));
    assert_eq!(jo.phone.as_deref(), Some("+15550100"));
    assert_eq!(
        jo.account_id.as_ref().map(|a| a.as_str()),
        Some("5ba682d23d7cf92bef87bfd4")
    );
    let lead = contact(data[1].clone(), false).unwrap();
    assert_eq!((lead.name, lead.email, lead.account_id), (None, None, None));
}

#[test]
fn companies_are_accounts_with_their_website_host_as_domain() {
    let raw = fixture("companies.json");
    let data = raw["data"].as_array().unwrap();
    let a = account(data[0].clone(), false).unwrap();
    assert_eq!(a.name, "Customer Inc");
    assert_eq!(a.domains, ["customer.test"]);
    assert!(account(data[1].clone(), false).unwrap().domains.is_empty());
    assert_eq!(website_domain("acme.test"), Some("acme.test".into()));
    assert_eq!(website_domain("javascript:alert(1)"), None);
    assert_eq!(website_domain(" "), None);
}

#[test]
fn teams_map_with_their_names() {
    let raw = fixture("teams.json");
    let t = team(raw["teams"][0].clone(), false).unwrap();
    assert_eq!((t.id.as_str(), t.name.as_str()), ("814", "Billing"));
}

#[test]
fn unix_seconds_become_utc_instants() {
    assert_eq!(
        instant(0).unwrap().to_rfc3339(),
        "1970-01-01T00:00:00+00:00"
    );
    assert_eq!(
        instant(1_734_537_974).unwrap().to_rfc3339(),
        "2024-12-18T16:06:14+00:00"
    );
    assert_eq!(instant(i64::MAX), None);
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("created_at".to_owned()),
                    Just("updated_at".to_owned()),
                    Just("ticket_state".to_owned()),
                    Just("category".to_owned()),
                    Just("open".to_owned()),
                    Just("contacts".to_owned()),
                    Just("admin_assignee_id".to_owned()),
                    Just("ticket_attributes".to_owned()),
                    Just("author".to_owned()),
                    Just("attachments".to_owned()),
                    Just("body".to_owned()),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn vendor_records_never_panic_the_mappers(raw in any_json()) {
        let _ = ticket(raw.clone(), true);
        let _ = comment(raw.clone(), "1", false);
        let _ = user(raw.clone(), false);
        let _ = contact(raw.clone(), false);
        let _ = account(raw.clone(), false);
        let _ = team(raw.clone(), false);
        let _ = raw_ticket_status(&raw);
        let _ = is_message(&raw);
    }

    #[test]
    fn any_ticket_with_an_id_and_times_maps(
        id in "[0-9]{1,12}",
        created in 0i64..4_000_000_000,
        updated in 0i64..4_000_000_000,
        category in prop_oneof![
            Just("submitted"), Just("in_progress"), Just("waiting_on_customer"), Just("resolved"), Just("odd")
        ],
        open in proptest::option::of(any::<bool>()),
        assignee in 0u64..3,
    ) {
        let raw = json!({
            "id": id, "created_at": created, "updated_at": updated,
            "ticket_state": {"category": category}, "open": open, "admin_assignee_id": assignee,
        });
        let t = ticket(raw, false).unwrap();
        prop_assert_eq!(t.id.as_str(), id.as_str());
        prop_assert_eq!(t.created_at.map(|c| c.timestamp()), Some(created));
        prop_assert_eq!(t.assignee_id.is_none(), assignee == 0);
        prop_assert_eq!(t.status == TicketStatus::Closed, open == Some(false));
    }
}
