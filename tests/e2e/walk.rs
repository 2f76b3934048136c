//! A walk of a large Freshdesk account through the unified ticket list, past the vendor's
//! 300-page cap, while tickets change behind and ahead of the cursor.

use std::collections::{BTreeMap, HashMap};

use chrono::TimeDelta;
use deskgate_tests::{Backend, TestApp, Vendor, backends, read};
use serde_json::{Value, json};

backends!(a_walk_of_fifty_thousand_tickets_past_the_page_cap_sees_every_ticket_while_they_change);

const TICKETS: u64 = 50_000;
const LIMIT: usize = 100;
/// Freshdesk refuses `page` beyond this, so a walk by page numbers ends at 30,000 tickets.
const PAGE_CAP: u64 = 300;
/// The gateway pages at which tickets are changed, and how many on each side of the cursor.
const ROUNDS: [usize; 10] = [20, 70, 120, 170, 220, 270, 320, 370, 420, 470];
const PER_SIDE: u64 = 10;

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

async fn a_walk_of_fifty_thousand_tickets_past_the_page_cap_sees_every_ticket_while_they_change(
    backend: Backend,
) {
    let t =
        TestApp::spawn_with_sandbox(backend, Vendor::Freshdesk.accounts(&["acme"], TICKETS)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t
        .connect_vendor(Vendor::Freshdesk, &tenant.key, "acme")
        .await;
    let list = format!("/v1/connections/{id}/tickets");

    let mut seen: HashMap<u64, Vec<Sighting>> = HashMap::new();
    let mut behind: BTreeMap<u64, Change> = BTreeMap::new();
    let mut ahead: BTreeMap<u64, Change> = BTreeMap::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("{list}?limit={LIMIT}&cursor={c}"),
            None => format!("{list}?limit={LIMIT}"),
        };
        let (status, page) = read(t.get(&q, &tenant.key).send().await.unwrap()).await;
        assert_eq!(status, 200, "page {pages}: {page}");
        pages += 1;
        let items = page["data"].as_array().unwrap();
        assert!(items.len() <= LIMIT);
        for ticket in items {
            seen.entry(ticket["id"].as_str().unwrap().parse().unwrap())
                .or_default()
                .push(Sighting {
                    updated_at: ticket["updated_at"].as_str().unwrap().to_owned(),
                    subject: ticket["subject"].as_str().unwrap().to_owned(),
                });
        }

        if ROUNDS.contains(&pages) {
            // The sandbox's clock stands still, and the newest seeded tickets were updated
            // at the instant it stands at; a second later, the changed tickets are strictly
            // the latest, one instant per round.
            t.clock().advance(TimeDelta::seconds(1));
            // Untouched tickets are walked in id order, so the highest id returned is where
            // the cursor stands.
            let at = *seen.keys().max().unwrap();
            for k in 0..PER_SIDE {
                let back = at - 1_000 + k * 50;
                let front = at + 1_000 + k * 50;
                assert!(seen.contains_key(&back), "{back} is not behind the cursor");
                assert!(!seen.contains_key(&front), "{front} is not ahead of it");
                behind.insert(back, change(&t, &tenant.key, &list, back).await);
                ahead.insert(front, change(&t, &tenant.key, &list, front).await);
            }
        }

        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages < 600, "the walk does not end");
    }

    assert_eq!(
        behind.len() + ahead.len(),
        2 * ROUNDS.len() * PER_SIDE as usize
    );
    for id in 1..=TICKETS {
        let sightings = seen
            .get(&id)
            .unwrap_or_else(|| panic!("{id} was never seen"));
        if let Some(change) = ahead.get(&id) {
            // Changed before the walk reached it: it moved to the end and is seen there once.
            assert_eq!(sightings.len(), 1, "{id} ahead: {sightings:?}");
            assert_eq!(sightings[0].updated_at, change.updated_at, "{id} ahead");
            assert_eq!(sightings[0].subject, change.subject, "{id} ahead");
        } else if let Some(change) = behind.get(&id) {
            // Changed after it was returned: the keyset on updated_at returns it again with
            // its new state (docs/connectors/freshdesk.md, "Tickets: two traps, one walk"),
            // so the walk sees it twice, never more, the second time as changed.
            assert_eq!(sightings.len(), 2, "{id} behind: {sightings:?}");
            assert_ne!(sightings[0].updated_at, change.updated_at, "{id} behind");
            assert_eq!(sightings[1].updated_at, change.updated_at, "{id} behind");
            assert_eq!(sightings[1].subject, change.subject, "{id} behind");
        } else {
            assert_eq!(sightings.len(), 1, "{id} untouched: {sightings:?}");
        }
    }
    assert_eq!(seen.len() as u64, TICKETS, "ids the account does not have");

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

/// Changes `ticket` through the gateway; what the change answered.
async fn change(t: &TestApp, key: &str, list: &str, ticket: u64) -> Change {
    let subject = format!("Changed during the walk: {ticket}");
    let res = t
        .patch(&format!("{list}/{ticket}"), key)
        .json(&json!({"subject": subject, "priority": "urgent"}))
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
