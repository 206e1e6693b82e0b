//! RingCentral Analytics API request bodies mapped onto rollup options
//! (interval reports; interaction metadata maps them onto the calls
//! builder, [`Calls::request`](crate::calls::Calls::request)).
//!
//! `rcx rollup --request FILE` accepts the body an integrator already sends
//! to the Analytics API, so that a rollup of exported files and an API
//! response can be compared like for like. The fields read are:
//!
//! | request field | rollup option |
//! |---|---|
//! | `grouping.groupBy`: `Queues`, `Users`, `Company`/`WholeCompany`, `UserGroups`, `QueueGroups` | `--by queue`, `agent`, `all`, `agent-group`, `queue-group` |
//! | no `grouping`, a null one, or no `groupBy` | `--by all` (one record for the whole company) |
//! | `grouping.groupBy` `QueueAgents` with `ids`/`keys` | `--by agent` over the rows of those queues ([`Rollup::queue_ids`]) |
//! | `grouping.groupBy` `Departments`, `Sites` (and `UserGroups`) | `--by agent-group`, the agent map naming departments or sites |
//! | `grouping.groupBy` `UserGroupMembers`, `DepartmentMembers`, `SiteMembers` with `ids` | `--by agent` over the agents the agent map puts in those groups ([`Rollup::members_of`]) |
//! | `grouping.groupBy` `IVRs`, `CompanyNumbers` | interaction metadata only (`Calls::request` of the `calls` module): `--by ivr`, `company-number`; refused on interval reports |
//! | `grouping.groupByMembers` `Department`, `UserGroup`, `Site`, `Queue` with `keys` (current endpoints) | as `DepartmentMembers`, `UserGroupMembers`, `SiteMembers`, `QueueAgents`; the response's `groupedBy` is `Users` |
//! | `timeSettings.timeZone` or `timeSettings.advancedTimeSettings.timeZone` (both: the same zone) | `--tz` |
//! | `timeSettings.timeRange.timeFrom` / `timeTo` | `--from` / `--to` |
//! | `timeSettings.advancedTimeSettings.includeDays` | `--days` |
//! | `timeSettings.advancedTimeSettings.includeHours` `[{from, to}]` | `--hours` |
//! | `interval` (top level, as the timeline endpoint's query parameter): `Hour`, `Day`, `Week`, `Month`, and this tool's names | `--interval` |
//! | no `interval` (an aggregate request) | `--interval total` (one record per key for the whole range) |
//! | `grouping.ids` or `grouping.keys` | the keys the response lists, in that order (a key without rows: a record of zeros) |
//! | `additionalFilters` / `callFilters`: `direction`, `callResponse`, `queueSla` (a value or a list); on interaction metadata also `callResult`, `callType`, `callDuration`, `timeSpent`, `calledNumbers` | the calls the response counts ([`CallFilters`](super::CallFilters)) |
//! | `responseOptions.counters` / `timers`: an option with `true`, or (aggregate requests) `{aggregationType, aggregationInterval}` | the options the response lists ([`API_OPTIONS`](super::API_OPTIONS)) and how each is aggregated ([`Aggregation`](super::Aggregation)); none given: `allCalls` and `allCallsDuration` |
//!
//! The last three shape an Analytics response
//! ([`AnalyticsAnswer`](super::AnalyticsAnswer)); another output format
//! refuses a request that has them. Every other key is refused with its
//! JSON path, never ignored (SPEC 8: "every key of a request body is
//! either honoured exactly or refused"): a misspelled or unknown key or
//! enum value, and the keys not answered yet, when they ask for anything:
//! the filters neither input carries
//! (`origin`, `callerExtensionIds`, …), the options they cannot answer
//! (`callsByOrigin`, …), and an `aggregationInterval` with `Sum` or
//! `Percent` (the API takes one only with `Average`, `Min` and `Max`).
//! Null, `{}` and `[]` ask for nothing and are accepted.

use serde_json::Value as Json;

mod answer;

use self::answer::{filters, nonempty, response_options, selected_keys};
use super::analytics::{Aggregation, AnalyticsAnswer, ApiOption, Asked, Section};
use super::{Grouping, Rollup};
use crate::error::{Error, Result};
use crate::model::parse_zone;
use crate::window::{hhmm, weekday, BucketInterval, HourRange, TimeBound, Window};

/// The Analytics endpoint a body is sent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `calls/aggregate` (`aggregation/fetch`): one record per key over
    /// the whole range.
    Aggregate,
    /// `calls/timeline` (`timeline/fetch`): points per interval, the
    /// interval being the endpoint's query parameter when given.
    Timeline(Option<BucketInterval>),
}

impl Endpoint {
    /// The timeline endpoint's intervals (its `interval` query parameter).
    pub const INTERVALS: &'static [BucketInterval] = &[
        BucketInterval::Hour,
        BucketInterval::Day,
        BucketInterval::Week,
        BucketInterval::Month,
    ];
}

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
    /// What the response answers: `responseOptions`, the filters, the
    /// keys selected.
    pub answer: AnalyticsAnswer,
    /// `grouping.ids` of a `QueueAgents` grouping: the queues whose rows
    /// are summed per agent.
    pub queue_ids: Option<Vec<String>>,
    /// `grouping.ids` of a `UserGroupMembers`, `DepartmentMembers` or
    /// `SiteMembers` grouping: the groups (of the agent map) whose agents
    /// get a record each.
    pub member_of: Option<Vec<String>>,
}

/// What a grouping's `ids` (or `keys`) name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ids {
    /// The keys the response lists.
    Keys,
    /// The queues whose rows are summed per agent (QueueAgents).
    Queues,
    /// The groups whose agents get a record each (*Members).
    Members,
}

/// The rollup grouping of a `groupBy` name, and what its `ids`
/// name; `None` for a name without one.
fn group_by(name: &str) -> Option<(Grouping, Ids)> {
    Some(match name {
        "Queues" => (Grouping::Queue, Ids::Keys),
        "Users" => (Grouping::Agent, Ids::Keys),
        // One record per agent over the queues in `ids`, not one per
        // agent and queue.
        "QueueAgents" => (Grouping::Agent, Ids::Queues),
        "Company" | "WholeCompany" => (Grouping::All, Ids::Keys),
        // Groups of agents through the agent map (many-to-many).
        "UserGroups" | "Departments" | "Sites" => (Grouping::AgentGroup, Ids::Keys),
        // One record per agent of the groups in `ids`.
        "UserGroupMembers" | "DepartmentMembers" | "SiteMembers" => (Grouping::Agent, Ids::Members),
        "QueueGroups" => (Grouping::QueueGroup, Ids::Keys),
        _ => return None,
    })
}

/// Every `groupBy` value of the API (SPEC 8.1), in its spelling.
pub(crate) const GROUP_BY_NAMES: &[&str] = &[
    "Queues",
    "Users",
    "QueueAgents",
    "Company",
    "WholeCompany",
    "UserGroups",
    "Departments",
    "Sites",
    "UserGroupMembers",
    "DepartmentMembers",
    "SiteMembers",
    "QueueGroups",
    "IVRs",
    "CompanyNumbers",
    "SharedLines",
];

/// The legacy grouping of a current `groupByMembers` scope: the users of
/// the departments, user groups, queues or sites in `keys`.
fn members_grouping(file: &str, scope: &str) -> Result<&'static str> {
    Ok(match scope {
        "Department" => "DepartmentMembers",
        "UserGroup" => "UserGroupMembers",
        "Queue" => "QueueAgents",
        "Site" => "SiteMembers",
        other => {
            return Err(bad(
                file,
                format!(
                    "grouping.groupByMembers {other:?}: unknown; expected Department, UserGroup, \
                     Queue or Site"
                ),
            ))
        }
    })
}

/// The API's name of a weekday (`Monday`, …).
fn weekday_name(w: chrono::Weekday) -> &'static str {
    use chrono::Weekday::*;
    match w {
        Mon => "Monday",
        Tue => "Tuesday",
        Wed => "Wednesday",
        Thu => "Thursday",
        Fri => "Friday",
        Sat => "Saturday",
        Sun => "Sunday",
    }
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

impl AnalyticsRequest {
    /// Parses a request body; `file` labels errors.
    ///
    /// Every key is honoured or refused (SPEC 8): an unknown key, or one
    /// this version does not answer (see the module's table), is an error
    /// naming its JSON path, so that a result never answers a different
    /// question than the body asks. Whether the report can answer the
    /// options and filters asked is checked when the rollup runs.
    /// `timeZone` is read in both places (`timeSettings` and
    /// `advancedTimeSettings`); a null or missing `grouping` is the whole
    /// company.
    pub fn parse(file: &str, body: &str) -> Result<AnalyticsRequest> {
        Self::parse_inner(file, body, None)
    }

    fn parse_inner(file: &str, body: &str, endpoint: Option<Endpoint>) -> Result<AnalyticsRequest> {
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
        let named = text(file, g.get("groupBy").unwrap_or(null), "grouping.groupBy")?;
        let scope = text(
            file,
            g.get("groupByMembers").unwrap_or(null),
            "grouping.groupByMembers",
        )?;
        if let Some(by) = named.filter(|n| !GROUP_BY_NAMES.contains(n)) {
            return Err(bad(
                file,
                format!(
                    "grouping.groupBy {by:?}: unknown; expected one of {}",
                    GROUP_BY_NAMES.join(", ")
                ),
            ));
        }
        r.answer.grouping = match (named, scope) {
            (Some(by), _) => Some(format!("grouping.groupBy {by:?}")),
            (None, Some(scope)) => Some(format!("grouping.groupByMembers {scope:?}")),
            (None, None) => None,
        };
        r.group_by = match (named, scope) {
            (Some(by), None) => Some(by.to_owned()),
            (Some(_), Some(_)) => {
                return Err(bad(
                    file,
                    "grouping.groupByMembers: give groupBy or groupByMembers, not both",
                ))
            }
            // The current endpoints' member grouping: one record per user
            // of the scope, as the legacy *Members (and QueueAgents).
            (None, Some(scope)) => Some(members_grouping(file, scope)?.to_owned()),
            // No grouping, or none named: one record for everything.
            (None, None) => Some("Company".to_owned()),
        };
        r.answer.keys = selected_keys(file, g, r.group_by.as_deref())?;
        match r.group_by.as_deref().and_then(group_by) {
            // QueueAgents: the ids are queues, each agent's record summed
            // over them.
            Some((_, Ids::Queues)) => r.queue_ids = r.answer.keys.take().map(|(_, ids)| ids),
            // *Members: the ids are groups of the agent map, a record per
            // agent in them.
            Some((_, Ids::Members)) => r.member_of = r.answer.keys.take().map(|(_, ids)| ids),
            _ => {}
        }
        let body_interval = match text(file, top.get("interval").unwrap_or(null), "interval")? {
            Some(i) => Some(
                i.parse::<BucketInterval>()
                    .map_err(|e| bad(file, format!("interval: {e} (or Hour, Day, Week, Month)")))?,
            ),
            None => None,
        };
        let interval =
            match (endpoint, body_interval) {
                // No endpoint named: a body with an interval is a timeline one.
                (None, i) => i,
                (Some(Endpoint::Aggregate), Some(_)) => return Err(bad(
                    file,
                    "interval: the aggregate endpoint takes no interval (the timeline one does)",
                )),
                (Some(Endpoint::Aggregate), None) => None,
                (Some(Endpoint::Timeline(Some(q))), Some(b)) if q != b => {
                    return Err(bad(
                        file,
                        format!("interval {b} differs from the endpoint's interval {q}"),
                    ))
                }
                (Some(Endpoint::Timeline(q)), b) => Some(q.or(b).ok_or_else(|| {
                    bad(
                        file,
                        "the timeline endpoint needs an interval: Hour, Day, Week or Month",
                    )
                })?),
            };
        // An aggregate request: one record per key for the whole range.
        r.interval = Some(interval.unwrap_or(BucketInterval::Total));
        r.answer.options = response_options(file, top, interval.is_some())?;
        r.answer.filters = filters(file, top)?;
        // A member grouping's response is grouped by users.
        r.answer.grouped_by = if scope.is_some() {
            Some("Users".to_owned())
        } else {
            r.group_by.clone()
        };
        r.answer.shaping = [
            ("responseOptions", r.answer.options.is_some()),
            ("additionalFilters", nonempty(top.get("additionalFilters"))),
            ("callFilters", nonempty(top.get("callFilters"))),
        ]
        .into_iter()
        .find(|(_, given)| *given)
        .map(|(k, _)| k.to_owned())
        .or_else(|| r.answer.keys.as_ref().map(|(path, _)| path.clone()));
        // No response options: the API's default, allCalls and
        // allCallsDuration.
        if r.answer.options.is_none() {
            r.answer.options = Some(
                [
                    (Section::Counters, "allCalls"),
                    (Section::Timers, "allCallsDuration"),
                ]
                .into_iter()
                .filter_map(|(s, n)| ApiOption::find(s, n))
                .map(|option| Asked {
                    option,
                    aggregation: Aggregation::Sum,
                    interval: None,
                })
                .collect(),
            );
        }
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
            // An empty list asks for nothing, as null does.
            Json::Array(days) if days.is_empty() => {}
            Json::Array(days) => {
                let mut mask = 0u8;
                for (n, d) in days.iter().enumerate() {
                    let name = d.as_str().unwrap_or("");
                    // The API's enum: the English day names, capitalised.
                    let w = weekday(name)
                        .filter(|w| weekday_name(*w) == name)
                        .ok_or_else(|| {
                            bad(
                                file,
                                format!(
                                    "{DAYS}[{n}]: unknown day {d}; expected Monday, Tuesday, \
                                     Wednesday, Thursday, Friday, Saturday or Sunday"
                                ),
                            )
                        })?;
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
        if r.answer.aggregation_base().is_some() && (r.time_from.is_none() || r.time_to.is_none()) {
            return Err(bad(
                file,
                "timeSettings.timeRange: Average, Min and Max count every aggregationInterval \
                 bucket of the range, empty ones too; give timeFrom and timeTo",
            ));
        }
        Ok(r)
    }

    /// Reads and parses a request file (the endpoint as in
    /// [`parse`](Self::parse)).
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<AnalyticsRequest> {
        Self::from_path_for(path, None)
    }

    /// Reads and parses a request file sent to `endpoint` (as in
    /// [`parse_for`](Self::parse_for)); `None` as in [`parse`](Self::parse).
    pub fn from_path_for(
        path: impl AsRef<std::path::Path>,
        endpoint: Option<Endpoint>,
    ) -> Result<AnalyticsRequest> {
        let path = path.as_ref();
        let name = path.to_string_lossy();
        let body = std::fs::read_to_string(path).map_err(|e| Error::io(name.as_ref(), e))?;
        AnalyticsRequest::parse_inner(&name, &body, endpoint)
    }

    /// Parses a body sent to `endpoint`: the aggregate endpoint refuses a
    /// top-level `interval`; the timeline endpoint takes its interval from
    /// the query parameter (`Endpoint::Timeline(Some(..))`) or the body
    /// (both: the same), and needs one.
    ///
    /// ```
    /// use ringcx_reports::rollup::{AnalyticsRequest, Endpoint};
    /// use ringcx_reports::window::BucketInterval;
    /// let body = r#"{"grouping": {"groupBy": "Queues"}}"#;
    /// let r = AnalyticsRequest::parse_for("b.json", body, Endpoint::Timeline(Some(BucketInterval::Day)))?;
    /// assert_eq!(r.interval, Some(BucketInterval::Day));
    /// let r = AnalyticsRequest::parse_for("b.json", body, Endpoint::Aggregate)?;
    /// assert_eq!(r.interval, Some(BucketInterval::Total));
    /// assert!(AnalyticsRequest::parse_for("b.json", body, Endpoint::Timeline(None)).is_err());
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn parse_for(file: &str, body: &str, endpoint: Endpoint) -> Result<AnalyticsRequest> {
        Self::parse_inner(file, body, Some(endpoint))
    }

    /// The grouping `groupBy` names (whether it suits the report is
    /// checked when the rollup runs).
    pub fn grouping(&self) -> Result<Option<Grouping>> {
        let Some(g) = &self.group_by else {
            return Ok(None);
        };
        let (by, _) = group_by(g).ok_or_else(|| {
            if ["IVRs", "CompanyNumbers"].contains(&g.as_str()) {
                return Error::usage(format!(
                    "grouping.groupBy {g:?}: interval reports carry no IVR or company number; \
                     interaction metadata (segment files) answers it"
                ));
            }
            Error::usage(format!(
                "grouping.groupBy {g:?} has no rollup equivalent; expected Queues, Users, \
                 QueueAgents, Company, UserGroups, Departments, Sites, UserGroupMembers, \
                 DepartmentMembers, SiteMembers or QueueGroups"
            ))
        })?;
        Ok(Some(by))
    }

    /// `w` with the request's time settings: its zone, range, days and
    /// hours (the others as they were).
    pub(crate) fn time_window(&self, mut w: Window) -> Window {
        if let Some(tz) = self.time_zone {
            w = w.tz(tz);
        }
        if let Some(f) = self.time_from {
            w = w.from(f);
        }
        if let Some(t) = self.time_to {
            w = w.to(t);
        }
        if let Some(d) = self.include_days {
            w = w.days(d);
        }
        if !self.include_hours.is_empty() {
            w = w.hours(self.include_hours.clone());
        }
        w
    }

    /// Sets the options this request carries on `rollup`.
    pub fn apply(&self, mut rollup: Rollup) -> Result<Rollup> {
        if let Some(g) = self.grouping()? {
            rollup = rollup.by(g);
        }
        rollup.window = self.time_window(rollup.window);
        if let Some(q) = &self.queue_ids {
            rollup = rollup.queue_ids(q.iter().cloned());
        }
        if let Some(g) = &self.member_of {
            rollup = rollup.members_of(g.iter().cloned());
        }
        // Average, Min and Max are over buckets the writer regroups.
        if let Some(i) = self.answer.aggregation_base().or(self.interval) {
            rollup = rollup.interval(i);
        }
        Ok(rollup.analytics(self.answer.clone()))
    }
}
