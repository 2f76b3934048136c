//! Each resource's shape: field names, types and `type` discriminators of the 2.16 spec.

use serde_json::{Value, json};

use crate::support::{assert_error, start};

fn is_id(v: &Value) -> bool {
    v.as_str().is_some_and(|s| !s.is_empty())
}

fn assert_strings(v: &Value, fields: &[&str]) {
    for f in fields {
        assert!(v[*f].is_string(), "{f} is a string in {v}");
    }
}

fn assert_ints(v: &Value, fields: &[&str]) {
    for f in fields {
        assert!(v[*f].is_i64(), "{f} is an integer in {v}");
    }
}

#[tokio::test]
async fn me_is_the_tokens_admin_with_the_app() {
    let h = start().await;
    let me = h.get_json("/me").await;
    assert_eq!(me["type"], "admin");
    assert_eq!(me["id"], h.creds.admin_id.as_str());
    assert_eq!(me["email"], h.creds.admin_email.as_str());
    assert_strings(&me, &["id", "name", "email"]);
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["avatar"]["type"], "avatar");
    let app = &me["app"];
    assert_eq!(app["type"], "app");
    assert_eq!(app["id_code"], h.creds.workspace_id.as_str());
    assert_eq!(app["region"], "US");
    assert_eq!(app["name"], "acme");
    assert!(app["created_at"].is_i64());
    assert!(app["secure"].is_boolean() && app["identity_verification"].is_boolean());
    assert!(app["timezone"].is_string());
}

#[tokio::test]
async fn admins_and_teams() {
    let h = start().await;
    let admins = h.get_json("/admins").await;
    assert_eq!(admins["type"], "admin.list");
    let list = admins["admins"].as_array().unwrap();
    assert!(list.len() >= 2);
    for a in list {
        assert_eq!(a["type"], "admin");
        assert_strings(a, &["id", "name", "email"]);
        assert!(a["team_ids"].is_array() && a["has_inbox_seat"].is_boolean());
        assert!(a["away_mode_enabled"].is_boolean());
        assert!(
            a["avatar"].is_null() || a["avatar"].is_string(),
            "a URI in `admin`"
        );
    }
    let one = h
        .get_json(&format!("/admins/{}", list[1]["id"].as_str().unwrap()))
        .await;
    assert_eq!(one["id"], list[1]["id"]);
    assert_error(h.get("/admins/1").await, 404, "admin_not_found").await;

    let teams = h.get_json("/teams").await;
    assert_eq!(teams["type"], "team.list");
    let team = &teams["teams"][0];
    assert_eq!(team["type"], "team");
    assert_eq!(team["id"], h.creds.team_id.as_str());
    assert!(team["name"].is_string() && team["admin_ids"].is_array());
    let one = h.get_json(&format!("/teams/{}", h.creds.team_id)).await;
    assert_eq!(one, *team);
    assert_error(h.get("/teams/1").await, 404, "team_not_found").await;
}

#[tokio::test]
async fn contacts_come_in_cursor_pages() {
    let h = start().await;
    let first = h.get_json("/contacts?per_page=4").await;
    assert_eq!(first["type"], "list");
    let total = first["total_count"].as_u64().unwrap();
    assert!(total >= 10);
    let pages = &first["pages"];
    assert_eq!(pages["type"], "pages");
    assert_eq!(pages["page"], 1);
    assert_eq!(pages["per_page"], 4);
    assert_eq!(pages["total_pages"], total.div_ceil(4));
    let c = &first["data"][0];
    assert_eq!(c["type"], "contact");
    assert_eq!(c["role"], "user");
    assert_eq!(c["id"].as_str().unwrap().len(), 24);
    assert_eq!(c["id"], h.creds.contact_id.as_str());
    assert_strings(c, &["id", "workspace_id", "email", "name"]);
    assert_ints(c, &["created_at", "updated_at", "signed_up_at"]);
    assert_eq!(c["companies"]["type"], "list");

    let mut seen = Vec::new();
    let mut path = "/contacts?per_page=4".to_owned();
    loop {
        let page = h.get_json(&path).await;
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned()),
        );
        match page["pages"]["next"]["starting_after"].as_str() {
            Some(next) => {
                path = format!(
                    "/contacts?per_page=4&starting_after={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
            }
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, total);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());

    let one = h
        .get_json(&format!("/contacts/{}", h.creds.contact_id))
        .await;
    assert_eq!(one["email"], h.creds.contact_email.as_str());
    assert_error(h.get("/contacts/nope").await, 404, "not_found").await;
    assert_error(
        h.get("/contacts?per_page=151").await,
        400,
        "parameter_invalid",
    )
    .await;
}

#[tokio::test]
async fn companies_come_in_numbered_pages() {
    let h = start().await;
    let page = h.get_json("/companies?per_page=3&page=2").await;
    assert_eq!(page["type"], "list");
    assert_eq!(page["pages"]["page"], 2);
    assert_eq!(page["pages"]["per_page"], 3);
    assert_eq!(page["pages"]["total_pages"], 3);
    assert_eq!(page["total_count"], 8);
    let c = &page["data"][0];
    assert_eq!(c["type"], "company");
    assert_strings(c, &["id", "company_id", "app_id", "name"]);
    assert_ints(
        c,
        &[
            "created_at",
            "updated_at",
            "remote_created_at",
            "user_count",
        ],
    );
    let defaults = h.get_json("/companies").await;
    assert_eq!(defaults["pages"]["per_page"], 15);
    let id = c["id"].as_str().unwrap();
    assert_eq!(h.get_json(&format!("/companies/{id}")).await["id"], id);
    assert_error(h.get("/companies/nope").await, 404, "company_not_found").await;
}

#[tokio::test]
async fn tags_list_show_and_create_or_update() {
    let h = start().await;
    let tags = h.get_json("/tags").await;
    assert_eq!(tags["type"], "list");
    let tag = &tags["data"][0];
    assert_eq!(tag["type"], "tag");
    assert!(is_id(&tag["id"]) && tag["name"].is_string());
    assert_eq!(
        h.get_json(&format!("/tags/{}", h.creds.tag_id)).await["type"],
        "tag"
    );

    let created = h.post_json("/tags", &json!({"name": "vip"})).await;
    assert_eq!(created["name"], "vip");
    let again = h.post_json("/tags", &json!({"name": "vip"})).await;
    assert_eq!(
        again["id"], created["id"],
        "the same name answers the same tag"
    );
    let renamed = h
        .post_json(
            "/tags",
            &json!({"name": "very-important", "id": created["id"]}),
        )
        .await;
    assert_eq!(renamed["id"], created["id"]);
    assert_eq!(renamed["name"], "very-important");
    let bad = h.send(reqwest::Method::POST, "/tags", &json!({})).await;
    assert_error(bad, 400, "parameter_invalid").await;
}

#[tokio::test]
async fn ticket_states_and_types() {
    let h = start().await;
    let states = h.get_json("/ticket_states").await;
    assert_eq!(states["type"], "list");
    let categories: Vec<&str> = states["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["category"].as_str().unwrap())
        .collect();
    assert_eq!(
        categories,
        [
            "submitted",
            "in_progress",
            "waiting_on_customer",
            "resolved"
        ]
    );
    let s = &states["data"][2];
    assert_eq!(s["type"], "ticket_state");
    assert_eq!(s["external_label"], "Waiting on you");
    assert_strings(s, &["id", "internal_label", "external_label"]);
    assert_eq!(s["ticket_types"]["type"], "list");

    let types = h.get_json("/ticket_types").await;
    assert_eq!(types["type"], "list");
    let customer = types["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["category"] == "Customer")
        .unwrap();
    assert_eq!(customer["id"], h.creds.ticket_type_id.as_str());
    assert_eq!(customer["type"], "ticket_type");
    let names: Vec<&str> = customer["ticket_type_attributes"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"_default_title_") && names.contains(&"_default_description_"));
    let title = &customer["ticket_type_attributes"]["data"][0];
    assert_eq!(title["name"], "_default_title_");
    assert_eq!(title["required_to_create"], true);
    assert!(
        title["ticket_type_id"].is_i64(),
        "an integer in the attribute"
    );
    assert_eq!(
        customer["ticket_states"]["data"].as_array().unwrap().len(),
        4
    );
    let one = h
        .get_json(&format!("/ticket_types/{}", h.creds.ticket_type_id))
        .await;
    assert_eq!(one["name"], customer["name"]);
}

#[tokio::test]
async fn a_ticket_has_the_specs_fields() {
    let h = start().await;
    let t = h.get_json("/tickets/700003").await;
    assert_eq!(t["type"], "ticket");
    assert_eq!(t["id"], "700003");
    assert_eq!(
        t["ticket_id"], "4",
        "the inbox number differs from the API id"
    );
    assert!(t["ticket_attributes"]["_default_title_"].is_string());
    assert!(t["ticket_attributes"]["_default_description_"].is_string());
    assert_eq!(t["ticket_state"]["type"], "ticket_state");
    assert!(t["ticket_state"]["category"].is_string());
    assert_eq!(t["ticket_type"]["type"], "ticket_type");
    assert_eq!(t["contacts"]["type"], "contact.list");
    assert_eq!(t["contacts"]["contacts"][0]["type"], "contact");
    assert_ints(
        &t,
        &[
            "admin_assignee_id",
            "team_assignee_id",
            "created_at",
            "updated_at",
        ],
    );
    assert!(t["open"].is_boolean() && t["is_shared"].is_boolean());
    assert_eq!(t["ticket_parts"]["type"], "ticket_part.list");
    let part = &t["ticket_parts"]["ticket_parts"][0];
    assert_eq!(part["type"], "ticket_part");
    assert!(is_id(&part["id"]) && part["author"]["type"].is_string());
    assert!(t["created_at"].as_i64() <= t["updated_at"].as_i64());
    assert_error(h.get("/tickets/1").await, 404, "ticket_not_found").await;
    // Unassigned is 0, not null, somewhere among the seeded tickets.
    let all = h
        .search_all(
            json!({"field": "admin_assignee_id", "operator": "=", "value": "0"}),
            150,
        )
        .await;
    assert!(!all.is_empty());
    assert!(all.iter().all(|t| t["admin_assignee_id"] == 0));
}

#[tokio::test]
async fn conversations_list_and_show_with_parts() {
    let h = start().await;
    let list = h.get_json("/conversations?per_page=5").await;
    assert_eq!(list["type"], "conversation.list");
    assert_eq!(list["total_count"], 20);
    assert_eq!(list["pages"]["per_page"], 5);
    assert!(list["pages"]["next"]["starting_after"].is_string());
    let c = &list["conversations"][0];
    assert_eq!(c["type"], "conversation");
    assert!(c.get("conversation_parts").is_none());
    assert_eq!(c["source"]["type"], "conversation");
    assert!(["open", "closed", "snoozed"].contains(&c["state"].as_str().unwrap()));
    assert!(["none", "low", "medium", "high", "urgent"].contains(&c["priority"].as_str().unwrap()));
    assert_ints(
        c,
        &[
            "created_at",
            "updated_at",
            "admin_assignee_id",
            "team_assignee_id",
        ],
    );
    let id = c["id"].as_str().unwrap();
    let full = h.get_json(&format!("/conversations/{id}")).await;
    assert_eq!(full["conversation_parts"]["type"], "conversation_part.list");
    let part = &full["conversation_parts"]["conversation_parts"][0];
    assert_eq!(part["type"], "conversation_part");
    assert!(is_id(&part["id"]));
    assert_error(h.get("/conversations/1").await, 404, "not_found").await;

    let found = h
        .post_json(
            "/conversations/search",
            &json!({"query": {"operator": "AND", "value": [
                {"field": "id", "operator": "=", "value": id},
                {"field": "created_at", "operator": ">", "value": 0}
            ]}}),
        )
        .await;
    assert_eq!(found["type"], "conversation.list");
    assert_eq!(found["total_count"], 1);
    assert_eq!(found["conversations"][0]["id"], id);
}
