//! An independent implementation of SPEC 4.1–4.4 (grouping, buckets,
//! metrics, CSV output), written from the spec alone over the simulation's
//! typed truth rows (instants, not re-read text). Ratios are computed with
//! exact integer arithmetic and rounded half away from zero, so they do not
//! share the engine's `rust_decimal` path.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;

use super::sim::{Report, SimRow};

/// `--by`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Queue,
    Agent,
    AgentQueue,
    QueueGroup,
    AgentGroup,
    All,
}

impl By {
    pub fn cli(self) -> &'static str {
        match self {
            By::Queue => "queue",
            By::Agent => "agent",
            By::AgentQueue => "agent-queue",
            By::QueueGroup => "queue-group",
            By::AgentGroup => "agent-group",
            By::All => "all",
        }
    }
    /// SPEC 4.1: "Key columns in output: queue → `queue,queue_name`; agent →
    /// `agent_id,agent_name`; agent-queue → `agent_id,agent_name,queue,queue_name`;
    /// groups → `queue_group` or `agent_group`; all → none."
    pub fn key_columns(self) -> &'static [&'static str] {
        match self {
            By::Queue => &["queue", "queue_name"],
            By::Agent => &["agent_id", "agent_name"],
            By::AgentQueue => &["agent_id", "agent_name", "queue", "queue_name"],
            By::QueueGroup => &["queue_group"],
            By::AgentGroup => &["agent_group"],
            By::All => &[],
        }
    }
}

/// `--interval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Iv {
    Native,
    M15,
    M30,
    Hour,
    Day,
    Week,
    Month,
    Total,
}

impl Iv {
    pub const ALL: [Iv; 8] = [
        Iv::Native,
        Iv::M15,
        Iv::M30,
        Iv::Hour,
        Iv::Day,
        Iv::Week,
        Iv::Month,
        Iv::Total,
    ];
    pub fn cli(self) -> &'static str {
        match self {
            Iv::Native => "native",
            Iv::M15 => "15m",
            Iv::M30 => "30m",
            Iv::Hour => "hour",
            Iv::Day => "day",
            Iv::Week => "week",
            Iv::Month => "month",
            Iv::Total => "total",
        }
    }
}

/// `--sl-formula`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sl {
    AbandonsAgainst,
    AbandonsIgnored,
    AbandonsPositive,
    Answered,
    Offered,
}

impl Sl {
    pub const ALL: [Sl; 5] = [
        Sl::AbandonsAgainst,
        Sl::AbandonsIgnored,
        Sl::AbandonsPositive,
        Sl::Answered,
        Sl::Offered,
    ];
    pub fn cli(self) -> &'static str {
        match self {
            Sl::AbandonsAgainst => "abandons-against",
            Sl::AbandonsIgnored => "abandons-ignored",
            Sl::AbandonsPositive => "abandons-positive",
            Sl::Answered => "answered",
            Sl::Offered => "offered",
        }
    }
}

/// Every option of the reference.
#[derive(Clone, Debug)]
pub struct Opts {
    pub report: Report,
    pub by: By,
    pub iv: Iv,
    /// Bucket zone.
    pub tz: Tz,
    pub week_sunday: bool,
    pub sl: Sl,
    pub short_include: bool,
    pub offered_direct: bool,
    pub queue_groups: HashMap<String, String>,
    pub agent_groups: HashMap<String, String>,
    pub filter: Filter,
}

/// SPEC 4.2 time settings, already resolved to instants: "Filters apply to
/// each row before anything else."
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// `--from` (inclusive), Unix seconds.
    pub from: Option<i64>,
    /// `--to` (exclusive), Unix seconds.
    pub to: Option<i64>,
    /// `--days`: kept local weekdays, Monday first.
    pub days: Option<[bool; 7]>,
    /// `--hours`: `[from, to)` minutes since local midnight; `to < from`
    /// wraps past midnight.
    pub hours: Vec<(u32, u32)>,
}

/// Whether a row is kept: "a row is kept when its local start time in
/// `--tz` is in `[from, to)`"; days are local days in `--tz` too.
fn keep(r: &SimRow, o: &Opts) -> bool {
    let f = &o.filter;
    if f.from.is_some_and(|t| r.start < t) || f.to.is_some_and(|t| r.start >= t) {
        return false;
    }
    let local = o.tz.timestamp_opt(r.start, 0).unwrap();
    if let Some(days) = f.days {
        if !days[local.weekday().num_days_from_monday() as usize] {
            return false;
        }
    }
    if !f.hours.is_empty() {
        use chrono::Timelike;
        let m = local.hour() * 60 + local.minute();
        let inside = |&(from, to): &(u32, u32)| {
            if from < to {
                from <= m && m < to
            } else {
                m >= from || m < to
            }
        };
        if !f.hours.iter().any(inside) {
            return false;
        }
    }
    true
}

/// One output row of the reference.
#[derive(Clone, Debug, PartialEq)]
pub struct OutRow {
    pub keys: Vec<String>,
    pub start: i64,
    pub end: i64,
    pub bucket_start: String,
    pub bucket_end: String,
    /// Metric cells as CSV text, in the order of `metric_columns`.
    pub cells: Vec<String>,
}

/// What a metric measures (SPEC 4.4 `valueType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Instances,
    Seconds,
    Percent,
}

/// SPEC 4.3 metric columns in table order, with their units.
pub fn metric_columns(report: Report) -> &'static [(&'static str, Unit)] {
    use Unit::*;
    match report {
        Report::Queue => &[
            ("rows", Instances),
            ("direct", Instances),
            ("overflow_in", Instances),
            ("overflow_out", Instances),
            ("answered", Instances),
            ("abandoned", Instances),
            ("short_abandoned", Instances),
            ("abandoned_within_sl", Instances),
            ("answered_within_sl", Instances),
            ("offered", Instances),
            ("talk_s", Seconds),
            ("wrap_s", Seconds),
            ("handle_s", Seconds),
            ("answer_wait_s", Seconds),
            ("abandon_wait_s", Seconds),
            ("agent_wait_s", Seconds),
            ("longest_answer_wait_s", Seconds),
            ("longest_abandon_wait_s", Seconds),
            ("sl_numerator", Instances),
            ("sl_denominator", Instances),
            ("service_level_pct", Percent),
            ("abandon_numerator", Instances),
            ("abandon_denominator", Instances),
            ("abandon_rate_pct", Percent),
            ("aht_s", Seconds),
            ("asa_s", Seconds),
            ("avg_abandon_wait_s", Seconds),
            ("occupancy_pct", Percent),
        ],
        Report::AgentExt => &[
            ("rows", Instances),
            ("answered", Instances),
            ("transferred_out", Instances),
            ("talk_s", Seconds),
            ("wrap_s", Seconds),
            ("handle_s", Seconds),
            ("aht_s", Seconds),
            ("avg_talk_s", Seconds),
            ("avg_wrap_s", Seconds),
            ("transfer_rate_pct", Percent),
        ],
    }
}

/// `numerator / denominator` (× 100 when `percent`), rounded half away from
/// zero to 2 places, exactly (integer arithmetic); empty when the
/// denominator is 0. SPEC 4.3: "rounded half away from zero to 2 decimal
/// places, and is empty (CSV) / `null` (JSON) when its denominator is 0.
/// Ratios are not clamped."
pub fn ratio(num: i128, den: i128, percent: bool) -> String {
    if den == 0 {
        return String::new();
    }
    let n = num * if percent { 10_000 } else { 100 };
    let (mut q, r) = (n / den, n % den);
    if 2 * r.abs() >= den.abs() {
        q += if (n < 0) == (den < 0) { 1 } else { -1 };
    }
    let sign = if q < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", q.abs() / 100, q.abs() % 100)
}

/// RFC 3339 of instant `t` with the offset `tz` has there; zero is `+00:00`.
pub fn rfc3339(t: i64, tz: Tz) -> String {
    let dt = tz.timestamp_opt(t, 0).unwrap();
    let off = dt.offset().fix().local_minus_utc();
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.abs();
    format!(
        "{}{sign}{:02}:{:02}",
        dt.format("%Y-%m-%dT%H:%M:%S"),
        a / 3600,
        a % 3600 / 60
    )
}

fn offset_at(t: i64, tz: Tz) -> i64 {
    i64::from(
        tz.timestamp_opt(t, 0)
            .unwrap()
            .offset()
            .fix()
            .local_minus_utc(),
    )
}

fn local_date(t: i64, tz: Tz) -> NaiveDate {
    tz.timestamp_opt(t, 0).unwrap().date_naive()
}

fn midnight(d: NaiveDate, tz: Tz) -> i64 {
    // The first instant of the local day (the earlier one if midnight is
    // repeated; zones used here never skip midnight).
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
        .earliest()
        .expect("local midnight exists")
        .timestamp()
}

/// SPEC 4.2: "A row belongs to the bucket containing its interval START
/// instant, in the bucket zone `--tz`". Days, weeks and months are local
/// calendar units; sub-day buckets are local wall-clock slices of the row's
/// own offset ("On a fall-back day the two local 01:00 hours are two
/// distinct hour buckets").
fn bucket(start: i64, len_min: i64, o: &Opts) -> (i64, i64) {
    let tz = o.tz;
    let sub_day = |minutes: i64| {
        let off = offset_at(start, tz);
        let local = start + off;
        let b = local - local.rem_euclid(minutes * 60) - off;
        (b, b + minutes * 60)
    };
    let (b, e) = match o.iv {
        Iv::Native => (start, start + len_min * 60),
        Iv::M15 => sub_day(15),
        Iv::M30 => sub_day(30),
        Iv::Hour => sub_day(60),
        Iv::Day => {
            let d = local_date(start, tz);
            (midnight(d, tz), midnight(d + Duration::days(1), tz))
        }
        Iv::Week => {
            let d = local_date(start, tz);
            let back = if o.week_sunday {
                d.weekday().num_days_from_sunday()
            } else {
                d.weekday().num_days_from_monday()
            };
            let first = d - Duration::days(i64::from(back));
            (midnight(first, tz), midnight(first + Duration::days(7), tz))
        }
        Iv::Month => {
            let d = local_date(start, tz);
            let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap();
            let next = if d.month() == 12 {
                NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).unwrap()
            } else {
                NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1).unwrap()
            };
            (midnight(first, tz), midnight(next, tz))
        }
        Iv::Total => unreachable!("total is handled by the caller"),
    };
    // "Buckets must nest the rows: a row nests when [start, start + interval)
    // lies inside one bucket" — the simulated rows always nest; a row that
    // does not is a bug in this test.
    assert!(
        b <= start && start + len_min * 60 <= e,
        "row at {start} does not nest in {:?}",
        o.iv
    );
    (b, e)
}

/// SPEC 4.1 name choice: "the name on the row with the latest interval
/// start, ties broken by the smallest string".
#[derive(Default, Clone)]
struct Pick {
    at: Option<i64>,
    name: String,
}

impl Pick {
    fn offer(&mut self, at: i64, name: &str) {
        let better = match self.at {
            None => true,
            Some(a) => at > a || (at == a && name < self.name.as_str()),
        };
        if better {
            self.at = Some(at);
            self.name = name.to_string();
        }
    }
}

#[derive(Default, Clone)]
struct Acc {
    rows: u64,
    v: Vec<u64>,
}

impl Acc {
    fn add(&mut self, report: Report, r: &SimRow) {
        self.rows += 1;
        if self.v.is_empty() {
            self.v = vec![0; r.v.len()];
        }
        for (i, x) in r.v.iter().enumerate() {
            // The two "longest" fields of Queue Statistics are maxima.
            if report == Report::Queue && (i == 9 || i == 10) {
                self.v[i] = self.v[i].max(*x);
            } else {
                self.v[i] += x;
            }
        }
    }
}

/// SPEC 4.3 metric cells of one bucket's sums.
fn cells(report: Report, acc: &Acc, o: &Opts) -> Vec<String> {
    let v = &acc.v;
    match report {
        Report::Queue => {
            let (direct, ovf_in, aband, ovf_out, answ) = (v[0], v[1], v[2], v[3], v[4]);
            let (ans_wait, ab_wait, talk, wrap) = (v[5], v[6], v[7], v[8]);
            let (long_ans, long_ab, ans_sl, agent_wait, short, ab_sl) =
                (v[9], v[10], v[11], v[12], v[13], v[14]);
            // "offered | direct + overflow_in (`--offered direct` makes it
            // direct alone)"
            let offered = if o.offered_direct {
                direct
            } else {
                direct + ovf_in
            };
            let handle = talk + wrap;
            let (a, w, b, s, x, off) = (
                answ as i128,
                ans_sl as i128,
                aband as i128,
                short as i128,
                ab_sl as i128,
                offered as i128,
            );
            // "`--short-abandons include` puts S back: it is added to the
            // denominators that subtract it, and to the numerator of
            // `abandons-positive`."
            let s_out = if o.short_include { 0 } else { s };
            let (sl_num, sl_den) = match o.sl {
                Sl::AbandonsAgainst => (w, a + b - s_out),
                Sl::AbandonsIgnored => (w, a + b - s_out - x),
                Sl::AbandonsPositive => (w + x + (s - s_out), a + b - s_out),
                Sl::Answered => (w, a),
                Sl::Offered => (w, off),
            };
            // "Abandon rate (default): numerator B − S, denominator O − S;
            // `--short-abandons include`: B / O."
            let (ab_num, ab_den) = (b - s_out, off - s_out);
            vec![
                acc.rows.to_string(),
                direct.to_string(),
                ovf_in.to_string(),
                ovf_out.to_string(),
                answ.to_string(),
                aband.to_string(),
                short.to_string(),
                ab_sl.to_string(),
                ans_sl.to_string(),
                offered.to_string(),
                talk.to_string(),
                wrap.to_string(),
                handle.to_string(),
                ans_wait.to_string(),
                ab_wait.to_string(),
                agent_wait.to_string(),
                long_ans.to_string(),
                long_ab.to_string(),
                sl_num.to_string(),
                sl_den.to_string(),
                ratio(sl_num, sl_den, true),
                ab_num.to_string(),
                ab_den.to_string(),
                ratio(ab_num, ab_den, true),
                ratio(handle as i128, a, false),
                ratio(ans_wait as i128, a, false),
                ratio(ab_wait as i128, b, false),
                ratio(handle as i128, (handle + agent_wait) as i128, true),
            ]
        }
        Report::AgentExt => {
            let (talk, wrap, answ, xfer) = (v[0], v[1], v[2], v[3]);
            let handle = talk + wrap;
            let a = answ as i128;
            vec![
                acc.rows.to_string(),
                answ.to_string(),
                xfer.to_string(),
                talk.to_string(),
                wrap.to_string(),
                handle.to_string(),
                ratio(handle as i128, a, false),
                ratio(talk as i128, a, false),
                ratio(wrap as i128, a, false),
                ratio(xfer as i128, a, true),
            ]
        }
    }
}

/// The grouping key of a row: (id parts, which name picks apply).
fn key_of(r: &SimRow, o: &Opts) -> Vec<String> {
    let unmapped = "(unmapped)";
    match o.by {
        By::Queue => vec![r.queue.clone()],
        By::Agent => vec![r.agent_id.clone()],
        By::AgentQueue => vec![r.agent_id.clone(), r.queue.clone()],
        By::QueueGroup => vec![o
            .queue_groups
            .get(&r.queue)
            .map_or(unmapped, String::as_str)
            .to_string()],
        By::AgentGroup => vec![o
            .agent_groups
            .get(&r.agent_id)
            .map_or(unmapped, String::as_str)
            .to_string()],
        By::All => vec![],
    }
}

/// SPEC 4.4: "each column numerically when every value in that column is an
/// integer (any length) and by string otherwise".
fn is_integer(s: &str) -> bool {
    let d = s.strip_prefix('-').unwrap_or(s);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

fn cmp_integer(a: &str, b: &str) -> Ordering {
    let neg = |s: &str| s.starts_with('-');
    match (neg(a), neg(b)) {
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    let mag = |s: &str| {
        let d = s.trim_start_matches('-').trim_start_matches('0');
        (d.len(), d.to_string())
    };
    let o = mag(a).cmp(&mag(b));
    if neg(a) {
        o.reverse()
    } else {
        o
    }
}

/// The rollup of `rows` under `o`: sorted output rows.
pub fn rollup(rows: &[SimRow], o: &Opts) -> Vec<OutRow> {
    let rows: Vec<&SimRow> = rows.iter().filter(|r| keep(r, o)).collect();
    // SPEC 4.2 total: "one bucket for all keys, from the earliest kept row's
    // start to the latest kept row's end".
    let total = (
        rows.iter().map(|r| r.start).min().unwrap_or(0),
        rows.iter()
            .map(|r| r.start + r.len_min * 60)
            .max()
            .unwrap_or(0),
    );
    let mut buckets: BTreeMap<(Vec<String>, i64), (i64, Acc)> = BTreeMap::new();
    let mut names: HashMap<Vec<String>, (Pick, Pick)> = HashMap::new();
    for &r in &rows {
        let key = key_of(r, o);
        let (b, e) = if o.iv == Iv::Total {
            total
        } else {
            bucket(r.start, r.len_min, o)
        };
        let slot = buckets
            .entry((key.clone(), b))
            .or_insert_with(|| (e, Acc::default()));
        slot.1.add(o.report, r);
        let picks = names.entry(key).or_default();
        match o.by {
            By::Queue => picks.1.offer(r.start, &r.queue_name),
            By::Agent => picks.0.offer(r.start, &r.agent_name),
            By::AgentQueue => {
                picks.0.offer(r.start, &r.agent_name);
                picks.1.offer(r.start, &r.queue_name);
            }
            _ => {}
        }
    }
    let mut out: Vec<OutRow> = buckets
        .into_iter()
        .map(|((key, b), (e, acc))| {
            let (an, qn) = &names[&key];
            let keys = match o.by {
                By::Queue => vec![key[0].clone(), qn.name.clone()],
                By::Agent => vec![key[0].clone(), an.name.clone()],
                By::AgentQueue => vec![
                    key[0].clone(),
                    an.name.clone(),
                    key[1].clone(),
                    qn.name.clone(),
                ],
                _ => key,
            };
            OutRow {
                keys,
                start: b,
                end: e,
                bucket_start: rfc3339(b, o.tz),
                bucket_end: rfc3339(e, o.tz),
                cells: cells(o.report, &acc, o),
            }
        })
        .collect();
    let ncols = o.by.key_columns().len();
    let numeric: Vec<bool> = (0..ncols)
        .map(|c| out.iter().all(|r| is_integer(&r.keys[c])))
        .collect();
    out.sort_by(|a, b| {
        for (c, &num) in numeric.iter().enumerate() {
            let ord = if num {
                cmp_integer(&a.keys[c], &b.keys[c])
            } else {
                a.keys[c].cmp(&b.keys[c])
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        a.start.cmp(&b.start)
    });
    out
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// SPEC 4.4 CSV: "header row, columns in the order of the tables above: key
/// columns, `bucket_start, bucket_end`, then metrics".
pub fn to_csv(out: &[OutRow], o: &Opts) -> String {
    let mut s = String::new();
    let mut header: Vec<&str> = o.by.key_columns().to_vec();
    header.push("bucket_start");
    header.push("bucket_end");
    header.extend(metric_columns(o.report).iter().map(|c| c.0));
    s.push_str(&header.join(","));
    s.push('\n');
    for r in out {
        let mut line: Vec<String> = r.keys.iter().map(|k| csv_cell(k)).collect();
        line.push(r.bucket_start.clone());
        line.push(r.bucket_end.clone());
        line.extend(r.cells.iter().cloned());
        s.push_str(&line.join(","));
        s.push('\n');
    }
    s
}
