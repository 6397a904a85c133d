//! The result of a check and its three renderings: text, JSON and SARIF.
//!
//! Findings are sorted (rule id, region, resource, message), so that two runs over the same
//! input give the same output apart from timestamps.

pub mod json;
pub mod sarif;
pub mod text;

use trailwarden_sdk::snapshot::{Account, CollectionError};
use trailwarden_sdk::{Finding, Level, RuleMeta, Snapshot};

/// A rule that was selected, with the pack that provides it.
#[derive(Debug, Clone)]
pub struct RuleEntry {
    /// The pack name.
    pub pack: String,
    /// The rule's metadata.
    pub meta: RuleMeta,
}

/// A rule that produced no verdict.
#[derive(Debug, Clone)]
pub struct RuleErrorEntry {
    /// The rule id.
    pub rule_id: String,
    /// `timeout`, `memory`, `panic`, …
    pub kind: String,
    /// What happened.
    pub message: String,
}

/// The snapshot a report is about.
#[derive(Debug, Clone)]
pub struct SnapshotSource {
    /// How to name it in messages.
    pub display: String,
    /// A repository-relative URI for SARIF locations.
    pub artifact_uri: String,
    /// Its text, for line numbers.
    pub text: String,
}

impl SnapshotSource {
    /// The 1-based line where `needle` (an ARN) first appears as a JSON string, if it does.
    pub fn line_of(&self, needle: &str) -> Option<usize> {
        let quoted = format!("\"{needle}\"");
        let offset = self.text.find(&quoted)?;
        Some(self.text[..offset].matches('\n').count() + 1)
    }
}

/// Everything a check produced.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// trailwarden's version.
    pub tool_version: &'static str,
    /// When the run started (RFC 3339).
    pub started: String,
    /// When it finished.
    pub finished: String,
    /// The snapshot checked.
    pub snapshot: SnapshotSource,
    /// The account.
    pub account: Account,
    /// The enabled regions in the snapshot.
    pub regions: Vec<String>,
    /// The rules that ran.
    pub rules: Vec<RuleEntry>,
    /// Failures.
    pub findings: Vec<Finding>,
    /// Could-not-verify results.
    pub unverifiable: Vec<Finding>,
    /// Rules that produced no verdict.
    pub rule_errors: Vec<RuleErrorEntry>,
    /// Packs that did not load: origin and reason.
    pub pack_errors: Vec<(String, String)>,
    /// Calls that failed while the snapshot was collected.
    pub collection_errors: Vec<CollectionError>,
    /// Rules whose findings were cut at the limit: id and how many were dropped.
    pub dropped: Vec<(String, usize)>,
}

impl CheckReport {
    /// An empty report about `snapshot`.
    pub fn new(
        snapshot: &Snapshot,
        source: SnapshotSource,
        rules: Vec<RuleEntry>,
        started: String,
    ) -> Self {
        let mut collection_errors = snapshot.errors.clone();
        collection_errors.extend(snapshot.events.errors.iter().cloned());
        for region in &snapshot.regions {
            for errors in [
                &region.trails.errors,
                &region.log_groups.errors,
                &region.metric_filters.errors,
                &region.metric_alarms.errors,
                &region.composite_alarms.errors,
                &region.topics.errors,
                &region.event_rules.errors,
                &region.kms_keys.errors,
            ] {
                collection_errors.extend(errors.iter().cloned());
            }
        }
        // One failed call can leave several sections empty (DescribeAlarms fills metric and
        // composite alarms): report it once.
        let mut seen = Vec::new();
        collection_errors.retain(|error| {
            let fresh = !seen.contains(error);
            if fresh {
                seen.push(error.clone());
            }
            fresh
        });
        Self {
            tool_version: env!("CARGO_PKG_VERSION"),
            finished: started.clone(),
            started,
            snapshot: source,
            account: snapshot.account.clone(),
            regions: snapshot.regions.iter().map(|r| r.region.clone()).collect(),
            rules,
            findings: Vec::new(),
            unverifiable: Vec::new(),
            rule_errors: Vec::new(),
            pack_errors: Vec::new(),
            collection_errors,
            dropped: Vec::new(),
        }
    }

    /// Sorts everything and stamps the finish time.
    pub fn finish(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.unverifiable
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.rule_errors.sort_by(|a, b| a.rule_id.cmp(&b.rule_id));
        self.rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        self.finished = crate::time::now_rfc3339();
    }

    /// The rule's metadata.
    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules
            .iter()
            .find(|rule| rule.meta.id == id)
            .map(|r| &r.meta)
    }

    /// A finding's effective level: its own override, else its rule's default.
    pub fn level_of(&self, finding: &Finding) -> Level {
        finding
            .level
            .or_else(|| self.rule(&finding.rule_id).map(|rule| rule.level))
            .unwrap_or(Level::Warning)
    }

    /// Counts of findings per level: (errors, warnings, notes).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |level| {
            self.findings
                .iter()
                .filter(|f| self.level_of(f) == level)
                .count()
        };
        (
            count(Level::Error),
            count(Level::Warning),
            count(Level::Note),
        )
    }
}
