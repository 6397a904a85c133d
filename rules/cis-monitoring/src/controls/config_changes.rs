//! TW-CW-009 `config-changes`: CIS AWS Foundations v1.4.0 4.9.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for AWS Config configuration changes, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.9")]
///
#[doc = strict_cis!("CloudWatch.9")]
///
/// ## Why it matters
/// Stopping the recorder or deleting the delivery channel ends configuration history and compliance evaluation.
///
#[doc = example!("{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }")]
///
#[doc = how_to_fix!("config-changes", "AWSConfigChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.9 (v1.2.0 3.9); AWS Security Hub CloudWatch.9
#[doc = references!()]
#[rule(
    id = "TW-CW-009",
    name = "config-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.9 Ensure a log metric filter and alarm exist for AWS Config configuration changes",
        "v1.2.0 3.9 Ensure a log metric filter and alarm exist for AWS Config configuration changes",
        "v3.0.0 4.9 Ensure a log metric filter and alarm exist for AWS Config configuration changes",
        "v4.0.1 4.9 Ensure AWS Config configuration changes are monitored",
        "v5.0.0 4.9 Ensure AWS Config configuration changes are monitored",
    ],
    security_hub = ["CloudWatch.9"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn config_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.9")
}
