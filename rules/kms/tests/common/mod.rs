//! Snapshot builders and runners shared by the KMS pack's tests.
#![allow(dead_code)]

use serde_json::{Value, json};
use trailwarden_rules_kms::pack;
use trailwarden_sdk::{Ctx, Finding, Outcome, RuleError, Snapshot};

pub const ACCOUNT: &str = "111122223333";
pub const REGION: &str = "us-east-1";
pub const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// A region with every section collected and empty.
pub fn region(name: &str) -> Value {
    json!({
        "region": name,
        "trails": {}, "logGroups": {}, "metricFilters": {}, "metricAlarms": {},
        "topics": {}, "eventRules": {}, "kmsKeys": {}
    })
}

/// `region` with `section` holding `items`.
pub fn with(mut region: Value, section: &str, items: Value) -> Value {
    region[section] = json!({ "items": items });
    region
}

/// `region` with `section` replaced by `value` as is (failed, not collected).
pub fn set(mut region: Value, section: &str, value: Value) -> Value {
    region[section] = value;
    region
}

/// A section whose collection failed with AccessDenied.
pub fn denied(service: &str, operation: &str) -> Value {
    json!({ "errors": [{
        "service": service, "operation": operation, "region": REGION,
        "code": "AccessDeniedException", "message": "not authorized"
    }]})
}

/// A snapshot of [`ACCOUNT`] with these regions.
pub fn snapshot(regions: Vec<Value>) -> Snapshot {
    snapshot_with(json!({ "schemaVersion": 1, "account": { "id": ACCOUNT }, "regions": regions }))
}

/// Parses a whole snapshot document.
pub fn snapshot_with(document: Value) -> Snapshot {
    Snapshot::from_json(&document.to_string()).expect("test snapshot parses")
}

/// An enabled customer-managed key.
pub fn cmk(id: &str, region: &str) -> Value {
    json!({
        "keyId": id,
        "arn": format!("arn:aws:kms:{region}:{ACCOUNT}:key/{id}"),
        "keyManager": "CUSTOMER",
        "keyState": "Enabled"
    })
}

/// An SNS topic ARN in [`ACCOUNT`].
pub fn topic_arn(region: &str, name: &str) -> String {
    format!("arn:aws:sns:{region}:{ACCOUNT}:{name}")
}

/// A topic with one subscription, confirmed or pending.
pub fn topic(region: &str, name: &str, confirmed: bool) -> Value {
    let subscription = if confirmed {
        format!(
            "{}:0b6941c4-f4b6-4e3b-8d5c-3f0e0e3b1f11",
            topic_arn(region, name)
        )
    } else {
        "PendingConfirmation".to_owned()
    };
    json!({
        "topicArn": topic_arn(region, name),
        "subscriptions": [{ "subscriptionArn": subscription, "protocol": "email", "endpoint": "<redacted>" }]
    })
}

/// An EventBridge rule on the default bus with `pattern` and targets.
pub fn event_rule(
    region: &str,
    name: &str,
    pattern: Value,
    state: &str,
    targets: &[String],
) -> Value {
    let targets: Vec<Value> = targets
        .iter()
        .enumerate()
        .map(|(i, arn)| json!({ "id": format!("t{i}"), "arn": arn }))
        .collect();
    json!({
        "name": name,
        "arn": format!("arn:aws:events:{region}:{ACCOUNT}:rule/{name}"),
        "state": state,
        "eventPattern": pattern.to_string(),
        "targets": targets
    })
}

/// Runs `id` with `settings` and no run time.
pub fn run(id: &str, snapshot: &Snapshot, settings: Value) -> Vec<Finding> {
    checked(
        pack().run_rule(id, snapshot, settings).expect("rule runs"),
        id,
    )
}

/// Runs `id` with `settings` at run time `now`, returning the findings and the rule's log.
pub fn run_at(
    id: &str,
    snapshot: &Snapshot,
    settings: Value,
    now: Option<&str>,
) -> (Vec<Finding>, Vec<String>) {
    let (result, logs) = try_run_at(id, snapshot, settings, now);
    (checked(result.expect("rule runs"), id), logs)
}

/// Like [`run_at`], keeping the error.
pub fn try_run_at(
    id: &str,
    snapshot: &Snapshot,
    settings: Value,
    now: Option<&str>,
) -> (Result<Vec<Finding>, RuleError>, Vec<String>) {
    let pack = pack();
    let rule = pack.rule(id).expect("rule exists");
    let mut ctx = Ctx::new(id).with_settings(settings);
    if let Some(now) = now {
        ctx = ctx.with_now(now);
    }
    let result = rule.run(snapshot, &ctx);
    (result, ctx.take_logs())
}

/// The findings after the checks every finding must pass: stamped with the rule id, one
/// sentence without a closing period, a SCREAMING_SNAKE reason.
fn checked(findings: Vec<Finding>, id: &str) -> Vec<Finding> {
    for finding in &findings {
        assert_eq!(finding.rule_id, id);
        assert!(
            !finding.message.ends_with('.'),
            "closing period: {}",
            finding.message
        );
        assert!(!finding.message.is_empty());
        assert!(
            finding
                .reason
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_'),
            "reason {}",
            finding.reason
        );
        assert!(
            finding.account.is_some(),
            "account missing: {}",
            finding.message
        );
    }
    findings
}

/// (outcome, reason) of each finding, in order.
pub fn verdicts(findings: &[Finding]) -> Vec<(Outcome, String)> {
    findings
        .iter()
        .map(|f| (f.outcome, f.reason.clone()))
        .collect()
}

/// One failure with `reason`.
pub fn fail(reason: &str) -> Vec<(Outcome, String)> {
    vec![(Outcome::Fail, reason.to_owned())]
}

/// One could-not-verify with `reason`.
pub fn unverifiable(reason: &str) -> Vec<(Outcome, String)> {
    vec![(Outcome::Unverifiable, reason.to_owned())]
}

/// The settings error of running `id` with `settings`.
pub fn settings_error(id: &str, settings: Value) -> String {
    match pack().run_rule(id, &snapshot(vec![]), settings.clone()) {
        Err(RuleError::Settings(message)) => {
            let rule = pack();
            let rule = rule.rule(id).expect("rule exists");
            assert!(
                (rule.check_settings)(&settings).is_err(),
                "load-time check agrees"
            );
            message
        }
        other => panic!("expected a settings error, got {other:?}"),
    }
}
