//! The engine: filter, deduplicate, bucket and sum, in parallel.
//!
//! Data flow for one source (a file, or an iterator of rows):
//!
//! 1. a *producer* reads rows in source order. It applies the filters, then
//!    the duplicate check (which must see rows in order: the first row of a
//!    key and start is kept), counts or stops on invalid rows, and hands
//!    out batches of rows;
//! 2. workers fold batches into a [`Partial`]: per output key, its chosen
//!    names and one accumulator per bucket;
//! 3. partials are merged. Every merge is associative and commutative with
//!    `Default` as identity, so any batch order and any thread count give
//!    the same partial; output order is fixed at the end by sorting.
//!
//! The sequential reference path reads files this way, in path order with
//! one duplicate set. Files run elsewhere: by chunks (`chunked`), or, rows
//! not in time order, through a producer that leaves the duplicate rule to
//! the sort of their rows (`sorted`), so that no set of every row is held.
//! Both give the reference path's errors and kept rows, whatever the thread
//! count or the order the files were given in.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::NaiveDateTime;
use rayon::prelude::*;

use super::accum::{Accumulator, NamePick, Summable};
use super::buckets::Buckets;
use super::metrics::Measured;
use super::{Grouping, Plan, UNMAPPED};
use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::zones::repeat_hint;
use crate::model::{AgentExtRow, AgentRow, IntervalRow, QueueRow};
use crate::position::{Location, Position};
use crate::read::Reader;
use crate::window::{in_zone, offset_secs, Bucketer, Filter};
use crate::window::{FastMap, FastSet};

/// Rows per batch handed to a worker.
const BATCH: usize = 4096;

/// A row type the rollup engine accepts: one of the three interval rows.
pub trait RollupRow: IntervalRow + Summable<Sums: Measured> {
    /// The queue id and name, for rows that have a queue.
    fn queue(&self) -> Option<(&str, &str)>;
    /// The agent id and name, for rows that have an agent.
    fn agent(&self) -> Option<(&str, &str)>;
}

impl RollupRow for QueueRow {
    fn queue(&self) -> Option<(&str, &str)> {
        Some((&self.queue, &self.queue_name))
    }
    fn agent(&self) -> Option<(&str, &str)> {
        None
    }
}

impl RollupRow for AgentExtRow {
    fn queue(&self) -> Option<(&str, &str)> {
        Some((&self.queue, &self.queue_name))
    }
    fn agent(&self) -> Option<(&str, &str)> {
        Some((&self.agent_id, &self.agent_name))
    }
}

impl RollupRow for AgentRow {
    fn queue(&self) -> Option<(&str, &str)> {
        None
    }
    fn agent(&self) -> Option<(&str, &str)> {
        Some((&self.agent_id, &self.agent_name))
    }
}

/// The first row that did not nest in the chosen bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Misfit {
    pub order: (usize, u64),
    pub file: Arc<str>,
    pub line: u64,
    pub start: String,
    pub minutes: u32,
}

/// Sums per output key and bucket, plus what the finish needs.
#[derive(Clone, Debug)]
pub(crate) struct Partial<S> {
    pub keys: FastMap<Box<str>, KeyState<S>>,
    /// Earliest start and latest end of the kept rows.
    pub span: Option<(i64, i64)>,
    /// OR of the misfit bits of every kept row.
    pub misfit_bits: u8,
    /// Rows that do not nest in the chosen bucket, and the first of them.
    pub misfits: u64,
    pub first_misfit: Option<Misfit>,
    /// Rows read that straddle the `from` or `to` bound (kept or dropped
    /// whole by their start).
    pub straddled: u64,
}

impl<S> Default for Partial<S> {
    fn default() -> Self {
        Partial {
            keys: FastMap::default(),
            span: None,
            misfit_bits: 0,
            misfits: 0,
            first_misfit: None,
            straddled: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct KeyState<S> {
    pub names: [NamePick; 2],
    pub buckets: Buckets<S>,
}

impl<S> Default for KeyState<S> {
    fn default() -> Self {
        KeyState {
            names: Default::default(),
            buckets: Buckets::default(),
        }
    }
}

impl<S: Accumulator> Partial<S> {
    pub fn merge(mut self, mut other: Partial<S>) -> Partial<S> {
        if other.keys.len() > self.keys.len() {
            std::mem::swap(&mut self.keys, &mut other.keys);
        }
        for (k, o) in other.keys {
            match self.keys.get_mut(&k) {
                None => {
                    self.keys.insert(k, o);
                }
                Some(s) => {
                    s.names[0].merge(&o.names[0]);
                    s.names[1].merge(&o.names[1]);
                    for (b, acc) in o.buckets {
                        s.buckets.slot(b).merge(&acc);
                    }
                }
            }
        }
        self.span = match (self.span, other.span) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        };
        self.misfit_bits |= other.misfit_bits;
        self.misfits += other.misfits;
        self.straddled += other.straddled;
        self.first_misfit = match (self.first_misfit, other.first_misfit) {
            (Some(a), Some(b)) => Some(if b.order < a.order { b } else { a }),
            (a, b) => a.or(b),
        };
        self
    }
}

/// Folds rows into a partial.
pub(crate) struct Worker<'p, S> {
    plan: &'p Plan,
    bucketer: Bucketer,
    key: String,
    pub partial: Partial<S>,
}

impl<'p, S: Accumulator> Worker<'p, S> {
    pub fn new(plan: &'p Plan) -> Self {
        Worker {
            plan,
            bucketer: Bucketer::new(plan.tz, plan.interval, plan.week_start),
            key: String::new(),
            partial: Partial::default(),
        }
    }

    pub fn add_batch<T: RollupRow<Sums = S>>(&mut self, batch: &Batch<T>) {
        for row in &batch.rows {
            self.add(row, batch.file_idx, &batch.file);
        }
    }

    #[inline]
    pub fn add<T: RollupRow<Sums = S>>(&mut self, row: &T, file_idx: usize, file: &Arc<str>) {
        let t = row.start().timestamp();
        let len = row.interval().seconds();
        let info = self.bucketer.info(t, len);
        let p = &mut self.partial;
        p.misfit_bits |= info.misfit;
        if info.misfit & self.plan.interval.bit() != 0 {
            p.misfits += 1;
            let order = (file_idx, row.pos().record());
            if p.first_misfit.as_ref().is_none_or(|m| order < m.order) {
                p.first_misfit = Some(Misfit {
                    order,
                    file: file.clone(),
                    line: row.pos().line(),
                    start: row.start().to_rfc3339(),
                    minutes: row.interval().minutes(),
                });
            }
            if self.plan.attribution == crate::window::Attribution::Nest {
                // The rollup will be refused; the row is still scanned so
                // that the error can name every interval that fits.
                return;
            }
        }
        p.span = Some(match p.span {
            Some((a, b)) => (a.min(t), b.max(t + len)),
            None => (t, t + len),
        });
        self.key.clear();
        let plan = self.plan;
        let mut also: &[Arc<str>] = &[];
        let names: [Option<&str>; 2] = match self.plan.grouping {
            Grouping::Queue => {
                let (id, name) = row.queue().unwrap_or(("", ""));
                self.key.push_str(id);
                [Some(name), None]
            }
            Grouping::Agent => {
                let (id, name) = row.agent().unwrap_or(("", ""));
                self.key.push_str(id);
                [Some(name), None]
            }
            Grouping::AgentQueue => {
                let (a, an) = row.agent().unwrap_or(("", ""));
                let (q, qn) = row.queue().unwrap_or(("", ""));
                self.key.push_str(a);
                self.key.push('\u{1f}');
                self.key.push_str(q);
                [Some(an), Some(qn)]
            }
            Grouping::QueueGroup | Grouping::AgentGroup => {
                let (id, map) = if self.plan.grouping == Grouping::QueueGroup {
                    (row.queue().map_or("", |q| q.0), &plan.queue_groups)
                } else {
                    (row.agent().map_or("", |a| a.0), &plan.agent_groups)
                };
                let groups = map.as_ref().map_or(&[][..], |m| m.groups(id));
                match groups.split_first() {
                    Some((first, rest)) => {
                        self.key.push_str(first);
                        // An id in several groups counts in each.
                        also = rest;
                    }
                    None => self.key.push_str(if map.is_some() { UNMAPPED } else { "" }),
                }
                [None, None]
            }
            Grouping::All => [None, None],
        };
        let state = match p.keys.get_mut(self.key.as_str()) {
            Some(s) => s,
            None => p.keys.entry(self.key.as_str().into()).or_default(),
        };
        for (pick, name) in state.names.iter_mut().zip(names) {
            if let Some(n) = name {
                pick.offer(t, n);
            }
        }
        row.add_to(state.buckets.slot(info.bucket));
        if !also.is_empty() {
            add_to_groups(p, also, info.bucket, row);
        }
    }
}

/// Adds `row` to bucket `bucket` of each group of `groups` (the further
/// groups of an id in several: rare, so out of the row loop's way).
#[cold]
#[inline(never)]
fn add_to_groups<T: RollupRow>(
    p: &mut Partial<T::Sums>,
    groups: &[Arc<str>],
    bucket: (i64, i64),
    row: &T,
) {
    for g in groups {
        let state = match p.keys.get_mut(&**g) {
            Some(s) => s,
            None => p.keys.entry((**g).into()).or_default(),
        };
        row.add_to(state.buckets.slot(bucket));
    }
}

/// A batch of rows of one source.
pub(crate) struct Batch<T> {
    pub file_idx: usize,
    pub file: Arc<str>,
    pub rows: Vec<T>,
}

/// Invalid rows skipped, by code, and the first of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Skips {
    pub by_code: BTreeMap<Code, u64>,
    pub first: Option<((usize, u64), String)>,
}

impl Skips {
    /// Counts the skipped row of `e`, whose place in read order is
    /// `order` (file index, line); the first in that order gives the
    /// message.
    pub fn count(&mut self, e: &Error, order: (usize, u64)) {
        let code = e.code().unwrap_or(Code::DuplicateKey);
        *self.by_code.entry(code).or_default() += 1;
        if self.first.as_ref().is_none_or(|f| order < f.0) {
            self.first = Some((order, e.to_string()));
        }
    }

    pub fn merge(mut self, o: Skips) -> Skips {
        for (c, n) in o.by_code {
            *self.by_code.entry(c).or_default() += n;
        }
        self.first = match (self.first, o.first) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        self
    }
}

/// The (key, start) pairs seen in one source, for the duplicate rule.
#[derive(Debug, Default)]
pub(crate) struct DupSet {
    ids: FastMap<Box<str>, u32>,
    seen: FastSet<u128>,
}

impl DupSet {
    fn id(&mut self, key: &str) -> u32 {
        if let Some(&i) = self.ids.get(key) {
            return i;
        }
        let i = self.ids.len() as u32;
        self.ids.insert(key.into(), i);
        i
    }
    /// Records `key` at `t`; false when it was already there.
    fn insert(&mut self, key: &str, t: i64) -> bool {
        let id = self.id(key);
        self.seen.insert(((id as u128) << 64) | (t as u64 as u128))
    }
}

/// Where rows come from: a reader, or an iterator of rows.
pub(crate) trait Source<T>: Send {
    /// The next row, an error, or `None` at the end.
    fn next_row(&mut self) -> Option<Result<T>>;
    /// After an error: whether the source can go on.
    fn can_continue(&self) -> bool;
}

pub(crate) struct ReaderSource(pub Reader);

impl<T: IntervalRow> Source<T> for ReaderSource {
    fn next_row(&mut self) -> Option<Result<T>> {
        let mut row = T::default();
        match self.0.read_row(&mut row) {
            Ok(true) => Some(Ok(row)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }
    fn can_continue(&self) -> bool {
        !self.0.is_finished()
    }
}

pub(crate) struct IterSource<I>(pub I);

impl<T, I: Iterator<Item = Result<T>> + Send> Source<T> for IterSource<I> {
    fn next_row(&mut self) -> Option<Result<T>> {
        self.0.next()
    }
    fn can_continue(&self) -> bool {
        true
    }
}

/// Reads one source in order and yields batches of valid, kept rows.
pub(crate) struct Producer<'a, T, Src> {
    src: Src,
    plan: &'a Plan,
    file_idx: usize,
    file: Arc<str>,
    pub dup: DupSet,
    pub skips: Skips,
    pub error: Option<Error>,
    pub read: u64,
    pub kept: u64,
    /// Rows read that straddle a `from`/`to` bound.
    pub straddled: u64,
    /// Whether the duplicate rule is applied here (else by the caller).
    dups: bool,
    abort: &'a AtomicBool,
    local: Option<(i64, NaiveDateTime)>,
    key: String,
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<'a, T: RollupRow, Src: Source<T>> Producer<'a, T, Src> {
    pub fn new(
        src: Src,
        plan: &'a Plan,
        file_idx: usize,
        file: Arc<str>,
        dup: DupSet,
        abort: &'a AtomicBool,
    ) -> Self {
        Producer {
            src,
            plan,
            file_idx,
            file,
            dup,
            skips: Skips::default(),
            error: None,
            read: 0,
            kept: 0,
            straddled: 0,
            dups: true,
            abort,
            local: None,
            key: String::new(),
            _t: std::marker::PhantomData,
        }
    }

    /// Leaves the duplicate rule to the caller, which sees the rows in
    /// another order (the sort of rows not in time order).
    pub fn without_duplicates(mut self) -> Self {
        self.dups = false;
        self
    }

    fn keeps(&mut self, row: &T, filter: &Filter) -> bool {
        if !self.plan.keeps_ids(row) {
            return false;
        }
        let t = row.start().timestamp();
        if filter.straddles(t, || row.interval().seconds()) {
            self.straddled += 1;
        }
        let tz = &self.plan.tz;
        let cache = &mut self.local;
        filter.keeps(t, || match cache {
            Some((ct, l)) if *ct == t => *l,
            _ => {
                let off = offset_secs(tz, t) as i64;
                let l = chrono::DateTime::from_timestamp(t + off, 0)
                    .unwrap_or_default()
                    .naive_utc();
                *cache = Some((t, l));
                l
            }
        })
    }

    fn duplicate(&self, row: &T) -> Error {
        duplicate_error(self.plan, &self.file, row)
    }

    /// Handles an invalid row: counts it, or stops.
    fn invalid(&mut self, e: Error, pos_line: u64) -> bool {
        let skippable = self.plan.skip_invalid && e.code().is_some();
        if !skippable {
            self.error = Some(e);
            return false;
        }
        self.skips.count(&e, (self.file_idx, pos_line));
        true
    }
}

impl<T: RollupRow, Src: Source<T>> Iterator for Producer<'_, T, Src> {
    type Item = Batch<T>;

    fn next(&mut self) -> Option<Batch<T>> {
        if self.error.is_some() {
            return None;
        }
        let filter = self.plan.filter.clone();
        let mut rows = Vec::with_capacity(BATCH);
        while rows.len() < BATCH {
            if self.abort.load(Ordering::Relaxed) {
                break;
            }
            match self.src.next_row() {
                None => break,
                Some(Ok(row)) => {
                    self.read += 1;
                    if !self.keeps(&row, &filter) {
                        continue;
                    }
                    self.key.clear();
                    row.key_into(&mut self.key);
                    if self.dups && !self.dup.insert(&self.key, row.start().timestamp()) {
                        let e = self.duplicate(&row);
                        if !self.invalid(e, row.pos().line()) {
                            break;
                        }
                        continue;
                    }
                    self.kept += 1;
                    rows.push(row);
                }
                Some(Err(e)) => {
                    self.read += 1;
                    if !self.src.can_continue() {
                        // A fatal error (truncation, I/O) stops even with
                        // skip-invalid.
                        self.error = Some(e);
                        break;
                    }
                    let line = e.location().map_or(u64::MAX, |l| l.pos.line());
                    if !self.invalid(e, line) {
                        break;
                    }
                }
            }
        }
        if rows.is_empty() {
            return None;
        }
        Some(Batch {
            file_idx: self.file_idx,
            file: self.file.clone(),
            rows,
        })
    }
}

/// The error of `row`, read from `file`, whose key already has a row of its
/// start (the duplicate rule: the first row of a key and start is kept).
pub(crate) fn duplicate_error<T: RollupRow>(plan: &Plan, file: &Arc<str>, row: &T) -> Error {
    let mut key = String::new();
    let names = T::KEY_FIELDS;
    let mut parts = Vec::new();
    let mut k = String::new();
    row.key_into(&mut k);
    for (f, v) in names.iter().zip(k.split('\u{1f}')) {
        parts.push(format!("{} {v}", f.name()));
        key.push_str(v);
    }
    Error::data(
        Code::DuplicateKey,
        Location::new(file.clone(), row.pos()).with_field(names[0].name()),
        format!(
            "duplicate row: {} already has a row starting {} (beyond the fall-back repeat){}",
            parts.join(", "),
            row.start().to_rfc3339(),
            repeat_hint(plan.source, row.start())
        ),
        key,
    )
}

/// What one source gave.
pub(crate) struct SourceResult<S> {
    pub partial: Partial<S>,
    pub dup: DupSet,
    pub skips: Skips,
    pub error: Option<Error>,
    pub read: u64,
    pub kept: u64,
}

/// Runs one source: batches folded in parallel.
pub(crate) fn run_source_par<T, Src>(
    mut prod: Producer<'_, T, Src>,
    plan: &Plan,
) -> SourceResult<T::Sums>
where
    T: RollupRow,
    Src: Source<T>,
{
    let partial = (&mut prod)
        .par_bridge()
        .fold(
            || Worker::<T::Sums>::new(plan),
            |mut w, b| {
                w.add_batch(&b);
                w
            },
        )
        .map(|w| w.partial)
        .reduce(Partial::default, Partial::merge);
    let mut partial = partial;
    partial.straddled += prod.straddled;
    SourceResult {
        partial,
        dup: prod.dup,
        skips: prod.skips,
        error: prod.error,
        read: prod.read,
        kept: prod.kept,
    }
}

/// Runs one source on the current thread, batch after batch, into
/// `worker`.
pub(crate) fn run_source_seq<T, Src>(
    mut prod: Producer<'_, T, Src>,
    worker: &mut Worker<'_, T::Sums>,
) -> SourceResult<T::Sums>
where
    T: RollupRow,
    Src: Source<T>,
{
    for b in &mut prod {
        worker.add_batch(&b);
    }
    worker.partial.straddled += prod.straddled;
    SourceResult {
        partial: Partial::default(),
        dup: prod.dup,
        skips: prod.skips,
        error: prod.error,
        read: prod.read,
        kept: prod.kept,
    }
}

/// A location for errors about sums rather than rows.
pub(crate) fn nowhere() -> Location {
    Location::new("<rollup>", Position::default())
}

/// The error of a sum of `col` of key `keys` that passes `u64::MAX` in the
/// bucket starting at `bs` (seconds).
pub(crate) fn sum_overflow(col: &str, keys: &[String], tz: &chrono_tz::Tz, bs: i64) -> Error {
    Error::data(
        Code::Overflow,
        nowhere().with_field(col.to_owned()),
        format!(
            "the sum of {col} for key {} in the bucket starting {} passes {}",
            if keys.is_empty() {
                "all".to_owned()
            } else {
                keys.join(" ")
            },
            in_zone(tz, bs).to_rfc3339(),
            u64::MAX
        ),
        "",
    )
}
