//! Test cases as files: a fixture snapshot and the findings a pack must report on it.
//!
//! A case is a pair of files in one directory (`tests/cases/` in a pack crate):
//!
//! - `NAME.json`: a snapshot, as `trailwarden snapshot` writes it or
//!   [`SnapshotBuilder::to_json`](super::SnapshotBuilder::to_json) builds it;
//! - `NAME.expected.json`: what the rules must report on it.
//!
//! ```json
//! {
//!   "description": "the failed-calls alarm notifies the platform team, not security",
//!   "rules": ["ACME-KMS-001"],
//!   "settings": { "ACME-KMS-001": { "topic": "security-alerts" } },
//!   "findings": [
//!     {
//!       "rule": "ACME-KMS-001",
//!       "reason": "NOT_SECURITY_TOPIC",
//!       "level": "error",
//!       "resource": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-failed-calls",
//!       "messageContains": "platform-alerts"
//!     }
//!   ]
//! }
//! ```
//!
//! | key | meaning |
//! |---|---|
//! | `description` | optional, for people |
//! | `snapshot` | optional: the snapshot file, relative to this file, when it is not `NAME.json` (several cases can share one snapshot) |
//! | `rules` | optional: the rules to run; by default every rule of the pack under test |
//! | `settings` | optional: settings per rule id, as a user would give them |
//! | `now` | optional: the run's time (RFC 3339), for rules about windows and expiry; by default the snapshot's `generator.collectedAt` |
//! | `findings` | every finding the rules run must report, no more and no fewer, in any order |
//! | `errors` | rule errors that must occur (`rule`, `kind` such as `settings`, optional `messageContains`); any other rule error fails the case |
//!
//! Each expected finding has `rule` and `reason`, and optionally `level` (the effective level:
//! the finding's own or the rule's default), `outcome` (`fail`, the default, or
//! `unverifiable`), `resource` (the ARN), `region` and `messageContains` (a substring of the
//! message). A key left out is not checked; an unknown key is an error, so a typo cannot make a
//! case pass. The same files are run natively by [`assert_cases`] in `cargo test` and in the
//! wasm sandbox by `trailwarden rules test`, so the pack is tested both ways with one set of
//! fixtures.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::abi::{Envelope, FailureKind, RuleOutcome};
use crate::evaluation::PackRun;
use crate::finding::{Finding, Level, Outcome};
use crate::meta::RuleMeta;
use crate::rule::{Pack, RuleDef};
use crate::snapshot::Snapshot;

/// The suffix of an expectations file.
pub const EXPECTED_SUFFIX: &str = ".expected.json";

/// The contents of a `NAME.expected.json` file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expectations {
    /// What the case is about, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The snapshot file relative to the expectations file; `NAME.json` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// The rules to run; every rule of the pack under test when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<String>>,
    /// Settings per rule id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, serde_json::Value>,
    /// The run's time, RFC 3339; the snapshot's `generator.collectedAt` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
    /// Every finding the rules must report.
    #[serde(default)]
    pub findings: Vec<ExpectedFinding>,
    /// Rule errors that must occur.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ExpectedError>,
}

/// One finding a case expects. Fields left out are not checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpectedFinding {
    /// The rule id.
    pub rule: String,
    /// The reason code.
    pub reason: String,
    /// The effective level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Failure (the default) or could-not-verify.
    #[serde(default = "fail", skip_serializing_if = "is_fail")]
    pub outcome: Outcome,
    /// The primary resource's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// A substring of the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_contains: Option<String>,
}

fn fail() -> Outcome {
    Outcome::Fail
}

fn is_fail(outcome: &Outcome) -> bool {
    *outcome == Outcome::Fail
}

/// One rule error a case expects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpectedError {
    /// The rule id.
    pub rule: String,
    /// The error kind: `settings`, `rule`, or from the sandbox `panic`, `timeout`, `memory`, ….
    pub kind: FailureKind,
    /// A substring of the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_contains: Option<String>,
}

/// A rule that produced no verdict, as the native runner or the sandbox reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    /// The rule id.
    pub rule: String,
    /// The error kind.
    pub kind: FailureKind,
    /// The message.
    pub message: String,
}

/// What the rules reported on one case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reported {
    /// Every finding, failures and could-not-verify alike.
    pub findings: Vec<Finding>,
    /// Rules that failed.
    pub errors: Vec<RuleFailure>,
}

/// One case, read from disk.
#[derive(Debug, Clone)]
pub struct Case {
    /// `NAME`, the file name without `.expected.json`.
    pub name: String,
    /// The expectations file.
    pub expected_path: PathBuf,
    /// The snapshot file.
    pub snapshot_path: PathBuf,
    /// The snapshot, parsed.
    pub snapshot: Snapshot,
    /// What must be reported.
    pub expected: Expectations,
}

impl Case {
    /// The run's time: the case's `now`, else the snapshot's collection time.
    pub fn now(&self) -> Option<&str> {
        self.expected
            .now
            .as_deref()
            .or(self.snapshot.generator.collected_at.as_deref())
    }

    /// The rules to run: the case's `rules`, else `all`.
    pub fn rules(&self, all: &[String]) -> Vec<String> {
        self.expected.rules.clone().unwrap_or_else(|| all.to_vec())
    }
}

/// Why cases could not be read. Every message names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaseError {
    /// A file or directory could not be read.
    #[error("reading {}: {error}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// An expectations file is not valid.
    #[error("{} is not a valid expectations file: {message}", path.display())]
    Expectations {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A snapshot is not valid.
    #[error("{} is not a valid snapshot: {error}", path.display())]
    Snapshot {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        error: crate::snapshot::SnapshotError,
    },
    /// The cases directory does not exist.
    #[error(
        "{} does not exist: a pack's fixture cases go there, as NAME.json (a snapshot) and \
         NAME.expected.json (the findings expected on it); see docs/writing-rules.md",
        dir.display()
    )]
    NoDir {
        /// The directory.
        dir: PathBuf,
    },
    /// The directory holds no `*.expected.json`.
    #[error(
        "{} holds no test case: add NAME.json (a snapshot) and NAME.expected.json (the findings \
         expected on it); see docs/writing-rules.md",
        dir.display()
    )]
    NoCases {
        /// The directory.
        dir: PathBuf,
    },
}

/// Reads every case of `dir` (each `NAME.expected.json` with its snapshot), sorted by name.
pub fn load_cases(dir: &Path) -> Result<Vec<Case>, CaseError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(CaseError::NoDir {
                dir: dir.to_path_buf(),
            });
        }
        Err(error) => {
            return Err(CaseError::Io {
                path: dir.to_path_buf(),
                error,
            });
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(EXPECTED_SUFFIX))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CaseError::NoCases {
            dir: dir.to_path_buf(),
        });
    }
    files.iter().map(|path| load_case(path)).collect()
}

/// Reads one case from its expectations file.
pub fn load_case(expected_path: &Path) -> Result<Case, CaseError> {
    let file_name = expected_path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let name = file_name
        .strip_suffix(EXPECTED_SUFFIX)
        .unwrap_or(file_name)
        .to_owned();
    let text = std::fs::read_to_string(expected_path).map_err(|error| CaseError::Io {
        path: expected_path.to_path_buf(),
        error,
    })?;
    let expected: Expectations =
        serde_json::from_str(&text).map_err(|e| CaseError::Expectations {
            path: expected_path.to_path_buf(),
            message: e.to_string(),
        })?;
    let dir = expected_path.parent().unwrap_or(Path::new("."));
    let snapshot_path = match &expected.snapshot {
        Some(file) => dir.join(file),
        None => dir.join(format!("{name}.json")),
    };
    let snapshot_text = std::fs::read_to_string(&snapshot_path).map_err(|error| CaseError::Io {
        path: snapshot_path.clone(),
        error,
    })?;
    let snapshot = Snapshot::from_json(&snapshot_text).map_err(|error| CaseError::Snapshot {
        path: snapshot_path.clone(),
        error,
    })?;
    Ok(Case {
        name,
        expected_path: expected_path.to_path_buf(),
        snapshot_path,
        snapshot,
        expected,
    })
}

/// Runs a case natively: the rules of `pack` it names (all, by default), with its settings and
/// time, through the same plan and glue as `trailwarden check` ([`PackRun`]): one context,
/// and the snapshot with every section the selected rules do not declare withheld.
pub fn run_native(pack: &Pack, case: &Case) -> Reported {
    let all: Vec<String> = pack.rules.iter().map(|r| r.spec.id.to_owned()).collect();
    let metas: Vec<RuleMeta> = pack.rules.iter().map(RuleDef::meta).collect();
    let mut reported = Reported::default();
    let mut selected = Vec::new();
    for id in case.rules(&all) {
        match metas.iter().find(|meta| meta.id == id) {
            Some(meta) => selected.push(meta),
            None => reported.errors.push(RuleFailure {
                kind: FailureKind::UnknownRule,
                message: format!("pack {} has no rule {id}", pack.name),
                rule: id,
            }),
        }
    }
    let run = PackRun::plan(
        selected,
        crate::SDK_VERSION,
        &case.expected.settings,
        case.now(),
    );
    reported.absorb(run.run_native(pack, &case.snapshot));
    reported
}

impl Reported {
    /// Adds what a pack answered: its findings, and its failed rules as errors.
    pub fn absorb(&mut self, envelope: Envelope) {
        for result in envelope.results {
            match result.outcome {
                RuleOutcome::Ok { findings, .. } => self.findings.extend(findings),
                RuleOutcome::Error { kind, message } => self.errors.push(RuleFailure {
                    rule: result.rule_id,
                    kind,
                    message,
                }),
            }
        }
    }
}

/// Runs every case of `dir` natively against `pack` and panics with a readable diff of each
/// case that fails; returns how many cases ran. Call it from a `#[test]`:
///
/// ```no_run
/// # mod acme_rules {
/// #     pub fn pack() -> trailwarden_sdk::Pack {
/// #         trailwarden_sdk::Pack { name: "acme", version: "0.1.0", rules: Vec::new() }
/// #     }
/// # }
/// #[test]
/// fn cases() {
///     let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");
///     trailwarden_sdk::testing::assert_cases(&acme_rules::pack(), dir);
/// }
/// ```
///
/// # Panics
/// When a case fails or the cases cannot be read: that is the test failing.
pub fn assert_cases(pack: &Pack, dir: impl AsRef<Path>) -> usize {
    let cases = load_cases(dir.as_ref()).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = String::new();
    for case in &cases {
        // A rule that panics natively (it would trap in the sandbox) fails this case, named,
        // and the other cases still run.
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_native(pack, case)));
        let reported = match run {
            Ok(reported) => reported,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                failures.push_str(&format!(
                    "case {} failed: a rule panicked: {message}\n",
                    case.name
                ));
                continue;
            }
        };
        let comparison = compare(&case.expected, &reported, |id| {
            pack.rule(id).map(|r| r.spec.level)
        });
        if !comparison.passed() {
            failures.push_str(&format!("case {} failed:\n{comparison}\n", case.name));
        }
    }
    assert!(failures.is_empty(), "{failures}");
    cases.len()
}

/// How reported findings compare with expected ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    /// How many expected findings were reported.
    pub matched: usize,
    /// Expected and reported findings that differ only in some fields, paired by rule.
    pub changed: Vec<(ExpectedFinding, ReportedFinding)>,
    /// Expected findings nothing matched.
    pub missing: Vec<ExpectedFinding>,
    /// Reported findings nothing expected.
    pub unexpected: Vec<ReportedFinding>,
    /// Expected rule errors that did not occur.
    pub missing_errors: Vec<ExpectedError>,
    /// Rule errors nobody expected.
    pub unexpected_errors: Vec<RuleFailure>,
}

/// A reported finding with its effective level.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedFinding {
    /// The finding.
    pub finding: Finding,
    /// Its own level, or its rule's default.
    pub level: Level,
}

impl Comparison {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.changed.is_empty()
            && self.missing.is_empty()
            && self.unexpected.is_empty()
            && self.missing_errors.is_empty()
            && self.unexpected_errors.is_empty()
    }
}

impl ExpectedFinding {
    /// Whether `got` is this finding.
    pub fn matches(&self, got: &ReportedFinding) -> bool {
        self.differences(got).is_empty()
    }

    /// `(field, expected, got)` for each checked field that differs.
    pub fn differences(&self, got: &ReportedFinding) -> Vec<(&'static str, String, String)> {
        let finding = &got.finding;
        let mut out = Vec::new();
        let mut check = |field: &'static str, expected: Option<String>, actual: String| {
            if let Some(expected) = expected
                && expected != actual
            {
                out.push((field, expected, actual));
            }
        };
        check("rule", Some(self.rule.clone()), finding.rule_id.clone());
        check("reason", Some(self.reason.clone()), finding.reason.clone());
        check(
            "level",
            self.level.map(|l| l.to_string()),
            got.level.to_string(),
        );
        check(
            "outcome",
            Some(outcome_name(self.outcome).to_owned()),
            outcome_name(finding.outcome).to_owned(),
        );
        check(
            "resource",
            self.resource.clone(),
            finding
                .resource
                .as_ref()
                .map_or_else(|| "(none)".to_owned(), |r| r.arn.clone()),
        );
        check(
            "region",
            self.region.clone(),
            finding
                .region
                .clone()
                .unwrap_or_else(|| "(none)".to_owned()),
        );
        if let Some(part) = &self.message_contains
            && !finding.message.contains(part.as_str())
        {
            out.push((
                "message",
                format!("containing {part:?}"),
                format!("{:?}", finding.message),
            ));
        }
        out
    }
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Fail => "fail",
        Outcome::Unverifiable => "unverifiable",
    }
}

/// Compares what was reported with what a case expects. `default_level` gives a rule's
/// default level, for findings that do not set their own.
///
/// Findings are matched one to one, in any order, so that a case with two similar findings
/// needs both; leftovers of the same rule are paired up to show which fields differ.
pub fn compare(
    expected: &Expectations,
    reported: &Reported,
    default_level: impl Fn(&str) -> Option<Level>,
) -> Comparison {
    let got: Vec<ReportedFinding> = reported
        .findings
        .iter()
        .map(|finding| ReportedFinding {
            level: finding
                .level
                .or_else(|| default_level(&finding.rule_id))
                .unwrap_or(Level::Warning),
            finding: finding.clone(),
        })
        .collect();
    let pairs = match_one_to_one(expected.findings.len(), got.len(), |e, g| {
        expected.findings[e].matches(&got[g])
    });
    let mut comparison = Comparison {
        matched: pairs.iter().filter(|p| p.is_some()).count(),
        ..Comparison::default()
    };
    let taken: Vec<usize> = pairs.iter().flatten().copied().collect();
    let mut leftover: Vec<&ReportedFinding> = got
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken.contains(i))
        .map(|(_, g)| g)
        .collect();
    for (e, pair) in expected.findings.iter().zip(&pairs) {
        if pair.is_some() {
            continue;
        }
        let closest = leftover
            .iter()
            .enumerate()
            .filter(|(_, g)| g.finding.rule_id == e.rule)
            .min_by_key(|(_, g)| e.differences(g).len())
            .map(|(i, _)| i);
        match closest {
            Some(i) => comparison
                .changed
                .push((e.clone(), leftover.remove(i).clone())),
            None => comparison.missing.push(e.clone()),
        }
    }
    comparison.unexpected = leftover.into_iter().cloned().collect();

    let mut errors: Vec<&RuleFailure> = reported.errors.iter().collect();
    for want in &expected.errors {
        let found = errors.iter().position(|got| {
            got.rule == want.rule
                && got.kind == want.kind
                && want
                    .message_contains
                    .as_ref()
                    .is_none_or(|part| got.message.contains(part.as_str()))
        });
        match found {
            Some(i) => {
                errors.remove(i);
            }
            None => comparison.missing_errors.push(want.clone()),
        }
    }
    comparison.unexpected_errors = errors.into_iter().cloned().collect();
    comparison
}

/// A maximum one-to-one matching (Kuhn's augmenting paths): for each expected index, the
/// reported index it is paired with.
fn match_one_to_one(
    expected: usize,
    got: usize,
    fits: impl Fn(usize, usize) -> bool,
) -> Vec<Option<usize>> {
    fn augment(
        e: usize,
        fits: &dyn Fn(usize, usize) -> bool,
        got: usize,
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for g in 0..got {
            if seen[g] || !fits(e, g) {
                continue;
            }
            seen[g] = true;
            if owner[g].is_none_or(|other| augment(other, fits, got, seen, owner)) {
                owner[g] = Some(e);
                return true;
            }
        }
        false
    }
    let mut owner: Vec<Option<usize>> = vec![None; got];
    for e in 0..expected {
        let mut seen = vec![false; got];
        augment(e, &fits, got, &mut seen, &mut owner);
    }
    let mut pairs = vec![None; expected];
    for (g, e) in owner.iter().enumerate() {
        if let Some(e) = e {
            pairs[*e] = Some(g);
        }
    }
    pairs
}

fn describe_expected(e: &ExpectedFinding) -> String {
    let mut text = format!("{} {}", e.rule, e.reason);
    if let Some(level) = e.level {
        text.push_str(&format!(" {level}"));
    }
    if e.outcome == Outcome::Unverifiable {
        text.push_str(" (could not verify)");
    }
    if let Some(resource) = &e.resource {
        text.push_str(&format!(" at {resource}"));
    }
    if let Some(region) = &e.region {
        text.push_str(&format!(" in {region}"));
    }
    if let Some(part) = &e.message_contains {
        text.push_str(&format!(", message containing {part:?}"));
    }
    text
}

fn describe_reported(g: &ReportedFinding) -> String {
    let f = &g.finding;
    let mut text = format!("{} {} {}", f.rule_id, f.reason, g.level);
    if f.outcome == Outcome::Unverifiable {
        text.push_str(" (could not verify)");
    }
    if let Some(resource) = &f.resource {
        text.push_str(&format!(" at {}", resource.arn));
    }
    if let Some(region) = &f.region {
        text.push_str(&format!(" in {region}"));
    }
    text
}

/// The diff: one line per finding, `-` expected but not reported, `+` reported but not
/// expected, `~` both but different, with the fields that differ.
impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (expected, got) in &self.changed {
            writeln!(f, "  ~ expected {}", describe_expected(expected))?;
            writeln!(f, "         got {}", describe_reported(got))?;
            for (field, want, actual) in expected.differences(got) {
                writeln!(f, "      {field}: expected {want}, got {actual}")?;
            }
            writeln!(f, "      message: {}", got.finding.message)?;
        }
        for expected in &self.missing {
            writeln!(
                f,
                "  - expected, not reported: {}",
                describe_expected(expected)
            )?;
        }
        for got in &self.unexpected {
            writeln!(f, "  + reported, not expected: {}", describe_reported(got))?;
            writeln!(f, "      message: {}", got.finding.message)?;
            let entry = ExpectedFinding {
                rule: got.finding.rule_id.clone(),
                reason: got.finding.reason.clone(),
                level: Some(got.level),
                outcome: got.finding.outcome,
                resource: got.finding.resource.as_ref().map(|r| r.arn.clone()),
                region: got.finding.region.clone(),
                message_contains: None,
            };
            if let Ok(json) = serde_json::to_string(&entry) {
                writeln!(f, "      to expect it: {json}")?;
            }
        }
        for error in &self.missing_errors {
            write!(
                f,
                "  - expected error, did not occur: {} {}",
                error.rule, error.kind
            )?;
            match &error.message_contains {
                Some(part) => writeln!(f, ", message containing {part:?}")?,
                None => writeln!(f)?,
            }
        }
        for error in &self.unexpected_errors {
            writeln!(
                f,
                "  + rule error, not expected: {} {}: {}",
                error.rule, error.kind, error.message
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Resource;

    fn finding(rule: &str, reason: &str, arn: &str) -> Finding {
        let mut finding = Finding::fail(reason, format!("{reason} happened"))
            .resource(Resource::new("AWS::CloudWatch::Alarm", arn, "a"));
        finding.rule_id = rule.to_owned();
        finding
    }

    fn expect(rule: &str, reason: &str, arn: Option<&str>) -> ExpectedFinding {
        ExpectedFinding {
            rule: rule.to_owned(),
            reason: reason.to_owned(),
            level: None,
            outcome: Outcome::Fail,
            resource: arn.map(str::to_owned),
            region: None,
            message_contains: None,
        }
    }

    fn run(expected: Vec<ExpectedFinding>, findings: Vec<Finding>) -> Comparison {
        let expected = Expectations {
            findings: expected,
            ..Expectations::default()
        };
        let reported = Reported {
            findings,
            errors: Vec::new(),
        };
        compare(&expected, &reported, |_| Some(Level::Error))
    }

    #[test]
    fn order_does_not_matter_and_a_loose_expectation_does_not_steal_a_tight_match() {
        let comparison = run(
            vec![expect("R-1", "X", None), expect("R-1", "X", Some("arn:a"))],
            vec![finding("R-1", "X", "arn:a"), finding("R-1", "X", "arn:b")],
        );
        assert!(comparison.passed(), "{comparison}");
        assert_eq!(comparison.matched, 2);
    }

    #[test]
    fn the_diff_names_the_field_that_differs() {
        let mut expected = expect("R-1", "NO_ALARM", Some("arn:a"));
        expected.level = Some(Level::Warning);
        let comparison = run(
            vec![expected, expect("R-2", "GONE", None)],
            vec![
                finding("R-1", "ALARM_CANNOT_FIRE", "arn:a"),
                finding("R-3", "NEW", "arn:c"),
            ],
        );
        assert!(!comparison.passed());
        let text = comparison.to_string();
        assert!(
            text.contains("  ~ expected R-1 NO_ALARM warning at arn:a\n"),
            "{text}"
        );
        assert!(
            text.contains("      reason: expected NO_ALARM, got ALARM_CANNOT_FIRE\n"),
            "{text}"
        );
        assert!(
            text.contains("      level: expected warning, got error\n"),
            "{text}"
        );
        assert!(
            text.contains("  - expected, not reported: R-2 GONE\n"),
            "{text}"
        );
        assert!(
            text.contains("  + reported, not expected: R-3 NEW error at arn:c\n"),
            "{text}"
        );
        assert!(
            text.contains(
                r#"to expect it: {"rule":"R-3","reason":"NEW","level":"error","resource":"arn:c"}"#
            ),
            "{text}"
        );
    }

    #[test]
    fn rule_errors_must_be_expected() {
        let expected = Expectations {
            errors: vec![ExpectedError {
                rule: "R-1".to_owned(),
                kind: FailureKind::Settings,
                message_contains: Some("`days`".to_owned()),
            }],
            ..Expectations::default()
        };
        let failure = |rule: &str| RuleFailure {
            rule: rule.to_owned(),
            kind: FailureKind::Settings,
            message: "invalid setting `days`: invalid type".to_owned(),
        };
        let reported = Reported {
            findings: Vec::new(),
            errors: vec![failure("R-1"), failure("R-2")],
        };
        let comparison = compare(&expected, &reported, |_| None);
        assert!(comparison.missing_errors.is_empty());
        assert_eq!(comparison.unexpected_errors, vec![failure("R-2")]);
    }

    #[test]
    fn unknown_keys_in_expectations_are_errors() {
        let error = serde_json::from_str::<Expectations>(
            r#"{"findings": [{"rule": "R-1", "reason": "X", "resorce": "arn:a"}]}"#,
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("unknown field `resorce`"),
            "{error}"
        );
    }
}
