//! The monitoring chain: trail → log group → metric filter → metric → alarm → topic (its
//! access policy, its key's policy, its subscriptions), or trail → log group → log alarm (an
//! alarm on a CloudWatch Logs scheduled query) → topic.
//!
//! A [`Requirement`] is data: realistic CloudTrail records that must all be caught, and whether
//! one event must raise the alarm (a change alert) or a count over a threshold (a volume
//! alert). The analysis follows each link by identity and, per enabled region, reports either
//! the paths that cover the requirement or the furthest a path got and the link that broke.

mod alarm;
mod analysis;
mod centralized;
mod composite;
mod declared;
mod event_rule;
mod findings;
mod insights;
mod log_alarm;
mod log_group;
mod logs_query;
mod metric;
mod notify;
mod permission;
pub mod reason;
pub mod requirements;
mod subscription;
mod trace;
mod trail;

#[cfg(test)]
mod delivery_tests;
#[cfg(test)]
mod log_alarm_tests;
#[cfg(test)]
mod permission_tests;
#[cfg(test)]
mod tests;

pub use analysis::{
    ALARM_KIND, Analysis, Break, COMPOSITE_ALARM_KIND, CoveringPath, EventCoverage, Link,
    METRIC_FILTER_KIND, RegionCoverage, RegionVerdict, alarm_resource, analyse, analyse_region,
    filter_resource,
};
// Every path followed, broken ones included, for rules that ask about more than the best one.
pub use trace::{ActionOutcome, Trace};

// The links one by one, for rules that ask something the whole analysis does not answer. The
// modules stay private: what is re-exported here is the API (and the semver surface); the
// rest is how the analysis works and may change.
pub use alarm::{
    NoFire, Relation, Watch, events_to_alarm, fires, fires_on_burst, metrics_insights_query,
    relation, returned_query,
};
pub use declared::{DeclaredMetric, declared_metrics};
pub use event_rule::{EVENT_RULE_KIND, EventRuleCover, event_rule_resource, event_rules_cover};
pub use insights::{Aggregate, Condition, InsightsError, InsightsQuery, Selection};
pub use log_alarm::{
    Ask as LogAlarmAsk, LOG_ALARM_KIND, LogAlarmMiss, log_alarm_fires, log_alarm_resource,
    queries as log_alarm_queries,
};
pub use log_group::{Delivery, LOG_GROUP_KIND, NoDelivery, delivery, log_group_resource};
pub use logs_query::{
    Aggregation, AggregationExpression, LogsQuery, LogsQueryError, RowCap, Truth,
};
pub use metric::{EmittedMetric, FilterMiss, emitted_metrics};
pub use notify::{
    DELIVERY_METRICS, Notify, TOPIC_KIND, action_notifies, alarm_notifies, partly_failing_text,
    targets_notify,
};
pub use permission::Publisher;
pub use subscription::{Reach, reach};
pub use trail::{TRAIL_KIND, TrailVerdict, trail_resource, trail_verdicts};

use serde_json::Value;

/// How an alarm must behave for the requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmMode {
    /// One matching event in one period must put the alarm in ALARM (disable or delete a key).
    SingleEvent,
    /// A count with a finite threshold, or an anomaly band (failed calls, unusual volume).
    Volume,
}

/// What must be monitored: records that must each reach a person, and how.
///
/// ```
/// use trailwarden_sdk::chain::{AlarmMode, Requirement, analyse, reason};
/// use trailwarden_sdk::events::kms;
/// # let snapshot = trailwarden_sdk::Snapshot::from_json(
/// #     r#"{"schemaVersion": 1, "account": {"id": "111122223333"}, "regions": []}"#).unwrap();
/// let requirement = Requirement::new(
///     "KMS key disable and deletion events",
///     vec![kms::disable_key("us-east-1", "111122223333")],
///     AlarmMode::SingleEvent,
/// );
/// let analysis = analyse(&snapshot, &requirement);
/// // No region in the snapshot: nothing can be verified, and the finding says so.
/// assert_eq!(analysis.findings()[0].reason, reason::NO_REGIONS);
/// ```
///
/// Build it with [`Requirement::new`]: the struct is `#[non_exhaustive]`, so that a pack keeps
/// compiling when the SDK learns to judge a requirement by something more.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Requirement {
    /// A plural noun phrase for messages, e.g. "KMS key disable and deletion events": findings
    /// read "{name} in eu-west-1 reach nobody: …".
    pub name: String,
    /// Realistic CloudTrail records; every one must be caught. `awsRegion` is rewritten per
    /// region analysed.
    pub records: Vec<Value>,
    /// The alarm behaviour required.
    pub mode: AlarmMode,
    /// `Some` when the requirement is about failures, a kind of event rather than a volume:
    /// each record must then be counted apart from its successful twin
    /// ([`successful_twin`](crate::events::successful_twin)).
    pub failures: Option<Failures>,
}

impl Requirement {
    /// A requirement that every one of `records` reaches someone through an alarm that behaves
    /// as `mode` says. `name` is a plural noun phrase for messages ("IAM access key
    /// creations").
    pub fn new(name: impl Into<String>, records: Vec<Value>, mode: AlarmMode) -> Self {
        Self {
            name: name.into(),
            records,
            mode,
            failures: None,
        }
    }

    /// The records are failed calls, a kind of event rather than a volume: a filter that also
    /// counts their successful twins only passes when `max_failures_to_alarm` failures alone,
    /// within one evaluation window, fire the alarm (see [`Failures`]).
    #[must_use]
    pub fn counting_failures(mut self, max_failures_to_alarm: u32) -> Self {
        self.failures = Some(Failures {
            max_failures_to_alarm,
        });
        self
    }
}

/// How failures must be singled out from the successful calls they resemble.
///
/// A metric filter that counts a failed call and also its successful twin (a filter on
/// `Decrypt` whether it failed or not) counts traffic. Under a volume alarm set for traffic
/// (thousands of calls) a burst of failures changes nothing, so the failure is only counted
/// when the filter leaves the twin out, or when the alarm fires on
/// `max_failures_to_alarm` failures alone within one evaluation window, worked out with the
/// alarm's own threshold, operator, statistic, datapoints to alarm and the filter's metric
/// value. Under a single-event alarm such a filter fires on the first ordinary call and keeps
/// the alarm in ALARM, and "the actions happen only on state transitions, and are not performed
/// again if the condition persists"
/// (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html>): a
/// failure then tells nobody, so there the filter must leave the twin out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    /// How many failures, arriving within one evaluation window, must fire a volume alarm whose
    /// filter also counts successful calls.
    pub max_failures_to_alarm: u32,
}

/// The default of [`Failures::max_failures_to_alarm`]: a modest burst.
pub const DEFAULT_MAX_FAILURES_TO_ALARM: u32 = 10;
