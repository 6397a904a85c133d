//! TW-CW-004 `iam-policy-changes`: CIS AWS Foundations v1.4.0 4.4.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for IAM policy changes, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.4")]
///
#[doc = strict_cis!("CloudWatch.4")]
///
/// ## Why it matters
/// A policy change is how access is widened and how persistence is planted.
///
#[doc = example!("{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}")]
///
#[doc = how_to_fix!("iam-policy-changes", "IAMPolicyChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.4 (v1.2.0 3.4); AWS Security Hub CloudWatch.4
#[doc = references!()]
#[rule(
    id = "TW-CW-004",
    name = "iam-policy-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.4 Ensure a log metric filter and alarm exist for IAM policy changes",
        "v1.2.0 3.4 Ensure a log metric filter and alarm exist for IAM policy changes",
        "v3.0.0 4.4 Ensure a log metric filter and alarm exist for IAM policy changes",
        "v4.0.1 4.4 Ensure IAM policy changes are monitored",
        "v5.0.0 4.4 Ensure IAM policy changes are monitored",
    ],
    security_hub = ["CloudWatch.4"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn iam_policy_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.4")
}
