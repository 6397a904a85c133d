//! TW-KMS-005: alarms on the expiry countdown of imported key material, and the expiry itself.

mod common;

use common::*;
use serde_json::{Value, json};
use trailwarden_sdk::snapshot::{Dimension, MetricDataQuery};
use trailwarden_sdk::testing::{SectionName, SnapshotBuilder};
use trailwarden_sdk::{Finding, Outcome};

const RULE: &str = "TW-KMS-005";
const NOW: &str = "2024-05-20T12:00:00Z";
const FAR: &str = "2025-01-01T00:00:00Z";
const COUNTDOWN: &str = "SecondsUntilKeyMaterialExpiration";

/// us-east-1 with key [`KEY_ID`], its material imported and expiring at `valid_to`, and the
/// `security-alerts` topic (confirmed).
fn keyed(valid_to: Option<&str>) -> SnapshotBuilder {
    SnapshotBuilder::new()
        .region(REGION)
        .imported_kms_key(KEY_ID, valid_to)
        .topic("security-alerts")
}

/// [`keyed`], expiring far away.
fn account() -> SnapshotBuilder {
    keyed(Some(FAR))
}

fn key_dimension(value: &str) -> Vec<Dimension> {
    vec![Dimension {
        name: "KeyId".to_owned(),
        value: value.to_owned(),
    }]
}

fn key_arn() -> String {
    format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}")
}

/// `account` with an alarm on the `Minimum` of the countdown with these dimensions, notifying
/// `security-alerts`.
fn alarm(
    account: SnapshotBuilder,
    name: &str,
    dimensions: Vec<Dimension>,
    operator: &str,
    threshold: Option<f64>,
) -> SnapshotBuilder {
    account
        .alarm(name, "AWS/KMS", COUNTDOWN, "security-alerts")
        .alarm_statistic(name, "Minimum")
        .alarm_comparison(name, operator)
        .edit_alarm(name, |alarm| {
            alarm.dimensions = dimensions.clone();
            alarm.threshold = threshold;
        })
}

/// `account` with the alarm that passes: 30 days left on [`KEY_ID`].
fn good_alarm(account: SnapshotBuilder) -> SnapshotBuilder {
    alarm(
        account,
        "kms-material-expiry",
        key_dimension(KEY_ID),
        "LessThanThreshold",
        Some(2_592_000.0),
    )
}

fn check(account: SnapshotBuilder) -> Vec<Finding> {
    run_at(RULE, &account.build(), Value::Null, Some(NOW)).0
}

#[test]
fn alarm_with_low_side_threshold_that_notifies_passes() {
    let findings = check(good_alarm(account()));
    assert!(findings.is_empty(), "{findings:#?}");
    let or_equal =
        good_alarm(account()).alarm_comparison("kms-material-expiry", "LessThanOrEqualToThreshold");
    assert!(check(or_equal).is_empty());
}

#[test]
fn no_alarm_fails_on_the_key() {
    let findings = check(account());
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
    let here = SnapshotBuilder::new()
        .region(REGION)
        .imported_kms_key(KEY_ID, Some(FAR));
    let findings = check(good_alarm(here.region("eu-west-1")));
    assert_eq!(verdicts(&findings), fail("NO_EXPIRATION_ALARM"));
}

#[test]
fn dimensions_must_be_exactly_the_key_id() {
    let mut extra = key_dimension(KEY_ID);
    extra.push(Dimension {
        name: "Region".to_owned(),
        value: REGION.to_owned(),
    });
    for dimensions in [key_dimension(&key_arn()), extra] {
        let findings = check(alarm(
            account(),
            "expiry",
            dimensions,
            "LessThanThreshold",
            Some(86_400.0),
        ));
        assert_eq!(verdicts(&findings), fail("ALARM_DIMENSIONS_MISMATCH"));
        assert!(
            findings[0].message.contains("sees no data"),
            "{}",
            findings[0].message
        );
        assert!(findings[0].related.iter().any(|r| r.name == "expiry"));
    }
    let other_key = alarm(
        account(),
        "other",
        key_dimension("0987dcba-09fe-87dc-65ba-ab0987654321"),
        "LessThanThreshold",
        Some(1.0),
    );
    assert_eq!(verdicts(&check(other_key)), fail("NO_EXPIRATION_ALARM"));
}

#[test]
fn comparison_must_be_low_side() {
    for operator in [
        "GreaterThanThreshold",
        "GreaterThanOrEqualToThreshold",
        "LessThanLowerThreshold",
    ] {
        let findings = check(alarm(
            account(),
            "expiry",
            key_dimension(KEY_ID),
            operator,
            Some(86_400.0),
        ));
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
    for threshold in [Some(0.0), Some(-5.0), None] {
        let findings = check(alarm(
            account(),
            "expiry",
            key_dimension(KEY_ID),
            "LessThanThreshold",
            threshold,
        ));
        assert_eq!(
            verdicts(&findings),
            fail("ALARM_THRESHOLD_NOT_POSITIVE"),
            "{threshold:?}"
        );
    }
}

#[test]
fn alarm_must_tell_someone() {
    let name = "kms-material-expiry";
    let disabled = good_alarm(account()).edit_alarm(name, |a| a.actions_enabled = false);
    let no_actions = good_alarm(account()).edit_alarm(name, |a| a.alarm_actions.clear());
    let missing = good_alarm(account()).edit_alarm(name, |a| {
        a.alarm_actions = vec![topic_arn(REGION, "deleted-topic")];
    });
    let cases = [
        (disabled, "ALARM_ACTIONS_DISABLED"),
        (no_actions, "ALARM_NO_ACTIONS"),
        (missing, "TOPIC_MISSING"),
    ];
    for (account, reason) in cases {
        let findings = check(account);
        assert_eq!(verdicts(&findings), fail(reason), "{reason}");
        assert!(
            findings[0].message.contains("tells nobody"),
            "{}",
            findings[0].message
        );
    }
    let pending = good_alarm(account()).edit_topic("security-alerts", |topic| {
        topic.subscriptions[0].subscription_arn = "PendingConfirmation".to_owned();
    });
    let findings = check(pending);
    assert_eq!(verdicts(&findings), fail("TOPIC_NO_CONFIRMED_SUBSCRIPTION"));
    let alerts = topic_arn(REGION, "security-alerts");
    assert!(findings[0].related.iter().any(|r| r.arn == alerts));
}

#[test]
fn unreadable_notification_is_unverifiable() {
    let foreign = good_alarm(account()).edit_alarm("kms-material-expiry", |a| {
        a.alarm_actions = vec!["arn:aws:sns:us-east-1:999988887777:central".to_owned()];
    });
    assert_eq!(
        verdicts(&check(foreign)),
        unverifiable("ALARM_NOTIFY_UNVERIFIABLE")
    );
}

/// `account` with the metric-math alarm `expiry-math` (7 days left) on these queries, given
/// as `DescribeAlarms` returns them.
fn math_alarm(account: SnapshotBuilder, queries: Value) -> SnapshotBuilder {
    let queries: Vec<MetricDataQuery> = serde_json::from_value(queries).expect("queries parse");
    account
        .alarm("expiry-math", "AWS/KMS", COUNTDOWN, "security-alerts")
        .alarm_comparison("expiry-math", "LessThanThreshold")
        .edit_alarm("expiry-math", |alarm| {
            alarm.namespace = None;
            alarm.metric_name = None;
            alarm.statistic = None;
            alarm.period = None;
            alarm.threshold = Some(604_800.0);
            alarm.metrics = queries.clone();
        })
}

fn countdown_query(id: &str, return_data: bool) -> Value {
    json!({
        "id": id,
        "returnData": return_data,
        "metricStat": {
            "metric": {
                "namespace": "AWS/KMS",
                "metricName": COUNTDOWN,
                "dimensions": [{ "name": "KeyId", "value": KEY_ID }]
            },
            "period": 300,
            "stat": "Minimum"
        }
    })
}

#[test]
fn metric_math_alarms_that_return_the_metric_count() {
    let direct = math_alarm(account(), json!([countdown_query("m1", true)]));
    assert!(check(direct).is_empty());
    let via_id = math_alarm(
        account(),
        json!([
            countdown_query("m1", false),
            { "id": "e1", "expression": " m1 ", "returnData": true }
        ]),
    );
    assert!(check(via_id).is_empty());
    let defaulted = math_alarm(
        account(),
        json!([
            { "id": "m1", "metricStat": countdown_query("m1", true)["metricStat"] },
            { "id": "e1", "expression": "m1" }
        ]),
    );
    assert!(check(defaulted).is_empty(), "ReturnData left out on both");
}

/// The case where this rule and the chain analysis used to disagree: an anomaly alarm returns
/// its band too, and this rule took the band for the alarm's value (then reported the band's
/// expression as not verifiable). The band is the threshold; the value is the countdown, and
/// an anomaly comparison is not the low-side threshold the rule asks for.
#[test]
fn an_anomaly_band_is_not_taken_for_the_alarms_value() {
    let anomaly = math_alarm(
        account(),
        json!([
            countdown_query("m1", true),
            { "id": "ad1", "expression": "ANOMALY_DETECTION_BAND(m1, 2)", "returnData": true }
        ]),
    )
    .alarm_comparison("expiry-math", "LessThanLowerThreshold")
    .edit_alarm("expiry-math", |alarm| {
        alarm.threshold_metric_id = Some("ad1".to_owned());
        alarm.threshold = None;
    });
    let findings = check(anomaly);
    assert_eq!(
        verdicts(&findings),
        fail("ALARM_NOT_LOW_SIDE"),
        "{findings:#?}"
    );
}

#[test]
fn other_expressions_are_unverifiable() {
    let scaled = math_alarm(
        account(),
        json!([
            countdown_query("m1", false),
            { "id": "e1", "expression": "m1 / 86400", "returnData": true }
        ]),
    );
    let findings = check(scaled);
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
        account(),
        "a-by-arn",
        key_dimension(&key_arn()),
        "LessThanThreshold",
        Some(1.0),
    );
    let wrong_side = alarm(
        wrong_dimension,
        "b-greater",
        key_dimension(KEY_ID),
        "GreaterThanThreshold",
        Some(1.0),
    );
    let findings = check(wrong_side);
    assert_eq!(verdicts(&findings), fail("ALARM_NOT_LOW_SIDE"));
    assert!(
        findings[0].message.contains("`b-greater`"),
        "{}",
        findings[0].message
    );
    let one_good = alarm(
        account(),
        "x",
        key_dimension(KEY_ID),
        "GreaterThanThreshold",
        Some(1.0),
    );
    assert!(
        check(good_alarm(one_good)).is_empty(),
        "one good alarm is enough"
    );
}

#[test]
fn material_expiring_soon_is_its_own_finding() {
    let findings = check(account());
    assert_eq!(verdicts(&findings), fail("NO_EXPIRATION_ALARM"));
    let findings = check(good_alarm(keyed(Some("2024-05-30T18:00:00Z"))));
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

    let hours = good_alarm(keyed(Some("2024-05-20T15:00:00+00:00")));
    assert!(check(hours)[0].message.contains("less than a day"));
}

#[test]
fn material_already_expired_is_reported_as_such() {
    let findings = check(good_alarm(keyed(Some("2024-05-19T00:00:00Z"))));
    assert_eq!(verdicts(&findings), fail("KEY_MATERIAL_EXPIRED"));
    assert_eq!(findings[0].level, Some(trailwarden_sdk::Level::Error));
}

#[test]
fn warning_period_is_configurable() {
    let in_40_days = good_alarm(keyed(Some("2024-06-29T12:00:00Z")));
    assert!(check(in_40_days.clone()).is_empty(), "default 30 days");
    let (findings, _) = run_at(
        RULE,
        &in_40_days.build(),
        json!({ "expiry_warning_days": 60 }),
        Some(NOW),
    );
    assert_eq!(verdicts(&findings), fail("KEY_MATERIAL_EXPIRES_SOON"));
    assert_eq!(findings[0].properties["daysLeft"], json!(40));
}

#[test]
fn without_run_time_expiry_is_unverifiable_and_alarms_still_checked() {
    let snapshot = keyed(Some("2024-05-21T00:00:00Z")).build();
    let (findings, _) = run_at(RULE, &snapshot, Value::Null, None);
    assert_eq!(
        verdicts(&findings),
        vec![
            (Outcome::Fail, "NO_EXPIRATION_ALARM"),
            (Outcome::Unverifiable, "EXPIRY_NOT_VERIFIABLE"),
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
        let findings = check(good_alarm(keyed(valid_to)));
        assert_eq!(
            verdicts(&findings),
            unverifiable("VALID_TO_UNKNOWN"),
            "{valid_to:?}"
        );
    }
}

#[test]
fn only_enabled_customer_keys_with_expiring_material_are_checked() {
    let soon = Some("2024-05-21T00:00:00Z");
    let account = SnapshotBuilder::new()
        .region(REGION)
        .topic("security-alerts")
        .kms_key("native")
        .imported_kms_key("forever", None)
        .kms_key_expiration_model("forever", Some("KEY_MATERIAL_DOES_NOT_EXPIRE"))
        .imported_kms_key("disabled", soon)
        .kms_key_state("disabled", "Disabled")
        .imported_kms_key("pending", None)
        .kms_key_state("pending", "PendingImport")
        .imported_kms_key("aws", soon)
        .kms_key_manager("aws", "AWS");
    let findings = check(account);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn each_key_is_judged_on_its_own() {
    let second = "0987dcba-09fe-87dc-65ba-ab0987654321";
    let findings = check(good_alarm(account().imported_kms_key(second, Some(FAR))));
    assert_eq!(verdicts(&findings), fail("NO_EXPIRATION_ALARM"));
    assert_eq!(
        findings[0].resource.as_ref().map(|r| r.name.as_str()),
        Some(second)
    );
}

#[test]
fn incomplete_sections_are_unverifiable() {
    let keys = SnapshotBuilder::new()
        .region(REGION)
        .imported_kms_key(KEY_ID, Some(FAR));
    let findings = check(keys.access_denied(SectionName::MetricAlarms));
    assert_eq!(verdicts(&findings), unverifiable("ALARMS_NOT_COLLECTED"));
    assert!(
        findings[0].message.contains("cloudwatch:DescribeAlarms"),
        "{}",
        findings[0].message
    );

    let keys_denied = SnapshotBuilder::new()
        .region(REGION)
        .access_denied(SectionName::KmsKeys);
    assert_eq!(
        verdicts(&check(keys_denied)),
        unverifiable("KMS_KEYS_NOT_COLLECTED")
    );

    let no_keys = SnapshotBuilder::new()
        .region(REGION)
        .access_denied(SectionName::MetricAlarms);
    assert!(
        check(no_keys).is_empty(),
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
    let other = math_alarm(
        account(),
        json!([
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
        ]),
    );
    assert_eq!(verdicts(&check(other)), fail("NO_EXPIRATION_ALARM"));
}

/// Issue #19: a covering alarm whose topic's deliveries partly fail passes with the warning the
/// chain rules give (`TOPIC_DELIVERIES_PARTLY_FAILING`).
#[test]
fn partly_failing_deliveries_warn_like_the_chain_rules() {
    let findings = check(good_alarm(account()).topic_deliveries("security-alerts", 4, 1));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].reason, "TOPIC_DELIVERIES_PARTLY_FAILING");
    assert_eq!(findings[0].level, Some(trailwarden_sdk::Level::Warning));
    assert!(
        findings[0].message.contains("1 failed"),
        "{}",
        findings[0].message
    );
    assert!(check(good_alarm(account()).topic_deliveries("security-alerts", 4, 0)).is_empty());
}
