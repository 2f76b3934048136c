//! Mapping tests: every documented status, priority, type and channel value, unknown
//! values, and payloads shaped like the vendor's own examples (`tests/fixtures/`).

use super::*;
use crate::wire::{WireExportPage, WirePage, WireTicketWrite, WireToken, WireUploadResponse};
use serde_json::json;

const CTX: MapContext<'static> = MapContext {
    web_root: "https://company.zendesk.com",
    include_remote_data: false,
};

fn fixture(name: &str) -> Value {
    let text = match name {
        "ticket" => include_str!("../tests/fixtures/ticket.json"),
        "comments" => include_str!("../tests/fixtures/comments.json"),
        "user" => include_str!("../tests/fixtures/user.json"),
        "organization" => include_str!("../tests/fixtures/organization.json"),
        "group" => include_str!("../tests/fixtures/group.json"),
        "tags" => include_str!("../tests/fixtures/tags.json"),
        "upload" => include_str!("../tests/fixtures/upload.json"),
        "token" => include_str!("../tests/fixtures/token.json"),
        "document_nulls" => include_str!("../tests/fixtures/document_nulls.json"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).unwrap()
}

fn ticket_with(fields: &Value) -> Ticket {
    let mut raw = json!({"id": 1, "created_at": "2026-01-01T00:00:00Z"});
    for (k, v) in fields.as_object().unwrap() {
        raw[k] = v.clone();
    }
    ticket(raw, CTX).unwrap()
}

#[test]
fn every_documented_status_maps_with_hold_as_on_hold() {
    for (raw, expected) in [
        ("new", TicketStatus::New),
        ("open", TicketStatus::Open),
        ("pending", TicketStatus::Pending),
        ("hold", TicketStatus::OnHold),
        ("solved", TicketStatus::Solved),
        ("closed", TicketStatus::Closed),
        ("deleted", TicketStatus::Closed),
        ("awaiting_parts", TicketStatus::Open),
    ] {
        let t = ticket_with(&json!({"status": raw}));
        assert_eq!(t.status, expected, "{raw}");
        assert_eq!(t.raw_status.as_deref(), Some(raw));
    }
    for s in [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::Pending,
        TicketStatus::OnHold,
        TicketStatus::Solved,
        TicketStatus::Closed,
    ] {
        assert_eq!(status(status_name(s)), s);
    }
}

#[test]
fn a_custom_status_is_kept_beside_its_category() {
    let t = ticket_with(&json!({"status": "hold", "custom_status_id": 8712}));
    assert_eq!(t.status, TicketStatus::OnHold);
    assert_eq!(t.raw_status.as_deref(), Some("hold:8712"));
}

#[test]
fn every_documented_priority_and_type_maps_and_unknown_ones_are_kept_raw() {
    for (raw, expected) in [
        ("low", Some(Priority::Low)),
        ("normal", Some(Priority::Normal)),
        ("high", Some(Priority::High)),
        ("urgent", Some(Priority::Urgent)),
        ("critical", None),
    ] {
        let t = ticket_with(&json!({"priority": raw}));
        assert_eq!(t.priority, expected, "{raw}");
        assert_eq!(t.raw_priority.as_deref(), Some(raw));
        if let Some(p) = expected {
            assert_eq!(priority_name(p), raw);
        }
    }
    for (raw, expected) in [
        ("question", Some(TicketType::Question)),
        ("incident", Some(TicketType::Incident)),
        ("problem", Some(TicketType::Problem)),
        ("task", Some(TicketType::Task)),
        ("feature_request", None),
    ] {
        let t = ticket_with(&json!({"type": raw}));
        assert_eq!(t.ticket_type, expected, "{raw}");
        assert_eq!(t.raw_type.as_deref(), Some(raw));
        if let Some(k) = expected {
            assert_eq!(ticket_type_name(k), raw);
        }
    }
    let bare = ticket_with(&json!({"priority": null, "type": null, "status": null}));
    assert_eq!(
        (bare.priority, bare.ticket_type, bare.raw_priority),
        (None, None, None)
    );
    assert_eq!(bare.status, TicketStatus::Open);
}

#[test]
fn via_channel_names_and_numeric_ids_map_to_channels() {
    for (raw, expected) in [
        (json!("email"), Channel::Email),
        (json!("web"), Channel::Web),
        (json!("mobile"), Channel::Web),
        (json!("help_center"), Channel::Web),
        (json!("chat"), Channel::Chat),
        (json!("native_messaging"), Channel::Chat),
        (json!("voice"), Channel::Phone),
        (json!("sms"), Channel::Phone),
        (json!("api"), Channel::Api),
        (json!("mobile_sdk"), Channel::Api),
        (json!("any_channel"), Channel::Api),
        (json!("twitter"), Channel::Social),
        (json!("facebook"), Channel::Social),
        (json!("whatsapp"), Channel::Social),
        (json!("rule"), Channel::Other),
        (json!("system"), Channel::Other),
        (json!("closed_ticket"), Channel::Other),
        (json!("carrier_pigeon"), Channel::Other),
        (json!(0), Channel::Web),
        (json!(4), Channel::Email),
        (json!(5), Channel::Api),
        (json!(29), Channel::Chat),
        (json!(44), Channel::Phone),
        (json!(45), Channel::Phone),
        (json!(46), Channel::Phone),
        (json!(30), Channel::Social),
        (json!(8), Channel::Other),
        (json!(9999), Channel::Other),
    ] {
        let t = ticket_with(&json!({"via": {"channel": raw.clone()}}));
        assert_eq!(t.channel, expected, "{raw}");
        let kept = match &raw {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(t.raw_channel.as_deref(), Some(kept.as_str()));
    }
    let none = ticket_with(&json!({"via": null}));
    assert_eq!((none.channel, none.raw_channel), (Channel::Other, None));
}

#[test]
fn the_vendor_example_ticket_maps_every_field_deskgate_has() {
    let raw = fixture("ticket")["ticket"].clone();
    let t = ticket(raw.clone(), CTX).unwrap();
    assert_eq!(t.id.as_str(), "35436");
    assert_eq!(t.subject.as_deref(), Some("Help, my printer is on fire!"));
    assert_eq!(t.description.as_deref(), Some("The fire is very colorful."));
    assert_eq!(
        (t.status, t.raw_status.as_deref()),
        (TicketStatus::Open, Some("open:123"))
    );
    assert_eq!(t.priority, Some(Priority::High));
    assert_eq!(t.ticket_type, Some(TicketType::Incident));
    assert_eq!(t.channel, Channel::Web);
    assert_eq!(t.requester_id.unwrap().as_str(), "20978392");
    assert_eq!(t.submitter_id.unwrap().as_str(), "76872");
    assert_eq!(t.assignee_id.unwrap().as_str(), "235323");
    assert_eq!(t.team_id.unwrap().as_str(), "98738");
    assert_eq!(t.account_id.unwrap().as_str(), "509974");
    let cc: Vec<&str> = t.cc_ids.iter().map(|c| c.as_str()).collect();
    assert_eq!(cc, ["35334", "234"]);
    assert_eq!(t.tags, ["enterprise", "other_tag"]);
    assert_eq!(t.due_at, None);
    assert_eq!(
        t.created_at.unwrap().to_rfc3339(),
        "2009-07-20T22:55:29+00:00"
    );
    assert_eq!(
        t.updated_at.unwrap().to_rfc3339(),
        "2011-05-05T10:38:52+00:00"
    );
    assert_eq!(
        t.url.as_deref(),
        Some("https://company.zendesk.com/agent/tickets/35436")
    );
    assert_eq!(t.custom_fields.len(), 2);
    assert_eq!(
        (t.custom_fields[0].id.as_str(), &t.custom_fields[0].value),
        ("27642", &json!("745"))
    );
    assert_eq!(t.remote_data, None);
    let with_raw = ticket(
        raw.clone(),
        MapContext {
            include_remote_data: true,
            ..CTX
        },
    )
    .unwrap();
    assert_eq!(with_raw.remote_data, Some(raw));
}

#[test]
fn the_vendor_example_comment_page_maps_with_its_attachment() {
    let page = WirePage::parse(fixture("comments").to_string().as_bytes(), "comments").unwrap();
    assert!(!page.meta.has_more);
    let c = comment(page.items[0].clone(), "35436", None, CTX).unwrap();
    assert_eq!(c.id.as_str(), "1274");
    assert_eq!(c.author_id.as_deref(), Some("123123"));
    assert_eq!(c.body, "Thanks for your help!");
    assert!(c.public);
    assert_eq!(c.attachments[0].file_name, "crash.log");
    assert_eq!(c.attachments[0].size, Some(2532));
    assert_eq!(
        c.attachments[0].url.as_deref(),
        Some("https://company.zendesk.com/attachments/crash.log")
    );
}

#[test]
fn sparse_vendor_examples_for_users_organizations_groups_and_tags_map() {
    let u = user(fixture("user")["user"].clone(), CTX).unwrap();
    assert_eq!(
        (u.id.as_str(), u.name.as_deref()),
        ("35436", Some("Johnny Agent"))
    );
    assert!(u.active);
    assert!(u.team_ids.is_empty());
    let o = account(fixture("organization")["organization"].clone(), CTX).unwrap();
    assert_eq!(
        (o.name.as_str(), o.domains.as_slice()),
        ("Groablet Enterprises", ["remain.com".to_owned()].as_slice())
    );
    let g = team(fixture("group")["group"].clone(), CTX).unwrap();
    assert_eq!((g.id.as_str(), g.name.as_str()), ("122", "MCs"));
    let page = WirePage::parse(fixture("tags").to_string().as_bytes(), "tags").unwrap();
    assert_eq!(tag(&page.items[0]).unwrap().name, "Triage");
}

#[test]
fn the_vendor_example_upload_and_token_answers_are_read() {
    let upload: WireUploadResponse = serde_json::from_value(fixture("upload")).unwrap();
    assert_eq!(upload.upload.token, "LXJdriewLBP8JrtzzkN7Ne4k6");
    let a = attachment(upload.upload.attachments[0].clone());
    assert_eq!(
        (a.id.as_str(), a.content_type.as_deref()),
        ("1503729607981", Some("image/png"))
    );
    // The example has no expiry: the token then has no known end.
    let token: WireToken = serde_json::from_value(fixture("token")).unwrap();
    assert_eq!(token.expires_in, None);
    assert!(!format!("{token:?}").contains("gErypPlm4dOVgGRvA1ZzMH5MQ3nLo8bo"));
}

#[test]
fn an_end_user_maps_to_a_contact_and_a_suspended_agent_is_inactive() {
    let c = contact(
        json!({"id": 7, "name": "Cy", "email": "cy@x.test", "phone": "+1", "role": "end-user",
               "organization_id": 9}),
        CTX,
    )
    .unwrap();
    assert_eq!(c.account_id.unwrap().as_str(), "9");
    let u = user(
        json!({"id": 8, "role": "agent", "suspended": true, "default_group_id": 3}),
        CTX,
    )
    .unwrap();
    assert!(!u.active);
    assert_eq!(u.team_ids[0].as_str(), "3");
    assert!(is_staff(Some("admin")) && is_staff(Some("agent")) && !is_staff(Some("end-user")));
}

#[test]
fn a_ticket_without_timestamps_maps_with_nulls_but_one_without_a_readable_id_is_refused() {
    // `created_at` and `updated_at` are optional in `TicketObject`; the id identifies it.
    let t = ticket(json!({"id": 1}), CTX).unwrap();
    assert_eq!(
        (t.id.as_str(), t.created_at, t.updated_at),
        ("1", None, None)
    );
    for bad in [
        json!({"created_at": "2026-01-01T00:00:00Z"}),
        json!({"id": null}),
        json!({"id": {"x": 1}, "created_at": "2026-01-01T00:00:00Z"}),
    ] {
        assert!(ticket(bad, CTX).is_err());
    }
}

// Zendesk answers null, or values of other types, where its OpenAPI document says it never
// does (tests/conformance/check.py lists each with its evidence). The answers below are
// shaped as Zendesk sends them; each must map, with what is missing left empty.

#[test]
fn a_user_with_every_field_the_document_wrongly_says_is_never_null_maps() {
    let u = user(fixture("document_nulls")["user"].clone(), CTX).unwrap();
    assert_eq!(u.id.as_str(), "9001");
    assert_eq!(u.email.as_deref(), Some("ada@company.test"));
    assert_eq!(u.role, None);
    assert!(u.active);
    assert!(u.team_ids.is_empty(), "a null default group is no team");
    let c = contact(fixture("document_nulls")["user"].clone(), CTX).unwrap();
    assert_eq!(c.phone, None);
    assert_eq!(c.account_id, None);
}

#[test]
fn a_ticket_with_null_priority_type_recipient_and_custom_field_values_maps() {
    let t = ticket(fixture("document_nulls")["ticket"].clone(), CTX).unwrap();
    assert_eq!(t.id.as_str(), "4242");
    assert_eq!(t.status, TicketStatus::New);
    assert_eq!((t.priority, t.ticket_type), (None, None));
}

#[test]
fn a_write_answer_whose_audit_changes_tags_as_arrays_and_attaches_a_file_without_size_maps() {
    let written: WireTicketWrite =
        serde_json::from_value(fixture("document_nulls")["write"].clone()).unwrap();
    let audit = written.audit.unwrap();
    assert!(audit.events[0]["value"].is_array());
    let event = audit.events[1].clone();
    let c = comment(event, "4242", audit.created_at, CTX).unwrap();
    assert_eq!(c.id.as_str(), "79");
    assert_eq!(c.attachments.len(), 1);
    assert_eq!(c.attachments[0].file_name, "crash.log");
    assert_eq!(c.attachments[0].size, Some(12));
}

#[test]
fn an_export_page_holding_a_deleted_ticket_is_read_and_the_live_one_maps() {
    let page: WireExportPage =
        serde_json::from_value(fixture("document_nulls")["export"].clone()).unwrap();
    assert_eq!(page.tickets.len(), 2);
    assert_eq!(page.tickets[0].status.as_deref(), Some("deleted"));
    let live = ticket_from_wire(page.tickets[1].clone(), None, CTX).unwrap();
    assert_eq!(live.id.as_str(), "4243");
    assert_eq!(live.priority, None);
}
