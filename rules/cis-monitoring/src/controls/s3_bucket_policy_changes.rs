//! TW-CW-008 `s3-bucket-policy-changes`: CIS AWS Foundations v1.4.0 4.8.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for S3 bucket policy changes, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.8")]
///
#[doc = strict_cis!("CloudWatch.8")]
///
/// ## Why it matters
/// A changed bucket policy or ACL can expose data publicly or to another account.
///
#[doc = example!("{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }")]
///
#[doc = how_to_fix!("s3-bucket-policy-changes", "S3BucketPolicyChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.8 (v1.2.0 3.8); AWS Security Hub CloudWatch.8
#[doc = references!()]
#[rule(
    id = "TW-CW-008",
    name = "s3-bucket-policy-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.8 Ensure a log metric filter and alarm exist for S3 bucket policy changes",
        "v1.2.0 3.8 Ensure a log metric filter and alarm exist for S3 bucket policy changes",
        "v3.0.0 4.8 Ensure a log metric filter and alarm exist for S3 bucket policy changes",
        "v4.0.1 4.8 Ensure S3 bucket policy changes are monitored",
        "v5.0.0 4.8 Ensure S3 bucket policy changes are monitored",
    ],
    security_hub = ["CloudWatch.8"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn s3_bucket_policy_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.8")
}
