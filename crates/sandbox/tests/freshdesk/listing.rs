//! `GET /tickets`: the 30-day default window, `updated_since`, ordering, `Link` paging, the
//! 300-page cap and the list shape.

use chrono::Duration;
use serde_json::{Value, json};

use crate::support::{ids, next_link, start, start_with, unlimited};

const SINCE_EVER: &str = "updated_since=2000-01-01T00:00:00Z";

#[tokio::test]
async fn tickets_list_without_updated_since_shows_only_the_last_30_days() {
    let h = start().await;
    // 50 tickets over two years: only the newest two were created in the last 30 days.
    let recent = h.get_json("/api/v2/tickets").await;
    assert_eq!(ids(&recent), vec![50, 49]);
    for t in recent.as_array().unwrap() {
        let created =
            chrono::DateTime::parse_from_rfc3339(t["created_at"].as_str().unwrap()).unwrap();
        assert!(created >= crate::support::start_time() - Duration::days(30));
    }
    let all = h
        .get_json(&format!("/api/v2/tickets?{SINCE_EVER}&per_page=100"))
        .await;
    assert_eq!(all.as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn updated_since_returns_old_tickets_updated_after_it() {
    let h = start().await;
    let updated = h
        .send_json(
            reqwest::Method::PUT,
            "/api/v2/tickets/3",
            json!({"priority": 4}),
        )
        .await;
    assert_eq!(updated.status(), 200);
    let since = crate::support::start_time().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let list = h
        .get_json(&format!("/api/v2/tickets?updated_since={since}"))
        .await;
    assert!(ids(&list).contains(&3), "ticket 3 was updated just now");
    assert!(!ids(&list).contains(&4));
    // The default window still ignores it: it was created two years ago.
    assert!(!ids(&h.get_json("/api/v2/tickets").await).contains(&3));
}

#[tokio::test]
async fn list_items_omit_the_description_unless_included() {
    let h = start().await;
    let plain = h.get_json("/api/v2/tickets?per_page=1").await;
    assert!(plain[0].get("description").is_none());
    assert!(plain[0].get("description_text").is_none());
    for key in [
        "id",
        "subject",
        "status",
        "priority",
        "source",
        "type",
        "requester_id",
        "responder_id",
        "group_id",
        "company_id",
        "tags",
        "due_by",
        "fr_due_by",
        "created_at",
        "updated_at",
        "custom_fields",
        "cc_emails",
    ] {
        assert!(plain[0].get(key).is_some(), "list item lacks {key}");
    }
    let with = h
        .get_json("/api/v2/tickets?per_page=1&include=description")
        .await;
    assert!(
        with[0]["description"]
            .as_str()
            .unwrap()
            .starts_with("<div>")
    );
    assert!(with[0]["description_text"].is_string());
}

#[tokio::test]
async fn page_301_answers_the_300_page_validation_error() {
    let h = start().await;
    let response = h
        .get(&format!("/api/v2/tickets?{SINCE_EVER}&per_page=1&page=301"))
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"description":"Validation failed","errors":[{"field":"page","message":"You cannot access tickets beyond the 300th page. Please provide a smaller page number.","code":"invalid_value"}]})
    );
    let last_allowed = h
        .get(&format!("/api/v2/tickets?{SINCE_EVER}&per_page=1&page=300"))
        .await;
    assert_eq!(last_allowed.status(), 200);
}

#[tokio::test]
async fn pages_link_to_the_next_with_the_same_parameters_and_the_last_has_no_link() {
    let h = start().await;
    let mut url = h.url(&format!("/api/v2/tickets?{SINCE_EVER}&per_page=20"));
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let response = h
            .http
            .get(&url)
            .header("authorization", h.admin())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let next = next_link(&response);
        seen.extend(ids(&response.json::<Value>().await.unwrap()));
        pages += 1;
        match next {
            Some(link) => {
                assert!(link.starts_with(&h.url("/api/v2/tickets?")), "{link}");
                assert!(
                    link.contains("updated_since=2000-01-01T00%3A00%3A00Z"),
                    "{link}"
                );
                assert!(link.contains("per_page=20"), "{link}");
                assert!(link.contains(&format!("page={}", pages + 1)), "{link}");
                url = link;
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    seen.sort_unstable();
    assert_eq!(seen, (1..=50).collect::<Vec<u64>>());
}

#[tokio::test]
async fn order_by_updated_at_asc_breaks_ties_by_id_and_moves_updated_tickets_last() {
    let h = start_with(unlimited("acme", 200)).await;
    let path =
        format!("/api/v2/tickets?{SINCE_EVER}&order_by=updated_at&order_type=asc&per_page=100");
    let first = h.get_json(&path).await;
    let second = h.get_json(&format!("{path}&page=2")).await;
    let all: Vec<&Value> = first
        .as_array()
        .unwrap()
        .iter()
        .chain(second.as_array().unwrap())
        .collect();
    assert_eq!(all.len(), 200);
    let mut ties = 0;
    for pair in all.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (ua, ub) = (
            a["updated_at"].as_str().unwrap(),
            b["updated_at"].as_str().unwrap(),
        );
        assert!(ua <= ub, "{ua} then {ub}");
        if ua == ub {
            ties += 1;
            assert!(a["id"].as_u64() < b["id"].as_u64(), "ties go by id");
        }
    }
    assert!(
        ties > 10,
        "seeded neighbours share updated_at ({ties} ties)"
    );
    h.clock.advance(Duration::seconds(5));
    let put = h
        .send_json(
            reqwest::Method::PUT,
            "/api/v2/tickets/7",
            json!({"status": 3}),
        )
        .await;
    assert_eq!(put.status(), 200);
    let last = h.get_json(&format!("{path}&page=2")).await;
    assert_eq!(ids(&last).last(), Some(&7));
    let first_again = h.get_json(&path).await;
    assert!(!ids(&first_again).contains(&7));
    let desc = h
        .get_json(&format!(
            "/api/v2/tickets?{SINCE_EVER}&order_by=updated_at&per_page=3"
        ))
        .await;
    assert_eq!(ids(&desc)[0], 7, "desc is the default order_type");
}

#[tokio::test]
async fn ordering_by_status_or_due_by_sorts_every_ticket() {
    let h = start().await;
    let by_status = h
        .get_json(&format!(
            "/api/v2/tickets?{SINCE_EVER}&order_by=status&order_type=asc&per_page=100"
        ))
        .await;
    let statuses: Vec<u64> = by_status
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses.len(), 50);
    assert!(statuses.windows(2).all(|w| w[0] <= w[1]));
    let by_due = h
        .get_json(&format!(
            "/api/v2/tickets?{SINCE_EVER}&order_by=due_by&per_page=100"
        ))
        .await;
    let due: Vec<&str> = by_due
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["due_by"].as_str().unwrap())
        .collect();
    assert!(due.windows(2).all(|w| w[0] >= w[1]));
}

#[tokio::test]
async fn seeded_tickets_use_the_documented_enumerations_and_a_custom_status() {
    let h = start_with(unlimited("acme", 400)).await;
    let mut statuses = std::collections::BTreeSet::new();
    for page in 1..=4 {
        let list = h
            .get_json(&format!(
                "/api/v2/tickets?{SINCE_EVER}&per_page=100&page={page}"
            ))
            .await;
        for t in list.as_array().unwrap() {
            statuses.insert(t["status"].as_u64().unwrap());
            assert!((1..=4).contains(&t["priority"].as_u64().unwrap()));
            assert!([1, 2, 3, 7, 9, 10].contains(&t["source"].as_u64().unwrap()));
            assert!(
                t["type"].is_null()
                    || ["Question", "Incident", "Problem", "Feature Request"]
                        .contains(&t["type"].as_str().unwrap())
            );
            assert!(t["created_at"].as_str().unwrap().ends_with('Z'));
            assert_eq!(t["created_at"].as_str().unwrap().len(), 20);
        }
    }
    assert!(statuses.is_superset(&[2, 3, 4, 5].into()), "{statuses:?}");
    assert!(
        statuses.iter().any(|s| *s > 5),
        "a custom status is seeded: {statuses:?}"
    );
}

#[tokio::test]
async fn bad_list_parameters_answer_validation_errors_on_their_field() {
    let h = start().await;
    for (query, field, code) in [
        ("per_page=101", "per_page", "invalid_value"),
        ("page=abc", "page", "datatype_mismatch"),
        ("order_by=priority", "order_by", "invalid_value"),
        ("order_type=up", "order_type", "invalid_value"),
        ("updated_since=yesterday", "updated_since", "invalid_value"),
        ("include=everything", "include", "invalid_value"),
        ("colour=red", "colour", "invalid_field"),
    ] {
        let response = h.get(&format!("/api/v2/tickets?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["description"], "Validation failed");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
        assert_eq!(body["errors"][0]["code"], code, "{query}: {body}");
    }
}

#[tokio::test]
async fn directory_lists_page_with_link_headers_and_contacts_filter_by_email() {
    let h = start().await;
    let response = h.get("/api/v2/contacts?per_page=5").await;
    assert_eq!(response.status(), 200);
    assert!(next_link(&response).unwrap().contains("page=2"));
    let email = h.creds.contact_email.clone();
    let found = h.get_json(&format!("/api/v2/contacts?email={email}")).await;
    assert_eq!(ids(&found), vec![h.creds.contact_id]);
    let company = h
        .get_json(&format!("/api/v2/companies/{}", h.creds.company_id))
        .await;
    assert_eq!(company["id"], h.creds.company_id);
    let by_company = h
        .get_json(&format!(
            "/api/v2/contacts?company_id={}",
            h.creds.company_id
        ))
        .await;
    assert!(
        by_company
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["company_id"] == h.creds.company_id)
    );
    let group = h
        .get_json(&format!("/api/v2/groups/{}", h.creds.group_id))
        .await;
    assert!(group["agent_ids"].is_array());
    assert!(
        !h.get_json("/api/v2/agents")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(h.get("/api/v2/contacts/1").await.status(), 404);
}

#[tokio::test]
async fn a_million_ticket_account_is_seeded_lazily() {
    let started = std::time::Instant::now();
    let h = start_with(unlimited("acme", 1_000_000)).await;
    let recent = h.get("/api/v2/tickets?per_page=100").await;
    assert_eq!(recent.status(), 200);
    assert!(
        next_link(&recent).is_some(),
        "about 41,000 tickets are in the 30-day window"
    );
    assert_eq!(ids(&recent.json::<Value>().await.unwrap())[0], 1_000_000);
    let deep = h
        .get_json(&format!(
            "/api/v2/tickets?{SINCE_EVER}&order_by=updated_at&order_type=asc&per_page=100&page=300"
        ))
        .await;
    assert_eq!(ids(&deep)[0], 29_901);
    assert_eq!(h.get_json("/api/v2/tickets/765432").await["id"], 765_432);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
