//! The topic link's permission checks: the topic's access policy and its KMS key's policy, for
//! CloudWatch alarms and EventBridge rules.

use serde_json::{Value, json};

use super::tests::{TOPIC_ARN, compliant, fails_with, findings, home};
use super::{Notify, Publisher, action_notifies, reason, targets_notify};
use crate::finding::Outcome;
use crate::snapshot::Snapshot;

const ALARM_ARN: &str = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cmk-changes";
const RULE_ARN: &str = "arn:aws:events:us-east-1:111122223333:rule/kms-changes";
const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// The policy SNS gives a new topic.
fn default_topic_policy() -> Value {
    json!({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [{
        "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                   "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                   "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
        "Resource": TOPIC_ARN,
        "Condition": {"StringEquals": {"AWS:SourceOwner": "111122223333"}}}]})
}

/// The default key policy: the account's IAM policies decide, which grants no service.
fn default_key_policy() -> Value {
    json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]})
}

fn with_topic_policy(policy: &Value) -> Value {
    let mut account = compliant();
    home(&mut account)["topicPolicies"] =
        json!({"items": [{"topicArn": TOPIC_ARN, "policy": policy.to_string()}]});
    account
}

/// The compliant account with its topic encrypted by a customer-managed key under `policy`.
fn with_key_policy(policy: &Value) -> Value {
    let mut account = with_topic_policy(&default_topic_policy());
    let region = home(&mut account);
    region["topics"]["items"][0]["kmsMasterKeyId"] = json!("alias/alerts");
    region["kmsKeys"]["items"] = json!([{
        "keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "arn": KEY_ARN,
        "keyManager": "CUSTOMER", "keyState": "Enabled", "origin": "AWS_KMS",
        "aliases": ["alias/alerts"]
    }]);
    region["keyPolicies"] = json!({"items": [{"keyArn": KEY_ARN, "policy": policy.to_string()}]});
    account
}

fn publish_statement(principal: &str, condition: Value) -> Value {
    json!({"Sid": "AllowPublish", "Effect": "Allow", "Principal": {"Service": principal},
           "Action": "sns:Publish", "Resource": TOPIC_ARN, "Condition": condition})
}

fn key_statement(principal: &str, condition: Value) -> Value {
    json!({"Sid": "AllowService", "Effect": "Allow", "Principal": {"Service": principal},
           "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*", "Condition": condition})
}

fn policy_of(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn unverifiable(account: &Value) -> String {
    let found = findings(account);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].outcome, Outcome::Unverifiable, "{found:#?}");
    assert_eq!(found[0].reason, reason::NOTIFICATION_UNVERIFIABLE);
    found[0].message.clone()
}

#[test]
fn the_default_topic_policy_lets_the_accounts_alarms_publish() {
    assert_eq!(
        findings(&with_topic_policy(&default_topic_policy())),
        vec![]
    );
}

#[test]
fn a_topic_policy_for_one_role_drops_alarm_notifications() {
    let policy = policy_of(vec![json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:role/ops"},
        "Action": "sns:Publish", "Resource": TOPIC_ARN})]);
    let finding = fails_with(
        &with_topic_policy(&policy),
        reason::TOPIC_POLICY_BLOCKS_PUBLISH,
    );
    assert!(
        finding
            .message
            .contains("does not allow CloudWatch (cloudwatch.amazonaws.com) sns:Publish"),
        "{}",
        finding.message
    );
    assert_eq!(
        finding.resource.as_ref().map(|r| r.arn.as_str()),
        Some(TOPIC_ARN)
    );
}

#[test]
fn a_deny_for_cloudwatch_wins_over_the_default_allow() {
    let mut policy = default_topic_policy();
    policy["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "NoServices", "Effect": "Deny", "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish", "Resource": TOPIC_ARN}));
    let finding = fails_with(
        &with_topic_policy(&policy),
        reason::TOPIC_POLICY_BLOCKS_PUBLISH,
    );
    assert!(
        finding.message.contains("statement `NoServices`"),
        "{}",
        finding.message
    );
}

#[test]
fn source_arn_conditions_decide_by_the_alarms_arn() {
    let scoped = |pattern: &str| {
        with_topic_policy(&policy_of(vec![publish_statement(
            "cloudwatch.amazonaws.com",
            json!({"ArnLike": {"aws:SourceArn": pattern},
                   "StringEquals": {"aws:SourceAccount": "111122223333"}}),
        )]))
    };
    assert_eq!(
        findings(&scoped(
            "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cmk-*"
        )),
        vec![]
    );
    fails_with(
        &scoped("arn:aws:cloudwatch:us-east-1:111122223333:alarm:prod-*"),
        reason::TOPIC_POLICY_BLOCKS_PUBLISH,
    );
}

#[test]
fn a_policy_it_cannot_judge_is_could_not_verify() {
    let policy = policy_of(vec![publish_statement(
        "cloudwatch.amazonaws.com",
        json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
    )]);
    let message = unverifiable(&with_topic_policy(&policy));
    assert!(message.contains("IpAddress"), "{message}");
    let message = unverifiable(&with_topic_policy(&json!("not a policy")));
    assert!(message.contains("Statement"), "{message}");
}

#[test]
fn policies_not_collected_are_skipped_and_failed_readings_unverifiable() {
    // An older snapshot, or a rule that does not declare the sections: the link is skipped.
    assert_eq!(findings(&compliant()), vec![]);
    let mut account = compliant();
    home(&mut account)["topicPolicies"] = json!({"errors": [{
        "service": "sns", "operation": "GetTopicAttributes", "region": "us-east-1",
        "code": "AccessDenied", "message": "not authorized"}]});
    let message = unverifiable(&account);
    assert!(message.contains("GetTopicAttributes"), "{message}");
    // Collected, but the topic has no policy recorded.
    let mut account = compliant();
    home(&mut account)["topicPolicies"] = json!({"items": []});
    assert!(unverifiable(&account).contains("no access policy"));
}

#[test]
fn a_key_policy_without_cloudwatch_drops_alarm_notifications() {
    let finding = fails_with(
        &with_key_policy(&default_key_policy()),
        reason::TOPIC_KEY_POLICY_BLOCKS_PUBLISH,
    );
    assert!(
        finding
            .message
            .contains("does not allow CloudWatch (cloudwatch.amazonaws.com) kms:GenerateDataKey"),
        "{}",
        finding.message
    );
    let mut granted = default_key_policy();
    granted["Statement"]
        .as_array_mut()
        .unwrap()
        .push(key_statement(
            "cloudwatch.amazonaws.com",
            json!({"StringEquals": {"aws:SourceAccount": "111122223333"},
               "ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:*"}}),
        ));
    assert_eq!(findings(&with_key_policy(&granted)), vec![]);
    // Decrypt alone is not enough.
    let mut decrypt_only = default_key_policy();
    decrypt_only["Statement"]
        .as_array_mut()
        .unwrap()
        .push(json!({
        "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "kms:Decrypt", "Resource": "*"}));
    fails_with(
        &with_key_policy(&decrypt_only),
        reason::TOPIC_KEY_POLICY_BLOCKS_PUBLISH,
    );
    // A KMS-specific condition key is not modelled: could not verify.
    let mut via = default_key_policy();
    via["Statement"].as_array_mut().unwrap().push(key_statement(
        "cloudwatch.amazonaws.com",
        json!({"StringEquals": {"kms:CallerAccount": "111122223333"}}),
    ));
    assert!(unverifiable(&with_key_policy(&via)).contains("kms:CallerAccount"));
}

#[test]
fn a_key_the_snapshot_does_not_know_is_could_not_verify() {
    let mut account = with_key_policy(&default_key_policy());
    home(&mut account)["topics"]["items"][0]["kmsMasterKeyId"] = json!("alias/unknown");
    assert!(unverifiable(&account).contains("alias/unknown"));
}

#[test]
fn eventbridge_needs_its_own_statement_and_no_source_conditions_on_the_key() {
    let snapshot_of = |account: &Value| -> Snapshot {
        serde_json::from_value(account.clone()).expect("test snapshot")
    };
    let targets = [TOPIC_ARN.to_owned()];
    // The default policy conditions on AWS:SourceOwner, which EventBridge does not send.
    let account = with_topic_policy(&default_topic_policy());
    let notify = targets_notify(&snapshot_of(&account), RULE_ARN, &targets);
    assert!(
        matches!(&notify, Notify::Nobody { reason, why, .. }
            if *reason == reason::TOPIC_POLICY_BLOCKS_PUBLISH && why.contains("events.amazonaws.com")),
        "{notify:?}"
    );
    // …while the account's alarms may publish to the same topic.
    let alarm = action_notifies(
        &snapshot_of(&account),
        Publisher::Alarm { arn: ALARM_ARN },
        TOPIC_ARN,
    );
    assert!(alarm.reaches_someone(), "{alarm:?}");

    // With a statement for events.amazonaws.com, and a key granting it without conditions.
    let mut topic_policy = default_topic_policy();
    topic_policy["Statement"]
        .as_array_mut()
        .unwrap()
        .push(publish_statement(
            "events.amazonaws.com",
            json!({"ArnEquals": {"aws:SourceArn": RULE_ARN}}),
        ));
    let mut key_policy = default_key_policy();
    key_policy["Statement"]
        .as_array_mut()
        .unwrap()
        .push(key_statement("events.amazonaws.com", json!({})));
    let mut account = with_key_policy(&key_policy);
    home(&mut account)["topicPolicies"]["items"][0]["policy"] = json!(topic_policy.to_string());
    let notify = targets_notify(&snapshot_of(&account), RULE_ARN, &targets);
    assert!(notify.reaches_someone(), "{notify:?}");

    // A key statement conditioned on aws:SourceAccount: EventBridge does not send it to KMS.
    let mut key_policy = default_key_policy();
    key_policy["Statement"]
        .as_array_mut()
        .unwrap()
        .push(key_statement(
            "events.amazonaws.com",
            json!({"StringEquals": {"aws:SourceAccount": "111122223333"}}),
        ));
    home(&mut account)["keyPolicies"]["items"][0]["policy"] = json!(key_policy.to_string());
    let notify = targets_notify(&snapshot_of(&account), RULE_ARN, &targets);
    assert!(
        matches!(&notify, Notify::Nobody { reason, .. } if *reason == reason::TOPIC_KEY_POLICY_BLOCKS_PUBLISH),
        "{notify:?}"
    );
}
