//! `rcx inspect`: what each file is.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, ValueEnum};
use ringcx_reports::inspect::{inspect, Inspection};
use ringcx_reports::model::format_instant;
use ringcx_reports::{DateOrderBasis, DateOrderChoice, Error};

use crate::common::{warn, Output, ReadOpts};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Describe files: report kind, wire form, dialect, rows, keys, interval
/// lengths, first and last interval (for segments: rows, interactions,
/// agents, first and last segment start).
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Input files (`-` for standard input).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    read: ReadOpts,
}

fn delim_name(d: u8) -> &'static str {
    match d {
        b',' => "comma",
        b';' => "semicolon",
        b'|' => "pipe",
        b'\t' => "tab",
        _ => "other",
    }
}

fn text(i: &Inspection) -> String {
    let mut s = format!("{}\n  report: {}\n  form: {}\n", i.file, i.kind, i.form);
    if let Some(d) = &i.dialect {
        s += &format!(
            "  dialect: {} delimiter, {}, {}, {} line endings, {} columns{}\n",
            delim_name(d.delimiter),
            if d.has_header { "header" } else { "no header" },
            if d.bom { "UTF-8 BOM" } else { "no BOM" },
            if d.crlf { "CRLF" } else { "LF" },
            d.columns,
            d.title
                .as_ref()
                .map(|t| format!(", title {t}"))
                .unwrap_or_default()
        );
    }
    if let Some(g) = &i.segments {
        let t = |v: Option<_>| v.map(format_instant).unwrap_or_else(|| "-".into());
        s += &format!(
            "  rows: {}\n  interactions: {}\n  agents: {}\n  first segment start: {}\n  last segment start: {}\n",
            i.rows,
            g.interactions,
            g.agents,
            t(g.first_start),
            t(g.last_start)
        );
        if g.without_start > 0 {
            s += &format!("  segments without a start: {}\n", g.without_start);
        }
    } else {
        let lens: Vec<String> = i.interval_lengths.iter().map(|m| format!("{m}m")).collect();
        s += &format!(
            "  rows: {}\n  keys: {}\n  intervals: {}\n",
            i.rows,
            i.keys,
            if lens.is_empty() {
                "-".into()
            } else {
                lens.join(", ")
            }
        );
        s += &format!(
            "  first: {}\n  last: {}\n",
            i.first
                .map(|f| f.to_rfc3339())
                .unwrap_or_else(|| "-".into()),
            i.last.map(|f| f.to_rfc3339()).unwrap_or_else(|| "-".into())
        );
        if let Some(z) = &i.zone_fit {
            let times: Vec<String> = z
                .repeats
                .iter()
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .collect();
            s += &format!(
                "  repeated local times: {} ({} row(s) step back in time)\n  zones whose fall-back fits: {}\n",
                times.join(", "),
                z.step_backs,
                if z.zones.is_empty() {
                    "none of the common zones".to_string()
                } else {
                    let names: Vec<&str> = z.zones.iter().map(|z| z.name()).collect();
                    format!("{} (read with --source-tz ZONE)", names.join(", "))
                }
            );
        }
    }
    if let Some(d) = i.date_order.as_ref().filter(|d| has_slash_dates(d)) {
        s += &format!("  date order: {d}\n");
    }
    if i.invalid > 0 {
        s += &format!("  invalid rows: {}\n", i.invalid);
        if let Some(d) = &i.first_invalid {
            s += &format!("  first invalid: {}\n", crate::flags::diagnostic(d));
        }
    }
    s
}

/// Whether the date order had slash dates to read (else the text form
/// leaves it out).
fn has_slash_dates(d: &DateOrderChoice) -> bool {
    !matches!(d.basis, DateOrderBasis::NoSlashDates { .. })
}

/// One file's JSON object, through `serde_json` from view structs in the
/// printed key order: `file`, `report`, `form`, `dialect` (or `null`), then
/// for segments `rows`, `invalid_rows`, `interactions`, `agents`,
/// `segments_without_start`, `first_segment_start`, `last_segment_start`;
/// for interval reports `rows`, `invalid_rows`, `keys`, `intervals`,
/// `first`, `last`, `zone_fit` (or `null`) and, when known, `date_order`
/// (`{"order":"dmy","basis":"contiguity","text":"dd/MM/yyyy (by …)"}`).
fn json(i: &Inspection) -> String {
    use serde::Serialize;

    #[derive(Serialize)]
    struct Doc<'a> {
        file: &'a str,
        report: String,
        form: String,
        dialect: Option<Dialect<'a>>,
        #[serde(flatten)]
        body: Body,
    }
    #[derive(Serialize)]
    struct Dialect<'a> {
        delimiter: String,
        header: bool,
        bom: bool,
        line_ending: &'static str,
        columns: usize,
        title: Option<&'a str>,
    }
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Body {
        Segments {
            rows: u64,
            invalid_rows: u64,
            interactions: u64,
            agents: u64,
            segments_without_start: u64,
            first_segment_start: Option<String>,
            last_segment_start: Option<String>,
        },
        Intervals {
            rows: u64,
            invalid_rows: u64,
            keys: u64,
            intervals: Vec<u32>,
            first: Option<String>,
            last: Option<String>,
            zone_fit: Option<ZoneFitView>,
            #[serde(skip_serializing_if = "Option::is_none")]
            date_order: Option<DateOrderView>,
        },
    }
    #[derive(Serialize)]
    struct ZoneFitView {
        step_backs: u64,
        repeats: Vec<String>,
        zones: Vec<&'static str>,
    }
    #[derive(Serialize)]
    struct DateOrderView {
        order: &'static str,
        basis: &'static str,
        text: String,
    }

    let body = match &i.segments {
        Some(g) => Body::Segments {
            rows: i.rows,
            invalid_rows: i.invalid,
            interactions: g.interactions,
            agents: g.agents,
            segments_without_start: g.without_start,
            first_segment_start: g.first_start.map(format_instant),
            last_segment_start: g.last_start.map(format_instant),
        },
        None => Body::Intervals {
            rows: i.rows,
            invalid_rows: i.invalid,
            keys: i.keys,
            intervals: i.interval_lengths.iter().copied().collect(),
            first: i.first.map(|f| f.to_rfc3339()),
            last: i.last.map(|f| f.to_rfc3339()),
            zone_fit: i.zone_fit.as_ref().map(|z| ZoneFitView {
                step_backs: z.step_backs,
                repeats: z
                    .repeats
                    .iter()
                    .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
                    .collect(),
                zones: z.zones.iter().map(|z| z.name()).collect(),
            }),
            date_order: i.date_order.as_ref().map(|d| DateOrderView {
                order: d.order.as_str(),
                basis: d.basis.as_str(),
                text: d.to_string(),
            }),
        },
    };
    let doc = Doc {
        file: &i.file,
        report: i.kind.to_string(),
        form: i.form.to_string(),
        dialect: i.dialect.as_ref().map(|d| Dialect {
            delimiter: (d.delimiter as char).to_string(),
            header: d.has_header,
            bom: d.bom,
            line_ending: if d.crlf { "CRLF" } else { "LF" },
            columns: d.columns,
            title: d.title.as_deref(),
        }),
        body,
    };
    // Serializing plain strings, numbers and lists cannot fail.
    serde_json::to_string(&doc).unwrap_or_default()
}

pub fn run(a: Args) -> Result<ExitCode, Error> {
    let mut out = Output::new(None, &[])?;
    let mut any_invalid = false;
    let mut docs = Vec::new();
    for path in &a.files {
        let mut reader = a.read.open(path)?;
        warn(reader.diagnostics());
        let i = inspect(&mut reader)?;
        any_invalid |= i.invalid > 0;
        match a.format {
            Format::Text => out.print(text(&i))?,
            Format::Json => docs.push(json(&i)),
        }
    }
    if let Format::Json = a.format {
        out.print(format!("[{}]\n", docs.join(",")))?;
    }
    out.finish()?;
    Ok(if any_invalid {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
