//! TW-CW-007 `kms-key-changes`: CIS AWS Foundations v1.4.0 4.7.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for disabling or scheduled deletion of customer-managed KMS keys, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.7")]
/// The requirement is shared with TW-KMS-001 (it includes refused attempts, which the CIS
/// pattern matches too).
///
#[doc = strict_cis!("CloudWatch.7")]
///
/// ## Why it matters
/// Data encrypted under a disabled key cannot be read, and after the deletion window it is gone for good.
///
#[doc = example!("{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }")]
///
#[doc = how_to_fix!("kms-key-changes", "KMSKeyChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.7 (v1.2.0 3.7); AWS Security Hub CloudWatch.7
#[doc = references!()]
#[rule(
    id = "TW-CW-007",
    name = "kms-key-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.7 Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer created CMKs",
        "v1.2.0 3.7 Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer created CMKs",
        "v3.0.0 4.7 Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer created CMKs",
        "v4.0.1 4.7 Ensure disabling or scheduled deletion of customer created CMKs is monitored",
        "v5.0.0 4.7 Ensure disabling or scheduled deletion of customer created CMKs is monitored",
    ],
    security_hub = ["CloudWatch.7"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn kms_key_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.7")
}
