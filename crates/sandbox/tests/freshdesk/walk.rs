//! The gateway's full sync: 50,000 tickets walked 100 a page by `updated_at`, restarting
//! from the last `updated_at` at the 300-page cap, while other requests update tickets.
//! Offset paging over a changing list behaves as the vendor's does: a change ahead of the
//! walk is met again at the end; a change behind it shifts the later pages.

use std::collections::HashSet;
use std::time::Instant;

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{next_link, start_with, unlimited};

#[tokio::test]
async fn a_50k_walk_by_updated_at_sees_every_ticket_while_tickets_change() {
    let h = start_with(unlimited("acme", 50_000)).await;
    let started = Instant::now();
    let mut seen = HashSet::new();
    let mut since = "2000-01-01T00:00:00Z".to_owned();
    let mut url = Some(h.url(&format!(
        "/api/v2/tickets?updated_since={since}&order_by=updated_at&order_type=asc&per_page=100"
    )));
    let mut pages = 0;
    let mut restarts = 0;
    let mut updated = Vec::new();
    let mut last_ids = Vec::new();
    while let Some(current) = url.take() {
        let response = h
            .http
            .get(&current)
            .header("authorization", h.admin())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{current}");
        let link = next_link(&response);
        let page: Value = response.json().await.unwrap();
        let items = page.as_array().unwrap();
        for t in items {
            seen.insert(t["id"].as_u64().unwrap());
            last_ids.push(t["id"].as_u64().unwrap());
            since = t["updated_at"].as_str().unwrap().to_owned();
        }
        pages += 1;
        // Another client updates a ticket ahead of the walk every tenth page; it leaves its
        // place and is met again at the end, with its new `updated_at`.
        if pages % 10 == 0 && pages < 480 {
            h.clock.advance(Duration::seconds(1));
            let id = 50_000 - pages;
            updated.push(id);
            let put = h
                .send_json(
                    Method::PUT,
                    &format!("/api/v2/tickets/{id}"),
                    json!({"priority": 2}),
                )
                .await;
            assert_eq!(put.status(), 200);
        }
        url = match link {
            Some(next) if next.contains("page=301") => {
                // The documented workaround for the 300-page cap.
                restarts += 1;
                Some(h.url(&format!(
                    "/api/v2/tickets?updated_since={since}&order_by=updated_at&order_type=asc&per_page=100"
                )))
            }
            other => other,
        };
    }
    assert_eq!(restarts, 1);
    assert_eq!(seen.len(), 50_000);
    let tail = &last_ids[last_ids.len() - updated.len()..];
    assert_eq!(
        tail,
        updated.as_slice(),
        "updated tickets come last, oldest change first"
    );
    assert!(pages >= 500);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "the walk took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn updating_a_ticket_behind_an_offset_walk_shifts_the_next_page_by_one() {
    let h = start_with(unlimited("acme", 100)).await;
    let path = "/api/v2/tickets?updated_since=2000-01-01T00:00:00Z&order_by=updated_at&order_type=asc&per_page=10";
    let first = h.get_json(path).await;
    assert_eq!(crate::support::ids(&first), (1..=10).collect::<Vec<u64>>());
    h.clock.advance(Duration::seconds(1));
    let put = h
        .send_json(Method::PUT, "/api/v2/tickets/3", json!({"priority": 2}))
        .await;
    assert_eq!(put.status(), 200);
    let second = h.get_json(&format!("{path}&page=2")).await;
    assert_eq!(
        crate::support::ids(&second),
        (12..=21).collect::<Vec<u64>>()
    );
}
