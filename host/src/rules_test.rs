//! `trailwarden rules test [DIR]`: a pack's fixture cases, run through its `.wasm` in the
//! sandbox, with a readable diff when the findings are not the expected ones.
//!
//! The cases are the files `cargo test` runs natively with
//! `trailwarden_sdk::testing::assert_cases` (`tests/cases/NAME.json` +
//! `NAME.expected.json`), and the comparison is the SDK's, so a case means the same in both
//! places. What this adds is the real thing: the compiled pack, its metadata, the sandbox's
//! limits, the collision check against the built-in rules. Exit status: 0 every case passed,
//! 1 a case failed, 2 bad input.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::bail;
use trailwarden_sdk::abi::EvalContext;
use trailwarden_sdk::testing::{self, Case, Comparison, Reported, RuleFailure};
use trailwarden_sdk::{Level, SCHEMA_VERSION};

use crate::Outcome;
use crate::cli::TestArgs;
use crate::engine::{LoadedPack, sanitize_line};
use crate::packs::{self, PackSet};

/// Where cargo puts a pack built with `cargo build --release --target wasm32-unknown-unknown`.
pub const RELEASE_WASM_DIR: &str = "wasm32-unknown-unknown/release";

/// Runs `rules test` and prints its report.
pub fn run(args: &TestArgs) -> anyhow::Result<Outcome> {
    let report = test(args)?;
    crate::write_stdout(&report.text)?;
    Ok(if report.failed == 0 {
        Outcome::Pass
    } else {
        Outcome::Findings
    })
}

/// The result of `rules test`: the text to print and the counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestReport {
    /// What `rules test` prints.
    pub text: String,
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
}

/// Loads the packs and the cases, runs every case and compares. An `Err` is bad input.
pub fn test(args: &TestArgs) -> anyhow::Result<TestReport> {
    let cases_dir = args
        .cases
        .clone()
        .unwrap_or_else(|| tidy(&args.dir.join("tests").join("cases")));
    let cases = testing::load_cases(&cases_dir)?;
    let mut pack_args = args.packs.clone();
    if pack_args.rule_dirs.is_empty() {
        pack_args.rule_dirs.push(default_pack_dir(&args.dir)?);
    }
    let set = packs::load(&pack_args)?;
    if !set.failed.is_empty() {
        let list: Vec<String> = set
            .failed
            .iter()
            .map(|(origin, message)| format!("  {origin}: {message}"))
            .collect();
        bail!("a pack under test did not load:\n{}", list.join("\n"));
    }
    let under_test: Vec<&LoadedPack> = set.packs.iter().filter(|p| p.is_file()).collect();
    if under_test.is_empty() {
        bail!(
            "no pack to test in {}: build one with `cargo build --release --target \
             wasm32-unknown-unknown`",
            display_dirs(&pack_args.rule_dirs)
        );
    }
    let all: Vec<String> = under_test
        .iter()
        .flat_map(|p| p.meta.rules.iter().map(|r| r.id.clone()))
        .collect();

    let mut text = String::new();
    for pack in &under_test {
        let _ = writeln!(text, "testing {}", pack.describe());
    }
    let _ = writeln!(
        text,
        "{} case{} in {}\n",
        cases.len(),
        plural(cases.len()),
        cases_dir.display()
    );
    let width = cases.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let (mut passed, mut failed) = (0, 0);
    for case in &cases {
        let rules = case.rules(&all);
        let reported = run_case(&set, case, &rules)?;
        let comparison = testing::compare(&case.expected, &reported, |id| default_level(&set, id));
        let findings = reported.findings.len();
        if comparison.passed() {
            passed += 1;
            let _ = writeln!(
                text,
                "ok    {:<width$}  {} rule{}, {findings} finding{}",
                sanitize_line(&case.name),
                rules.len(),
                plural(rules.len()),
                plural(findings),
            );
        } else {
            failed += 1;
            let _ = writeln!(
                text,
                "FAIL  {:<width$}  {} ({})",
                sanitize_line(&case.name),
                summary(&comparison),
                case.expected_path.display()
            );
            for line in comparison.to_string().lines() {
                let _ = writeln!(text, "{}", sanitize_line(line));
            }
        }
    }
    let _ = writeln!(text, "\n{passed} passed, {failed} failed");
    Ok(TestReport {
        text,
        passed,
        failed,
    })
}

/// `DIR/target/wasm32-unknown-unknown/release` (or under `CARGO_TARGET_DIR`), where cargo puts
/// the pack; an error that says how to build it when it holds no `.wasm`.
fn default_pack_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("target"));
    let release = tidy(&target.join(RELEASE_WASM_DIR));
    let built = release.is_dir()
        && packs::wasm_files(&release)
            .map(|files| !files.is_empty())
            .unwrap_or(false);
    if !built {
        bail!(
            "no pack built in {}: run `cargo build --release --target wasm32-unknown-unknown` \
             in {} first, or point --rules at the directory of the .wasm",
            release.display(),
            dir.display()
        );
    }
    Ok(release)
}

/// Runs the rules of one case, each in the pack that declares it.
fn run_case(set: &PackSet, case: &Case, rules: &[String]) -> anyhow::Result<Reported> {
    let mut by_pack: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for id in rules {
        let Some(index) = set
            .packs
            .iter()
            .position(|p| p.meta.rules.iter().any(|r| r.id == *id))
        else {
            let known: Vec<&str> = set
                .packs
                .iter()
                .filter(|p| p.is_file())
                .flat_map(|p| p.meta.rules.iter().map(|r| r.id.as_str()))
                .collect();
            bail!(
                "{} names rule {id}, which no loaded pack declares; the pack under test has {}",
                case.expected_path.display(),
                known.join(", ")
            );
        };
        by_pack.entry(index).or_default().push(id.clone());
    }
    let unknown_settings: Vec<&String> = case
        .expected
        .settings
        .keys()
        .filter(|id| !rules.contains(id))
        .collect();
    if let Some(id) = unknown_settings.first() {
        bail!(
            "{} gives settings for {id}, which the case does not run; run it (\"rules\") or drop \
             its settings",
            case.expected_path.display()
        );
    }
    let mut reported = Reported::default();
    for (index, ids) in by_pack {
        let pack = &set.packs[index];
        let ctx = EvalContext {
            abi_minor: trailwarden_sdk::abi::ABI_MINOR,
            encoding: "json".to_owned(),
            snapshot_schema: SCHEMA_VERSION,
            settings: ids
                .iter()
                .filter_map(|id| {
                    case.expected
                        .settings
                        .get(id)
                        .map(|value| (id.clone(), value.clone()))
                })
                .collect(),
            rules: ids,
            now: case.now().map(str::to_owned),
            ..EvalContext::default()
        };
        for run in set
            .sandbox
            .evaluate(pack, case.snapshot_text.as_bytes(), &ctx)
        {
            for line in &run.logs {
                tracing::info!(rule = %sanitize_line(&run.rule_id), case = %sanitize_line(&case.name), "{}", sanitize_line(line));
            }
            match run.result {
                Ok((findings, _dropped)) => reported.findings.extend(findings),
                Err(failure) => reported.errors.push(RuleFailure {
                    rule: run.rule_id,
                    kind: failure.kind,
                    message: failure.message,
                }),
            }
        }
    }
    Ok(reported)
}

fn default_level(set: &PackSet, id: &str) -> Option<Level> {
    set.packs
        .iter()
        .flat_map(|p| &p.meta.rules)
        .find(|r| r.id == id)
        .map(|r| r.level)
}

fn summary(comparison: &Comparison) -> String {
    let mut parts = Vec::new();
    let mut count = |n: usize, what: &str| {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    };
    count(comparison.changed.len(), "different");
    count(comparison.missing.len(), "missing");
    count(comparison.unexpected.len(), "unexpected");
    count(comparison.missing_errors.len(), "expected error(s) missing");
    count(comparison.unexpected_errors.len(), "unexpected error(s)");
    format!(
        "{} of {} expected finding{} reported; {}",
        comparison.matched,
        comparison.matched + comparison.changed.len() + comparison.missing.len(),
        plural(comparison.matched + comparison.changed.len() + comparison.missing.len()),
        parts.join(", ")
    )
}

/// `./target/x` → `target/x`, for messages.
pub(crate) fn tidy(path: &Path) -> PathBuf {
    let tidy: PathBuf = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if tidy.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        tidy
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn display_dirs(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
