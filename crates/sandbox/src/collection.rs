//! A collection of records whose seeded part is generated on demand from an index, with an
//! overlay holding modified, created and deleted records. Ids of seeded records are
//! contiguous (`base + index`); created records get ids after the seeded range.

use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub(crate) enum Slot<T> {
    Live(T),
    /// Deleted, kept for incremental export (which reports deleted tickets).
    Deleted(T, i64),
}

#[derive(Debug)]
pub(crate) struct Collection<T> {
    base: u64,
    seeded: u64,
    overlay: BTreeMap<u64, Slot<T>>,
    next_id: u64,
    deleted: u64,
}

impl<T: Clone> Collection<T> {
    pub(crate) fn new(base: u64, seeded: u64) -> Self {
        Self {
            base,
            seeded,
            overlay: BTreeMap::new(),
            next_id: base + seeded,
            deleted: 0,
        }
    }

    /// How many records were seeded (ids `base..base + seeded`).
    pub(crate) fn seeded(&self) -> u64 {
        self.seeded
    }

    fn is_seeded(&self, id: u64) -> bool {
        id >= self.base && id < self.base + self.seeded
    }

    pub(crate) fn index_of(&self, id: u64) -> Option<u64> {
        self.is_seeded(id).then(|| id - self.base)
    }

    pub(crate) fn len(&self) -> u64 {
        self.seeded + (self.next_id - self.base - self.seeded) - self.deleted
    }

    pub(crate) fn allocate_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The live record with this id.
    pub(crate) fn get(&self, id: u64, generate: impl Fn(u64) -> T) -> Option<T> {
        match self.overlay.get(&id) {
            Some(Slot::Live(t)) => Some(t.clone()),
            Some(Slot::Deleted(..)) => None,
            None => self.index_of(id).map(generate),
        }
    }

    pub(crate) fn put(&mut self, id: u64, record: T) {
        self.overlay.insert(id, Slot::Live(record));
    }

    /// Deletes a live record; returns whether one existed.
    pub(crate) fn delete(&mut self, id: u64, at: i64, generate: impl Fn(u64) -> T) -> bool {
        match self.get(id, generate) {
            Some(record) => {
                self.overlay.insert(id, Slot::Deleted(record, at));
                self.deleted += 1;
                true
            }
            None => false,
        }
    }

    /// Every changed record, including deleted ones.
    pub(crate) fn overlay(&self) -> &BTreeMap<u64, Slot<T>> {
        &self.overlay
    }

    fn is_deleted(&self, id: u64) -> bool {
        matches!(self.overlay.get(&id), Some(Slot::Deleted(..)))
    }

    /// The smallest id present (live or not) strictly after `after`.
    fn next_candidate(&self, after: Option<u64>) -> Option<u64> {
        let from = after.map_or(0, |a| a.saturating_add(1));
        let seeded = if self.seeded == 0 {
            None
        } else {
            let first = from.max(self.base);
            (first < self.base + self.seeded).then_some(first)
        };
        let over = self.overlay.range(from..).next().map(|(k, _)| *k);
        match (seeded, over) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The largest id present (live or not) strictly before `before`.
    fn prev_candidate(&self, before: Option<u64>) -> Option<u64> {
        let to = before.unwrap_or(u64::MAX);
        let seeded = if self.seeded == 0 || to <= self.base {
            None
        } else {
            Some((to - 1).min(self.base + self.seeded - 1))
        };
        let over = self.overlay.range(..to).next_back().map(|(k, _)| *k);
        match (seeded, over) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Live ids after `after`, ascending, as many as `limit`, plus whether more follow.
    pub(crate) fn ids_after(
        &self,
        after: Option<u64>,
        limit: usize,
        filter: Filter<'_>,
    ) -> (Vec<u64>, bool) {
        let mut ids = Vec::with_capacity(limit.min(1024));
        let mut cursor = after;
        while let Some(id) = self.next_candidate(cursor) {
            cursor = Some(id);
            if self.is_deleted(id) || filter.is_some_and(|f| !f(id)) {
                continue;
            }
            if ids.len() == limit {
                return (ids, true);
            }
            ids.push(id);
        }
        (ids, false)
    }

    /// Live ids before `before`, returned ascending, as many as `limit`, plus whether more
    /// precede them.
    pub(crate) fn ids_before(
        &self,
        before: Option<u64>,
        limit: usize,
        filter: Filter<'_>,
    ) -> (Vec<u64>, bool) {
        let mut ids = Vec::with_capacity(limit.min(1024));
        let mut cursor = before;
        let mut more = false;
        while let Some(id) = self.prev_candidate(cursor) {
            cursor = Some(id);
            if self.is_deleted(id) || filter.is_some_and(|f| !f(id)) {
                continue;
            }
            if ids.len() == limit {
                more = true;
                break;
            }
            ids.push(id);
        }
        ids.reverse();
        (ids, more)
    }

    /// Live ids for an offset page (ascending), skipping `skip` live records first.
    pub(crate) fn ids_at_offset(&self, skip: u64, limit: usize, filter: Filter<'_>) -> Vec<u64> {
        let mut cursor = None;
        let mut skipped = 0;
        // Fast path: without deletions or filters, seeded ids map straight to positions.
        if self.deleted == 0 && skip > 0 && skip <= self.seeded && filter.is_none() {
            cursor = Some(self.base + skip - 1);
            skipped = skip;
        }
        let mut ids = Vec::with_capacity(limit.min(1024));
        while let Some(id) = self.next_candidate(cursor) {
            cursor = Some(id);
            if self.is_deleted(id) || filter.is_some_and(|f| !f(id)) {
                continue;
            }
            if skipped < skip {
                skipped += 1;
                continue;
            }
            if ids.len() == limit {
                break;
            }
            ids.push(id);
        }
        ids
    }
}

/// An optional predicate on ids (e.g. a role filter on users).
pub(crate) type Filter<'a> = Option<&'a dyn Fn(u64) -> bool>;
