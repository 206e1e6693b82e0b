//! The first keys of a rollup result ([`RollupHead`]): what a reader that
//! shows only some keys (a chart's panels) needs, in memory that holds the
//! buckets of those keys alone, however many keys the result has.

use chrono::{DateTime, FixedOffset};

use super::{RollupOutput, RollupRecord, RollupTable};
use crate::error::Result;

/// The first and last instants of a result's buckets.
pub type Span = (DateTime<FixedOffset>, DateTime<FixedOffset>);

/// The records of a rollup's first keys, with the number of keys and the
/// span of the buckets of all of them.
///
/// ```
/// use ringcx_reports::rollup::Rollup;
/// use ringcx_reports::ReaderBuilder;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv");
/// let head = Rollup::new().output_files(&[path], &ReaderBuilder::new())?.head(1)?;
/// assert_eq!(head.keys(), 2);
/// assert!(head.table().records().iter().all(|r| r.keys()[0] == "5686"));
/// let (start, end) = head.span().unwrap();
/// assert_eq!((start.to_rfc3339(), end.to_rfc3339()),
///     ("2024-03-04T08:00:00+00:00".into(), "2024-03-04T09:00:00+00:00".into()));
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Debug)]
pub struct RollupHead {
    table: RollupTable,
    keys: usize,
    span: Option<Span>,
}

impl RollupHead {
    pub(super) fn new(table: RollupTable, keys: usize, span: Option<Span>) -> Self {
        RollupHead { table, keys, span }
    }
    /// The records of the first keys, in output order; the options, stats
    /// and warnings of the whole run.
    pub fn table(&self) -> &RollupTable {
        &self.table
    }
    /// The keys of the whole result.
    pub fn keys(&self) -> usize {
        self.keys
    }
    pub(super) fn into_table(self) -> RollupTable {
        self.table
    }
    /// The earliest bucket start and the latest bucket end of the whole
    /// result; `None` without buckets.
    pub fn span(&self) -> Option<Span> {
        self.span
    }
}

/// The number of keys of `records` (in output order: a key's records are
/// consecutive) and the span of their buckets.
pub(crate) fn keys_and_span(records: &[RollupRecord]) -> (usize, Option<Span>) {
    let keys = records
        .iter()
        .enumerate()
        .filter(|(i, r)| *i == 0 || records[i - 1].keys() != r.keys())
        .count();
    let span = records
        .iter()
        .map(|r| r.bucket_start())
        .min()
        .zip(records.iter().map(|r| r.bucket_end()).max());
    (keys, span)
}

impl RollupOutput {
    /// The records of the first `max_keys` keys, with the number of keys
    /// and the span of all buckets. A packed result decodes every bucket
    /// once and keeps the first keys' alone.
    pub fn head(self, max_keys: usize) -> Result<RollupHead> {
        match self {
            RollupOutput::Table(mut t) => {
                let (keys, span) = keys_and_span(t.records());
                t.keep_first_keys(max_keys);
                Ok(RollupHead::new(t, keys, span))
            }
            RollupOutput::Packed(p) => p.head(max_keys),
        }
    }
}
