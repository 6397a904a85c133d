//! Each CloudTrail rule on the snapshot fixtures: the compliant account passes everything, and
//! each fixture with one defect fails exactly the rule it targets, with the expected reason.

use std::path::PathBuf;

use trailwarden_rules_cloudtrail::pack;
use trailwarden_sdk::{Outcome, Snapshot};

fn snapshot(name: &str) -> Snapshot {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/snapshots")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    Snapshot::from_json(&text).expect("fixture parses")
}

/// (outcome, reason) of each finding of `rule` on fixture `file`.
fn verdict(rule: &str, file: &str) -> Vec<(Outcome, String)> {
    pack()
        .run_rule(rule, &snapshot(file), serde_json::Value::Null)
        .expect("rule runs")
        .into_iter()
        .map(|f| {
            assert_eq!(f.rule_id, rule);
            assert!(
                !f.message.ends_with('.'),
                "messages have no closing period: {}",
                f.message
            );
            (f.outcome, f.reason)
        })
        .collect()
}

fn fails(reason: &str) -> Vec<(Outcome, String)> {
    vec![(Outcome::Fail, reason.to_owned())]
}

#[test]
fn compliant_account_passes_every_rule() {
    for rule in ["TW-CT-001", "TW-CT-003", "TW-CT-004"] {
        assert_eq!(verdict(rule, "compliant.json"), vec![], "{rule}");
    }
}

#[test]
fn ct001_verdicts() {
    let cases = [
        ("no-multi-region.json", fails("TRAIL_NOT_MULTI_REGION")),
        ("not-logging.json", fails("TRAIL_NOT_LOGGING")),
        ("write-only.json", fails("TRAIL_DROPS_MANAGEMENT_EVENTS")),
        ("excludes-kms.json", fails("TRAIL_DROPS_MANAGEMENT_EVENTS")),
        ("advanced-selectors-ok.json", vec![]),
        (
            "advanced-selectors-drop-readonly.json",
            fails("TRAIL_DROPS_MANAGEMENT_EVENTS"),
        ),
        ("unencrypted.json", vec![]),
        ("no-validation.json", vec![]),
        (
            "trails-access-denied.json",
            vec![(Outcome::Unverifiable, "TRAILS_NOT_COLLECTED".to_owned())],
        ),
    ];
    for (file, expected) in cases {
        assert_eq!(verdict("TW-CT-001", file), expected, "{file}");
    }
}

#[test]
fn ct001_names_the_selector_and_event_it_drops() {
    let findings = pack()
        .run_rule(
            "TW-CT-001",
            &snapshot("excludes-kms.json"),
            serde_json::Value::Null,
        )
        .expect("runs");
    let message = &findings[0].message;
    assert!(message.contains("kms.amazonaws.com"), "{message}");
    assert!(message.contains("basic selector 0"), "{message}");
}

#[test]
fn ct003_verdicts() {
    let cases = [
        ("unencrypted.json", fails("TRAIL_NOT_ENCRYPTED")),
        ("aws-managed-key.json", fails("TRAIL_KEY_AWS_MANAGED")),
        ("no-validation.json", vec![]),
        ("write-only.json", vec![]),
    ];
    for (file, expected) in cases {
        assert_eq!(verdict("TW-CT-003", file), expected, "{file}");
    }
}

#[test]
fn ct004_verdicts() {
    let cases = [
        ("no-validation.json", fails("LOG_FILE_VALIDATION_DISABLED")),
        ("unencrypted.json", vec![]),
        (
            "trails-access-denied.json",
            vec![(Outcome::Unverifiable, "TRAILS_NOT_COLLECTED".to_owned())],
        ),
    ];
    for (file, expected) in cases {
        assert_eq!(verdict("TW-CT-004", file), expected, "{file}");
    }
}

#[test]
fn pack_metadata_is_complete() {
    let meta = pack().meta();
    assert_eq!(meta.rules.len(), 3);
    for rule in &meta.rules {
        assert!(rule.id.starts_with("TW-CT-"), "{}", rule.id);
        for section in [
            "## What it checks",
            "## Why it matters",
            "## How to fix",
            "## References",
        ] {
            assert!(
                rule.help_markdown.contains(section),
                "{} lacks {section}",
                rule.id
            );
        }
        assert!(rule.short_description.ends_with('.'), "{}", rule.id);
        assert!(!rule.mappings.security_hub.is_empty(), "{}", rule.id);
    }
}
