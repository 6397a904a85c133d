//! TW-CW-006 `console-auth-failures`: CIS AWS Foundations v1.4.0 4.6.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for console authentication failures, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.6")]
///
#[doc = strict_cis!("CloudWatch.6")]
///
/// ## Why it matters
/// Repeated failed console sign-ins are password guessing.
///
#[doc = example!(r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#)]
///
#[doc = how_to_fix!("console-auth-failures", "ConsoleAuthFailures")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.6 (v1.2.0 3.6); AWS Security Hub CloudWatch.6
#[doc = references!()]
#[rule(
    id = "TW-CW-006",
    name = "console-auth-failures",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.6", "v1.2.0 3.6", "v3.0.0 4.6"],
    security_hub = ["CloudWatch.6"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics", "topicPolicies", "topicDeliveries", "kmsKeys", "keyPolicies"],
    settings = CisSettings
)]
pub fn console_auth_failures(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.6")
}
