//! TW-KMS-001…003 on the compliant KMS-chain fixture with one link broken. (The fixture itself
//! is a case of `tests/cases`.)
//!
//! The chain itself is tested link by link in the SDK (`sdk/src/chain/tests.rs`); these tests
//! hold each rule to its requirement: which events it demands, in which alarm mode, and its
//! settings.

mod common;

use common::{REGION, fail, run, unverifiable, verdicts};
use serde_json::{Value, json};
use trailwarden_rules_kms::pack;
use trailwarden_sdk::snapshot::ReadWriteType;
use trailwarden_sdk::testing::{SectionName, SnapshotBuilder};
use trailwarden_sdk::{Level, RuleError, Snapshot};

/// The compliant KMS-chain fixture, in us-east-1.
fn fixture() -> SnapshotBuilder {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/snapshots/kms-chain-compliant.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture exists");
    SnapshotBuilder::from_snapshot(Snapshot::from_json(&text).expect("fixture parses"))
        .region(REGION)
}

fn try_run(
    rule: &str,
    account: SnapshotBuilder,
    settings: Value,
) -> Result<Vec<trailwarden_sdk::Finding>, RuleError> {
    pack().run_rule(rule, &account.build(), settings)
}

#[test]
fn kms001_needs_one_event_to_fire() {
    let account = fixture().edit_alarm("kms-key-changes", |alarm| alarm.threshold = Some(3.0));
    assert_eq!(
        verdicts(&run("TW-KMS-001", account, Value::Null)),
        fail("ALARM_CANNOT_FIRE")
    );

    let account = fixture().edit_filter("kms-key-changes", |filter| {
        filter.filter_pattern =
            "{ $.eventSource = kms.amazonaws.com && $.eventName = DisableKey }".to_owned();
    });
    let found = run("TW-KMS-001", account, Value::Null);
    assert_eq!(found[0].reason, "FILTER_DOES_NOT_MATCH");
    assert!(
        found[0].message.contains("ScheduleKeyDeletion"),
        "{}",
        found[0].message
    );
}

#[test]
fn kms001_strict_cis_notes_working_filters_security_hub_would_fail() {
    let strict = json!({"strict_cis": true});
    assert_eq!(run("TW-KMS-001", fixture(), strict.clone()), vec![]);

    let account = fixture().edit_filter("kms-key-changes", |filter| {
        filter.filter_pattern = r#"{ $.eventSource = "kms.amazonaws.com" && ($.eventName = "DisableKey" || $.eventName = "ScheduleKeyDeletion") }"#.to_owned();
    });
    assert_eq!(
        run("TW-KMS-001", account.clone(), Value::Null),
        vec![],
        "semantics pass"
    );
    let found = run("TW-KMS-001", account, strict);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].reason, "PATTERN_NOT_CIS_TEXT");
    assert_eq!(found[0].level, Some(Level::Note));
    assert_eq!(
        found[0].properties["regions"],
        json!(["us-east-1", "eu-west-1"])
    );

    let error = try_run("TW-KMS-001", fixture(), json!({"strict": true})).unwrap_err();
    assert!(
        error.to_string().contains("unknown field `strict`"),
        "{error}"
    );
}

/// A log alarm (an alarm on a CloudWatch Logs scheduled query) on the trail's log group covers
/// TW-KMS-001 when the metric filter does not; `strict_cis` then notes that a text-comparing
/// checker, which reads metric filters only, disagrees.
#[test]
fn kms001_a_log_alarm_covers_where_the_filter_does_not() {
    let broken = || {
        fixture().edit_filter("kms-key-changes", |filter| {
            filter.filter_pattern = "{ $.eventName = CreateKey }".to_owned();
        })
    };
    assert_eq!(
        verdicts(&run("TW-KMS-001", broken(), Value::Null)),
        fail("FILTER_DOES_NOT_MATCH")
    );
    let query = "filter eventSource = \"kms.amazonaws.com\" and eventName in [\"DisableKey\", \"ScheduleKeyDeletion\"]";
    let with_log_alarm = || {
        broken().log_alarm(
            "kms-log-alarm",
            "aws-cloudtrail-logs-security",
            query,
            "security-alerts",
        )
    };
    assert_eq!(run("TW-KMS-001", with_log_alarm(), Value::Null), vec![]);
    let found = run("TW-KMS-001", with_log_alarm(), json!({"strict_cis": true}));
    assert_eq!(verdicts(&found), fail("PATTERN_NOT_CIS_TEXT"));
    assert!(
        found[0].message.contains("log alarm `kms-log-alarm`"),
        "{}",
        found[0].message
    );
    // The same log alarm with a query on one event only leaves ScheduleKeyDeletion uncovered.
    let narrow = broken().log_alarm(
        "kms-log-alarm",
        "aws-cloudtrail-logs-security",
        "filter eventName = \"DisableKey\"",
        "security-alerts",
    );
    let found = run("TW-KMS-001", narrow, Value::Null);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.contains("ScheduleKeyDeletion"),
        "{}",
        found[0].message
    );
}

#[test]
fn kms002_counts_failures_with_a_rising_count() {
    let account = fixture().alarm_statistic("kms-failed-calls", "Average");
    assert_eq!(
        verdicts(&run("TW-KMS-002", account, Value::Null)),
        fail("ALARM_STATISTIC_NOT_COUNT")
    );

    // A filter on Decrypt failures alone misses the refused Encrypt.
    let account = fixture().edit_filter("kms-failed-calls", |filter| {
        filter.filter_pattern = "{ $.eventName = Decrypt && $.errorCode = * }".to_owned();
    });
    let found = run("TW-KMS-002", account, Value::Null);
    assert_eq!(found[0].reason, "FILTER_DOES_NOT_MATCH");
    assert_eq!(
        found[0].properties["event"],
        "Encrypt (AccessDeniedException)"
    );

    // A write-only trail drops the read-only failed Decrypt, and TW-KMS-001 still passes.
    let write_only = |account: SnapshotBuilder| {
        account.edit_region(|region| {
            let selectors = region.trails.items[0].event_selectors.as_mut();
            selectors.expect("home region trail").event_selectors[0].read_write_type =
                ReadWriteType::WriteOnly;
        })
    };
    assert_eq!(
        verdicts(&run("TW-KMS-002", write_only(fixture()), Value::Null)),
        fail("TRAIL_DROPS_EVENT")
    );
    assert_eq!(
        run("TW-KMS-001", write_only(fixture()), Value::Null),
        vec![]
    );
}

#[test]
fn kms003_watches_the_configured_operations() {
    let both = json!({"operations": ["Decrypt", "GenerateDataKey"]});
    let found = run("TW-KMS-003", fixture(), both);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].properties["event"], "GenerateDataKey");

    let account = fixture().alarm_comparison("kms-decrypt-volume", "LessThanThreshold");
    assert_eq!(
        verdicts(&run("TW-KMS-003", account, Value::Null)),
        fail("ALARM_WRONG_DIRECTION")
    );

    let error = try_run("TW-KMS-003", fixture(), json!({"operations": ["Decript"]})).unwrap_err();
    assert!(matches!(error, RuleError::Settings(_)), "{error}");
    assert!(error.to_string().contains("`Decript`"), "{error}");
    let error = try_run("TW-KMS-003", fixture(), json!({"operations": []})).unwrap_err();
    assert!(error.to_string().contains("at least one"), "{error}");
}

#[test]
fn chain_rules_say_could_not_verify_when_data_is_missing() {
    for rule in ["TW-KMS-001", "TW-KMS-002", "TW-KMS-003"] {
        let account = fixture().access_denied(SectionName::MetricFilters);
        assert_eq!(
            verdicts(&run(rule, account, Value::Null)),
            unverifiable("METRIC_FILTERS_NOT_COLLECTED"),
            "{rule}"
        );
    }
}
