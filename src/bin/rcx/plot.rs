//! `rcx plot`: the rollup drawn as a chart (SPEC 6).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args as ClapArgs;
use ringcx_reports::write::plot::{
    render_head_to_path, PlotFormat, PlotOptions, DEFAULT_MAX_PANELS, DEFAULT_WIDTH,
};
use ringcx_reports::Error;

use crate::common::{check_output, warn};
use crate::rollup::{skipped_exit, RollupOpts};

/// Draw the rollup as a chart: per key a panel of volume bars over bucket
/// time, with service level and abandon rate (queue) or transfer rate
/// (agent-ext) as lines on a percent axis; SVG or PNG by the extension.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    rollup: RollupOpts,
    /// The image to write: OUT.svg or OUT.png (a regular file is replaced
    /// atomically).
    #[arg(short, long, value_name = "OUT.svg|OUT.png", required = true)]
    output: PathBuf,
    /// Draw at most N keys, one panel each; the rest are counted in a note.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PANELS)]
    max_panels: usize,
    /// Image width in pixels.
    #[arg(long, value_name = "PX", default_value_t = DEFAULT_WIDTH)]
    width: u32,
    /// Image height in pixels [default: 280 per panel plus the title].
    #[arg(long, value_name = "PX")]
    height: Option<u32>,
    /// Chart title [default: report, grouping, interval and zone].
    #[arg(long)]
    title: Option<String>,
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    // A wrong extension, or an input as the output, is refused before any
    // file is read.
    PlotFormat::from_path(&a.output)?;
    check_output(&a.output, &a.rollup.inputs())?;
    let opts = PlotOptions {
        width: a.width,
        height: a.height,
        max_panels: a.max_panels,
        title: a.title,
    };
    // Only the keys drawn are held (plus the count of keys and the span of
    // all buckets), however many keys the rollup finds, and at most a
    // bucket per pixel column of each, however long the span.
    let head = a
        .rollup
        .output(quiet)?
        .head_fitting(a.max_panels, opts.max_buckets())?;
    let stats = head.table().stats();
    warn(&stats.warnings);
    if let Some(from) = head.merged_from() {
        if !quiet {
            eprintln!(
                "rcx: more {from} buckets than the chart's {} pixel columns; drawn by {} \
                 (the sums of each {} merged)",
                opts.max_buckets(),
                head.table().interval(),
                head.table().interval()
            );
        }
    }
    let summary = render_head_to_path(&head, &opts, &a.output)?;
    if summary.hidden() > 0 && !quiet {
        eprintln!(
            "rcx: {} more key(s) not shown; {} of {} drawn (--max-panels {})",
            summary.hidden(),
            summary.panels,
            summary.keys,
            a.max_panels
        );
    }
    Ok(skipped_exit(stats, quiet))
}
