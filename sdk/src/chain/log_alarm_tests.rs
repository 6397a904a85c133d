//! The chain through log alarms: alarms on a CloudWatch Logs scheduled query that stand in for
//! the metric filter and metric alarm.

use super::{RegionVerdict, analyse, reason, requirements};
use crate::sections::SectionName;
use crate::snapshot::Snapshot;
use crate::testing::SnapshotBuilder;

const KEY_CHANGES: &str = "fields @timestamp, eventName, userIdentity.arn\n| filter eventSource = \"kms.amazonaws.com\" and eventName in [\"DisableKey\", \"ScheduleKeyDeletion\"]\n| sort @timestamp desc";

/// A trail delivering to `cloudtrail-logs`, no metric filter, and a log alarm `kms-log-alarm`
/// running `query` on that group and notifying `security-alerts`.
fn with_log_alarm(query: &str) -> SnapshotBuilder {
    SnapshotBuilder::new()
        .region("us-east-1")
        .trail("management-events", "cloudtrail-logs")
        .log_alarm("kms-log-alarm", "cloudtrail-logs", query, "security-alerts")
        .topic("security-alerts")
}

fn verdict_of(snapshot: &Snapshot) -> (bool, String, String) {
    let analysis = analyse(
        snapshot,
        &requirements::kms_key_changes(&snapshot.account.id),
    );
    let region = &analysis.regions[0];
    match region.verdict() {
        RegionVerdict::Covered => (true, String::new(), String::new()),
        RegionVerdict::Uncovered(_, stop) | RegionVerdict::Unverifiable(_, stop) => {
            (false, stop.reason.clone(), stop.message.clone())
        }
    }
}

#[test]
fn a_log_alarm_on_the_trails_group_covers_key_changes_without_a_metric_filter() {
    let snapshot = with_log_alarm(KEY_CHANGES).build();
    let analysis = analyse(
        &snapshot,
        &requirements::kms_key_changes(&snapshot.account.id),
    );
    assert!(analysis.is_covered(), "{:?}", analysis.findings());
    let path = &analysis.regions[0].events[0].paths[0];
    assert!(path.is_log_alarm());
    assert_eq!(path.alarm.name, "kms-log-alarm");
    assert_eq!(path.filter_pattern, KEY_CHANGES);
}

#[test]
fn without_log_alarms_collected_the_chain_reports_the_missing_filter_as_before() {
    let snapshot = with_log_alarm(KEY_CHANGES)
        .not_collected(SectionName::LogAlarms)
        .build();
    let (covered, reason, _) = verdict_of(&snapshot);
    assert!(!covered);
    assert_eq!(reason, reason::NO_METRIC_FILTER);
}

#[test]
fn a_failed_log_alarm_read_is_could_not_verify() {
    let snapshot = with_log_alarm(KEY_CHANGES)
        .access_denied(SectionName::LogAlarms)
        .build();
    let (covered, reason, _) = verdict_of(&snapshot);
    assert!(!covered);
    assert_eq!(reason, reason::LOG_ALARMS_NOT_COLLECTED);
}

#[test]
fn a_query_on_another_event_fails_naming_the_log_alarm_and_the_condition() {
    let snapshot = with_log_alarm("filter eventName = \"CreateKey\"").build();
    let (covered, reason, message) = verdict_of(&snapshot);
    assert!(!covered);
    assert_eq!(reason, reason::LOG_ALARM_QUERY_DROPS_EVENT);
    assert!(message.contains("log alarm `kms-log-alarm`"), "{message}");
    assert!(message.contains("eventName = \"CreateKey\""), "{message}");
}

#[test]
fn a_log_alarm_that_needs_several_breaching_results_fails() {
    let snapshot = with_log_alarm(KEY_CHANGES)
        .edit_log_alarm("kms-log-alarm", |alarm| {
            alarm.query_results_to_alarm = 3;
            alarm.query_results_to_evaluate = 5;
        })
        .build();
    let (covered, reason, message) = verdict_of(&snapshot);
    assert!(!covered);
    assert_eq!(reason, reason::LOG_ALARM_NEEDS_MORE_RESULTS);
    assert!(message.contains("needs 3 of its last 5"), "{message}");
}

#[test]
fn an_unknown_command_is_could_not_verify() {
    let snapshot =
        with_log_alarm("parse @message \"*DisableKey*\" as a, b | filter ispresent(a)").build();
    let (covered, reason, message) = verdict_of(&snapshot);
    assert!(!covered);
    assert_eq!(reason, reason::LOG_ALARM_QUERY_UNVERIFIABLE);
    assert!(message.contains("`parse`"), "{message}");
}

#[test]
fn a_log_alarm_in_evaluation_error_cannot_fire() {
    let snapshot = with_log_alarm(KEY_CHANGES)
        .edit_log_alarm("kms-log-alarm", |alarm| {
            alarm.evaluation_state = Some("EVALUATION_ERROR".to_owned());
        })
        .build();
    let (covered, reason, message) = verdict_of(&snapshot);
    assert!(!covered);
    assert_eq!(reason, reason::LOG_ALARM_EVALUATION_ERROR);
    assert!(message.contains("EVALUATION_ERROR"), "{message}");
}

#[test]
fn a_log_alarm_on_another_group_or_without_actions_does_not_cover() {
    let elsewhere = SnapshotBuilder::new()
        .region("us-east-1")
        .trail("management-events", "cloudtrail-logs")
        .log_group("app-logs")
        .log_alarm("kms-log-alarm", "app-logs", KEY_CHANGES, "security-alerts")
        .topic("security-alerts")
        .build();
    let (covered, reason, _) = verdict_of(&elsewhere);
    assert!(!covered);
    assert_eq!(reason, reason::NO_METRIC_FILTER);
    let silent = with_log_alarm(KEY_CHANGES)
        .edit_log_alarm("kms-log-alarm", |alarm| alarm.actions_enabled = false)
        .build();
    let (covered, reason, message) = verdict_of(&silent);
    assert!(!covered);
    assert_eq!(reason, reason::ALARM_ACTIONS_DISABLED);
    assert!(message.contains("log alarm `kms-log-alarm`"), "{message}");
}

#[test]
fn a_log_alarm_of_a_monitoring_account_covers_by_the_groups_arn() {
    let member = with_log_alarm(KEY_CHANGES).build();
    let group_arn = member.regions[0].log_groups.items[0].arn.clone();
    let monitoring = SnapshotBuilder::new()
        .account("999988887777")
        .region("us-east-1")
        .log_alarm("org-kms", &group_arn, KEY_CHANGES, "security-alerts")
        .topic("security-alerts")
        .build();
    let mut member = SnapshotBuilder::from_snapshot(member)
        .region("us-east-1")
        .edit_region(|region| region.log_alarms.items.clear())
        .build();
    member.linked_accounts.push(monitoring);
    let analysis = analyse(&member, &requirements::kms_key_changes(&member.account.id));
    assert!(analysis.is_covered(), "{:?}", analysis.findings());
    assert_eq!(analysis.regions[0].events[0].paths[0].alarm.name, "org-kms");
}

#[test]
fn a_composite_alarm_that_follows_a_silent_log_alarm_tells_someone() {
    let topic = "arn:aws:sns:us-east-1:111122223333:security-alerts";
    let composite = crate::snapshot::CompositeAlarm {
        alarm_name: "any-security-alarm".to_owned(),
        alarm_arn: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:any-security-alarm".to_owned(),
        alarm_rule: "ALARM(\"kms-log-alarm\") OR ALARM(\"root-usage\")".to_owned(),
        actions_enabled: true,
        alarm_actions: vec![topic.to_owned()],
    };
    let silent = || {
        with_log_alarm(KEY_CHANGES).edit_log_alarm("kms-log-alarm", |alarm| {
            alarm.alarm_actions.clear();
        })
    };
    let (covered, reason, _) = verdict_of(&silent().build());
    assert!(!covered);
    assert_eq!(reason, reason::ALARM_NO_ACTIONS);
    let snapshot = silent()
        .edit_region(|region| {
            region.composite_alarms.collected = true;
            region.composite_alarms.items.push(composite);
        })
        .build();
    let analysis = analyse(
        &snapshot,
        &requirements::kms_key_changes(&snapshot.account.id),
    );
    assert!(analysis.is_covered(), "{:?}", analysis.findings());
    let trace = analysis.regions[0].events[0]
        .traces
        .iter()
        .find(|t| t.stop.is_none())
        .expect("a complete trace");
    assert!(
        trace.through.iter().any(|r| r.name == "any-security-alarm"),
        "{:?}",
        trace.through
    );
}
