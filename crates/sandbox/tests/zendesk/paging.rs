//! Cursor and offset pagination.

use std::collections::HashSet;

use deskgate_sandbox::ZendeskAccountConfig;
use serde_json::{Value, json};

use crate::support::start_with;

#[tokio::test]
async fn cursor_walk_sees_every_ticket_once_while_tickets_are_updated() {
    let account = ZendeskAccountConfig {
        tickets: 10_000,
        rate_limit_per_minute: 1_000_000,
        ..ZendeskAccountConfig::new("acme")
    };
    let h = start_with(account).await;
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let writer = {
        let http = h.http.clone();
        let auth = h.admin();
        let base = h.url("");
        tokio::spawn(async move {
            let mut updates = 0u64;
            let mut id = 7u64;
            loop {
                if stop_rx.try_recv().is_ok() {
                    return updates;
                }
                id = (id * 7919 + 13) % 10_000 + 1;
                let response = http
                    .put(format!("{base}/api/v2/tickets/{id}"))
                    .header("authorization", &auth)
                    .json(&json!({"ticket": {"tags": ["touched"], "comment": {"body": "bump", "public": false}}}))
                    .send()
                    .await
                    .unwrap();
                // Closed tickets refuse updates; every other update must succeed.
                assert!(response.status() == 200 || response.status() == 422);
                updates += 1;
            }
        })
    };
    let mut seen = HashSet::new();
    let mut next = Some(h.url("/api/v2/tickets.json?page[size]=100"));
    let mut pages = 0;
    while let Some(url) = next {
        let body: Value = h
            .http
            .get(&url)
            .header("authorization", h.admin())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for ticket in body["tickets"].as_array().unwrap() {
            assert!(
                seen.insert(ticket["id"].as_u64().unwrap()),
                "duplicate {}",
                ticket["id"]
            );
        }
        pages += 1;
        next = if body["meta"]["has_more"] == true {
            body["links"]["next"].as_str().map(str::to_owned)
        } else {
            None
        };
    }
    let _ = stop_tx.send(());
    let updates = writer.await.unwrap();
    assert_eq!(seen.len(), 10_000);
    assert_eq!(pages, 100);
    assert!(updates > 0, "the writer ran during the walk");
}

#[tokio::test]
async fn cursor_pages_link_forward_and_back() {
    let h = start_with(ZendeskAccountConfig::new("acme")).await;
    let first = h.get_json("/api/v2/tickets?page[size]=10").await;
    assert_eq!(first["meta"]["has_more"], true);
    assert!(
        first["meta"]["after_cursor"].is_string() && first["meta"]["before_cursor"].is_string()
    );
    let second: Value = h
        .http
        .get(first["links"]["next"].as_str().unwrap())
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["tickets"][0]["id"], 11);
    let back: Value = h
        .http
        .get(second["links"]["prev"].as_str().unwrap())
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(back["tickets"], first["tickets"]);
    let too_big = h.get("/api/v2/tickets?page[size]=101").await;
    assert_eq!(too_big.status(), 400);
    let last = h.get_json("/api/v2/tickets?page[size]=100").await;
    assert_eq!(last["meta"]["has_more"], false);
    assert_eq!(last["tickets"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn offset_pagination_reports_next_previous_and_count() {
    let h = start_with(ZendeskAccountConfig::new("acme")).await;
    let page = h.get_json("/api/v2/users.json?page=2&per_page=3").await;
    assert_eq!(page["users"].as_array().unwrap().len(), 3);
    assert_eq!(
        page["next_page"],
        h.url("/api/v2/users.json?page=3&per_page=3")
    );
    assert_eq!(
        page["previous_page"],
        h.url("/api/v2/users.json?page=1&per_page=3")
    );
    let count = page["count"].as_u64().unwrap();
    assert!(count > 10);
    let first = h.get_json("/api/v2/users?page=1&per_page=3").await;
    assert_eq!(first["previous_page"], Value::Null);
    let last_page = count.div_ceil(3);
    let last = h
        .get_json(&format!("/api/v2/users?page={last_page}&per_page=3"))
        .await;
    assert_eq!(last["next_page"], Value::Null);
    let tickets = h.get_json("/api/v2/tickets").await;
    assert_eq!(tickets["count"], 50);
    assert_eq!(tickets["tickets"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn comments_page_oldest_first_with_either_style() {
    let h = start_with(ZendeskAccountConfig::new("acme")).await;
    for body in ["first", "second", "third"] {
        let response = h
            .put_json(
                "/api/v2/tickets/2",
                json!({"ticket": {"comment": {"body": body}}}),
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    let all = h.get_json("/api/v2/tickets/2/comments.json").await;
    let comments = all["comments"].as_array().unwrap();
    let n = comments.len();
    assert!(n >= 4);
    assert_eq!(comments[n - 1]["body"], "third");
    assert_eq!(all["count"], n);
    let page = h.get_json("/api/v2/tickets/2/comments?page[size]=2").await;
    assert_eq!(page["comments"].as_array().unwrap().len(), 2);
    let next: Value = h
        .http
        .get(page["links"]["next"].as_str().unwrap())
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(next["comments"][0]["id"], comments[2]["id"]);
    let newest = h
        .get_json("/api/v2/tickets/2/comments?sort=-created_at&page[size]=1")
        .await;
    assert_eq!(newest["comments"][0]["body"], "third");
}
