//! Chains through CloudWatch Logs centralization, on hand-built organizations: a member's trail
//! delivers to its own log group, a centralization rule copies that group into a logging
//! account, and the logging account's filters, alarms and topics count the member's events.

use serde_json::{Value, json};

use super::*;
use crate::chain::{Analysis, analyse, reason, requirements};
use crate::finding::Outcome;
use crate::snapshot::centralization::{CentralizationDestination, CentralizationSource};

const LOGGING: &str = "444455556666";
const MEMBER: &str = "222233334444";
const ORG: &str = "o-exampleorgid";

/// The compliant fixture moved into account `id`.
fn compliant_as(id: &str) -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/snapshots/kms-chain-compliant.json"
    ))
    .expect("fixture")
    .replace("111122223333", id);
    let mut value: Value = serde_json::from_str(&text).expect("json");
    value["account"]["organizationId"] = json!(ORG);
    value
}

/// The logging account: the whole chain on its log group `GROUP` (us-east-1), no trail.
fn logging() -> Value {
    let mut value = compliant_as(LOGGING);
    for region in value["regions"].as_array_mut().expect("regions") {
        region["trails"] = json!({"items": []});
    }
    value
}

/// A member whose own trail delivers to its own log group `GROUP`, which has no filter.
fn member() -> Value {
    let mut value = compliant_as(MEMBER);
    for region in value["regions"].as_array_mut().expect("regions") {
        for section in ["metricFilters", "metricAlarms", "topics"] {
            region[section] = json!({"items": []});
        }
    }
    value
}

fn rule() -> CentralizationRule {
    CentralizationRule {
        rule_name: "central-logs".to_owned(),
        rule_arn: Some(format!(
            "arn:aws:observabilityadmin:us-east-1:{LOGGING}:organization-centralization-rule/central-logs"
        )),
        creator_account_id: Some(LOGGING.to_owned()),
        rule_health: Some("Healthy".to_owned()),
        failure_reason: None,
        source: CentralizationSource {
            regions: vec!["us-east-1".to_owned(), "eu-west-1".to_owned()],
            scope: Some(format!("OrganizationId = '{ORG}'")),
            log_group_selection_criteria: Some("LogGroupName LIKE 'aws-cloudtrail-%'".to_owned()),
            encrypted_log_group_strategy: Some("SKIP".to_owned()),
        },
        destination: CentralizationDestination {
            account: Some(LOGGING.to_owned()),
            region: "us-east-1".to_owned(),
            log_group_name_pattern: None,
        },
    }
}

fn organization(accounts: Vec<Value>, rules: Vec<CentralizationRule>) -> OrganizationSnapshot {
    OrganizationSnapshot {
        schema_version: ORGANIZATION_SCHEMA_VERSION,
        generator: Generator::default(),
        organization: Some(Organization {
            id: ORG.to_owned(),
            management_account_id: None,
        }),
        shard: None,
        accounts: accounts
            .into_iter()
            .map(|v| serde_json::from_value(v).expect("snapshot"))
            .collect(),
        failures: Vec::new(),
        centralization_rules: Section::of(rules),
    }
}

fn key_changes(org: &OrganizationSnapshot) -> Analysis {
    let index = org
        .accounts
        .iter()
        .position(|a| a.account.id == MEMBER)
        .expect("member present");
    let evaluated = org.evaluation_snapshot(index).expect("index");
    analyse(&evaluated, &requirements::kms_key_changes(MEMBER))
}

#[test]
fn a_centralized_copy_carries_the_members_chain_into_the_logging_account() {
    let org = organization(vec![logging(), member()], vec![rule()]);
    let evaluated = org.evaluation_snapshot(1).expect("member");
    assert_eq!(evaluated.account.id, MEMBER);
    assert!(
        evaluated
            .linked_accounts
            .iter()
            .any(|l| l.account.id == LOGGING),
        "the destination account is linked"
    );
    let analysis = key_changes(&org);
    assert!(analysis.findings().is_empty(), "{:#?}", analysis.findings());
    let path = &analysis.regions[0].events[0].paths[0];
    assert!(path.log_group.arn.contains(LOGGING), "{path:?}");
    assert!(path.filter.arn.contains(LOGGING), "{path:?}");
    // Without the rule, the member's own group has no filter: the same chain fails.
    let without = organization(vec![logging(), member()], Vec::new());
    let findings = key_changes(&without).findings();
    assert!(
        findings
            .iter()
            .any(|f| f.reason == reason::NO_METRIC_FILTER),
        "{findings:#?}"
    );
}

#[test]
fn field_selection_is_judged_against_the_source_account() {
    let mut logging = logging();
    for filter in logging["regions"][0]["metricFilters"]["items"]
        .as_array_mut()
        .expect("filters")
    {
        filter["fieldSelectionCriteria"] = json!("@aws.account IN [\"999999999999\"]");
    }
    let org = organization(vec![logging.clone(), member()], vec![rule()]);
    let findings = key_changes(&org).findings();
    assert!(!findings.is_empty(), "excluded by the destination filter");
    for finding in &findings {
        assert_eq!(finding.outcome, Outcome::Fail, "{finding:?}");
        assert_eq!(
            finding.reason,
            reason::FILTER_SELECTION_EXCLUDES,
            "{finding:?}"
        );
        assert!(finding.message.contains(MEMBER), "{}", finding.message);
        let resource = finding.resource.as_ref().expect("filter");
        assert!(
            resource.arn.contains(LOGGING),
            "names the destination filter: {resource:?}"
        );
    }
    // Criteria that admit the member's account pass.
    for filter in logging["regions"][0]["metricFilters"]["items"]
        .as_array_mut()
        .expect("filters")
    {
        filter["fieldSelectionCriteria"] = json!(format!("@aws.account = \"{MEMBER}\""));
    }
    let org = organization(vec![logging, member()], vec![rule()]);
    assert!(key_changes(&org).findings().is_empty());
}

#[test]
fn a_rule_that_skips_encrypted_groups_does_not_copy_a_cmk_group() {
    let mut member = member();
    member["regions"][0]["logGroups"]["items"][0]["kmsKeyId"] = json!(format!(
        "arn:aws:kms:us-east-1:{MEMBER}:key/1b2c3d4e-0000-4000-8000-000000000000"
    ));
    let org = organization(vec![logging(), member.clone()], vec![rule()]);
    let analysis = key_changes(&org);
    assert!(!analysis.findings().is_empty(), "not copied, not covered");
    let skipped = analysis.regions[0].events[0]
        .traces
        .iter()
        .filter_map(|t| t.stop.as_ref())
        .any(|stop| stop.reason == reason::CENTRALIZATION_SKIPS_ENCRYPTED);
    assert!(skipped, "the skip is traced");
    // ALLOW copies it.
    let mut allow = rule();
    allow.source.encrypted_log_group_strategy = Some("ALLOW".to_owned());
    let org = organization(vec![logging(), member], vec![allow]);
    assert!(key_changes(&org).findings().is_empty());
}

#[test]
fn an_unhealthy_rule_copies_nothing() {
    let mut sick = rule();
    sick.rule_health = Some("Unhealthy".to_owned());
    sick.failure_reason = Some("TRUSTED_ACCESS_NOT_ENABLED".to_owned());
    let org = organization(vec![logging(), member()], vec![sick]);
    let analysis = key_changes(&org);
    assert!(
        analysis
            .findings()
            .iter()
            .all(|f| f.outcome == Outcome::Fail),
        "{:#?}",
        analysis.findings()
    );
    assert!(
        analysis.regions[0].events[0]
            .traces
            .iter()
            .filter_map(|t| t.stop.as_ref())
            .any(|s| s.reason == reason::CENTRALIZATION_RULE_UNHEALTHY
                && s.message.contains("TRUSTED_ACCESS_NOT_ENABLED"))
    );
}

#[test]
fn a_destination_outside_the_run_could_not_be_verified() {
    let org = organization(vec![member()], vec![rule()]);
    let findings = key_changes(&org).findings();
    assert!(!findings.is_empty());
    for finding in &findings {
        assert_eq!(finding.outcome, Outcome::Unverifiable, "{finding:?}");
        assert_eq!(finding.reason, reason::CENTRALIZED_ACCOUNT_NOT_COLLECTED);
        assert!(
            finding
                .message
                .contains(&format!("the chain continues in account {LOGGING}")),
            "{}",
            finding.message
        );
        assert!(
            finding
                .message
                .contains(&format!("--accounts {LOGGING},{MEMBER}")),
            "{}",
            finding.message
        );
    }
}

#[test]
fn a_members_own_filters_still_count_beside_the_rule() {
    // The member keeps its own complete chain; the logging account's group lacks filters.
    let mut logging = logging();
    logging["regions"][0]["metricFilters"] = json!({"items": []});
    let org = organization(vec![logging, compliant_as(MEMBER)], vec![rule()]);
    let analysis = key_changes(&org);
    assert!(analysis.findings().is_empty(), "{:#?}", analysis.findings());
}

#[test]
fn organization_files_without_rules_read_and_write_as_before() {
    let org = organization(vec![member()], Vec::new());
    let mut without = org.clone();
    without.centralization_rules = Section::not_collected();
    let text = serde_json::to_string(&without).expect("json");
    assert!(!text.contains("centralizationRules"));
    let read = SnapshotDocument::from_json(&text)
        .expect("reads")
        .into_organization();
    assert!(read.centralization_rules.is_not_collected());
    let with = serde_json::to_string(&org).expect("json");
    let again: OrganizationSnapshot = serde_json::from_str(&with).expect("reads");
    assert_eq!(again.centralization_rules, org.centralization_rules);
    // An account's evaluation without rules writes no key a pack would not know.
    let evaluated = without.evaluation_snapshot(0).expect("member");
    let view =
        serde_json::to_string(&evaluated.view(crate::snapshot::SectionSet::all())).expect("json");
    assert!(!view.contains("centralizationRules"));
}

#[test]
fn the_destination_accounts_own_group_is_not_its_own_copy() {
    let own = compliant_as(LOGGING);
    let paths = |rules: Vec<CentralizationRule>| {
        let org = organization(vec![own.clone(), member()], rules);
        let evaluated = org.evaluation_snapshot(0).expect("logging");
        assert_eq!(evaluated.account.id, LOGGING);
        analyse(&evaluated, &requirements::kms_key_changes(LOGGING)).regions[0].events[0]
            .paths
            .len()
    };
    assert_eq!(paths(vec![rule()]), paths(Vec::new()));
    assert!(paths(Vec::new()) > 0);
}
