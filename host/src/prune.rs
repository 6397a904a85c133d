//! Each pack gets only the snapshot sections its selected rules declare they read.
//!
//! Parsing the snapshot is most of what a pack does on a large account (27,200 metric filters
//! are megabytes of JSON), and a CloudTrail pack has no use for metric filters. So a pack whose
//! rules all declare their `needs` receives a copy with the other sections marked not
//! collected. A rule that reads an undeclared section therefore sees "not collected" and says
//! "could not verify": a wrong declaration costs precision, never a false pass. A rule that
//! declares nothing gets everything.

use std::borrow::Cow;
use std::collections::BTreeSet;

use trailwarden_sdk::snapshot::Section;
use trailwarden_sdk::{RuleMeta, Snapshot};

/// Every section name a rule can declare in `needs`.
pub const SECTIONS: [&str; 9] = [
    "trails",
    "logGroups",
    "metricFilters",
    "metricAlarms",
    "compositeAlarms",
    "topics",
    "eventRules",
    "kmsKeys",
    "events",
];

/// The sections `rules` read together, or `None` when one of them declares nothing (or a
/// section this host does not know), so that everything must be sent.
pub fn needed<'a>(rules: impl IntoIterator<Item = &'a RuleMeta>) -> Option<BTreeSet<&'a str>> {
    let mut needed = BTreeSet::new();
    for rule in rules {
        if rule.needs.is_empty() {
            return None;
        }
        for section in &rule.needs {
            if !SECTIONS.contains(&section.as_str()) {
                return None;
            }
            needed.insert(section.as_str());
        }
    }
    Some(needed)
}

/// The snapshot bytes to hand a pack that reads `needed`: the original when it reads every
/// section, else a pruned copy.
pub fn input_for<'a>(
    snapshot: &Snapshot,
    original: &'a [u8],
    needed: Option<&BTreeSet<&str>>,
) -> Cow<'a, [u8]> {
    let Some(needed) = needed.filter(|n| n.len() < SECTIONS.len()) else {
        return Cow::Borrowed(original);
    };
    let pruned = prune(snapshot, needed);
    match serde_json::to_vec(&pruned) {
        Ok(bytes) => Cow::Owned(bytes),
        Err(_) => Cow::Borrowed(original),
    }
}

/// A copy of `snapshot` with every section outside `needed` marked not collected.
pub fn prune(snapshot: &Snapshot, needed: &BTreeSet<&str>) -> Snapshot {
    fn keep<T: Clone>(needed: &BTreeSet<&str>, name: &str, section: &Section<T>) -> Section<T> {
        if needed.contains(name) {
            section.clone()
        } else {
            Section::not_collected()
        }
    }
    let mut pruned = Snapshot {
        schema_version: snapshot.schema_version,
        generator: snapshot.generator.clone(),
        account: snapshot.account.clone(),
        regions: Vec::with_capacity(snapshot.regions.len()),
        events: keep(needed, "events", &snapshot.events),
        errors: snapshot.errors.clone(),
    };
    for region in &snapshot.regions {
        pruned
            .regions
            .push(trailwarden_sdk::snapshot::RegionSnapshot {
                region: region.region.clone(),
                trails: keep(needed, "trails", &region.trails),
                log_groups: keep(needed, "logGroups", &region.log_groups),
                metric_filters: keep(needed, "metricFilters", &region.metric_filters),
                metric_alarms: keep(needed, "metricAlarms", &region.metric_alarms),
                composite_alarms: keep(needed, "compositeAlarms", &region.composite_alarms),
                topics: keep(needed, "topics", &region.topics),
                event_rules: keep(needed, "eventRules", &region.event_rules),
                kms_keys: keep(needed, "kmsKeys", &region.kms_keys),
            });
    }
    pruned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(needs: &[&str]) -> RuleMeta {
        serde_json::from_value(serde_json::json!({
            "id": "X", "name": "x", "shortDescription": "", "fullDescription": "",
            "helpMarkdown": "", "level": "warning", "precision": "high",
            "needs": needs,
        }))
        .unwrap()
    }

    #[test]
    fn packs_get_what_their_rules_declare() {
        let a = rule(&["trails"]);
        let b = rule(&["trails", "kmsKeys"]);
        let needed = needed([&a, &b]).unwrap();
        assert_eq!(
            needed.into_iter().collect::<Vec<_>>(),
            ["kmsKeys", "trails"]
        );
        assert!(
            needed_none(&rule(&[])),
            "a rule that declares nothing gets everything"
        );
        assert!(needed_none(&rule(&["somethingNew"])));
    }

    fn needed_none(meta: &RuleMeta) -> bool {
        needed([meta]).is_none()
    }

    #[test]
    fn undeclared_sections_are_not_collected() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/snapshots/kms-chain-compliant.json"
        ))
        .unwrap();
        let snapshot = Snapshot::from_json(&text).unwrap();
        let needed: BTreeSet<&str> = ["trails", "kmsKeys"].into();
        let pruned = prune(&snapshot, &needed);
        assert_eq!(pruned.regions[0].trails, snapshot.regions[0].trails);
        assert!(!pruned.regions[0].metric_filters.collected);
        assert!(pruned.regions[0].metric_filters.items.is_empty());
        let bytes = input_for(&snapshot, text.as_bytes(), Some(&needed));
        assert!(bytes.len() < text.len() / 2, "the pruned copy is smaller");
        assert!(matches!(
            input_for(&snapshot, text.as_bytes(), None),
            Cow::Borrowed(_)
        ));
    }
}
