//! The result of a check and its renderings: text, JSON, SARIF, markdown and HTML.
//!
//! Findings are sorted (rule id, region, resource, message), so that two runs over the same
//! input give the same output apart from timestamps.

pub mod chain;
pub mod html;
pub mod json;
pub mod location;
pub mod markdown;
pub mod mermaid;
pub mod sarif;
pub mod svg;
pub mod text;

use sha2::{Digest, Sha256};
use trailwarden_sdk::snapshot::{Account, CollectionError};
use trailwarden_sdk::{Finding, Level, RuleMeta, Snapshot};

use crate::baseline::Baseline;
use crate::config::LocationMapping;

/// A finding that a `[[suppress]]` entry accepted: out of the gate, still in the report.
#[derive(Debug, Clone)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The suppression's reason.
    pub justification: String,
}

/// How the findings compare with a `--baseline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaselineCounts {
    /// Findings whose fingerprint the baseline lacks.
    pub new: usize,
    /// Findings the baseline already had.
    pub unchanged: usize,
    /// Baseline results that no longer appear.
    pub fixed: usize,
}

/// A rule that was selected, with the pack that provides it.
#[derive(Debug, Clone)]
pub struct RuleEntry {
    /// The pack name, for reports.
    pub pack: String,
    /// The pack's index in the loaded set: results are routed by the pack that was loaded,
    /// never by its name, which a pack chooses.
    pub pack_index: usize,
    /// The `trailwarden-sdk` version the pack was built with: a rule without `needs` reads
    /// (and has collected) every section that SDK knows, no more.
    pub sdk_version: String,
    /// The rule's metadata.
    pub meta: RuleMeta,
}

/// A rule that produced no verdict.
#[derive(Debug, Clone)]
pub struct RuleErrorEntry {
    /// The rule id.
    pub rule_id: String,
    /// `timeout`, `memory`, `panic`, …
    pub kind: trailwarden_sdk::abi::FailureKind,
    /// What happened.
    pub message: String,
}

/// The snapshot a report is about.
#[derive(Debug, Clone)]
pub struct SnapshotSource {
    /// How to name it in messages.
    pub display: String,
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
    /// Findings accepted by a suppression.
    pub suppressed: Vec<Suppressed>,
    /// The previous run to compare with, if any.
    pub baseline: Option<Baseline>,
    /// Where SARIF results point, from the configuration.
    pub locations: Vec<LocationMapping>,
    /// The metrics each metric filter publishes, read from the snapshot: findings name the
    /// filter, and the chain pictures of the markdown and HTML reports name its metric.
    pub metrics: chain::MetricNames,
    /// Set when several accounts were checked in one run (an organization, a list, merged
    /// shards): the accounts and those that could not be read. `None` for one account, whose
    /// reports stay as they were.
    pub organization: Option<OrganizationScope>,
    /// The infrastructure code checked with `--iac`, if any: findings about its resources
    /// are placed on its lines, with fixes and assumptions.
    pub iac: Option<crate::iac::annotate::IacContext>,
}

/// The accounts of a multi-account run.
#[derive(Debug, Clone)]
pub struct OrganizationScope {
    /// The AWS Organizations id, when known.
    pub id: Option<String>,
    /// The management account, when known.
    pub management_account_id: Option<String>,
    /// Every account evaluated, in account-id order.
    pub accounts: Vec<AccountScope>,
    /// Accounts that could not be read: which, why, and what fixes it.
    pub failures: Vec<trailwarden_sdk::snapshot::org::AccountFailure>,
}

/// One account of a multi-account run.
#[derive(Debug, Clone)]
pub struct AccountScope {
    /// The account.
    pub account: Account,
    /// Its enabled regions.
    pub regions: Vec<String>,
    /// The accounts its chains continued into (an organization trail's owner).
    pub linked: Vec<String>,
    /// The AWS calls that failed while it was collected.
    pub collection_errors: Vec<CollectionError>,
}

impl CheckReport {
    /// An empty report about `snapshot`.
    pub fn new(
        snapshot: &Snapshot,
        source: SnapshotSource,
        rules: Vec<RuleEntry>,
        started: String,
    ) -> Self {
        let mut collection_errors: Vec<CollectionError> =
            snapshot.collection_errors().cloned().collect();
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
            suppressed: Vec::new(),
            baseline: None,
            locations: Vec::new(),
            metrics: chain::MetricNames::from_snapshot(snapshot),
            organization: None,
            iac: None,
        }
    }

    /// Adds another account's report to this one (a multi-account run): its findings, errors
    /// and the metric names its chain pictures need.
    pub fn absorb(&mut self, other: CheckReport) {
        self.findings.extend(other.findings);
        self.unverifiable.extend(other.unverifiable);
        self.rule_errors.extend(other.rule_errors);
        self.collection_errors.extend(other.collection_errors);
        self.dropped.extend(other.dropped);
        self.suppressed.extend(other.suppressed);
        for region in other.regions {
            if !self.regions.contains(&region) {
                self.regions.push(region);
            }
        }
        self.metrics.absorb(other.metrics);
    }

    /// The report of one account of a multi-account run: its findings (those evaluated for it),
    /// its regions and failed calls, as a one-account run would have reported it. SARIF is
    /// written per account from it (one run, one category per account).
    pub fn for_account(&self, scope: &AccountScope) -> CheckReport {
        let id = scope.account.id.as_str();
        let mine = |f: &Finding| f.account.as_deref() == Some(id);
        let mut report = self.clone();
        report.organization = None;
        report.account = scope.account.clone();
        report.regions = scope.regions.clone();
        report.collection_errors = scope.collection_errors.clone();
        report.findings.retain(mine);
        report.unverifiable.retain(mine);
        report.suppressed.retain(|s| mine(&s.finding));
        report
    }

    /// The account that must act on `finding`: the account of the resource at fault (an
    /// organization trail's alarm lives in the management account, whoever's events it
    /// leaves unwatched), else the account the finding is about.
    pub fn acting_account<'a>(&'a self, finding: &'a Finding) -> &'a str {
        finding
            .resource
            .as_ref()
            .and_then(|r| trailwarden_sdk::arn::Arn::parse(&r.arn))
            .map(|arn| arn.account)
            .filter(|account| account.len() == 12)
            .or(finding.account.as_deref())
            .unwrap_or(&self.account.id)
    }

    /// Sorts everything and stamps the finish time.
    pub fn finish(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.suppressed
            .sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
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

    /// The fingerprint of a finding: stable across runs for the same problem (rule, account,
    /// region, resource and reason code), and never the message, so rewording a message or a
    /// fix elsewhere in the account keeps the alert's history; a different broken link is a
    /// different problem. `<hex>:1`, the shape GitHub's own fingerprints have.
    pub fn fingerprint(&self, finding: &Finding) -> String {
        let mut hasher = Sha256::new();
        for part in [
            finding.rule_id.as_str(),
            finding.account.as_deref().unwrap_or(&self.account.id),
            finding.region.as_deref().unwrap_or(""),
            finding.resource.as_ref().map_or("", |r| r.arn.as_str()),
            finding.reason.as_str(),
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        format!("{}:1", hex::encode(&hasher.finalize()[..8]))
    }

    /// Whether a finding is new against the baseline (every finding is, without one).
    pub fn is_new(&self, finding: &Finding) -> bool {
        self.baseline
            .as_ref()
            .is_none_or(|b| !b.fingerprints.contains(&self.fingerprint(finding)))
    }

    /// New, unchanged and fixed counts, when a baseline was given.
    pub fn baseline_counts(&self) -> Option<BaselineCounts> {
        let baseline = self.baseline.as_ref()?;
        let current: std::collections::BTreeSet<String> = self
            .findings
            .iter()
            .chain(self.suppressed.iter().map(|s| &s.finding))
            .map(|f| self.fingerprint(f))
            .collect();
        let new = self.findings.iter().filter(|f| self.is_new(f)).count();
        Some(BaselineCounts {
            new,
            unchanged: self.findings.len() - new,
            fixed: baseline.fingerprints.difference(&current).count(),
        })
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

/// For a finding about `--iac` code, what the reports add to its sentence: where it is caused
/// (`at file:line`), the fix in the code's terms and the assumptions it rests on; empty
/// otherwise.
pub fn code_suffix(report: &CheckReport, finding: &Finding) -> String {
    let Some(iac) = &report.iac else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(cause) = iac.cause(finding) {
        parts.push(format!("at {}", cause.display()));
    }
    if let Some(fix) = iac.fix(finding) {
        parts.push(format!("fix {fix}"));
    }
    for assumption in iac.assumptions_for(finding) {
        parts.push(format!("assumes {}", assumption.text));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// Most regions listed for one finding: a pack's `regions` property is hostile input.
const MAX_REGIONS_SHOWN: usize = 64;

/// The regions a finding is about: its own region, or the `regions` property the chain
/// analysis sets on a finding that spans several; empty for an account-wide finding.
pub fn regions_of(finding: &Finding) -> Vec<String> {
    if let Some(region) = &finding.region {
        return vec![region.clone()];
    }
    finding
        .properties
        .get("regions")
        .and_then(|r| r.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|r| r.as_str())
                .take(MAX_REGIONS_SHOWN)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// What made the run incomplete (packs that did not load, rules that failed, findings dropped
/// over a limit, AWS calls that failed), one sentence each, with every name passed through
/// `escape` for the format that shows them: the markdown and HTML reports list the same
/// sentences in their own markup.
pub fn failure_lines(report: &CheckReport, escape: impl Fn(&str) -> String) -> Vec<String> {
    let mut lines = Vec::new();
    for (pack, message) in &report.pack_errors {
        lines.push(format!("pack {}: {}", escape(pack), escape(message)));
    }
    for error in &report.rule_errors {
        lines.push(format!(
            "rule {} failed ({}): {}",
            escape(&error.rule_id),
            escape(error.kind.as_str()),
            escape(&error.message)
        ));
    }
    for (rule, dropped) in &report.dropped {
        lines.push(format!(
            "rule {}: {dropped} finding(s) over the per-rule limit were dropped",
            escape(rule)
        ));
    }
    for error in &report.collection_errors {
        lines.push(format!("AWS call failed: {}", escape(&error.to_string())));
    }
    lines
}
