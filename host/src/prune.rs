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

use serde::Serialize;
use trailwarden_sdk::events::CloudTrailRecord;
use trailwarden_sdk::snapshot::{
    Account, CollectionError, CompositeAlarm, EventRule, Generator, KmsKey, LogGroup, MetricAlarm,
    MetricFilter, RegionSnapshot, Section, Topic, Trail,
};
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

/// The snapshot as a pack whose rules read `needed` receives it: compact JSON in which every
/// section outside `needed` is written as not collected (`None` sends every section).
///
/// It is written from borrowed parts of `snapshot`: a pruned clone of a large account would
/// briefly cost as much memory as the snapshot itself, once per pack running at the same time.
/// Compact rather than the user's pretty file, because the pack holds these bytes and the
/// parsed snapshot in its memory at once (18 MB pretty is 11 MB compact on 27,200 filters).
pub fn input_for(
    snapshot: &Snapshot,
    needed: Option<&BTreeSet<&str>>,
) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&View::of(snapshot, needed))
}

/// One section as a pack sees it: the snapshot's own, or an empty "not collected" stand-in.
type Part<'a, T> = Cow<'a, Section<T>>;

fn part<'a, T: Clone>(
    needed: Option<&BTreeSet<&str>>,
    name: &str,
    section: &'a Section<T>,
) -> Part<'a, T> {
    match needed {
        Some(needed) if !needed.contains(name) => Cow::Owned(Section::not_collected()),
        _ => Cow::Borrowed(section),
    }
}

/// [`Snapshot`]'s serialised form, field for field, over borrowed sections. A test checks
/// that it writes exactly what `Snapshot` writes, so a field added there cannot go missing here.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct View<'a> {
    schema_version: u32,
    generator: &'a Generator,
    account: &'a Account,
    regions: Vec<RegionView<'a>>,
    events: Part<'a, CloudTrailRecord>,
    #[serde(skip_serializing_if = "<[CollectionError]>::is_empty")]
    errors: &'a [CollectionError],
}

/// [`RegionSnapshot`]'s serialised form over borrowed sections.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegionView<'a> {
    region: &'a str,
    trails: Part<'a, Trail>,
    log_groups: Part<'a, LogGroup>,
    metric_filters: Part<'a, MetricFilter>,
    metric_alarms: Part<'a, MetricAlarm>,
    composite_alarms: Part<'a, CompositeAlarm>,
    topics: Part<'a, Topic>,
    event_rules: Part<'a, EventRule>,
    kms_keys: Part<'a, KmsKey>,
}

impl<'a> View<'a> {
    fn of(snapshot: &'a Snapshot, needed: Option<&BTreeSet<&str>>) -> Self {
        let regions = snapshot
            .regions
            .iter()
            .map(|region: &'a RegionSnapshot| RegionView {
                region: &region.region,
                trails: part(needed, "trails", &region.trails),
                log_groups: part(needed, "logGroups", &region.log_groups),
                metric_filters: part(needed, "metricFilters", &region.metric_filters),
                metric_alarms: part(needed, "metricAlarms", &region.metric_alarms),
                composite_alarms: part(needed, "compositeAlarms", &region.composite_alarms),
                topics: part(needed, "topics", &region.topics),
                event_rules: part(needed, "eventRules", &region.event_rules),
                kms_keys: part(needed, "kmsKeys", &region.kms_keys),
            })
            .collect();
        View {
            schema_version: snapshot.schema_version,
            generator: &snapshot.generator,
            account: &snapshot.account,
            regions,
            events: part(needed, "events", &snapshot.events),
            errors: &snapshot.errors,
        }
    }
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

    fn compliant() -> Snapshot {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/snapshots/kms-chain-compliant.json"
        ))
        .unwrap();
        Snapshot::from_json(&text).unwrap()
    }

    #[test]
    fn undeclared_sections_are_not_collected() {
        let snapshot = compliant();
        let needed: BTreeSet<&str> = ["trails", "kmsKeys"].into();
        let bytes = input_for(&snapshot, Some(&needed)).unwrap();
        let pruned = Snapshot::from_json(std::str::from_utf8(&bytes).unwrap()).unwrap();
        assert_eq!(pruned.regions[0].trails, snapshot.regions[0].trails);
        assert_eq!(pruned.regions[0].kms_keys, snapshot.regions[0].kms_keys);
        assert!(!pruned.regions[0].metric_filters.collected);
        assert!(pruned.regions[0].metric_filters.items.is_empty());
        assert!(!pruned.events.collected);
        assert_eq!(pruned.account, snapshot.account);
        let everything = input_for(&snapshot, None).unwrap();
        assert!(
            bytes.len() < everything.len() / 2,
            "the pruned copy is smaller"
        );
    }

    /// The view writes what `Snapshot` itself writes, field for field, on a snapshot with
    /// every section filled and account-wide errors: a field added to the model and not to the
    /// view fails here.
    #[test]
    fn the_view_writes_exactly_what_the_snapshot_writes() {
        let mut snapshot = compliant();
        snapshot.errors.push(CollectionError {
            service: "account".to_owned(),
            operation: "ListRegions".to_owned(),
            region: None,
            code: "AccessDenied".to_owned(),
            message: "no".to_owned(),
        });
        snapshot.generator.events_window = Some(("a".to_owned(), "b".to_owned()));
        let all = input_for(&snapshot, None).unwrap();
        let as_written: serde_json::Value = serde_json::from_slice(&all).unwrap();
        assert_eq!(as_written, serde_json::to_value(&snapshot).unwrap());
        let every: BTreeSet<&str> = SECTIONS.into_iter().collect();
        assert_eq!(input_for(&snapshot, Some(&every)).unwrap(), all);
    }
}
