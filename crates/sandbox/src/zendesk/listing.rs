//! Listing a lazily seeded collection with either pagination style.

use serde_json::Value;

use super::context::Ctx;
use super::errors::ZendeskError;
use super::paging::{Out, PageRequest};
use crate::collection::{Collection, Filter};
use crate::query::QueryParams;

pub(crate) struct Listing<'a, T> {
    pub(crate) path: &'a str,
    pub(crate) key: &'a str,
    pub(crate) collection: &'a Collection<T>,
    pub(crate) fetch: &'a dyn Fn(u64) -> Option<T>,
    pub(crate) render: &'a dyn Fn(&T) -> Value,
    pub(crate) filter: Filter<'a>,
}

impl<T: Clone> Listing<'_, T> {
    pub(crate) fn respond(&self, ctx: &Ctx, q: &QueryParams) -> Result<Value, ZendeskError> {
        let render_ids = |ids: &[u64]| -> Vec<Value> {
            ids.iter()
                .filter_map(|id| (self.fetch)(*id))
                .map(|r| (self.render)(&r))
                .collect()
        };
        Ok(match PageRequest::parse(q)? {
            PageRequest::Cursor {
                size,
                after,
                before,
            } => {
                let (ids, has_more) = match before {
                    Some(b) => self.collection.ids_before(Some(b), size, self.filter),
                    None => self.collection.ids_after(after, size, self.filter),
                };
                let first_last = ids
                    .first()
                    .zip(ids.last())
                    .map(|(f, l)| (f.to_string(), l.to_string()));
                Out {
                    ctx,
                    path: self.path,
                    q,
                    key: self.key,
                }
                .cursor(render_ids(&ids), first_last, has_more, size)
            }
            PageRequest::Offset { page, per_page } => {
                let limit = usize::try_from(per_page).unwrap_or(100);
                let ids = self
                    .collection
                    .ids_at_offset((page - 1) * per_page, limit, self.filter);
                let count = match self.filter {
                    None => self.collection.len(),
                    Some(_) => self
                        .collection
                        .ids_after(None, usize::MAX, self.filter)
                        .0
                        .len() as u64,
                };
                Out {
                    ctx,
                    path: self.path,
                    q,
                    key: self.key,
                }
                .offset(render_ids(&ids), page, per_page, count)
            }
        })
    }
}
