//! The picture of one broken monitoring chain, derived from what a finding carries: the
//! markdown and HTML reports draw it.
//!
//! A chain finding names the resource at fault and, as related resources, the links upstream
//! of it (trail, log group, metric filter, alarm), each with a role. Its reason code says which
//! link broke. So the picture is: the event, then trail → log group → metric filter → metric →
//! alarm → topic → subscriber; the links before the break work and carry the names the finding
//! gives; the broken one is marked with the reason code; the ones after it were never reached
//! and carry no names, because nothing reached them. The metric is the one thing a finding does
//! not name: it is read from the snapshot, as the metric transformations of the filter the
//! finding names ([`MetricNames`]). Nothing is made up: a link the finding does not name is
//! drawn with its kind only.
//!
//! A break on a path through a log alarm (an alarm on a CloudWatch Logs scheduled query, which
//! needs no metric filter or metric) is drawn trail → log group → log alarm → topic →
//! subscriber.
//!
//! Findings that are not about the chain (a trail without log file validation, a key whose
//! material expires) get no picture: their reason is not a chain reason and they carry no
//! `link` property.

use std::collections::BTreeMap;

use trailwarden_sdk::chain::{
    ALARM_KIND, COMPOSITE_ALARM_KIND, LOG_ALARM_KIND, LOG_GROUP_KIND, METRIC_FILTER_KIND,
    TOPIC_KIND, TRAIL_KIND, filter_resource, reason,
};
use trailwarden_sdk::{Finding, Outcome, Resource, Snapshot};

/// Longest name drawn in a node, in characters: AWS names run to 512 characters and a pack's
/// strings to anything; the full name stays in the finding's message and in the HTML tooltip.
pub const MAX_LABEL_CHARS: usize = 60;

/// Longest full name kept for a tooltip, in characters.
pub const MAX_FULL_NAME_CHARS: usize = 1024;

/// One step of the chain, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// The CloudTrail event that must reach someone.
    Event,
    /// The trail that records it.
    Trail,
    /// The CloudWatch Logs log group the trail delivers to.
    LogGroup,
    /// A log alarm that queries the log group: it stands in for the metric filter, metric and
    /// alarm (drawn only when the finding names one).
    LogAlarm,
    /// The metric filter that matches the event.
    MetricFilter,
    /// The metric the filter publishes.
    Metric,
    /// The alarm on that metric.
    Alarm,
    /// A composite alarm that carries the notification (drawn only when the finding names one).
    CompositeAlarm,
    /// The SNS topic the alarm notifies.
    Topic,
    /// Whoever is subscribed to the topic.
    Subscriber,
}

impl Stage {
    /// The word drawn in the node.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Event => "event",
            Stage::Trail => "trail",
            Stage::LogGroup => "log group",
            Stage::LogAlarm => "log alarm",
            Stage::MetricFilter => "metric filter",
            Stage::Metric => "metric",
            Stage::Alarm => "alarm",
            Stage::CompositeAlarm => "composite alarm",
            Stage::Topic => "topic",
            Stage::Subscriber => "subscriber",
        }
    }

    /// The resource type a finding names this stage with.
    fn kind(self) -> Option<&'static str> {
        match self {
            Stage::Trail => Some(TRAIL_KIND),
            Stage::LogGroup => Some(LOG_GROUP_KIND),
            Stage::LogAlarm => Some(LOG_ALARM_KIND),
            Stage::MetricFilter => Some(METRIC_FILTER_KIND),
            Stage::Alarm => Some(ALARM_KIND),
            Stage::CompositeAlarm => Some(COMPOSITE_ALARM_KIND),
            Stage::Topic => Some(TOPIC_KIND),
            Stage::Event | Stage::Metric | Stage::Subscriber => None,
        }
    }
}

/// Whether a link of the chain works, is the one that broke, or was never reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Upstream of the break: this link works.
    Works,
    /// The link that broke.
    Broken,
    /// Downstream of the break: nothing reaches it.
    NotReached,
}

/// One node of the picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Which step.
    pub stage: Stage,
    /// The resource's name, when the finding (or, for the metric, the snapshot) names it; cut
    /// to [`MAX_LABEL_CHARS`]. Raw text: each renderer escapes it.
    pub name: Option<String>,
    /// The full name for tooltips, cut only at [`MAX_FULL_NAME_CHARS`].
    pub full_name: Option<String>,
    /// Its state.
    pub state: State,
}

/// The picture of one broken chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Event first, subscriber last.
    pub nodes: Vec<Node>,
    /// The reason code of the break, drawn on the edge into the broken node. Raw text.
    pub reason: String,
}

impl Picture {
    /// The index of the broken node (never 0: the event is always the start).
    pub fn broken(&self) -> usize {
        self.nodes
            .iter()
            .position(|n| n.state == State::Broken)
            .unwrap_or(self.nodes.len().saturating_sub(1))
    }
}

/// The metrics each metric filter of the snapshot publishes, keyed by the id the chain
/// analysis gives a filter resource ([`filter_resource`]): `Namespace/MetricName`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricNames(BTreeMap<String, Vec<String>>);

impl MetricNames {
    /// Adds the names read from another account's snapshot (a multi-account run).
    pub fn absorb(&mut self, other: MetricNames) {
        self.0.extend(other.0);
    }

    /// Reads every filter's metric transformations from `snapshot`.
    pub fn from_snapshot(snapshot: &Snapshot) -> Self {
        let mut names = BTreeMap::new();
        for region in &snapshot.regions {
            for filter in &region.metric_filters.items {
                let Some(group) = region
                    .log_groups
                    .items
                    .iter()
                    .find(|g| g.log_group_name == filter.log_group_name)
                else {
                    continue;
                };
                let metrics = filter
                    .metric_transformations
                    .iter()
                    .map(|t| format!("{}/{}", t.metric_namespace, t.metric_name))
                    .collect();
                names.insert(filter_resource(group, filter).arn, metrics);
            }
        }
        Self(names)
    }

    /// The metrics of the filter with this id.
    fn of(&self, filter_id: &str) -> Option<&[String]> {
        self.0.get(filter_id).map(Vec::as_slice)
    }
}

/// The stage a chain reason code breaks at, from the reason codes of
/// [`trailwarden_sdk::chain::reason`]; `None` for a reason that is not about the chain.
fn stage_of_reason(code: &str) -> Option<Stage> {
    use reason::*;
    let stage = match code {
        NO_TRAIL
        | NO_TRAIL_RECORDS_EVENT
        | TRAIL_NOT_IN_REGION
        | TRAIL_NOT_LOGGING
        | TRAIL_DROPS_EVENT => Stage::Trail,
        TRAIL_NO_LOG_GROUP
        | TRAIL_LOG_GROUP_INVALID
        | LOG_GROUP_MISSING
        | LOG_GROUP_INFREQUENT_ACCESS => Stage::LogGroup,
        NO_METRIC_FILTER
        | FILTER_PATTERN_INVALID
        | FILTER_DOES_NOT_MATCH
        | FILTER_SELECTION_INVALID
        | FILTER_SELECTION_EXCLUDES => Stage::MetricFilter,
        FILTER_EMITS_NO_METRIC
        | METRIC_VALUE_MISSING
        | METRIC_VALUE_INVALID
        | METRIC_VALUE_NOT_POSITIVE
        | FILTER_DIMENSION_MISSING => Stage::Metric,
        NO_ALARM
        | ALARM_DIMENSIONS_MISMATCH
        | ALARM_NAMESPACE_MISMATCH
        | ALARM_ANOMALY_BAND
        | ALARM_NEEDS_SEVERAL_PERIODS
        | ALARM_THRESHOLD_UNKNOWN
        | ALARM_OPERATOR_UNSUPPORTED
        | ALARM_CANNOT_FIRE
        | ALARM_STATISTIC_NOT_COUNT
        | ALARM_WRONG_DIRECTION => Stage::Alarm,
        ALARM_ACTIONS_DISABLED
        | ALARM_NO_ACTIONS
        | ACTION_NOT_AN_ARN
        | ACTION_NOT_A_NOTIFICATION
        | TOPIC_MISSING
        | TOPIC_AWS_MANAGED_KEY => Stage::Topic,
        TOPIC_NO_CONFIRMED_SUBSCRIPTION => Stage::Subscriber,
        LOG_ALARMS_NOT_COLLECTED
        | LOG_ALARM_QUERY_DROPS_EVENT
        | LOG_ALARM_QUERY_UNVERIFIABLE
        | LOG_ALARM_QUERY_INVALID
        | LOG_ALARM_CANNOT_FIRE
        | LOG_ALARM_NEEDS_MORE_RESULTS
        | LOG_ALARM_WINDOW_GAPS
        | LOG_ALARM_EVALUATION_ERROR
        | LOG_ALARM_COUNTS_SUCCESSES => Stage::LogAlarm,
        _ => return None,
    };
    Some(stage)
}

/// The stage named by a finding's `link` property (the chain analysis's `Link::name`), for
/// a pack's own reason codes on a chain break.
fn stage_of_link(link: &str) -> Option<Stage> {
    Some(match link {
        "trail" => Stage::Trail,
        "log group" => Stage::LogGroup,
        "metric filter" => Stage::MetricFilter,
        "alarm" | "alarm condition" => Stage::Alarm,
        "notification" => Stage::Topic,
        _ => return None,
    })
}

/// The picture of `finding`'s chain, when it is a failure about the chain.
pub fn picture(finding: &Finding, metrics: &MetricNames) -> Option<Picture> {
    if finding.outcome != Outcome::Fail {
        return None;
    }
    let broken = stage_of_reason(&finding.reason).or_else(|| {
        finding
            .properties
            .get("link")
            .and_then(|v| v.as_str())
            .and_then(stage_of_link)
    })?;
    let resources: Vec<&Resource> = finding.resource.iter().chain(&finding.related).collect();
    let named = |stage: Stage| {
        stage
            .kind()
            .and_then(|kind| resources.iter().find(|r| r.kind == kind))
    };
    let through_log_alarm = broken == Stage::LogAlarm || named(Stage::LogAlarm).is_some();
    let mut stages = if through_log_alarm {
        vec![Stage::Event, Stage::Trail, Stage::LogGroup, Stage::LogAlarm]
    } else {
        vec![
            Stage::Event,
            Stage::Trail,
            Stage::LogGroup,
            Stage::MetricFilter,
            Stage::Metric,
            Stage::Alarm,
        ]
    };
    if named(Stage::CompositeAlarm).is_some() {
        stages.push(Stage::CompositeAlarm);
    }
    stages.extend([Stage::Topic, Stage::Subscriber]);
    let filter_metrics = named(Stage::MetricFilter).and_then(|f| metrics.of(&f.arn));
    let nodes = stages
        .into_iter()
        .map(|stage| {
            let state = match stage.cmp(&broken) {
                std::cmp::Ordering::Less => State::Works,
                std::cmp::Ordering::Equal => State::Broken,
                std::cmp::Ordering::Greater => State::NotReached,
            };
            // Past the break nothing is reached, so nothing downstream is named.
            let full_name = match (stage, state) {
                (_, State::NotReached) => None,
                (Stage::Event, _) => finding
                    .properties
                    .get("event")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
                (Stage::Metric, _) => filter_metrics
                    .filter(|m| !m.is_empty())
                    .map(|m| m.join(", ")),
                _ => named(stage).map(|r| r.name.clone()),
            };
            Node {
                stage,
                name: full_name.as_deref().map(|n| cut(n, MAX_LABEL_CHARS)),
                full_name: full_name.map(|n| cut(&n, MAX_FULL_NAME_CHARS)),
                state,
            }
        })
        .collect();
    Some(Picture {
        nodes,
        reason: finding.reason.clone(),
    })
}

/// `text` cleaned as every untrusted line is ([`crate::untrusted::line_within`]: controls
/// become spaces, invisible formatting U+FFFD), cut to `max` characters with an ellipsis.
pub fn cut(text: &str, max: usize) -> String {
    let clean = crate::untrusted::line_within(text, usize::MAX);
    if clean.chars().count() <= max {
        return clean;
    }
    let mut short: String = clean.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm_finding() -> Finding {
        Finding::fail(reason::ALARM_CANNOT_FIRE, "alarm never fires")
            .resource(
                Resource::new(ALARM_KIND, "arn:aws:cloudwatch:us-east-1:1:alarm:a", "cmk")
                    .with_role("alarm"),
            )
            .property("event", "DisableKey")
    }

    #[test]
    fn a_chain_break_is_drawn_with_names_up_to_the_break() {
        let mut finding = alarm_finding();
        finding.related = vec![
            Resource::new(TRAIL_KIND, "arn:t", "org-audit").with_role("trail"),
            Resource::new(LOG_GROUP_KIND, "arn:g", "group").with_role("log group"),
            Resource::new(METRIC_FILTER_KIND, "arn:g:metric-filter:f", "f"),
        ];
        let metrics = MetricNames(BTreeMap::from([(
            "arn:g:metric-filter:f".to_owned(),
            vec!["NS/Count".to_owned()],
        )]));
        let picture = picture(&finding, &metrics).expect("a chain finding");
        let names: Vec<_> = picture
            .nodes
            .iter()
            .map(|n| (n.stage, n.name.as_deref(), n.state))
            .collect();
        assert_eq!(
            names,
            vec![
                (Stage::Event, Some("DisableKey"), State::Works),
                (Stage::Trail, Some("org-audit"), State::Works),
                (Stage::LogGroup, Some("group"), State::Works),
                (Stage::MetricFilter, Some("f"), State::Works),
                (Stage::Metric, Some("NS/Count"), State::Works),
                (Stage::Alarm, Some("cmk"), State::Broken),
                (Stage::Topic, None, State::NotReached),
                (Stage::Subscriber, None, State::NotReached),
            ]
        );
        assert_eq!(picture.broken(), 5);
        assert_eq!(picture.reason, "ALARM_CANNOT_FIRE");
    }

    #[test]
    fn a_log_alarm_break_is_drawn_without_filter_or_metric() {
        let mut finding = Finding::fail(reason::LOG_ALARM_QUERY_DROPS_EVENT, "query drops it")
            .resource(
                Resource::new(
                    LOG_ALARM_KIND,
                    "arn:aws:cloudwatch:us-east-1:1:alarm:l",
                    "kms-q",
                )
                .with_role("log alarm"),
            )
            .property("event", "DisableKey");
        finding.related = vec![
            Resource::new(TRAIL_KIND, "arn:t", "org-audit").with_role("trail"),
            Resource::new(LOG_GROUP_KIND, "arn:g", "group").with_role("log group"),
        ];
        let picture = picture(&finding, &MetricNames::default()).expect("a chain finding");
        let names: Vec<_> = picture
            .nodes
            .iter()
            .map(|n| (n.stage, n.name.as_deref(), n.state))
            .collect();
        assert_eq!(
            names,
            vec![
                (Stage::Event, Some("DisableKey"), State::Works),
                (Stage::Trail, Some("org-audit"), State::Works),
                (Stage::LogGroup, Some("group"), State::Works),
                (Stage::LogAlarm, Some("kms-q"), State::Broken),
                (Stage::Topic, None, State::NotReached),
                (Stage::Subscriber, None, State::NotReached),
            ]
        );
    }

    #[test]
    fn findings_off_the_chain_get_no_picture() {
        let off = Finding::fail("TRAIL_NOT_ENCRYPTED", "m");
        assert!(picture(&off, &MetricNames::default()).is_none());
        let unverifiable = Finding::unverifiable(reason::ALARM_CANNOT_FIRE, "m");
        assert!(picture(&unverifiable, &MetricNames::default()).is_none());
    }

    #[test]
    fn a_packs_own_reason_is_placed_by_its_link_property() {
        let finding = Finding::fail("MY_TOPIC_PROBLEM", "m").property("link", "notification");
        let picture = picture(&finding, &MetricNames::default()).expect("drawn");
        assert_eq!(picture.nodes[picture.broken()].stage, Stage::Topic);
    }

    #[test]
    fn long_and_control_laden_names_are_cut() {
        let long = "x".repeat(500);
        assert_eq!(cut(&long, MAX_LABEL_CHARS).chars().count(), MAX_LABEL_CHARS);
        assert!(cut(&long, MAX_LABEL_CHARS).ends_with('…'));
        assert_eq!(cut("a\nb\u{1b}c", MAX_LABEL_CHARS), "a b c");
    }
}
