//! TW-CW-014 `vpc-changes`: CIS AWS Foundations v1.4.0 4.14.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for VPC changes, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.14")]
///
#[doc = strict_cis!("CloudWatch.14")]
///
/// ## Why it matters
/// Peering and VPC changes connect networks that were meant to stay apart.
///
#[doc = example!("{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }")]
///
#[doc = how_to_fix!("vpc-changes", "VPCChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.14 (v1.2.0 3.14); AWS Security Hub CloudWatch.14
#[doc = references!()]
#[rule(
    id = "TW-CW-014",
    name = "vpc-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.14 Ensure a log metric filter and alarm exist for VPC changes",
        "v1.2.0 3.14 Ensure a log metric filter and alarm exist for VPC changes",
        "v3.0.0 4.14 Ensure a log metric filter and alarm exist for VPC changes",
        "v4.0.1 4.14 Ensure VPC changes are monitored",
        "v5.0.0 4.14 Ensure VPC changes are monitored",
    ],
    security_hub = ["CloudWatch.14"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn vpc_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.14")
}
