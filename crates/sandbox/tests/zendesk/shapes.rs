//! Field names and types against the vendor's `TicketObject` and friends, and the vendor's
//! error bodies.

use std::collections::BTreeSet;

use deskgate_sandbox::{Sandbox, SandboxConfig, ZendeskAccountConfig};
use serde_json::{Value, json};

use crate::support::{Harness, start, start_with};

#[derive(Clone, Copy, Debug)]
enum Kind {
    Int,
    Str,
    Bool,
    Obj,
    IntArray,
    StrArray,
    ObjArray,
    Timestamp,
}

fn matches(kind: Kind, value: &Value) -> bool {
    match kind {
        Kind::Int => value.is_u64(),
        Kind::Str => value.is_string(),
        Kind::Bool => value.is_boolean(),
        Kind::Obj => value.is_object(),
        Kind::IntArray => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_u64)),
        Kind::StrArray => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
        Kind::ObjArray => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_object)),
        Kind::Timestamp => value.as_str().is_some_and(|s| {
            s.len() == 20 && s.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(s).is_ok()
        }),
    }
}

/// `TicketObject` fields a read returns, with their types; `true` marks nullable ones.
const TICKET_FIELDS: &[(&str, Kind, bool)] = &[
    ("id", Kind::Int, false),
    ("url", Kind::Str, false),
    ("external_id", Kind::Str, true),
    ("via", Kind::Obj, false),
    ("created_at", Kind::Timestamp, false),
    ("updated_at", Kind::Timestamp, false),
    ("generated_timestamp", Kind::Int, false),
    ("type", Kind::Str, true),
    ("subject", Kind::Str, true),
    ("raw_subject", Kind::Str, false),
    ("description", Kind::Str, false),
    ("priority", Kind::Str, true),
    ("status", Kind::Str, false),
    ("custom_status_id", Kind::Int, true),
    ("recipient", Kind::Str, true),
    ("requester_id", Kind::Int, true),
    ("submitter_id", Kind::Int, true),
    ("assignee_id", Kind::Int, true),
    ("organization_id", Kind::Int, true),
    ("group_id", Kind::Int, true),
    ("collaborator_ids", Kind::IntArray, false),
    ("follower_ids", Kind::IntArray, false),
    ("email_cc_ids", Kind::IntArray, false),
    ("problem_id", Kind::Int, true),
    ("has_incidents", Kind::Bool, false),
    ("is_public", Kind::Bool, false),
    ("due_at", Kind::Timestamp, true),
    ("tags", Kind::StrArray, false),
    ("custom_fields", Kind::ObjArray, false),
    ("fields", Kind::ObjArray, false),
    ("satisfaction_rating", Kind::Obj, true),
    ("sharing_agreement_ids", Kind::IntArray, false),
    ("followup_ids", Kind::IntArray, false),
    ("ticket_form_id", Kind::Int, true),
    ("brand_id", Kind::Int, true),
    ("allow_channelback", Kind::Bool, false),
    ("allow_attachments", Kind::Bool, false),
    ("from_messaging_channel", Kind::Bool, false),
];

fn assert_ticket_shape(ticket: &Value) {
    for (field, kind, nullable) in TICKET_FIELDS {
        let value = ticket
            .get(*field)
            .unwrap_or_else(|| panic!("ticket lacks {field}: {ticket}"));
        assert!(
            matches(*kind, value) || (*nullable && value.is_null()),
            "ticket field {field} should be {kind:?} but is {value}"
        );
    }
    let channel = &ticket["via"]["channel"];
    assert!(
        channel.is_string() || channel.is_u64(),
        "via.channel is {channel}"
    );
    for field in ticket["custom_fields"].as_array().unwrap() {
        assert!(field["id"].is_u64());
        assert!(field.get("value").is_some());
    }
    for (name, allowed) in [
        (
            "status",
            &["new", "open", "pending", "hold", "solved", "closed"][..],
        ),
        ("priority", &["low", "normal", "high", "urgent"][..]),
        ("type", &["question", "incident", "problem", "task"][..]),
    ] {
        let value = &ticket[name];
        assert!(
            value.is_null() || allowed.contains(&value.as_str().unwrap()),
            "{name} = {value}"
        );
    }
}

#[tokio::test]
async fn ticket_json_matches_the_vendor_ticket_object() {
    let h = start().await;
    let body = h.get_json("/api/v2/tickets/1").await;
    assert_ticket_shape(&body["ticket"]);
    assert_eq!(body["ticket"]["id"], 1);
    assert_eq!(body["ticket"]["url"], h.url("/api/v2/tickets/1.json"));
    let list = h.get_json("/api/v2/tickets.json?per_page=100").await;
    for ticket in list["tickets"].as_array().unwrap() {
        assert_ticket_shape(ticket);
    }
}

#[tokio::test]
async fn seeded_tickets_cover_every_status_priority_type_and_channel_form() {
    let h = start_with(ZendeskAccountConfig {
        tickets: 10,
        ..ZendeskAccountConfig::new("acme")
    })
    .await;
    let list = h.get_json("/api/v2/tickets?per_page=100").await;
    let tickets = list["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 10);
    let set = |field: &str| -> BTreeSet<String> {
        tickets.iter().map(|t| t[field].to_string()).collect()
    };
    assert_eq!(set("status").len(), 6, "{:?}", set("status"));
    assert_eq!(set("priority").len(), 5, "{:?}", set("priority"));
    assert_eq!(set("type").len(), 5, "{:?}", set("type"));
    let channels: Vec<&Value> = tickets.iter().map(|t| &t["via"]["channel"]).collect();
    assert!(channels.iter().any(|c| c.is_u64()), "an integer channel");
    for name in ["email", "web", "api", "mobile", "chat"] {
        assert!(
            channels.iter().any(|c| c.as_str() == Some(name)),
            "channel {name}"
        );
    }
    assert!(tickets.iter().any(|t| t["due_at"].is_string()));
    assert!(
        tickets
            .iter()
            .any(|t| !t["tags"].as_array().unwrap().is_empty())
    );
    assert!(
        tickets
            .iter()
            .any(|t| !t["collaborator_ids"].as_array().unwrap().is_empty())
            || tickets
                .iter()
                .any(|t| !t["follower_ids"].as_array().unwrap().is_empty())
    );
    assert!(tickets.iter().any(|t| t["organization_id"].is_u64()));
    assert!(
        tickets
            .iter()
            .any(|t| t["assignee_id"].is_u64() && t["group_id"].is_u64())
    );
    let created: BTreeSet<String> = tickets
        .iter()
        .map(|t| t["created_at"].to_string())
        .collect();
    assert_eq!(created.len(), 10, "timestamps spread over time");
}

#[tokio::test]
async fn same_seed_gives_same_data_and_credentials() {
    let config = |seed| SandboxConfig {
        zendesk: vec![ZendeskAccountConfig {
            seed,
            ..ZendeskAccountConfig::new("acme")
        }],
        freshdesk: vec![],
        intercom: vec![],
    };
    let a = Sandbox::new(config(7)).unwrap();
    let b = Sandbox::new(config(7)).unwrap();
    let c = Sandbox::new(config(8)).unwrap();
    let token = |s: &Sandbox| {
        use secrecy::ExposeSecret as _;
        s.zendesk_credentials("acme")
            .unwrap()
            .api_token
            .expose_secret()
            .to_owned()
    };
    assert_eq!(token(&a), token(&b));
    assert_ne!(token(&a), token(&c));

    let fetch = |sandbox: Sandbox| async move {
        let server = deskgate_sandbox::spawn_with(sandbox).await.unwrap();
        let creds = server.sandbox().zendesk_credentials("acme").unwrap();
        use secrecy::ExposeSecret as _;
        let auth = crate::support::basic(&creds.admin_email, creds.api_token.expose_secret());
        let body: Value = reqwest::Client::new()
            .get(format!(
                "{}/api/v2/tickets?per_page=20",
                server.zendesk_base_url("acme")
            ))
            .header("authorization", auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut tickets = body["tickets"].clone();
        for t in tickets.as_array_mut().unwrap() {
            t.as_object_mut().unwrap().remove("url");
        }
        tickets
    };
    let (ta, tb, tc) = (fetch(a).await, fetch(b).await, fetch(c).await);
    assert_eq!(ta, tb);
    assert_ne!(ta, tc);
}

#[tokio::test]
async fn users_organizations_groups_and_tags_have_vendor_shapes() {
    let h = start().await;
    let me = h.get_json("/api/v2/users/me.json").await;
    assert_eq!(me["user"]["email"], h.creds.admin_email);
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(me["user"]["id"], h.creds.admin_user_id);
    for field in [
        "id",
        "url",
        "name",
        "email",
        "created_at",
        "updated_at",
        "role",
        "active",
        "verified",
        "organization_id",
        "tags",
        "user_fields",
    ] {
        assert!(me["user"].get(field).is_some(), "user lacks {field}");
    }
    let orgs = h.get_json("/api/v2/organizations").await;
    let org = &orgs["organizations"][0];
    assert!(org["id"].is_u64() && org["name"].is_string() && org["domain_names"].is_array());
    let one = h
        .get_json(&format!("/api/v2/organizations/{}", org["id"]))
        .await;
    assert_eq!(one["organization"]["id"], org["id"]);
    let groups = h.get_json("/api/v2/groups.json").await;
    assert!(groups["groups"].as_array().unwrap().len() >= 4);
    assert!(groups["groups"][0]["is_public"].is_boolean());
    let tags = h.get_json("/api/v2/tags").await;
    let first = &tags["tags"][0];
    assert!(first["name"].is_string() && first["count"].as_u64().unwrap() >= 1);
    assert!(tags["count"].is_u64());

    // Autocomplete: names with the prefix, in order, offset pages.
    let name = first["name"].as_str().unwrap();
    let prefix: String = name.chars().take(2).collect();
    let found = h
        .get_json(&format!(
            "/api/v2/autocomplete/tags?name={prefix}&per_page=1"
        ))
        .await;
    let names = found["tags"].as_array().unwrap();
    assert_eq!(names.len(), 1);
    assert!(names[0].as_str().unwrap().starts_with(&prefix));
    assert!(found["count"].as_u64().unwrap() >= 1);
    assert!(found.get("next_page").is_some() && found.get("previous_page").is_some());
    let all = h
        .get_json(&format!("/api/v2/autocomplete/tags?name={prefix}"))
        .await;
    assert!(all["tags"].as_array().unwrap().iter().any(|t| t == name));
    assert_eq!(all["next_page"], Value::Null);
    let short = h.get("/api/v2/autocomplete/tags?name=a").await;
    assert_eq!(short.status(), 400);
}

#[tokio::test]
async fn every_user_answers_its_time_zone_in_both_zendesk_and_iana_names() {
    // Zendesk's document has `iana_time_zone` as a string that is never null (its examples:
    // `America/Juneau`), beside the Zendesk name in `time_zone`.
    let h = start().await;
    let users = h.get_json("/api/v2/users?per_page=100").await;
    let users = users["users"].as_array().unwrap();
    assert!(users.len() > 10);
    for user in users {
        let zone = user["time_zone"].as_str().unwrap();
        let iana = user["iana_time_zone"].as_str().unwrap_or_else(|| {
            panic!(
                "user {} answers iana_time_zone {}",
                user["id"], user["iana_time_zone"]
            )
        });
        assert!(
            iana.contains('/'),
            "{zone} answers {iana}, not an IANA name"
        );
    }
}

#[tokio::test]
async fn user_role_filter_returns_only_that_role() {
    let h = start().await;
    let agents = h.get_json("/api/v2/users?role=agent&per_page=100").await;
    let list = agents["users"].as_array().unwrap();
    assert!(!list.is_empty());
    assert!(list.iter().all(|u| u["role"] == "agent"));
    let staff = h
        .get_json("/api/v2/users?role[]=agent&role[]=admin&per_page=100")
        .await;
    let roles: BTreeSet<String> = staff["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["role"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        roles,
        BTreeSet::from(["admin".to_owned(), "agent".to_owned()])
    );
    assert_eq!(
        staff["count"].as_u64().unwrap() as usize,
        staff["users"].as_array().unwrap().len()
    );
}

async fn body_of(response: reqwest::Response) -> (u16, Value) {
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn missing_records_answer_record_not_found() {
    let h = start().await;
    let (status, body) = body_of(h.get("/api/v2/tickets/999999").await).await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"error": "RecordNotFound", "description": "Not found"})
        )
    );
    let (status, body) = body_of(h.get("/api/v2/users/1.json").await).await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"error": "RecordNotFound", "description": "Not found"})
        )
    );
}

#[tokio::test]
async fn unknown_endpoints_answer_invalid_endpoint() {
    let h = start().await;
    let (status, body) = body_of(h.get("/api/v2/no_such_thing").await).await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"error": "InvalidEndpoint", "description": "Not found"})
        )
    );
}

#[tokio::test]
async fn unknown_subdomain_answers_no_help_desk() {
    let h = start().await;
    let response = h
        .http
        .get(format!(
            "{}/api/v2/users/me.json",
            h.server.zendesk_base_url("nosuch")
        ))
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .starts_with("There is no help desk configured at this address")
    );
}

#[tokio::test]
async fn invalid_write_answers_record_invalid_with_field_details() {
    let h = start().await;
    let response = h
        .put_json(
            "/api/v2/tickets/2",
            json!({"ticket": {"priority": "sky-high", "assignee_id": h.creds.end_user_id}}),
        )
        .await;
    let (status, body) = body_of(response).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"], "RecordInvalid");
    assert_eq!(body["description"], "Record validation errors");
    assert_eq!(body["details"]["priority"][0]["error"], "InvalidValue");
    assert_eq!(body["details"]["assignee"][0]["error"], "InvalidValue");
    assert!(body["details"]["priority"][0]["description"].is_string());
}

#[tokio::test]
async fn paths_work_with_and_without_json_suffix() {
    let h = start().await;
    let with = h.get_json("/api/v2/tickets/3.json").await;
    let without = h.get_json("/api/v2/tickets/3").await;
    assert_eq!(with, without);
    let host_routed = h
        .http
        .get(format!("{}/api/v2/tickets/3.json", h.server.base_url()))
        .header("host", "acme.zendesk.localhost")
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(host_routed.status(), 200);
    let body: Value = host_routed.json().await.unwrap();
    assert_eq!(body["ticket"]["subject"], with["ticket"]["subject"]);
    assert_eq!(
        body["ticket"]["url"],
        "http://acme.zendesk.localhost/api/v2/tickets/3.json"
    );
    assert_eq!(
        h.get("/api/v2/tickets/3").await.headers()["x-zendesk-api-version"],
        "v2"
    );
}

#[tokio::test]
async fn a_million_ticket_account_is_seeded_lazily() {
    let started = std::time::Instant::now();
    let h = start_with(ZendeskAccountConfig {
        tickets: 1_000_000,
        ..ZendeskAccountConfig::new("big")
    })
    .await;
    let body = h.get_json("/api/v2/tickets/1000000").await;
    assert_eq!(body["ticket"]["id"], 1_000_000);
    let page = h.get_json("/api/v2/tickets?page=5000&per_page=100").await;
    assert_eq!(page["count"], 1_000_000);
    assert_eq!(page["tickets"][0]["id"], 499_901);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let _: &Harness = &h;
}
