//! RingCentral Analytics API request bodies mapped onto rollup options.
//!
//! `rcx rollup --request FILE` accepts the body an integrator already sends
//! to the Analytics API, so that a rollup of exported files and an API
//! response can be compared like for like. The fields read are:
//!
//! | request field | rollup option |
//! |---|---|
//! | `grouping.groupBy`: `Queues`, `Users`, `Company`/`WholeCompany`, `UserGroups`, `QueueGroups` | `--by queue`, `agent`, `all`, `agent-group`, `queue-group` |
//! | no `grouping`, a null one, or no `groupBy` | `--by all` (one record for the whole company) |
//! | `timeSettings.timeZone` or `timeSettings.advancedTimeSettings.timeZone` (both: the same zone) | `--tz` |
//! | `timeSettings.timeRange.timeFrom` / `timeTo` | `--from` / `--to` |
//! | `timeSettings.advancedTimeSettings.includeDays` | `--days` |
//! | `timeSettings.advancedTimeSettings.includeHours` `[{from, to}]` | `--hours` |
//! | `interval` (top level, as the timeline endpoint's query parameter): `Hour`, `Day`, `Week`, `Month`, and this tool's names | `--interval` |
//! | no `interval` (an aggregate request) | `--interval total` (one record per key for the whole range) |
//!
//! Every other key is refused with its JSON path, never ignored (SPEC 8:
//! "every key of a request body is either honoured exactly or refused"):
//! a misspelled or unknown key, and the keys not answered yet, when they
//! ask for anything: `grouping.ids` / `grouping.keys` (a selection of
//! keys), `grouping.groupByMembers`, `additionalFilters` / `callFilters`,
//! `responseOptions`, and `groupBy` `QueueAgents` (one record per agent
//! over the queues in `ids`, which `--by agent-queue` is not). Null, `{}`
//! and `[]` ask for nothing and are accepted.

use serde_json::Value as Json;

use super::{Grouping, Rollup};
use crate::error::{Error, Result};
use crate::model::parse_zone;
use crate::option::OptionName;
use crate::window::{hhmm, weekday, BucketInterval, HourRange, TimeBound};

/// A parsed Analytics API request body.
///
/// ```
/// use ringcx_reports::rollup::{AnalyticsRequest, Grouping, Rollup};
/// use ringcx_reports::window::BucketInterval;
/// let body = r#"{
///   "grouping": {"groupBy": "Queues"},
///   "timeSettings": {
///     "timeZone": "America/New_York",
///     "timeRange": {"timeFrom": "2024-11-03T00:00:00-04:00", "timeTo": "2024-11-04T00:00:00-05:00"},
///     "advancedTimeSettings": {
///       "includeDays": ["Sunday", "Monday"],
///       "includeHours": [{"from": "00:00", "to": "24:00"}]
///     }
///   },
///   "interval": "Hour"
/// }"#;
/// let req = AnalyticsRequest::parse("req.json", body)?;
/// let rollup = Rollup::new().request(&req)?;
/// assert_eq!(rollup.grouping(), Some(Grouping::Queue));
/// assert_eq!(rollup.bucket_interval(), BucketInterval::Hour);
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnalyticsRequest {
    /// `grouping.groupBy`, as written.
    pub group_by: Option<String>,
    /// `timeSettings.timeZone`.
    pub time_zone: Option<chrono_tz::Tz>,
    /// `timeRange.timeFrom`.
    pub time_from: Option<TimeBound>,
    /// `timeRange.timeTo`.
    pub time_to: Option<TimeBound>,
    /// `includeDays` as a weekday mask (bit 0 = Monday).
    pub include_days: Option<u8>,
    /// `includeHours`.
    pub include_hours: Vec<HourRange>,
    /// `interval`; `total` for a body without one (an aggregate request).
    pub interval: Option<BucketInterval>,
}

fn bad(file: &str, what: impl std::fmt::Display) -> Error {
    Error::usage(format!("{file}: {what}"))
}

fn text<'a>(file: &str, v: &'a Json, path: &str) -> Result<Option<&'a str>> {
    match v {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s)),
        _ => Err(bad(file, format!("{path} must be a string"))),
    }
}

/// The members of `v` at `path` (none for null), each checked against
/// `known`: any other key is refused by its path.
fn members<'a>(
    file: &str,
    v: &'a Json,
    path: &str,
    known: &[&str],
) -> Result<&'a serde_json::Map<String, Json>> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Json>> = std::sync::OnceLock::new();
    let m = match v {
        Json::Null => return Ok(EMPTY.get_or_init(serde_json::Map::new)),
        Json::Object(m) => m,
        _ => return Err(bad(file, format!("{} must be an object", shown(path)))),
    };
    for k in m.keys() {
        if !known.contains(&k.as_str()) {
            return Err(bad(
                file,
                format!(
                    "{}: unknown key; expected one of {}",
                    join(path, k),
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(m)
}

/// The null of a missing key.
static NULL: Json = Json::Null;

/// The members of the object at `path`, the last key of which is read from
/// `parent`, checked as [`members`] checks them.
fn child<'a>(
    file: &str,
    parent: &'a serde_json::Map<String, Json>,
    path: &str,
    known: &[&str],
) -> Result<&'a serde_json::Map<String, Json>> {
    let key = path.rsplit('.').next().unwrap_or(path);
    members(file, parent.get(key).unwrap_or(&NULL), path, known)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn shown(path: &str) -> &str {
    if path.is_empty() {
        "the request body"
    } else {
        path
    }
}

/// Refuses a key this version does not answer yet, when it asks for
/// anything: null, an empty object or an empty list ask for nothing. The
/// message names the first key (or item) inside.
fn refuse_unless_empty(file: &str, v: &Json, path: &str, why: &str) -> Result<()> {
    let inner = match v {
        Json::Null => return Ok(()),
        Json::Object(m) => match m.keys().next() {
            None => return Ok(()),
            Some(k) => join(path, k),
        },
        Json::Array(a) if a.is_empty() => return Ok(()),
        Json::Array(_) => format!("{path}[0]"),
        _ => path.to_owned(),
    };
    Err(bad(file, format!("{inner}: {why}")))
}

impl AnalyticsRequest {
    /// Parses a request body; `file` labels errors.
    ///
    /// Every key is honoured or refused (SPEC 8): an unknown key, or one
    /// this version does not answer yet (`grouping.ids`/`keys`,
    /// `groupByMembers`, `additionalFilters`/`callFilters`,
    /// `responseOptions`), is an error naming its JSON path, so that a
    /// result never answers a different question than the body asks.
    /// `timeZone` is read in both places (`timeSettings` and
    /// `advancedTimeSettings`); a null or missing `grouping` is the whole
    /// company.
    pub fn parse(file: &str, body: &str) -> Result<AnalyticsRequest> {
        let v: Json = serde_json::from_str(body)
            .map_err(|e| bad(file, format!("invalid request JSON: {e}")))?;
        if !v.is_object() {
            return Err(bad(file, "the request body must be a JSON object"));
        }
        let top = members(
            file,
            &v,
            "",
            &[
                "grouping",
                "timeSettings",
                "interval",
                "additionalFilters",
                "callFilters",
                "responseOptions",
            ],
        )?;
        let null = &NULL;
        let mut r = AnalyticsRequest::default();
        let g = child(
            file,
            top,
            "grouping",
            &["groupBy", "ids", "keys", "groupByMembers"],
        )?;
        r.group_by = match text(file, g.get("groupBy").unwrap_or(null), "grouping.groupBy")? {
            Some(by) => Some(by.to_owned()),
            // No grouping, or none named: one record for everything.
            None => Some("Company".to_owned()),
        };
        for k in ["ids", "keys"] {
            refuse_unless_empty(
                file,
                g.get(k).unwrap_or(null),
                &format!("grouping.{k}"),
                "a selection of keys is not answered yet; filter the input files instead",
            )?;
        }
        if let Some(m) = g.get("groupByMembers").filter(|m| !m.is_null()) {
            return Err(bad(
                file,
                format!("grouping.groupByMembers: member groupings are not answered yet (got {m})"),
            ));
        }
        for k in ["additionalFilters", "callFilters"] {
            refuse_unless_empty(
                file,
                top.get(k).unwrap_or(null),
                k,
                "call filters are not answered yet; filter the input files instead",
            )?;
        }
        refuse_unless_empty(
            file,
            top.get("responseOptions").unwrap_or(null),
            "responseOptions",
            &format!(
                "response options are not answered yet; choose metrics with {}",
                OptionName::Columns
            ),
        )?;
        let ts = child(
            file,
            top,
            "timeSettings",
            &["timeZone", "timeRange", "advancedTimeSettings"],
        )?;
        let range = child(file, ts, "timeSettings.timeRange", &["timeFrom", "timeTo"])?;
        let adv = child(
            file,
            ts,
            "timeSettings.advancedTimeSettings",
            &["timeZone", "includeDays", "includeHours"],
        )?;
        let mut zone: Option<(&str, chrono_tz::Tz)> = None;
        for (path, m) in [
            ("timeSettings.timeZone", ts),
            ("timeSettings.advancedTimeSettings.timeZone", adv),
        ] {
            let Some(z) = text(file, m.get("timeZone").unwrap_or(null), path)? else {
                continue;
            };
            let tz = parse_zone(z)
                .ok_or_else(|| bad(file, format!("{path}: unknown time zone {z:?}")))?;
            match zone {
                Some((first, other)) if other != tz => {
                    return Err(bad(
                        file,
                        format!("{path} {z:?} differs from {first} {:?}", other.name()),
                    ))
                }
                _ => zone = Some((path, tz)),
            }
        }
        r.time_zone = zone.map(|(_, tz)| tz);
        for (key, slot) in [("timeFrom", &mut r.time_from), ("timeTo", &mut r.time_to)] {
            let p = format!("timeSettings.timeRange.{key}");
            if let Some(t) = text(file, range.get(key).unwrap_or(null), &p)? {
                *slot = Some(
                    t.parse::<TimeBound>()
                        .map_err(|e| bad(file, format!("{p}: {e}")))?,
                );
            }
        }
        const DAYS: &str = "timeSettings.advancedTimeSettings.includeDays";
        match adv.get("includeDays").unwrap_or(null) {
            Json::Null => {}
            Json::Array(days) => {
                let mut mask = 0u8;
                for (n, d) in days.iter().enumerate() {
                    let name = d.as_str().unwrap_or("");
                    let w = weekday(name)
                        .ok_or_else(|| bad(file, format!("{DAYS}[{n}]: unknown day {d}")))?;
                    mask |= 1 << w.num_days_from_monday();
                }
                r.include_days = Some(mask);
            }
            _ => return Err(bad(file, format!("{DAYS} must be a list"))),
        }
        const HOURS: &str = "timeSettings.advancedTimeSettings.includeHours";
        match adv.get("includeHours").unwrap_or(null) {
            Json::Null => {}
            Json::Array(hours) => {
                for (n, h) in hours.iter().enumerate() {
                    members(file, h, &format!("{HOURS}[{n}]"), &["from", "to"])?;
                    let get = |k: &str| h.get(k).and_then(Json::as_str).and_then(hhmm);
                    match (get("from"), get("to")) {
                        (Some(from), Some(to)) if from < 1440 && to >= 1 && from != to => {
                            r.include_hours.push(HourRange { from, to })
                        }
                        _ => {
                            return Err(bad(
                                file,
                                format!("{HOURS}[{n}]: expected {{\"from\": \"HH:mm\", \"to\": \"HH:mm\"}}, got {h}"),
                            ))
                        }
                    }
                }
            }
            _ => return Err(bad(file, format!("{HOURS} must be a list"))),
        }
        r.interval = match text(file, top.get("interval").unwrap_or(null), "interval")? {
            Some(i) => Some(
                i.parse::<BucketInterval>()
                    .map_err(|e| bad(file, format!("interval: {e} (or Hour, Day, Week, Month)")))?,
            ),
            // An aggregate request: one record per key for the whole range.
            None => Some(BucketInterval::Total),
        };
        Ok(r)
    }

    /// Reads and parses a request file.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<AnalyticsRequest> {
        let path = path.as_ref();
        let name = path.to_string_lossy();
        let body = std::fs::read_to_string(path).map_err(|e| Error::io(name.as_ref(), e))?;
        AnalyticsRequest::parse(&name, &body)
    }

    /// The grouping `groupBy` names (whether it suits the report is
    /// checked when the rollup runs).
    pub fn grouping(&self) -> Result<Option<Grouping>> {
        let Some(g) = &self.group_by else {
            return Ok(None);
        };
        let by = match g.to_ascii_lowercase().as_str() {
            "queues" | "queue" => Grouping::Queue,
            "users" | "agents" => Grouping::Agent,
            "queueagents" => {
                // The API's QueueAgents is one record per agent over the
                // queues in `ids`, not one per agent and queue.
                return Err(Error::usage(format!(
                    "grouping.groupBy QueueAgents (one record per agent over the queues in \
                     ids) is not answered yet; {} {} gives one record per agent and queue",
                    OptionName::By,
                    Grouping::AgentQueue
                )));
            }
            "company" | "wholecompany" => Grouping::All,
            "usergroups" | "agentgroups" => Grouping::AgentGroup,
            "queuegroups" => Grouping::QueueGroup,
            _ => {
                return Err(Error::usage(format!(
                    "grouping.groupBy {g:?} has no rollup equivalent; expected Queues, Users, \
                     QueueAgents, Company, UserGroups or QueueGroups"
                )))
            }
        };
        Ok(Some(by))
    }

    /// Sets the options this request carries on `rollup`.
    pub fn apply(&self, mut rollup: Rollup) -> Result<Rollup> {
        if let Some(g) = self.grouping()? {
            rollup = rollup.by(g);
        }
        if let Some(tz) = self.time_zone {
            rollup = rollup.tz(tz);
        }
        if let Some(f) = self.time_from {
            rollup = rollup.from(f);
        }
        if let Some(t) = self.time_to {
            rollup = rollup.to(t);
        }
        if let Some(d) = self.include_days {
            rollup = rollup.days(d);
        }
        if !self.include_hours.is_empty() {
            rollup = rollup.hours(self.include_hours.clone());
        }
        if let Some(i) = self.interval {
            rollup = rollup.interval(i);
        }
        Ok(rollup)
    }
}
