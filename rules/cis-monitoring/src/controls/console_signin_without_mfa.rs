//! TW-CW-002 `console-signin-without-mfa`: CIS AWS Foundations v1.4.0 4.2.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for console sign-ins without MFA, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.2")]
///
#[doc = strict_cis!("CloudWatch.3")]
///
/// ## Why it matters
/// A console session without MFA means a password alone opened the account: a phished or leaked password is enough.
///
#[doc = example!(r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#)]
///
#[doc = how_to_fix!("console-signin-without-mfa", "ConsoleSigninWithoutMFA")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.2 (v1.2.0 3.2); AWS Security Hub CloudWatch.3
#[doc = references!()]
#[rule(
    id = "TW-CW-002",
    name = "console-signin-without-mfa",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.2 Ensure a log metric filter and alarm exist for Management Console sign-in without MFA",
        "v1.2.0 3.2 Ensure a log metric filter and alarm exist for Management Console sign-in without MFA",
        "v3.0.0 4.2 Ensure a log metric filter and alarm exist for Management Console sign-in without MFA",
        "v4.0.1 4.2 Ensure management console sign-in without MFA is monitored",
        "v5.0.0 4.2 Ensure management console sign-in without MFA is monitored",
    ],
    security_hub = ["CloudWatch.3"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn console_signin_without_mfa(
    snapshot: &Snapshot,
    ctx: &Ctx,
) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.2")
}
