//! The pack's metadata: what SARIF and `rules explain` show without running a rule.

use trailwarden_rules_kms::pack;
use trailwarden_sdk::Level;

#[test]
fn pack_exports_six_rules_with_their_metadata() {
    let meta = pack().meta();
    let ids: Vec<&str> = meta.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "TW-KMS-001",
            "TW-KMS-002",
            "TW-KMS-003",
            "TW-KMS-004",
            "TW-KMS-005",
            "TW-KMS-006"
        ]
    );
    for rule in &meta.rules {
        assert!(
            rule.help_markdown.contains("aws "),
            "{} has no AWS CLI fix",
            rule.id
        );
        assert!(rule.help_uri.is_some(), "{}", rule.id);
        let expected = if rule.id == "TW-KMS-001" {
            Level::Error
        } else {
            Level::Warning
        };
        assert_eq!(rule.level, expected, "{}", rule.id);
        assert!(rule.security_severity.is_some(), "{}", rule.id);
        assert!(!rule.needs.is_empty(), "{}", rule.id);
        if rule.id != "TW-KMS-002" {
            assert!(
                !rule.settings.is_empty(),
                "{} documents its settings",
                rule.id
            );
        }
    }
}

#[test]
fn detection_rule_carries_elastic_and_mitre_metadata() {
    let meta = pack().meta();
    let rule = meta
        .rules
        .iter()
        .find(|r| r.id == "TW-KMS-006")
        .expect("present");
    assert_eq!(rule.security_severity, Some(5.5), "Elastic severity medium");
    assert_eq!(rule.mappings.mitre_attack, ["T1485"]);
    assert!(rule.tags.iter().any(|t| t == "detection"));
    assert!(rule.help_markdown.contains("risk score 47"));
    assert_eq!(rule.needs, ["events"]);
    let names: Vec<&str> = rule.settings.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["window_minutes", "allowed_principals"]);
}

#[test]
fn default_settings_are_valid_and_documented_defaults_match() {
    let pack = pack();
    for rule in &pack.rules {
        assert_eq!(
            (rule.check_settings)(&serde_json::Value::Null),
            Ok(()),
            "{}",
            rule.spec.id
        );
        let defaults: serde_json::Map<String, serde_json::Value> = (rule.describe_settings)()
            .into_iter()
            .map(|s| (s.name, s.default))
            .collect();
        assert_eq!(
            (rule.check_settings)(&serde_json::Value::Object(defaults)),
            Ok(()),
            "{}: the documented defaults are accepted",
            rule.spec.id
        );
    }
}
