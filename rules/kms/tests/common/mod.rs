//! What the KMS pack's tests share: the accounts they build on, and runners that hold every
//! finding to the house style.
#![allow(dead_code)]

use serde_json::Value;
use trailwarden_rules_kms::pack;
use trailwarden_sdk::testing::SnapshotBuilder;
use trailwarden_sdk::{Ctx, Finding, Outcome, RuleError, Snapshot};

pub const ACCOUNT: &str = "111122223333";
pub const REGION: &str = "us-east-1";
pub const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// us-east-1 of [`ACCOUNT`], every section collected and empty, with the enabled customer
/// managed key [`KEY_ID`].
pub fn with_key() -> SnapshotBuilder {
    SnapshotBuilder::new().region(REGION).kms_key(KEY_ID)
}

/// An SNS topic ARN in [`ACCOUNT`].
pub fn topic_arn(region: &str, name: &str) -> String {
    format!("arn:aws:sns:{region}:{ACCOUNT}:{name}")
}

/// Runs `id` with `settings` and no run time, as `pack().run_rule` does.
pub fn run(id: &str, builder: SnapshotBuilder, settings: Value) -> Vec<Finding> {
    let findings = pack()
        .run_rule(id, &builder.build(), settings)
        .expect("rule runs");
    stamped(&findings, id);
    findings
}

/// Runs `id` with `settings` at run time `now`, returning the findings and the rule's log.
pub fn run_at(
    id: &str,
    snapshot: &Snapshot,
    settings: Value,
    now: Option<&str>,
) -> (Vec<Finding>, Vec<String>) {
    let pack = pack();
    let rule = pack.rule(id).expect("rule exists");
    let mut ctx = Ctx::new(id).with_settings(settings);
    if let Some(now) = now {
        ctx = ctx.with_now(now);
    }
    let findings = rule.run(snapshot, &ctx).expect("rule runs");
    house_style(&findings);
    (findings, ctx.take_logs())
}

fn stamped(findings: &[Finding], id: &str) {
    for finding in findings {
        assert_eq!(finding.rule_id, id);
    }
    house_style(findings);
}

/// The checks every finding must pass: one sentence without a closing period, a
/// SCREAMING_SNAKE reason, the account.
pub fn house_style(findings: &[Finding]) {
    for finding in findings {
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
}

/// (outcome, reason) of each finding, in order.
pub fn verdicts(findings: &[Finding]) -> Vec<(Outcome, &str)> {
    findings
        .iter()
        .map(|f| (f.outcome, f.reason.as_str()))
        .collect()
}

/// One failure with `reason`.
pub fn fail(reason: &str) -> Vec<(Outcome, &str)> {
    vec![(Outcome::Fail, reason)]
}

/// One could-not-verify with `reason`.
pub fn unverifiable(reason: &str) -> Vec<(Outcome, &str)> {
    vec![(Outcome::Unverifiable, reason)]
}

/// The settings error of running `id` with `settings`, which the load-time check agrees with.
pub fn settings_error(id: &str, settings: Value) -> String {
    match pack().run_rule(id, &SnapshotBuilder::new().build(), settings.clone()) {
        Err(RuleError::Settings(message)) => {
            let pack = pack();
            let rule = pack.rule(id).expect("rule exists");
            assert!(
                (rule.check_settings)(&settings).is_err(),
                "load-time check agrees"
            );
            message
        }
        other => panic!("expected a settings error, got {other:?}"),
    }
}
