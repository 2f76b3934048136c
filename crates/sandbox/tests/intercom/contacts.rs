//! `POST /contacts/search`: dates by calendar day, sorting, paging.

use serde_json::{Value, json};

use crate::support::{assert_error, start};

const DAY: i64 = 86_400;

async fn search(h: &crate::support::Harness, body: Value) -> Vec<Value> {
    let mut found = Vec::new();
    let mut body = body;
    loop {
        let page = h.post_json("/contacts/search", &body).await;
        assert_eq!(page["type"], "list");
        assert_eq!(page["pages"]["type"], "pages");
        found.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["pages"]["next"]["starting_after"].as_str() {
            Some(next) => body["pagination"]["starting_after"] = json!(next),
            None => return found,
        }
    }
}

fn created(c: &Value) -> i64 {
    c["created_at"].as_i64().unwrap()
}

#[tokio::test]
async fn dates_match_by_calendar_day() {
    let h = start().await;
    let all = search(
        &h,
        json!({"query": {"field": "role", "operator": "=", "value": "user"}}),
    )
    .await;
    assert!(all.len() >= 10);
    let pick = created(&all[3]);
    let day = pick.div_euclid(DAY) * DAY;
    let cases = [
        (
            "=",
            Box::new(move |t: i64| (day..day + DAY).contains(&t)) as Box<dyn Fn(i64) -> bool>,
        ),
        (">", Box::new(move |t: i64| t >= day + DAY)),
        ("<", Box::new(move |t: i64| t < day)),
    ];
    for (op, expect) in cases {
        let found = search(
            &h,
            json!({"query": {"field": "created_at", "operator": op, "value": pick.to_string()}}),
        )
        .await;
        let expected: Vec<&Value> = all.iter().filter(|c| expect(created(c))).collect();
        assert_eq!(found.len(), expected.len(), "created_at {op} {pick}");
        assert!(
            found.iter().all(|c| expect(created(c))),
            "created_at {op} {pick}"
        );
    }
    for op in [">=", "<=", "!=", "IN", "NIN"] {
        let value = if op.ends_with("IN") {
            json!([pick])
        } else {
            json!(pick)
        };
        let response = h
            .send(
                reqwest::Method::POST,
                "/contacts/search",
                &json!({"query": {"field": "created_at", "operator": op, "value": value}}),
            )
            .await;
        assert_error(response, 400, "parameter_invalid").await;
    }
    let by_email = search(
        &h,
        json!({"query": {"field": "email", "operator": "=", "value": h.creds.contact_email}}),
    )
    .await;
    assert_eq!(by_email.len(), 1);
    assert_eq!(by_email[0]["id"], h.creds.contact_id.as_str());
}

#[tokio::test]
async fn sorting_and_paging() {
    let h = start().await;
    let query = json!({"field": "created_at", "operator": ">", "value": 0});
    let ascending = search(&h, json!({"query": query, "pagination": {"per_page": 5}})).await;
    let descending = search(
        &h,
        json!({"query": query, "sort": {"field": "created_at", "order": "descending"},
               "pagination": {"per_page": 5}}),
    )
    .await;
    assert_eq!(ascending.len(), descending.len());
    let times: Vec<i64> = descending.iter().map(created).collect();
    let mut sorted = times.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    let mut reversed = ascending.clone();
    reversed.reverse();
    assert_eq!(descending, reversed);
    let first = h
        .post_json("/contacts/search", &json!({"query": query}))
        .await;
    assert_eq!(first["pages"]["per_page"], 50, "50 by default");

    let bad = h
        .send(
            reqwest::Method::POST,
            "/contacts/search",
            &json!({"query": query, "sort": {"field": "created_at", "order": "desc"}}),
        )
        .await;
    let body = assert_error(bad, 400, "invalid_sort_order").await;
    assert_eq!(
        body["errors"][0]["message"],
        "Invalid sort order 'desc'. Must be one of: ascending, descending"
    );
}
