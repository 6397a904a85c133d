//! TW-KMS-004: EventBridge rules judged against the events CloudTrail really delivers.

mod common;

use common::*;
use serde_json::{Value, json};
use trailwarden_sdk::{Finding, Outcome};

const RULE: &str = "TW-KMS-004";

fn canonical() -> Value {
    json!({
        "source": ["aws.kms"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["kms.amazonaws.com"],
            "eventName": ["DisableKey", "ScheduleKeyDeletion"]
        }
    })
}

fn alerts() -> String {
    topic_arn(REGION, "security-alerts")
}

/// us-east-1 with one customer key, the `security-alerts` topic (confirmed) and `rules`.
fn account_with(rules: Vec<Value>) -> trailwarden_sdk::Snapshot {
    account_with_topics(rules, json!([topic(REGION, "security-alerts", true)]))
}

fn account_with_topics(rules: Vec<Value>, topics: Value) -> trailwarden_sdk::Snapshot {
    let r = with(region(REGION), "kmsKeys", json!([cmk(KEY_ID, REGION)]));
    let r = with(r, "topics", topics);
    snapshot(vec![with(r, "eventRules", Value::Array(rules))])
}

fn rule(name: &str, pattern: Value, state: &str) -> Value {
    event_rule(REGION, name, pattern, state, &[alerts()])
}

fn check(snapshot: &trailwarden_sdk::Snapshot) -> Vec<Finding> {
    run(RULE, snapshot, Value::Null)
}

fn check_ops(snapshot: &trailwarden_sdk::Snapshot, operations: &[&str]) -> Vec<Finding> {
    run(RULE, snapshot, json!({ "operations": operations }))
}

#[test]
fn canonical_pattern_passes() {
    let findings = check(&account_with(vec![rule(
        "kms-key-changes",
        canonical(),
        "ENABLED",
    )]));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn pattern_missing_schedule_key_deletion_fails_naming_it() {
    let mut pattern = canonical();
    pattern["detail"]["eventName"] = json!(["DisableKey"]);
    let findings = check(&account_with(vec![rule(
        "kms-disable-only",
        pattern,
        "ENABLED",
    )]));
    assert_eq!(verdicts(&findings), fail("EVENT_PATTERN_NO_MATCH"));
    let finding = &findings[0];
    assert!(
        finding.message.contains("ScheduleKeyDeletion"),
        "{}",
        finding.message
    );
    assert!(
        finding.message.contains("`kms-disable-only`"),
        "{}",
        finding.message
    );
    assert!(
        !finding.message.contains("DisableKey and"),
        "{}",
        finding.message
    );
    assert_eq!(finding.region.as_deref(), Some(REGION));
    assert_eq!(
        finding.properties["uncoveredOperations"],
        json!(["ScheduleKeyDeletion"])
    );
    assert_eq!(
        finding.properties["closestRules"],
        json!({ "ScheduleKeyDeletion": "kms-disable-only" })
    );
    assert!(finding.related.iter().any(|r| r.name == "kms-disable-only"));
    assert!(finding.related.iter().any(|r| r.arn == alerts()));
}

#[test]
fn prefix_pattern_passes() {
    let pattern = json!({
        "detail": { "eventName": [{ "prefix": "Disable" }, "ScheduleKeyDeletion"] },
        "source": ["aws.kms"]
    });
    let findings = check(&account_with(vec![rule("kms-prefix", pattern, "ENABLED")]));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn pattern_without_event_name_passes() {
    let pattern = json!({ "source": ["aws.kms"], "detail-type": ["AWS API Call via CloudTrail"] });
    assert!(check(&account_with(vec![rule("all-kms", pattern, "ENABLED")])).is_empty());
}

#[test]
fn anything_but_the_names_matches_neither() {
    let pattern = json!({
        "source": ["aws.kms"],
        "detail": { "eventName": [{ "anything-but": ["DisableKey", "ScheduleKeyDeletion"] }] }
    });
    let findings = check(&account_with(vec![rule("kms-other", pattern, "ENABLED")]));
    assert_eq!(verdicts(&findings), fail("NO_EVENT_RULE"));
    assert!(
        findings[0]
            .message
            .contains("DisableKey and ScheduleKeyDeletion"),
        "{}",
        findings[0].message
    );
}

#[test]
fn wrong_detail_type_does_not_match() {
    let mut pattern = canonical();
    pattern["detail-type"] = json!(["KMS CMK Deletion"]);
    assert_eq!(
        verdicts(&check(&account_with(vec![rule("kms", pattern, "ENABLED")]))),
        fail("NO_EVENT_RULE")
    );
}

#[test]
fn generate_data_key_needs_the_all_management_events_state() {
    let pattern = json!({
        "source": ["aws.kms"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": { "eventName": ["GenerateDataKey"] }
    });
    let enabled = account_with(vec![rule("data-keys", pattern.clone(), "ENABLED")]);
    let findings = check_ops(&enabled, &["GenerateDataKey"]);
    assert_eq!(verdicts(&findings), fail("EVENT_RULE_EXCLUDES_READ_ONLY"));
    let message = &findings[0].message;
    assert!(
        message.contains("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
        "{message}"
    );
    assert!(message.contains("GenerateDataKey"), "{message}");

    let all = account_with(vec![rule(
        "data-keys",
        pattern,
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    )]);
    assert!(check_ops(&all, &["GenerateDataKey"]).is_empty());
}

#[test]
fn write_events_need_no_special_state() {
    let all = account_with(vec![rule(
        "kms",
        canonical(),
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    )]);
    assert!(check(&all).is_empty());
}

#[test]
fn disabled_rule_fails() {
    let findings = check(&account_with(vec![rule("kms", canonical(), "DISABLED")]));
    assert_eq!(verdicts(&findings), fail("EVENT_RULE_DISABLED"));
    assert!(
        findings[0].message.contains("DISABLED"),
        "{}",
        findings[0].message
    );
}

#[test]
fn unknown_state_is_unverifiable() {
    let findings = check(&account_with(vec![rule("kms", canonical(), "PAUSED")]));
    assert_eq!(
        verdicts(&findings),
        unverifiable("EVENT_RULE_STATE_UNKNOWN")
    );
}

#[test]
fn rule_on_another_bus_fails() {
    let mut custom = rule("kms", canonical(), "ENABLED");
    custom["eventBusName"] = json!("security");
    let findings = check(&account_with(vec![custom]));
    assert_eq!(verdicts(&findings), fail("EVENT_RULE_WRONG_BUS"));
    assert!(
        findings[0].message.contains("`security`"),
        "{}",
        findings[0].message
    );
}

#[test]
fn default_bus_given_by_arn_passes() {
    let mut by_arn = rule("kms", canonical(), "ENABLED");
    by_arn["eventBusName"] = json!(format!(
        "arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
    ));
    assert!(check(&account_with(vec![by_arn])).is_empty());
}

#[test]
fn targets_must_tell_someone() {
    let queue = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:kms-events");
    let missing = topic_arn(REGION, "gone");
    let cases: Vec<(Vec<String>, Value, &str)> = vec![
        (vec![], json!([]), "NO_TARGETS"),
        (
            vec![alerts()],
            json!([topic(REGION, "security-alerts", false)]),
            "TOPIC_NO_CONFIRMED_SUBSCRIPTION",
        ),
        (vec![missing], json!([]), "TOPIC_MISSING"),
        (vec![queue], json!([]), "ACTION_NOT_A_NOTIFICATION"),
        (
            vec![alerts()],
            json!([{
                "topicArn": alerts(), "kmsMasterKeyId": "alias/aws/sns",
                "subscriptions": [{ "subscriptionArn": format!("{}:1", alerts()), "protocol": "email" }]
            }]),
            "TOPIC_AWS_MANAGED_KEY",
        ),
    ];
    for (targets, topics, reason) in cases {
        let r = event_rule(REGION, "kms", canonical(), "ENABLED", &targets);
        let findings = check(&account_with_topics(vec![r], topics));
        assert_eq!(verdicts(&findings), fail(reason), "{reason}");
        assert!(
            findings[0].message.contains("notifies nobody"),
            "{}",
            findings[0].message
        );
    }
}

#[test]
fn lambda_target_is_an_automated_response() {
    let lambda = format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:respond");
    let r = event_rule(REGION, "kms", canonical(), "ENABLED", &[lambda]);
    assert!(check(&account_with_topics(vec![r], json!([]))).is_empty());
}

#[test]
fn topic_in_another_account_is_unverifiable() {
    let foreign = format!("arn:aws:sns:{REGION}:999988887777:central-alerts");
    let r = event_rule(REGION, "kms", canonical(), "ENABLED", &[foreign]);
    let findings = check(&account_with(vec![r]));
    assert_eq!(
        verdicts(&findings),
        unverifiable("EVENT_TARGET_UNVERIFIABLE")
    );
    assert!(
        findings[0].message.contains("999988887777"),
        "{}",
        findings[0].message
    );
}

#[test]
fn unreadable_topics_make_the_region_unverifiable() {
    let r = with(region(REGION), "kmsKeys", json!([cmk(KEY_ID, REGION)]));
    let r = with(
        r,
        "eventRules",
        json!([rule("kms", canonical(), "ENABLED")]),
    );
    let r = set(r, "topics", denied("sns", "ListTopics"));
    let findings = check(&snapshot(vec![r]));
    assert_eq!(
        verdicts(&findings),
        unverifiable("EVENT_TARGET_UNVERIFIABLE")
    );
    assert!(
        findings[0].message.contains("AccessDeniedException"),
        "{}",
        findings[0].message
    );
}

#[test]
fn no_rules_at_all_and_unrelated_rules_are_no_event_rule() {
    assert_eq!(
        verdicts(&check(&account_with(vec![]))),
        fail("NO_EVENT_RULE")
    );
    let ec2 = rule("ec2", json!({ "source": ["aws.ec2"] }), "ENABLED");
    let mut scheduled = rule("nightly", json!({}), "ENABLED");
    scheduled.as_object_mut().map(|o| o.remove("eventPattern"));
    scheduled["scheduleExpression"] = json!("rate(1 day)");
    let findings = check(&account_with(vec![ec2, scheduled]));
    assert_eq!(verdicts(&findings), fail("NO_EVENT_RULE"));
    assert!(findings[0].related.is_empty());
}

#[test]
fn closest_rule_is_the_one_about_kms() {
    let ec2 = rule("aaa-ec2", json!({ "source": ["aws.ec2"] }), "ENABLED");
    let kms = rule("kms", canonical(), "DISABLED");
    let findings = check(&account_with(vec![ec2, kms]));
    assert_eq!(verdicts(&findings), fail("EVENT_RULE_DISABLED"));
    assert!(
        findings[0].message.contains("`kms`"),
        "{}",
        findings[0].message
    );
    assert!(
        !findings[0].message.contains("aaa-ec2"),
        "{}",
        findings[0].message
    );
}

#[test]
fn two_rules_can_share_the_work() {
    let mut disable = canonical();
    disable["detail"]["eventName"] = json!(["DisableKey"]);
    let mut schedule = canonical();
    schedule["detail"]["eventName"] = json!(["ScheduleKeyDeletion"]);
    let findings = check(&account_with(vec![
        rule("disable", disable, "ENABLED"),
        rule("schedule", schedule, "ENABLED"),
    ]));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn each_missed_call_names_its_own_closest_rule() {
    let mut disable = canonical();
    disable["detail"]["eventName"] = json!(["DisableKey"]);
    let mut schedule = canonical();
    schedule["detail"]["eventName"] = json!(["ScheduleKeyDeletion"]);
    let findings = check(&account_with(vec![
        rule("disable", disable, "DISABLED"),
        event_rule(REGION, "schedule", schedule, "ENABLED", &[]),
    ]));
    assert_eq!(verdicts(&findings), fail("EVENT_RULE_DISABLED"));
    let message = &findings[0].message;
    assert!(
        message.contains("for DisableKey, the closest rule, `disable`, is DISABLED"),
        "{message}"
    );
    assert!(
        message.contains("for ScheduleKeyDeletion, the closest rule, `schedule`"),
        "{message}"
    );
    assert_eq!(
        findings[0].properties["reasons"],
        json!({ "DisableKey": "EVENT_RULE_DISABLED", "ScheduleKeyDeletion": "NO_TARGETS" })
    );
}

#[test]
fn invalid_pattern_is_a_defect_of_its_rule() {
    let mut broken = rule("broken", json!({}), "ENABLED");
    broken["eventPattern"] = json!(r#"{"source": "aws.kms"}"#);
    let findings = check(&account_with(vec![broken]));
    assert_eq!(
        verdicts(&findings),
        vec![
            (Outcome::Fail, "NO_EVENT_RULE".to_owned()),
            (Outcome::Fail, "EVENT_PATTERN_INVALID".to_owned()),
        ]
    );
    assert!(
        findings[0].message.contains("reported separately"),
        "{}",
        findings[0].message
    );
    let defect = &findings[1];
    assert_eq!(
        defect.resource.as_ref().map(|r| r.name.as_str()),
        Some("broken")
    );
    assert!(defect.message.contains("`source`"), "{}", defect.message);

    let mut not_json = rule("not-json", json!({}), "ENABLED");
    not_json["eventPattern"] = json!("{not json");
    let findings = check(&account_with(vec![
        not_json,
        rule("kms", canonical(), "ENABLED"),
    ]));
    assert!(
        findings.is_empty(),
        "a covered region ignores unrelated broken rules: {findings:#?}"
    );
}

#[test]
fn only_regions_with_live_customer_keys_are_in_scope() {
    let aws_managed = json!({
        "keyId": "aws1", "arn": format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/aws1"),
        "keyManager": "AWS", "keyState": "Enabled", "aliases": ["alias/aws/s3"]
    });
    let mut pending = cmk("gone", "eu-central-1");
    pending["keyState"] = json!("PendingDeletion");
    let mut disabled = cmk("off", "ap-south-1");
    disabled["keyState"] = json!("Disabled");
    let findings = check(&snapshot(vec![
        region("us-west-2"),
        with(region("eu-west-1"), "kmsKeys", json!([aws_managed])),
        with(region("eu-central-1"), "kmsKeys", json!([pending])),
        with(region("ap-south-1"), "kmsKeys", json!([disabled])),
    ]));
    assert_eq!(verdicts(&findings), fail("NO_EVENT_RULE"));
    assert_eq!(
        findings[0].region.as_deref(),
        Some("ap-south-1"),
        "a disabled key can still be deleted"
    );
}

#[test]
fn every_region_with_keys_needs_its_own_rule() {
    let covered = with(region(REGION), "kmsKeys", json!([cmk(KEY_ID, REGION)]));
    let covered = with(
        covered,
        "topics",
        json!([topic(REGION, "security-alerts", true)]),
    );
    let covered = with(
        covered,
        "eventRules",
        json!([rule("kms", canonical(), "ENABLED")]),
    );
    let bare = with(
        region("eu-west-1"),
        "kmsKeys",
        json!([cmk("k2", "eu-west-1")]),
    );
    let findings = check(&snapshot(vec![covered, bare]));
    assert_eq!(verdicts(&findings), fail("NO_EVENT_RULE"));
    assert_eq!(findings[0].region.as_deref(), Some("eu-west-1"));
}

#[test]
fn incomplete_sections_are_unverifiable() {
    let keys_denied = set(region(REGION), "kmsKeys", denied("kms", "ListKeys"));
    assert_eq!(
        verdicts(&check(&snapshot(vec![keys_denied]))),
        unverifiable("KMS_KEYS_NOT_COLLECTED")
    );

    let keys_missing = set(region(REGION), "kmsKeys", json!({ "collected": false }));
    assert_eq!(
        verdicts(&check(&snapshot(vec![keys_missing]))),
        unverifiable("KMS_KEYS_NOT_COLLECTED")
    );

    let rules_denied = with(region(REGION), "kmsKeys", json!([cmk(KEY_ID, REGION)]));
    let rules_denied = set(rules_denied, "eventRules", denied("events", "ListRules"));
    let findings = check(&snapshot(vec![rules_denied]));
    assert_eq!(
        verdicts(&findings),
        unverifiable("EVENT_RULES_NOT_COLLECTED")
    );
    assert!(
        findings[0].message.contains("events:ListRules"),
        "{}",
        findings[0].message
    );
}

#[test]
fn operations_setting_is_checked() {
    let message = settings_error(RULE, json!({ "operations": ["DisableKey", "DeleteKey"] }));
    assert!(message.contains("`DeleteKey`"), "{message}");
    assert!(!message.contains("`DisableKey`"), "{message}");
    assert!(
        message.contains("GenerateDataKey"),
        "lists the known ones: {message}"
    );
    assert!(settings_error(RULE, json!({ "operations": [] })).contains("at least one"));
    assert!(settings_error(RULE, json!({ "operation": ["DisableKey"] })).contains("unknown field"));
    assert!(settings_error(RULE, json!({ "operations": "DisableKey" })).contains("sequence"));
}

#[test]
fn any_operation_with_a_record_can_be_required() {
    let pattern = json!({ "source": ["aws.kms"] });
    let snapshot = account_with(vec![rule(
        "kms",
        pattern,
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    )]);
    let all = trailwarden_rules_kms::eventbridge_key_events::known_operations();
    assert!(all.len() >= 8, "{all:?}");
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    assert!(check_ops(&snapshot, &all).is_empty());
    let only_enabled = account_with(vec![rule(
        "kms",
        json!({ "source": ["aws.kms"] }),
        "ENABLED",
    )]);
    let findings = check_ops(&only_enabled, &all);
    assert_eq!(verdicts(&findings), fail("EVENT_RULE_EXCLUDES_READ_ONLY"));
    assert!(
        !findings[0].properties["uncoveredOperations"]
            .to_string()
            .contains("DisableKey")
    );
}
