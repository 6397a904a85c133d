use trailwarden_sdk::prelude::*;

use crate::helpers::{owner_note, trail_resource, trails_unverifiable};
use crate::reason;

/// Every trail encrypts its log files with a customer-managed KMS key that can still be used.
///
/// ## What it checks
/// Each trail (deduplicated across regions) sets `KmsKeyId` (SSE-KMS), and the key, when it is
/// in this account and was collected, is customer-managed and `Enabled`. A disabled key or one
/// pending deletion stops CloudTrail from delivering logs at all.
///
/// ## Why it matters
/// SSE-S3 lets anyone with `s3:GetObject` on the bucket read the logs. With a customer-managed
/// key, reading also needs `kms:Decrypt`, and every decryption is itself logged.
///
/// ## Example
/// Failing: the trail has no `KmsKeyId`. Passing: `"KmsKeyId":
/// "arn:aws:kms:us-east-1:111122223333:key/…"`, a key whose `KeyManager` is `CUSTOMER`.
///
/// ## How to fix
/// Create a key whose policy lets `cloudtrail.amazonaws.com` call `GenerateDataKey*`, then:
/// ```sh
/// aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn>
/// ```
/// CloudFormation: `KMSKeyId: !Ref TrailKey` on the `AWS::CloudTrail::Trail`.
/// Terraform: `kms_key_id = aws_kms_key.trail.arn` on `aws_cloudtrail`.
///
/// ## References
/// - CIS AWS Foundations v1.4.0 3.7 (v1.2.0 2.7); AWS Security Hub CloudTrail.2
/// - <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html>
#[rule(
    id = "TW-CT-003",
    name = "trail-encryption",
    level = "warning",
    security_severity = 5.0,
    precision = "very-high",
    help_uri = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html",
    tags = ["cloudtrail", "kms", "encryption", "cis"],
    cis = [
        "v1.4.0 3.7 Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
        "v1.2.0 2.7 Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
        "v3.0.0 3.5 Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
        "v4.0.1 3.5 Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
        "v5.0.0 3.5 Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
    ],
    security_hub = ["CloudTrail.2"],
    needs = ["trails", "kmsKeys"]
)]
pub fn trail_encryption(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let mut findings: Vec<Finding> = trails_unverifiable(snapshot).into_iter().collect();
    for trail in snapshot.unique_trails() {
        let base = |outcome: Finding| {
            outcome
                .account(&snapshot.account.id)
                .region(&trail.home_region)
                .resource(trail_resource(trail))
        };
        let owner = owner_note(snapshot, trail);
        let Some(key_ref) = trail.kms_key_id.as_deref() else {
            findings.push(base(Finding::fail(
                reason::TRAIL_NOT_ENCRYPTED,
                format!(
                    "trail `{}` ({}) encrypts its logs with SSE-S3 only; set a customer-managed KMS key{owner}",
                    trail.name, trail.home_region
                ),
            )));
            continue;
        };
        if let Some(key) = snapshot.kms_key(key_ref) {
            let key_resource =
                Resource::new("AWS::KMS::Key", &key.arn, &key.key_id).with_role("key");
            if !key.is_customer_managed() {
                findings.push(base(Finding::fail(
                    reason::TRAIL_KEY_AWS_MANAGED,
                    format!(
                        "trail `{}` encrypts its logs with the AWS-managed key `{}`; use a customer-managed key whose policy you control{owner}",
                        trail.name, key_ref
                    ),
                )).related(key_resource));
            } else if key.key_state != KeyState::Enabled {
                findings.push(base(Finding::fail(
                    reason::TRAIL_KEY_UNUSABLE,
                    format!(
                        "trail `{}` encrypts its logs with key `{}`, which is {}, so CloudTrail cannot deliver log files{owner}",
                        trail.name, key.key_id, key.key_state
                    ),
                )).level(Level::Error).related(key_resource));
            }
        } else if let Some(unverified) = key_unverifiable(snapshot, key_ref) {
            findings.push(base(unverified));
        }
    }
    Ok(findings)
}

/// When the trail's key is not in the snapshot: fine if it lives in another account (a central
/// security account is common, and CloudTrail only accepts customer-managed keys there); a
/// could-not-verify when this account's key list for that region is incomplete.
fn key_unverifiable(snapshot: &Snapshot, key_ref: &str) -> Option<Finding> {
    let arn = Arn::parse(key_ref)?;
    if arn.account != snapshot.account.id {
        return None;
    }
    let region = snapshot.region(arn.region)?;
    let why = region.kms_keys.verified().err()?;
    Some(Finding::unverifiable(
        reason::KEY_NOT_COLLECTED,
        format!(
            "could not verify the trail's key `{key_ref}` because the key list of {} is incomplete: {why}",
            arn.region
        ),
    ))
}
