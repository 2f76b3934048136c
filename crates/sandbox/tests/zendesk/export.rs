//! Cursor-based incremental ticket export.

use std::collections::HashSet;

use chrono::Duration;
use serde_json::{Value, json};

use crate::support::{Harness, start};

async fn follow(h: &Harness, mut url: String) -> (Vec<Value>, String) {
    let mut tickets = Vec::new();
    loop {
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
        tickets.extend(body["tickets"].as_array().unwrap().iter().cloned());
        let after = body["after_url"].as_str().unwrap().to_owned();
        if body["end_of_stream"] == true {
            return (tickets, body["after_cursor"].as_str().unwrap().to_owned());
        }
        url = after;
    }
}

#[tokio::test]
async fn incremental_export_streams_everything_then_only_changes() {
    let h = start().await;
    let (tickets, cursor) = follow(
        &h,
        h.url("/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=7"),
    )
    .await;
    let ids: HashSet<u64> = tickets.iter().map(|t| t["id"].as_u64().unwrap()).collect();
    assert_eq!((tickets.len(), ids.len()), (50, 50));
    let stamps: Vec<u64> = tickets
        .iter()
        .map(|t| t["generated_timestamp"].as_u64().unwrap())
        .collect();
    assert!(
        stamps.windows(2).all(|w| w[0] <= w[1]),
        "ordered by generated_timestamp"
    );

    h.clock.advance(Duration::seconds(30));
    assert_eq!(
        h.put_json(
            "/api/v2/tickets/4",
            json!({"ticket": {"priority": "urgent"}})
        )
        .await
        .status(),
        200
    );
    let delete = h
        .http
        .delete(h.url("/api/v2/tickets/5"))
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 204);
    let (changes, _) = follow(
        &h,
        h.url(&format!(
            "/api/v2/incremental/tickets/cursor?cursor={cursor}"
        )),
    )
    .await;
    let summary: Vec<(u64, String)> = changes
        .iter()
        .map(|t| {
            (
                t["id"].as_u64().unwrap(),
                t["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(summary.len(), 2, "{summary:?}");
    assert_eq!(summary[0].0, 4);
    assert_eq!(summary[1], (5, "deleted".to_owned()));
}

#[tokio::test]
async fn incremental_export_refuses_a_start_time_in_the_last_minute() {
    let h = start().await;
    let now = crate::support::start_time().timestamp();
    let response = h
        .get(&format!(
            "/api/v2/incremental/tickets/cursor.json?start_time={}",
            now - 10
        ))
        .await;
    assert_eq!(response.status(), 400);
    let missing = h.get("/api/v2/incremental/tickets/cursor.json").await;
    assert_eq!(missing.status(), 400);
}
