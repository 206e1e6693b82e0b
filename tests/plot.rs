//! `rcx plot` and `write::plot`: valid SVG and PNG of the requested size,
//! panel titles with the exact totals, DST category labels, deterministic
//! bytes, `--max-panels`, and usage errors.

use ringcx_reports::rollup::{Rollup, RollupTable};
use ringcx_reports::window::BucketInterval;
use ringcx_reports::write::plot::{render, PlotFormat, PlotOptions};

use crate::util::{builder, code, fixture, rcx, stderr};

fn table(name: &str, tz: &str, interval: BucketInterval) -> RollupTable {
    Rollup::new()
        .interval(interval)
        .source_tz(tz.parse().expect("zone"))
        .run_files(&[fixture(name)], &builder(tz))
        .expect("rollup")
}

fn bytes(t: &RollupTable, opts: &PlotOptions, format: PlotFormat) -> Vec<u8> {
    let mut out = Vec::new();
    render(t, opts, format, &mut out).expect("render");
    out
}

/// The root element's width and height, and every text node, decoded.
fn svg_parts(svg: &[u8]) -> ((String, String), Vec<String>) {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_reader(svg);
    let mut size = None;
    let mut texts = Vec::new();
    let mut text = String::new();
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf).expect("SVG is well-formed XML") {
            Event::Start(e) if e.name().as_ref() == b"svg" => {
                let attr = |k: &[u8]| {
                    let a = e.try_get_attribute(k).expect("attribute").expect("present");
                    String::from_utf8(a.value.to_vec()).expect("utf-8")
                };
                size = Some((attr(b"width"), attr(b"height")));
            }
            // quick-xml 0.38 splits text around entity references: gather
            // the pieces until the element ends.
            Event::Text(t) => text.push_str(&t.decode().expect("utf-8")),
            Event::GeneralRef(g) => {
                let name = g.decode().expect("utf-8");
                let c = quick_xml::escape::resolve_predefined_entity(&name).expect("known entity");
                text.push_str(c);
            }
            Event::End(_) => {
                let s = std::mem::take(&mut text).trim().to_owned();
                if !s.is_empty() {
                    texts.push(s);
                }
            }
            Event::Start(_) => text.clear(),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    (size.expect("an <svg> root"), texts)
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR", "IHDR is the first chunk");
    let be = |i: usize| u32::from_be_bytes(png[i..i + 4].try_into().expect("4 bytes"));
    (be(16), be(20))
}

fn opts(width: u32, height: u32) -> PlotOptions {
    PlotOptions {
        width,
        height: Some(height),
        ..PlotOptions::default()
    }
}

#[test]
fn queue_hourly_svg_has_size_titles_and_totals() {
    let t = table("queue_header.csv", "UTC", BucketInterval::Hour);
    let svg = bytes(&t, &opts(900, 700), PlotFormat::Svg);
    let ((w, h), texts) = svg_parts(&svg);
    assert_eq!((w.as_str(), h.as_str()), ("900", "700"));
    for want in [
        "Queue Statistics by queue, hour buckets, UTC",
        "5686 Sales — offered 30, answered 24, service level 70.37 %, abandon rate 10.71 %",
        "5688 Support, Tier 1 — offered 18, answered 17, service level 83.33 %, abandon rate 5.56 %",
        "offered (calls)",
        "answered (calls)",
        "service level %",
        "abandon rate %",
        "08:00",
    ] {
        assert!(texts.iter().any(|t| t == want), "missing {want:?} in {texts:?}");
    }
    // One offered bar per key and bucket, plus the legend swatch.
    let s = String::from_utf8(svg).expect("utf-8");
    assert_eq!(s.matches("fill=\"#9ECAE1\"").count(), 2 + 1);
}

#[test]
fn queue_hourly_png_has_requested_size_and_is_deterministic() {
    let t = table("queue_header.csv", "UTC", BucketInterval::Hour);
    let a = bytes(&t, &opts(900, 700), PlotFormat::Png);
    assert_eq!(png_size(&a), (900, 700));
    let b = bytes(&t, &opts(900, 700), PlotFormat::Png);
    assert!(a == b, "same table, same PNG bytes");
    // A second rollup of the same file renders the same bytes too.
    let t2 = table("queue_header.csv", "UTC", BucketInterval::Hour);
    assert!(a == bytes(&t2, &opts(900, 700), PlotFormat::Png));
}

#[test]
fn dst_days_by_day_in_new_york() {
    let t = table(
        "queue_dst_days_ny.csv",
        "America/New_York",
        BucketInterval::Day,
    );
    let svg = bytes(&t, &PlotOptions::default(), PlotFormat::Svg);
    assert_eq!(svg, bytes(&t, &PlotOptions::default(), PlotFormat::Svg));
    let ((w, h), texts) = svg_parts(&svg);
    // Default size: 1100 wide, the title block plus one 280-pixel panel.
    assert_eq!((w.as_str(), h.as_str()), ("1100", "384"));
    for want in [
        "Queue Statistics by queue, day buckets, America/New_York",
        "5686 Sales — offered 384, answered 192, service level 50.00 %, abandon rate 50.00 %",
        "2024-03-10",
        "2024-11-03",
    ] {
        assert!(
            texts.iter().any(|t| t == want),
            "missing {want:?} in {texts:?}"
        );
    }
    let s = String::from_utf8(svg).expect("utf-8");
    assert!(!s.contains("<!--"), "no comments (no timestamps)");
    let png = bytes(&t, &opts(1000, 400), PlotFormat::Png);
    assert_eq!(png_size(&png), (1000, 400));
}

#[test]
fn fall_back_hours_are_labelled_with_their_offsets() {
    let t = table(
        "queue_fallback_ny.csv",
        "America/New_York",
        BucketInterval::Hour,
    );
    let (_, texts) = svg_parts(&bytes(&t, &PlotOptions::default(), PlotFormat::Svg));
    for want in ["00:00", "01:00 -04:00", "01:00 -05:00", "02:00"] {
        assert!(
            texts.iter().any(|t| t == want),
            "missing {want:?} in {texts:?}"
        );
    }
}

#[test]
fn agent_ext_svg_and_png() {
    let t = table("agent_ext_quoted.csv", "UTC", BucketInterval::Hour);
    let svg = bytes(&t, &opts(800, 600), PlotFormat::Svg);
    let ((w, h), texts) = svg_parts(&svg);
    assert_eq!((w.as_str(), h.as_str()), ("800", "600"));
    for want in [
        "Agent Extended Statistics by agent, hour buckets, UTC",
        "1001 kaduk, alena — answered 9, transferred 1, transfer rate 11.11 %, AHT 162.22 s",
        "1002 O\"Brien, Pat — answered 5, transferred 1, transfer rate 20.00 %, AHT 165.00 s",
        "answered (calls)",
        "transfer rate %",
    ] {
        assert!(
            texts.iter().any(|t| t == want),
            "missing {want:?} in {texts:?}"
        );
    }
    assert!(!texts.iter().any(|t| t == "service level %"));
    let png = bytes(&t, &opts(800, 600), PlotFormat::Png);
    assert_eq!(png_size(&png), (800, 600));
    assert!(png == bytes(&t, &opts(800, 600), PlotFormat::Png));
}

#[test]
fn max_panels_draws_the_first_keys_and_counts_the_rest() {
    let t = table(
        "queue_fallback_ny.csv",
        "America/New_York",
        BucketInterval::Hour,
    );
    let o = PlotOptions {
        max_panels: 1,
        ..PlotOptions::default()
    };
    let mut svg = Vec::new();
    let summary = render(&t, &o, PlotFormat::Svg, &mut svg).expect("render");
    assert_eq!((summary.keys, summary.panels, summary.hidden()), (2, 1, 1));
    let (_, texts) = svg_parts(&svg);
    assert!(
        texts.iter().any(|t| t.starts_with("5686 Q5686 — ")),
        "{texts:?}"
    );
    assert!(!texts.iter().any(|t| t.starts_with("5688 ")), "{texts:?}");
    assert!(
        texts.iter().any(|t| t == "1 more key not shown"),
        "{texts:?}"
    );
}

#[test]
fn cli_writes_png_and_svg_and_honours_max_panels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let png = dir.path().join("kpis.png");
    let png_s = png.to_str().expect("utf-8 path");
    let o = rcx(&[
        "plot",
        "fixtures/queue_header.csv",
        "--width",
        "640",
        "--height",
        "500",
        "-o",
        png_s,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let a = std::fs::read(&png).expect("png written");
    assert_eq!(png_size(&a), (640, 500));
    // The library and the CLI draw the same bytes.
    let t = table("queue_header.csv", "UTC", BucketInterval::Hour);
    assert!(a == bytes(&t, &opts(640, 500), PlotFormat::Png));

    let svg = dir.path().join("fb.svg");
    let o = rcx(&[
        "plot",
        "fixtures/queue_fallback_ny.csv",
        "--source-tz",
        "America/New_York",
        "--max-panels",
        "1",
        "-o",
        svg.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "rcx: 1 more key(s) not shown; 1 of 2 drawn (--max-panels 1)\n"
    );
    let (_, texts) = svg_parts(&std::fs::read(&svg).expect("svg written"));
    assert!(texts.iter().any(|t| t == "1 more key not shown"));
}

#[test]
fn cli_usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = dir.path().join("kpis.pdf");
    let o = rcx(&[
        "plot",
        "fixtures/queue_header.csv",
        "-o",
        pdf.to_str().expect("path"),
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o)
            .ends_with("kpis.pdf: the chart format follows the extension; expected .svg or .png\n"),
        "{}",
        stderr(&o)
    );
    assert!(!pdf.exists());

    let svg = dir.path().join("small.svg");
    let o = rcx(&[
        "plot",
        "fixtures/queue_header.csv",
        "--height",
        "200",
        "-o",
        svg.to_str().expect("path"),
    ]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "rcx: a chart 200 pixels high leaves less than 140 pixels per panel for 2 panel(s); \
         use at least 384, or fewer panels\n"
    );
    assert!(!svg.exists(), "no partial file");

    let o = rcx(&[
        "plot",
        "fixtures/queue_header.csv",
        "-o",
        "x.svg",
        "--max-panels",
        "0",
    ]);
    assert_eq!(code(&o), 2);
    assert_eq!(stderr(&o), "rcx: max panels must be at least 1\n");
}

/// `rcx plot` holds only the keys it draws (`RollupOutput::head`): the
/// chart of a head is the chart of the whole table, byte for byte, with the
/// keys not drawn counted in the subtitle and the note.
#[test]
fn a_head_draws_what_the_whole_table_draws() {
    use ringcx_reports::write::plot::render_head;
    for (name, max_panels, interval) in [
        ("queue_header.csv", 1, BucketInterval::Hour),
        ("queue_header.csv", 5, BucketInterval::Native),
        ("agent_ext_quoted.csv", 1, BucketInterval::Day),
    ] {
        let rollup = Rollup::new().interval(interval);
        let path = fixture(name);
        let whole = rollup.run_files(&[&path], &builder("UTC")).expect("rollup");
        let head = rollup
            .output_files(&[&path], &builder("UTC"))
            .and_then(|o| o.head(max_panels))
            .expect("head");
        assert!(head.table().records().len() <= whole.records().len());
        let o = PlotOptions {
            max_panels,
            ..PlotOptions::default()
        };
        let mut got = Vec::new();
        let s = render_head(&head, &o, PlotFormat::Svg, &mut got).expect("render");
        let want = bytes(&whole, &o, PlotFormat::Svg);
        assert!(got == want, "{name} {max_panels}");
        assert_eq!(s.keys, 2, "{name}");
        assert_eq!(s.hidden(), 2 - s.panels, "{name}");
    }
}

/// A chart draws at most a bucket per pixel column
/// (`RollupOutput::head_fitting`): a head whose span has more buckets merges
/// each key's into those of a coarser interval, and they are the records a
/// rollup at that interval gives, DST days included; the CLI says so.
#[test]
fn a_head_too_long_for_the_width_is_the_rollup_at_a_coarser_interval() {
    use ringcx_reports::gen::{self, GenOptions, GenReport};
    use ringcx_reports::rollup::RollupOutput;
    // 15-minute rows of 3 queues over about 21 days from 2024-03-01, across
    // the United States' change to summer time on 2024-03-10.
    let mut bytes = Vec::new();
    let start = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).expect("date");
    let opts = GenOptions::new(GenReport::Queue, 6000)
        .seed(5)
        .queues(3)
        .start(start);
    gen::write(&opts, &mut bytes).expect("gen");
    let (_dir, path) = crate::util::temp_file("q.csv", &bytes);
    let ny = "America/New_York".parse().expect("zone");
    let run = |i| Rollup::new().interval(i).tz(ny);
    let first_keys = |t: &RollupTable, n: usize| {
        let mut keys: Vec<&[String]> = t.records().iter().map(|r| r.keys()).collect();
        keys.dedup();
        keys.truncate(n);
        let kept: Vec<_> = t
            .records()
            .iter()
            .filter(|r| keys.contains(&r.keys()))
            .collect();
        format!("{kept:?}")
    };
    let hourly = || run(BucketInterval::Hour);
    for (max, drawn) in [(100, BucketInterval::Day), (4, BucketInterval::Week)] {
        let want = run(drawn)
            .run_files(&[&path], &builder("UTC"))
            .expect("rollup");
        let packed = hourly()
            .output_files(&[&path], &builder("UTC"))
            .expect("rollup");
        let table = hourly()
            .run_files(&[&path], &builder("UTC"))
            .expect("rollup");
        for out in [packed, RollupOutput::Table(table)] {
            let head = out.head_fitting(2, max).expect("head");
            assert_eq!(head.merged_from(), Some(BucketInterval::Hour), "{max}");
            assert_eq!(head.table().interval(), drawn, "{max}");
            assert_eq!(head.keys(), 3);
            assert_eq!(
                format!("{:?}", head.table().records()),
                first_keys(&want, 2)
            );
        }
    }
    // Buckets that fit are kept as they are.
    let head = hourly()
        .output_files(&[&path], &builder("UTC"))
        .and_then(|o| o.head_fitting(2, 1000))
        .expect("head");
    assert_eq!(head.merged_from(), None);
    let want = hourly()
        .run_files(&[&path], &builder("UTC"))
        .expect("rollup");
    assert_eq!(
        format!("{:?}", head.table().records()),
        first_keys(&want, 2)
    );
    // The CLI announces the merge, and the chart's subtitle names it.
    let dir = tempfile::tempdir().expect("dir");
    let svg = dir.path().join("q.svg");
    let p = path.to_str().expect("utf-8");
    let s = svg.to_str().expect("utf-8");
    let o = rcx(&[
        "plot",
        p,
        "--tz",
        "America/New_York",
        "--width",
        "480",
        "-o",
        s,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("more hour buckets than the chart's 480 pixel columns; drawn by day"),
        "{}",
        stderr(&o)
    );
    let (_, texts) = svg_parts(&std::fs::read(&svg).expect("svg"));
    assert!(
        texts.iter().any(|t| t.contains("drawn by day (from hour)")),
        "{texts:?}"
    );
}
