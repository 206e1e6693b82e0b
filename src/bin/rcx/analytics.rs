//! `rcx analytics aggregate|timeline`: an Analytics API request body over
//! files, answered in the API's response shape (SPEC 8). Interval reports
//! go through the rollup's engine, as `rcx rollup --request FILE --format
//! analytics`; interaction metadata through the calls', as `rcx calls`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, Subcommand};
use ringcx_reports::calls::{Calls, DEFAULT_SL_THRESHOLD_S};
use ringcx_reports::rollup::{AnalyticsRequest, Endpoint, Rollup};
use ringcx_reports::window::BucketInterval;
use ringcx_reports::write::{write_calls, write_rollup, TableFormat};
use ringcx_reports::{Error, ReportKind};

use crate::common::{self, one_of, GroupMapOpts, Output, ReadOpts, ResponseOpts};
use crate::progress::Bar;
use crate::rollup::skipped_exit;

/// Answer an Analytics API request body over exported files, in the API's
/// response shape.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(subcommand)]
    endpoint: EndpointArgs,
}

/// The endpoint the body is sent to.
#[derive(Subcommand, Debug)]
enum EndpointArgs {
    /// One record per key over the whole range (calls/aggregate,
    /// aggregation/fetch).
    Aggregate(BodyArgs),
    /// Points per interval (calls/timeline, timeline/fetch).
    Timeline {
        /// The endpoint's interval (its query parameter) [default: the
        /// body's top-level `interval`].
        #[arg(long, value_parser = one_of(Endpoint::INTERVALS), ignore_case = true)]
        interval: Option<BucketInterval>,
        #[command(flatten)]
        body: BodyArgs,
    },
}

/// What both endpoints take.
#[derive(ClapArgs, Debug)]
struct BodyArgs {
    /// The request body (JSON), as sent to the API.
    #[arg(long, value_name = "FILE")]
    body: PathBuf,
    /// Input files of one report (Queue Statistics, Agent Extended, or
    /// interaction metadata).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Interaction metadata: answered within service level (queueSla,
    /// callsByQueueSla) is a wait of at most this many seconds [default:
    /// 20]. Interval reports carry their own service level.
    #[arg(long, value_name = "SECONDS")]
    sl_threshold: Option<u32>,
    #[command(flatten)]
    maps: GroupMapOpts,
    #[command(flatten)]
    response: ResponseOpts,
    /// Skip rows that cannot be read or placed, count them by code, and exit 1.
    #[arg(long)]
    skip_invalid: bool,
    #[command(flatten)]
    read: ReadOpts,
    /// Write to FILE instead of standard output (a regular file is replaced
    /// atomically; a device, FIFO or socket is written through).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    let (endpoint, a) = match a.endpoint {
        EndpointArgs::Aggregate(body) => (Endpoint::Aggregate, body),
        EndpointArgs::Timeline { interval, body } => (Endpoint::Timeline(interval), body),
    };
    let inputs: Vec<PathBuf> = a
        .files
        .iter()
        .chain([&a.body])
        .chain(a.maps.files())
        .cloned()
        .collect();
    let mut out = Output::new(a.output.as_ref(), &inputs)?;
    let mut request = AnalyticsRequest::from_path_for(&a.body, Some(endpoint))?;
    let bar = Bar::for_files(quiet, "answering", &a.files);
    let rb = a.read.builder_counting(bar.as_ref());
    if rb.kind_of(&a.files[0])? == ReportKind::Segments {
        if let Some(map) = a.maps.files().next() {
            return Err(Error::usage(format!(
                "{}: group maps apply to interval reports; interaction metadata groups users \
                 by their segments' agent group",
                map.display()
            )));
        }
        request.answer = a.response.answer(request.answer)?;
        let calls = Calls::new()
            .sl_threshold(a.sl_threshold.unwrap_or(DEFAULT_SL_THRESHOLD_S))
            .skip_invalid(a.skip_invalid)
            .request(&request)?;
        let table = calls.run_files(&a.files, &rb)?;
        drop(bar);
        write_calls(&table, TableFormat::Analytics, &mut out)?;
        out.finish()?;
        let stats = table.stats();
        return Ok(crate::timeline::report(&stats.load, &stats.warnings, quiet));
    }
    if a.sl_threshold.is_some() {
        return Err(Error::usage(
            "--sl-threshold applies to interaction metadata; interval reports carry their own \
             service level",
        ));
    }
    let mut r = Rollup::new()
        .source_tz(a.read.source_tz)
        .request(&request)?
        .skip_invalid(a.skip_invalid);
    r = a.maps.apply(r)?;
    let output = a.response.apply(r)?.output_files(&a.files, &rb)?;
    drop(bar);
    let stats = write_rollup(output, TableFormat::Analytics, &mut out)?;
    common::warn(&stats.warnings);
    out.finish()?;
    Ok(skipped_exit(&stats, quiet))
}
