//! TW-CW-010 `security-group-changes`: CIS AWS Foundations v1.4.0 4.10.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for security group changes, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.10")]
///
#[doc = strict_cis!("CloudWatch.10")]
///
/// ## Why it matters
/// A new ingress rule can open a workload to the internet.
///
#[doc = example!("{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }")]
///
#[doc = how_to_fix!("security-group-changes", "SecurityGroupChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.10 (v1.2.0 3.10); AWS Security Hub CloudWatch.10
#[doc = references!()]
#[rule(
    id = "TW-CW-010",
    name = "security-group-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.10 Ensure a log metric filter and alarm exist for security group changes",
        "v1.2.0 3.10 Ensure a log metric filter and alarm exist for security group changes",
        "v3.0.0 4.10 Ensure a log metric filter and alarm exist for security group changes",
        "v4.0.1 4.10 Ensure security group changes are monitored",
        "v5.0.0 4.10 Ensure security group changes are monitored",
    ],
    security_hub = ["CloudWatch.10"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn security_group_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.10")
}
