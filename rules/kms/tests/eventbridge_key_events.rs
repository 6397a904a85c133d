//! TW-KMS-004: EventBridge rules judged against the events CloudTrail really delivers.

mod common;

use common::*;
use serde_json::{Value, json};
use trailwarden_sdk::Finding;
use trailwarden_sdk::Outcome;
use trailwarden_sdk::testing::{SectionName, SnapshotBuilder};

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

/// us-east-1 with one customer key and the `security-alerts` topic (confirmed).
fn account() -> SnapshotBuilder {
    with_key().topic("security-alerts")
}

/// `account` with the EventBridge rule `name` on `pattern` in `state`, notifying
/// `security-alerts`.
fn with_rule(account: SnapshotBuilder, name: &str, pattern: Value, state: &str) -> SnapshotBuilder {
    account
        .event_rule(name, &pattern, "security-alerts")
        .event_rule_state(name, state)
}

fn check(account: SnapshotBuilder) -> Vec<Finding> {
    run(RULE, account, Value::Null)
}

fn check_ops(account: SnapshotBuilder, operations: &[&str]) -> Vec<Finding> {
    run(RULE, account, json!({ "operations": operations }))
}

#[test]
fn canonical_pattern_passes() {
    let findings = check(with_rule(
        account(),
        "kms-key-changes",
        canonical(),
        "ENABLED",
    ));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn pattern_missing_schedule_key_deletion_fails_naming_it() {
    let mut pattern = canonical();
    pattern["detail"]["eventName"] = json!(["DisableKey"]);
    let findings = check(with_rule(account(), "kms-disable-only", pattern, "ENABLED"));
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
    let findings = check(with_rule(account(), "kms-prefix", pattern, "ENABLED"));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn pattern_without_event_name_passes() {
    let pattern = json!({ "source": ["aws.kms"], "detail-type": ["AWS API Call via CloudTrail"] });
    assert!(check(with_rule(account(), "all-kms", pattern, "ENABLED")).is_empty());
}

#[test]
fn anything_but_the_names_matches_neither() {
    let pattern = json!({
        "source": ["aws.kms"],
        "detail": { "eventName": [{ "anything-but": ["DisableKey", "ScheduleKeyDeletion"] }] }
    });
    let findings = check(with_rule(account(), "kms-other", pattern, "ENABLED"));
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
        verdicts(&check(with_rule(account(), "kms", pattern, "ENABLED"))),
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
    let enabled = with_rule(account(), "data-keys", pattern.clone(), "ENABLED");
    let findings = check_ops(enabled, &["GenerateDataKey"]);
    assert_eq!(verdicts(&findings), fail("EVENT_RULE_EXCLUDES_READ_ONLY"));
    let message = &findings[0].message;
    assert!(
        message.contains("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
        "{message}"
    );
    assert!(message.contains("GenerateDataKey"), "{message}");

    let all = with_rule(
        account(),
        "data-keys",
        pattern,
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    );
    assert!(check_ops(all, &["GenerateDataKey"]).is_empty());
}

#[test]
fn write_events_need_no_special_state() {
    let all = with_rule(
        account(),
        "kms",
        canonical(),
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    );
    assert!(check(all).is_empty());
}

#[test]
fn disabled_rule_fails() {
    let findings = check(with_rule(account(), "kms", canonical(), "DISABLED"));
    assert_eq!(verdicts(&findings), fail("EVENT_RULE_DISABLED"));
    assert!(
        findings[0].message.contains("DISABLED"),
        "{}",
        findings[0].message
    );
}

#[test]
fn unknown_state_is_unverifiable() {
    let findings = check(with_rule(account(), "kms", canonical(), "PAUSED"));
    assert_eq!(
        verdicts(&findings),
        unverifiable("EVENT_RULE_STATE_UNKNOWN")
    );
}

#[test]
fn rule_on_another_bus_fails() {
    let custom = with_rule(account(), "kms", canonical(), "ENABLED")
        .edit_event_rule("kms", |rule| rule.event_bus_name = "security".to_owned());
    let findings = check(custom);
    assert_eq!(verdicts(&findings), fail("EVENT_RULE_WRONG_BUS"));
    assert!(
        findings[0].message.contains("`security`"),
        "{}",
        findings[0].message
    );
}

#[test]
fn default_bus_given_by_arn_passes() {
    let by_arn =
        with_rule(account(), "kms", canonical(), "ENABLED").edit_event_rule("kms", |rule| {
            rule.event_bus_name = format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default");
        });
    assert!(check(by_arn).is_empty());
}

#[test]
fn targets_must_tell_someone() {
    let queue = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:kms-events");
    let missing = topic_arn(REGION, "gone");
    let targeting = |account: SnapshotBuilder, targets: &[&str]| {
        with_rule(account, "kms", canonical(), "ENABLED").event_rule_targets("kms", targets)
    };
    let pending = account().edit_topic("security-alerts", |topic| {
        topic.subscriptions[0].subscription_arn = "PendingConfirmation".to_owned();
    });
    let aws_managed = account().edit_topic("security-alerts", |topic| {
        topic.kms_master_key_id = Some("alias/aws/sns".to_owned());
    });
    let cases = [
        (targeting(with_key(), &[]), "NO_TARGETS"),
        (
            targeting(pending, &[&alerts()]),
            "TOPIC_NO_CONFIRMED_SUBSCRIPTION",
        ),
        (targeting(with_key(), &[&missing]), "TOPIC_MISSING"),
        (
            targeting(with_key(), &[&queue]),
            "ACTION_NOT_A_NOTIFICATION",
        ),
        (
            targeting(aws_managed, &[&alerts()]),
            "TOPIC_AWS_MANAGED_KEY",
        ),
    ];
    for (account, reason) in cases {
        let findings = check(account);
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
    let account =
        with_rule(with_key(), "kms", canonical(), "ENABLED").event_rule_targets("kms", &[&lambda]);
    assert!(check(account).is_empty());
}

#[test]
fn topic_in_another_account_is_unverifiable() {
    let foreign = format!("arn:aws:sns:{REGION}:999988887777:central-alerts");
    let account =
        with_rule(account(), "kms", canonical(), "ENABLED").event_rule_targets("kms", &[&foreign]);
    let findings = check(account);
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
    let account =
        with_rule(with_key(), "kms", canonical(), "ENABLED").access_denied(SectionName::Topics);
    let findings = check(account);
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
    assert_eq!(verdicts(&check(account())), fail("NO_EVENT_RULE"));
    let unrelated = with_rule(
        account(),
        "ec2",
        json!({ "source": ["aws.ec2"] }),
        "ENABLED",
    );
    let scheduled =
        with_rule(unrelated, "nightly", json!({}), "ENABLED").edit_event_rule("nightly", |rule| {
            rule.event_pattern = None;
            rule.schedule_expression = Some("rate(1 day)".to_owned());
        });
    let findings = check(scheduled);
    assert_eq!(verdicts(&findings), fail("NO_EVENT_RULE"));
    assert!(findings[0].related.is_empty());
}

#[test]
fn closest_rule_is_the_one_about_kms() {
    let ec2 = with_rule(
        account(),
        "aaa-ec2",
        json!({ "source": ["aws.ec2"] }),
        "ENABLED",
    );
    let findings = check(with_rule(ec2, "kms", canonical(), "DISABLED"));
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

fn disable_only() -> Value {
    let mut disable = canonical();
    disable["detail"]["eventName"] = json!(["DisableKey"]);
    disable
}

fn schedule_only() -> Value {
    let mut schedule = canonical();
    schedule["detail"]["eventName"] = json!(["ScheduleKeyDeletion"]);
    schedule
}

#[test]
fn two_rules_can_share_the_work() {
    let disable = with_rule(account(), "disable", disable_only(), "ENABLED");
    let findings = check(with_rule(disable, "schedule", schedule_only(), "ENABLED"));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn each_missed_call_names_its_own_closest_rule() {
    let disable = with_rule(account(), "disable", disable_only(), "DISABLED");
    let account = with_rule(disable, "schedule", schedule_only(), "ENABLED")
        .event_rule_targets("schedule", &[]);
    let findings = check(account);
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
    let broken = with_rule(account(), "broken", json!({}), "ENABLED")
        .edit_event_rule("broken", |rule| {
            rule.event_pattern = Some(r#"{"source": "aws.kms"}"#.to_owned())
        });
    let findings = check(broken);
    assert_eq!(
        verdicts(&findings),
        vec![
            (Outcome::Fail, "NO_EVENT_RULE"),
            (Outcome::Fail, "EVENT_PATTERN_INVALID"),
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

    let not_json = with_rule(account(), "not-json", json!({}), "ENABLED")
        .edit_event_rule("not-json", |rule| {
            rule.event_pattern = Some("{not json".to_owned())
        });
    let findings = check(with_rule(not_json, "kms", canonical(), "ENABLED"));
    assert!(
        findings.is_empty(),
        "a covered region ignores unrelated broken rules: {findings:#?}"
    );
}

#[test]
fn only_regions_with_live_customer_keys_are_in_scope() {
    let account = SnapshotBuilder::new()
        .region("us-west-2")
        .region("eu-west-1")
        .kms_key("aws1")
        .kms_key_manager("aws1", "AWS")
        .edit_kms_key("aws1", |key| key.aliases = vec!["alias/aws/s3".to_owned()])
        .region("eu-central-1")
        .kms_key("gone")
        .kms_key_state("gone", "PendingDeletion")
        .region("ap-south-1")
        .kms_key("off")
        .kms_key_state("off", "Disabled");
    let findings = check(account);
    assert_eq!(verdicts(&findings), fail("NO_EVENT_RULE"));
    assert_eq!(
        findings[0].region.as_deref(),
        Some("ap-south-1"),
        "a disabled key can still be deleted"
    );
}

#[test]
fn every_region_with_keys_needs_its_own_rule() {
    let account = with_rule(account(), "kms", canonical(), "ENABLED")
        .region("eu-west-1")
        .kms_key("k2");
    let findings = check(account);
    assert_eq!(verdicts(&findings), fail("NO_EVENT_RULE"));
    assert_eq!(findings[0].region.as_deref(), Some("eu-west-1"));
}

#[test]
fn incomplete_sections_are_unverifiable() {
    let keys_denied = SnapshotBuilder::new()
        .region(REGION)
        .access_denied(SectionName::KmsKeys);
    assert_eq!(
        verdicts(&check(keys_denied)),
        unverifiable("KMS_KEYS_NOT_COLLECTED")
    );

    let keys_missing = SnapshotBuilder::new()
        .region(REGION)
        .not_collected(SectionName::KmsKeys);
    assert_eq!(
        verdicts(&check(keys_missing)),
        unverifiable("KMS_KEYS_NOT_COLLECTED")
    );

    let rules_denied = with_key().access_denied(SectionName::EventRules);
    let findings = check(rules_denied);
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
    let all_events = with_rule(
        account(),
        "kms",
        pattern.clone(),
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    );
    let all = trailwarden_rules_kms::eventbridge_key_events::known_operations();
    assert!(all.len() >= 8, "{all:?}");
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    assert!(check_ops(all_events, &all).is_empty());
    let only_enabled = with_rule(account(), "kms", pattern, "ENABLED");
    let findings = check_ops(only_enabled, &all);
    assert_eq!(verdicts(&findings), fail("EVENT_RULE_EXCLUDES_READ_ONLY"));
    assert!(
        !findings[0].properties["uncoveredOperations"]
            .to_string()
            .contains("DisableKey")
    );
}

/// Issue #19: a covering rule whose topic's deliveries partly fail passes with the warning the
/// chain rules give (`TOPIC_DELIVERIES_PARTLY_FAILING`); all failed breaks it.
#[test]
fn partly_failing_deliveries_warn_like_the_chain_rules() {
    let covered = || with_rule(account(), "kms-key-changes", canonical(), "ENABLED");
    let findings = check(covered().topic_deliveries("security-alerts", 5, 2));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let warning = &findings[0];
    assert_eq!(warning.reason, "TOPIC_DELIVERIES_PARTLY_FAILING");
    assert_eq!(warning.level, Some(trailwarden_sdk::Level::Warning));
    assert!(
        warning.message.contains("kms-key-changes") && warning.message.contains("2 failed"),
        "{}",
        warning.message
    );
    assert_eq!(
        warning.resource.as_ref().map(|r| r.arn.clone()),
        Some(alerts())
    );
    assert!(check(covered().topic_deliveries("security-alerts", 5, 0)).is_empty());
    let failing = check(covered().topic_deliveries("security-alerts", 0, 2));
    assert_eq!(
        failing[0].reason, "TOPIC_DELIVERIES_FAILING",
        "{failing:#?}"
    );
}
