//! ACME-KMS-002: customer-managed keys rotate their key material automatically.
//!
//! A rule on configuration read one call per key: it declares `keyRotations` next to
//! `kmsKeys`, so the host reads `kms:GetKeyRotationStatus` only when this rule is selected.

use trailwarden_sdk::prelude::*;

/// Reason code: an enabled customer-managed key does not rotate automatically.
pub const KEY_ROTATION_DISABLED: &str = "KEY_ROTATION_DISABLED";
/// Reason code: the keys or their rotation status could not be read.
pub const KEY_ROTATION_NOT_VERIFIED: &str = "KEY_ROTATION_NOT_VERIFIED";

/// Every enabled customer-managed KMS key with key material made by KMS rotates it
/// automatically.
///
/// ## What it checks
/// For each region, each KMS key that is customer-managed, `Enabled` and of origin `AWS_KMS`
/// has automatic rotation enabled (`kms:GetKeyRotationStatus`). AWS-managed keys rotate every
/// year on their own, and keys with imported material or in a custom key store cannot rotate
/// automatically, so they are not judged. A region whose keys or rotation status could not be
/// read is reported as not verifiable.
///
/// ## Why it matters
/// Rotation limits how much data one key version protects. ACME's key management standard,
/// like CIS AWS Foundations 3.6, asks for it on every customer-managed symmetric key.
///
/// ## Example
/// Passing: `KeyRotationEnabled: true`. Failing: a key created without `EnableKeyRotation`.
///
/// ## How to fix
/// ```sh
/// aws kms enable-key-rotation --key-id <key-id>
/// ```
///
/// ## References
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html>
#[rule(
    id = "ACME-KMS-002",
    name = "customer-managed-key-rotation",
    level = "warning",
    security_severity = 4.0,
    tags = ["kms", "acme"],
    needs = ["kmsKeys", "keyRotations"]
)]
pub fn customer_managed_key_rotation(
    snapshot: &Snapshot,
    _ctx: &Ctx,
) -> Result<Vec<Finding>, RuleError> {
    let account = &snapshot.account.id;
    let mut findings = Vec::new();
    for region in &snapshot.regions {
        let keys = match (region.kms_keys.verified(), region.key_rotations.verified()) {
            (Ok(keys), Ok(_)) => keys,
            (Err(why), _) | (_, Err(why)) => {
                findings.push(
                    Finding::unverifiable(
                        KEY_ROTATION_NOT_VERIFIED,
                        format!("could not verify key rotation in {}: {why}", region.region),
                    )
                    .account(account)
                    .region(&region.region),
                );
                continue;
            }
        };
        for key in keys.iter().filter(|key| rotates(key)) {
            let resource = Resource::new("AWS::KMS::Key", &key.arn, &key.key_id);
            match snapshot.key_rotation(&key.arn) {
                Some(rotation) if rotation.rotation_enabled => {}
                Some(_) => findings.push(
                    Finding::fail(
                        KEY_ROTATION_DISABLED,
                        format!(
                            "customer-managed key `{}` ({}) does not rotate its key material",
                            name(key),
                            region.region
                        ),
                    )
                    .account(account)
                    .region(&region.region)
                    .resource(resource),
                ),
                // Listed as a key, yet no status: read between a key's creation and its status.
                None => findings.push(
                    Finding::unverifiable(
                        KEY_ROTATION_NOT_VERIFIED,
                        format!(
                            "could not verify the rotation of key `{}` ({}): its status was not read",
                            name(key),
                            region.region
                        ),
                    )
                    .account(account)
                    .region(&region.region)
                    .resource(resource),
                ),
            }
        }
    }
    Ok(findings)
}

/// Whether the key is one whose rotation is ACME's to set: customer-managed, enabled, with
/// key material KMS made.
fn rotates(key: &KmsKey) -> bool {
    key.is_customer_managed() && key.key_state == KeyState::Enabled && key.origin == Origin::AwsKms
}

/// The key as a person knows it: its first alias, else its id.
fn name(key: &KmsKey) -> &str {
    key.aliases
        .first()
        .map_or(key.key_id.as_str(), String::as_str)
}
