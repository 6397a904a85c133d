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
    for rule in [
        "TW-CT-001",
        "TW-CT-002",
        "TW-CT-003",
        "TW-CT-004",
        "TW-CT-005",
    ] {
        assert_eq!(verdict(rule, "compliant.json"), vec![], "{rule}");
        assert_eq!(verdict(rule, "kms-chain-compliant.json"), vec![], "{rule}");
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
fn ct002_verdicts() {
    let cases = [
        (
            "delivery-failing.json",
            fails("CLOUDWATCH_DELIVERY_FAILING"),
        ),
        ("no-log-group.json", fails("TRAIL_NO_LOG_GROUP")),
        ("not-logging.json", fails("NO_LOGGING_TRAIL")),
        ("write-only.json", vec![]),
        (
            "trails-access-denied.json",
            vec![(Outcome::Unverifiable, "TRAILS_NOT_COLLECTED".to_owned())],
        ),
    ];
    for (file, expected) in cases {
        assert_eq!(verdict("TW-CT-002", file), expected, "{file}");
    }
}

#[test]
fn ct002_a_log_group_of_that_name_elsewhere_is_not_the_trails() {
    let mut text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/snapshots/compliant.json"),
    )
    .expect("fixture exists");
    // Point the trail at the same group name in eu-west-1, where no such group exists.
    text = text.replace(
        "arn:aws:logs:us-east-1:111122223333:log-group:",
        "arn:aws:logs:eu-west-1:111122223333:log-group:",
    );
    let snapshot = Snapshot::from_json(&text).expect("parses");
    let findings = pack()
        .run_rule("TW-CT-002", &snapshot, serde_json::Value::Null)
        .expect("runs");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].reason, "LOG_GROUP_MISSING");
}

#[test]
fn ct005_verdicts() {
    let cases = [
        ("excludes-kms.json", fails("KMS_EVENTS_DROPPED")),
        ("write-only.json", fails("KMS_EVENTS_DROPPED")),
        (
            "advanced-selectors-drop-readonly.json",
            fails("KMS_EVENTS_DROPPED"),
        ),
        ("advanced-selectors-ok.json", vec![]),
        ("not-logging.json", fails("KMS_EVENTS_NOT_RECORDED")),
        ("no-multi-region.json", fails("KMS_EVENTS_NOT_RECORDED")),
        ("unencrypted.json", vec![]),
        (
            "trails-access-denied.json",
            vec![(Outcome::Unverifiable, "TRAILS_NOT_COLLECTED".to_owned())],
        ),
    ];
    for (file, expected) in cases {
        assert_eq!(verdict("TW-CT-005", file), expected, "{file}");
    }
}

#[test]
fn ct005_names_the_trail_the_selector_and_the_regions() {
    let findings = pack()
        .run_rule(
            "TW-CT-005",
            &snapshot("excludes-kms.json"),
            serde_json::Value::Null,
        )
        .expect("runs");
    assert_eq!(
        findings.len(),
        1,
        "both regions fail the same way: {findings:#?}"
    );
    let message = &findings[0].message;
    assert!(message.contains("trail `management-events`"), "{message}");
    assert!(
        message.contains("ExcludeManagementEventSources"),
        "{message}"
    );
    assert_eq!(
        findings[0].properties["regions"],
        serde_json::json!(["us-east-1", "eu-west-1"])
    );
    let regional = pack()
        .run_rule(
            "TW-CT-005",
            &snapshot("no-multi-region.json"),
            serde_json::Value::Null,
        )
        .expect("runs");
    assert_eq!(regional[0].region.as_deref(), Some("eu-west-1"));
}

#[test]
fn pack_metadata_is_complete() {
    let meta = pack().meta();
    assert_eq!(meta.rules.len(), 5);
    for rule in &meta.rules {
        assert!(rule.id.starts_with("TW-CT-"), "{}", rule.id);
        // TW-CT-005 is trailwarden's own: no benchmark has it.
        if rule.id != "TW-CT-005" {
            assert!(!rule.mappings.security_hub.is_empty(), "{}", rule.id);
        }
    }
}

#[test]
fn ct002_a_delivery_older_than_the_limit_at_collection_is_stale() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/snapshots/compliant.json"),
    )
    .expect("fixture exists");
    // Collected two days after the last delivery (2026-11-25T09:57:12Z).
    let mut document: serde_json::Value = serde_json::from_str(&text).expect("json");
    document["generator"] = serde_json::json!({"collectedAt": "2026-11-27T10:00:00Z"});
    let snapshot = Snapshot::from_json(&document.to_string()).expect("parses");
    let findings = pack()
        .run_rule("TW-CT-002", &snapshot, serde_json::Value::Null)
        .expect("runs");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].reason, "CLOUDWATCH_DELIVERY_STALE");
    assert!(
        findings[0].message.contains("48 hours"),
        "{}",
        findings[0].message
    );
    let relaxed = pack()
        .run_rule(
            "TW-CT-002",
            &snapshot,
            serde_json::json!({"max_delivery_age_hours": 72}),
        )
        .expect("runs");
    assert_eq!(relaxed, vec![]);
    let error = pack()
        .run_rule(
            "TW-CT-002",
            &snapshot,
            serde_json::json!({"max_delivery_age_hours": 0}),
        )
        .unwrap_err();
    assert!(error.to_string().contains("at least 1"), "{error}");
}
