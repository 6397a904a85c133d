//! `trailwarden check`: snapshot in, packs run, report out, exit code by `--fail-on`.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{Context, bail};
use trailwarden_sdk::abi::EvalContext;
use trailwarden_sdk::{Level, Outcome as FindingOutcome, SCHEMA_VERSION, Snapshot};

use crate::Outcome;
use crate::builtin::{DEMO_SNAPSHOT, DEMO_SNAPSHOT_PATH};
use crate::cli::{CheckArgs, FailOn, Format};
use crate::engine::sanitize_line;
use crate::packs::{self, PackSet};
use crate::report::{self, CheckReport, RuleEntry, RuleErrorEntry, SnapshotSource};

/// Runs `check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let started = crate::time::now_rfc3339();
    let source = snapshot_source(args)?;
    let snapshot = Snapshot::from_json(&source.text)
        .with_context(|| format!("reading snapshot {}", source.display))?;
    let set = packs::load(&args.packs)?;
    let selected = select_rules(&set, &args.only)?;
    let settings = read_settings(args.settings.as_deref(), &set)?;
    let report = evaluate(&set, &snapshot, source, &selected, &settings, started);
    let rendered = match args.format {
        Format::Text => {
            let colour = args.output.is_none() && std::io::stdout().is_terminal();
            report::text::render(&report, colour)
        }
        Format::Json => report::json::render(&report)?,
        Format::Sarif => report::sarif::render(&report)?,
    };
    write_output(args.output.as_deref(), rendered.as_bytes())?;
    Ok(gate(&report, args.fail_on))
}

/// Where the snapshot comes from: a file, stdin, the demo, or (with no AWS account configured)
/// the demo with a notice.
fn snapshot_source(args: &CheckArgs) -> anyhow::Result<SnapshotSource> {
    if let Some(path) = &args.snapshot {
        let text = if path == Path::new("-") {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading the snapshot from stdin")?;
            text
        } else {
            std::fs::read_to_string(path)
                .with_context(|| format!("reading snapshot {}", path.display()))?
        };
        return Ok(SnapshotSource {
            display: path.display().to_string(),
            artifact_uri: relative_uri(path),
            text,
        });
    }
    if !args.demo {
        if aws_configured() {
            bail!(
                "live collection is not in this build yet; save a snapshot and pass \
                 --snapshot FILE, or pass --demo to check the embedded demo account"
            );
        }
        eprintln!(
            "trailwarden: no AWS account is configured and no --snapshot was given, so this \
             checks the embedded demo account (--demo). Point it at your own data with \
             --snapshot FILE."
        );
    }
    Ok(SnapshotSource {
        display: "the embedded demo snapshot".to_owned(),
        artifact_uri: DEMO_SNAPSHOT_PATH.to_owned(),
        text: DEMO_SNAPSHOT.to_owned(),
    })
}

/// Whether the standard AWS credential chain has anything to start from, checked without
/// any network call (so that no instance-metadata probe can hang a laptop).
fn aws_configured() -> bool {
    let env = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if env("AWS_ACCESS_KEY_ID")
        || env("AWS_PROFILE")
        || env("AWS_WEB_IDENTITY_TOKEN_FILE")
        || env("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        || env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    {
        return true;
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let file = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(default)))
            .is_some_and(|p| p.is_file())
    };
    file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")
        || file("AWS_CONFIG_FILE", ".aws/config")
}

/// A repository-relative, forward-slash URI for SARIF; absolute paths are made relative to the
/// working directory when they are under it.
fn relative_uri(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").unwrap_or(&text).to_owned()
}

/// The rules to run: all, or those named with `--only` (an unknown id is an error).
fn select_rules(set: &PackSet, only: &[String]) -> anyhow::Result<Vec<RuleEntry>> {
    let all: Vec<RuleEntry> = set
        .packs
        .iter()
        .flat_map(|pack| {
            pack.meta.rules.iter().map(|meta| RuleEntry {
                pack: pack.meta.name.clone(),
                meta: meta.clone(),
            })
        })
        .collect();
    if only.is_empty() {
        return Ok(all);
    }
    for id in only {
        if !all.iter().any(|rule| rule.meta.id == *id) {
            let known: Vec<&str> = all.iter().map(|r| r.meta.id.as_str()).collect();
            bail!(
                "--only names unknown rule {id}; known rules: {}",
                known.join(", ")
            );
        }
    }
    Ok(all
        .into_iter()
        .filter(|rule| only.contains(&rule.meta.id))
        .collect())
}

/// Settings per rule id from `--settings FILE`; a rule id no loaded pack declares is an error.
/// The values are checked by each rule's own settings type when it runs.
fn read_settings(path: Option<&Path>, set: &PackSet) -> anyhow::Result<Settings> {
    let Some(path) = path else {
        return Ok(Settings::new());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading settings {}", path.display()))?;
    let settings: Settings = serde_json::from_str(&text).with_context(|| {
        format!(
            "reading settings {}: expected a JSON object of rule ids, each with an object of \
             settings",
            path.display()
        )
    })?;
    let known: Vec<&str> = set
        .packs
        .iter()
        .flat_map(|p| p.meta.rules.iter().map(|r| r.id.as_str()))
        .collect();
    if let Some(id) = settings.keys().find(|id| !known.contains(&id.as_str())) {
        bail!(
            "settings {} name unknown rule {id}; known rules: {}",
            path.display(),
            known.join(", ")
        );
    }
    Ok(settings)
}

type Settings = std::collections::BTreeMap<String, serde_json::Value>;

/// Runs every pack (in parallel, one thread each) and gathers a sorted report.
fn evaluate(
    set: &PackSet,
    snapshot: &Snapshot,
    source: SnapshotSource,
    selected: &[RuleEntry],
    settings: &Settings,
    started: String,
) -> CheckReport {
    let snapshot_bytes = source.text.as_bytes();
    let now = started.clone();
    let runs: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = set
            .packs
            .iter()
            .map(|pack| {
                let rules: Vec<String> = selected
                    .iter()
                    .filter(|r| r.pack == pack.meta.name)
                    .map(|r| r.meta.id.clone())
                    .collect();
                let ctx = EvalContext {
                    abi_minor: trailwarden_sdk::abi::ABI_MINOR,
                    encoding: "json".to_owned(),
                    snapshot_schema: SCHEMA_VERSION,
                    settings: settings
                        .iter()
                        .filter(|(id, _)| rules.contains(id))
                        .map(|(id, value)| (id.clone(), value.clone()))
                        .collect(),
                    rules,
                    now: Some(now.clone()),
                    ..EvalContext::default()
                };
                let sandbox = &set.sandbox;
                scope.spawn(move || sandbox.evaluate(pack, snapshot_bytes, &ctx))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect()
    });

    let mut report = CheckReport::new(snapshot, source, selected.to_vec(), started);
    report.pack_errors = set.failed.clone();
    for run in runs {
        for line in &run.logs {
            tracing::info!(rule = %sanitize_line(&run.rule_id), "{}", sanitize_line(line));
        }
        match run.result {
            Ok((findings, dropped)) => {
                if dropped > 0 {
                    report.dropped.push((run.rule_id.clone(), dropped));
                }
                for finding in findings {
                    match finding.outcome {
                        FindingOutcome::Fail => report.findings.push(finding),
                        FindingOutcome::Unverifiable => report.unverifiable.push(finding),
                    }
                }
            }
            Err(failure) => report.rule_errors.push(RuleErrorEntry {
                rule_id: run.rule_id,
                kind: failure.kind,
                message: failure.message,
            }),
        }
    }
    report.finish();
    report
}

fn write_output(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("writing the report to {}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// The exit outcome: an incomplete run beats findings, findings beat a pass.
fn gate(report: &CheckReport, fail_on: FailOn) -> Outcome {
    if !report.rule_errors.is_empty() || !report.pack_errors.is_empty() {
        return Outcome::Incomplete;
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Level::Error),
        FailOn::Warning => Some(Level::Warning),
        FailOn::Note => Some(Level::Note),
        FailOn::None => None,
    };
    let failing = threshold.is_some_and(|threshold| {
        report
            .findings
            .iter()
            .any(|finding| report.level_of(finding) >= threshold)
    });
    if failing {
        Outcome::Findings
    } else {
        Outcome::Pass
    }
}
