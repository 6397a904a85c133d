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
use trailwarden_sdk::Level;
use trailwarden_sdk::testing::{self, Case, Comparison, Reported, RuleFailure};

use crate::Outcome;
use crate::cli::TestArgs;
use crate::engine::{self, LoadedPack, PackJob, Sandbox, sanitize_line};
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
    if args.build {
        build_pack(&args.dir)?;
    }
    if pack_args.rule_dirs.is_empty() {
        pack_args.rule_dirs.push(default_pack_dir(&args.dir)?);
    }
    // The crate's sources are walked once, whatever the number of packs to compare.
    let newest = newest_source(&args.dir);
    for dir in &pack_args.rule_dirs {
        for wasm in packs::list_wasm(dir)? {
            let built = std::fs::metadata(&wasm).and_then(|m| m.modified()).ok();
            let stale = newest
                .as_ref()
                .filter(|(changed, _)| built.is_some_and(|built| *changed > built));
            if let Some((_, newer)) = stale {
                bail!(
                    "{} is older than {}: it would test the pack as it was, not as it is. \
                     Build it first (`cargo build --release --target wasm32-unknown-unknown`), \
                     or pass --build and rules test builds it",
                    wasm.display(),
                    newer.display()
                );
            }
        }
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
    let mut covered: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for case in &cases {
        let rules = case.rules(&all);
        // A case that cannot run (it names a rule no pack has, say) fails alone; the other
        // cases still run, so one report tells everything.
        let reported = match run_case(&set, case, &rules) {
            Ok(reported) => reported,
            Err(error) => {
                failed += 1;
                let _ = writeln!(
                    text,
                    "FAIL  {:<width$}  could not run: {}",
                    sanitize_line(&case.name),
                    sanitize_line(&error.to_string())
                );
                continue;
            }
        };
        covered.extend(rules.iter().cloned());
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
    let uncovered: Vec<&str> = all
        .iter()
        .filter(|id| !covered.contains(*id))
        .map(String::as_str)
        .collect();
    if !uncovered.is_empty() {
        let _ = writeln!(
            text,
            "\nnot run by any case: {} (a case without \"rules\" runs every rule)",
            sanitize_line(&uncovered.join(", "))
        );
    }
    let _ = writeln!(text, "\n{passed} passed, {failed} failed");
    Ok(TestReport {
        text,
        passed,
        failed,
    })
}

/// The newest source of the pack crate in `dir` (`Cargo.toml`, `Cargo.lock`, anything under
/// `src/`) and when it changed: a `.wasm` built before that is stale. `None` when `dir` is not
/// a crate or no time can be read.
fn newest_source(dir: &Path) -> Option<(std::time::SystemTime, PathBuf)> {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let mut newest: Vec<(std::time::SystemTime, PathBuf)> = ["Cargo.toml", "Cargo.lock"]
        .iter()
        .map(|name| dir.join(name))
        .filter_map(|path| Some((modified(&path)?, path)))
        .collect();
    let mut pending = vec![dir.join("src")];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                pending.push(entry.path());
            } else if let Ok(time) = meta.modified() {
                newest.push((time, entry.path()));
            }
        }
    }
    newest
        .into_iter()
        .max()
        .map(|(time, path)| (time, tidy(&path)))
}

/// `cargo build --release --target wasm32-unknown-unknown` in `dir`, output shown.
fn build_pack(dir: &Path) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building the pack: cargo build --release --target wasm32-unknown-unknown");
    let status = std::process::Command::new(cargo)
        .current_dir(dir)
        .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
        .status()
        .map_err(|e| anyhow::anyhow!("could not run cargo in {}: {e}", dir.display()))?;
    if !status.success() {
        bail!(
            "building the pack in {} failed (see cargo's output above)",
            dir.display()
        );
    }
    Ok(())
}

/// `DIR/target/wasm32-unknown-unknown/release` (or under `CARGO_TARGET_DIR`), where cargo puts
/// the pack; an error that says how to build it when it holds no `.wasm`.
fn default_pack_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("target"));
    let release = tidy(&target.join(RELEASE_WASM_DIR));
    let built = release.is_dir()
        && packs::list_wasm(&release)
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
    let jobs = engine::plan(
        &set.packs,
        |pack, rule| {
            by_pack.iter().any(|(index, ids)| {
                std::ptr::eq(&set.packs[*index], pack) && ids.contains(&rule.id)
            })
        },
        &case.expected.settings,
        case.now(),
    );
    Ok(evaluate_case(&set.sandbox, &jobs, case))
}

/// `case`'s snapshot through the planned `jobs` in the sandbox, by the engine's one evaluation
/// path, as what the case's expectations are compared with. The built-in packs' own case
/// tests use it too, so they are judged exactly as a user's pack is.
pub fn evaluate_case(sandbox: &Sandbox, jobs: &[PackJob<'_>], case: &Case) -> Reported {
    let mut reported = Reported::default();
    for run in engine::evaluate(sandbox, jobs, case.snapshot.clone()) {
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
    reported
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
