//! The keys of a request body that shape the response (SPEC 8.1, 8.2):
//! `grouping.ids`/`keys`, `responseOptions` and the filters.

use serde_json::Value as Json;

use super::{bad, child, members, text, NULL};
use crate::error::Result;
use crate::rollup::analytics::{
    phone_digits, Aggregation, ApiOption, Asked, CallFilters, FilterValue, LengthFilter, Section,
    API_OPTIONS,
};
use crate::rollup::Grouping;
use crate::window::BucketInterval;

/// Whether a key asks for anything: null, `{}` and `[]` do not.
pub(super) fn nonempty(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) => false,
        Some(Json::Object(m)) => !m.is_empty(),
        Some(Json::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

/// The strings of a string or a list of strings at `path` (none for null).
fn strings<'a>(file: &str, v: &'a Json, path: &str) -> Result<Vec<(String, &'a str)>> {
    match v {
        Json::Null => Ok(Vec::new()),
        Json::String(s) => Ok(vec![(path.to_owned(), s.as_str())]),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(n, item)| {
                let p = format!("{path}[{n}]");
                match item {
                    Json::String(s) => Ok((p, s.as_str())),
                    _ => Err(bad(file, format!("{p} must be a string, got {item}"))),
                }
            })
            .collect(),
        _ => Err(bad(
            file,
            format!("{path} must be a string or a list of strings"),
        )),
    }
}

/// `grouping.ids` or `grouping.keys`: the keys a response lists, in the
/// request's order, with the path they were given at.
pub(super) fn selected_keys(
    file: &str,
    g: &serde_json::Map<String, Json>,
    group_by: Option<&str>,
) -> Result<Option<(String, Vec<String>)>> {
    let mut selected: Option<(String, Vec<String>)> = None;
    for k in ["ids", "keys"] {
        let path = format!("grouping.{k}");
        let v = g.get(k).unwrap_or(&NULL);
        if !v.is_array() && !v.is_null() {
            return Err(bad(file, format!("{path} must be a list of strings")));
        }
        let given = strings(file, v, &path)?;
        if given.is_empty() {
            continue;
        }
        if let Some((first, _)) = &selected {
            return Err(bad(
                file,
                format!("{path}: give keys once; {first} already does"),
            ));
        }
        if group_by.and_then(super::group_by).map(|(g, _)| g) == Some(Grouping::All) {
            return Err(bad(
                file,
                format!("{path}: the whole company is one record; it has no keys to select"),
            ));
        }
        let mut keys: Vec<String> = Vec::with_capacity(given.len());
        for (p, key) in given {
            if keys.iter().any(|k| k == key) {
                return Err(bad(file, format!("{p}: {key:?} is listed twice")));
            }
            keys.push(key.to_owned());
        }
        selected = Some((path, keys));
    }
    Ok(selected)
}

/// `responseOptions`: the options asked for, in the catalogue's order;
/// `None` when it asks for none (absent, null or empty). A timeline
/// request's options are `true` or `false`; an aggregate request's are
/// `{aggregationType, aggregationInterval}` (or `true`, the default sum).
pub(super) fn response_options(
    file: &str,
    top: &serde_json::Map<String, Json>,
    timeline: bool,
) -> Result<Option<Vec<Asked>>> {
    let ro = child(file, top, "responseOptions", &["counters", "timers"])?;
    let mut asked: Vec<Asked> = Vec::new();
    let mut given = false;
    for section in [Section::Counters, Section::Timers] {
        let path = format!("responseOptions.{}", section.key());
        let names: Vec<&str> = ApiOption::names(section).collect();
        let m = child(file, ro, &path, &names)?;
        for (name, v) in m {
            let p = format!("{path}.{name}");
            let option = ApiOption::find(section, name)
                .ok_or_else(|| bad(file, format!("{p}: unknown option")))?;
            given = true;
            let (aggregation, interval) = match v {
                Json::Null | Json::Bool(false) => continue,
                Json::Bool(true) => (Aggregation::Sum, None),
                Json::Object(_) if timeline => {
                    return Err(bad(
                        file,
                        format!(
                            "{p}: a timeline request (one with an interval) takes true or false, \
                             not an aggregation"
                        ),
                    ))
                }
                Json::Object(_) => aggregation(file, v, &p)?,
                _ => {
                    return Err(bad(
                        file,
                        format!("{p} must be true, false or {{\"aggregationType\": ...}}, got {v}"),
                    ))
                }
            };
            asked.push(Asked {
                option,
                aggregation,
                interval,
            });
        }
    }
    let at = |a: &Asked| API_OPTIONS.iter().position(|o| o == a.option);
    asked.sort_by_key(at);
    Ok(given.then_some(asked))
}

/// An aggregate request's `{aggregationType, aggregationInterval}`: the
/// API takes an interval with Average, Min and Max, and none with Sum and
/// Percent.
fn aggregation(file: &str, v: &Json, path: &str) -> Result<(Aggregation, Option<BucketInterval>)> {
    let m = members(file, v, path, &["aggregationType", "aggregationInterval"])?;
    let tp = format!("{path}.aggregationType");
    let how = match text(file, m.get("aggregationType").unwrap_or(&NULL), &tp)? {
        None | Some("Sum") => Aggregation::Sum,
        Some("Percent") => Aggregation::Percent,
        Some("Average") => Aggregation::Average,
        Some("Min") => Aggregation::Min,
        Some("Max") => Aggregation::Max,
        Some(t) => {
            return Err(bad(
                file,
                format!("{tp} {t:?}: unknown; expected Sum, Average, Min, Max or Percent"),
            ))
        }
    };
    let ip = format!("{path}.aggregationInterval");
    let interval = match text(file, m.get("aggregationInterval").unwrap_or(&NULL), &ip)? {
        None => None,
        Some("Hour") => Some(BucketInterval::Hour),
        Some("Day") => Some(BucketInterval::Day),
        Some("Week") => Some(BucketInterval::Week),
        Some("Month") => Some(BucketInterval::Month),
        Some(i) => {
            return Err(bad(
                file,
                format!("{ip} {i:?}: unknown; expected Hour, Day, Week or Month"),
            ))
        }
    };
    match (how, interval) {
        (Aggregation::Sum | Aggregation::Percent, Some(_)) => Err(bad(
            file,
            format!(
                "{ip}: the API takes an aggregation interval only with Average, Min or Max, \
                 not with {how:?}"
            ),
        )),
        // Without an interval: over the native rows' intervals.
        (Aggregation::Average | Aggregation::Min | Aggregation::Max, None) => {
            Ok((how, Some(BucketInterval::Native)))
        }
        _ => Ok((how, interval)),
    }
}

/// The filter keys of both request generations.
const FILTER_KEYS: &[&str] = &[
    "direction",
    "origin",
    "callResponse",
    "callResult",
    "callSegments",
    "callActions",
    "companyHours",
    "callDuration",
    "timeSpent",
    "callerExtensionIds",
    "calledExtensionIds",
    "calledNumbers",
    "queueSla",
    "callType",
];

/// `callDuration` or `timeSpent`: `{minValueSeconds, maxValueSeconds}`,
/// whole seconds, each optional, bounds inclusive.
fn length_filter(file: &str, v: &Json, path: &str) -> Result<LengthFilter> {
    let m = members(file, v, path, &["minValueSeconds", "maxValueSeconds"])?;
    let bound = |key: &str| -> Result<Option<i64>> {
        match m.get(key).unwrap_or(&NULL) {
            Json::Null => Ok(None),
            n => n.as_i64().filter(|s| *s >= 0).map(Some).ok_or_else(|| {
                bad(
                    file,
                    format!("{path}.{key} must be a whole number of seconds >= 0, got {n}"),
                )
            }),
        }
    };
    let f = LengthFilter {
        min_s: bound("minValueSeconds")?,
        max_s: bound("maxValueSeconds")?,
    };
    if let (Some(lo), Some(hi)) = (f.min_s, f.max_s) {
        if lo > hi {
            return Err(bad(
                file,
                format!("{path}: minValueSeconds {lo} is above maxValueSeconds {hi}"),
            ));
        }
    }
    Ok(f)
}

/// `additionalFilters` (legacy: a value or a list) and `callFilters`
/// (current: lists). Interval reports answer `direction`, `callResponse`
/// and `queueSla`; interaction metadata those and `callResult`
/// (Completed, Abandoned), `callType` (Transferred, Outbound),
/// `callDuration`, `timeSpent` and `calledNumbers` (which input answers
/// what is checked
/// when the files are read). Any other filter or value that asks for
/// something is refused by its path.
pub(super) fn filters(file: &str, top: &serde_json::Map<String, Json>) -> Result<CallFilters> {
    use FilterValue::*;
    let mut out = CallFilters::default();
    for block in ["additionalFilters", "callFilters"] {
        let m = child(file, top, block, FILTER_KEYS)?;
        for (key, v) in m {
            let path = format!("{block}.{key}");
            // The values answered, then the API's other values, refused.
            let (allowed, others): (&[(&str, FilterValue)], &[&str]) = match key.as_str() {
                "direction" => (&[("Inbound", Inbound), ("Outbound", Outbound)], &[]),
                "callResponse" => (
                    &[("Answered", Answered), ("NotAnswered", NotAnswered)],
                    &["Connected", "NotConnected"],
                ),
                "queueSla" => (&[("InSla", InSla), ("OutSla", OutSla)], &[]),
                "callResult" => (
                    &[("Completed", Completed), ("Abandoned", Abandoned)],
                    &["Voicemail", "Missed", "Accepted", "Unknown"],
                ),
                "callType" => (
                    &[("Transferred", Transferred), ("Outbound", OutboundType)],
                    &["Direct", "FromQueue", "ParkRetrieval", "Overflow"],
                ),
                "calledNumbers" => {
                    let mut numbers = Vec::new();
                    for (p, n) in strings(file, v, &path)? {
                        let digits = phone_digits(n);
                        if digits.is_empty() {
                            return Err(bad(file, format!("{p} {n:?}: not a phone number")));
                        }
                        numbers.push(digits);
                    }
                    numbers.sort_unstable();
                    numbers.dedup();
                    if !numbers.is_empty() {
                        out.called_numbers = Some((path, numbers));
                    }
                    continue;
                }
                "callDuration" | "timeSpent" if !nonempty(Some(v)) => continue,
                "callDuration" | "timeSpent" => {
                    let f = (path.clone(), length_filter(file, v, &path)?);
                    if key == "callDuration" {
                        out.call_duration = Some(f);
                    } else {
                        out.time_spent = Some(f);
                    }
                    continue;
                }
                _ if !nonempty(Some(v)) => continue,
                _ => {
                    return Err(bad(
                        file,
                        format!(
                            "{path}: not answered: neither interval reports nor interaction \
                             metadata carry a call's {key}"
                        ),
                    ))
                }
            };
            let mut values: Vec<FilterValue> = Vec::new();
            for (p, name) in strings(file, v, &path)? {
                if others.contains(&name) {
                    return Err(bad(
                        file,
                        format!(
                            "{p} {name:?}: not answered: the exported files cannot tell it \
                             (answered: {})",
                            allowed
                                .iter()
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                let value = allowed
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, f)| *f)
                    .ok_or_else(|| {
                        let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                        bad(
                            file,
                            format!("{p} {name:?}: unknown; expected {}", names.join(" or ")),
                        )
                    })?;
                values.push(value);
            }
            values.sort_unstable();
            values.dedup();
            if !values.is_empty() {
                out.filters.push((path, values));
            }
        }
    }
    Ok(out)
}
