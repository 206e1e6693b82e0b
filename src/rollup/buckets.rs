//! The buckets of one output key in a worker's partial: accumulators by
//! bucket (start, end), appended in time order with an index built only
//! when a bucket comes out of order.

use crate::window::FastMap;

/// The buckets of one key. Rows of a key mostly come in time order, so
/// buckets are appended to a sorted vector, and a row of the last bucket
/// (three rows in four for quarter hours in hours) costs one comparison;
/// an index is built only when a bucket comes out of order.
#[derive(Clone, Debug)]
pub(crate) struct Buckets<S> {
    items: Vec<((i64, i64), S)>,
    /// `None` while `items` is sorted and free of duplicates.
    index: Option<FastMap<(i64, i64), u32>>,
}

impl<S> Default for Buckets<S> {
    fn default() -> Self {
        Buckets {
            items: Vec::new(),
            index: None,
        }
    }
}

impl<S: Default> Buckets<S> {
    /// The accumulator of bucket `b`, created empty when new.
    #[inline]
    pub fn slot(&mut self, b: (i64, i64)) -> &mut S {
        if self.index.is_none() {
            match self.items.last() {
                Some(l) if l.0 == b => {}
                Some(l) if l.0 > b => return self.indexed(b),
                _ => self.items.push((b, S::default())),
            }
            let n = self.items.len() - 1;
            return &mut self.items[n].1;
        }
        self.indexed(b)
    }

    #[cold]
    fn indexed(&mut self, b: (i64, i64)) -> &mut S {
        let items = &mut self.items;
        let index = self.index.get_or_insert_with(|| {
            items
                .iter()
                .enumerate()
                .map(|(i, it)| (it.0, i as u32))
                .collect()
        });
        let i = *index.entry(b).or_insert_with(|| {
            items.push((b, S::default()));
            (items.len() - 1) as u32
        });
        &mut items[i as usize].1
    }

    /// The buckets in order of start, then end.
    pub fn into_sorted(mut self) -> Vec<((i64, i64), S)> {
        if self.index.is_some() {
            self.items.sort_unstable_by_key(|it| it.0);
        }
        self.items
    }
}

impl<S> IntoIterator for Buckets<S> {
    type Item = ((i64, i64), S);
    type IntoIter = std::vec::IntoIter<((i64, i64), S)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
