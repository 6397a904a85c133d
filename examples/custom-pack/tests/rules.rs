//! The example pack's rules, natively: snapshots built in code, and the fixture cases of
//! `tests/cases`, which the workspace's tests also run through the `.wasm` in the sandbox.
//!
//! The case snapshots are written by [`fixtures`] below, so they never drift from the code
//! that describes them: `UPDATE_FIXTURES=1 cargo test -p acme-security-rules` rewrites them,
//! and without it a stale file fails the test.

use acme_security_rules::pack;
use serde_json::{Value, json};
use trailwarden_sdk::testing::{SectionName, SnapshotBuilder, assert_cases};
use trailwarden_sdk::{Finding, Level, Outcome, RuleError};

const FAILED_KMS_CALLS: &str = r#"{ $.eventSource = "kms.amazonaws.com" && $.errorCode = "*" }"#;

/// ACME's account as it should be: a multi-region trail delivering to a log group kept 400
/// days, failed KMS calls counted and alarmed, the alarm notifying `security-alerts`, the
/// trail's key rotating (and eu-west-1 without keys, its rotations read and empty).
fn compliant() -> SnapshotBuilder {
    SnapshotBuilder::new()
        .region("us-east-1")
        .trail("management-events", "cloudtrail-logs")
        .edit_log_group("cloudtrail-logs", |group| {
            group.retention_in_days = Some(400)
        })
        .monitor(
            "cloudtrail-logs",
            "kms-failed-calls",
            FAILED_KMS_CALLS,
            "security-alerts",
        )
        .topic("security-alerts")
        .topic("platform-alerts")
        .kms_key("trail-logs-key")
        .key_rotation("trail-logs-key", true)
        .region("eu-west-1")
        .collected(SectionName::KeyRotations)
}

/// An application key that does not rotate, next to an AWS-managed key (which AWS rotates)
/// and a disabled key, neither of which ACME-KMS-002 judges.
fn key_rotation_off() -> SnapshotBuilder {
    compliant()
        .region("us-east-1")
        .kms_key("app-data")
        .key_rotation("app-data", false)
        .kms_key("aws-sns")
        .kms_key_manager("aws-sns", "AWS")
        .kms_key("retired")
        .key_rotation("retired", false)
        .kms_key_state("retired", "Disabled")
}

/// The alarm notifies the platform team's topic instead.
fn platform_topic() -> SnapshotBuilder {
    compliant()
        .region("us-east-1")
        .edit_alarm("kms-failed-calls", |alarm| {
            alarm.alarm_actions = vec!["arn:aws:sns:us-east-1:111122223333:platform-alerts".into()];
        })
}

/// The log group keeps 30 days.
fn short_retention() -> SnapshotBuilder {
    compliant()
        .region("us-east-1")
        .edit_log_group("cloudtrail-logs", |group| {
            group.retention_in_days = Some(30)
        })
}

/// Nobody alarms on failed KMS calls.
fn no_alarm() -> SnapshotBuilder {
    compliant()
        .region("us-east-1")
        .edit_region(|region| region.metric_alarms.items.clear())
}

fn run(id: &str, builder: SnapshotBuilder, settings: Value) -> Result<Vec<Finding>, RuleError> {
    pack().run_rule(id, &builder.build(), settings)
}

fn reasons(id: &str, builder: SnapshotBuilder) -> Vec<(Outcome, String, Option<String>)> {
    run(id, builder, Value::Null)
        .expect("the rule runs")
        .into_iter()
        .map(|f| {
            assert!(!f.message.ends_with('.'), "{}", f.message);
            (f.outcome, f.reason, f.region)
        })
        .collect()
}

#[test]
fn the_compliant_account_passes_every_rule() {
    assert_eq!(reasons("ACME-KMS-001", compliant()), vec![]);
    assert_eq!(reasons("ACME-LOGS-001", compliant()), vec![]);
    assert_eq!(reasons("ACME-KMS-002", compliant()), vec![]);
}

#[test]
fn a_customer_managed_key_that_does_not_rotate_fails() {
    let findings = run("ACME-KMS-002", key_rotation_off(), Value::Null).expect("runs");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert_eq!(
        (finding.outcome, finding.reason.as_str()),
        (Outcome::Fail, "KEY_ROTATION_DISABLED")
    );
    assert_eq!(finding.region.as_deref(), Some("us-east-1"));
    assert_eq!(
        finding.resource.as_ref().map(|r| r.arn.as_str()),
        Some("arn:aws:kms:us-east-1:111122223333:key/app-data")
    );
    assert!(
        finding
            .message
            .contains("key `app-data` (us-east-1) does not rotate"),
        "{}",
        finding.message
    );
}

#[test]
fn key_rotation_that_was_not_read_is_not_verifiable() {
    let found = reasons(
        "ACME-KMS-002",
        compliant()
            .region("eu-west-1")
            .access_denied(SectionName::KeyRotations),
    );
    assert_eq!(
        found,
        vec![(
            Outcome::Unverifiable,
            "KEY_ROTATION_NOT_VERIFIED".to_owned(),
            Some("eu-west-1".to_owned())
        )]
    );
    // A builder region that never read rotations says so too.
    let unread = SnapshotBuilder::new().region("us-east-1").kms_key("k");
    let findings = run("ACME-KMS-002", unread, Value::Null).expect("runs");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(
        findings[0].message.contains("it was not collected"),
        "{}",
        findings[0].message
    );
}

/// The rule reads `keyRotations`, which its `needs` declare: without the declaration the
/// section would be withheld and the rule could verify nothing.
#[test]
fn the_rotation_rule_declares_the_section_it_reads() {
    let meta = pack().meta();
    let rule = meta
        .rules
        .iter()
        .find(|r| r.id == "ACME-KMS-002")
        .expect("ACME-KMS-002");
    assert_eq!(rule.needs, ["kmsKeys", "keyRotations"]);
}

#[test]
fn an_alarm_on_another_teams_topic_is_not_enough() {
    let findings = run("ACME-KMS-001", platform_topic(), Value::Null).expect("runs");
    assert_eq!(findings.len(), 2, "one per region: {findings:#?}");
    for (finding, region) in findings.iter().zip(["us-east-1", "eu-west-1"]) {
        assert_eq!(finding.reason, "NOT_SECURITY_TOPIC");
        assert_eq!(finding.region.as_deref(), Some(region));
        assert_eq!(finding.level, None, "the rule's level, error, applies");
        assert!(
            finding.message.contains(
                "notifies `platform-alerts` but not the security team's topic `security-alerts`"
            ),
            "{}",
            finding.message
        );
        assert_eq!(
            finding.resource.as_ref().map(|r| r.arn.as_str()),
            Some("arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-failed-calls")
        );
    }
    // The platform team *is* the security team somewhere else: the setting says so.
    let settings = json!({ "topic": "platform-alerts" });
    assert_eq!(
        run("ACME-KMS-001", platform_topic(), settings).expect("runs"),
        vec![]
    );
    let settings = json!({ "topic": "arn:aws:sns:us-east-1:111122223333:platform-alerts" });
    assert_eq!(
        run("ACME-KMS-001", platform_topic(), settings).expect("runs"),
        vec![]
    );
}

#[test]
fn a_broken_chain_is_reported_by_the_analysis_itself() {
    let found = reasons("ACME-KMS-001", no_alarm());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Outcome::Fail);
    assert_eq!(found[0].1, "NO_ALARM");
}

#[test]
fn a_short_retention_fails_unless_the_setting_allows_it() {
    assert_eq!(
        reasons("ACME-LOGS-001", short_retention()),
        vec![(
            Outcome::Fail,
            "LOG_RETENTION_TOO_SHORT".to_owned(),
            Some("us-east-1".to_owned())
        )]
    );
    let settings = json!({ "min_days": 30 });
    assert_eq!(
        run("ACME-LOGS-001", short_retention(), settings).expect("runs"),
        vec![]
    );
}

#[test]
fn bad_settings_name_the_key() {
    let error = run("ACME-LOGS-001", compliant(), json!({ "min_days": 0 })).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid settings: `min_days` must be between 1 and 3653 (the longest retention CloudWatch Logs offers), not 0"
    );
    let error = run(
        "ACME-LOGS-001",
        compliant(),
        json!({ "min_days": "a year" }),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid setting `min_days`: invalid type: string \"a year\", expected u32"
    );
    let error = run("ACME-KMS-001", compliant(), json!({ "topik": "x" })).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("invalid setting `topik`: unknown field `topik`, expected `topic`"),
        "{error}"
    );
    let error = run(
        "ACME-KMS-001",
        compliant(),
        json!({ "topic": "security alerts" }),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`topic` must be an SNS topic name"),
        "{error}"
    );
}

#[test]
fn missing_data_is_not_a_pass() {
    let builder = compliant()
        .region("us-east-1")
        .access_denied(trailwarden_sdk::testing::SectionName::Trails);
    let found = reasons("ACME-LOGS-001", builder.clone());
    assert_eq!(found[0].0, Outcome::Unverifiable);
    let found = reasons("ACME-KMS-001", builder);
    assert!(
        found.iter().all(|f| f.0 == Outcome::Unverifiable),
        "{found:?}"
    );
}

#[test]
fn metadata_documents_the_settings() {
    let meta = pack().meta();
    assert_eq!(meta.name, "acme-security-rules");
    let kms = &meta.rules[0];
    assert_eq!((kms.id.as_str(), kms.level), ("ACME-KMS-001", Level::Error));
    assert_eq!(kms.settings[0].name, "topic");
    assert_eq!(kms.settings[0].value_type, "string");
    assert_eq!(kms.settings[0].default, json!("security-alerts"));
    let logs = &meta.rules[1];
    assert_eq!(logs.settings[0].name, "min_days");
    assert_eq!(logs.settings[0].value_type, "integer");
    assert_eq!(logs.settings[0].default, json!(365));
    assert!(
        logs.short_description.ends_with("(365 by default)."),
        "{}",
        logs.short_description
    );
}

/// The snapshots of `tests/cases`, by file name.
fn fixtures() -> Vec<(&'static str, SnapshotBuilder)> {
    vec![
        ("compliant.json", compliant()),
        ("platform-topic.json", platform_topic()),
        ("short-retention.json", short_retention()),
        ("no-alarm.json", no_alarm()),
        ("key-rotation-off.json", key_rotation_off()),
    ]
}

#[test]
fn fixtures_are_up_to_date() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    for (file, builder) in fixtures() {
        let path = dir.join(file);
        let json = builder.to_json();
        if update {
            std::fs::write(&path, &json).expect("fixture written");
        } else {
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                on_disk == json,
                "{} is stale: run `UPDATE_FIXTURES=1 cargo test -p acme-security-rules`",
                path.display()
            );
        }
    }
}

#[test]
fn fixture_cases() {
    let ran = assert_cases(&pack(), concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases"));
    assert!(ran >= 8, "{ran} cases");
}
