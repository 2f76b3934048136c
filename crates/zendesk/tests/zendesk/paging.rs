//! A 10,000-ticket account walked page by page while tickets change under the walk.

use std::collections::HashSet;

use deskgate_core::model::{NewTicket, Priority, TicketPatch, TicketStatus};
use deskgate_core::page::{Limit, ReadOptions, TicketFilter};
use deskgate_core::{Connector, PageRequest};

use crate::support::{World, big_account, new_ticket};

#[tokio::test]
async fn ten_thousand_tickets_page_completely_while_tickets_change() {
    let world = World::with(big_account("big", 10_000)).await;
    let c = world.connector("big", world.api_token("big"));
    let mut req: PageRequest<TicketFilter> = PageRequest {
        limit: Limit::try_from(100).unwrap(),
        ..PageRequest::default()
    };
    let mut seen: Vec<String> = Vec::new();
    let mut created = 0;
    let mut pages = 0;
    loop {
        let page = c.list_tickets(&req).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 100);
        seen.extend(page.items.iter().map(|t| t.id.0.clone()));
        // Change tickets behind and ahead of the walk, and add one at the end.
        if pages % 10 == 0 {
            // Closed tickets refuse updates, as on Zendesk: change open ones.
            let open = |t: &&deskgate_core::model::Ticket| t.status != TicketStatus::Closed;
            let behind = page.items.iter().find(open).unwrap().id.clone();
            let mut ahead = page.items.last().unwrap().id.0.parse::<u64>().unwrap() + 500;
            while ahead < 10_000
                && c.get_ticket(&ahead.into(), ReadOptions::default())
                    .await
                    .unwrap()
                    .status
                    == TicketStatus::Closed
            {
                ahead += 1;
            }
            for id in [behind, ahead.min(10_000).into()] {
                let patch = TicketPatch {
                    priority: Some(Priority::Urgent),
                    subject: Some(format!("changed on page {pages}")),
                    ..TicketPatch::default()
                };
                match c.update_ticket(&id, &patch).await {
                    Ok(t) => assert_eq!(t.priority, Some(Priority::Urgent)),
                    Err(e) => assert!(id.0 == "10000", "{e:?}"),
                }
            }
            c.create_ticket(&NewTicket {
                status: None,
                description: "during the walk".into(),
                ..new_ticket(&format!("created on page {pages}"))
            })
            .await
            .unwrap();
            created += 1;
        }
        match page.next {
            Some(next) => req.cursor = Some(next),
            None => break,
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    assert_eq!(seen.len(), 10_000 + created, "no gaps");
    for id in 1..=10_000_u64 {
        assert!(unique.contains(&id.to_string()), "ticket {id} missing");
    }
    assert!(pages >= 100);
}
