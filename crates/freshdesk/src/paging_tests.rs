//! The Link header, numbered cursors, the ticket cursor's text form, and the ticket walk
//! against a model of Freshdesk's list (inclusive `updated_since`, ascending `updated_at`,
//! pages beyond 300 refused) while tickets change.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashSet};

use http::HeaderValue;
use proptest::prelude::*;

use deskgate_connector::testing::at;

use super::*;

fn link(value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(LINK, HeaderValue::from_str(value).unwrap());
    headers
}

#[test]
fn the_next_link_gives_the_next_page_and_its_absence_the_end() {
    let h = link("<https://acme.freshdesk.com/api/v2/contacts?per_page=10&page=2>; rel=\"next\"");
    assert_eq!(next_page(&h).unwrap(), Some(2));
    assert!(has_next(&h));
    assert_eq!(next_page(&HeaderMap::new()).unwrap(), None);
    let prev_only = link("<https://acme.freshdesk.com/api/v2/contacts?page=1>; rel=\"prev\"");
    assert_eq!(next_page(&prev_only).unwrap(), None);
    let both =
        link("</api/v2/groups?page=1>; rel=\"prev\", </api/v2/groups?page=3&per_page=5>; rel=next");
    assert_eq!(next_page(&both).unwrap(), Some(3));
    let broken = link("<https://acme.freshdesk.com/api/v2/contacts?per_page=10>; rel=\"next\"");
    assert!(matches!(
        next_page(&broken),
        Err(ConnectorError::BadResponse { .. })
    ));
}

#[test]
fn numbered_cursors_are_page_numbers_and_nothing_else() {
    assert_eq!(page_from(None).unwrap(), 1);
    assert_eq!(page_from(Some(&page_cursor(7))).unwrap(), 7);
    for bad in [
        "7",
        "p0",
        "p-1",
        "https://evil.test/?page=2",
        "pseven",
        "t1.0.1.",
    ] {
        assert!(page_from(Some(&VendorCursor(bad.into()))).is_err(), "{bad}");
    }
}

#[test]
fn the_walk_starts_at_the_epoch_so_old_tickets_are_included() {
    let start = TicketCursor::start(None);
    assert_eq!(instant(start.since()), "1970-01-01T00:00:00Z");
    let from = TicketCursor::start(Some(
        DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z")
            .unwrap()
            .to_utc(),
    ));
    assert_eq!(instant(from.since()), "2026-01-02T03:04:05Z");
}

#[test]
fn a_ticket_cursor_reads_back_and_is_never_a_url() {
    let cursor = TicketCursor {
        mark: Watermark::new(at(1_767_225_600), vec![5, 6, 9, 1000, 67_042_965_499]),
        page: 3,
    };
    let text = cursor.encode();
    assert_eq!(text.0, "t1.1767225600.3.5_1_3_rj_usrnehf");
    assert_eq!(TicketCursor::decode(&text).unwrap(), cursor);
    assert!(!text.0.contains('/') && !text.0.contains(':'));
    for bad in [
        "",
        "t1",
        "t1.x.1.",
        "t1.0.0.",
        "t1.0.1.zz!",
        "t2.0.1.",
        "t1.0.1..",
        "p2",
    ] {
        assert!(
            TicketCursor::decode(&VendorCursor(bad.into())).is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn a_cursor_with_too_many_far_apart_ids_drops_some_rather_than_grow() {
    let seen: Vec<u64> = (0..100).map(|i| i * 100_000_000_000_000_000).collect();
    let cursor = TicketCursor {
        mark: Watermark::new(at(0), seen),
        page: 1,
    };
    let text = cursor.encode();
    assert!(text.0.len() <= 900);
    let back = TicketCursor::decode(&text).unwrap();
    assert!(
        back.mark.seen().len() < 100 && back.mark.seen().ends_with(&[9_900_000_000_000_000_000])
    );
}

#[test]
fn ids_already_returned_at_the_instant_are_skipped_and_later_ones_kept() {
    let cursor = TicketCursor {
        mark: Watermark::new(at(10), vec![1, 2]),
        page: 1,
    };
    let keys = [
        (1, at(10)),
        (2, at(10)),
        (3, at(10)),
        (4, at(11)),
        (5, at(12)),
        (6, at(12)),
    ];
    let step = cursor.step(&keys, true);
    assert_eq!(step.fresh, vec![2, 3, 4, 5]);
    assert_eq!(
        step.next,
        (TicketCursor {
            mark: Watermark::new(at(12), vec![5, 6]),
            page: 1,
        })
    );
    let last = cursor.step(&keys, false);
    assert!(!last.more && last.next == cursor);
}

#[test]
fn a_page_all_at_one_instant_steps_to_the_next_page_of_that_instant() {
    let cursor = TicketCursor {
        mark: Watermark::new(at(10), vec![1]),
        page: 1,
    };
    let keys = [(1, at(10)), (2, at(10)), (3, at(10))];
    let step = cursor.step(&keys, true);
    assert_eq!(step.fresh, vec![1, 2]);
    assert_eq!(
        step.next,
        (TicketCursor {
            mark: Watermark::new(at(10), vec![1, 2, 3]),
            page: 2,
        })
    );
}

/// Freshdesk's ticket list, modelled: ascending `updated_at` (ties by id), `updated_since`
/// inclusive, pages beyond 300 refused.
/// One vendor page: `(id, updated_at)` in order, and whether more follow.
type VendorPage = (Vec<(u64, DateTime<Utc>)>, bool);

struct Vendor {
    tickets: BTreeMap<u64, i64>,
    clock: i64,
}

impl Vendor {
    fn new(n: u64) -> Self {
        // Ten tickets share each second, so ties are common.
        Self {
            tickets: (1..=n).map(|id| (id, (id as i64) / 10)).collect(),
            clock: 1_000_000,
        }
    }

    fn touch(&mut self, id: u64) {
        self.clock += 1;
        self.tickets.insert(id, self.clock);
    }

    fn create(&mut self) -> u64 {
        let id = self.tickets.keys().max().unwrap() + 1;
        self.touch(id);
        id
    }

    fn list(&self, since: DateTime<Utc>, page: u32, per_page: usize) -> Result<VendorPage, String> {
        if page > 300 {
            return Err("You cannot access tickets beyond the 300th page".into());
        }
        let mut all: Vec<(u64, i64)> = self
            .tickets
            .iter()
            .filter(|(_, u)| **u >= since.timestamp())
            .map(|(i, u)| (*i, *u))
            .collect();
        all.sort_by_key(|(id, u)| (*u, *id));
        let start = (page as usize - 1) * per_page;
        let items: Vec<_> = all
            .iter()
            .skip(start)
            .take(per_page)
            .map(|(id, u)| (*id, at(*u)))
            .collect();
        Ok((items, all.len() > start + per_page))
    }
}

/// Walks the whole list, calling `during(page_number, vendor, returned_so_far)` after each
/// unified page; returns every (id, updated_at) returned, in order.
fn walk(
    vendor: &mut Vendor,
    per_page: usize,
    mut during: impl FnMut(usize, &mut Vendor),
) -> Vec<(u64, i64)> {
    let mut cursor = Some(TicketCursor::start(None));
    let mut returned = Vec::new();
    let mut pages = 0;
    while let Some(c) = cursor {
        let c = TicketCursor::decode(&c.encode()).unwrap();
        let (keys, more) = vendor.list(c.since(), c.page, per_page).unwrap();
        let step = c.step(&keys, more);
        returned.extend(
            step.fresh
                .into_iter()
                .map(|i| (keys[i].0, keys[i].1.timestamp())),
        );
        cursor = step.more.then_some(step.next);
        pages += 1;
        assert!(pages < 10_000, "the walk does not end");
        during(pages, vendor);
    }
    returned
}

#[test]
fn a_walk_of_3500_tickets_ten_a_page_crosses_the_300_page_cap_and_returns_each_once() {
    let mut vendor = Vendor::new(3500);
    let returned = walk(&mut vendor, 10, |_, _| {});
    let ids: Vec<u64> = returned.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 3500);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        3500,
        "no ticket twice"
    );
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn tickets_changed_during_the_walk_are_never_skipped_and_come_back_with_their_new_state() {
    let mut vendor = Vendor::new(3500);
    let mut touched = Vec::new();
    let mut created = Vec::new();
    let returned = walk(&mut vendor, 10, |page, v| {
        if page % 25 == 0 {
            // One ticket ahead of the cursor, one behind it, and a new one.
            let ahead = (page as u64 * 10 + 500).min(3500);
            let behind = (page as u64 * 10).saturating_sub(100).max(1);
            v.touch(ahead);
            v.touch(behind);
            touched.push((ahead, v.tickets[&ahead]));
            touched.push((behind, v.tickets[&behind]));
            created.push(v.create());
        }
    });
    let seen: HashSet<u64> = returned.iter().map(|(id, _)| *id).collect();
    for id in vendor.tickets.keys() {
        assert!(seen.contains(id), "ticket {id} was skipped");
    }
    for (id, updated) in touched {
        if vendor.tickets[&id] == updated {
            assert!(
                returned.contains(&(id, updated)),
                "ticket {id} not returned in its new state"
            );
        }
    }
    assert!(!created.is_empty() && created.iter().all(|id| seen.contains(id)));
}

#[test]
fn an_instant_shared_by_more_tickets_than_a_page_is_walked_page_by_page() {
    let mut vendor = Vendor {
        tickets: (1..=45)
            .map(|id| (id, if id <= 5 { 1 } else { 7 }))
            .collect(),
        clock: 100,
    };
    let returned = walk(&mut vendor, 10, |_, _| {});
    let mut ids: Vec<u64> = returned.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=45).collect::<Vec<_>>());
}

proptest! {
    #[test]
    fn any_cursor_reads_back(secs in 0_i64..4_000_000_000, page in 1_u32..400, mut seen in proptest::collection::vec(0_u64..1_000_000, 0..100)) {
        seen.sort_unstable();
        seen.dedup();
        let cursor = TicketCursor { mark: Watermark::new(at(secs), seen), page };
        prop_assert_eq!(TicketCursor::decode(&cursor.encode()).unwrap(), cursor);
    }
}
