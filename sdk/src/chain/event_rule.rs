//! The alternative to a metric filter and alarm: an EventBridge rule that matches the event and
//! notifies someone.
//!
//! CloudTrail delivers its management events to the default event bus of the region where they
//! happen ("AWS service events delivered via AWS CloudTrail",
//! <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html>).
//! A rule there catches an event when it is on the default bus, its state delivers the event
//! ([`state_delivers`]), its pattern matches the event EventBridge builds from the record
//! ([`cloudtrail_envelope`], the engine TW-KMS-004 uses), and one of its targets reaches someone
//! through the same topic link alarms use ([`targets_notify`]). CIS AWS Foundations v4.0.0 lets
//! the monitoring controls be met by such a rule instead of a metric filter (the controls'
//! remediation in Prowler's `cis_4.0_aws.json`), which users asked for (prowler-cloud/prowler#831).

use serde_json::Value;

use super::notify::{Notify, targets_notify};
use crate::arn::Arn;
use crate::eventbridge::{Delivery, EventPattern, cloudtrail_envelope, state_delivers};
use crate::finding::Resource;
use crate::snapshot::{EventRule, RegionSnapshot, Snapshot};

/// The CloudFormation type of an EventBridge rule.
pub const EVENT_RULE_KIND: &str = "AWS::Events::Rule";

/// Whether EventBridge rules of a region catch an event and tell someone.
#[derive(Debug, Clone, PartialEq)]
pub enum EventRuleCover {
    /// This rule catches it and notifies.
    Covered(Resource),
    /// The rules of the region could not be read, so it is unknown.
    Unverifiable(String),
    /// No rule catches it and notifies.
    NotCovered,
}

/// An EventBridge rule as a finding resource.
pub fn event_rule_resource(rule: &EventRule) -> Resource {
    Resource::new(EVENT_RULE_KIND, &rule.arn, &rule.name).with_role("event rule")
}

/// Whether a rule of `region` catches `record` (logged in that region of the snapshot's account)
/// and notifies someone.
///
/// ```
/// use trailwarden_sdk::chain::{EventRuleCover, event_rules_cover};
/// use trailwarden_sdk::events::kms;
/// use trailwarden_sdk::testing::SnapshotBuilder;
///
/// let pattern = serde_json::json!({"source": ["aws.kms"], "detail": {"eventName": ["DisableKey"]}});
/// let snapshot = SnapshotBuilder::new()
///     .region("us-east-1")
///     .topic("security-alerts")
///     .event_rule("kms-changes", &pattern, "security-alerts")
///     .build();
/// let record = kms::disable_key("us-east-1", &snapshot.account.id);
/// let region = snapshot.region("us-east-1").expect("enabled");
/// assert!(matches!(event_rules_cover(&snapshot, region, &record), EventRuleCover::Covered(_)));
/// ```
pub fn event_rules_cover(
    snapshot: &Snapshot,
    region: &RegionSnapshot,
    record: &Value,
) -> EventRuleCover {
    let rules = match region.event_rules.verified() {
        Ok(rules) => rules,
        Err(why) => {
            return EventRuleCover::Unverifiable(format!(
                "the EventBridge rules of {} could not be read: {why}",
                region.region
            ));
        }
    };
    let account = snapshot.account.id.as_str();
    let envelope = cloudtrail_envelope(record, &region.region, account);
    for rule in rules {
        let Some(pattern) = rule
            .event_pattern
            .as_deref()
            .and_then(|text| EventPattern::parse(text).ok())
        else {
            continue;
        };
        if !pattern.matches(&envelope)
            || !is_default_bus(&rule.event_bus_name, &region.region, account)
            || state_delivers(&rule.state, record) != Delivery::Delivered
        {
            continue;
        }
        let arns: Vec<String> = rule.targets.iter().map(|t| t.arn.clone()).collect();
        if matches!(
            targets_notify(snapshot, &rule.arn, &arns),
            Notify::Told { .. }
        ) {
            return EventRuleCover::Covered(event_rule_resource(rule));
        }
    }
    EventRuleCover::NotCovered
}

/// Services whose CloudTrail events are global: CloudTrail logs them in `us-east-1` whatever
/// region the caller used ("Global service events": "For most global services, events are
/// logged as occurring in US East (N. Virginia) Region",
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-global-service-events>),
/// so EventBridge receives them on that region's default bus only.
pub const GLOBAL_EVENT_SOURCES: &[&str] = &[
    "iam.amazonaws.com",
    "signin.amazonaws.com",
    "organizations.amazonaws.com",
];

/// The region whose default bus receives `record` when it happens in `region`: `us-east-1` for
/// the events of a global service ([`GLOBAL_EVENT_SOURCES`]), `region` otherwise.
pub fn bus_region<'a>(record: &Value, region: &'a str) -> &'a str {
    let source = record["eventSource"].as_str().unwrap_or_default();
    if GLOBAL_EVENT_SOURCES.contains(&source) {
        "us-east-1"
    } else {
        region
    }
}

/// `default`, or the ARN of the account's default bus in `region`.
fn is_default_bus(bus: &str, region: &str, account: &str) -> bool {
    bus == "default"
        || Arn::parse(bus).is_some_and(|arn| {
            arn.service == "events"
                && arn.resource == "event-bus/default"
                && arn.region == region
                && arn.account == account
        })
}
