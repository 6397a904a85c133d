//! TW-CW-012 `network-gateway-changes`: CIS AWS Foundations v1.4.0 4.12.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for network gateway changes, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.12")]
///
#[doc = strict_cis!("CloudWatch.12")]
///
/// ## Why it matters
/// A new internet or customer gateway changes what can reach the VPC and where traffic can leave.
///
#[doc = example!("{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }")]
///
#[doc = how_to_fix!("network-gateway-changes", "NetworkGatewayChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.12 (v1.2.0 3.12); AWS Security Hub CloudWatch.12
#[doc = references!()]
#[rule(
    id = "TW-CW-012",
    name = "network-gateway-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.12 Ensure a log metric filter and alarm exist for changes to network gateways",
        "v1.2.0 3.12 Ensure a log metric filter and alarm exist for changes to network gateways",
        "v3.0.0 4.12 Ensure a log metric filter and alarm exist for changes to network gateways",
        "v4.0.1 4.12 Ensure changes to network gateways are monitored",
        "v5.0.0 4.12 Ensure changes to network gateways are monitored",
    ],
    security_hub = ["CloudWatch.12"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn network_gateway_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.12")
}
