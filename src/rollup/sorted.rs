//! Rows not in time order (a file in descending order, sorted by queue,
//! several files that interleave), rolled up in bounded memory: the files
//! are read once, in path order, their rows sorted by start through a
//! temporary file ([`Sorter`]), and the sorted rows folded into the same
//! packed, spilled [`Store`] as the chunks of a file in time order.
//!
//! The result is the reference path's, row for row: the rows are read by
//! the same reader in the same order, and the duplicate rule (the first
//! row of a key and start, in path then file order, is kept) is applied
//! to each instant's rows sorted by key, source and record, so a
//! duplicate is the same row. Without `--skip-invalid` the run stops at
//! its first error in read order: reading stops at the first invalid row,
//! and a duplicate among the rows before it comes first.

use std::cmp::Ordering;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::chunked::{ChunkedRun, Store};
use super::engine::{duplicate_error, Producer, ReaderSource, RollupRow, Skips, Worker};
use super::Plan;
use crate::error::{Error, Result};
use crate::runs::TEMP;
use crate::sort::{sort_instant, Sorter};
use crate::window::cmp_row_keys;

/// Rows folded before their partial joins the store: the store's work is
/// per key, so a partial should hold many rows per key.
const ABSORB_ROWS: usize = 1 << 16;

/// Rolls up the files `paths` (in path order), opened by `open`, sorting
/// their rows in about `limit` bytes of memory.
pub(super) fn run<T: RollupRow>(
    plan: &Plan,
    paths: &[&Path],
    open: impl Fn(usize) -> Result<ReaderSource>,
    limit: usize,
) -> Result<ChunkedRun<T::Sums>> {
    let abort = AtomicBool::new(false);
    let names: Vec<Arc<str>> = paths.iter().map(|p| p.to_string_lossy().into()).collect();
    let mut sorter = Sorter::<T>::new(limit);
    let (mut read, mut straddled) = (0, 0);
    let mut skips = Skips::default();
    let mut first_error = None;
    for (i, name) in names.iter().enumerate() {
        let src = match open(i) {
            Ok(src) => src,
            Err(e) => {
                first_error = Some(e);
                break;
            }
        };
        let mut prod =
            Producer::<T, _>::new(src, plan, i, name.clone(), Default::default(), &abort)
                .without_duplicates();
        for batch in &mut prod {
            for row in batch.rows {
                sorter.push(row, i)?;
            }
        }
        read += prod.read;
        straddled += prod.straddled;
        skips = skips.merge(std::mem::take(&mut prod.skips));
        if let Some(e) = prod.error.take() {
            first_error = Some(e);
            break;
        }
    }
    let mut worker = Worker::<T::Sums>::new(plan);
    let mut store = Store::default();
    let (mut kept, mut pending) = (0, 0);
    // The first duplicate in read order (file, record), when not skipped.
    let mut duplicate: Option<((usize, u64), Error)> = None;
    let mut refused = false;
    sorter.finish(|rows| {
        sort_instant(rows);
        for j in 0..rows.len() {
            let e = &rows[j];
            if j > 0 && cmp_row_keys(&rows[j - 1].row, &e.row) == Ordering::Equal {
                let err = || duplicate_error(plan, &names[e.src], &e.row);
                if plan.skip_invalid {
                    skips.count(&err(), (e.src, e.row.pos().line()));
                } else {
                    // Only the earliest is reported: no message for the rest.
                    let order = (e.src, e.row.pos().record());
                    if duplicate.as_ref().is_none_or(|d| order < d.0) {
                        duplicate = Some((order, err()));
                    }
                }
                continue;
            }
            kept += 1;
            pending += 1;
            worker.add(&e.row, e.src, &names[e.src]);
        }
        // A partial ends at an instant, so no later one adds to its buckets.
        if pending >= ABSORB_ROWS {
            pending = 0;
            refused = store.absorb(std::mem::take(&mut worker.partial)).is_none();
        }
        !refused
    })?;
    // Every row sorted was read before the error that stopped the reading,
    // so a duplicate among them comes first.
    if let Some(e) = duplicate.map(|d| d.1).or(first_error) {
        return Err(e);
    }
    // A row goes to the bucket of its start, so a key's buckets come in
    // order; the store refuses one that does not, which only a broken sort
    // could give.
    if refused || store.absorb(worker.partial).is_none() {
        let e = std::io::Error::other("the sorted rows came back out of time order");
        return Err(Error::io(TEMP, e));
    }
    store.meta.straddled += straddled;
    store.close();
    Ok(ChunkedRun {
        store,
        read,
        kept,
        skips,
    })
}
