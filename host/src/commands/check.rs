//! `trailwarden check`: snapshot in, packs run, report out, exit code by `--fail-on`.

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{Context, bail};
use std::collections::BTreeMap;

use trailwarden_sdk::snapshot::org::{OrganizationSnapshot, SnapshotDocument};
use trailwarden_sdk::{Level, Outcome as FindingOutcome, Snapshot};

use crate::Outcome;
use crate::builtin::DEMO_SNAPSHOT;
use crate::cli::CollectArgs;
use crate::cli::{CheckArgs, FailOn, Format, PackArgs};
use crate::config::{self, Config, RuleSelection};
use crate::engine::{self, sanitize_line};
use crate::glob::glob_match;
use crate::packs::{self, PackSet};
use crate::report::{self, CheckReport, RuleEntry, RuleErrorEntry, SnapshotSource};
use crate::settings::RuleSettings;
use crate::{baseline, suppress};

/// Runs `check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let started = crate::time::now_rfc3339();
    // Everything the user gave is checked before the first AWS call or file read: a typo in a
    // setting or a baseline must not cost a whole collection.
    let (loaded, set, selected) = load_rules(args.config.as_deref(), &args.packs, &args.only)?;
    let config = &loaded.config;
    let mut settings = RuleSettings::from_config(&loaded)?;
    // --settings FILE wins over the configuration, rule by rule.
    settings.extend(RuleSettings::from_file(args.settings.as_deref())?);
    settings.check(&set)?;
    let settings = settings.into_values();
    let as_of = args.as_of.as_deref().map(parse_as_of).transpose()?;
    let baseline = args.baseline.as_deref().map(baseline::load).transpose()?;
    crate::commands::snapshot::check_destination(args.output.as_deref(), "--output")?;
    crate::commands::snapshot::check_destination(args.save_snapshot.as_deref(), "--save-snapshot")?;
    // What is checked: a live collection (one account, or several with --org/--accounts),
    // or the snapshot input, read and parsed once.
    let input = match live_accounts(args, config, &selected)? {
        Some((source, organization)) => Input::Many(source, organization),
        None => match live_collection(args, config, &selected)? {
            Some((source, snapshot)) => Input::One(source, snapshot),
            None if args.iac.is_empty() || args.snapshot.is_some() => read_input(args)?,
            None => Input::Nothing,
        },
    };
    let (source, snapshot, iac) = match input {
        // Several accounts (a schema 2 file, a directory, an organization run): each is
        // evaluated with the accounts its chains continue into.
        Input::Many(source, organization) => {
            // The code is laid over one account: an organization has no single account to
            // overlay, so say so rather than pick one.
            if !args.iac.is_empty() {
                anyhow::bail!(
                    "--iac overlays the code on one account, but several were given (--org, \
                     --accounts, or a multi-account --snapshot); check the account the code \
                     deploys to: --snapshot FILE of that account, or a live run with its --profile"
                );
            }
            let as_of = as_of.unwrap_or_else(|| started.clone());
            let report =
                crate::commands::org::evaluate_organization(&organization, &source, |snapshot| {
                    evaluate(
                        &set,
                        snapshot,
                        source.clone(),
                        &selected,
                        settings.clone(),
                        &started,
                        &as_of,
                    )
                });
            return finish_and_render(args, config, report, baseline, &started);
        }
        Input::One(source, snapshot) if args.iac.is_empty() => (source, snapshot, None),
        Input::One(source, snapshot) => {
            let (source, snapshot, context) = read_iac(args, Some((source, snapshot)))?;
            (source, snapshot, Some(context))
        }
        Input::Nothing => {
            let (source, snapshot, context) = read_iac(args, None)?;
            (source, snapshot, Some(context))
        }
    };
    let as_of = as_of.unwrap_or_else(|| rule_clock(args, &snapshot, &started));
    let mut report = evaluate(
        &set, snapshot, source, &selected, settings, &started, &as_of,
    );
    report.iac = iac;
    finish_and_render(args, config, report, baseline, &started)
}

/// Suppressions, sorting, rendering and the gate: the same for one account or many.
fn finish_and_render(
    args: &CheckArgs,
    config: &Config,
    mut report: CheckReport,
    baseline: Option<crate::baseline::Baseline>,
    started: &str,
) -> anyhow::Result<Outcome> {
    report.locations = config.locations.clone();
    report.baseline = baseline;
    suppress::apply(
        &mut report,
        &config.suppress,
        started.get(..10).unwrap_or_default(),
    );
    report.finish();
    if let Some(dir) = &args.output_dir {
        write_per_account(&report, args.format, dir)?;
        return Ok(gate_and_explain(&report, args, config));
    }
    let rendered = match args.format {
        Format::Text => {
            let colour = args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            report::text::render(&report, colour)
        }
        Format::Json => report::json::render(&report)?,
        Format::Sarif => report::sarif::render(&report)?,
        Format::Markdown => report::markdown::render(&report),
        Format::Html => report::html::render(&report),
    };
    write_output(args.output.as_deref(), rendered.as_bytes())?;
    Ok(gate_and_explain(&report, args, config))
}

/// One report per account into `dir` (`--output-dir`).
fn write_per_account(report: &CheckReport, format: Format, dir: &Path) -> anyhow::Result<()> {
    let Some(org) = &report.organization else {
        anyhow::bail!(
            "--output-dir writes one report per account: check several accounts (--org, \
             --accounts, or --snapshot on a directory or a multi-account snapshot), or use -o FILE"
        );
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "--output-dir {}: the directory does not exist; create it first",
            dir.display()
        );
    }
    for scope in &org.accounts {
        let one = report.for_account(scope);
        let (text, extension) = match format {
            Format::Text => (report::text::render(&one, false), "txt"),
            Format::Json => (report::json::render(&one)?, "json"),
            Format::Sarif => (report::sarif::render_account(report, scope)?, "sarif"),
            Format::Markdown => (report::markdown::render(&one), "md"),
            Format::Html => (report::html::render(&one), "html"),
        };
        // The id was read from a snapshot: keep only digits in the file name.
        let name: String = scope
            .account
            .id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let path = dir.join(format!("{name}.{extension}"));
        std::fs::write(&path, text.as_bytes())
            .with_context(|| format!("writing the report to {}", path.display()))?;
    }
    Ok(())
}

/// The gate, with the explanation of an incomplete run on stderr.
fn gate_and_explain(report: &CheckReport, args: &CheckArgs, config: &Config) -> Outcome {
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Warning);
    let allow_partial = args.allow_partial || config.allow_partial;
    let outcome = gate(report, fail_on, allow_partial);
    if outcome == Outcome::Incomplete
        && report.rule_errors.is_empty()
        && report.pack_errors.is_empty()
    {
        let unread = report
            .organization
            .as_ref()
            .map_or(0, |org| org.failures.len());
        if unread > 0 {
            eprintln!(
                "trailwarden: {unread} account(s) could not be read, so the organization was \
                 not checked whole (exit 2); the report lists them with the fix"
            );
        } else {
            eprintln!(
                "trailwarden: {} AWS call(s) failed during collection, so the results are \
                 partial (exit 2); pass --allow-partial to gate on the findings alone",
                report.collection_errors.len()
            );
        }
    }
    outcome
}

/// The configuration, the packs (built-in, `--rules` and the configuration's `rule_dirs`) and
/// the rules selected among them: what `check` runs and what `snapshot` collects for.
pub(crate) fn load_rules(
    config_path: Option<&Path>,
    pack_args: &PackArgs,
    only: &[String],
) -> anyhow::Result<(config::Loaded, PackSet, Vec<RuleEntry>)> {
    let loaded = config::load(config_path)?;
    let mut pack_args = pack_args.clone();
    pack_args
        .rule_dirs
        .extend(loaded.config.rule_dirs.iter().cloned());
    let set = packs::load(&pack_args)?;
    let selected = select_rules(&set, only, &loaded.config.rules)?;
    Ok((loaded, set, selected))
}

/// `--org` or `--accounts`: collects every account (saved with `--save-snapshot`, as one
/// schema 2 file); `None` otherwise.
fn live_accounts(
    args: &CheckArgs,
    config: &Config,
    selected: &[RuleEntry],
) -> anyhow::Result<Option<(SnapshotSource, OrganizationSnapshot)>> {
    if args.snapshot.is_some() || args.demo || !args.collect.asks_for_accounts() {
        return Ok(None);
    }
    let collect_args = with_configured_regions(&args.collect, config);
    let organization = crate::commands::live::collect_accounts(&collect_args, selected)?;
    let display = match &args.save_snapshot {
        Some(path) => {
            crate::commands::snapshot::write_organization(&organization, Some(path))?;
            path.display().to_string()
        }
        None => match &organization.organization {
            Some(org) => format!("a live collection of organization {}", org.id),
            None => "a live collection of the accounts listed".to_owned(),
        },
    };
    Ok(Some((SnapshotSource { display }, organization)))
}

/// With neither `--snapshot` nor `--demo`, and AWS configured (or asked for), collects live;
/// `None` when the snapshot comes from elsewhere.
fn live_collection(
    args: &CheckArgs,
    config: &Config,
    selected: &[RuleEntry],
) -> anyhow::Result<Option<(SnapshotSource, Snapshot)>> {
    let live = args.snapshot.is_none()
        && !args.demo
        && !args.collect.asks_for_accounts()
        // With --iac, the code alone is checked unless a deployed account is asked for.
        && (args.live || args.collect.asks_for_aws() || (args.iac.is_empty() && aws_configured()));
    if !live {
        return Ok(None);
    }
    let collect_args = with_configured_regions(&args.collect, config);
    let collection = crate::commands::live::collect(&collect_args, selected)?;
    let display = match &args.save_snapshot {
        Some(path) => {
            crate::commands::snapshot::write(&collection.snapshot, Some(path))?;
            path.display().to_string()
        }
        None => format!(
            "a live collection from account {}",
            collection.snapshot.account.id
        ),
    };
    Ok(Some((SnapshotSource { display }, collection.snapshot)))
}

/// Reads every `--iac` path and lays the planned resources over `base` (the deployed account)
/// or alone. The context keeps where each resource is written, for the reports.
fn read_iac(
    args: &CheckArgs,
    base: Option<(SnapshotSource, Snapshot)>,
) -> anyhow::Result<(SnapshotSource, Snapshot, crate::iac::annotate::IacContext)> {
    use crate::iac;
    let mut options = iac::ReadOptions {
        parameters: args.iac_parameters.iter().cloned().collect(),
        assume_confirmed: args.iac_assume_confirmed,
        ..iac::ReadOptions::default()
    };
    if let Some((_, snapshot)) = &base {
        options.account = Some(snapshot.account.id.clone());
        options.partition = Some(snapshot.account.partition.clone());
        // One region is the region the code deploys to; with several, the code must say
        // (--iac-parameter AWS::Region=...), else the placeholder is stated as an assumption.
        if let [only] = snapshot.regions.as_slice() {
            options.region = Some(only.region.clone());
        }
    }
    let mut documents = Vec::new();
    let mut context = iac::annotate::IacContext::default();
    for path in &args.iac {
        let document = iac::read(path, &options)
            .with_context(|| format!("reading infrastructure code {}", path.display()))?;
        context.sources.extend(document.sources.clone());
        context.assumptions.extend(document.assumptions.clone());
        context.paths.push(iac::source_map::display_path(path));
        documents.push(document);
    }
    let account = options
        .parameters
        .get("AWS::AccountId")
        .or(options.account.as_ref())
        .or_else(|| documents.iter().find_map(|d| d.account.as_ref()))
        .cloned()
        .unwrap_or_else(|| iac::placeholder::ACCOUNT.to_owned());
    let partition = options
        .partition
        .clone()
        .unwrap_or_else(|| iac::placeholder::PARTITION.to_owned());
    let (base_source, base_snapshot) = match base {
        Some((source, snapshot)) => (Some(source), Some(snapshot)),
        None => (None, None),
    };
    if base_snapshot.is_none() {
        context.assumptions.push(iac::Assumption {
            resource: None,
            file: String::new(),
            line: None,
            text: iac::overlay::ALONE_ASSUMPTION.to_owned(),
        });
    }
    let (snapshot, notes) = iac::overlay::build(&documents, base_snapshot, &account, &partition);
    context.assumptions.extend(notes);
    let display = match base_source {
        Some(base) => format!("{} over {}", context.paths.join(", "), base.display),
        None => format!("infrastructure code {}", context.paths.join(", ")),
    };
    Ok((SnapshotSource { display }, snapshot, context))
}

/// The collection flags with the configuration's `regions` filled in when `--regions` is not
/// given: the flag wins, as every flag does over `.trailwarden.toml`.
pub(crate) fn with_configured_regions(args: &CollectArgs, config: &Config) -> CollectArgs {
    let mut args = args.clone();
    if args.regions.is_empty() {
        args.regions = config.regions.clone();
    }
    args
}

/// What `check` judges when it does not collect: one account or several.
enum Input {
    /// One account's snapshot.
    One(SnapshotSource, Snapshot),
    /// Several accounts: a schema 2 file, a directory of snapshots, or an organization run.
    Many(SnapshotSource, OrganizationSnapshot),
    /// Nothing but the infrastructure code (`--iac` alone).
    Nothing,
}

/// Reads and parses the snapshot input once: a file or stdin (either schema), a directory of
/// per-account or per-shard snapshots, the demo, or (with no AWS account configured) the demo
/// with a notice. The text is dropped once parsed: the packs get compact JSON written from the
/// parsed snapshot (see [`engine::evaluate`]).
fn read_input(args: &CheckArgs) -> anyhow::Result<Input> {
    let parse = |display: String, text: &str| {
        let document = SnapshotDocument::from_json(text)
            .with_context(|| format!("reading snapshot {display}"))?;
        let source = SnapshotSource { display };
        anyhow::Ok(match document {
            SnapshotDocument::Account(snapshot) => Input::One(source, *snapshot),
            SnapshotDocument::Organization(organization) => Input::Many(source, *organization),
        })
    };
    if let Some(path) = &args.snapshot {
        let display = path.display().to_string();
        if path.is_dir() {
            let organization = crate::commands::org::read_dir(path)?;
            return Ok(Input::Many(SnapshotSource { display }, organization));
        }
        let text = if path == Path::new("-") {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading the snapshot from stdin")?;
            text
        } else {
            std::fs::read_to_string(path).with_context(|| format!("reading snapshot {display}"))?
        };
        return parse(display, &text);
    }
    if !args.demo {
        eprintln!(
            "trailwarden: no AWS account is configured and no --snapshot was given, so this \
             checks the embedded demo account (--demo). Point it at your account with \
             --profile NAME (or AWS_PROFILE, AWS_ACCESS_KEY_ID), at an instance or container \
             role with --live, or at saved data with --snapshot FILE."
        );
    }
    parse("the embedded demo snapshot".to_owned(), DEMO_SNAPSHOT)
}

/// `--as-of`, normalised to `YYYY-MM-DDTHH:MM:SSZ`, the form rules read.
fn parse_as_of(time: &str) -> anyhow::Result<String> {
    let secs = trailwarden_sdk::time::parse_rfc3339(time).map_err(|error| {
        anyhow::anyhow!("--as-of: {error}; give a time such as 2026-11-25T10:00:00Z")
    })?;
    Ok(trailwarden_sdk::time::format_rfc3339(secs))
}

/// The time rules judge by without `--as-of`: the demo's collection time (so that the demo
/// reads the same on every day, rather than watching its imported key expire), else the
/// run's start.
fn rule_clock(args: &CheckArgs, snapshot: &Snapshot, started: &str) -> String {
    match &snapshot.generator.collected_at {
        Some(collected) if uses_demo(args) => collected.clone(),
        _ => started.to_owned(),
    }
}

/// Whether this run checks the embedded demo, asked for or fallen back to.
fn uses_demo(args: &CheckArgs) -> bool {
    args.demo
        || (args.snapshot.is_none()
            && !args.live
            && !args.collect.asks_for_aws()
            && !aws_configured())
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

/// The rules to run: `--only` if given, else the configuration's `[rules]` (every rule by
/// default), minus `disable`. A pattern that matches no rule is an error: it is a typo.
fn select_rules(
    set: &PackSet,
    only: &[String],
    selection: &RuleSelection,
) -> anyhow::Result<Vec<RuleEntry>> {
    let all: Vec<RuleEntry> = set
        .packs
        .iter()
        .enumerate()
        .flat_map(|(pack_index, pack)| {
            pack.meta.rules.iter().map(move |meta| RuleEntry {
                pack: pack.meta.name.clone(),
                pack_index,
                sdk_version: pack.meta.sdk_version.clone(),
                meta: meta.clone(),
            })
        })
        .collect();
    let known = || {
        let ids: Vec<&str> = all.iter().map(|r| r.meta.id.as_str()).collect();
        ids.join(", ")
    };
    // A pack that did not load may be the one declaring the rule: say so, with its reason,
    // rather than hide the cause behind "unknown rule".
    let failed_packs = || {
        if set.failed.is_empty() {
            return String::new();
        }
        let list: Vec<String> = set
            .failed
            .iter()
            .map(|(origin, reason)| {
                format!("\n  {}: {}", sanitize_line(origin), sanitize_line(reason))
            })
            .collect();
        format!(
            "\n{} pack{} did not load and may declare it:{}",
            set.failed.len(),
            if set.failed.len() == 1 { "" } else { "s" },
            list.concat()
        )
    };
    let check = |patterns: &[String], origin: &str| -> anyhow::Result<()> {
        for pattern in patterns {
            if !all.iter().any(|rule| glob_match(pattern, &rule.meta.id)) {
                bail!(
                    "{origin} names unknown rule {pattern}; known rules: {}{}",
                    known(),
                    failed_packs()
                );
            }
        }
        Ok(())
    };
    check(only, "--only")?;
    check(&selection.enable, "the configuration's [rules] enable")?;
    check(&selection.disable, "the configuration's [rules] disable")?;
    let enable = if only.is_empty() {
        &selection.enable
    } else {
        only
    };
    Ok(all
        .into_iter()
        .filter(|rule| enable.is_empty() || enable.iter().any(|p| glob_match(p, &rule.meta.id)))
        .filter(|rule| {
            !selection
                .disable
                .iter()
                .any(|p| glob_match(p, &rule.meta.id))
        })
        .collect())
}

/// Runs the selected rules of every pack through the engine's one evaluation path and
/// gathers the report.
pub(crate) fn evaluate(
    set: &PackSet,
    snapshot: Snapshot,
    source: SnapshotSource,
    selected: &[RuleEntry],
    settings: BTreeMap<String, serde_json::Value>,
    started: &str,
    as_of: &str,
) -> CheckReport {
    let mut report = CheckReport::new(&snapshot, source, selected.to_vec(), started.to_owned());
    report.pack_errors = set.failed.clone();
    let jobs = engine::plan(
        &set.packs,
        |pack, rule| {
            selected.iter().any(|r| {
                set.packs
                    .get(r.pack_index)
                    .is_some_and(|p| std::ptr::eq(p, pack))
                    && r.meta.id == rule.id
            })
        },
        &settings,
        Some(as_of),
    );
    for run in engine::evaluate(&set.sandbox, &jobs, snapshot) {
        for line in &run.logs {
            tracing::info!(rule = %sanitize_line(&run.rule_id), "{}", sanitize_line(line));
        }
        if run.run_dropped > 0 {
            let (count, bytes) = (
                set.sandbox.limits().run_findings,
                set.sandbox.limits().run_finding_bytes,
            );
            report.rule_errors.push(RuleErrorEntry {
                rule_id: run.rule_id.clone(),
                kind: trailwarden_sdk::abi::FailureKind::Limit,
                message: format!(
                    "{} finding(s) were dropped: a run keeps at most {count} findings and {} MiB \
                     of them across every pack; raise --max-total-findings, or run fewer rules \
                     with --only",
                    run.run_dropped,
                    bytes >> 20
                ),
            });
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
    report
}

fn write_output(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("writing the report to {}", path.display())),
        None => Ok(crate::write_stdout(bytes)?),
    }
}

/// The exit outcome: an incomplete run beats findings, findings beat a pass. With a baseline,
/// only new findings count; suppressed findings never do.
fn gate(report: &CheckReport, fail_on: FailOn, allow_partial: bool) -> Outcome {
    if !report.rule_errors.is_empty() || !report.pack_errors.is_empty() {
        return Outcome::Incomplete;
    }
    if !allow_partial && !report.collection_errors.is_empty() {
        return Outcome::Incomplete;
    }
    // An account that could not be read at all was not checked: never a pass.
    if report
        .organization
        .as_ref()
        .is_some_and(|org| !org.failures.is_empty())
    {
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
            .filter(|finding| report.is_new(finding))
            .any(|finding| report.level_of(finding) >= threshold)
    });
    if failing {
        Outcome::Findings
    } else {
        Outcome::Pass
    }
}
