//! Chains across accounts, on hand-built organizations: the Control Tower shape (an
//! organization trail and the whole chain in the management account, members without trails).

use serde_json::{Value, json};

use super::*;
use crate::chain::{Analysis, analyse, reason, requirements};
use crate::finding::Outcome;

const MANAGEMENT: &str = "111122223333";
const MEMBER_A: &str = "222233334444";
const MEMBER_B: &str = "333344445555";
const ORG: &str = "o-exampleorgid";

/// The compliant fixture as the management account: its trail made an organization trail.
fn management() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/snapshots/kms-chain-compliant.json"
    ))
    .expect("fixture");
    let mut value: Value = serde_json::from_str(&text).expect("json");
    value["account"]["organizationId"] = json!(ORG);
    for region in value["regions"].as_array_mut().expect("regions") {
        for trail in region["trails"]["items"].as_array_mut().expect("trails") {
            trail["isOrganizationTrail"] = json!(true);
        }
    }
    value
}

/// A member with no trail of its own, in the management account's regions (what moto shows,
/// and what AWS shows a member that cannot read the organization trail).
fn member(id: &str) -> Value {
    let region = |name: &str| {
        json!({"region": name, "trails": {"items": []}, "logGroups": {"items": []},
               "metricFilters": {"items": []}, "metricAlarms": {"items": []},
               "topics": {"items": []}, "eventRules": {"items": []}, "kmsKeys": {"items": []}})
    };
    json!({"schemaVersion": 1, "account": {"id": id, "organizationId": ORG},
           "regions": [region("us-east-1"), region("eu-west-1")]})
}

fn snapshot(value: Value) -> Snapshot {
    serde_json::from_value(value).expect("snapshot")
}

fn organization(accounts: Vec<Value>) -> OrganizationSnapshot {
    OrganizationSnapshot {
        schema_version: ORGANIZATION_SCHEMA_VERSION,
        generator: Generator::default(),
        organization: Some(Organization {
            id: ORG.to_owned(),
            management_account_id: Some(MANAGEMENT.to_owned()),
        }),
        shard: None,
        accounts: accounts.into_iter().map(snapshot).collect(),
        failures: Vec::new(),
        centralization_rules: Section::not_collected(),
    }
}

fn key_changes(org: &OrganizationSnapshot, account: &str) -> Analysis {
    let index = org
        .accounts
        .iter()
        .position(|a| a.account.id == account)
        .expect("account present");
    let evaluated = org.evaluation_snapshot(index).expect("index");
    analyse(&evaluated, &requirements::kms_key_changes(account))
}

#[test]
fn control_tower_members_are_covered_by_the_management_chain() {
    let org = organization(vec![management(), member(MEMBER_A), member(MEMBER_B)]);
    for account in [MANAGEMENT, MEMBER_A, MEMBER_B] {
        let analysis = key_changes(&org, account);
        assert!(
            analysis.findings().is_empty(),
            "{account}: {:#?}",
            analysis.findings()
        );
        assert!(
            analysis
                .regions
                .iter()
                .all(|r| r.events.iter().all(|e| e.is_covered()))
        );
    }
}

#[test]
fn a_broken_management_alarm_fails_every_member_and_names_it() {
    let mut management = management();
    for region in management["regions"].as_array_mut().expect("regions") {
        for alarm in region["metricAlarms"]["items"]
            .as_array_mut()
            .expect("alarms")
        {
            alarm["actionsEnabled"] = json!(false);
        }
    }
    let org = organization(vec![management, member(MEMBER_A), member(MEMBER_B)]);
    for account in [MEMBER_A, MEMBER_B] {
        let findings = key_changes(&org, account).findings();
        assert!(!findings.is_empty(), "{account} must fail");
        for finding in &findings {
            assert_eq!(finding.outcome, Outcome::Fail, "{finding:?}");
            let resource = finding.resource.as_ref().expect("resource at fault");
            assert!(
                resource
                    .arn
                    .contains(&format!(":{MANAGEMENT}:alarm:kms-key-changes")),
                "names the management account's alarm: {resource:?}"
            );
        }
    }
}

#[test]
fn another_organizations_trail_is_not_credited() {
    let mut stranger = member(MEMBER_A);
    stranger["account"]["organizationId"] = json!("o-otherorg");
    let org = organization(vec![management(), stranger]);
    let findings = key_changes(&org, MEMBER_A).findings();
    assert!(
        findings.iter().any(|f| f.reason == reason::NO_TRAIL),
        "{findings:#?}"
    );
}

#[test]
fn a_member_with_its_own_extra_trail_is_still_covered_by_the_organization_trail() {
    let mut member = member(MEMBER_A);
    member["regions"][0]["trails"]["items"] = json!([{
        "name": "local-audit",
        "trailArn": format!("arn:aws:cloudtrail:us-east-1:{MEMBER_A}:trail/local-audit"),
        "homeRegion": "us-east-1",
        "isMultiRegionTrail": false,
        "s3BucketName": "local-audit",
        "status": {"isLogging": true},
        "eventSelectors": {"eventSelectors": [{"readWriteType": "All", "includeManagementEvents": true}]}
    }]);
    let org = organization(vec![management(), member]);
    let analysis = key_changes(&org, MEMBER_A);
    assert!(analysis.findings().is_empty(), "{:#?}", analysis.findings());
}

/// A member scanned alone: AWS lists the organization trail to member accounts
/// (creating-trail-organization.html: "member accounts can see the organization trail"), here
/// without a status the member could read.
#[test]
fn a_member_alone_says_where_the_chain_continues_never_fails() {
    let org_trail = management()["regions"][0]["trails"]["items"][0].clone();
    let mut without_status = org_trail.clone();
    without_status
        .as_object_mut()
        .expect("object")
        .remove("status");
    for trail in [without_status, org_trail] {
        let mut alone = member(MEMBER_A);
        alone["regions"][0]["trails"]["items"] = json!([trail.clone()]);
        alone["regions"][1]["trails"]["items"] = json!([trail]);
        let snapshot = snapshot(alone);
        let findings = analyse(&snapshot, &requirements::kms_key_changes(MEMBER_A)).findings();
        assert!(!findings.is_empty());
        for finding in &findings {
            assert_eq!(finding.outcome, Outcome::Unverifiable, "{finding:?}");
            assert!(
                finding
                    .message
                    .contains(&format!("the chain continues in account {MANAGEMENT}")),
                "{}",
                finding.message
            );
            assert!(
                finding.message.contains("trailwarden check"),
                "{}",
                finding.message
            );
        }
    }
}

#[test]
fn the_members_copy_of_the_organization_trail_gives_way_to_the_owners() {
    let mut without_status = management()["regions"][0]["trails"]["items"][0].clone();
    without_status
        .as_object_mut()
        .expect("object")
        .remove("status");
    let mut member = member(MEMBER_A);
    member["regions"][0]["trails"]["items"] = json!([without_status.clone()]);
    member["regions"][1]["trails"]["items"] = json!([without_status]);
    let org = organization(vec![management(), member]);
    let analysis = key_changes(&org, MEMBER_A);
    assert!(analysis.findings().is_empty(), "{:#?}", analysis.findings());
}

#[test]
fn version_one_reads_as_an_organization_of_one() {
    let text = serde_json::to_string(&member(MEMBER_A)).expect("json");
    let document = SnapshotDocument::from_json(&text).expect("reads");
    assert!(matches!(document, SnapshotDocument::Account(_)));
    let org = document.into_organization();
    assert_eq!(org.accounts.len(), 1);
    assert_eq!(org.organization.as_ref().map(|o| o.id.as_str()), Some(ORG));
}

#[test]
fn version_two_round_trips() {
    let mut org = organization(vec![management(), member(MEMBER_A)]);
    org.failures.push(AccountFailure {
        account_id: MEMBER_B.to_owned(),
        code: "AccessDenied".to_owned(),
        message: "not authorized to perform sts:AssumeRole".to_owned(),
        fix: "trust the management account in the member role".to_owned(),
    });
    let text = serde_json::to_string(&org).expect("json");
    match SnapshotDocument::from_json(&text).expect("reads") {
        SnapshotDocument::Organization(read) => assert_eq!(*read, org),
        other => panic!("read as {other:?}"),
    }
}

#[test]
fn merging_refuses_two_organizations_and_duplicate_accounts() {
    let one = organization(vec![management()]);
    let mut stranger = member(MEMBER_A);
    stranger["account"]["organizationId"] = json!("o-otherorg");
    let mut other = organization(vec![stranger]);
    other.organization = None;
    let error = OrganizationSnapshot::merge(vec![
        ("a.json".to_owned(), one.clone()),
        ("b.json".to_owned(), other),
    ])
    .expect_err("two organizations");
    assert!(
        matches!(error, MergeError::MixedOrganizations { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("b.json"));
    let error = OrganizationSnapshot::merge(vec![
        ("a.json".to_owned(), one.clone()),
        ("b.json".to_owned(), one.clone()),
    ])
    .expect_err("duplicate");
    assert!(
        matches!(error, MergeError::DuplicateAccount { .. }),
        "{error}"
    );
    let merged = OrganizationSnapshot::merge(vec![
        ("b.json".to_owned(), organization(vec![member(MEMBER_B)])),
        ("a.json".to_owned(), one),
    ])
    .expect("merges");
    let ids: Vec<&str> = merged
        .accounts
        .iter()
        .map(|a| a.account.id.as_str())
        .collect();
    assert_eq!(ids, [MANAGEMENT, MEMBER_B]);
}

#[test]
fn linked_accounts_reach_packs_through_the_view() {
    let org = organization(vec![management(), member(MEMBER_A)]);
    let evaluated = org.evaluation_snapshot(1).expect("member");
    assert_eq!(evaluated.linked_accounts.len(), 1);
    let bytes = evaluated
        .view(crate::sections::SectionSet::all())
        .to_json()
        .expect("json");
    let read = Snapshot::from_json(std::str::from_utf8(&bytes).expect("utf-8")).expect("reads");
    assert_eq!(read, evaluated);
}

const AUDIT: &str = "444455556666";

/// The Control Tower shape with its notifications: the management account's alarms publish to
/// a topic of the Audit account (Control Tower's aggregate notifications topic lives there).
fn management_notifying_audit() -> Value {
    let mut management = management();
    for region in management["regions"].as_array_mut().expect("regions") {
        for alarm in region["metricAlarms"]["items"]
            .as_array_mut()
            .expect("alarms")
        {
            alarm["alarmActions"] =
                json!([format!("arn:aws:sns:us-east-1:{AUDIT}:security-alerts")]);
        }
        region["topics"]["items"] = json!([]);
    }
    management
}

/// The Audit account, holding the topic the management account's alarms publish to.
fn audit(subscribed: bool) -> Value {
    let compliant = management();
    let mut audit = member(AUDIT);
    let mut topic = compliant["regions"][0]["topics"]["items"][0].clone();
    topic["topicArn"] = json!(format!("arn:aws:sns:us-east-1:{AUDIT}:security-alerts"));
    if !subscribed {
        topic["subscriptions"] = json!([]);
    }
    audit["regions"][0]["topics"]["items"] = json!([topic]);
    audit
}

#[test]
fn a_topic_in_the_audit_account_is_followed_there() {
    let org = organization(vec![
        management_notifying_audit(),
        audit(true),
        member(MEMBER_A),
    ]);
    for account in [MANAGEMENT, MEMBER_A] {
        let analysis = key_changes(&org, account);
        assert!(
            analysis.findings().is_empty(),
            "{account}: {:#?}",
            analysis.findings()
        );
    }
}

#[test]
fn an_unsubscribed_audit_topic_fails_members_and_names_the_topic_there() {
    let org = organization(vec![
        management_notifying_audit(),
        audit(false),
        member(MEMBER_A),
    ]);
    let findings = key_changes(&org, MEMBER_A).findings();
    assert!(!findings.is_empty(), "the member must fail");
    assert!(
        findings.iter().all(|f| f.outcome == Outcome::Fail),
        "{findings:#?}"
    );
    assert!(
        findings.iter().any(|f| {
            f.resource
                .iter()
                .chain(&f.related)
                .any(|r| r.arn == format!("arn:aws:sns:us-east-1:{AUDIT}:security-alerts"))
                && f.message.contains("no subscription")
        }),
        "{findings:#?}"
    );
}

#[test]
fn a_topic_in_an_account_the_run_did_not_read_cannot_be_verified() {
    let org = organization(vec![management_notifying_audit(), member(MEMBER_A)]);
    let findings = key_changes(&org, MEMBER_A).findings();
    assert!(!findings.is_empty());
    for finding in &findings {
        assert_eq!(finding.outcome, Outcome::Unverifiable, "{finding:#?}");
        assert!(finding.message.contains(AUDIT), "{}", finding.message);
    }
}

/// Every alarm kind that can notify links the account of its topic: a log alarm publishing to
/// the Audit account's topic links that account as a metric alarm's does.
#[test]
fn a_log_alarm_publishing_to_another_account_links_it() {
    let mut management = management();
    let region = &mut management["regions"][0];
    for alarm in region["metricAlarms"]["items"]
        .as_array_mut()
        .expect("alarms")
    {
        alarm["alarmActions"] = json!([]);
    }
    region["logAlarms"] = json!({"items": [{
        "alarmName": "kms-key-changes-query",
        "alarmArn": format!("arn:aws:cloudwatch:us-east-1:{MANAGEMENT}:alarm:kms-key-changes-query"),
        "alarmActions": [format!("arn:aws:sns:us-east-1:{AUDIT}:security-alerts")],
        "queryString": "filter eventSource = \"kms.amazonaws.com\"",
        "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "threshold": 1,
    }]});
    let management = snapshot(management);
    assert!(topic_accounts_of(&management).contains(AUDIT));
    let org = OrganizationSnapshot {
        accounts: vec![management, snapshot(audit(true))],
        ..organization(vec![])
    };
    let evaluated = org.evaluation_snapshot(0).expect("management");
    assert_eq!(evaluated.linked_accounts.len(), 1);
    assert_eq!(evaluated.linked_accounts[0].account.id, AUDIT);
}
