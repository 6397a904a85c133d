//! TW-KMS-001…003 on the compliant KMS-chain fixture, and on it with one link broken.
//!
//! The chain itself is tested link by link in the SDK (`sdk/src/chain/tests.rs`); these tests
//! hold each rule to its requirement: which events it demands, in which alarm mode, and its
//! settings.

use std::path::PathBuf;

use serde_json::{Value, json};
use trailwarden_rules_kms::pack;
use trailwarden_sdk::{Finding, Level, Outcome, RuleError, Snapshot};

fn fixture() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/snapshots/kms-chain-compliant.json");
    let text = std::fs::read_to_string(path).expect("fixture exists");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn run(rule: &str, account: &Value, settings: Value) -> Result<Vec<Finding>, RuleError> {
    let snapshot = Snapshot::from_json(&account.to_string()).expect("fixture parses");
    pack().run_rule(rule, &snapshot, settings)
}

fn findings(rule: &str, account: &Value) -> Vec<Finding> {
    run(rule, account, Value::Null).expect("rule runs")
}

fn reasons(rule: &str, account: &Value) -> Vec<(Outcome, String)> {
    findings(rule, account)
        .into_iter()
        .map(|f| {
            assert_eq!(f.rule_id, rule);
            assert!(!f.message.ends_with('.'), "{}", f.message);
            (f.outcome, f.reason)
        })
        .collect()
}

fn fail(reason: &str) -> Vec<(Outcome, String)> {
    vec![(Outcome::Fail, reason.to_owned())]
}

/// The filter or alarm named `name` in us-east-1.
fn item<'a>(account: &'a mut Value, section: &str, key: &str, name: &str) -> &'a mut Value {
    account["regions"][0][section]["items"]
        .as_array_mut()
        .expect("section items")
        .iter_mut()
        .find(|item| item[key] == name)
        .expect("named item exists")
}

fn filter<'a>(account: &'a mut Value, name: &str) -> &'a mut Value {
    item(account, "metricFilters", "filterName", name)
}

fn alarm<'a>(account: &'a mut Value, name: &str) -> &'a mut Value {
    item(account, "metricAlarms", "alarmName", name)
}

#[test]
fn the_compliant_account_passes_every_chain_rule() {
    for rule in ["TW-KMS-001", "TW-KMS-002", "TW-KMS-003"] {
        assert_eq!(reasons(rule, &fixture()), vec![], "{rule}");
    }
}

#[test]
fn kms001_needs_one_event_to_fire() {
    let mut account = fixture();
    alarm(&mut account, "kms-key-changes")["threshold"] = json!(3.0);
    assert_eq!(reasons("TW-KMS-001", &account), fail("ALARM_CANNOT_FIRE"));

    let mut account = fixture();
    filter(&mut account, "kms-key-changes")["filterPattern"] =
        json!("{ $.eventSource = kms.amazonaws.com && $.eventName = DisableKey }");
    let found = findings("TW-KMS-001", &account);
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
    assert_eq!(
        run("TW-KMS-001", &fixture(), strict.clone()).unwrap(),
        vec![]
    );

    let mut account = fixture();
    filter(&mut account, "kms-key-changes")["filterPattern"] = json!(
        r#"{ $.eventSource = "kms.amazonaws.com" && ($.eventName = "DisableKey" || $.eventName = "ScheduleKeyDeletion") }"#
    );
    assert_eq!(reasons("TW-KMS-001", &account), vec![], "semantics pass");
    let found = run("TW-KMS-001", &account, strict).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].reason, "PATTERN_NOT_CIS_TEXT");
    assert_eq!(found[0].level, Some(Level::Note));
    assert_eq!(
        found[0].properties["regions"],
        json!(["us-east-1", "eu-west-1"])
    );

    let error = run("TW-KMS-001", &fixture(), json!({"strict": true})).unwrap_err();
    assert!(
        error.to_string().contains("unknown field `strict`"),
        "{error}"
    );
}

#[test]
fn kms002_counts_failures_with_a_rising_count() {
    let mut account = fixture();
    alarm(&mut account, "kms-failed-calls")["statistic"] = json!("Average");
    assert_eq!(
        reasons("TW-KMS-002", &account),
        fail("ALARM_STATISTIC_NOT_COUNT")
    );

    // A filter on Decrypt failures alone misses the refused Encrypt.
    let mut account = fixture();
    filter(&mut account, "kms-failed-calls")["filterPattern"] =
        json!("{ $.eventName = Decrypt && $.errorCode = * }");
    let found = findings("TW-KMS-002", &account);
    assert_eq!(found[0].reason, "FILTER_DOES_NOT_MATCH");
    assert_eq!(
        found[0].properties["event"],
        "Encrypt (AccessDeniedException)"
    );

    // A write-only trail drops the read-only failed Decrypt, and TW-KMS-001 still passes.
    let mut account = fixture();
    account["regions"][0]["trails"]["items"][0]["eventSelectors"]["eventSelectors"][0]["readWriteType"] =
        json!("WriteOnly");
    assert_eq!(reasons("TW-KMS-002", &account), fail("TRAIL_DROPS_EVENT"));
    assert_eq!(reasons("TW-KMS-001", &account), vec![]);
}

#[test]
fn kms003_watches_the_configured_operations() {
    let both = json!({"operations": ["Decrypt", "GenerateDataKey"]});
    let found = run("TW-KMS-003", &fixture(), both).unwrap();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].properties["event"], "GenerateDataKey");

    let mut account = fixture();
    alarm(&mut account, "kms-decrypt-volume")["comparisonOperator"] = json!("LessThanThreshold");
    assert_eq!(
        reasons("TW-KMS-003", &account),
        fail("ALARM_WRONG_DIRECTION")
    );

    let error = run("TW-KMS-003", &fixture(), json!({"operations": ["Decript"]})).unwrap_err();
    assert!(matches!(error, RuleError::Settings(_)), "{error}");
    assert!(error.to_string().contains("`Decript`"), "{error}");
    let error = run("TW-KMS-003", &fixture(), json!({"operations": []})).unwrap_err();
    assert!(error.to_string().contains("at least one"), "{error}");
}

#[test]
fn chain_rules_say_could_not_verify_when_data_is_missing() {
    let mut account = fixture();
    account["regions"][0]["metricFilters"] = json!({"errors": [{
        "service": "logs", "operation": "DescribeMetricFilters", "region": "us-east-1",
        "code": "AccessDeniedException"
    }]});
    for rule in ["TW-KMS-001", "TW-KMS-002", "TW-KMS-003"] {
        assert_eq!(
            reasons(rule, &account),
            vec![(
                Outcome::Unverifiable,
                "METRIC_FILTERS_NOT_COLLECTED".to_owned()
            )],
            "{rule}"
        );
    }
}
