//! KMS configuration read one call per key, each in its own section and only when a rule
//! declares it: rotation status (`keyRotations`), key policy (`keyPolicies`) and tags
//! (`keyTags`).
//!
//! Which keys are asked about follows what AWS allows and what the answer can say:
//! rotation and tags only for customer-managed keys (AWS rotates AWS-managed keys every year
//! and `GetKeyRotationStatus` always answers `true` for them; AWS-managed keys cannot be
//! tagged), policies for every key. A call that fails for one key (access denied by that key's
//! policy, say) is recorded in the section's errors and the other keys are still read.

use std::collections::BTreeMap;

use futures_util::future::join_all;
use trailwarden_sdk::snapshot::{
    CollectionError, KeyPolicy, KeyRotation, KeyTags, KmsKey, Section,
};

use super::calls::{Caller, Op};

/// `kms:GetKeyRotationStatus`.
pub const GET_KEY_ROTATION_STATUS: Op = Op::new("kms", "GetKeyRotationStatus");
/// `kms:GetKeyPolicy`.
pub const GET_KEY_POLICY: Op = Op::new("kms", "GetKeyPolicy");
/// `kms:ListResourceTags`.
pub const LIST_RESOURCE_TAGS: Op = Op::new("kms", "ListResourceTags");

/// The only name a key policy has.
const POLICY_NAME: &str = "default";

/// A section of one item per key, started with the failures of listing and describing the
/// keys (which leave it incomplete too), then each key's answer or failure.
fn per_key<T>(
    listing_errors: &[CollectionError],
    answers: Vec<Result<T, CollectionError>>,
) -> Section<T> {
    let mut section = Section::of(Vec::new());
    section.errors.extend_from_slice(listing_errors);
    for answer in answers {
        match answer {
            Ok(item) => section.items.push(item),
            Err(error) => section.errors.push(error),
        }
    }
    section
}

/// `GetKeyRotationStatus` of each of `keys` (the customer-managed ones).
pub async fn rotations(
    caller: &Caller,
    client: &aws_sdk_kms::Client,
    region: &str,
    keys: &[&KmsKey],
    listing_errors: &[CollectionError],
) -> Section<KeyRotation> {
    let answers = join_all(keys.iter().map(|key| async move {
        let output = caller
            .call(GET_KEY_ROTATION_STATUS, Some(region), || {
                client.get_key_rotation_status().key_id(&key.arn).send()
            })
            .await?;
        Ok(KeyRotation {
            key_arn: key.arn.clone(),
            rotation_enabled: output.key_rotation_enabled(),
            rotation_period_in_days: output
                .rotation_period_in_days()
                .and_then(|days| u32::try_from(days).ok()),
        })
    }))
    .await;
    per_key(listing_errors, answers)
}

/// `GetKeyPolicy` (policy `default`) of each of `keys` (every key).
pub async fn policies(
    caller: &Caller,
    client: &aws_sdk_kms::Client,
    region: &str,
    keys: &[KmsKey],
    listing_errors: &[CollectionError],
) -> Section<KeyPolicy> {
    let answers = join_all(keys.iter().map(|key| async move {
        let output = caller
            .call(GET_KEY_POLICY, Some(region), || {
                client
                    .get_key_policy()
                    .key_id(&key.arn)
                    .policy_name(POLICY_NAME)
                    .send()
            })
            .await?;
        Ok(KeyPolicy {
            key_arn: key.arn.clone(),
            policy: output.policy().unwrap_or_default().to_owned(),
        })
    }))
    .await;
    per_key(listing_errors, answers)
}

/// `ListResourceTags` of each of `keys` (the customer-managed ones), every page.
pub async fn tags(
    caller: &Caller,
    client: &aws_sdk_kms::Client,
    region: &str,
    keys: &[&KmsKey],
    listing_errors: &[CollectionError],
) -> Section<KeyTags> {
    let answers = join_all(keys.iter().map(|key| async move {
        let mut tags = BTreeMap::new();
        let error = caller
            .walk(
                LIST_RESOURCE_TAGS,
                Some(region),
                |marker| {
                    client
                        .list_resource_tags()
                        .key_id(&key.arn)
                        .limit(50)
                        .set_marker(marker)
                        .send()
                },
                |page| {
                    for tag in page.tags() {
                        tags.insert(tag.tag_key().to_owned(), tag.tag_value().to_owned());
                    }
                    page.next_marker().map(str::to_owned)
                },
            )
            .await;
        match error {
            Some(error) => Err(error),
            None => Ok(KeyTags {
                key_arn: key.arn.clone(),
                tags,
            }),
        }
    }))
    .await;
    per_key(listing_errors, answers)
}
