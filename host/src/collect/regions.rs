//! Which regions to collect: the ones enabled for the account, found at run time with
//! `account:ListRegions`, or the user's `--regions`.
//!
//! A hard-coded list goes stale when AWS opens a region and is wrong for every account that
//! opted into one. `ListRegions` is small to build and answers per account (`ENABLED` opt-in
//! regions plus `ENABLED_BY_DEFAULT` ones); EC2's `DescribeRegions` would need the enormous EC2
//! SDK for one call.

use aws_config::SdkConfig;
use aws_sdk_account::types::RegionOptStatus;
use trailwarden_sdk::snapshot::CollectionError;

use super::calls::{Caller, Op};

/// `account:ListRegions`.
pub const LIST_REGIONS: Op = Op::new("account", "ListRegions");

/// The regions enabled for the account, sorted; or the call's failure.
pub async fn enabled(caller: &Caller, config: &SdkConfig) -> Result<Vec<String>, CollectionError> {
    let client = aws_sdk_account::Client::new(config);
    let mut regions = Vec::new();
    let error = caller
        .walk(
            LIST_REGIONS,
            None,
            |token| {
                client
                    .list_regions()
                    .region_opt_status_contains(RegionOptStatus::Enabled)
                    .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
                    .max_results(50)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                regions.extend(
                    page.regions()
                        .iter()
                        .filter(|region| {
                            matches!(
                                region.region_opt_status(),
                                None | Some(
                                    RegionOptStatus::Enabled | RegionOptStatus::EnabledByDefault
                                )
                            )
                        })
                        .filter_map(|region| region.region_name().map(str::to_owned)),
                );
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    if let Some(error) = error {
        return Err(error);
    }
    regions.sort();
    regions.dedup();
    Ok(regions)
}

/// `--regions` as given, trimmed, sorted and without repeats; empty entries are dropped.
pub fn from_flag(regions: &[String]) -> Vec<String> {
    let mut regions: Vec<String> = regions
        .iter()
        .map(|region| region.trim().to_owned())
        .filter(|region| !region.is_empty())
        .collect();
    regions.sort();
    regions.dedup();
    regions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_normalised() {
        let given = ["eu-west-1 ", "", "us-east-1", "eu-west-1"].map(String::from);
        assert_eq!(from_flag(&given), vec!["eu-west-1", "us-east-1"]);
    }
}

#[cfg(test)]
mod replayed {
    use super::*;
    use crate::collect::progress::Progress;
    use crate::collect::replay;

    #[tokio::test]
    async fn enabled_regions_are_read_to_the_last_page() {
        let (config, client) = replay::config(&[
            (
                200,
                r#"{"Regions": [{"RegionName": "us-east-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"},
                                {"RegionName": "eu-south-2", "RegionOptStatus": "ENABLED"}],
                    "NextToken": "page2"}"#,
            ),
            (
                200,
                r#"{"Regions": [{"RegionName": "ap-east-1", "RegionOptStatus": "DISABLING"},
                                {"RegionName": "eu-west-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"}]}"#,
            ),
        ]);
        let caller = Caller::new(4, Progress::hidden());
        let regions = enabled(&caller, &config).await.expect("regions");
        assert_eq!(regions, ["eu-south-2", "eu-west-1", "us-east-1"]);
        let sent = replay::sent_bodies(&client);
        assert_eq!(sent.len(), 2);
        assert_eq!(
            sent[0]["RegionOptStatusContains"],
            serde_json::json!(["ENABLED", "ENABLED_BY_DEFAULT"])
        );
        assert_eq!(sent[1]["NextToken"], "page2");
        assert_eq!(caller.stats().calls(), 2);
    }

    #[tokio::test]
    async fn a_refused_listing_is_an_error_naming_the_call() {
        let (config, _client) = replay::config(&[(
            403,
            r#"{"__type": "AccessDeniedException", "message": "not authorized to perform account:ListRegions"}"#,
        )]);
        let caller = Caller::new(4, Progress::hidden());
        let error = enabled(&caller, &config).await.expect_err("denied");
        assert_eq!(error.service, "account");
        assert_eq!(error.operation, "ListRegions");
        assert_eq!(error.code, "AccessDeniedException");
        assert!(error.message.contains("account:ListRegions"), "{error}");
        assert_eq!(caller.stats().failed(), 1);
    }
}
