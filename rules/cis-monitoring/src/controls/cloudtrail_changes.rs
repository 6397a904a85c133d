//! TW-CW-005 `cloudtrail-changes`: CIS AWS Foundations v1.4.0 4.5.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for CloudTrail configuration changes, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.5")]
///
#[doc = strict_cis!("CloudWatch.5")]
///
/// ## Why it matters
/// Stopping or changing a trail blinds every other alarm; it is an attacker's first move.
///
#[doc = example!("{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }")]
///
#[doc = how_to_fix!("cloudtrail-changes", "CloudTrailChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.5 (v1.2.0 3.5); AWS Security Hub CloudWatch.5
#[doc = references!()]
#[rule(
    id = "TW-CW-005",
    name = "cloudtrail-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.5 Ensure a log metric filter and alarm exist for CloudTrail configuration changes",
        "v1.2.0 3.5 Ensure a log metric filter and alarm exist for CloudTrail configuration changes",
        "v3.0.0 4.5 Ensure a log metric filter and alarm exist for CloudTrail configuration changes",
        "v4.0.1 4.5 Ensure CloudTrail configuration changes are monitored",
        "v5.0.0 4.5 Ensure CloudTrail configuration changes are monitored",
    ],
    security_hub = ["CloudWatch.5"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn cloudtrail_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.5")
}
