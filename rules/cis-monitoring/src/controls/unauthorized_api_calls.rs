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
/// ## Failures, not traffic
/// The control is about refused calls, a kind of event: each record is also evaluated as its
/// successful twin (no `errorCode`), and a filter that counts the twin fails with
/// `FILTER_COUNTS_SUCCESSES`, because ordinary calls keep its alarm in ALARM and alarm actions
/// run only on state transitions. The v1.4.0 text below ORs the `!=` terms with the error codes,
/// so it matches nearly every call and fails here; the v1.2.0 text
/// `{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}` and the v3.0.0
/// text (the `!=` terms joined with `&&`) count only refusals.
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
    cis = [
        "v1.4.0 4.1 Ensure a log metric filter and alarm exist for unauthorized API calls",
        "v1.2.0 3.1 Ensure a log metric filter and alarm exist for unauthorized API calls",
        "v3.0.0 4.1 Ensure a log metric filter and alarm exist for unauthorized API calls",
        "v4.0.1 4.1 Ensure unauthorized API calls are monitored",
        "v5.0.0 4.1 Ensure unauthorized API calls are monitored",
    ],
    security_hub = ["CloudWatch.2"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn unauthorized_api_calls(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.1")
}
