//! The CloudTrail pack, as a user's pack is tested: scenarios built with `SnapshotBuilder`, and
//! the fixture cases of `tests/cases` (each a shared snapshot of `tests/fixtures/snapshots`
//! with every finding the pack must report on it), which the host's tests also run through
//! the `.wasm` in the sandbox.

use trailwarden_rules_cloudtrail::pack;
use trailwarden_sdk::testing::{SnapshotBuilder, assert_cases, load_cases, run_native};
use trailwarden_sdk::{Finding, Snapshot};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");

#[test]
fn fixture_cases() {
    let ran = assert_cases(&pack(), CASES);
    assert!(ran >= 14, "only {ran} cases");
    // Every finding of every case is one sentence without a closing period.
    for case in load_cases(CASES.as_ref()).expect("cases load") {
        for finding in run_native(&pack(), &case).findings {
            assert!(
                !finding.message.ends_with('.'),
                "{}: closing period: {}",
                case.name,
                finding.message
            );
        }
    }
}

/// A healthy account: a multi-region trail homed in us-east-1, delivering to CloudWatch Logs,
/// and its shadow copy in eu-west-1.
fn account() -> SnapshotBuilder {
    SnapshotBuilder::new()
        .region("us-east-1")
        .trail("management-events", "cloudtrail-logs")
        .region("eu-west-1")
}

/// A shared snapshot fixture, to change one thing of it.
fn fixture(name: &str) -> SnapshotBuilder {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/snapshots/"
    );
    let text = std::fs::read_to_string(format!("{path}{name}")).expect("fixture exists");
    SnapshotBuilder::from_snapshot(Snapshot::from_json(&text).expect("fixture parses"))
}

fn run(id: &str, builder: SnapshotBuilder, settings: serde_json::Value) -> Vec<Finding> {
    pack()
        .run_rule(id, &builder.build(), settings)
        .expect("the rule runs")
}

#[test]
fn a_healthy_account_passes_every_rule_but_encryption() {
    for id in ["TW-CT-001", "TW-CT-002", "TW-CT-004", "TW-CT-005"] {
        assert_eq!(run(id, account(), serde_json::Value::Null), vec![], "{id}");
    }
}

#[test]
fn ct001_and_ct005_name_the_selector_and_the_source_they_drop() {
    let excludes_kms = account().edit_trail("management-events", |trail| {
        if let Some(selectors) = &mut trail.event_selectors {
            selectors.event_selectors[0].exclude_management_event_sources =
                vec!["kms.amazonaws.com".to_owned()];
        }
    });
    let findings = run("TW-CT-001", excludes_kms.clone(), serde_json::Value::Null);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].reason, "TRAIL_DROPS_MANAGEMENT_EVENTS");
    let message = &findings[0].message;
    assert!(message.contains("kms.amazonaws.com"), "{message}");
    assert!(message.contains("basic selector 0"), "{message}");

    let findings = run("TW-CT-005", excludes_kms, serde_json::Value::Null);
    assert_eq!(
        findings.len(),
        1,
        "both regions fail the same way: {findings:#?}"
    );
    assert_eq!(findings[0].reason, "KMS_EVENTS_DROPPED");
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
}

#[test]
fn ct005_names_the_region_a_single_region_trail_leaves_out() {
    let single = SnapshotBuilder::new()
        .region("us-east-1")
        .trail("management-events", "cloudtrail-logs")
        .edit_trail("management-events", |trail| {
            trail.is_multi_region_trail = false;
        })
        .region("eu-west-1");
    let findings = run("TW-CT-005", single, serde_json::Value::Null);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].reason, "KMS_EVENTS_NOT_RECORDED");
    assert_eq!(findings[0].region.as_deref(), Some("eu-west-1"));
}

#[test]
fn ct002_a_log_group_of_that_name_elsewhere_is_not_the_trails() {
    // The trail points at the same group name in eu-west-1, where no such group exists.
    let elsewhere = account().edit_trail("management-events", |trail| {
        trail.cloud_watch_logs_log_group_arn = trail
            .cloud_watch_logs_log_group_arn
            .as_ref()
            .map(|arn| arn.replace(":us-east-1:", ":eu-west-1:"));
    });
    let findings = run("TW-CT-002", elsewhere, serde_json::Value::Null);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].reason, "LOG_GROUP_MISSING");
}

#[test]
fn ct002_a_delivery_older_than_the_limit_at_collection_is_stale() {
    // Collected two days after the last delivery (2026-11-25T09:57:12Z).
    let late = fixture("compliant.json").collected_at(Some("2026-11-27T10:00:00Z"));
    let findings = run("TW-CT-002", late.clone(), serde_json::Value::Null);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].reason, "CLOUDWATCH_DELIVERY_STALE");
    assert!(
        findings[0].message.contains("48 hours"),
        "{}",
        findings[0].message
    );
    let relaxed = serde_json::json!({"max_delivery_age_hours": 72});
    assert_eq!(run("TW-CT-002", late.clone(), relaxed), vec![]);
    let error = pack()
        .run_rule(
            "TW-CT-002",
            &late.build(),
            serde_json::json!({"max_delivery_age_hours": 0}),
        )
        .unwrap_err();
    assert!(error.to_string().contains("at least 1"), "{error}");
}

#[test]
fn pack_metadata_is_complete() {
    let meta = pack().meta();
    assert_eq!(meta.rules.len(), 5);
    for rule in &meta.rules {
        assert!(rule.id.starts_with("TW-CT-"), "{}", rule.id);
        // The help sections are checked for every pack at once (tests/tests/help_sections.rs).
        // TW-CT-005 is trailwarden's own: no benchmark has it.
        if rule.id != "TW-CT-005" {
            assert!(!rule.mappings.security_hub.is_empty(), "{}", rule.id);
        }
    }
}
