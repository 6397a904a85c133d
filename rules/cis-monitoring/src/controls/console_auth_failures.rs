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
/// ## Failures, not traffic
/// The control is about failed sign-ins, a kind of event: each record is also evaluated as its
/// successful twin (`ConsoleLogin: Success`, no `errorMessage`), and a filter that counts the
/// twin fails with `FILTER_COUNTS_SUCCESSES`, because ordinary sign-ins keep its alarm in ALARM
/// and alarm actions run only on state transitions.
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
    cis = [
        "v1.4.0 4.6 Ensure a log metric filter and alarm exist for AWS Management Console authentication failures",
        "v1.2.0 3.6 Ensure a log metric filter and alarm exist for AWS Management Console authentication failures",
        "v3.0.0 4.6 Ensure a log metric filter and alarm exist for AWS Management Console authentication failures",
        "v4.0.1 4.6 Ensure AWS Management Console authentication failures are monitored",
        "v5.0.0 4.6 Ensure AWS Management Console authentication failures are monitored",
    ],
    security_hub = ["CloudWatch.6"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn console_auth_failures(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.6")
}
