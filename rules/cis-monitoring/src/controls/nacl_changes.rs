//! TW-CW-011 `nacl-changes`: CIS AWS Foundations v1.4.0 4.11.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for network ACL changes, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.11")]
///
#[doc = strict_cis!("CloudWatch.11")]
///
/// ## Why it matters
/// NACL changes open or close whole subnets at once.
///
#[doc = example!("{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }")]
///
#[doc = how_to_fix!("nacl-changes", "NACLChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.11 (v1.2.0 3.11); AWS Security Hub CloudWatch.11
#[doc = references!()]
#[rule(
    id = "TW-CW-011",
    name = "nacl-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.11 Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)",
        "v1.2.0 3.11 Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)",
        "v3.0.0 4.11 Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)",
        "v4.0.1 4.11 Ensure Network Access Control List (NACL) changes are monitored",
        "v5.0.0 4.11 Ensure Network Access Control List (NACL) changes are monitored",
    ],
    security_hub = ["CloudWatch.11"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn nacl_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.11")
}
