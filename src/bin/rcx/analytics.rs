//! `rcx analytics aggregate|timeline`: an Analytics API request body over
//! files, answered in the API's response shape (SPEC 8). The engine is the
//! rollup's, as `rcx rollup --request FILE --format analytics`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, ValueEnum};
use ringcx_reports::rollup::{
    AnalyticsRequest, Endpoint, GroupMap, GroupOf, Rollup,
};
use ringcx_reports::window::BucketInterval;
use ringcx_reports::write::{write_rollup, TableFormat};
use ringcx_reports::Error;

use crate::common::{self, Output, ReadOpts, ResponseOpts};
use crate::rollup::skipped_exit;

/// The endpoint the body is sent to.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum EndpointName {
    /// One record per key over the whole range (`calls/aggregate`).
    Aggregate,
    /// Points per interval (`calls/timeline?interval=`).
    Timeline,
}

/// The timeline endpoint's `interval` query parameter.
#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "PascalCase")]
enum ApiInterval {
    Hour,
    Day,
    Week,
    Month,
}

impl From<ApiInterval> for BucketInterval {
    fn from(i: ApiInterval) -> Self {
        match i {
            ApiInterval::Hour => BucketInterval::Hour,
            ApiInterval::Day => BucketInterval::Day,
            ApiInterval::Week => BucketInterval::Week,
            ApiInterval::Month => BucketInterval::Month,
        }
    }
}

/// Answer an Analytics API request body over exported files, in the API's
/// response shape.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// The endpoint: aggregate (totals per key) or timeline (points).
    #[arg(value_enum)]
    endpoint: EndpointName,
    /// The request body (JSON), as sent to the API.
    #[arg(long, value_name = "FILE")]
    body: PathBuf,
    /// The timeline endpoint's interval (its query parameter); the body's
    /// top-level `interval` otherwise.
    #[arg(long, value_enum, ignore_case = true)]
    interval: Option<ApiInterval>,
    /// Input files of one report (Queue Statistics or Agent Extended).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Agent group map for UserGroups: CSV id,group or queue-groups JSON.
    #[arg(long, value_name = "FILE")]
    agent_groups: Option<PathBuf>,
    /// Queue group map for QueueGroups: CSV id,group or queue-groups JSON.
    #[arg(long, value_name = "FILE")]
    queue_groups: Option<PathBuf>,
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
    let endpoint =
        match (a.endpoint, a.interval) {
            (EndpointName::Aggregate, Some(_)) => return Err(Error::usage(
                "--interval is the timeline endpoint's; an aggregate request is one record per \
                 key over the whole range",
            )),
            (EndpointName::Aggregate, None) => Endpoint::Aggregate,
            (EndpointName::Timeline, i) => Endpoint::Timeline(i.map(BucketInterval::from)),
        };
    let inputs: Vec<PathBuf> = a
        .files
        .iter()
        .chain([&a.body])
        .chain(a.agent_groups.iter())
        .chain(a.queue_groups.iter())
        .cloned()
        .collect();
    let mut out = Output::new(a.output.as_ref(), &inputs)?;
    let request = AnalyticsRequest::from_path_for(&a.body, Some(endpoint))?;
    let mut r = Rollup::new()
        .source_tz(a.read.source_tz)
        .request(&request)?
        .skip_invalid(a.skip_invalid);
    if let Some(p) = &a.agent_groups {
        r = r.agent_groups(GroupMap::from_path(p, GroupOf::Agents)?);
    }
    if let Some(p) = &a.queue_groups {
        r = r.queue_groups(GroupMap::from_path(p, GroupOf::Queues)?);
    }
    let output = a
        .response
        .apply(r)?
        .output_files(&a.files, &a.read.builder())?;
    let stats = write_rollup(output, TableFormat::Analytics, &mut out)?;
    common::warn(&stats.warnings);
    out.finish()?;
    Ok(skipped_exit(&stats, quiet))
}
