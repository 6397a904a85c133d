//! Which AWS Organization an account belongs to, so that an organization trail is credited to
//! the accounts it records however they were collected: one account, a list (`--accounts`), or
//! a directory of snapshots made separately.
//!
//! An organization trail counts for a member only when both accounts name the same organization
//! ([`trailwarden_sdk::Snapshot::organization_trails_from_linked`]). `--org` learns the id from
//! the management account's listing; every other run asks each account itself.
//! `organizations:DescribeOrganization` "can be called from any account in the organization"
//! and answers `AWSOrganizationsNotInUseException` for an account in none
//! (<https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html>).
//!
//! It is asked only when the account lists an organization trail: AWS shows the organization
//! trail to every member ("member accounts can see the organization trail",
//! <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html>),
//! and without one the id changes no verdict. So an account without an organization trail
//! needs no new permission, and a refusal is recorded (the run is incomplete, with the
//! permission to add) only where it would change the verdicts.

use aws_config::SdkConfig;
use trailwarden_sdk::snapshot::{CollectionError, RegionSnapshot};

use super::calls::Caller;
use super::org::DESCRIBE_ORGANIZATION;

/// Whether any region lists an organization trail, own or another account's.
pub fn lists_organization_trail(regions: &[RegionSnapshot]) -> bool {
    regions
        .iter()
        .flat_map(|region| &region.trails.items)
        .any(|trail| trail.is_organization_trail)
}

/// The organization id of the account `config` reaches: `Ok(None)` when it belongs to none.
pub async fn organization_id(
    caller: &Caller,
    config: &SdkConfig,
) -> Result<Option<String>, CollectionError> {
    let client = aws_sdk_organizations::Client::new(config);
    let home = super::aws::home_region(config);
    match caller
        .call(DESCRIBE_ORGANIZATION, Some(&home), || {
            client.describe_organization().send()
        })
        .await
    {
        Ok(described) => Ok(described
            .organization()
            .and_then(|organization| organization.id())
            .filter(|id| !id.is_empty())
            .map(str::to_owned)),
        Err(error) if error.code == "AWSOrganizationsNotInUseException" => Ok(None),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::replay;

    fn caller() -> Caller {
        Caller::new(4, crate::collect::progress::Progress::hidden())
    }

    #[tokio::test]
    async fn a_member_learns_its_organization() {
        // The documented response shape, as a member account receives it.
        let (config, _client) = replay::config(&[(
            200,
            r#"{"Organization": {"Id": "o-exampleorgid", "Arn":
                "arn:aws:organizations::111111111111:organization/o-exampleorgid",
                "FeatureSet": "ALL", "MasterAccountId": "111111111111"}}"#,
        )]);
        let id = organization_id(&caller(), &config).await.expect("answered");
        assert_eq!(id.as_deref(), Some("o-exampleorgid"));
    }

    #[tokio::test]
    async fn an_account_in_no_organization_is_not_an_error() {
        let (config, _client) = replay::config(&[(
            400,
            r#"{"__type": "AWSOrganizationsNotInUseException",
                "Message": "Your account is not a member of an organization."}"#,
        )]);
        assert_eq!(
            organization_id(&caller(), &config).await.expect("no org"),
            None
        );
    }

    #[tokio::test]
    async fn a_refusal_is_returned_for_the_record() {
        let (config, _client) = replay::config(&[(
            400,
            r#"{"__type": "AccessDeniedException", "Message": "not authorized"}"#,
        )]);
        let error = organization_id(&caller(), &config)
            .await
            .expect_err("refused");
        assert_eq!(error.operation, "DescribeOrganization");
        assert!(error.code.starts_with("AccessDenied"), "{error:?}");
    }
}
