//! The whole chain for one requirement, per enabled region and per target event.
//!
//! Every path from a trail that records the event to a person who is told is followed, link by
//! link, by identity. A region is covered when each target event has at least one complete
//! path. Otherwise the region is reported with the path that got furthest and the link that
//! broke it; and when any path stopped at data the snapshot does not hold, the honest verdict is
//! "could not verify", never a pass or a failure.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

use super::alarm::{NoFire, Relation, Watch, fires, fires_on_burst, relation};
use super::composite::{CompositeRelation, composite_relation_to};
use super::log_alarm::{Ask, log_alarm_fires, log_alarm_resource, queries};
use super::log_group::{Delivery, delivery, log_group_resource};
use super::metric::{EmittedMetric, emitted_metrics_parsed};
use super::notify::{Notify, action_notifies, alarm_notifies};
use super::permission::Publisher;
use super::reason;
use super::trace::{ActionOutcome, Trace};
use super::trail::{TrailVerdict, event_label, in_region, trail_resource, trail_verdicts};
use super::{AlarmMode, Requirement};
use crate::finding::Resource;
use crate::pattern::{Pattern, PatternError};
use crate::snapshot::{Incomplete, LogAlarm, MetricAlarm, MetricFilter, RegionSnapshot, Snapshot};

/// The account of the log group `trail` delivers to, read from its ARN.
fn delivery_account(trail: &crate::snapshot::Trail) -> Option<&str> {
    let arn = trail.cloud_watch_logs_log_group_arn.as_deref()?;
    crate::arn::Arn::parse(arn).map(|arn| arn.account)
}

/// Filter patterns parsed on first use and kept for the whole analysis: the same filter is
/// judged for every target event in every region, and parsing dominates otherwise.
#[derive(Default)]
struct Patterns<'s> {
    parsed: RefCell<HashMap<&'s str, Rc<Result<Pattern, PatternError>>>>,
}

impl<'s> Patterns<'s> {
    fn get(&self, text: &'s str) -> Rc<Result<Pattern, PatternError>> {
        if let Some(parsed) = self.parsed.borrow().get(text) {
            return Rc::clone(parsed);
        }
        let parsed = Rc::new(Pattern::parse(text));
        self.parsed.borrow_mut().insert(text, Rc::clone(&parsed));
        parsed
    }
}

/// The CloudFormation type of a metric filter.
pub const METRIC_FILTER_KIND: &str = "AWS::Logs::MetricFilter";
/// The CloudFormation type of a metric alarm.
pub const ALARM_KIND: &str = "AWS::CloudWatch::Alarm";
/// The CloudFormation type of a composite alarm.
pub const COMPOSITE_ALARM_KIND: &str = "AWS::CloudWatch::CompositeAlarm";

/// The links of the chain, in the order an event travels them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Link {
    /// A trail records the event.
    Trail,
    /// The trail delivers to a log group that exists.
    LogGroup,
    /// A metric filter on that group matches the event and publishes a datapoint.
    MetricFilter,
    /// An alarm watches exactly that metric.
    Alarm,
    /// The alarm fires as the requirement needs.
    Fires,
    /// Someone is told.
    Notify,
}

impl Link {
    /// The link's name, for messages and SARIF properties.
    pub fn name(self) -> &'static str {
        match self {
            Link::Trail => "trail",
            Link::LogGroup => "log group",
            Link::MetricFilter => "metric filter",
            Link::Alarm => "alarm",
            Link::Fires => "alarm condition",
            Link::Notify => "notification",
        }
    }
}

/// Where one path stopped, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Break {
    /// The link that broke.
    pub link: Link,
    /// Orders breaks at the same link: a filter that matches but publishes nothing got further
    /// than one that does not match.
    pub depth: u8,
    /// A stable SCREAMING_SNAKE reason code.
    pub reason: String,
    /// A clause naming the resource and the defect, with no region of the event in it (the
    /// finding adds the regions), e.g. "alarm `kms` (us-east-1) needs 3 breaching periods…".
    pub message: String,
    /// True when the snapshot cannot decide (data not collected, another account's resource).
    pub unverifiable: bool,
    /// The resource at fault, when there is one.
    pub resource: Option<Resource>,
    /// The resources upstream of the break, trail first.
    pub path: Vec<Resource>,
}

impl Break {
    fn rank(&self) -> (Link, u8) {
        (self.link, self.depth)
    }

    /// A break at `link` for `reason`, described by `message`: a failure (not unverifiable) at
    /// depth 0, with no resource at fault and nothing upstream until the builder methods say
    /// otherwise. A builder, so that each call names what it sets instead of passing six
    /// positional arguments.
    fn at(link: Link, reason: &str, message: String) -> Self {
        Break {
            link,
            depth: 0,
            reason: reason.to_owned(),
            message,
            unverifiable: false,
            resource: None,
            path: Vec::new(),
        }
    }

    /// Orders this break after others at the same link (see the `depth` field).
    fn depth(mut self, depth: u8) -> Self {
        self.depth = depth;
        self
    }

    /// Marks the break as "could not verify" when the snapshot cannot decide.
    fn unverifiable(mut self, unverifiable: bool) -> Self {
        self.unverifiable = unverifiable;
        self
    }

    /// The resource at fault, if any.
    fn on(mut self, resource: Option<Resource>) -> Self {
        self.resource = resource;
        self
    }

    /// The resources upstream of the break, trail first.
    fn after(mut self, path: &[Resource]) -> Self {
        self.path = path.to_vec();
        self
    }
}

/// A complete path: one event reaches someone.
///
/// A path through a log alarm (an alarm on a CloudWatch Logs scheduled query, which needs no
/// metric filter) has the log alarm as both `filter` and `alarm`, and its query as
/// `filter_pattern`; [`CoveringPath::is_log_alarm`] tells the two kinds apart.
#[derive(Debug, Clone, PartialEq)]
pub struct CoveringPath {
    /// The trail that records the event.
    pub trail: Resource,
    /// The log group it delivers to.
    pub log_group: Resource,
    /// The metric filter that counts the event.
    pub filter: Resource,
    /// The filter's pattern, as stored (for `strict_cis`-style text checks).
    pub filter_pattern: String,
    /// The metric alarm that fires.
    pub alarm: Resource,
    /// Whom it reaches (a topic with confirmed subscriptions, or an automated response).
    pub notify: Notify,
}

impl CoveringPath {
    /// Whether the path runs through a log alarm instead of a metric filter and metric alarm.
    pub fn is_log_alarm(&self) -> bool {
        self.alarm.kind == super::log_alarm::LOG_ALARM_KIND
    }
}

/// What happened to one target event in one region.
#[derive(Debug, Clone, PartialEq)]
pub struct EventCoverage {
    /// `DisableKey`, or `Decrypt (IncorrectKeyException)`.
    pub event: String,
    /// Every complete path.
    pub paths: Vec<CoveringPath>,
    /// The failed path that got furthest, if any path failed.
    pub furthest: Option<Break>,
    /// The furthest path that stopped at missing data, if any did.
    pub unverifiable: Option<Break>,
    /// Every path followed, complete or broken, in the order they were followed: each alarm,
    /// topic and subscription on a path, not only the best one. Where `furthest` sums several
    /// filters up ("none of the 3 metric filters matches"), each filter has its own trace here.
    pub traces: Vec<Trace>,
    /// EventBridge rules that catch the event and tell someone, filled only when the
    /// requirement's rule accepts them instead of a metric filter
    /// ([`Analysis::accept_event_rules`]).
    pub event_rules: Vec<Resource>,
}

impl EventCoverage {
    /// Whether at least one path reaches someone: a metric-filter chain, or an accepted
    /// EventBridge rule.
    pub fn is_covered(&self) -> bool {
        !self.paths.is_empty() || !self.event_rules.is_empty()
    }

    fn note(&mut self, stop: Break) {
        let slot = if stop.unverifiable {
            &mut self.unverifiable
        } else {
            &mut self.furthest
        };
        if slot.as_ref().is_none_or(|kept| stop.rank() > kept.rank()) {
            *slot = Some(stop);
        }
    }
}

/// One enabled region's result.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionCoverage {
    /// The region the events happen in.
    pub region: String,
    /// One entry per target event, in the requirement's order.
    pub events: Vec<EventCoverage>,
}

/// A region's verdict, derived from its events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RegionVerdict<'a> {
    /// Every target event reaches someone.
    Covered,
    /// Some event reaches nobody; the first such event and its furthest break.
    Uncovered(&'a EventCoverage, &'a Break),
    /// Some event is not covered and a path stopped at missing data.
    Unverifiable(&'a EventCoverage, &'a Break),
}

impl RegionCoverage {
    /// Covered, uncovered (with the break to report) or unverifiable.
    pub fn verdict(&self) -> RegionVerdict<'_> {
        for event in self.events.iter().filter(|e| !e.is_covered()) {
            if let Some(stop) = &event.unverifiable {
                return RegionVerdict::Unverifiable(event, stop);
            }
            if let Some(stop) = &event.furthest {
                return RegionVerdict::Uncovered(event, stop);
            }
        }
        RegionVerdict::Covered
    }

    /// The events of this region that reach nobody.
    pub fn uncovered_events(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter(|e| !e.is_covered())
            .map(|e| e.event.as_str())
            .collect()
    }
}

/// The analysis of one requirement over a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The requirement's name, for messages.
    pub requirement: String,
    /// The account analysed.
    pub account: String,
    /// One entry per enabled region of the snapshot, in snapshot order.
    pub regions: Vec<RegionCoverage>,
}

impl Analysis {
    /// Accepts an EventBridge rule as the alternative path for every event no metric-filter
    /// chain covers: a rule of the event's region that catches it and tells someone
    /// ([`event_rules_cover`](super::event_rules_cover)) covers it. `requirement` must be the
    /// one analysed (its records are matched to the events in order). When the region's rules
    /// could not be read, the event keeps its chain verdict.
    pub fn accept_event_rules(&mut self, snapshot: &Snapshot, requirement: &Requirement) {
        for coverage in &mut self.regions {
            for (event, record) in coverage.events.iter_mut().zip(&requirement.records) {
                if event.is_covered() {
                    continue;
                }
                let bus_region = super::event_rule::bus_region(record, &coverage.region);
                let Some(region) = snapshot.region(bus_region) else {
                    continue;
                };
                let record = in_region(record, &region.region, &snapshot.account.id);
                if let super::EventRuleCover::Covered(rule) =
                    super::event_rules_cover(snapshot, region, &record)
                {
                    event.event_rules.push(rule);
                }
            }
        }
    }
}

/// Follows the chain for every target event of `requirement` in every enabled region.
///
/// ```
/// use trailwarden_sdk::chain::{RegionVerdict, analyse, requirements};
/// use trailwarden_sdk::testing::SnapshotBuilder;
///
/// const CIS_4_7: &str = "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}";
/// let snapshot = SnapshotBuilder::new()
///     .region("us-east-1")
///     .trail("management-events", "cloudtrail-logs")
///     .monitor("cloudtrail-logs", "kms-key-changes", CIS_4_7, "security-alerts")
///     .topic("security-alerts")
///     .region("eu-west-1")
///     .build();
/// let analysis = analyse(&snapshot, &requirements::kms_key_changes(&snapshot.account.id));
/// assert!(analysis.is_covered());
/// // Each region, each event, each path that reaches someone.
/// let path = &analysis.regions[1].events[0].paths[0];
/// assert_eq!(analysis.regions[1].region, "eu-west-1");
/// assert_eq!(path.alarm.name, "kms-key-changes");
/// assert!(matches!(analysis.regions[1].verdict(), RegionVerdict::Covered));
/// ```
pub fn analyse(snapshot: &Snapshot, requirement: &Requirement) -> Analysis {
    let patterns = Patterns::default();
    let regions = snapshot
        .regions
        .iter()
        .map(|region| region_coverage(snapshot, &region.region, requirement, &patterns))
        .collect();
    Analysis {
        requirement: requirement.name.clone(),
        account: snapshot.account.id.clone(),
        regions,
    }
}

/// [`analyse`] for one region: whether events that happen in `region` reach someone, with the
/// same paths and breaks the whole analysis gives it. `None` when the snapshot does not list
/// `region` as enabled, so a misspelt region is never reported as "reaches nobody".
///
/// A rule that checks one region (the key's own, a home region) asks only about it, and does
/// not pay for the others. Trails and alarms elsewhere are still consulted, as the whole
/// analysis does: a multi-region trail delivers events of every region to its home region.
///
/// ```
/// use trailwarden_sdk::chain::{analyse_region, requirements};
/// use trailwarden_sdk::testing::SnapshotBuilder;
///
/// let snapshot = SnapshotBuilder::new().region("us-east-1").region("eu-west-1").build();
/// let requirement = requirements::kms_key_changes(&snapshot.account.id);
/// let coverage = analyse_region(&snapshot, "eu-west-1", &requirement).expect("enabled");
/// assert_eq!(coverage.region, "eu-west-1");
/// assert!(!coverage.events[0].is_covered());
/// assert!(analyse_region(&snapshot, "eu-west-9", &requirement).is_none());
/// ```
pub fn analyse_region(
    snapshot: &Snapshot,
    region: &str,
    requirement: &Requirement,
) -> Option<RegionCoverage> {
    let region = &snapshot.region(region)?.region;
    Some(region_coverage(
        snapshot,
        region,
        requirement,
        &Patterns::default(),
    ))
}

/// Every target event of `requirement` in `region`, followed.
fn region_coverage<'s>(
    snapshot: &'s Snapshot,
    region: &'s str,
    requirement: &'s Requirement,
    patterns: &Patterns<'s>,
) -> RegionCoverage {
    let account = snapshot.account.id.as_str();
    RegionCoverage {
        region: region.to_owned(),
        events: requirement
            .records
            .iter()
            .map(|record| {
                let record = in_region(record, region, account);
                Walk::new(snapshot, requirement, &record, region, patterns).run()
            })
            .collect(),
    }
}

/// The state of following one event in one region.
struct Walk<'s, 'r, 'p> {
    snapshot: &'s Snapshot,
    /// The evaluated account's snapshot, which holds the linked accounts and the
    /// organization's centralization rules, whichever account `snapshot` is now: log alarms
    /// of any account the run holds may query the log group by ARN.
    root: &'s Snapshot,
    /// While following a centralized copy: the source group's account and region, which its
    /// events carry as `@aws.account` / `@aws.region` (`chain::centralized`).
    origin: Option<(String, String)>,
    patterns: &'p Patterns<'s>,
    requirement: &'s Requirement,
    record: &'r Value,
    /// The successful twin of a failure, for a requirement about failures.
    twin: Option<Value>,
    region: &'s str,
    label: String,
    coverage: EventCoverage,
}

impl<'s, 'r, 'p> Walk<'s, 'r, 'p> {
    fn new(
        snapshot: &'s Snapshot,
        requirement: &'s Requirement,
        record: &'r Value,
        region: &'s str,
        patterns: &'p Patterns<'s>,
    ) -> Self {
        let label = event_label(record);
        let twin = requirement
            .failures
            .and_then(|_| crate::events::successful_twin(record));
        Self {
            snapshot,
            root: snapshot,
            origin: None,
            patterns,
            requirement,
            record,
            twin,
            region,
            coverage: EventCoverage {
                event: label.clone(),
                paths: Vec::new(),
                furthest: None,
                unverifiable: None,
                traces: Vec::new(),
                event_rules: Vec::new(),
            },
            label,
        }
    }

    /// Records where one path stopped: as a trace of its own, and as the furthest break of its
    /// kind if it is.
    fn note(&mut self, stop: Break) {
        self.trace(stop.clone());
        self.coverage.note(stop);
    }

    /// Records a path that stopped at `stop` as a trace only: one of several that a summary
    /// break sums up.
    fn trace(&mut self, stop: Break) {
        self.coverage.traces.push(Trace {
            through: stop.path.clone(),
            stop: Some(stop),
            actions: Vec::new(),
        });
    }

    /// [`Walk::note`] for a path that got to a firing alarm, with what each action reaches.
    fn note_with_actions(&mut self, stop: Break, actions: Vec<ActionOutcome>) {
        self.note(stop);
        if let Some(trace) = self.coverage.traces.last_mut() {
            trace.actions = actions;
        }
    }

    fn run(mut self) -> EventCoverage {
        let verdicts = match trail_verdicts(self.snapshot, self.region, self.record) {
            Ok(verdicts) => verdicts,
            Err(why) => {
                let message = format!("could not tell which trails record it: {why}");
                self.note(
                    Break::at(Link::Trail, reason::TRAILS_NOT_COLLECTED, message)
                        .unverifiable(true),
                );
                return self.coverage;
            }
        };
        if verdicts.is_empty() {
            let message = format!(
                "no CloudTrail trail exists, so no {} event is recorded",
                self.label
            );
            self.note(Break::at(Link::Trail, reason::NO_TRAIL, message));
            return self.coverage;
        }
        let mut misses = Vec::new();
        for verdict in &verdicts {
            match verdict {
                TrailVerdict::Records(trail) => self.follow_trail(trail),
                TrailVerdict::Misses(trail, reason, why) => {
                    let message = format!("trail `{}` {why}", trail.name);
                    self.trace(
                        Break::at(Link::Trail, reason, message).on(Some(trail_resource(trail))),
                    );
                    misses.push((trail, *reason, why));
                }
                TrailVerdict::Unknown(trail, why) => {
                    let (reason, message) = match trail.owner_account() {
                        Some(owner) if owner != self.snapshot.account.id => (
                            reason::TRAIL_OWNED_ELSEWHERE,
                            format!(
                                "could not verify: the chain continues in account {owner}, which owns trail `{}`; whether it records {} events, and what follows, is decided there. {}",
                                trail.name,
                                self.label,
                                super::log_group::verify_with(owner, &self.snapshot.account.id)
                            ),
                        ),
                        _ => (
                            reason::TRAIL_STATE_UNKNOWN,
                            format!(
                                "could not tell whether trail `{}` records {} events: {why}",
                                trail.name, self.label
                            ),
                        ),
                    };
                    let resource = trail_resource(trail);
                    self.note(
                        Break::at(Link::Trail, reason, message)
                            .depth(1)
                            .unverifiable(true)
                            .on(Some(resource)),
                    );
                }
            }
        }
        if verdicts
            .iter()
            .all(|v| !matches!(v, TrailVerdict::Records(_)))
            && !misses.is_empty()
        {
            let clauses: Vec<String> = misses
                .iter()
                .map(|(trail, _, why)| format!("trail `{}` {why}", trail.name))
                .collect();
            let reason = if misses.len() == 1 {
                misses[0].1
            } else {
                reason::NO_TRAIL_RECORDS_EVENT
            };
            let message = format!(
                "no trail records {} events: {}",
                self.label,
                clauses.join("; ")
            );
            let resource = Some(trail_resource(misses[0].0));
            let related: Vec<Resource> = misses[1..]
                .iter()
                .map(|(t, _, _)| trail_resource(t))
                .collect();
            // Each trail's miss is already a trace of its own.
            self.coverage.note(
                Break::at(Link::Trail, reason, message)
                    .on(resource)
                    .after(&related),
            );
        }
        self.coverage
    }

    fn follow_trail(&mut self, trail: &'s crate::snapshot::Trail) {
        // The log group, filters, alarms and topics live in the account the trail delivers
        // to: the trail owner's, for an organization trail. When the run holds that account,
        // the rest of the walk reads it; otherwise `delivery` says where the chain continues.
        let home = self.snapshot;
        if let Some(owner) = delivery_account(trail).and_then(|id| home.account_view(id)) {
            self.snapshot = owner;
        }
        self.follow_trail_here(trail);
        self.snapshot = home;
    }

    fn follow_trail_here(&mut self, trail: &crate::snapshot::Trail) {
        let trail_res = trail_resource(trail);
        match delivery(self.snapshot, trail) {
            Err(no) => {
                let message = format!("trail `{}` {}", trail.name, no.why);
                let resource = no.log_group.clone().or_else(|| Some(trail_res.clone()));
                self.note(
                    Break::at(Link::LogGroup, no.reason, message)
                        .unverifiable(no.unverifiable)
                        .on(resource)
                        .after(&[trail_res]),
                );
            }
            Ok(delivered) => self.follow_log_group(&delivered, &[trail_res]),
        }
    }

    /// The log group's own metric filters and the log alarms that query it, then, for a group
    /// that is not itself a centralized copy, the destination groups centralization rules
    /// copy it to.
    fn follow_log_group(&mut self, delivered: &Delivery<'s>, path: &[Resource]) {
        let mut here = path.to_vec();
        here.push(log_group_resource(delivered.log_group));
        self.follow_metric_filters(delivered, &here);
        self.follow_log_alarms(delivered, &here);
        if self.origin.is_none() {
            self.follow_centralized(delivered, path);
        }
    }

    /// Each centralization rule that selects `source`: where its path stops, or the chain in
    /// the destination account, with the source account and region as the events' system
    /// fields.
    fn follow_centralized(&mut self, source: &Delivery<'s>, path: &[Resource]) {
        let mut path = path.to_vec();
        path.push(log_group_resource(source.log_group));
        for step in super::centralized::centralized(self.root, source) {
            match step {
                super::centralized::Centralized::Stops {
                    rule,
                    reason,
                    message,
                    unverifiable,
                    resource,
                } => {
                    let mut through = path.clone();
                    through.push(rule);
                    self.note(
                        Break::at(Link::LogGroup, reason, message)
                            .depth(1)
                            .unverifiable(unverifiable)
                            .on(resource)
                            .after(&through),
                    );
                }
                super::centralized::Centralized::Reached {
                    rule,
                    view,
                    delivery,
                } => {
                    let mut through = path.clone();
                    through.push(rule);
                    let here = self.snapshot;
                    self.snapshot = view;
                    self.origin = Some((source.account.to_owned(), source.region.to_owned()));
                    // The destination's metric filters; its log alarms are not followed for a
                    // copy, since a query's conditions on `@aws.account` are not read.
                    through.push(log_group_resource(delivery.log_group));
                    self.follow_metric_filters(&delivery, &through);
                    self.origin = None;
                    self.snapshot = here;
                }
            }
        }
    }

    /// The log alarms, of any account the run holds, that query the log group: each is a
    /// path of its own, alongside the metric filters. A snapshot without `logAlarms` (older,
    /// or withheld from a pack that does not declare it) leaves the metric filters' verdict
    /// alone; a failed read makes it "could not verify", since a log alarm might cover it.
    fn follow_log_alarms(&mut self, delivered: &Delivery<'s>, path: &[Resource]) {
        let root = self.root;
        let accounts = std::iter::once(root).chain(root.linked_accounts.iter());
        for account in accounts {
            let Some(region) = account.region(delivered.region) else {
                continue;
            };
            let alarms = match region.log_alarms.verified() {
                Ok(alarms) => alarms,
                Err(Incomplete::NotCollected | Incomplete::Withheld(_)) => continue,
                Err(why) => {
                    if account.account.id == delivered.account {
                        let message = format!(
                            "the log alarms of {} could not be read, so whether one queries log group `{}` is unknown: {why}",
                            region.region, delivered.log_group.log_group_name
                        );
                        let resource = path.last().cloned();
                        self.note(
                            Break::at(Link::Alarm, reason::LOG_ALARMS_NOT_COLLECTED, message)
                                .unverifiable(true)
                                .on(resource)
                                .after(path),
                        );
                    }
                    continue;
                }
            };
            for alarm in alarms.iter().filter(|alarm| {
                queries(
                    alarm,
                    &account.account.id,
                    delivered.log_group,
                    delivered.account,
                )
            }) {
                self.follow_log_alarm(account, &region.region, alarm, path);
            }
        }
    }

    fn follow_log_alarm(
        &mut self,
        owner: &Snapshot,
        region: &str,
        alarm: &LogAlarm,
        path: &[Resource],
    ) {
        let alarm_res = log_alarm_resource(alarm);
        let ask = Ask {
            record: self.record,
            twin: self.twin.as_ref(),
            mode: self.requirement.mode,
            failures: self.requirement.failures,
            label: &self.label,
        };
        if let Err(miss) = log_alarm_fires(alarm, &ask) {
            // A query that drops the event breaks where a metric filter would; the alarm
            // condition breaks where a metric alarm's would.
            let (link, depth) = if miss.at_query {
                (Link::MetricFilter, 1)
            } else {
                (Link::Fires, 0)
            };
            let message = format!("log alarm `{}` ({region}) {}", alarm.alarm_name, miss.why);
            self.note(
                Break::at(link, miss.reason, message)
                    .depth(depth)
                    .unverifiable(miss.unverifiable)
                    .on(Some(alarm_res))
                    .after(path),
            );
            return;
        }
        let mut path = path.to_vec();
        path.push(alarm_res.clone());
        let actions: Vec<ActionOutcome> = alarm
            .alarm_actions
            .iter()
            .map(|action| ActionOutcome {
                action: action.clone(),
                notify: action_notifies(
                    owner,
                    Publisher::Alarm {
                        arn: &alarm.alarm_arn,
                    },
                    action,
                ),
            })
            .collect();
        let Some(region_snapshot) = owner.region(region) else {
            return;
        };
        let (notify, via) = reaches(
            owner,
            region_snapshot,
            (&alarm.alarm_name, &alarm.alarm_arn),
            alarm.actions_enabled,
            &alarm.alarm_actions,
        );
        let via_text = via
            .as_ref()
            .map(|c| format!(" (through composite alarm `{}`)", c.name))
            .unwrap_or_default();
        match &notify {
            Notify::Told { .. } | Notify::Automated { .. } => {
                let (Some(trail), Some(log_group)) = (path.first(), path.get(1)) else {
                    return;
                };
                let (trail, log_group) = (trail.clone(), log_group.clone());
                path.extend(via);
                let covering = CoveringPath {
                    trail,
                    log_group,
                    filter: alarm_res.clone(),
                    filter_pattern: alarm.query_string.clone(),
                    alarm: alarm_res,
                    notify,
                };
                self.coverage.traces.push(Trace {
                    through: path,
                    stop: None,
                    actions,
                });
                self.coverage.paths.push(covering);
            }
            Notify::Unverifiable { .. } | Notify::Nobody { .. } => {
                let name = format!("log alarm `{}` ({region})", alarm.alarm_name);
                self.note_unheard(&name, &notify, alarm_res, path, via, &via_text, actions);
            }
        }
    }

    fn follow_metric_filters(&mut self, delivered: &Delivery<'s>, path: &[Resource]) {
        // The system fields the events carry: their source's, for a centralized copy.
        let origin = self.origin.clone();
        let (event_account, event_region) = origin.as_ref().map_or(
            (delivered.account, delivered.region),
            |(account, region)| (account.as_str(), region.as_str()),
        );
        let group = delivered.log_group;
        let group_res = log_group_resource(group);
        let path = path.to_vec();
        let Some(region) = self.snapshot.region(delivered.region) else {
            return;
        };
        let filters = match region.metric_filters.verified() {
            Ok(filters) => filters,
            Err(why) => {
                let message = format!(
                    "the metric filters of log group `{}` ({}) could not be read: {why}",
                    group.log_group_name, delivered.region
                );
                self.note(
                    Break::at(
                        Link::MetricFilter,
                        reason::METRIC_FILTERS_NOT_COLLECTED,
                        message,
                    )
                    .unverifiable(true)
                    .on(Some(group_res))
                    .after(&path),
                );
                return;
            }
        };
        let on_group: Vec<&MetricFilter> = filters
            .iter()
            .filter(|f| f.log_group_name == group.log_group_name)
            .collect();
        if on_group.is_empty() {
            let message = format!(
                "log group `{}` ({}) has no metric filter, so nothing counts {} events",
                group.log_group_name, delivered.region, self.label
            );
            self.note(
                Break::at(Link::MetricFilter, reason::NO_METRIC_FILTER, message)
                    .on(Some(group_res))
                    .after(&path),
            );
            return;
        }
        let mut unmatched: Vec<(&MetricFilter, super::metric::FilterMiss)> = Vec::new();
        let total = on_group.len();
        for filter in on_group {
            let filter_res = filter_resource(group, filter);
            let parsed = self.patterns.get(&filter.filter_pattern);
            match emitted_metrics_parsed(
                filter,
                &parsed,
                self.record,
                &self.label,
                event_region,
                event_account,
            ) {
                Err(miss) if miss.reason == reason::FILTER_DOES_NOT_MATCH => {
                    let message = format!(
                        "metric filter `{}` on log group `{}` {}",
                        filter.filter_name, group.log_group_name, miss.why
                    );
                    self.trace(
                        Break::at(Link::MetricFilter, miss.reason, message)
                            .depth(1)
                            .on(Some(filter_res))
                            .after(&path),
                    );
                    unmatched.push((filter, miss))
                }
                Err(miss) => {
                    let depth = if miss.reason == reason::FILTER_PATTERN_INVALID {
                        1
                    } else {
                        2
                    };
                    let message = format!(
                        "metric filter `{}` on log group `{}` {}",
                        filter.filter_name, group.log_group_name, miss.why
                    );
                    self.note(
                        Break::at(Link::MetricFilter, miss.reason, message)
                            .depth(depth)
                            .unverifiable(miss.unverifiable)
                            .on(Some(filter_res))
                            .after(&path),
                    );
                }
                Ok(metrics) => {
                    let mut path = path.clone();
                    path.push(filter_res);
                    // What the filter publishes for the successful twin, if it publishes
                    // anything: the same metric then counts ordinary calls too.
                    let twin_metrics = self
                        .twin
                        .as_ref()
                        .and_then(|twin| {
                            emitted_metrics_parsed(
                                filter,
                                &parsed,
                                twin,
                                &self.label,
                                event_region,
                                event_account,
                            )
                            .ok()
                        })
                        .unwrap_or_default();
                    for metric in &metrics {
                        let counts_twin = twin_metrics.iter().any(|t| {
                            t.namespace == metric.namespace
                                && t.name == metric.name
                                && t.dimensions == metric.dimensions
                        });
                        self.follow_metric(region, filter, metric, counts_twin, &path);
                    }
                }
            }
        }
        // Of the filters whose pattern does not match, name the closest: the one with the most
        // conditions that hold (then the fewest that fail), most likely the one meant for these
        // events. Ties go to the first listed.
        if let Some((filter, miss)) = unmatched.into_iter().rev().max_by_key(|(_, miss)| {
            (
                miss.held_conditions,
                std::cmp::Reverse(miss.failed_conditions),
            )
        }) {
            let (message, resource) = if total == 1 {
                let message = format!(
                    "metric filter `{}` on log group `{}` {}",
                    filter.filter_name, group.log_group_name, miss.why
                );
                (message, filter_resource(group, filter))
            } else if miss.held_conditions == 0 {
                // No filter asks for anything this event has: naming one would mislead.
                let message = format!(
                    "none of the {total} metric filters on log group `{}` matches {} event",
                    group.log_group_name,
                    super::metric::a_or_an(&self.label)
                );
                (message, group_res.clone())
            } else {
                let message = format!(
                    "none of the {total} metric filters on log group `{}` matches {} event; the closest, `{}`, {}",
                    group.log_group_name,
                    super::metric::a_or_an(&self.label),
                    filter.filter_name,
                    miss.why
                );
                (message, filter_resource(group, filter))
            };
            let resource = Some(resource);
            // Each unmatched filter is already a trace of its own.
            self.coverage.note(
                Break::at(Link::MetricFilter, miss.reason, message)
                    .depth(1)
                    .on(resource)
                    .after(&path),
            );
        }
    }

    fn follow_metric(
        &mut self,
        region: &'s RegionSnapshot,
        filter: &MetricFilter,
        metric: &EmittedMetric,
        counts_twin: bool,
        path: &[Resource],
    ) {
        let filter_res = path.last().cloned();
        let alarms = match region.metric_alarms.verified() {
            Ok(alarms) => alarms,
            Err(why) => {
                let message = format!(
                    "the alarms of {} could not be read, so whether any watches `{}` is unknown: {why}",
                    region.region,
                    metric.label()
                );
                self.note(
                    Break::at(Link::Alarm, reason::ALARMS_NOT_COLLECTED, message)
                        .unverifiable(true)
                        .on(filter_res)
                        .after(path),
                );
                return;
            }
        };
        let mut related = false;
        for alarm in alarms {
            let alarm_res = alarm_resource(alarm);
            match relation(alarm, metric) {
                Relation::Watches(watch) => {
                    related = true;
                    self.follow_alarm(region, filter, alarm, &watch, (metric, counts_twin), path);
                }
                Relation::DimensionsDiffer { alarm: dimensions } => {
                    related = true;
                    let message = format!(
                        "alarm `{}` ({}) watches `{}` with {dimensions}, but metric filter `{}` publishes it with {}, so the alarm sees no data",
                        alarm.alarm_name,
                        region.region,
                        metric.label(),
                        filter.filter_name,
                        dimensions_text(metric)
                    );
                    self.note(
                        Break::at(Link::Alarm, reason::ALARM_DIMENSIONS_MISMATCH, message)
                            .depth(1)
                            .on(Some(alarm_res))
                            .after(path),
                    );
                }
                Relation::Unverifiable(why) => {
                    related = true;
                    let message = format!(
                        "alarm `{}` ({}) uses `{}`, but {why}",
                        alarm.alarm_name,
                        region.region,
                        metric.label()
                    );
                    self.note(
                        Break::at(Link::Alarm, reason::ALARM_EXPRESSION_UNVERIFIABLE, message)
                            .depth(1)
                            .unverifiable(true)
                            .on(Some(alarm_res))
                            .after(path),
                    );
                }
                Relation::Unrelated => {
                    let same_name = alarm.metric_name.as_deref() == Some(metric.name.as_str());
                    if same_name && alarm.namespace.as_deref() != Some(metric.namespace.as_str()) {
                        related = true;
                        let message = format!(
                            "alarm `{}` ({}) watches `{}/{}`, but metric filter `{}` publishes to namespace `{}`, so the alarm sees no data",
                            alarm.alarm_name,
                            region.region,
                            alarm.namespace.as_deref().unwrap_or(""),
                            metric.name,
                            filter.filter_name,
                            metric.namespace
                        );
                        self.note(
                            Break::at(Link::Alarm, reason::ALARM_NAMESPACE_MISMATCH, message)
                                .depth(1)
                                .on(Some(alarm_res))
                                .after(path),
                        );
                    }
                }
            }
        }
        if !related {
            let elsewhere = match self.alarm_in_other_region(region, metric) {
                Some((name, other)) => format!(
                    "; alarm `{name}` ({other}) watches that metric in another region, where it receives no data"
                ),
                None => String::new(),
            };
            let message = format!(
                "no alarm in {} watches `{}`{} that metric filter `{}` publishes{elsewhere}",
                region.region,
                metric.label(),
                dimensions_suffix(metric),
                filter.filter_name
            );
            self.note(
                Break::at(Link::Alarm, reason::NO_ALARM, message)
                    .on(filter_res)
                    .after(path),
            );
        }
    }

    /// An alarm (name, region) that watches the same metric in another region: the classic
    /// mistake of creating the alarm wherever the console happened to be open.
    fn alarm_in_other_region(
        &self,
        here: &RegionSnapshot,
        metric: &EmittedMetric,
    ) -> Option<(&'s str, &'s str)> {
        self.snapshot
            .regions
            .iter()
            .filter(|r| r.region != here.region)
            .flat_map(|r| r.metric_alarms.items.iter().map(move |a| (r, a)))
            .find(|(_, a)| matches!(relation(a, metric), Relation::Watches(_)))
            .map(|(r, a)| (a.alarm_name.as_str(), r.region.as_str()))
    }

    /// For a requirement about failures: whether the failure is counted apart from its
    /// successful twin, when the filter (`counts_twin`) also counts the twin. See
    /// [`Failures`](super::Failures) for the reasoning and its source.
    fn singles_out(
        &self,
        alarm: &MetricAlarm,
        watch: &Watch,
        metric: &EmittedMetric,
        filter: &MetricFilter,
        counts_twin: bool,
    ) -> Result<(), NoFire> {
        let Some(failures) = self.requirement.failures.filter(|_| counts_twin) else {
            return Ok(());
        };
        let call = self.record["eventName"].as_str().unwrap_or("");
        match self.requirement.mode {
            AlarmMode::Volume => fires_on_burst(
                alarm,
                watch,
                metric,
                failures.max_failures_to_alarm,
                &filter.filter_name,
                call,
            ),
            AlarmMode::SingleEvent => Err(NoFire {
                reason: reason::FILTER_COUNTS_SUCCESSES,
                why: format!(
                    "fires on one event, but metric filter `{}` also counts successful {call} calls, so ordinary calls keep it in ALARM and {} event changes no state (alarm actions run only on state transitions)",
                    filter.filter_name,
                    super::metric::a_or_an(&self.label)
                ),
                unverifiable: false,
            }),
        }
    }

    fn follow_alarm(
        &mut self,
        region: &'s RegionSnapshot,
        filter: &MetricFilter,
        alarm: &MetricAlarm,
        watch: &Watch,
        (metric, counts_twin): (&EmittedMetric, bool),
        path: &[Resource],
    ) {
        let alarm_res = alarm_resource(alarm);
        let mut path = path.to_vec();
        let fired = fires(alarm, watch, metric, self.requirement.mode, &self.label)
            .and_then(|()| self.singles_out(alarm, watch, metric, filter, counts_twin));
        if let Err(no) = fired {
            let message = format!(
                "alarm `{}` ({}) {}",
                alarm.alarm_name, region.region, no.why
            );
            self.note(
                Break::at(Link::Fires, no.reason, message)
                    .unverifiable(no.unverifiable)
                    .on(Some(alarm_res))
                    .after(&path),
            );
            return;
        }
        path.push(alarm_res.clone());
        let actions: Vec<ActionOutcome> = alarm
            .alarm_actions
            .iter()
            .map(|action| ActionOutcome {
                action: action.clone(),
                notify: action_notifies(
                    self.snapshot,
                    Publisher::Alarm {
                        arn: &alarm.alarm_arn,
                    },
                    action,
                ),
            })
            .collect();
        let (notify, via) = alarm_reaches(self.snapshot, region, alarm);
        let via_text = via
            .as_ref()
            .map(|c| format!(" (through composite alarm `{}`)", c.name))
            .unwrap_or_default();
        match &notify {
            Notify::Told { .. } | Notify::Automated { .. } => {
                // The path ends with the group, its filter and the alarm; a centralized one
                // holds the source group and the rule between the trail and them.
                let at = |back: usize| path.len().checked_sub(back).and_then(|i| path.get(i));
                let (Some(trail), Some(log_group), Some(filter_res)) = (path.first(), at(3), at(2))
                else {
                    return;
                };
                let mut through = path.clone();
                through.extend(via);
                self.coverage.traces.push(Trace {
                    through,
                    stop: None,
                    actions,
                });
                self.coverage.paths.push(CoveringPath {
                    trail: trail.clone(),
                    log_group: log_group.clone(),
                    filter: filter_res.clone(),
                    filter_pattern: filter.filter_pattern.clone(),
                    alarm: alarm_res,
                    notify,
                });
            }
            Notify::Unverifiable { .. } | Notify::Nobody { .. } => {
                let name = format!("alarm `{}` ({})", alarm.alarm_name, region.region);
                self.note_unheard(&name, &notify, alarm_res, path, via, &via_text, actions);
            }
        }
    }

    /// The break where alarm `name` ("alarm `x` (us-east-1)") fires but its notification
    /// reaches nobody, or cannot be confirmed to reach anyone; `via` is the composite alarm
    /// that carries it, if one does.
    #[allow(clippy::too_many_arguments)]
    fn note_unheard(
        &mut self,
        name: &str,
        notify: &Notify,
        alarm_res: Resource,
        mut path: Vec<Resource>,
        via: Option<Resource>,
        via_text: &str,
        actions: Vec<ActionOutcome>,
    ) {
        let (reason, message, unverifiable, topic) = match notify {
            Notify::Unverifiable { why, topic } => (
                reason::NOTIFICATION_UNVERIFIABLE,
                format!(
                    "{name} fires, but whether anyone is told cannot be checked here{via_text}: {why}"
                ),
                true,
                topic,
            ),
            Notify::Nobody { reason, why, topic } => (
                *reason,
                format!("{name} fires but tells nobody{via_text}: {why}"),
                false,
                topic,
            ),
            Notify::Told { .. } | Notify::Automated { .. } => return,
        };
        path.extend(via);
        let resource = topic.clone().or(Some(alarm_res));
        self.note_with_actions(
            Break::at(Link::Notify, reason, message)
                .unverifiable(unverifiable)
                .on(resource)
                .after(&path),
            actions,
        );
    }
}

/// Whom an alarm reaches: its own actions, or a composite alarm that follows it.
///
/// The composite is returned when it is the one that notifies (or fails to). When the alarm's
/// own actions reach nobody and the composite alarms of the region were not collected, the
/// answer is unverifiable: a composite might carry the notification.
pub fn alarm_reaches(
    snapshot: &Snapshot,
    region: &RegionSnapshot,
    alarm: &MetricAlarm,
) -> (Notify, Option<Resource>) {
    reaches(
        snapshot,
        region,
        (&alarm.alarm_name, &alarm.alarm_arn),
        alarm.actions_enabled,
        &alarm.alarm_actions,
    )
}

/// [`alarm_reaches`] for any alarm, by its name and ARN, whether actions run and its actions:
/// a log alarm's notification is followed the same way.
fn reaches(
    snapshot: &Snapshot,
    region: &RegionSnapshot,
    (alarm_name, alarm_arn): (&str, &str),
    actions_enabled: bool,
    actions: &[String],
) -> (Notify, Option<Resource>) {
    let own = alarm_notifies(snapshot, alarm_arn, actions_enabled, actions);
    if own.reaches_someone() {
        return (own, None);
    }
    let composites = match region.composite_alarms.verified() {
        Ok(composites) => composites,
        Err(why) => {
            let own_why = match &own {
                Notify::Nobody { why, .. } | Notify::Unverifiable { why, .. } => why.clone(),
                _ => String::new(),
            };
            return (
                Notify::Unverifiable {
                    why: format!(
                        "{own_why}, and the composite alarms of {} that might notify for it could not be read ({why})",
                        region.region
                    ),
                    topic: None,
                },
                None,
            );
        }
    };
    let mut best = (own, None);
    for composite in composites {
        let resource = Resource::new(
            COMPOSITE_ALARM_KIND,
            &composite.alarm_arn,
            &composite.alarm_name,
        )
        .with_role("composite alarm");
        let candidate = match composite_relation_to(composite, alarm_name, alarm_arn) {
            CompositeRelation::Unrelated => continue,
            CompositeRelation::Follows => alarm_notifies(
                snapshot,
                &composite.alarm_arn,
                composite.actions_enabled,
                &composite.alarm_actions,
            ),
            CompositeRelation::Depends => Notify::Unverifiable {
                why: format!(
                    "composite alarm `{}` also depends on other alarms' states (`{}`)",
                    composite.alarm_name, composite.alarm_rule
                ),
                topic: None,
            },
        };
        if candidate.rank() > best.0.rank() {
            best = (candidate, Some(resource));
        }
    }
    best
}

/// A metric filter as a finding resource. Metric filters have no ARN, so the id is the log
/// group ARN with the filter name appended, unique within the account.
pub fn filter_resource(group: &crate::snapshot::LogGroup, filter: &MetricFilter) -> Resource {
    Resource::new(
        METRIC_FILTER_KIND,
        format!("{}:metric-filter:{}", group.arn, filter.filter_name),
        &filter.filter_name,
    )
    .with_role("metric filter")
}

/// A metric alarm as a finding resource.
pub fn alarm_resource(alarm: &MetricAlarm) -> Resource {
    Resource::new(ALARM_KIND, &alarm.alarm_arn, &alarm.alarm_name).with_role("alarm")
}

fn dimensions_text(metric: &EmittedMetric) -> String {
    if metric.dimensions.is_empty() {
        return "no dimensions".to_owned();
    }
    let parts: Vec<String> = metric
        .dimensions
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    parts.join(", ")
}

fn dimensions_suffix(metric: &EmittedMetric) -> String {
    if metric.dimensions.is_empty() {
        String::new()
    } else {
        format!(" with {}", dimensions_text(metric))
    }
}
