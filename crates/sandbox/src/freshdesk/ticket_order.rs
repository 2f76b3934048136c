//! `GET /tickets` ordering and windowing without materializing the account.
//!
//! Seeded tickets have `created_at` and `updated_at` that never decrease with the id (see
//! `seed.rs`), so untouched seeded tickets that pass the window (created, or updated,
//! since a time) are a suffix of the id range, already in `(key, id)` order for both keys.
//! Changed and created tickets (the overlay, small) are sorted on their own and merged in:
//! for each, a binary search over the seeded range says how many untouched tickets precede
//! it. A page then costs O(changes · log tickets + page size). Ordering by `due_by` or
//! `status`, whose seeded values are not monotonic, sorts every qualifying ticket's key.
//!
//! The trash (`filter=deleted`) holds only tickets deleted through the API, all in the
//! overlay, so it is sorted whole.

use super::account::Data;
use super::records::Ticket;
use crate::collection::Slot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderBy {
    CreatedAt,
    UpdatedAt,
    DueBy,
    Status,
}

impl OrderBy {
    pub(crate) const NAMES: &'static str = "created_at,due_by,updated_at,status";

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "created_at" => Some(Self::CreatedAt),
            "updated_at" => Some(Self::UpdatedAt),
            "due_by" => Some(Self::DueBy),
            "status" => Some(Self::Status),
            _ => None,
        }
    }

    fn key(self, t: &Ticket) -> i64 {
        match self {
            Self::CreatedAt => t.created_at,
            Self::UpdatedAt => t.updated_at,
            Self::DueBy => t.due_by,
            Self::Status => i64::try_from(t.status).unwrap_or(i64::MAX),
        }
    }
}

/// Which tickets the list shows: created since, or updated since, an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Since {
    Created(i64),
    Updated(i64),
}

impl Since {
    fn admits(self, t: &Ticket) -> bool {
        match self {
            Self::Created(at) => t.created_at >= at,
            Self::Updated(at) => t.updated_at >= at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Order {
    pub(crate) by: OrderBy,
    pub(crate) descending: bool,
    pub(crate) since: Since,
}

/// One page of the ordered list, and how many tickets the whole list has.
#[derive(Debug)]
pub(crate) struct Window {
    pub(crate) tickets: Vec<Ticket>,
    pub(crate) total: u64,
}

/// The first `x` in `lo..hi` for which `before(x)` is false (`before` must be true, then
/// false, over the range).
fn partition(mut lo: u64, mut hi: u64, before: impl Fn(u64) -> bool) -> u64 {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// One page of the trash: deleted tickets that pass the window, ordered like the list.
pub(crate) fn trash(data: &Data, order: Order, skip: u64, limit: usize) -> Window {
    let mut tickets: Vec<&Ticket> = data
        .tickets
        .overlay()
        .values()
        .filter_map(|slot| match slot {
            Slot::Deleted(t, _) if order.since.admits(t) => Some(t),
            _ => None,
        })
        .collect();
    tickets.sort_by_key(|t| (order.by.key(t), t.id));
    if order.descending {
        tickets.reverse();
    }
    let start = usize::try_from(skip).unwrap_or(usize::MAX);
    Window {
        total: tickets.len() as u64,
        tickets: tickets
            .into_iter()
            .skip(start)
            .take(limit)
            .cloned()
            .collect(),
    }
}

pub(crate) fn list(data: &Data, order: Order, skip: u64, limit: usize) -> Window {
    let mut changed: Vec<(i64, u64, &Ticket)> = data
        .tickets
        .overlay()
        .values()
        .filter_map(|slot| match slot {
            Slot::Live(t) if order.since.admits(t) => Some((order.by.key(t), t.id, t)),
            _ => None,
        })
        .collect();
    changed.sort_by_key(|(key, id, _)| (*key, *id));
    if order.descending {
        changed.reverse();
    }
    let walk = Walk {
        data,
        order,
        changed,
        skip,
        limit,
    };
    match order.by {
        OrderBy::CreatedAt | OrderBy::UpdatedAt => merged(&walk),
        OrderBy::DueBy | OrderBy::Status => sorted(&walk),
    }
}

/// One page request over the account: the changed tickets that pass the window, sorted in
/// walking order, and which slice of the whole list to return.
struct Walk<'a> {
    data: &'a Data,
    order: Order,
    changed: Vec<(i64, u64, &'a Ticket)>,
    skip: u64,
    limit: usize,
}

/// Seeded indexes (id − 1) that the overlay holds, ascending.
struct Excluded(Vec<u64>);

impl Excluded {
    /// How many lie in `a..b`.
    fn between(&self, a: u64, b: u64) -> u64 {
        let count = self.0.partition_point(|x| *x < b) - self.0.partition_point(|x| *x < a);
        count as u64
    }

    fn contains(&self, x: u64) -> bool {
        self.0.binary_search(&x).is_ok()
    }
}

fn merged(walk: &Walk<'_>) -> Window {
    let Walk {
        data,
        order,
        ref changed,
        skip,
        limit,
    } = *walk;
    let seed = &data.seed;
    let n = data.tickets.seeded();
    let key = |i: u64| match order.by {
        OrderBy::UpdatedAt => seed.ticket_updated_at(i),
        _ => seed.ticket_created_at(i),
    };
    let lo = partition(0, n, |i| match order.since {
        Since::Created(at) => seed.ticket_created_at(i) < at,
        Since::Updated(at) => seed.ticket_updated_at(i) < at,
    });
    let excluded = Excluded(
        data.tickets
            .overlay()
            .range(1..=n)
            .map(|(id, _)| id - 1)
            .collect(),
    );
    let seeded_len = (n - lo) - excluded.between(lo, n);
    // How many untouched seeded tickets come before each changed one.
    let seeded_before: Vec<u64> = changed
        .iter()
        .map(|(k, id, _)| {
            if order.descending {
                let b = partition(lo, n, |i| (key(i), i + 1) <= (*k, *id));
                (n - b) - excluded.between(b, n)
            } else {
                let b = partition(lo, n, |i| (key(i), i + 1) < (*k, *id));
                (b - lo) - excluded.between(lo, b)
            }
        })
        .collect();
    let earlier = (0..changed.len())
        .take_while(|k| (*k as u64) + seeded_before[*k] < skip)
        .count();
    let mut rank = skip - earlier as u64;
    let mut next_changed = earlier;
    let mut cursor: Option<u64> = None;
    let mut tickets = Vec::with_capacity(limit.min(100));
    while tickets.len() < limit {
        if next_changed < changed.len() && seeded_before[next_changed] <= rank {
            tickets.push(changed[next_changed].2.clone());
            next_changed += 1;
        } else if rank < seeded_len {
            let index = match cursor {
                None => nth_untouched(&excluded, lo, n, rank, order.descending),
                Some(previous) => step(&excluded, previous, order.descending),
            };
            cursor = Some(index);
            tickets.push(seed.ticket(index));
            rank += 1;
        } else {
            break;
        }
    }
    Window {
        tickets,
        total: seeded_len + changed.len() as u64,
    }
}

/// The `rank`-th (0-based) index of `lo..n` not in `excluded`, counted from the low end or,
/// when `descending`, from the high end. The rank must exist.
fn nth_untouched(excluded: &Excluded, lo: u64, n: u64, rank: u64, descending: bool) -> u64 {
    // Each step moves by the shortfall, which never overshoots the answer.
    if descending {
        let mut x = n - 1 - rank;
        loop {
            let count = (n - x) - excluded.between(x, n);
            if count > rank {
                return x;
            }
            x -= rank + 1 - count;
        }
    } else {
        let mut x = lo + rank;
        loop {
            let count = (x + 1 - lo) - excluded.between(lo, x + 1);
            if count > rank {
                return x;
            }
            x += rank + 1 - count;
        }
    }
}

/// The next index after `previous` in walking order that is not in `excluded`.
fn step(excluded: &Excluded, previous: u64, descending: bool) -> u64 {
    let mut x = previous;
    loop {
        x = if descending { x - 1 } else { x + 1 };
        if !excluded.contains(x) {
            return x;
        }
    }
}

fn sorted(walk: &Walk<'_>) -> Window {
    let (data, order) = (walk.data, walk.order);
    let n = data.tickets.seeded();
    let mut keys: Vec<(i64, u64)> = (0..n)
        .filter(|i| !data.tickets.overlay().contains_key(&(i + 1)))
        .map(|i| data.seed.ticket(i))
        .filter(|t| order.since.admits(t))
        .map(|t| (order.by.key(&t), t.id))
        .chain(walk.changed.iter().map(|(k, id, _)| (*k, *id)))
        .collect();
    keys.sort_unstable();
    if order.descending {
        keys.reverse();
    }
    let start = usize::try_from(walk.skip).unwrap_or(usize::MAX);
    let tickets = keys
        .iter()
        .skip(start)
        .take(walk.limit)
        .filter_map(|(_, id)| data.ticket(*id))
        .collect();
    Window {
        tickets,
        total: keys.len() as u64,
    }
}
