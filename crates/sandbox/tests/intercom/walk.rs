//! Walking thousands of tickets by `updated_at` while some change between pages.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use deskgate_sandbox::Clock as _;
use serde_json::{Value, json};

use crate::support::{roomy, start_with};

/// Walks `updated_at` from `since` to `until` (both inclusive, as `>` and `<` are), updating
/// two tickets after each page: one already served and one not yet served. Returns how
/// often each id was served.
async fn walk(
    h: &crate::support::Harness,
    since: i64,
    until: Option<i64>,
    updated: &mut BTreeSet<String>,
) -> BTreeMap<String, usize> {
    let mut filters = vec![json!({"field": "updated_at", "operator": ">", "value": since})];
    if let Some(until) = until {
        filters.push(json!({"field": "updated_at", "operator": "<", "value": until}));
    }
    let query = json!({"operator": "AND", "value": filters});
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut cursor: Option<String> = None;
    let mut round = 0u64;
    loop {
        let mut pagination = json!({"per_page": 150});
        if let Some(c) = &cursor {
            pagination["starting_after"] = json!(c);
        }
        let page = h
            .post_json(
                "/tickets/search",
                &json!({"query": query, "pagination": pagination}),
            )
            .await;
        let tickets = page["tickets"].as_array().unwrap();
        for t in tickets {
            *seen
                .entry(t["id"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        if let Some(first) = tickets.first() {
            // One ticket already served and one far ahead change between pages.
            let behind = first["id"].as_str().unwrap().to_owned();
            let ahead = format!("{}", 700_000 + (round * 97 + 4_000) % 5_000);
            for id in [behind, ahead] {
                let body =
                    json!({"ticket_attributes": {"_default_title_": format!("edited {round}")}});
                h.put_json(&format!("/tickets/{id}"), &body).await;
                updated.insert(id);
            }
            round += 1;
        }
        match page["pages"]["next"]["starting_after"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn a_bounded_walk_serves_each_ticket_exactly_once_while_tickets_change() {
    let h = start_with(roomy("acme", 5_000)).await;
    let start = h.clock.now().timestamp();
    // Writes during the walk land a second after its upper bound.
    h.clock.advance(Duration::seconds(1));
    let mut updated = BTreeSet::new();
    let seen = walk(&h, 0, Some(start), &mut updated).await;
    assert!(seen.values().all(|n| *n == 1), "no ticket served twice");
    let untouched = (0..5_000u64)
        .map(|i| (700_000 + i).to_string())
        .filter(|id| !updated.contains(id));
    for id in untouched {
        assert_eq!(seen.get(&id), Some(&1), "untouched ticket {id} served once");
    }
    // The next poll, from the bound on, serves exactly the tickets that changed.
    let mut more = BTreeSet::new();
    let next = h
        .search_all(
            json!({"field": "updated_at", "operator": ">", "value": start + 1}),
            150,
        )
        .await;
    let next: BTreeSet<String> = next
        .iter()
        .map(|t: &Value| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(next, updated);
    more.extend(seen.keys().cloned());
    more.extend(next);
    assert_eq!(
        more.len(),
        5_000,
        "together the two polls cover every ticket"
    );
}

#[tokio::test]
async fn an_open_walk_never_skips_and_repeats_only_tickets_that_changed_after_being_served() {
    let h = start_with(roomy("acme", 5_000)).await;
    h.clock.advance(Duration::seconds(1));
    let mut updated = BTreeSet::new();
    let seen = walk(&h, 0, None, &mut updated).await;
    assert_eq!(seen.len(), 5_000, "every ticket served");
    for (id, n) in &seen {
        if *n > 1 {
            assert!(updated.contains(id), "{id} repeated without a change");
            assert_eq!(*n, 2);
        }
    }
}

#[tokio::test]
async fn a_bounded_walk_stays_exact_while_another_client_writes_concurrently() {
    let h = start_with(roomy("acme", 5_000)).await;
    let start = h.clock.now().timestamp();
    h.clock.advance(Duration::seconds(1));
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (first_tx, first_rx) = tokio::sync::oneshot::channel::<()>();
    let writer = {
        let http = h.http.clone();
        let base = h.base();
        let token = h.token();
        tokio::spawn(async move {
            let mut first = Some(first_tx);
            let mut touched = BTreeSet::new();
            let mut n = 0u64;
            loop {
                if stop_rx.try_recv().is_ok() {
                    return touched;
                }
                let id = 700_000 + (n * 7_919) % 5_000;
                let response = http
                    .put(format!("{base}/tickets/{id}"))
                    .bearer_auth(&token)
                    .json(&json!({"open": n.is_multiple_of(2)}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                touched.insert(id.to_string());
                if let Some(first) = first.take() {
                    let _ = first.send(());
                }
                n += 1;
            }
        })
    };
    // The walk starts once the writer is under way.
    first_rx.await.unwrap();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let query = json!({"operator": "AND", "value": [
        {"field": "updated_at", "operator": ">", "value": 0},
        {"field": "updated_at", "operator": "<", "value": start},
    ]});
    let mut cursor: Option<String> = None;
    loop {
        let mut pagination = json!({"per_page": 150});
        if let Some(c) = &cursor {
            pagination["starting_after"] = json!(c);
        }
        let page = h
            .post_json(
                "/tickets/search",
                &json!({"query": query, "pagination": pagination}),
            )
            .await;
        for t in page["tickets"].as_array().unwrap() {
            *seen
                .entry(t["id"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        match page["pages"]["next"]["starting_after"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    stop_tx.send(()).unwrap();
    let touched = writer.await.unwrap();
    assert!(!touched.is_empty(), "the writer ran during the walk");
    assert!(seen.values().all(|n| *n == 1), "no ticket served twice");
    for i in 0..5_000u64 {
        let id = (700_000 + i).to_string();
        if !touched.contains(&id) {
            assert_eq!(seen.get(&id), Some(&1), "untouched ticket {id} served");
        }
    }
}
