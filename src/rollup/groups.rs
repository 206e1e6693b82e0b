//! Group maps: which queue or agent belongs to which group (SPEC 4.1).
//!
//! Two sources are accepted: a CSV `id,group` (an optional header row whose
//! first field is not an id is skipped), or the JSON of RingCX's
//! `queue-groups/{id}/with-agents` endpoint: objects with `queueId`,
//! `queueName`, `queueGroupId` (and `queueGroupName` when present) and
//! `agentIds`. From that JSON a queue map takes `queueId → group` and an
//! agent map takes each of `agentIds → group`. An id may be in several
//! groups (many-to-many, as the Analytics API's user groups, departments
//! and sites are): its rows count in each of them, and a rollup says how
//! many ids are (so group totals can add up to more than the whole).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::error::{Error, Result};

/// The group of an id that is not in the map.
pub const UNMAPPED: &str = "(unmapped)";

/// Which ids a map assigns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GroupOf {
    /// Queue ids (`--queue-groups`).
    Queues,
    /// Agent ids (`--agent-groups`).
    Agents,
}

/// A map from queue or agent ids to group names.
///
/// ```
/// use ringcx_reports::rollup::{GroupMap, GroupOf};
/// let m = GroupMap::from_csv("g.csv", "id,group\n5686,Sales\n5688,\"Support, EU\"\n")?;
/// assert_eq!(m.group("5686"), "Sales");
/// assert_eq!(m.group("5688"), "Support, EU");
/// assert_eq!(m.group("9999"), "(unmapped)");
///
/// let j = r#"[{"queueId": 5686, "queueName": "Sales", "queueGroupId": 77, "agentIds": [1001, "1002"]}]"#;
/// let a = GroupMap::from_json("g.json", j, GroupOf::Agents)?;
/// assert_eq!(a.group("1002"), "77");
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupMap {
    /// Each id's groups, in the order the map first gives them.
    map: HashMap<Box<str>, Vec<Arc<str>>>,
}

fn insert(
    map: &mut HashMap<Box<str>, Vec<Arc<str>>>,
    file: &str,
    line: usize,
    id: &str,
    group: &str,
) -> Result<()> {
    let id = id.trim();
    let group = group.trim();
    if id.is_empty() || group.is_empty() {
        return Err(Error::usage(format!(
            "{file}:{line}: a group map entry needs an id and a group (got {id:?}, {group:?})"
        )));
    }
    let groups = map.entry(id.into()).or_default();
    if !groups.iter().any(|g| &**g == group) {
        groups.push(group.into());
    }
    Ok(())
}

fn json_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl GroupMap {
    /// The (first) group of `id`, or [`UNMAPPED`].
    pub fn group(&self, id: &str) -> &str {
        self.groups(id).first().map_or(UNMAPPED, |g| &**g)
    }
    /// Every group of `id`, in the map's order; empty when it is not
    /// mapped (its rows go to [`UNMAPPED`]).
    ///
    /// ```
    /// use ringcx_reports::rollup::GroupMap;
    /// let m = GroupMap::from_csv("g.csv", "1001,Sales\n1001,Support\n1002,Sales\n")?;
    /// let g: Vec<&str> = m.groups("1001").iter().map(|g| &**g).collect();
    /// assert_eq!(g, ["Sales", "Support"]);
    /// assert!(m.groups("9").is_empty());
    /// assert_eq!(m.in_several_groups(), 1);
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn groups(&self, id: &str) -> &[Arc<str>] {
        self.map.get(id).map_or(&[], |g| g.as_slice())
    }
    /// The ids in at least one of `groups`.
    pub(crate) fn members_of(&self, groups: &[String]) -> crate::window::FastSet<String> {
        self.map
            .iter()
            .filter(|(_, gs)| gs.iter().any(|g| groups.iter().any(|w| **g == **w)))
            .map(|(id, _)| id.to_string())
            .collect()
    }
    /// How many ids are in more than one group.
    pub fn in_several_groups(&self) -> usize {
        self.map.values().filter(|g| g.len() > 1).count()
    }
    /// Number of ids mapped.
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Reads a file: JSON when its first non-blank byte is `[` or `{`,
    /// else CSV.
    pub fn from_path(path: impl AsRef<Path>, of: GroupOf) -> Result<GroupMap> {
        let path = path.as_ref();
        let name = path.to_string_lossy();
        let bytes = std::fs::read(path).map_err(|e| Error::io(name.as_ref(), e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::usage(format!("{name}: the group map is not UTF-8")))?;
        let text = text.trim_start_matches('\u{feff}');
        match text.trim_start().as_bytes().first() {
            Some(b'[') | Some(b'{') => GroupMap::from_json(&name, text, of),
            _ => GroupMap::from_csv(&name, text),
        }
    }

    /// Reads a CSV `id,group` (comma, semicolon or tab; RFC 4180 quotes).
    pub fn from_csv(file: &str, text: &str) -> Result<GroupMap> {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let delim = [b',', b';', b'\t']
            .into_iter()
            .find(|d| first.as_bytes().contains(d))
            .unwrap_or(b',');
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(delim)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut map = HashMap::new();
        let mut first_record = true;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| Error::usage(format!("{file}: {e}")))?;
            let line = rec.position().map_or(0, |p| p.line() as usize);
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if first_record {
                first_record = false;
                let head = rec.get(0).unwrap_or("").trim().to_ascii_lowercase();
                if matches!(
                    head.as_str(),
                    "id" | "queue" | "queue_id" | "queueid" | "agent" | "agent_id" | "agentid"
                ) {
                    continue;
                }
            }
            if rec.len() != 2 {
                return Err(Error::usage(format!(
                    "{file}:{line}: expected two fields, id and group, found {}",
                    rec.len()
                )));
            }
            insert(&mut map, file, line, &rec[0], &rec[1])?;
        }
        Ok(GroupMap { map })
    }

    /// Reads the JSON of `queue-groups/{id}/with-agents`: one object, an
    /// array of them, or an array under `records`/`data`.
    pub fn from_json(file: &str, text: &str, of: GroupOf) -> Result<GroupMap> {
        let v: Json = serde_json::from_str(text)
            .map_err(|e| Error::usage(format!("{file}: invalid group-map JSON: {e}")))?;
        let items: Vec<&Json> = match &v {
            Json::Array(a) => a.iter().collect(),
            Json::Object(o) => match o.get("records").or_else(|| o.get("data")) {
                Some(Json::Array(a)) => a.iter().collect(),
                _ => vec![&v],
            },
            _ => Vec::new(),
        };
        let mut map = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("{file}: item {}", i + 1);
            let group = item
                .get("queueGroupName")
                .and_then(json_text)
                .filter(|g| !g.trim().is_empty())
                .or_else(|| item.get("queueGroupId").and_then(json_text))
                .ok_or_else(|| Error::usage(format!("{at}: no queueGroupId")))?;
            match of {
                GroupOf::Queues => {
                    let id = item
                        .get("queueId")
                        .and_then(json_text)
                        .ok_or_else(|| Error::usage(format!("{at}: no queueId")))?;
                    insert(&mut map, file, i + 1, &id, &group)?;
                }
                GroupOf::Agents => {
                    let ids = match item.get("agentIds") {
                        Some(Json::Array(a)) => a.as_slice(),
                        Some(Json::Null) | None => &[],
                        Some(_) => {
                            return Err(Error::usage(format!("{at}: agentIds is not a list")))
                        }
                    };
                    for id in ids {
                        let id = json_text(id).ok_or_else(|| {
                            Error::usage(format!("{at}: an agent id is not a string or number"))
                        })?;
                        insert(&mut map, file, i + 1, &id, &group)?;
                    }
                }
            }
        }
        if map.is_empty() {
            return Err(Error::usage(format!("{file}: the group map maps no id")));
        }
        Ok(GroupMap { map })
    }
}
