//! A finding is fingerprinted by the resource it is about. A rule that reports per KMS key,
//! where one shared metric filter breaks the monitoring of two keys, must give two findings
//! with two SARIF fingerprints: one alert per key, so that fixing, suppressing or baselining
//! one key never hides the other.

use serde_json::Value;
use trailwarden::report::{CheckReport, RuleEntry, SnapshotSource, sarif};
use trailwarden_sdk::chain::{AlarmMode, Analysis, Requirement, analyse};
use trailwarden_sdk::events::kms;
use trailwarden_sdk::prelude::*;
use trailwarden_sdk::testing::SnapshotBuilder;

const KEY_KIND: &str = "AWS::KMS::Key";

/// The analysis of one key's disable events, in its own region.
fn key_analysis(snapshot: &Snapshot, region: &str, key: &KmsKey) -> Analysis {
    let mut record = kms::disable_key(region, &snapshot.account.id);
    record["requestParameters"]["keyId"] = Value::String(key.arn.clone());
    let requirement = Requirement::new(
        format!("disable events of key `{}`", key.key_id),
        vec![record],
        AlarmMode::SingleEvent,
    );
    analyse(snapshot, &requirement)
}

fn key_resource(key: &KmsKey) -> Resource {
    Resource::new(KEY_KIND, &key.arn, &key.key_id).with_role("key")
}

/// What an author writes for "every key's disable events reach someone": one analysis per key,
/// each finding attributed to its key.
#[rule(id = "ACME-KEY-001", name = "per-key-disable-alarm", level = "error", needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics", "kmsKeys"])]
pub fn per_key(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let mut findings = Vec::new();
    for region in &snapshot.regions {
        for key in &region.kms_keys.items {
            let analysis = key_analysis(snapshot, &region.region, key);
            findings.extend(analysis.findings_about(&key_resource(key)));
        }
    }
    Ok(findings)
}

/// The same rule without attribution: each finding is on the resource at fault.
#[rule(id = "ACME-KEY-002", name = "per-key-unattributed", level = "error", needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics", "kmsKeys"])]
pub fn unattributed(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let mut findings = Vec::new();
    for region in &snapshot.regions {
        for key in &region.kms_keys.items {
            findings.extend(key_analysis(snapshot, &region.region, key).findings());
        }
    }
    Ok(findings)
}

export_rules![per_key, unattributed];

/// Two keys in one region whose disable events one filter, misspelt, never matches.
fn two_keys_one_broken_filter() -> Snapshot {
    SnapshotBuilder::new()
        .region("us-east-1")
        .trail("management-events", "cloudtrail-logs")
        .monitor(
            "cloudtrail-logs",
            "kms-key-changes",
            "{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKeys) }",
            "security-alerts",
        )
        .topic("security-alerts")
        .kms_key("1234abcd-12ab-34cd-56ef-1234567890ab")
        .kms_key("0987dcba-09fe-87dc-65ba-ab0987654321")
        .build()
}

/// The SARIF results of running `rule` on `snapshot`, as `check --format sarif` writes them.
fn sarif_results(snapshot: &Snapshot, rule: &str) -> Vec<Value> {
    let pack = pack();
    let findings = pack
        .run_rule(rule, snapshot, Value::Null)
        .expect("the rule runs");
    let rules = pack
        .meta()
        .rules
        .into_iter()
        .filter(|meta| meta.id == rule)
        .map(|meta| RuleEntry {
            pack: pack.name.to_owned(),
            pack_index: 0,
            sdk_version: trailwarden_sdk::SDK_VERSION.to_owned(),
            meta,
        })
        .collect();
    let source = SnapshotSource {
        display: "two-keys.json".to_owned(),
    };
    let mut report = CheckReport::new(snapshot, source, rules, "2024-05-01T10:00:00Z".to_owned());
    report.findings = findings;
    report.finish();
    let text = sarif::render(&report).expect("SARIF");
    let log: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn fingerprint(result: &Value) -> &str {
    result["partialFingerprints"]["primaryLocationLineHash"]
        .as_str()
        .unwrap_or_default()
}

#[test]
fn two_keys_broken_by_one_shared_filter_get_two_fingerprints() {
    let snapshot = two_keys_one_broken_filter();
    let results = sarif_results(&snapshot, "ACME-KEY-001");
    assert_eq!(results.len(), 2, "{results:#?}");
    assert_ne!(
        fingerprint(&results[0]),
        fingerprint(&results[1]),
        "one alert per key: {results:#?}"
    );
    for result in &results {
        assert_eq!(result["ruleId"], "ACME-KEY-001");
        let primary = &result["locations"][0]["logicalLocations"][0];
        assert_eq!(primary["kind"], KEY_KIND, "{result:#?}");
        // The filter at fault is still named, as a related location.
        let related = serde_json::to_string(&result["relatedLocations"]).unwrap_or_default();
        assert!(related.contains("kms-key-changes"), "{result:#?}");
    }
}

/// Why attribution is needed: on the resource at fault, the two keys' findings (whose messages
/// differ) are one fingerprint, so code scanning shows one alert for two broken keys.
#[test]
fn unattributed_findings_on_a_shared_filter_share_a_fingerprint() {
    let snapshot = two_keys_one_broken_filter();
    let results = sarif_results(&snapshot, "ACME-KEY-002");
    assert_eq!(results.len(), 2, "{results:#?}");
    assert_ne!(results[0]["message"], results[1]["message"]);
    assert_eq!(fingerprint(&results[0]), fingerprint(&results[1]));
}
