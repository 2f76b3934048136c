//! Walks of large accounts through the unified ticket list while tickets change behind and
//! ahead of the cursor: Freshdesk past its 300-page cap, Intercom through search pagination.
//! Every ticket is seen; an untouched one once; one changed before the walk reached it once,
//! as changed; one changed after it was returned twice, the second time as changed (the
//! keyset on `updated_at` brings it back with its new state).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::TimeDelta;
use deskgate_tests::{Backend, TestApp, TestTenant, Vendor, backends, read};
use serde_json::{Value, json};

backends!(
    a_walk_of_fifty_thousand_tickets_past_the_page_cap_sees_every_ticket_while_they_change,
    a_walk_of_twenty_thousand_intercom_tickets_through_search_sees_every_ticket_while_they_change,
);

const LIMIT: usize = 100;
/// Freshdesk refuses `page` beyond this, so a walk by page numbers ends at 30,000 tickets.
const PAGE_CAP: u64 = 300;
/// How many tickets are changed on each side of the cursor in each round.
const PER_SIDE: usize = 10;
/// The Intercom sandbox numbers seeded tickets' API ids from here.
const INTERCOM_FIRST_ID: u64 = 700_000;

/// What one page said about a ticket.
#[derive(Debug)]
struct Sighting {
    updated_at: String,
    subject: String,
}

/// A ticket changed during the walk, as the change answered.
#[derive(Debug)]
struct Change {
    updated_at: String,
    subject: String,
}

/// What a walk saw and changed.
struct Walked {
    seen: HashMap<String, Vec<Sighting>>,
    behind: BTreeMap<String, Change>,
    ahead: BTreeMap<String, Change>,
    pages: usize,
}

/// Walks the connection's tickets `LIMIT` a page; at the pages in `rounds`, changes
/// `PER_SIDE` tickets already returned (behind the cursor) and `PER_SIDE` not yet returned
/// (ahead of it: with one stable order, every ticket not yet seen is after the cursor).
async fn walk(
    t: &TestApp,
    tenant: &TestTenant,
    connection: &str,
    ids: &BTreeSet<String>,
    rounds: &[usize],
) -> Walked {
    let list = format!("/v1/connections/{connection}/tickets");
    let mut w = Walked {
        seen: HashMap::new(),
        behind: BTreeMap::new(),
        ahead: BTreeMap::new(),
        pages: 0,
    };
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("{list}?limit={LIMIT}&cursor={c}"),
            None => format!("{list}?limit={LIMIT}"),
        };
        let (status, page) = read(t.get(&q, &tenant.key).send().await.unwrap()).await;
        assert_eq!(status, 200, "page {}: {page}", w.pages);
        w.pages += 1;
        let items = page["data"].as_array().unwrap();
        assert!(items.len() <= LIMIT);
        for ticket in items {
            w.seen
                .entry(ticket["id"].as_str().unwrap().to_owned())
                .or_default()
                .push(Sighting {
                    updated_at: ticket["updated_at"].as_str().unwrap().to_owned(),
                    subject: ticket["subject"].as_str().unwrap().to_owned(),
                });
        }

        if rounds.contains(&w.pages) {
            // The sandbox's clock stands still, and the newest seeded tickets were updated
            // at or before the instant it stands at; a second later, the changed tickets are
            // strictly the latest, one instant per round.
            t.clock().advance(TimeDelta::seconds(1));
            let changed = |id: &String| w.behind.contains_key(id) || w.ahead.contains_key(id);
            let seen: Vec<&String> = ids
                .iter()
                .filter(|id| w.seen.contains_key(*id) && !changed(id))
                .collect();
            let unseen: Vec<&String> = ids
                .iter()
                .filter(|id| !w.seen.contains_key(*id) && !changed(id))
                .collect();
            let spread = |from: &[&String]| -> Vec<String> {
                let step = (from.len() / PER_SIDE).max(1);
                from.iter()
                    .step_by(step)
                    .take(PER_SIDE)
                    .map(|id| (*id).clone())
                    .collect()
            };
            for back in spread(&seen) {
                let c = change(t, &tenant.key, &list, &back).await;
                w.behind.insert(back, c);
            }
            for front in spread(&unseen) {
                let c = change(t, &tenant.key, &list, &front).await;
                w.ahead.insert(front, c);
            }
        }

        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(w.pages < 600, "the walk does not end");
    }
    w
}

/// Every ticket seen as the module's rule says, and nothing else.
fn check(w: &Walked, ids: &BTreeSet<String>, rounds: usize) {
    assert_eq!(w.behind.len() + w.ahead.len(), 2 * rounds * PER_SIDE);
    for id in ids {
        let sightings = w
            .seen
            .get(id)
            .unwrap_or_else(|| panic!("{id} was never seen"));
        if let Some(change) = w.ahead.get(id) {
            // Changed before the walk reached it: it moved to the end and is seen there once.
            assert_eq!(sightings.len(), 1, "{id} ahead: {sightings:?}");
            assert_eq!(sightings[0].updated_at, change.updated_at, "{id} ahead");
            assert_eq!(sightings[0].subject, change.subject, "{id} ahead");
        } else if let Some(change) = w.behind.get(id) {
            // Changed after it was returned: seen twice, never more, the second time changed.
            assert_eq!(sightings.len(), 2, "{id} behind: {sightings:?}");
            assert_ne!(sightings[0].updated_at, change.updated_at, "{id} behind");
            assert_eq!(sightings[1].updated_at, change.updated_at, "{id} behind");
            assert_eq!(sightings[1].subject, change.subject, "{id} behind");
        } else {
            assert_eq!(sightings.len(), 1, "{id} untouched: {sightings:?}");
        }
    }
    assert_eq!(w.seen.len(), ids.len(), "ids the account does not have");
}

async fn a_walk_of_fifty_thousand_tickets_past_the_page_cap_sees_every_ticket_while_they_change(
    backend: Backend,
) {
    const TICKETS: u64 = 50_000;
    const ROUNDS: [usize; 10] = [20, 70, 120, 170, 220, 270, 320, 370, 420, 470];
    let t =
        TestApp::spawn_with_sandbox(backend, Vendor::Freshdesk.accounts(&["acme"], TICKETS)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t
        .connect_vendor(Vendor::Freshdesk, &tenant.key, "acme")
        .await;
    let ids: BTreeSet<String> = (1..=TICKETS).map(|i| i.to_string()).collect();
    let w = walk(&t, &tenant, &id, &ids, &ROUNDS).await;
    check(&w, &ids, ROUNDS.len());
    let pages = w.pages;

    // By page numbers, 100 a page, the walk would have stopped at 30,000 tickets: the sandbox
    // refuses the page after the cap as Freshdesk does, and the walk went on past it, with
    // more vendor list calls than the cap allows pages.
    let calls = t
        .sandbox()
        .freshdesk_counters("acme")
        .unwrap()
        .tickets_list_calls;
    assert!(calls > PAGE_CAP, "{calls} vendor list calls");
    let (status, refused) = read(
        t.get(
            &format!(
                "/v1/connections/{id}/passthrough/api/v2/tickets?updated_since=1970-01-01T00:00:00Z&per_page=100&page={}",
                PAGE_CAP + 1
            ),
            &tenant.key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "page", "{refused}");
    // 50,100 tickets returned, at most 100 a page; a vendor page starts with the tickets of
    // the previous page's last instant, which are skipped (seeded tickets are updated in
    // pairs), so a few more than 500 pages.
    assert!((500..=520).contains(&pages), "{pages} pages");
}

async fn a_walk_of_twenty_thousand_intercom_tickets_through_search_sees_every_ticket_while_they_change(
    backend: Backend,
) {
    const TICKETS: u64 = 20_000;
    const ROUNDS: [usize; 8] = [10, 35, 60, 85, 110, 135, 160, 185];
    let t =
        TestApp::spawn_with_sandbox(backend, Vendor::Intercom.accounts(&["acme"], TICKETS)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t
        .connect_vendor(Vendor::Intercom, &tenant.key, "acme")
        .await;
    let ids: BTreeSet<String> = (INTERCOM_FIRST_ID..INTERCOM_FIRST_ID + TICKETS)
        .map(|i| i.to_string())
        .collect();
    let w = walk(&t, &tenant, &id, &ids, &ROUNDS).await;
    check(&w, &ids, ROUNDS.len());
    // 20,000 tickets and the 80 changed behind the cursor, 100 a page, through search.
    let searches = t.sandbox().intercom_counters("acme").unwrap().requests;
    assert!((200..=202).contains(&w.pages), "{} pages", w.pages);
    assert!(searches >= w.pages as u64, "{searches} vendor requests");
}

/// Changes `ticket` through the gateway; what the change answered.
async fn change(t: &TestApp, key: &str, list: &str, ticket: &str) -> Change {
    let subject = format!("Changed during the walk: {ticket}");
    let res = t
        .patch(&format!("{list}/{ticket}"), key)
        .json(&json!({"subject": subject}))
        .send()
        .await
        .unwrap();
    let (status, changed): (u16, Value) = read(res).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["subject"], subject.as_str());
    Change {
        updated_at: changed["updated_at"].as_str().unwrap().to_owned(),
        subject,
    }
}
