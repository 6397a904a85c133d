use trailwarden_sdk::prelude::*;

use crate::helpers::{owner_note, trail_resource, trails_unverifiable};
use crate::reason;

/// Every trail validates the integrity of its log files.
///
/// ## What it checks
/// Each trail (deduplicated across the regions it covers) has log file validation enabled
/// (`LogFileValidationEnabled`).
///
/// ## Why it matters
/// With validation on, CloudTrail writes a signed digest file every hour, so anyone can prove
/// that a log file was not changed or deleted after delivery. Without it, an attacker who
/// reaches the bucket can remove the `DisableKey` record that would have shown what they did.
///
/// ## Example
/// Failing: `aws cloudtrail describe-trails` shows `"LogFileValidationEnabled": false`.
/// Passing: `"LogFileValidationEnabled": true`.
///
/// ## How to fix
/// ```sh
/// aws cloudtrail update-trail --name <trail> --enable-log-file-validation
/// ```
/// CloudFormation: `EnableLogFileValidation: true` on the `AWS::CloudTrail::Trail`.
/// Terraform: `enable_log_file_validation = true` on `aws_cloudtrail`.
///
/// ## References
/// - CIS AWS Foundations v1.4.0 3.2 (v1.2.0 2.2); AWS Security Hub CloudTrail.4
/// - <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html>
#[rule(
    id = "TW-CT-004",
    name = "log-file-validation",
    level = "warning",
    security_severity = 4.0,
    precision = "very-high",
    help_uri = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
    tags = ["cloudtrail", "integrity", "cis"],
    cis = [
        "v1.4.0 3.2 Ensure CloudTrail log file validation is enabled",
        "v1.2.0 2.2 Ensure CloudTrail log file validation is enabled",
        "v3.0.0 3.2 Ensure CloudTrail log file validation is enabled",
        "v4.0.1 3.2 Ensure CloudTrail log file validation is enabled",
        "v5.0.0 3.2 Ensure CloudTrail log file validation is enabled",
    ],
    security_hub = ["CloudTrail.4"],
    needs = ["trails"]
)]
pub fn log_file_validation(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let mut findings: Vec<Finding> = trails_unverifiable(snapshot).into_iter().collect();
    for trail in snapshot.unique_trails() {
        if !trail.log_file_validation_enabled {
            findings.push(
                Finding::fail(
                    reason::LOG_FILE_VALIDATION_DISABLED,
                    format!(
                        "trail `{}` ({}) does not validate its log files, so a deleted or edited log file would go unnoticed{}",
                        trail.name,
                        trail.home_region,
                        owner_note(snapshot, trail)
                    ),
                )
                .account(&snapshot.account.id)
                .region(&trail.home_region)
                .resource(trail_resource(trail)),
            );
        }
    }
    Ok(findings)
}
