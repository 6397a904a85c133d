//! Saved snapshots (the demo and the test fixtures, written by earlier trailwardens) still parse
//! now that AWS values are enums, every value they hold is one the enums know, and writing them
//! back spells each value exactly as it was read.

use std::path::{Path, PathBuf};

use serde_json::Value;
use trailwarden_sdk::Snapshot;

/// The snapshot fields whose values are typed AWS enumerations.
const TYPED_FIELDS: &[&str] = &[
    "keyManager",
    "keyState",
    "origin",
    "expirationModel",
    "comparisonOperator",
    "statistic",
    "stat",
    "treatMissingData",
    "stateValue",
    "logGroupClass",
    "state",
];

fn saved_snapshots() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths = vec![root.join("examples/demo-snapshot.json")];
    let fixtures = root.join("tests/fixtures/snapshots");
    let entries = std::fs::read_dir(&fixtures).expect("the fixture directory is readable");
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    paths
}

/// Every `(field, value)` under the typed field names, in document order.
fn typed_values(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if let (true, Some(text)) = (TYPED_FIELDS.contains(&key.as_str()), inner.as_str()) {
                    out.push((key.clone(), text.to_owned()));
                }
                typed_values(inner, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| typed_values(item, out)),
        _ => {}
    }
}

#[test]
fn saved_snapshots_keep_every_aws_value_as_written() {
    let mut checked = 0;
    for path in saved_snapshots() {
        let text = std::fs::read_to_string(&path).expect("the snapshot is readable");
        // A fixture that is meant not to parse (another schema version) is not about values.
        let Ok(snapshot) = Snapshot::from_json(&text) else {
            continue;
        };
        let original: Value = serde_json::from_str(&text).expect("the snapshot is JSON");
        let written = serde_json::to_value(&snapshot).expect("the snapshot serialises");
        let (mut before, mut after) = (Vec::new(), Vec::new());
        typed_values(&original, &mut before);
        typed_values(&written, &mut after);
        before.sort();
        after.sort();
        assert_eq!(before, after, "{}", path.display());
        checked += before.len();
    }
    assert!(checked > 100, "only {checked} typed values were checked");
}

#[test]
fn the_values_in_saved_snapshots_are_all_known_ones() {
    use trailwarden_sdk::snapshot::{ComparisonOperator, KeyManager, KeyState, Origin};
    for path in saved_snapshots() {
        let text = std::fs::read_to_string(&path).expect("the snapshot is readable");
        let Ok(snapshot) = Snapshot::from_json(&text) else {
            continue;
        };
        for region in &snapshot.regions {
            for key in &region.kms_keys.items {
                let unknown = matches!(key.key_manager, KeyManager::Other(_))
                    || matches!(key.key_state, KeyState::Other(_))
                    || matches!(key.origin, Origin::Other(_));
                assert!(!unknown, "{}: {key:?}", path.display());
            }
            for alarm in &region.metric_alarms.items {
                let operator = &alarm.comparison_operator;
                let unknown = matches!(operator, ComparisonOperator::Other(_));
                assert!(!unknown, "{}: {operator}", path.display());
            }
        }
    }
}
