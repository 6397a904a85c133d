//! The chain analysis on one compliant account and on that account with one link broken.

use serde_json::{Value, json};

use super::{AlarmMode, Requirement, analyse};
use crate::events::kms;
use crate::finding::{Finding, Outcome};
use crate::snapshot::Snapshot;

const ACCOUNT: &str = "111122223333";
const CIS_47: &str = "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }";
const LOG_GROUP_ARN: &str =
    "arn:aws:logs:us-east-1:111122223333:log-group:aws-cloudtrail-logs-acme";
pub(super) const TOPIC_ARN: &str = "arn:aws:sns:us-east-1:111122223333:security-alerts";

fn trail(home: bool) -> Value {
    let mut trail = json!({
        "name": "management-events",
        "trailArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events",
        "homeRegion": "us-east-1",
        "isMultiRegionTrail": true,
        "cloudWatchLogsLogGroupArn": format!("{LOG_GROUP_ARN}:*"),
    });
    if home {
        trail["status"] = json!({"isLogging": true});
        trail["eventSelectors"] =
            json!({"eventSelectors": [{"readWriteType": "All", "includeManagementEvents": true}]});
    }
    trail
}

fn alarm(name: &str) -> Value {
    json!({
        "alarmName": name,
        "alarmArn": format!("arn:aws:cloudwatch:us-east-1:111122223333:alarm:{name}"),
        "alarmActions": [TOPIC_ARN],
        "metricName": "CMKEventCount",
        "namespace": "CloudTrailMetrics",
        "statistic": "Sum",
        "period": 300,
        "evaluationPeriods": 1,
        "threshold": 1.0,
        "comparisonOperator": "GreaterThanOrEqualToThreshold"
    })
}

fn empty_region(region: &str, trails: Vec<Value>) -> Value {
    json!({
        "region": region,
        "trails": {"items": trails},
        "logGroups": {"items": []},
        "metricFilters": {"items": []},
        "metricAlarms": {"items": []},
        "compositeAlarms": {"items": []},
        "topics": {"items": []},
        "eventRules": {"items": []},
        "kmsKeys": {"items": []}
    })
}

/// A compliant account: a multi-region trail homed in us-east-1 delivering to a log group
/// there, the CIS 4.7 filter, an alarm Sum >= 1 over one period, and a topic with a confirmed
/// e-mail subscription. eu-west-1 holds only the shadow trail.
pub(super) fn compliant() -> Value {
    let mut home = empty_region("us-east-1", vec![trail(true)]);
    home["logGroups"]["items"] = json!([{
        "logGroupName": "aws-cloudtrail-logs-acme", "arn": LOG_GROUP_ARN
    }]);
    home["metricFilters"]["items"] = json!([{
        "filterName": "cmk-changes",
        "logGroupName": "aws-cloudtrail-logs-acme",
        "filterPattern": CIS_47,
        "metricTransformations": [{
            "metricName": "CMKEventCount", "metricNamespace": "CloudTrailMetrics", "metricValue": "1"
        }]
    }]);
    home["metricAlarms"]["items"] = json!([alarm("cmk-changes")]);
    home["topics"]["items"] = json!([{
        "topicArn": TOPIC_ARN,
        "subscriptions": [{
            "subscriptionArn": format!("{TOPIC_ARN}:0b1f7a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b"),
            "protocol": "email",
            "endpoint": "<redacted>"
        }]
    }]);
    json!({
        "schemaVersion": 1,
        "account": {"id": ACCOUNT},
        "regions": [home, empty_region("eu-west-1", vec![trail(false)])]
    })
}

fn key_changes() -> Requirement {
    let attempted = kms::builder("DisableKey", "us-east-1", ACCOUNT, false)
        .error(
            "AccessDeniedException",
            "User is not authorized to perform: kms:DisableKey",
        )
        .build();
    Requirement {
        name: "KMS key disable and deletion events".to_owned(),
        records: vec![
            kms::disable_key("us-east-1", ACCOUNT),
            kms::schedule_key_deletion("us-east-1", ACCOUNT),
            attempted,
        ],
        mode: AlarmMode::SingleEvent,
        failures: None,
    }
}

fn failed_calls() -> Requirement {
    Requirement {
        name: "failed KMS calls".to_owned(),
        records: vec![
            kms::decrypt_incorrect_key("us-east-1", ACCOUNT),
            kms::encrypt_access_denied("us-east-1", ACCOUNT),
            kms::generate_data_key_access_denied("us-east-1", ACCOUNT),
        ],
        mode: AlarmMode::Volume,
        failures: Some(super::Failures {
            max_failures_to_alarm: 10,
        }),
    }
}

fn findings_for(account: &Value, requirement: &Requirement) -> Vec<Finding> {
    let snapshot: Snapshot = serde_json::from_value(account.clone()).expect("test snapshot");
    analyse(&snapshot, requirement).findings()
}

pub(super) fn findings(account: &Value) -> Vec<Finding> {
    findings_for(account, &key_changes())
}

/// The single finding, which must be a failure with `reason`.
pub(super) fn fails_with(account: &Value, reason: &str) -> Finding {
    let found = findings(account);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].outcome, Outcome::Fail, "{found:#?}");
    assert_eq!(found[0].reason, reason, "{}", found[0].message);
    found[0].clone()
}

pub(super) fn home(account: &mut Value) -> &mut Value {
    &mut account["regions"][0]
}

#[test]
fn the_compliant_account_is_covered_in_every_region() {
    assert_eq!(findings(&compliant()), vec![]);
    let snapshot: Snapshot = serde_json::from_value(compliant()).unwrap();
    let analysis = analyse(&snapshot, &key_changes());
    assert!(analysis.is_covered());
    let path = &analysis.regions[1].events[0].paths[0];
    assert_eq!(path.filter.name, "cmk-changes");
    assert_eq!(path.alarm.name, "cmk-changes");
    assert_eq!(path.filter_pattern, CIS_47);
}

#[test]
fn an_equivalent_pattern_written_differently_is_covered() {
    let mut account = compliant();
    home(&mut account)["metricFilters"]["items"][0]["filterPattern"] = json!(
        r#"{ ($.eventName = "ScheduleKeyDeletion" || $.eventName = "DisableKey") && $.eventSource = "kms.amazonaws.com" }"#
    );
    assert_eq!(findings(&account), vec![]);
}

#[test]
fn a_pattern_missing_an_event_name_fails_naming_the_event() {
    let mut account = compliant();
    home(&mut account)["metricFilters"]["items"][0]["filterPattern"] =
        json!("{($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey)}");
    let finding = fails_with(&account, "FILTER_DOES_NOT_MATCH");
    assert!(
        finding
            .message
            .contains("does not match a ScheduleKeyDeletion event"),
        "{}",
        finding.message
    );
    assert_eq!(finding.properties["event"], "ScheduleKeyDeletion");
    assert_eq!(
        finding.properties["regions"],
        json!(["us-east-1", "eu-west-1"])
    );
    assert_eq!(finding.region, None, "two regions share the finding");
}

#[test]
fn a_pattern_that_can_never_match_fails() {
    // Passes a regex that looks for both event names; matches no single event.
    let mut account = compliant();
    home(&mut account)["metricFilters"]["items"][0]["filterPattern"] = json!(
        "{ $.eventSource = kms.amazonaws.com && $.eventName = DisableKey && $.eventName = ScheduleKeyDeletion }"
    );
    fails_with(&account, "FILTER_DOES_NOT_MATCH");
}

#[test]
fn a_filter_that_drops_failed_attempts_fails_on_the_attempt() {
    let mut account = compliant();
    home(&mut account)["metricFilters"]["items"][0]["filterPattern"] = json!(
        "{ $.eventSource = kms.amazonaws.com && ($.eventName = DisableKey || $.eventName = ScheduleKeyDeletion) && $.errorCode NOT EXISTS }"
    );
    let finding = fails_with(&account, "FILTER_DOES_NOT_MATCH");
    assert_eq!(
        finding.properties["event"],
        "DisableKey (AccessDeniedException)"
    );
    // The message names the condition that mattered. It used to name first the other branch of
    // the `||` ("`$.eventName = ScheduleKeyDeletion` is false"), which held through
    // `DisableKey` and sent the reader to the wrong term.
    assert!(
        finding
            .message
            .ends_with("does not match a DisableKey (AccessDeniedException) event: `$.errorCode NOT EXISTS` is false (found \"AccessDeniedException\")"),
        "{}",
        finding.message
    );
    assert!(
        !finding.message.contains("ScheduleKeyDeletion` is false"),
        "{}",
        finding.message
    );
}

#[test]
fn two_filters_sharing_the_events_are_covered() {
    let mut account = compliant();
    let region = home(&mut account);
    region["metricFilters"]["items"] = json!([
        {"filterName": "disable", "logGroupName": "aws-cloudtrail-logs-acme",
         "filterPattern": "{ $.eventName = DisableKey }",
         "metricTransformations": [{"metricName": "CMKEventCount", "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}]},
        {"filterName": "delete", "logGroupName": "aws-cloudtrail-logs-acme",
         "filterPattern": "{ $.eventName = ScheduleKeyDeletion }",
         "metricTransformations": [{"metricName": "KeyDeletions", "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}]}
    ]);
    let mut second = alarm("key-deletions");
    second["metricName"] = json!("KeyDeletions");
    region["metricAlarms"]["items"]
        .as_array_mut()
        .unwrap()
        .push(second);
    assert_eq!(findings(&account), vec![]);
}

#[test]
fn an_alarm_whose_threshold_one_event_cannot_reach_fails() {
    let mut account = compliant();
    home(&mut account)["metricAlarms"]["items"][0]["threshold"] = json!(5.0);
    let finding = fails_with(&account, "ALARM_CANNOT_FIRE");
    assert_eq!(
        finding.message,
        "KMS key disable and deletion events in us-east-1 and eu-west-1 reach nobody: alarm \
         `cmk-changes` (us-east-1) watches `CloudTrailMetrics/CMKEventCount` with Sum >= 5 over \
         300 s: one DisableKey event yields 1, so it never fires"
    );
    assert_eq!(finding.resource.as_ref().unwrap().name, "cmk-changes");
    let related: Vec<&str> = finding.related.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        related,
        [
            "AWS::CloudTrail::Trail",
            "AWS::Logs::LogGroup",
            "AWS::Logs::MetricFilter"
        ]
    );
}

#[test]
fn alarm_maths_decide_whether_one_event_fires() {
    let cases: [(&str, Value, Option<&str>); 6] = [
        (
            "datapointsToAlarm",
            json!(3),
            Some("ALARM_NEEDS_SEVERAL_PERIODS"),
        ),
        (
            "evaluationPeriods",
            json!(2),
            Some("ALARM_NEEDS_SEVERAL_PERIODS"),
        ),
        (
            "comparisonOperator",
            json!("GreaterThanThreshold"),
            Some("ALARM_CANNOT_FIRE"),
        ),
        ("statistic", json!("SampleCount"), None),
        ("statistic", json!("Maximum"), None),
        ("statistic", json!("Average"), None),
    ];
    for (field, value, expected) in cases {
        let mut account = compliant();
        home(&mut account)["metricAlarms"]["items"][0][field] = value.clone();
        match expected {
            Some(reason) => {
                fails_with(&account, reason);
            }
            None => assert_eq!(findings(&account), vec![], "{field} = {value}"),
        }
    }
}

#[test]
fn a_default_value_drags_the_average_below_the_threshold() {
    let mut account = compliant();
    let region = home(&mut account);
    region["metricFilters"]["items"][0]["metricTransformations"][0]["defaultValue"] = json!(0.0);
    region["metricAlarms"]["items"][0]["statistic"] = json!("Average");
    let finding = fails_with(&account, "ALARM_CANNOT_FIRE");
    assert!(
        finding.message.contains("defaultValue 0"),
        "{}",
        finding.message
    );
    // Sum is unaffected by a zero default.
    region_statistic(&mut account, "Sum");
    assert_eq!(findings(&account), vec![]);
}

fn region_statistic(account: &mut Value, statistic: &str) {
    home(account)["metricAlarms"]["items"][0]["statistic"] = json!(statistic);
}

#[test]
fn an_alarm_on_another_namespace_sees_no_data() {
    let mut account = compliant();
    home(&mut account)["metricAlarms"]["items"][0]["namespace"] = json!("LogMetrics");
    let finding = fails_with(&account, "ALARM_NAMESPACE_MISMATCH");
    assert!(
        finding.message.contains("`LogMetrics/CMKEventCount`"),
        "{}",
        finding.message
    );
}

#[test]
fn an_alarm_with_an_extra_dimension_sees_no_data() {
    let mut account = compliant();
    home(&mut account)["metricAlarms"]["items"][0]["dimensions"] =
        json!([{"name": "KeyId", "value": "1234abcd-12ab-34cd-56ef-1234567890ab"}]);
    fails_with(&account, "ALARM_DIMENSIONS_MISMATCH");
}

#[test]
fn an_alarm_in_the_wrong_region_is_named() {
    let mut account = compliant();
    let moved = home(&mut account)["metricAlarms"]["items"].take();
    home(&mut account)["metricAlarms"]["items"] = json!([]);
    account["regions"][1]["metricAlarms"]["items"] = moved;
    let finding = fails_with(&account, "NO_ALARM");
    assert!(
        finding
            .message
            .contains("alarm `cmk-changes` (eu-west-1) watches that metric in another region"),
        "{}",
        finding.message
    );
}

#[test]
fn a_log_group_of_the_same_name_in_another_region_is_not_the_one() {
    let mut account = compliant();
    let group = home(&mut account)["logGroups"]["items"].take();
    home(&mut account)["logGroups"]["items"] = json!([]);
    account["regions"][1]["logGroups"]["items"] = group;
    fails_with(&account, "LOG_GROUP_MISSING");
}

#[test]
fn trail_defects_break_the_first_link() {
    let mut account = compliant();
    home(&mut account)["trails"]["items"][0]
        .as_object_mut()
        .unwrap()
        .remove("cloudWatchLogsLogGroupArn");
    fails_with(&account, "TRAIL_NO_LOG_GROUP");

    let mut account = compliant();
    home(&mut account)["trails"]["items"][0]["eventSelectors"]["eventSelectors"][0]["excludeManagementEventSources"] =
        json!(["kms.amazonaws.com"]);
    let finding = fails_with(&account, "TRAIL_DROPS_EVENT");
    assert!(
        finding.message.contains("kms.amazonaws.com"),
        "{}",
        finding.message
    );

    let mut account = compliant();
    home(&mut account)["trails"]["items"][0]["status"]["isLogging"] = json!(false);
    fails_with(&account, "TRAIL_NOT_LOGGING");
}

#[test]
fn a_regional_trail_leaves_the_other_regions_uncovered() {
    let mut account = compliant();
    home(&mut account)["trails"]["items"][0]["isMultiRegionTrail"] = json!(false);
    account["regions"][1]["trails"]["items"] = json!([]);
    let finding = fails_with(&account, "TRAIL_NOT_IN_REGION");
    assert_eq!(finding.region.as_deref(), Some("eu-west-1"));
}

#[test]
fn notification_defects_break_the_last_link() {
    let mut account = compliant();
    home(&mut account)["topics"]["items"][0]["subscriptions"][0]["subscriptionArn"] =
        json!("PendingConfirmation");
    fails_with(&account, "TOPIC_NO_CONFIRMED_SUBSCRIPTION");

    let mut account = compliant();
    home(&mut account)["topics"]["items"][0]["kmsMasterKeyId"] = json!("alias/aws/sns");
    fails_with(&account, "TOPIC_AWS_MANAGED_KEY");

    let mut account = compliant();
    home(&mut account)["topics"]["items"] = json!([]);
    fails_with(&account, "TOPIC_MISSING");

    let mut account = compliant();
    home(&mut account)["metricAlarms"]["items"][0]["actionsEnabled"] = json!(false);
    fails_with(&account, "ALARM_ACTIONS_DISABLED");
}

#[test]
fn a_composite_alarm_can_carry_the_notification() {
    let mut account = compliant();
    let region = home(&mut account);
    region["metricAlarms"]["items"][0]["alarmActions"] = json!([]);
    region["compositeAlarms"]["items"] = json!([{
        "alarmName": "security-rollup",
        "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:security-rollup",
        "alarmRule": "ALARM(\"root-usage\") OR ALARM(\"cmk-changes\")",
        "alarmActions": [TOPIC_ARN]
    }]);
    assert_eq!(findings(&account), vec![]);

    home(&mut account)["compositeAlarms"]["items"][0]["alarmRule"] =
        json!("ALARM(\"root-usage\") AND ALARM(\"cmk-changes\")");
    let found = findings(&account);
    assert_eq!(found[0].outcome, Outcome::Unverifiable, "{found:#?}");

    // Composite alarms not collected: an alarm without actions cannot be judged.
    let mut account = compliant();
    let region = home(&mut account);
    region["metricAlarms"]["items"][0]["alarmActions"] = json!([]);
    region.as_object_mut().unwrap().remove("compositeAlarms");
    let found = findings(&account);
    assert_eq!(found[0].outcome, Outcome::Unverifiable, "{found:#?}");
}

#[test]
fn a_lambda_action_is_an_automated_response() {
    let mut account = compliant();
    home(&mut account)["metricAlarms"]["items"][0]["alarmActions"] =
        json!(["arn:aws:lambda:us-east-1:111122223333:function:quarantine-key"]);
    assert_eq!(findings(&account), vec![]);
}

#[test]
fn missing_data_is_could_not_verify_never_a_pass() {
    let mut account = compliant();
    home(&mut account)["metricAlarms"] = json!({"errors": [{
        "service": "cloudwatch", "operation": "DescribeAlarms", "region": "us-east-1",
        "code": "AccessDenied", "message": "not authorized"
    }]});
    let found = findings(&account);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].outcome, Outcome::Unverifiable);
    assert_eq!(found[0].reason, "ALARMS_NOT_COLLECTED");
    assert!(
        found[0].message.contains("DescribeAlarms"),
        "{}",
        found[0].message
    );

    let mut account = compliant();
    home(&mut account)["trails"]["items"][0]
        .as_object_mut()
        .unwrap()
        .remove("status");
    let found = findings(&account);
    assert_eq!(found[0].reason, "TRAIL_STATE_UNKNOWN");
    assert_eq!(found[0].outcome, Outcome::Unverifiable);
}

#[test]
fn an_organization_trail_owned_elsewhere_is_checked_there() {
    let mut account = compliant();
    for region in 0..2 {
        let trail = &mut account["regions"][region]["trails"]["items"][0];
        trail["trailArn"] = json!("arn:aws:cloudtrail:us-east-1:999988887777:trail/org");
        trail["isOrganizationTrail"] = json!(true);
        trail["cloudWatchLogsLogGroupArn"] =
            json!("arn:aws:logs:us-east-1:999988887777:log-group:org-trail:*");
        let object = trail.as_object_mut().unwrap();
        object.remove("status");
        object.remove("eventSelectors");
    }
    let found = findings(&account);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].outcome, Outcome::Unverifiable);
    assert_eq!(found[0].reason, "TRAIL_OWNED_ELSEWHERE");
    assert!(found[0].message.contains("account 999988887777"));
}

#[test]
fn volume_requirements_need_a_count_alarm_that_rises() {
    let mut account = compliant();
    let region = home(&mut account);
    region["metricFilters"]["items"][0]["filterPattern"] =
        json!("{ ($.eventSource = \"kms.amazonaws.com\") && ($.errorCode = \"*\") }");
    region["metricAlarms"]["items"][0]["threshold"] = json!(10.0);
    region["metricAlarms"]["items"][0]["comparisonOperator"] = json!("GreaterThanThreshold");
    assert_eq!(findings_for(&account, &failed_calls()), vec![]);

    let cases = [
        ("statistic", json!("Average"), "ALARM_STATISTIC_NOT_COUNT"),
        (
            "comparisonOperator",
            json!("LessThanThreshold"),
            "ALARM_WRONG_DIRECTION",
        ),
    ];
    for (field, value, reason) in cases {
        let mut broken = account.clone();
        home(&mut broken)["metricAlarms"]["items"][0][field] = value;
        let found = findings_for(&broken, &failed_calls());
        assert_eq!(found[0].reason, reason, "{found:#?}");
    }

    // A filter that only counts Decrypt errors misses the Encrypt failure.
    let mut narrow = account.clone();
    home(&mut narrow)["metricFilters"]["items"][0]["filterPattern"] =
        json!("{ $.eventName = Decrypt && $.errorCode = * }");
    let found = findings_for(&narrow, &failed_calls());
    assert_eq!(
        found[0].properties["event"],
        "Encrypt (AccessDeniedException)"
    );

    // A trail that logs only write events drops the read-only failed Decrypt.
    let mut write_only = account.clone();
    home(&mut write_only)["trails"]["items"][0]["eventSelectors"]["eventSelectors"][0]["readWriteType"] =
        json!("WriteOnly");
    let found = findings_for(&write_only, &failed_calls());
    assert_eq!(found[0].reason, "TRAIL_DROPS_EVENT");
}

/// Issue #19: a filter that counts a failed call and its successful twin counts traffic. Under
/// an alarm set for traffic, failures drown; under one a burst of failures fires, they count.
#[test]
fn failures_must_be_counted_apart_from_successful_calls() {
    let mut account = compliant();
    let region = home(&mut account);
    // Every KMS call, failed or not.
    region["metricFilters"]["items"][0]["filterPattern"] =
        json!("{ $.eventSource = \"kms.amazonaws.com\" }");
    region["metricAlarms"]["items"][0]["threshold"] = json!(1000.0);
    region["metricAlarms"]["items"][0]["comparisonOperator"] = json!("GreaterThanThreshold");
    let found = findings_for(&account, &failed_calls());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].reason, "FAILURES_DROWNED", "{}", found[0].message);
    assert!(
        found[0]
            .message
            .contains("needs 1001 counted calls in its evaluation window to fire"),
        "{}",
        found[0].message
    );
    assert!(
        found[0]
            .message
            .contains("also counts successful Decrypt calls"),
        "{}",
        found[0].message
    );

    // The same filter under an alarm that 10 failures alone fire: `Sum > 9` in one period.
    let mut burst = account.clone();
    home(&mut burst)["metricAlarms"]["items"][0]["threshold"] = json!(9.0);
    assert_eq!(findings_for(&burst, &failed_calls()), vec![]);
    // Needing two breaching periods of 10 doubles it: 20 failures, more than 10.
    let mut two_periods = burst.clone();
    home(&mut two_periods)["metricAlarms"]["items"][0]["evaluationPeriods"] = json!(2);
    let found = findings_for(&two_periods, &failed_calls());
    assert_eq!(found[0].reason, "FAILURES_DROWNED", "{found:#?}");
    assert!(
        found[0].message.contains("needs 20 counted calls"),
        "{}",
        found[0].message
    );
    // A metric value of 5 per call: `Sum > 9` is crossed by two calls.
    let mut weighted = two_periods.clone();
    home(&mut weighted)["metricFilters"]["items"][0]["metricTransformations"][0]["metricValue"] =
        json!("5");
    assert_eq!(findings_for(&weighted, &failed_calls()), vec![]);

    // A filter that leaves the twin out counts failures whatever the alarm's threshold.
    let mut errors_only = account.clone();
    home(&mut errors_only)["metricFilters"]["items"][0]["filterPattern"] =
        json!("{ $.eventSource = \"kms.amazonaws.com\" && $.errorCode = \"*\" }");
    assert_eq!(findings_for(&errors_only, &failed_calls()), vec![]);

    // An anomaly band learned from all calls: a burst of failures need not cross it.
    let mut anomaly = account.clone();
    let metric = json!({"namespace": "CloudTrailMetrics", "metricName": "CMKEventCount"});
    home(&mut anomaly)["metricAlarms"]["items"] = json!([{
        "alarmName": "kms-anomaly",
        "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-anomaly",
        "alarmActions": [TOPIC_ARN],
        "evaluationPeriods": 1,
        "comparisonOperator": "GreaterThanUpperThreshold",
        "thresholdMetricId": "ad1",
        "metrics": [
            {"id": "m1", "metricStat": {"metric": metric, "period": 300, "stat": "Sum"}},
            {"id": "ad1", "expression": "ANOMALY_DETECTION_BAND(m1, 2)"}
        ]
    }]);
    let found = findings_for(&anomaly, &failed_calls());
    assert_eq!(found[0].reason, "FAILURES_DROWNED", "{found:#?}");
    assert!(
        found[0].message.contains("anomaly band"),
        "{}",
        found[0].message
    );
}

/// The same reasoning for a single-event requirement about failures (CIS 4.1, 4.6): a filter
/// that also counts successful calls keeps the alarm in ALARM, so a failure changes no state.
#[test]
fn single_event_failures_need_a_filter_that_leaves_successes_out() {
    let mut requirement = failed_calls();
    requirement.mode = AlarmMode::SingleEvent;
    let mut account = compliant();
    home(&mut account)["metricFilters"]["items"][0]["filterPattern"] =
        json!("{ ($.errorCode = \"*\") || ($.eventName != \"HeadBucket\") }");
    let found = findings_for(&account, &requirement);
    assert_eq!(found[0].reason, "FILTER_COUNTS_SUCCESSES", "{found:#?}");
    assert!(
        found[0].message.contains("keep it in ALARM"),
        "{}",
        found[0].message
    );
    home(&mut account)["metricFilters"]["items"][0]["filterPattern"] =
        json!("{ ($.errorCode = \"*\") && ($.eventName != \"HeadBucket\") }");
    assert_eq!(findings_for(&account, &requirement), vec![]);
    // Without `failures`, the same filter is a plain single-event path.
    requirement.failures = None;
    home(&mut account)["metricFilters"]["items"][0]["filterPattern"] =
        json!("{ ($.errorCode = \"*\") || ($.eventName != \"HeadBucket\") }");
    assert_eq!(findings_for(&account, &requirement), vec![]);
}

#[test]
fn anomaly_and_metric_math_alarms_count_for_volume() {
    let mut account = compliant();
    let region = home(&mut account);
    region["metricFilters"]["items"][0]["filterPattern"] =
        json!("{ $.eventSource = kms.amazonaws.com && $.errorCode = * }");
    let metric = json!({"namespace": "CloudTrailMetrics", "metricName": "CMKEventCount"});
    region["metricAlarms"]["items"] = json!([{
        "alarmName": "kms-errors-anomaly",
        "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-errors-anomaly",
        "alarmActions": [TOPIC_ARN],
        "evaluationPeriods": 1,
        "comparisonOperator": "GreaterThanUpperThreshold",
        "thresholdMetricId": "ad1",
        "metrics": [
            {"id": "m1", "metricStat": {"metric": metric, "period": 300, "stat": "Sum"}},
            {"id": "ad1", "expression": "ANOMALY_DETECTION_BAND(m1, 2)"}
        ]
    }]);
    assert_eq!(findings_for(&account, &failed_calls()), vec![]);
    // An anomaly band does not guarantee that one key deletion fires.
    let found = findings_for(&account, &key_changes());
    assert_eq!(
        found[0].reason, "FILTER_DOES_NOT_MATCH",
        "errors-only filter"
    );

    let mut summed = account.clone();
    home(&mut summed)["metricAlarms"]["items"] = json!([{
        "alarmName": "kms-errors-sum",
        "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-errors-sum",
        "alarmActions": [TOPIC_ARN],
        "evaluationPeriods": 1,
        "threshold": 5.0,
        "comparisonOperator": "GreaterThanThreshold",
        "metrics": [
            {"id": "m1", "returnData": false, "metricStat": {"metric": metric, "period": 300, "stat": "Sum"}},
            {"id": "m2", "returnData": false, "metricStat": {"metric": {"namespace": "Other", "metricName": "X"}, "period": 300, "stat": "Sum"}},
            {"id": "e1", "expression": "m1 + m2"}
        ]
    }]);
    assert_eq!(findings_for(&summed, &failed_calls()), vec![]);
    home(&mut summed)["metricAlarms"]["items"][0]["metrics"][2]["expression"] = json!("m1 / m2");
    let found = findings_for(&summed, &failed_calls());
    assert_eq!(found[0].reason, "ALARM_EXPRESSION_UNVERIFIABLE");
    assert_eq!(found[0].outcome, Outcome::Unverifiable);
}

#[test]
fn an_invalid_pattern_is_a_defect_of_the_filter_not_a_crash() {
    let mut account = compliant();
    home(&mut account)["metricFilters"]["items"][0]["filterPattern"] =
        json!("{ $.eventName = DisableKey && }");
    let finding = fails_with(&account, "FILTER_PATTERN_INVALID");
    assert!(
        finding.message.contains("would reject"),
        "{}",
        finding.message
    );
}

#[test]
fn of_several_filters_that_do_not_match_the_closest_is_named() {
    let mut account = compliant();
    let filters = &mut home(&mut account)["metricFilters"]["items"];
    filters[0]["filterPattern"] =
        json!("{ $.eventSource = kms.amazonaws.com && $.eventName = DisableKey }");
    filters.as_array_mut().unwrap().insert(
        0,
        json!({"filterName": "root-usage", "logGroupName": "aws-cloudtrail-logs-acme",
               "filterPattern": "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }",
               "metricTransformations": [{"metricName": "RootUsage", "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}]}),
    );
    let finding = fails_with(&account, "FILTER_DOES_NOT_MATCH");
    assert!(
        finding.message.contains(
            "none of the 2 metric filters on log group `aws-cloudtrail-logs-acme` matches a ScheduleKeyDeletion event; the closest, `cmk-changes`, does not match"
        ),
        "{}",
        finding.message
    );
    assert_eq!(finding.resource.unwrap().name, "cmk-changes");
}

fn snapshot_of(account: &Value) -> Snapshot {
    serde_json::from_value(account.clone()).expect("test snapshot")
}

#[test]
fn one_region_is_analysed_as_the_whole_analysis_analyses_it() {
    let mut account = compliant();
    home(&mut account)["metricAlarms"]["items"][0]["threshold"] = json!(5.0);
    let snapshot = snapshot_of(&account);
    let whole = analyse(&snapshot, &key_changes());
    for (index, region) in ["us-east-1", "eu-west-1"].into_iter().enumerate() {
        let one = super::analyse_region(&snapshot, region, &key_changes()).expect("enabled");
        assert_eq!(one, whole.regions[index], "{region}");
    }
    assert_eq!(
        super::analyse_region(&snapshot, "ap-south-2", &key_changes()),
        None,
        "a region the snapshot does not list is no verdict"
    );
}

/// A second alarm on the same metric whose topic nobody confirmed, and a second action on the
/// working alarm to that dead topic: the region is covered, and the broken alarm and topic are
/// still there to see.
#[test]
fn every_alarm_and_topic_on_a_path_is_traced_broken_ones_included() {
    const DEAD: &str = "arn:aws:sns:us-east-1:111122223333:nobody-listens";
    let mut account = compliant();
    let region = home(&mut account);
    let mut silent = alarm("cmk-changes-silent");
    silent["alarmActions"] = json!([DEAD]);
    region["metricAlarms"]["items"][0]["alarmActions"] = json!([TOPIC_ARN, DEAD]);
    region["metricAlarms"]["items"]
        .as_array_mut()
        .expect("alarms")
        .push(silent);
    region["topics"]["items"]
        .as_array_mut()
        .expect("topics")
        .push(json!({"topicArn": DEAD, "subscriptions": []}));
    let snapshot = snapshot_of(&account);
    let analysis = analyse(&snapshot, &key_changes());
    assert!(analysis.is_covered());
    let event = &analysis.regions[0].events[0];
    assert_eq!(event.paths.len(), 1, "one complete path");
    assert_eq!(event.traces.len(), 2, "{:#?}", event.traces);

    let complete = &event.traces[0];
    assert!(complete.is_complete());
    let names: Vec<&str> = complete.through.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "management-events",
            "aws-cloudtrail-logs-acme",
            "cmk-changes",
            "cmk-changes"
        ]
    );
    let actions: Vec<(&str, bool)> = complete
        .actions
        .iter()
        .map(|a| (a.action.as_str(), a.notify.reaches_someone()))
        .collect();
    assert_eq!(actions, [(TOPIC_ARN, true), (DEAD, false)]);

    let broken = &event.traces[1];
    let stop = broken.stop.as_ref().expect("the silent alarm's path stops");
    assert_eq!(stop.link, super::Link::Notify);
    assert_eq!(stop.reason, "TOPIC_NO_CONFIRMED_SUBSCRIPTION");
    assert_eq!(
        broken.through.last().map(|r| r.name.as_str()),
        Some("cmk-changes-silent"),
        "the alarm fires; the topic is what breaks"
    );
    assert_eq!(broken.actions.len(), 1);
    assert!(matches!(
        &broken.actions[0].notify,
        super::Notify::Nobody { topic: Some(topic), .. } if topic.arn == DEAD
    ));
}

/// Where the furthest break sums several filters up, each filter keeps a trace of its own.
#[test]
fn each_filter_that_misses_has_its_own_trace() {
    let mut account = compliant();
    home(&mut account)["metricFilters"]["items"] = json!([
        {"filterName": "decrypts", "logGroupName": "aws-cloudtrail-logs-acme",
         "filterPattern": "{ $.eventName = Decrypt }",
         "metricTransformations": [{"metricName": "Decrypts", "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}]},
        {"filterName": "logins", "logGroupName": "aws-cloudtrail-logs-acme",
         "filterPattern": "{ $.eventName = ConsoleLogin }",
         "metricTransformations": [{"metricName": "Logins", "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}]}
    ]);
    let snapshot = snapshot_of(&account);
    let analysis = analyse(&snapshot, &key_changes());
    let event = &analysis.regions[0].events[0];
    let furthest = event.furthest.as_ref().expect("uncovered");
    assert!(
        furthest
            .message
            .starts_with("none of the 2 metric filters on log group"),
        "{}",
        furthest.message
    );
    let stopped_at: Vec<&str> = event
        .traces
        .iter()
        .filter_map(|t| t.stop.as_ref())
        .filter_map(|b| b.resource.as_ref())
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(stopped_at, ["decrypts", "logins"]);
    assert!(event.traces.iter().all(|t| t.through.len() == 2));
}

#[test]
fn a_filter_declares_its_metrics_without_an_event() {
    let mut account = compliant();
    let filter = &mut home(&mut account)["metricFilters"]["items"][0];
    filter["emitSystemFieldDimensions"] = json!(["@aws.region"]);
    filter["metricTransformations"] = json!([
        {"metricName": "CMKEventCount", "metricNamespace": "CloudTrailMetrics", "metricValue": "1",
         "defaultValue": 0.0, "unit": "Count"},
        {"metricName": "ByCaller", "metricNamespace": "Acme", "metricValue": "$.readOnly",
         "dimensions": {"Caller": "$.userIdentity.arn"}}
    ]);
    let snapshot = snapshot_of(&account);
    let filter = &snapshot.regions[0].metric_filters.items[0];
    let declared = super::declared_metrics(filter);
    assert_eq!(declared.len(), 2);
    assert_eq!(declared[0].label(), "CloudTrailMetrics/CMKEventCount");
    assert_eq!(declared[0].fixed_value(), Some(1.0));
    assert_eq!(declared[0].default_value, Some(0.0));
    assert_eq!(declared[0].unit.as_deref(), Some("Count"));
    let dimensions: Vec<(&str, &str)> = declared[1]
        .dimensions
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        dimensions,
        [
            ("@aws.region", "@aws.region"),
            ("Caller", "$.userIdentity.arn")
        ]
    );
    assert_eq!(declared[1].fixed_value(), None, "taken from the event");
    // The same identity the event-driven answer gives, for an event that matches (and whose
    // `readOnly` is not a number, which only the event could tell: the second transformation
    // is left out).
    let mut first_only = filter.clone();
    first_only.metric_transformations.truncate(1);
    let emitted = super::emitted_metrics(
        &first_only,
        &kms::disable_key("us-east-1", ACCOUNT),
        "DisableKey",
        "us-east-1",
        ACCOUNT,
    )
    .expect("the CIS pattern matches DisableKey");
    assert_eq!(
        (emitted[0].namespace.as_str(), emitted[0].name.as_str()),
        (declared[0].namespace.as_str(), declared[0].name.as_str())
    );
}

/// A rule that checks each key's events: one shared filter breaks both. Without attribution
/// both findings carry the filter as resource (one fingerprint); attributed, each is on its key
/// and names the filter as related.
#[test]
fn findings_about_a_resource_are_attributed_to_it() {
    use crate::finding::Resource;
    let mut account = compliant();
    home(&mut account)["metricFilters"]["items"][0]["filterPattern"] =
        json!("{ $.eventSource = kms.amazonaws.com && $.eventName = DisableKeys }");
    let snapshot = snapshot_of(&account);
    let analysis = analyse(&snapshot, &key_changes());
    let plain = analysis.findings();
    assert_eq!(plain.len(), 1);
    let filter = plain[0].resource.clone().expect("the filter is at fault");
    assert_eq!(filter.name, "cmk-changes");

    let key = Resource::new(
        "AWS::KMS::Key",
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    let about = analysis.findings_about(&key);
    assert_eq!(about.len(), 1);
    assert_eq!(about[0].resource.as_ref(), Some(&key));
    assert_eq!(about[0].related.first(), Some(&filter));
    assert_eq!(
        about[0].related.len(),
        plain[0].related.len() + 1,
        "nothing else is lost or added"
    );
    assert_eq!(
        (&about[0].reason, &about[0].message, &about[0].region),
        (&plain[0].reason, &plain[0].message, &plain[0].region)
    );
    // Attributing twice, or to the resource already at fault, changes nothing.
    assert_eq!(about[0].clone().about(key.clone()), about[0]);
    assert_eq!(plain[0].clone().about(filter), plain[0]);
}

/// Issue #19: an alarm on a Metrics Insights query needs no `MetricStat` naming the filter's
/// metric. One that selects it and that one event breaches covers the requirement; one whose
/// threshold one event cannot reach, or whose SCHEMA leaves the metric out, breaks the chain
/// at the alarm; one whose query cannot be read is "could not verify".
#[test]
fn a_metrics_insights_alarm_is_followed_like_a_metric_alarm() {
    let insights = |query: &str, threshold: f64| {
        let mut account = compliant();
        home(&mut account)["metricAlarms"]["items"] = json!([{
            "alarmName": "kms-insights",
            "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-insights",
            "alarmActions": [TOPIC_ARN],
            "evaluationPeriods": 1,
            "threshold": threshold,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "metrics": [{"id": "q1", "expression": query, "period": 300}]
        }]);
        account
    };
    let sum = "SELECT SUM(CMKEventCount) FROM \"CloudTrailMetrics\"";
    assert_eq!(findings(&insights(sum, 1.0)), vec![]);
    let grouped = "SELECT MAX(CMKEventCount) FROM SCHEMA(CloudTrailMetrics)";
    assert_eq!(findings(&insights(grouped, 1.0)), vec![]);

    let high = fails_with(&insights(sum, 2.0), "ALARM_CANNOT_FIRE");
    assert!(high.message.contains("kms-insights"), "{}", high.message);
    let excluded = fails_with(
        &insights(
            "SELECT SUM(CMKEventCount) FROM SCHEMA(CloudTrailMetrics, KeyId)",
            1.0,
        ),
        "ALARM_DIMENSIONS_MISMATCH",
    );
    assert!(excluded.message.contains("SCHEMA"), "{}", excluded.message);
    let unknown = findings(&insights(
        "SELECT SUM(CMKEventCount) FROM CloudTrailMetrics WHERE a = 'x' OR b = 'y'",
        1.0,
    ));
    assert_eq!(unknown[0].reason, "ALARM_EXPRESSION_UNVERIFIABLE");
    assert_eq!(unknown[0].outcome, Outcome::Unverifiable);
    assert!(unknown[0].message.contains("OR"), "{}", unknown[0].message);
}
