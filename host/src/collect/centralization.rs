//! The organization's CloudWatch Logs centralization rules, read in an `--org` run from the
//! management account (or a delegated administrator), where the API answers.
//!
//! `ListCentralizationRulesForOrganization` with `AllRegions` lists the rules of every region,
//! each with its `RuleHealth`, `FailureReason`, `CreatedRegion` and destination; the source
//! (regions, scope, log group selection, encrypted-group strategy) comes from
//! `GetCentralizationRuleForOrganization`, asked in the region the rule was created in. The
//! latter "can only be called by the organization's management account or a delegated
//! administrator account"
//! (<https://docs.aws.amazon.com/cloudwatch/latest/observabilityadmin/API_GetCentralizationRuleForOrganization.html>),
//! and so is the listing read, from the identity that lists the organization.
//! A refusal is recorded with the permission to add (the run is then incomplete): without the
//! rules, a member whose events are centralized would be judged without its central chain.
//! What the chain makes of a rule is in `trailwarden_sdk::snapshot::centralization`.

use aws_config::SdkConfig;
use aws_sdk_observabilityadmin::config::Region;
use trailwarden_sdk::snapshot::Section;
use trailwarden_sdk::snapshot::centralization::{
    CentralizationDestination, CentralizationRule, CentralizationSource,
};

use super::calls::{Caller, Op};

/// `observabilityadmin:ListCentralizationRulesForOrganization`.
pub const LIST_CENTRALIZATION_RULES: Op = Op::new(
    "observabilityadmin",
    "ListCentralizationRulesForOrganization",
);
/// `observabilityadmin:GetCentralizationRuleForOrganization`.
pub const GET_CENTRALIZATION_RULE: Op =
    Op::new("observabilityadmin", "GetCentralizationRuleForOrganization");

/// Every centralization rule of the organization, or the calls that failed.
pub async fn collect(caller: &Caller, config: &SdkConfig) -> Section<CentralizationRule> {
    let client = aws_sdk_observabilityadmin::Client::new(config);
    let home = super::aws::home_region(config);
    let mut summaries = Vec::new();
    let failed = caller
        .walk(
            LIST_CENTRALIZATION_RULES,
            Some(&home),
            |token| {
                client
                    .list_centralization_rules_for_organization()
                    .all_regions(true)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                summaries.extend(page.centralization_rule_summaries().iter().cloned());
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    let mut section = Section::of(Vec::new());
    if let Some(error) = failed {
        section.errors.push(error);
        return section;
    }
    for summary in summaries {
        let Some(name) = summary.rule_name().or(summary.rule_arn()) else {
            continue;
        };
        let region = summary.created_region().unwrap_or(&home).to_owned();
        let regional = aws_sdk_observabilityadmin::Client::from_conf(
            aws_sdk_observabilityadmin::config::Builder::from(config)
                .region(Region::new(region.clone()))
                .build(),
        );
        let got = caller
            .call(GET_CENTRALIZATION_RULE, Some(&region), || {
                regional
                    .get_centralization_rule_for_organization()
                    .rule_identifier(summary.rule_arn().unwrap_or(name))
                    .send()
            })
            .await;
        let got = match got {
            Ok(got) => got,
            Err(error) => {
                section.errors.push(error);
                continue;
            }
        };
        let rule = got.centralization_rule();
        let source = rule.and_then(|r| r.source());
        let logs = source.and_then(|s| s.source_logs_configuration());
        let destination = rule.and_then(|r| r.destination());
        section.items.push(CentralizationRule {
            rule_name: got.rule_name().unwrap_or(name).to_owned(),
            rule_arn: got.rule_arn().or(summary.rule_arn()).map(str::to_owned),
            creator_account_id: got
                .creator_account_id()
                .or(summary.creator_account_id())
                .map(str::to_owned),
            rule_health: got
                .rule_health()
                .or(summary.rule_health())
                .map(|h| h.as_str().to_owned()),
            failure_reason: got
                .failure_reason()
                .or(summary.failure_reason())
                .map(|r| r.as_str().to_owned()),
            source: CentralizationSource {
                regions: source.map(|s| s.regions().to_vec()).unwrap_or_default(),
                scope: source.and_then(|s| s.scope()).map(str::to_owned),
                log_group_selection_criteria: logs
                    .map(|l| l.log_group_selection_criteria().to_owned()),
                encrypted_log_group_strategy: logs
                    .map(|l| l.encrypted_log_group_strategy().as_str().to_owned()),
            },
            destination: CentralizationDestination {
                account: destination
                    .and_then(|d| d.account())
                    .or(summary.destination_account_id())
                    .map(str::to_owned),
                region: destination
                    .map(|d| d.region().to_owned())
                    .or(summary.destination_region().map(str::to_owned))
                    .unwrap_or_default(),
                log_group_name_pattern: destination
                    .and_then(|d| d.destination_logs_configuration())
                    .and_then(|l| l.log_group_name_configuration())
                    .map(|n| n.log_group_name_pattern().to_owned()),
            },
        });
    }
    section
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::replay;

    fn caller() -> Caller {
        Caller::new(4, crate::collect::progress::Progress::hidden())
    }

    /// The response shapes of the API reference (ListCentralizationRulesForOrganization,
    /// GetCentralizationRuleForOrganization), as the management account receives them.
    #[tokio::test]
    async fn rules_are_read_with_their_source_and_destination() {
        let (config, client) = replay::config(&[
            (
                200,
                r#"{"CentralizationRuleSummaries": [{
                    "RuleName": "central-logs",
                    "RuleArn": "arn:aws:observabilityadmin:us-east-1:444455556666:organization-centralization-rule/central-logs",
                    "CreatorAccountId": "444455556666", "CreatedRegion": "us-east-1",
                    "CreatedTimeStamp": 1735689600000, "LastUpdateTimeStamp": 1735689600000,
                    "RuleHealth": "Healthy", "DestinationAccountId": "444455556666",
                    "DestinationRegion": "us-east-1"}]}"#,
            ),
            (
                200,
                r#"{"RuleName": "central-logs",
                    "RuleArn": "arn:aws:observabilityadmin:us-east-1:444455556666:organization-centralization-rule/central-logs",
                    "CreatorAccountId": "444455556666", "CreatedRegion": "us-east-1",
                    "CreatedTimeStamp": 1735689600000, "LastUpdateTimeStamp": 1735689600000,
                    "RuleHealth": "Unhealthy", "FailureReason": "TRUSTED_ACCESS_NOT_ENABLED",
                    "CentralizationRule": {
                      "Source": {"Regions": ["us-east-1", "eu-west-1"],
                                 "Scope": "OrganizationId = 'o-exampleorgid'",
                                 "SourceLogsConfiguration": {
                                   "LogGroupSelectionCriteria": "LogGroupName LIKE 'aws-cloudtrail%'",
                                   "EncryptedLogGroupStrategy": "SKIP"}},
                      "Destination": {"Region": "us-east-1", "Account": "444455556666",
                                      "DestinationLogsConfiguration": {
                                        "LogGroupNameConfiguration": {
                                          "LogGroupNamePattern": "central/${source.logGroup}"}}}}}"#,
            ),
        ]);
        let section = collect(&caller(), &config).await;
        assert!(section.errors.is_empty(), "{:?}", section.errors);
        let rule = &section.items[0];
        assert_eq!(rule.rule_name, "central-logs");
        assert_eq!(rule.rule_health.as_deref(), Some("Unhealthy"));
        assert_eq!(
            rule.failure_reason.as_deref(),
            Some("TRUSTED_ACCESS_NOT_ENABLED")
        );
        assert_eq!(rule.source.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(
            rule.source.scope.as_deref(),
            Some("OrganizationId = 'o-exampleorgid'")
        );
        assert_eq!(
            rule.source.log_group_selection_criteria.as_deref(),
            Some("LogGroupName LIKE 'aws-cloudtrail%'")
        );
        assert_eq!(
            rule.source.encrypted_log_group_strategy.as_deref(),
            Some("SKIP")
        );
        assert_eq!(rule.destination.account.as_deref(), Some("444455556666"));
        assert_eq!(rule.destination.region, "us-east-1");
        assert_eq!(
            rule.destination.log_group_name_pattern.as_deref(),
            Some("central/${source.logGroup}")
        );
        // All regions were asked for.
        let requests = client.actual_requests().collect::<Vec<_>>();
        let first = std::str::from_utf8(requests[0].body().bytes().expect("body")).expect("utf8");
        assert!(first.contains("\"AllRegions\":true"), "{first}");
    }

    #[tokio::test]
    async fn a_refusal_is_recorded_with_the_operation() {
        let (config, _client) = replay::config(&[(
            400,
            r#"{"__type": "AccessDeniedException", "Message": "not authorized"}"#,
        )]);
        let section = collect(&caller(), &config).await;
        assert!(section.items.is_empty());
        let error = &section.errors[0];
        assert_eq!(error.operation, "ListCentralizationRulesForOrganization");
        assert!(error.code.starts_with("AccessDenied"), "{error:?}");
    }
}
