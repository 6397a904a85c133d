//! KMS: every key of the region with its manager, state, origin and imported-material expiry,
//! and the aliases that name it; and, when a rule asks, each key's rotation status, policy and
//! tags ([`kms_attached`](super::kms_attached)).
//!
//! AWS-managed keys are kept too: a topic encrypted with `alias/aws/sns` is a finding only if the
//! rules can see that the alias names an AWS-managed key.
//!
//! One task per region fills every KMS section asked for: the per-key sections need the key
//! list and each key's manager, so `ListKeys` and `DescribeKey` are called once for all of
//! them. A failure of those calls is recorded in every section it left incomplete.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use futures_util::future::join_all;
use trailwarden_sdk::sections::{SectionData, SectionName, SectionSet};
use trailwarden_sdk::snapshot::{
    CollectionError, ExpirationModel, KeyManager, KeyState, KmsKey, Origin, Section,
};

use super::calls::{Caller, Op};
use super::kms_attached;

/// `kms:ListKeys`.
pub const LIST_KEYS: Op = Op::new("kms", "ListKeys");
/// `kms:DescribeKey`.
pub const DESCRIBE_KEY: Op = Op::new("kms", "DescribeKey");
/// `kms:ListAliases`.
pub const LIST_ALIASES: Op = Op::new("kms", "ListAliases");

/// A KMS client for one region.
pub fn client(config: &SdkConfig, region: &str) -> aws_sdk_kms::Client {
    let conf = aws_sdk_kms::config::Builder::from(config)
        .region(aws_config::Region::new(region.to_owned()))
        .build();
    aws_sdk_kms::Client::from_conf(conf)
}

/// The KMS sections: the one this module's task fills for all of them.
pub const SECTIONS: [SectionName; 4] = [
    SectionName::KmsKeys,
    SectionName::KeyRotations,
    SectionName::KeyPolicies,
    SectionName::KeyTags,
];

/// Every KMS section of `needs` for the region: `kmsKeys`, `keyRotations`, `keyPolicies`,
/// `keyTags`, each only if needed.
pub async fn collect(
    caller: &Caller,
    config: &SdkConfig,
    region: &str,
    needs: SectionSet,
) -> Vec<SectionData> {
    let client = client(config, region);
    let (keys, listing_errors) = described_keys(
        caller,
        &client,
        region,
        needs.contains(SectionName::KmsKeys),
    )
    .await;
    let customer: Vec<&KmsKey> = keys
        .items
        .iter()
        .filter(|k| k.is_customer_managed())
        .collect();
    let attached = |section: SectionName| needs.contains(section).then_some(&listing_errors);
    let (rotations, policies, tags) = tokio::join!(
        async {
            match attached(SectionName::KeyRotations) {
                Some(errors) => {
                    Some(kms_attached::rotations(caller, &client, region, &customer, errors).await)
                }
                None => None,
            }
        },
        async {
            match attached(SectionName::KeyPolicies) {
                Some(errors) => {
                    Some(kms_attached::policies(caller, &client, region, &keys.items, errors).await)
                }
                None => None,
            }
        },
        async {
            match attached(SectionName::KeyTags) {
                Some(errors) => {
                    Some(kms_attached::tags(caller, &client, region, &customer, errors).await)
                }
                None => None,
            }
        },
    );
    let mut parts = Vec::new();
    if needs.contains(SectionName::KmsKeys) {
        parts.push(SectionData::KmsKeys(keys));
    }
    parts.extend(rotations.map(SectionData::KeyRotations));
    parts.extend(policies.map(SectionData::KeyPolicies));
    parts.extend(tags.map(SectionData::KeyTags));
    parts
}

/// Every key of the region, described, with its aliases when `with_aliases`; and the failures
/// of listing and describing, which leave the per-key sections incomplete too.
async fn described_keys(
    caller: &Caller,
    client: &aws_sdk_kms::Client,
    region: &str,
    with_aliases: bool,
) -> (Section<KmsKey>, Vec<CollectionError>) {
    let (ids, aliases) = tokio::join!(key_ids(caller, client, region), async {
        if with_aliases {
            aliases(caller, client, region).await
        } else {
            (BTreeMap::new(), None)
        }
    });
    let mut section = Section::of(Vec::new());
    let mut listing_errors = Vec::new();
    let (ids, error) = ids;
    listing_errors.extend(error.clone());
    section.errors.extend(error);
    let (mut aliases, error) = aliases;
    section.errors.extend(error);
    let described = join_all(ids.iter().map(|id| describe(caller, client, region, id))).await;
    for key in described {
        match key {
            Ok(Some(mut key)) => {
                key.aliases = aliases.remove(&key.key_id).unwrap_or_default();
                section.items.push(key);
            }
            Ok(None) => {}
            Err(error) => {
                listing_errors.push(error.clone());
                section.errors.push(error);
            }
        }
    }
    (section, listing_errors)
}

async fn key_ids(
    caller: &Caller,
    client: &aws_sdk_kms::Client,
    region: &str,
) -> (Vec<String>, Option<CollectionError>) {
    let mut ids = Vec::new();
    let error = caller
        .walk(
            LIST_KEYS,
            Some(region),
            |marker| client.list_keys().limit(1000).set_marker(marker).send(),
            |page| {
                ids.extend(
                    page.keys()
                        .iter()
                        .filter_map(|key| key.key_id().map(str::to_owned)),
                );
                page.next_marker().map(str::to_owned)
            },
        )
        .await;
    (ids, error)
}

/// Alias names by the key id they point at.
async fn aliases(
    caller: &Caller,
    client: &aws_sdk_kms::Client,
    region: &str,
) -> (BTreeMap<String, Vec<String>>, Option<CollectionError>) {
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let error = caller
        .walk(
            LIST_ALIASES,
            Some(region),
            |marker| client.list_aliases().limit(100).set_marker(marker).send(),
            |page| {
                for alias in page.aliases() {
                    if let (Some(name), Some(key)) = (alias.alias_name(), alias.target_key_id()) {
                        by_key
                            .entry(key.to_owned())
                            .or_default()
                            .push(name.to_owned());
                    }
                }
                page.next_marker().map(str::to_owned)
            },
        )
        .await;
    for names in by_key.values_mut() {
        names.sort();
    }
    (by_key, error)
}

async fn describe(
    caller: &Caller,
    client: &aws_sdk_kms::Client,
    region: &str,
    key_id: &str,
) -> Result<Option<KmsKey>, CollectionError> {
    let output = caller
        .call(DESCRIBE_KEY, Some(region), || {
            client.describe_key().key_id(key_id).send()
        })
        .await?;
    let Some(meta) = output.key_metadata() else {
        return Ok(None);
    };
    Ok(Some(KmsKey {
        key_id: meta.key_id().to_owned(),
        arn: meta.arn().unwrap_or_default().to_owned(),
        key_manager: meta
            .key_manager()
            .map_or(KeyManager::Customer, |m| KeyManager::from(m.as_str())),
        key_state: KeyState::from(meta.key_state().map_or("", |s| s.as_str())),
        origin: meta
            .origin()
            .map_or(Origin::AwsKms, |o| Origin::from(o.as_str())),
        expiration_model: meta
            .expiration_model()
            .map(|m| ExpirationModel::from(m.as_str())),
        valid_to: meta.valid_to().map(super::rfc3339),
        aliases: Vec::new(),
    }))
}
