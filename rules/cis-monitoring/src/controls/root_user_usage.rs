//! TW-CW-003 `root-user-usage`: CIS AWS Foundations v1.4.0 4.3.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for use of the root user, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.3")]
///
#[doc = strict_cis!("CloudWatch.1")]
///
/// ## Why it matters
/// The root user cannot be restricted by IAM policies; any use of it outside a break-glass procedure is an incident.
///
#[doc = example!(r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#)]
///
#[doc = how_to_fix!("root-user-usage", "RootUserUsage")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.3 (v1.2.0 3.3); AWS Security Hub CloudWatch.1
#[doc = references!()]
#[rule(
    id = "TW-CW-003",
    name = "root-user-usage",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.3 Ensure a log metric filter and alarm exist for usage of 'root' account",
        "v1.2.0 3.3 Ensure a log metric filter and alarm exist for usage of 'root' account",
        "v3.0.0 4.3 Ensure a log metric filter and alarm exist for usage of 'root' account",
        "v4.0.1 4.3 Ensure usage of the 'root' account is monitored",
        "v5.0.0 4.3 Ensure usage of the 'root' account is monitored",
    ],
    security_hub = ["CloudWatch.1"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn root_user_usage(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.3")
}
