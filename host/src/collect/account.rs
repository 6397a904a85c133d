//! Who we are: the account id and partition, from `sts:GetCallerIdentity`.
//!
//! This is the one call whose failure stops the collection: without an account id there is no
//! snapshot to write, and a failure here almost always means the credentials themselves are
//! missing, expired or for the wrong endpoint, which every later call would repeat.

use aws_config::SdkConfig;
use trailwarden_sdk::snapshot::Account;

use super::CollectError;
use super::calls::{Caller, Op};

/// `sts:GetCallerIdentity` (needs no permission).
pub const GET_CALLER_IDENTITY: Op = Op::new("sts", "GetCallerIdentity");

/// The account the credentials belong to, with the partition taken from the caller's ARN.
pub async fn identify(caller: &Caller, config: &SdkConfig) -> Result<Account, CollectError> {
    let client = aws_sdk_sts::Client::new(config);
    let region = super::aws::home_region(config);
    let identity = caller
        .call(GET_CALLER_IDENTITY, Some(&region), || {
            client.get_caller_identity().send()
        })
        .await
        .map_err(CollectError::Identity)?;
    let id = identity
        .account()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| CollectError::Identity(missing("the response names no account")))?
        .to_owned();
    let partition = identity
        .arn()
        .and_then(|arn| arn.split(':').nth(1))
        .filter(|partition| !partition.is_empty())
        .unwrap_or("aws")
        .to_owned();
    Ok(Account {
        id,
        partition,
        organization_id: None,
        alias: None,
    })
}

fn missing(message: &str) -> trailwarden_sdk::snapshot::CollectionError {
    trailwarden_sdk::snapshot::CollectionError {
        service: GET_CALLER_IDENTITY.service.to_owned(),
        operation: GET_CALLER_IDENTITY.operation.to_owned(),
        region: None,
        code: "InvalidResponse".to_owned(),
        message: message.to_owned(),
    }
}
