//! Calls answering an Analytics API request body (SPEC 8): the request's
//! grouping, time settings and filters on the calls builder, and a
//! bucket's sums in the terms of the API's options ([`OptionSums`]).
//!
//! | `groupBy` | calls grouped by |
//! |---|---|
//! | `Users` | the call's first agent ([`TimelineBy::Agent`]) |
//! | `UserGroups` | that agent's segment group ([`TimelineBy::AgentGroup`]) |
//! | `CompanyNumbers` | the company number ([`TimelineBy::CompanyNumber`]) |
//! | `IVRs` | the first IVR the call went through ([`TimelineBy::Ivr`]) |
//! | `Company`, `WholeCompany`, none | one record ([`TimelineBy::All`]) |
//!
//! Interaction metadata carries no queue, department, site or shared
//! line, so the other groupings are refused by name. A call no agent took
//! has no user (nor a call without an IVR segment an IVR): the response
//! has no record for it, and a warning counts such calls.

use super::call::Call;
use super::metrics::Thresholds;
use super::{CallSums, Calls};
use crate::error::{Error, Result};
use crate::model::{Direction, ReportKind};
use crate::rollup::{AnalyticsAnswer, AnalyticsRequest, CallFacts, CallSplit, OptionSums, Share};
use crate::timeline::{Interaction, TimelineBy};
use crate::window::BucketInterval;

impl CallSums {
    /// The sums the Analytics API's options are built from (SPEC 8.3,
    /// "from calls"): counts and Σ spans of the calls by direction,
    /// response, result, service level and type; talk is the handle time.
    /// `lists_unanswered`: whether the data lists calls no agent took (cx
    /// v1); without them (v2 exports list agent legs only) the
    /// not-answered and abandoned values are `None`, printed `null`.
    ///
    /// ```
    /// use ringcx_reports::calls::CallSums;
    /// let s = CallSums { calls: 3, span_ms: 9_000, offered: 2, inbound_span_ms: 7_000,
    ///     answered: 1, answered_span_ms: 5_000, abandoned: 1, abandoned_span_ms: 2_000,
    ///     handled: 2, handled_span_ms: 7_000, handle_ms: 4_000, ..Default::default() };
    /// let o = s.option_sums(true);
    /// let split = o.calls.unwrap();
    /// assert_eq!((split.answered.calls, split.answered.ms), (2, 7_000));
    /// assert_eq!(split.not_answered.map(|n| (n.calls, n.ms)), Some((1, 2_000)));
    /// assert_eq!(o.talk_ms, Some(4_000));
    /// assert_eq!(s.option_sums(false).calls.unwrap().abandoned, None);
    /// ```
    pub fn option_sums(&self, lists_unanswered: bool) -> OptionSums {
        let share = |calls: u64, ms: i64| Share {
            calls: i128::from(calls),
            ms: i128::from(ms),
        };
        let listed = |s: Share| lists_unanswered.then_some(s);
        let n = |v: u64| Some(i128::from(v));
        OptionSums {
            offered: n(self.offered),
            answered: n(self.answered),
            abandoned: lists_unanswered.then(|| i128::from(self.abandoned)),
            answered_within_sl: n(self.answered_within_sl),
            answer_wait_ms: None,
            abandon_wait_ms: None,
            talk_ms: Some(i128::from(self.handle_ms)),
            wrap_ms: None,
            calls: Some(CallSplit {
                all: share(self.calls, self.span_ms),
                inbound: share(self.offered, self.inbound_span_ms),
                outbound: share(self.outbound, self.outbound_span_ms),
                answered: share(self.handled, self.handled_span_ms),
                not_answered: listed(share(
                    self.calls - self.handled,
                    self.span_ms - self.handled_span_ms,
                )),
                abandoned: listed(share(self.abandoned, self.abandoned_span_ms)),
                in_sla: share(self.answered_within_sl, self.in_sla_span_ms),
                out_of_sla: share(
                    self.answered - self.answered_within_sl,
                    self.answered_span_ms - self.in_sla_span_ms,
                ),
                transferred: share(self.transferred_calls, self.transferred_span_ms),
            }),
            kind: Some(ReportKind::Segments),
        }
    }
}

/// What the filters see of call `c` of interaction `i` grouped under `by`:
/// the time spent on it is that of the agents of its key (the first
/// agent, or the agents of its group; every agent otherwise).
pub(super) fn facts<'a>(
    c: &Call<'a>,
    i: &Interaction,
    by: TimelineBy,
    t: Thresholds,
) -> CallFacts<'a> {
    let key = c.key(by);
    let time_spent_ms = match by {
        TimelineBy::Agent => i
            .agent_segments()
            .filter(|s| s.agent_id() == Some(key))
            .map(|s| s.span_ms())
            .sum(),
        TimelineBy::AgentGroup => i
            .agent_segments()
            .filter(|s| s.group() == key)
            .map(|s| s.span_ms())
            .sum(),
        _ => c.handle_ms,
    };
    let inbound = c.direction == Some(Direction::Inbound);
    CallFacts {
        inbound,
        outbound: c.direction == Some(Direction::Outbound),
        answered: c.answered(),
        in_sla: inbound && c.answered() && c.wait_ms <= t.sl_ms,
        transferred: c.answered() && c.transfers > 0,
        span_ms: c.span_ms(),
        time_spent_ms,
        called_address: c.called_address(),
    }
}

/// The calls grouping of a `groupBy` name; `None` for one
/// interaction metadata cannot answer.
fn group_by(name: &str) -> Option<TimelineBy> {
    Some(match name {
        "Users" => TimelineBy::Agent,
        "UserGroups" => TimelineBy::AgentGroup,
        "CompanyNumbers" => TimelineBy::CompanyNumber,
        "IVRs" => TimelineBy::Ivr,
        "Company" | "WholeCompany" => TimelineBy::All,
        _ => return None,
    })
}

/// The `groupBy` name a response echoes for a calls grouping; `None` for
/// one the API does not have (direction, channel).
pub(crate) fn grouped_by(by: TimelineBy) -> Option<&'static str> {
    match by {
        TimelineBy::Agent => Some("Users"),
        TimelineBy::AgentGroup => Some("UserGroups"),
        TimelineBy::CompanyNumber => Some("CompanyNumbers"),
        TimelineBy::Ivr => Some("IVRs"),
        TimelineBy::All => Some("Company"),
        TimelineBy::Direction | TimelineBy::Channel => None,
    }
}

impl Calls {
    /// Answers an Analytics API response ([`write_calls`] with the
    /// analytics format): the options, filters, key selection and paging
    /// of `answer`. The filters keep or drop each call.
    ///
    /// [`write_calls`]: crate::write::write_calls
    pub fn analytics(mut self, answer: AnalyticsAnswer) -> Self {
        self.answer = Some(std::sync::Arc::new(answer));
        self
    }

    /// Applies an Analytics API request body (see [`AnalyticsRequest`]):
    /// its grouping (Users, UserGroups, CompanyNumbers, IVRs, Company;
    /// the others are refused by name), time settings, interval and what its response answers.
    ///
    /// ```
    /// use ringcx_reports::calls::Calls;
    /// use ringcx_reports::rollup::AnalyticsRequest;
    /// use ringcx_reports::timeline::TimelineBy;
    /// let body = r#"{"grouping": {"groupBy": "Users"}, "timeSettings": {"timeZone": "Europe/Berlin"}}"#;
    /// let calls = Calls::new().request(&AnalyticsRequest::parse("b.json", body)?)?;
    /// assert_eq!(calls.grouping(), TimelineBy::Agent);
    /// let queues = AnalyticsRequest::parse("b.json", r#"{"grouping": {"groupBy": "Queues"}}"#)?;
    /// assert!(Calls::new().request(&queues).is_err());
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn request(self, r: &AnalyticsRequest) -> Result<Self> {
        let name = r.group_by.as_deref().unwrap_or("Company");
        let by = group_by(name).ok_or_else(|| {
            let named = r
                .answer
                .grouping
                .clone()
                .unwrap_or_else(|| format!("grouping.groupBy {name:?}"));
            Error::usage(format!(
                "{named}: interaction metadata answers Users (a call's first \
                 agent), UserGroups (that agent's group), CompanyNumbers, IVRs (the first IVR \
                 of a call) and Company; it carries no queue, department, site or shared \
                 line"
            ))
        })?;
        let mut c = self.by(by);
        c.window = r.time_window(c.window);
        // Average, Min and Max are over buckets the writer regroups.
        match r.answer.aggregation_base().or(r.interval) {
            Some(BucketInterval::Native) => {
                return Err(Error::usage(
                    "responseOptions: Average, Min and Max without an aggregationInterval are \
                     over the rows' own intervals, and calls have none; give an \
                     aggregationInterval (Hour, Day, Week or Month)",
                ))
            }
            Some(i) => c = c.interval(i),
            None => {}
        }
        Ok(c.analytics(r.answer.clone()))
    }
}
