//! The topic link's delivery counts: `topicDeliveries` breaks the chain when every delivery in
//! the window failed, warns when some did, and is assumed fine when not collected.

use serde_json::{Value, json};

use super::tests::{TOPIC_ARN, compliant, fails_with, findings, home};
use super::{Notify, Publisher, action_notifies, reason};
use crate::finding::{Level, Outcome};
use crate::snapshot::Snapshot;

const ALARM_ARN: &str = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cmk-changes";

fn with_deliveries(delivered: u64, failed: u64) -> Value {
    let mut account = compliant();
    home(&mut account)["topicDeliveries"] = json!({"items": [{
        "topicArn": TOPIC_ARN, "windowHours": 24, "delivered": delivered, "failed": failed
    }]});
    account
}

#[test]
fn a_topic_whose_every_delivery_failed_tells_nobody() {
    let finding = fails_with(&with_deliveries(0, 7), reason::TOPIC_DELIVERIES_FAILING);
    assert!(
        finding.message.contains("7 failed") && finding.message.contains("last 24 hours"),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("NumberOfNotificationsFailed"));
    assert_eq!(
        finding.resource.as_ref().map(|r| r.arn.as_str()),
        Some(TOPIC_ARN)
    );
}

#[test]
fn a_topic_that_partly_fails_warns_without_breaking_the_chain() {
    let found = findings(&with_deliveries(5, 2));
    assert_eq!(found.len(), 1, "{found:#?}");
    let warning = &found[0];
    assert_eq!(warning.reason, reason::TOPIC_DELIVERIES_PARTLY_FAILING);
    assert_eq!(warning.outcome, Outcome::Fail);
    assert_eq!(warning.level, Some(Level::Warning));
    assert!(
        warning.message.contains("2 failed and 5 delivered")
            && warning.message.contains("us-east-1 and eu-west-1"),
        "{}",
        warning.message
    );
    assert_eq!(warning.properties.get("failed"), Some(&json!(2)));

    let snapshot: Snapshot = serde_json::from_value(with_deliveries(5, 2)).expect("snapshot");
    let told = action_notifies(&snapshot, Publisher::Alarm { arn: ALARM_ARN }, TOPIC_ARN);
    assert!(
        matches!(&told, Notify::Told { failing: Some(c), .. } if c.failed == 2),
        "{told:?}"
    );
}

#[test]
fn deliveries_without_failures_or_without_counts_are_assumed_to_reach() {
    assert_eq!(findings(&with_deliveries(3, 0)), vec![]);
    // Nothing published in the window: no datapoints, nothing to judge.
    assert_eq!(findings(&with_deliveries(0, 0)), vec![]);
    // Not collected: a confirmed subscription is assumed to deliver.
    assert_eq!(findings(&compliant()), vec![]);
    // Counts for another topic say nothing about this one.
    let mut account = with_deliveries(0, 9);
    home(&mut account)["topicDeliveries"]["items"][0]["topicArn"] =
        json!("arn:aws:sns:us-east-1:111122223333:other");
    assert_eq!(findings(&account), vec![]);
}

#[test]
fn a_failing_topic_next_to_a_delivering_one_still_tells_someone() {
    let mut account = with_deliveries(0, 4);
    let other = "arn:aws:sns:us-east-1:111122223333:backup-alerts";
    let region = home(&mut account);
    region["metricAlarms"]["items"][0]["alarmActions"] = json!([TOPIC_ARN, other]);
    region["topics"]["items"]
        .as_array_mut()
        .expect("topics")
        .push(json!({"topicArn": other, "subscriptions": [{
            "subscriptionArn": format!("{other}:1"), "protocol": "sqs",
            "endpoint": "arn:aws:sqs:us-east-1:111122223333:alerts"
        }]}));
    assert_eq!(findings(&account), vec![]);
}

fn with_filter_policy(policy: &str, scope: Option<&str>) -> Value {
    let mut account = compliant();
    let mut attributes = json!({
        "subscriptionArn": format!("{TOPIC_ARN}:0b1f7a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b"),
        "topicArn": TOPIC_ARN,
        "pendingConfirmation": false,
        "filterPolicy": policy
    });
    if let Some(scope) = scope {
        attributes["filterPolicyScope"] = json!(scope);
    }
    home(&mut account)["subscriptionAttributes"] = json!({"items": [attributes]});
    account
}

/// Issue #19: a confirmed subscription whose filter policy drops the alarm notification
/// reaches nobody; one it lets through still counts; one that cannot be judged is could not
/// verify; without `subscriptionAttributes` delivery is assumed, as before.
#[test]
fn a_filter_policy_that_drops_the_alarm_notification_tells_nobody() {
    let finding = fails_with(
        &with_filter_policy(r#"{"severity": ["critical"]}"#, None),
        reason::SUBSCRIPTION_FILTER_DROPS_ALARMS,
    );
    assert!(
        finding.message.contains("message attributes")
            && finding.message.contains("email subscription"),
        "{}",
        finding.message
    );
    let body = Some("MessageBody");
    assert_eq!(
        findings(&with_filter_policy(r#"{"NewStateValue": ["ALARM"]}"#, body)),
        vec![]
    );
    fails_with(
        &with_filter_policy(r#"{"NewStateValue": ["OK"]}"#, body),
        reason::SUBSCRIPTION_FILTER_DROPS_ALARMS,
    );
    let unknown = findings(&with_filter_policy(
        r#"{"NewStateReason": [{"prefix": "Threshold"}]}"#,
        body,
    ));
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
    assert_eq!(unknown[0].outcome, Outcome::Unverifiable);
    assert!(
        unknown[0].message.contains("NewStateReason"),
        "{}",
        unknown[0].message
    );

    let mut not_collected = with_filter_policy(r#"{"severity": ["critical"]}"#, None);
    home(&mut not_collected)
        .as_object_mut()
        .map(|r| r.remove("subscriptionAttributes"));
    assert_eq!(findings(&not_collected), vec![]);
}

/// Issue #19: a confirmed SQS or Lambda subscription whose queue or function no longer exists
/// reaches nobody; when it is the topic's only one, the chain breaks at the topic.
#[test]
fn a_subscription_to_a_deleted_queue_tells_nobody() {
    let mut account = compliant();
    let subscription = format!("{TOPIC_ARN}:0b1f7a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b");
    home(&mut account)["topics"]["items"][0]["subscriptions"][0] = json!({
        "subscriptionArn": subscription, "protocol": "sqs",
        "endpoint": "arn:aws:sqs:us-east-1:111122223333:alerts"
    });
    home(&mut account)["subscriptionAttributes"] = json!({"items": [{
        "subscriptionArn": subscription, "topicArn": TOPIC_ARN,
        "pendingConfirmation": false, "endpointExists": false
    }]});
    let finding = fails_with(&account, reason::SUBSCRIPTION_ENDPOINT_MISSING);
    assert!(
        finding.message.contains("sqs subscription")
            && finding.message.contains("no longer exists"),
        "{}",
        finding.message
    );
    home(&mut account)["subscriptionAttributes"]["items"][0]["endpointExists"] = json!(true);
    assert_eq!(findings(&account), vec![]);
}
