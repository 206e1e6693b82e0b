//! `rcx inspect`: what each file is.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, ValueEnum};
use ringcx_reports::inspect::{inspect, Inspection};
use ringcx_reports::model::format_instant;
use ringcx_reports::write::json_string;
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

/// `,"date_order":{"order":"dmy","basis":"contiguity","text":"dd/MM/yyyy (by …)"}`
/// (interval reports only).
fn date_order_json(s: &mut String, d: Option<&DateOrderChoice>) {
    let Some(d) = d else {
        return;
    };
    s.push_str(",\"date_order\":");
    s.push_str(&format!(
        "{{\"order\":\"{}\",\"basis\":\"{}\",\"text\":",
        d.order.as_str(),
        d.basis.as_str()
    ));
    json_string(s, &d.to_string());
    s.push('}');
}

fn json(i: &Inspection) -> String {
    let mut s = String::from("{\"file\":");
    json_string(&mut s, &i.file);
    s += &format!(",\"report\":\"{}\",\"form\":\"{}\"", i.kind, i.form);
    match &i.dialect {
        Some(d) => {
            s += ",\"dialect\":{\"delimiter\":";
            json_string(&mut s, &(d.delimiter as char).to_string());
            s += &format!(
                ",\"header\":{},\"bom\":{},\"line_ending\":\"{}\",\"columns\":{},\"title\":",
                d.has_header,
                d.bom,
                if d.crlf { "CRLF" } else { "LF" },
                d.columns
            );
            match &d.title {
                Some(t) => json_string(&mut s, t),
                None => s += "null",
            }
            s += "}";
        }
        None => s += ",\"dialect\":null",
    }
    let lens: Vec<String> = i.interval_lengths.iter().map(|m| m.to_string()).collect();
    let opt = |v: Option<String>| {
        v.map(|v| format!("\"{v}\""))
            .unwrap_or_else(|| "null".into())
    };
    if let Some(g) = &i.segments {
        s += &format!(
            ",\"rows\":{},\"invalid_rows\":{},\"interactions\":{},\"agents\":{},\"segments_without_start\":{},\"first_segment_start\":{},\"last_segment_start\":{}}}",
            i.rows,
            i.invalid,
            g.interactions,
            g.agents,
            g.without_start,
            opt(g.first_start.map(format_instant)),
            opt(g.last_start.map(format_instant))
        );
        return s;
    }
    s += &format!(
        ",\"rows\":{},\"invalid_rows\":{},\"keys\":{},\"intervals\":[{}],\"first\":{},\"last\":{}",
        i.rows,
        i.invalid,
        i.keys,
        lens.join(","),
        opt(i.first.map(|f| f.to_rfc3339())),
        opt(i.last.map(|f| f.to_rfc3339()))
    );
    s += ",\"zone_fit\":";
    match &i.zone_fit {
        Some(z) => {
            let times: Vec<String> = z
                .repeats
                .iter()
                .map(|t| format!("\"{}\"", t.format("%Y-%m-%dT%H:%M:%S")))
                .collect();
            let zones: Vec<String> = z
                .zones
                .iter()
                .map(|z| format!("\"{}\"", z.name()))
                .collect();
            s += &format!(
                "{{\"step_backs\":{},\"repeats\":[{}],\"zones\":[{}]}}",
                z.step_backs,
                times.join(","),
                zones.join(",")
            );
        }
        None => s += "null",
    }
    date_order_json(&mut s, i.date_order.as_ref());
    s.push('}');
    s
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
