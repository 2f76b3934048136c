//! The ticket list's traps: the 30-day default window and the 300-page cap, a walk while
//! tickets change, `updated_after`, and the emulated filters.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Utc};
use deskgate_core::model::{Ticket, TicketPatch, TicketStatus};
use deskgate_core::page::TicketFilter;
use deskgate_core::{Connector, PageRequest};
use deskgate_freshdesk::FreshdeskConnector;

use crate::support::{World, account, page};

/// Every page of a list from `req`; `between` runs after each page.
async fn walk(
    c: &FreshdeskConnector,
    mut req: PageRequest<TicketFilter>,
    mut between: impl AsyncFnMut(usize),
) -> Vec<Ticket> {
    let mut all = Vec::new();
    for n in 1.. {
        let p = c.list_tickets(&req).await.unwrap();
        assert!(p.items.len() <= req.limit.get() as usize);
        all.extend(p.items);
        match p.next {
            Some(next) => {
                assert!(!next.0.contains("://"), "a cursor is never a url");
                req.cursor = Some(next);
            }
            None => break,
        }
        between(n).await;
    }
    all
}

#[tokio::test]
async fn a_list_without_filters_returns_tickets_older_than_thirty_days_too() {
    let world = World::with(vec![account("acme", 200)]).await;
    let c = world.connector("acme");
    let all = walk(&c, page(100), async |_| {}).await;
    let ids: HashSet<&str> = all.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), 200);
    let month_ago = Utc::now() - Duration::days(30);
    assert!(
        all.iter()
            .filter(|t| t.created_at < Some(month_ago))
            .count()
            > 150
    );
}

#[tokio::test]
async fn a_walk_of_3500_tickets_crosses_the_300_page_cap_while_tickets_change_ahead_and_behind() {
    let world = World::with(vec![account("big", 3_500)]).await;
    let c = world.connector("big");
    let mut returned: Vec<(String, Option<String>)> = Vec::new();
    let mut changed: HashMap<String, String> = HashMap::new();
    let requester = world.credentials("big").contact_id;
    let mut req: PageRequest<TicketFilter> = page(10);
    let mut pages = 0;
    loop {
        let p = c.list_tickets(&req).await.unwrap();
        returned.extend(
            p.items
                .iter()
                .map(|t| (t.id.to_string(), t.subject.clone())),
        );
        pages += 1;
        let Some(next) = p.next else { break };
        req.cursor = Some(next);
        if pages % 40 == 0 {
            // One ticket far ahead of the cursor, one already behind it, and a new one.
            let ahead = (pages * 10 + 1_000).min(3_500);
            let behind = (pages * 10 - 50).min(3_400);
            for id in [ahead, behind] {
                let subject = format!("changed on page {pages}");
                let patch = TicketPatch {
                    subject: Some(subject.clone()),
                    ..TicketPatch::default()
                };
                c.update_ticket(&id.to_string().into(), &patch)
                    .await
                    .unwrap_or_else(|e| panic!("{id} on page {pages}: {e:?}"));
                changed.insert(id.to_string(), subject);
            }
            let mut fresh: deskgate_core::model::NewTicket =
                serde_json::from_value(serde_json::json!({
                "subject": format!("created on page {pages}"), "description": "new",
                "requester_id": requester.to_string()}))
                .unwrap();
            fresh.tags = vec!["walk".into()];
            let created = c.create_ticket(&fresh).await.unwrap();
            changed.insert(created.id.to_string(), fresh.subject);
        }
    }
    assert!(
        pages > 300,
        "the walk went past the 300-page cap ({pages} pages)"
    );
    let seen: HashSet<&str> = returned.iter().map(|(id, _)| id.as_str()).collect();
    for id in 1..=3_500 {
        assert!(
            seen.contains(id.to_string().as_str()),
            "ticket {id} was skipped"
        );
    }
    for (id, subject) in &changed {
        assert!(
            returned
                .iter()
                .any(|(i, s)| i == id && s.as_deref() == Some(subject.as_str())),
            "ticket {id} was not returned with its new state"
        );
    }
    let twice = returned.len() - seen.len();
    assert!(
        twice <= changed.len(),
        "only changed tickets come back twice ({twice})"
    );
}

#[tokio::test]
async fn updated_after_returns_only_tickets_updated_strictly_later() {
    let world = World::with(vec![account("acme", 120)]).await;
    let c = world.connector("acme");
    let all = walk(&c, page(100), async |_| {}).await;
    let mut times: Vec<_> = all.iter().map(|t| t.updated_at.unwrap()).collect();
    times.sort();
    let after = times[60];
    let expected: HashSet<&str> = all
        .iter()
        .filter(|t| t.updated_at > Some(after))
        .map(|t| t.id.as_str())
        .collect();
    let req = PageRequest {
        updated_after: Some(after),
        ..page(25)
    };
    let later = walk(&c, req, async |_| {}).await;
    let got: HashSet<&str> = later.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(got, expected);
    assert!(later.iter().all(|t| t.updated_at > Some(after)));
}

#[tokio::test]
async fn status_assignee_team_account_and_requester_filters_keep_only_matches() {
    let world = World::with(vec![account("acme", 150)]).await;
    let c = world.connector("acme");
    let all = walk(&c, page(100), async |_| {}).await;
    let pending = all
        .iter()
        .filter(|t| t.status == TicketStatus::Pending)
        .count();
    assert!(pending > 0);
    let req = PageRequest {
        filter: TicketFilter {
            status: Some(TicketStatus::Pending),
            ..TicketFilter::default()
        },
        ..page(20)
    };
    let got = walk(&c, req, async |_| {}).await;
    assert_eq!(got.len(), pending);
    assert!(got.iter().all(|t| t.status == TicketStatus::Pending));

    let sample = all
        .iter()
        .find(|t| t.assignee_id.is_some() && t.team_id.is_some())
        .unwrap();
    let filter = TicketFilter {
        assignee_id: sample.assignee_id.clone(),
        team_id: sample.team_id.clone(),
        requester_id: sample.requester_id.clone(),
        account_id: sample.account_id.clone(),
        ..TicketFilter::default()
    };
    let expected = all
        .iter()
        .filter(|t| {
            t.assignee_id == filter.assignee_id
                && t.team_id == filter.team_id
                && t.requester_id == filter.requester_id
                && (filter.account_id.is_none() || t.account_id == filter.account_id)
        })
        .count();
    let got = walk(&c, PageRequest { filter, ..page(50) }, async |_| {}).await;
    assert_eq!(got.len(), expected);
    assert!(got.iter().any(|t| t.id == sample.id));
}
