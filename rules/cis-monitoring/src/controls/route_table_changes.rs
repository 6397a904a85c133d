//! TW-CW-013 `route-table-changes`: CIS AWS Foundations v1.4.0 4.13.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for route table changes, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.13")]
///
#[doc = strict_cis!("CloudWatch.13")]
///
/// ## Why it matters
/// A changed route can send traffic out of the VPC or through a path someone else controls.
///
#[doc = example!("{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }")]
///
#[doc = how_to_fix!("route-table-changes", "RouteTableChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.13 (v1.2.0 3.13); AWS Security Hub CloudWatch.13
#[doc = references!()]
#[rule(
    id = "TW-CW-013",
    name = "route-table-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.13 Ensure a log metric filter and alarm exist for route table changes",
        "v1.2.0 3.13 Ensure a log metric filter and alarm exist for route table changes",
        "v3.0.0 4.13 Ensure route table changes are monitored",
        "v4.0.1 4.13 Ensure route table changes are monitored",
        "v5.0.0 4.13 Ensure route table changes are monitored",
    ],
    security_hub = ["CloudWatch.13"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn route_table_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.13")
}
