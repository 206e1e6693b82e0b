//! RingCentral Analytics API request bodies mapped onto rollup options.
//!
//! `rcx rollup --request FILE` accepts the body an integrator already sends
//! to the Analytics API, so that a rollup of exported files and an API
//! response can be compared like for like. The fields read are:
//!
//! | request field | rollup option |
//! |---|---|
//! | `grouping.groupBy`: `Queues`, `Users`, `QueueAgents`, `Company`, `UserGroups`, `QueueGroups` | `--by queue`, `agent`, `agent-queue`, `all`, `agent-group`, `queue-group` |
//! | `timeSettings.timeZone` | `--tz` |
//! | `timeSettings.timeRange.timeFrom` / `timeTo` | `--from` / `--to` |
//! | `timeSettings.advancedTimeSettings.includeDays` | `--days` |
//! | `timeSettings.advancedTimeSettings.includeHours` `[{from, to}]` | `--hours` |
//! | `interval` (top level, as the timeline endpoint's query parameter): `Hour`, `Day`, `Week`, `Month`, and this tool's names | `--interval` |
//!
//! Fields the rollup cannot honour (`grouping.keys`, `callFilters`) are
//! refused rather than ignored, so a result never silently answers a
//! different question than the request asked.

use serde_json::Value as Json;

use super::{Grouping, Rollup};
use crate::error::{Error, Result};
use crate::model::parse_zone;
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
    /// `interval`.
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

impl AnalyticsRequest {
    /// Parses a request body; `file` labels errors.
    pub fn parse(file: &str, body: &str) -> Result<AnalyticsRequest> {
        let v: Json = serde_json::from_str(body)
            .map_err(|e| bad(file, format!("invalid request JSON: {e}")))?;
        if !v.is_object() {
            return Err(bad(file, "the request body must be a JSON object"));
        }
        let mut r = AnalyticsRequest::default();
        let null = Json::Null;
        let at = |p: &str| v.pointer(p).unwrap_or(&null);
        r.group_by = text(file, at("/grouping/groupBy"), "grouping.groupBy")?.map(str::to_owned);
        if at("/grouping/keys")
            .as_array()
            .is_some_and(|k| !k.is_empty())
        {
            return Err(bad(
                file,
                "grouping.keys is not supported: filter the input files instead",
            ));
        }
        if !at("/callFilters").is_null() {
            return Err(bad(
                file,
                "callFilters is not supported: interval reports carry no per-call detail",
            ));
        }
        if let Some(z) = text(file, at("/timeSettings/timeZone"), "timeSettings.timeZone")? {
            r.time_zone =
                Some(parse_zone(z).ok_or_else(|| bad(file, format!("unknown time zone {z:?}")))?);
        }
        for (key, slot) in [("timeFrom", &mut r.time_from), ("timeTo", &mut r.time_to)] {
            let p = format!("/timeSettings/timeRange/{key}");
            if let Some(t) = text(file, at(&p), &format!("timeRange.{key}"))? {
                *slot = Some(
                    t.parse::<TimeBound>()
                        .map_err(|e| bad(file, format!("timeRange.{key}: {e}")))?,
                );
            }
        }
        match at("/timeSettings/advancedTimeSettings/includeDays") {
            Json::Null => {}
            Json::Array(days) => {
                let mut mask = 0u8;
                for d in days {
                    let name = d.as_str().unwrap_or("");
                    let w = weekday(name)
                        .ok_or_else(|| bad(file, format!("includeDays: unknown day {d}")))?;
                    mask |= 1 << w.num_days_from_monday();
                }
                r.include_days = Some(mask);
            }
            _ => return Err(bad(file, "includeDays must be a list")),
        }
        match at("/timeSettings/advancedTimeSettings/includeHours") {
            Json::Null => {}
            Json::Array(hours) => {
                for h in hours {
                    let get = |k: &str| h.get(k).and_then(Json::as_str).and_then(hhmm);
                    match (get("from"), get("to")) {
                        (Some(from), Some(to)) if from < 1440 && to >= 1 && from != to => {
                            r.include_hours.push(HourRange { from, to })
                        }
                        _ => {
                            return Err(bad(
                                file,
                                format!("includeHours: expected {{\"from\": \"HH:mm\", \"to\": \"HH:mm\"}}, got {h}"),
                            ))
                        }
                    }
                }
            }
            _ => return Err(bad(file, "includeHours must be a list")),
        }
        if let Some(i) = text(file, at("/interval"), "interval")? {
            r.interval =
                Some(i.parse::<BucketInterval>().map_err(|e| {
                    bad(file, format!("interval: {e} (or Hour, Day, Week, Month)"))
                })?);
        }
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
            "queueagents" => Grouping::AgentQueue,
            "company" => Grouping::All,
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
