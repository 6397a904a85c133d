//! TW-KMS-005: alarms on the expiry countdown of imported key material, and the expiry itself.

mod common;

use common::*;
use serde_json::{Value, json};
use trailwarden_sdk::{Finding, Outcome};

const RULE: &str = "TW-KMS-005";
const NOW: &str = "2024-05-20T12:00:00Z";
const FAR: &str = "2025-01-01T00:00:00Z";

fn imported(id: &str, valid_to: Option<&str>) -> Value {
    let mut key = cmk(id, REGION);
    key["origin"] = json!("EXTERNAL");
    key["expirationModel"] = json!("KEY_MATERIAL_EXPIRES");
    if let Some(valid_to) = valid_to {
        key["validTo"] = json!(valid_to);
    }
    key
}

fn alerts() -> String {
    topic_arn(REGION, "security-alerts")
}

fn alarm(name: &str, dimensions: Value, operator: &str, threshold: f64) -> Value {
    json!({
        "alarmName": name,
        "alarmArn": format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"),
        "alarmActions": [alerts()],
        "namespace": "AWS/KMS",
        "metricName": "SecondsUntilKeyMaterialExpiration",
        "statistic": "Minimum",
        "dimensions": dimensions,
        "period": 300,
        "threshold": threshold,
        "comparisonOperator": operator
    })
}

fn key_dimension(value: &str) -> Value {
    json!([{ "name": "KeyId", "value": value }])
}

fn good_alarm() -> Value {
    alarm(
        "kms-material-expiry",
        key_dimension(KEY_ID),
        "LessThanThreshold",
        2_592_000.0,
    )
}

fn account(keys: Value, alarms: Value) -> trailwarden_sdk::Snapshot {
    let r = with(region(REGION), "kmsKeys", keys);
    let r = with(r, "topics", json!([topic(REGION, "security-alerts", true)]));
    snapshot(vec![with(r, "metricAlarms", alarms)])
}

fn check(snapshot: &trailwarden_sdk::Snapshot) -> Vec<Finding> {
    run_at(RULE, snapshot, Value::Null, Some(NOW)).0
}

fn check_alarms(alarms: Value) -> Vec<Finding> {
    check(&account(json!([imported(KEY_ID, Some(FAR))]), alarms))
}

#[test]
fn alarm_with_low_side_threshold_that_notifies_passes() {
    let findings = check_alarms(json!([good_alarm()]));
    assert!(findings.is_empty(), "{findings:#?}");
    let mut or_equal = good_alarm();
    or_equal["comparisonOperator"] = json!("LessThanOrEqualToThreshold");
    assert!(check_alarms(json!([or_equal])).is_empty());
}

#[test]
fn no_alarm_fails_on_the_key() {
    let findings = check_alarms(json!([]));
    assert_eq!(verdicts(&findings), fail("NO_EXPIRATION_ALARM"));
    let finding = &findings[0];
    assert_eq!(
        finding.resource.as_ref().map(|r| r.name.as_str()),
        Some(KEY_ID)
    );
    assert_eq!(finding.region.as_deref(), Some(REGION));
    assert!(
        finding.message.contains(&format!("KeyId={KEY_ID}")),
        "{}",
        finding.message
    );
}

#[test]
fn alarm_in_another_region_does_not_count() {
    let here = with(
        region(REGION),
        "kmsKeys",
        json!([imported(KEY_ID, Some(FAR))]),
    );
    let there = with(region("eu-west-1"), "metricAlarms", json!([good_alarm()]));
    let findings = check(&snapshot(vec![here, there]));
    assert_eq!(verdicts(&findings), fail("NO_EXPIRATION_ALARM"));
}

#[test]
fn dimensions_must_be_exactly_the_key_id() {
    let arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}");
    let extra = json!([
        { "name": "KeyId", "value": KEY_ID },
        { "name": "Region", "value": REGION }
    ]);
    for dimensions in [key_dimension(&arn), extra] {
        let findings = check_alarms(json!([alarm(
            "expiry",
            dimensions,
            "LessThanThreshold",
            86_400.0
        )]));
        assert_eq!(verdicts(&findings), fail("ALARM_DIMENSIONS_MISMATCH"));
        assert!(
            findings[0].message.contains("sees no data"),
            "{}",
            findings[0].message
        );
        assert!(findings[0].related.iter().any(|r| r.name == "expiry"));
    }
    let other_key = alarm(
        "other",
        key_dimension("0987dcba-09fe-87dc-65ba-ab0987654321"),
        "LessThanThreshold",
        1.0,
    );
    assert_eq!(
        verdicts(&check_alarms(json!([other_key]))),
        fail("NO_EXPIRATION_ALARM")
    );
}

#[test]
fn comparison_must_be_low_side() {
    for operator in [
        "GreaterThanThreshold",
        "GreaterThanOrEqualToThreshold",
        "LessThanLowerThreshold",
    ] {
        let findings = check_alarms(json!([alarm(
            "expiry",
            key_dimension(KEY_ID),
            operator,
            86_400.0
        )]));
        assert_eq!(
            verdicts(&findings),
            fail("ALARM_NOT_LOW_SIDE"),
            "{operator}"
        );
        assert!(
            findings[0].message.contains(operator),
            "{}",
            findings[0].message
        );
    }
}

#[test]
fn threshold_must_be_positive() {
    for threshold in [0.0, -5.0] {
        let findings = check_alarms(json!([alarm(
            "expiry",
            key_dimension(KEY_ID),
            "LessThanThreshold",
            threshold
        )]));
        assert_eq!(verdicts(&findings), fail("ALARM_THRESHOLD_NOT_POSITIVE"));
    }
    let mut none = good_alarm();
    none.as_object_mut().map(|o| o.remove("threshold"));
    assert_eq!(
        verdicts(&check_alarms(json!([none]))),
        fail("ALARM_THRESHOLD_NOT_POSITIVE")
    );
}

#[test]
fn alarm_must_tell_someone() {
    let mut disabled = good_alarm();
    disabled["actionsEnabled"] = json!(false);
    let mut no_actions = good_alarm();
    no_actions["alarmActions"] = json!([]);
    let mut missing = good_alarm();
    missing["alarmActions"] = json!([topic_arn(REGION, "deleted-topic")]);
    let cases = [
        (disabled, "ALARM_ACTIONS_DISABLED"),
        (no_actions, "ALARM_NO_ACTIONS"),
        (missing, "TOPIC_MISSING"),
    ];
    for (alarm, reason) in cases {
        let findings = check_alarms(json!([alarm]));
        assert_eq!(verdicts(&findings), fail(reason), "{reason}");
        assert!(
            findings[0].message.contains("tells nobody"),
            "{}",
            findings[0].message
        );
    }
    let r = with(
        region(REGION),
        "kmsKeys",
        json!([imported(KEY_ID, Some(FAR))]),
    );
    let r = with(
        r,
        "topics",
        json!([topic(REGION, "security-alerts", false)]),
    );
    let findings = check(&snapshot(vec![with(
        r,
        "metricAlarms",
        json!([good_alarm()]),
    )]));
    assert_eq!(verdicts(&findings), fail("TOPIC_NO_CONFIRMED_SUBSCRIPTION"));
    assert!(findings[0].related.iter().any(|r| r.arn == alerts()));
}

#[test]
fn unreadable_notification_is_unverifiable() {
    let mut foreign = good_alarm();
    foreign["alarmActions"] = json!(["arn:aws:sns:us-east-1:999988887777:central"]);
    assert_eq!(
        verdicts(&check_alarms(json!([foreign]))),
        unverifiable("ALARM_NOTIFY_UNVERIFIABLE")
    );
}

fn math_alarm(queries: Value) -> Value {
    json!({
        "alarmName": "expiry-math",
        "alarmArn": format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:expiry-math"),
        "alarmActions": [alerts()],
        "threshold": 604_800.0,
        "comparisonOperator": "LessThanThreshold",
        "metrics": queries
    })
}

fn countdown_query(id: &str, return_data: bool) -> Value {
    json!({
        "id": id,
        "returnData": return_data,
        "metricStat": {
            "metric": {
                "namespace": "AWS/KMS",
                "metricName": "SecondsUntilKeyMaterialExpiration",
                "dimensions": key_dimension(KEY_ID)
            },
            "period": 300,
            "stat": "Minimum"
        }
    })
}

#[test]
fn metric_math_alarms_that_return_the_metric_count() {
    let direct = math_alarm(json!([countdown_query("m1", true)]));
    assert!(check_alarms(json!([direct])).is_empty());
    let via_id = math_alarm(json!([
        countdown_query("m1", false),
        { "id": "e1", "expression": " m1 ", "returnData": true }
    ]));
    assert!(check_alarms(json!([via_id])).is_empty());
    let defaulted = math_alarm(json!([
        { "id": "m1", "metricStat": countdown_query("m1", true)["metricStat"] },
        { "id": "e1", "expression": "m1" }
    ]));
    assert!(
        check_alarms(json!([defaulted])).is_empty(),
        "ReturnData left out on both"
    );
}

/// The case where this rule and the chain analysis used to disagree: an anomaly alarm returns
/// its band too, and this rule took the band for the alarm's value (then reported the band's
/// expression as not verifiable). The band is the threshold; the value is the countdown, and
/// an anomaly comparison is not the low-side threshold the rule asks for.
#[test]
fn an_anomaly_band_is_not_taken_for_the_alarms_value() {
    let mut anomaly = math_alarm(json!([
        countdown_query("m1", true),
        { "id": "ad1", "expression": "ANOMALY_DETECTION_BAND(m1, 2)", "returnData": true }
    ]));
    anomaly["thresholdMetricId"] = json!("ad1");
    anomaly["comparisonOperator"] = json!("LessThanLowerThreshold");
    anomaly.as_object_mut().map(|a| a.remove("threshold"));
    let findings = check_alarms(json!([anomaly]));
    assert_eq!(
        verdicts(&findings),
        fail("ALARM_NOT_LOW_SIDE"),
        "{findings:#?}"
    );
}

#[test]
fn other_expressions_are_unverifiable() {
    let scaled = math_alarm(json!([
        countdown_query("m1", false),
        { "id": "e1", "expression": "m1 / 86400", "returnData": true }
    ]));
    let findings = check_alarms(json!([scaled]));
    assert_eq!(
        verdicts(&findings),
        unverifiable("ALARM_EXPRESSION_UNVERIFIABLE")
    );
    assert!(
        findings[0].message.contains("m1 / 86400"),
        "{}",
        findings[0].message
    );
}

#[test]
fn closest_alarm_is_reported() {
    let wrong_dimension = alarm(
        "a-by-arn",
        key_dimension(&format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}")),
        "LessThanThreshold",
        1.0,
    );
    let wrong_side = alarm(
        "b-greater",
        key_dimension(KEY_ID),
        "GreaterThanThreshold",
        1.0,
    );
    let findings = check_alarms(json!([wrong_dimension, wrong_side]));
    assert_eq!(verdicts(&findings), fail("ALARM_NOT_LOW_SIDE"));
    assert!(
        findings[0].message.contains("`b-greater`"),
        "{}",
        findings[0].message
    );
    let findings = check_alarms(json!([
        alarm("x", key_dimension(KEY_ID), "GreaterThanThreshold", 1.0),
        good_alarm()
    ]));
    assert!(findings.is_empty(), "one good alarm is enough");
}

#[test]
fn material_expiring_soon_is_its_own_finding() {
    let findings = check_alarms(json!([]));
    assert_eq!(verdicts(&findings), fail("NO_EXPIRATION_ALARM"));
    let soon = account(
        json!([imported(KEY_ID, Some("2024-05-30T18:00:00Z"))]),
        json!([good_alarm()]),
    );
    let findings = check(&soon);
    assert_eq!(verdicts(&findings), fail("KEY_MATERIAL_EXPIRES_SOON"));
    let finding = &findings[0];
    assert!(
        finding.message.contains("2024-05-30T18:00:00Z"),
        "{}",
        finding.message
    );
    assert!(
        finding.message.contains("in 10 days"),
        "{}",
        finding.message
    );
    assert_eq!(finding.properties["daysLeft"], json!(10));
    assert_eq!(
        finding.resource.as_ref().map(|r| r.name.as_str()),
        Some(KEY_ID)
    );

    let hours = account(
        json!([imported(KEY_ID, Some("2024-05-20T15:00:00+00:00"))]),
        json!([good_alarm()]),
    );
    assert!(check(&hours)[0].message.contains("less than a day"));
}

#[test]
fn material_already_expired_is_reported_as_such() {
    let past = account(
        json!([imported(KEY_ID, Some("2024-05-19T00:00:00Z"))]),
        json!([good_alarm()]),
    );
    let findings = check(&past);
    assert_eq!(verdicts(&findings), fail("KEY_MATERIAL_EXPIRED"));
    assert_eq!(findings[0].level, Some(trailwarden_sdk::Level::Error));
}

#[test]
fn warning_period_is_configurable() {
    let in_40_days = account(
        json!([imported(KEY_ID, Some("2024-06-29T12:00:00Z"))]),
        json!([good_alarm()]),
    );
    assert!(check(&in_40_days).is_empty(), "default 30 days");
    let (findings, _) = run_at(
        RULE,
        &in_40_days,
        json!({ "expiry_warning_days": 60 }),
        Some(NOW),
    );
    assert_eq!(verdicts(&findings), fail("KEY_MATERIAL_EXPIRES_SOON"));
    assert_eq!(findings[0].properties["daysLeft"], json!(40));
}

#[test]
fn without_run_time_expiry_is_unverifiable_and_alarms_still_checked() {
    let snapshot = account(
        json!([imported(KEY_ID, Some("2024-05-21T00:00:00Z"))]),
        json!([]),
    );
    let findings = run(RULE, &snapshot, Value::Null);
    assert_eq!(
        verdicts(&findings),
        vec![
            (Outcome::Fail, "NO_EXPIRATION_ALARM".to_owned()),
            (Outcome::Unverifiable, "EXPIRY_NOT_VERIFIABLE".to_owned()),
        ]
    );
    assert!(
        findings[1].message.contains("no run time"),
        "{}",
        findings[1].message
    );
    let (findings, _) = run_at(RULE, &snapshot, Value::Null, Some("yesterday"));
    assert!(
        findings[1].message.contains("not an RFC 3339"),
        "{}",
        findings[1].message
    );
}

#[test]
fn unreadable_valid_to_is_unverifiable() {
    for valid_to in [None, Some("Jan 1, 2025")] {
        let findings = check(&account(
            json!([imported(KEY_ID, valid_to)]),
            json!([good_alarm()]),
        ));
        assert_eq!(
            verdicts(&findings),
            unverifiable("VALID_TO_UNKNOWN"),
            "{valid_to:?}"
        );
    }
}

#[test]
fn only_enabled_customer_keys_with_expiring_material_are_checked() {
    let native = cmk("native", REGION);
    let mut forever = imported("forever", None);
    forever["expirationModel"] = json!("KEY_MATERIAL_DOES_NOT_EXPIRE");
    let mut disabled = imported("disabled", Some("2024-05-21T00:00:00Z"));
    disabled["keyState"] = json!("Disabled");
    let mut pending_import = imported("pending", None);
    pending_import["keyState"] = json!("PendingImport");
    let mut aws = imported("aws", Some("2024-05-21T00:00:00Z"));
    aws["keyManager"] = json!("AWS");
    let findings = check(&account(
        json!([native, forever, disabled, pending_import, aws]),
        json!([]),
    ));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn each_key_is_judged_on_its_own() {
    let second = "0987dcba-09fe-87dc-65ba-ab0987654321";
    let findings = check(&account(
        json!([imported(KEY_ID, Some(FAR)), imported(second, Some(FAR))]),
        json!([good_alarm()]),
    ));
    assert_eq!(verdicts(&findings), fail("NO_EXPIRATION_ALARM"));
    assert_eq!(
        findings[0].resource.as_ref().map(|r| r.name.as_str()),
        Some(second)
    );
}

#[test]
fn incomplete_sections_are_unverifiable() {
    let keys = with(
        region(REGION),
        "kmsKeys",
        json!([imported(KEY_ID, Some(FAR))]),
    );
    let alarms_denied = set(
        keys.clone(),
        "metricAlarms",
        denied("cloudwatch", "DescribeAlarms"),
    );
    let findings = check(&snapshot(vec![alarms_denied]));
    assert_eq!(verdicts(&findings), unverifiable("ALARMS_NOT_COLLECTED"));
    assert!(
        findings[0].message.contains("cloudwatch:DescribeAlarms"),
        "{}",
        findings[0].message
    );

    let keys_denied = set(region(REGION), "kmsKeys", denied("kms", "ListKeys"));
    assert_eq!(
        verdicts(&check(&snapshot(vec![keys_denied]))),
        unverifiable("KMS_KEYS_NOT_COLLECTED")
    );

    let no_keys = set(
        region(REGION),
        "metricAlarms",
        denied("cloudwatch", "DescribeAlarms"),
    );
    assert!(
        check(&snapshot(vec![no_keys])).is_empty(),
        "alarms do not matter without such keys"
    );
}

#[test]
fn settings_are_checked() {
    assert!(settings_error(RULE, json!({ "expiry_warning_days": 0 })).contains("at least 1"));
    assert!(settings_error(RULE, json!({ "expiry_warning_days": -3 })).contains("invalid value"));
    assert!(settings_error(RULE, json!({ "warning_days": 10 })).contains("unknown field"));
}

#[test]
fn metric_math_alarm_returning_another_metric_does_not_count() {
    let other = math_alarm(json!([
        countdown_query("m1", false),
        {
            "id": "m2",
            "returnData": true,
            "metricStat": {
                "metric": { "namespace": "AWS/KMS", "metricName": "ExternalKeyStoreThrottle" },
                "period": 300,
                "stat": "Sum"
            }
        }
    ]));
    assert_eq!(
        verdicts(&check_alarms(json!([other]))),
        fail("NO_EXPIRATION_ALARM")
    );
}
