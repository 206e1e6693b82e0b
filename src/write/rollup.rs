//! Rollup output in the format asked for (SPEC 4.4): a finished
//! [`RollupTable`] ([`write_table`]) or a file rollup's result as it comes
//! ([`write_rollup`], which prints a packed result without building the
//! table). CSV, TSV, Markdown, JSON and NDJSON rows are formatted by
//! [`super::table`], the
//! Analytics shape by [`super::analytics`].

use std::io::Write;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::option::OptionName;
use chrono_tz::Tz;

use crate::rollup::{
    AnalyticsAnswer, MetricColumns, Metrics, PackedRollup, ResponseVersion, RollupOutput,
    RollupStats, RollupTable,
};

use super::table::RowStream;
use super::TableFormat;

/// Writes a file rollup's result to `out` in `format`, the same bytes as
/// [`write_table`] of its table, and returns its stats. A packed result
/// ([`RollupOutput::Packed`]) printed in a format other than the aligned
/// table and the Analytics response is never
/// built as a table: its pieces are formatted in parallel, a window at a
/// time, and written in order.
pub fn write_rollup<W: Write>(
    output: RollupOutput,
    format: TableFormat,
    out: &mut W,
) -> Result<RollupStats> {
    only_analytics(output.analytics_answer(), format)?;
    match output {
        RollupOutput::Packed(p)
            if !matches!(
                format,
                TableFormat::Table | TableFormat::Analytics | TableFormat::Parquet
            ) =>
        {
            write_packed(&p, format, out)?;
            Ok(p.stats().clone())
        }
        RollupOutput::Packed(p) if format == TableFormat::Analytics => {
            super::analytics::write_analytics(&p, out)?;
            Ok(p.stats().clone())
        }
        RollupOutput::Packed(p) if format == TableFormat::Table => {
            super::table::write_aligned(&p, out)?;
            Ok(p.stats().clone())
        }
        RollupOutput::Packed(p) if format == TableFormat::Parquet => {
            write_parquet(
                p.tz(),
                p.key_columns(),
                p.metric_columns(),
                out,
                &mut |row| {
                    for i in 0..p.pieces() {
                        let keys = p.piece_keys(i);
                        let mut failed = None;
                        p.for_each_bucket(i, &mut |s, e, m| {
                            if failed.is_none() {
                                failed = row(keys, s, e, m).err();
                            }
                        })?;
                        if let Some(e) = failed {
                            return Err(e);
                        }
                    }
                    Ok(())
                },
            )?;
            Ok(p.stats().clone())
        }
        o => {
            let t = o.into_table()?;
            write_table(&t, format, out)?;
            Ok(t.stats().clone())
        }
    }
}

fn write_packed<W: Write>(p: &PackedRollup, format: TableFormat, out: &mut W) -> Result<()> {
    let mut w = RowStream::new(format, p.tz(), p.key_columns(), p.metric_columns(), out)?;
    // Each key's buckets are stored in pieces that decode on their own: a
    // window of pieces (in output order) is formatted in parallel, a run of
    // `PER_TASK` pieces per thread (each thread with its own formatter and
    // label cache), then written in order. The text held at once is a
    // window's worth, however long the keys. Longer runs print faster but
    // hold more: four pieces a thread took 7% off the hourly rollup of 10
    // million rows and raised the peak of a 4 GB day rollup to 14% above
    // the 1 GB one's (one piece: 7%).
    const PER_TASK: usize = 1;
    let threads = rayon::current_num_threads().max(1);
    let mut fmts: Vec<_> = (0..threads).map(|_| w.formatter()).collect();
    let mut bufs: Vec<(Vec<u8>, u64)> = vec![(Vec::new(), 0); threads];
    let pieces: Vec<usize> = (0..p.pieces()).collect();
    for win in pieces.chunks(threads * PER_TASK) {
        let tasks = win.len().div_ceil(PER_TASK);
        fmts.par_iter_mut()
            .zip(bufs.par_iter_mut())
            .zip(win.par_chunks(PER_TASK))
            .try_for_each(|((f, (buf, n)), run)| -> Result<()> {
                buf.clear();
                *n = 0;
                for &i in run {
                    f.key(p.piece_keys(i));
                    *n += p.for_each_bucket(i, &mut |s, e, m| f.row(buf, s, e, m))?;
                }
                Ok(())
            })?;
        for (buf, n) in &bufs[..tasks] {
            w.push_rows(buf, *n)?;
        }
    }
    w.finish()
}

/// What hands every row of a rollup, in output order, to a row writer:
/// its keys, bucket bounds (seconds since the epoch) and metrics.
type EachRow<'a> =
    dyn FnMut(&mut dyn FnMut(&[String], i64, i64, &Metrics) -> Result<()>) -> Result<()> + 'a;

/// Writes the rows `each` gives as one Parquet file (see `table_parquet`).
#[cfg(feature = "parquet")]
fn write_parquet<W: Write>(
    tz: Tz,
    keys: &'static [&'static str],
    cols: &MetricColumns,
    out: &mut W,
    each: &mut EachRow<'_>,
) -> Result<()> {
    let metrics = cols.iter().map(|c| (c.name, c.stored));
    let mut t = super::table_parquet::TableParquet::buckets(out, &tz, keys, metrics)?;
    let picked: Vec<usize> = cols.indexed().map(|(i, _)| i).collect();
    each(&mut |k, s, e, m| t.bucket_row(k, s, e, picked.iter().map(|&i| m.raw_cell(i).typed())))?;
    t.finish()
}

/// Without the `parquet` feature: refused by name.
#[cfg(not(feature = "parquet"))]
fn write_parquet<W: Write>(
    _: Tz,
    _: &'static [&'static str],
    _: &MetricColumns,
    _: &mut W,
    _: &mut EachRow<'_>,
) -> Result<()> {
    Err(super::parquet_refused())
}

/// Refuses, in a format other than the Analytics response, what only that
/// response answers: a request's `responseOptions`, filters or key
/// selection, and a page.
fn only_analytics(answer: &AnalyticsAnswer, format: TableFormat) -> Result<()> {
    if format == TableFormat::Analytics {
        return Ok(());
    }
    let what = if let Some(key) = &answer.shaping {
        format!("the request's {key}")
    } else if answer.page.is_some() {
        OptionName::Page.to_string()
    } else if answer.per_page.is_some() {
        OptionName::PerPage.to_string()
    } else if answer.version != ResponseVersion::Current {
        OptionName::AnalyticsVersion.to_string()
    } else {
        return Ok(());
    };
    let name = format!("{format:?}").to_ascii_lowercase();
    Err(Error::usage(format!(
        "{what} shapes an Analytics response; the {name} format cannot answer it (use the \
         analytics format)"
    )))
}

/// Writes `table` to `out` in `format`.
///
/// ```
/// use ringcx_reports::rollup::Rollup;
/// use ringcx_reports::write::{write_table, TableFormat};
/// use ringcx_reports::{AgentExtRow, ReaderBuilder};
/// let data = "15,20240304,08:00,42,\"Kaduk, Alena\",5686,Sales,300,30,2,1\n";
/// let mut reader = ReaderBuilder::new().from_bytes("a.csv", data.into())?;
/// let table = Rollup::new().run_rows(reader.rows::<AgentExtRow>())?;
/// let mut out = Vec::new();
/// write_table(&table, TableFormat::Csv, &mut out)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "\
/// agent_id,agent_name,bucket_start,bucket_end,rows,answered,transferred_out,talk_s,wrap_s,handle_s,aht_s,avg_talk_s,avg_wrap_s,transfer_rate_pct
/// 42,\"Kaduk, Alena\",2024-03-04T08:00:00+00:00,2024-03-04T09:00:00+00:00,1,2,1,300,30,330,165.00,150.00,15.00,50.00
/// ");
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn write_table<W: Write>(table: &RollupTable, format: TableFormat, out: &mut W) -> Result<()> {
    only_analytics(table.analytics_answer(), format)?;
    let io = |e| Error::io("<output>", e);
    let mut buf = String::with_capacity(1 << 16);
    let flush = |buf: &mut String, out: &mut W| -> Result<()> {
        out.write_all(buf.as_bytes()).map_err(io)?;
        buf.clear();
        Ok(())
    };
    match format {
        TableFormat::Csv
        | TableFormat::Tsv
        | TableFormat::Markdown
        | TableFormat::Json
        | TableFormat::Ndjson => {
            let mut w = RowStream::new(
                format,
                table.tz(),
                table.key_columns(),
                table.metric_columns(),
                out,
            )?;
            let mut last: Option<&[String]> = None;
            for r in table.records() {
                if last != Some(r.keys()) {
                    w.key(r.keys());
                    last = Some(r.keys());
                }
                w.row(
                    r.bucket_start().timestamp(),
                    r.bucket_end().timestamp(),
                    r.metrics(),
                )?;
            }
            return w.finish();
        }
        TableFormat::Table => super::table::aligned(table, &mut buf),
        TableFormat::Analytics => return super::analytics::write_analytics(table, out),
        TableFormat::Parquet => {
            let (keys, cols) = (table.key_columns(), table.metric_columns());
            return write_parquet(table.tz(), keys, cols, out, &mut |row| {
                for r in table.records() {
                    let (s, e) = (r.bucket_start().timestamp(), r.bucket_end().timestamp());
                    row(r.keys(), s, e, r.metrics())?;
                }
                Ok(())
            });
        }
    }
    flush(&mut buf, out)?;
    out.flush().map_err(io)
}
