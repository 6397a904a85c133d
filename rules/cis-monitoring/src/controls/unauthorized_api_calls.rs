//! TW-CW-001 `unauthorized-api-calls`: CIS AWS Foundations v1.4.0 4.1.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for unauthorized API calls (`*UnauthorizedOperation` and `AccessDenied*` errors), and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.1")]
///
#[doc = strict_cis!("CloudWatch.2")]
///
/// ## Why it matters
/// Bursts of refused calls are how a stolen credential explores what it may do, and how broken automation shows itself.
///
#[doc = example!("{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) || ($.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.eventName!=HeadBucket) }")]
///
#[doc = how_to_fix!("unauthorized-api-calls", "UnauthorizedAPICalls")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.1 (v1.2.0 3.1); AWS Security Hub CloudWatch.2
#[doc = references!()]
#[rule(
    id = "TW-CW-001",
    name = "unauthorized-api-calls",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.1", "v1.2.0 3.1", "v3.0.0 4.1"],
    security_hub = ["CloudWatch.2"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics", "topicPolicies", "topicDeliveries", "kmsKeys", "keyPolicies"],
    settings = CisSettings
)]
pub fn unauthorized_api_calls(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.1")
}
