//! SARIF 2.1.0 for GitHub code scanning, built with `serde-sarif`.
//!
//! - Rules come from pack metadata, with the help markdown (remediation included), plus
//!   trailwarden's own rules ([`crate::tool_rules`]) when the run produced results for them.
//! - Each result points at a stable virtual path for its resource, or at a file the user maps
//!   in `[[locations]]` (see [`super::location`] for why); the ARN is the logical location and
//!   the rest of the chain are related locations. Dot segments are encoded, so no path leaves
//!   the repository root, and which `[[locations]]` mapping applies is decided by the host alone
//!   (never by a finding's properties).
//! - A result's properties are the host's (`reason`, `account`, `region`, …); the finding's own
//!   (a pack's) sit under `properties.pack`, so a pack can neither overwrite nor fake one.
//! - `partialFingerprints.primaryLocationLineHash` is [`CheckReport::fingerprint`].
//! - Suppressed findings are results with `suppressions` (kind `external`, the reason as
//!   justification); with `--baseline`, results carry `baselineState` `new` or `unchanged`.
//! - What could not be verified, and failed AWS calls, are results of `TW-TOOL-002` and
//!   `TW-TOOL-003`, so an upload shows them; they are also tool execution notifications, with
//!   rule errors and packs that failed to load. The invocation fails if any rule errored.
//! - GitHub rejects a run with more than 25,000 results and keeps 10 tags per rule: results
//!   beyond the limit are dropped, least severe first, with a notification saying so.

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif,
    Suppression, Tool, ToolComponent,
};
use trailwarden_sdk::{Finding, Level, Resource, RuleMeta};

use super::CheckReport;
use super::location::place;
use crate::tool_rules::{self, COLLECTION_ERROR, COULD_NOT_VERIFY};

/// The SARIF schema URI written into every file.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// GitHub rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub keeps this many tags per rule (its limits page says both 10 and 20; 10 is safe).
pub const MAX_TAGS: usize = 10;

/// One result before rendering: the finding, its level, and how it relates to the gate.
struct Entry {
    finding: Finding,
    level: Level,
    suppression: Option<String>,
    baseline: Option<&'static str>,
    /// The rule whose `[[locations]]` apply, when it is not the result's (could-not-verify
    /// results keep their original rule's mapping); set by the host only.
    origin_rule: Option<String>,
    /// Properties the host sets; they sit beside `reason`, `account` and `region`, while the
    /// finding's own properties (a pack's) go under `pack`, so a pack can never overwrite one.
    host_properties: BTreeMap<String, serde_json::Value>,
}

/// The most runs GitHub code scanning accepts in one SARIF file ("Runs per file: 20",
/// <https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit>).
pub const GITHUB_MAX_RUNS_PER_FILE: usize = 20;

/// Renders the report as SARIF 2.1.0 JSON with a trailing newline: one run for one account;
/// for several, one run per account, each its own code-scanning category
/// (`automationDetails.id` `trailwarden/ACCOUNT/`), so that an account's alerts close when it
/// is fixed without touching another's. More accounts than GitHub accepts runs in one file is
/// an error that names `--output-dir`, which writes one file per account ([`render_account`]).
pub fn render(report: &CheckReport) -> anyhow::Result<String> {
    let Some(org) = &report.organization else {
        return to_text(vec![run_of(report)]);
    };
    if org.accounts.len() > GITHUB_MAX_RUNS_PER_FILE {
        anyhow::bail!(
            "{} accounts would be {} SARIF runs in one file, more than the {} GitHub code \
             scanning accepts per file; write one file per account with --output-dir DIR and \
             upload each file on its own",
            org.accounts.len(),
            org.accounts.len(),
            GITHUB_MAX_RUNS_PER_FILE
        );
    }
    let runs = org
        .accounts
        .iter()
        .map(|scope| run_of(&report.for_account(scope)))
        .collect();
    to_text(runs)
}

/// One account of a multi-account report as its own SARIF file (one run, its category).
pub fn render_account(report: &CheckReport, scope: &super::AccountScope) -> anyhow::Result<String> {
    to_text(vec![run_of(&report.for_account(scope))])
}

fn to_text(runs: Vec<Run>) -> anyhow::Result<String> {
    let sarif = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(runs)
        .build();
    let mut text = serde_json::to_string_pretty(&sarif)?;
    text.push('\n');
    Ok(text)
}

/// The run of one account's report.
fn run_of(report: &CheckReport) -> Run {
    let mut entries = entries(report);
    let dropped = truncate(&mut entries, MAX_RESULTS);
    let rules = rule_list(report, &entries);
    let results: Vec<SarifResult> = entries
        .iter()
        .map(|entry| result(report, &rules, entry))
        .collect();
    let descriptors: Vec<ReportingDescriptor> = rules.iter().map(descriptor).collect();
    let driver = ToolComponent::builder()
        .name("trailwarden")
        .version(report.tool_version)
        .semantic_version(report.tool_version)
        .information_uri("https://github.com/trailwarden/trailwarden")
        .rules(descriptors)
        .build();
    let run: Run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation(report, dropped)])
        .automation_details(
            RunAutomationDetails::builder()
                .id(format!("trailwarden/{}/", report.account.id))
                .build(),
        )
        .build();
    run
}

/// Every result of the run: findings, suppressed findings, could-not-verify results and
/// failed AWS calls.
fn entries(report: &CheckReport) -> Vec<Entry> {
    let baseline_state = |finding: &Finding| {
        report.baseline.as_ref().map(|_| {
            if report.is_new(finding) {
                "new"
            } else {
                "unchanged"
            }
        })
    };
    let mut entries: Vec<Entry> = report
        .findings
        .iter()
        .map(|finding| Entry {
            level: report.level_of(finding),
            baseline: baseline_state(finding),
            finding: finding.clone(),
            suppression: None,
            origin_rule: None,
            host_properties: BTreeMap::new(),
        })
        .collect();
    entries.extend(report.suppressed.iter().map(|s| Entry {
        level: report.level_of(&s.finding),
        baseline: baseline_state(&s.finding),
        finding: s.finding.clone(),
        suppression: Some(s.justification.clone()),
        origin_rule: None,
        host_properties: BTreeMap::new(),
    }));
    for original in &report.unverifiable {
        // The original rule and reason stay in the fingerprint, so each gap keeps its alert.
        let mut finding = original.clone();
        finding.rule_id = COULD_NOT_VERIFY.to_owned();
        finding.reason = format!("{}:{}", original.rule_id, original.reason);
        finding.message = format!("[{}] {}", original.rule_id, original.message);
        finding.level = None;
        let mut host_properties = BTreeMap::new();
        host_properties.insert("rule".to_owned(), json!(original.rule_id));
        entries.push(Entry {
            level: Level::Note,
            finding,
            suppression: None,
            baseline: None,
            origin_rule: Some(original.rule_id.clone()),
            host_properties,
        });
    }
    for error in &report.collection_errors {
        let mut finding = Finding::fail(
            format!("{}:{}:{}", error.service, error.operation, error.code),
            format!("{error}; results that need this data could not be verified"),
        )
        .account(&report.account.id);
        let host_properties = BTreeMap::from([
            ("service".to_owned(), json!(error.service)),
            ("operation".to_owned(), json!(error.operation)),
            ("code".to_owned(), json!(error.code)),
        ]);
        if let Some(region) = &error.region {
            finding = finding.region(region);
        }
        finding.rule_id = COLLECTION_ERROR.to_owned();
        entries.push(Entry {
            level: Level::Warning,
            finding,
            suppression: None,
            baseline: None,
            origin_rule: None,
            host_properties,
        });
    }
    entries
}

/// Keeps at most `max` entries, dropping the least severe (and, among equals, the last);
/// returns how many were dropped.
fn truncate(entries: &mut Vec<Entry>, max: usize) -> usize {
    if entries.len() <= max {
        return 0;
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(entries[i].level), i));
    let keep: std::collections::BTreeSet<usize> = order.into_iter().take(max).collect();
    let before = entries.len();
    let mut index = 0;
    entries.retain(|_| {
        let kept = keep.contains(&index);
        index += 1;
        kept
    });
    before - entries.len()
}

/// The rules to describe: every selected rule, plus trailwarden's own rules that have results.
fn rule_list(report: &CheckReport, entries: &[Entry]) -> Vec<RuleMeta> {
    let mut rules: Vec<RuleMeta> = report.rules.iter().map(|r| r.meta.clone()).collect();
    for entry in entries {
        let id = &entry.finding.rule_id;
        if !rules.iter().any(|r| &r.id == id)
            && let Some(meta) = tool_rules::meta(id)
        {
            rules.push(meta);
        }
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor {
    let mut properties = BTreeMap::new();
    properties.insert("precision".to_owned(), json!(meta.precision));
    if let Some(severity) = meta.security_severity {
        properties.insert(
            "security-severity".to_owned(),
            json!(format!("{severity:.1}")),
        );
    }
    if !meta.mappings.cis.is_empty() {
        properties.insert("cis".to_owned(), json!(meta.mappings.cis));
    }
    if !meta.mappings.security_hub.is_empty() {
        properties.insert("securityHub".to_owned(), json!(meta.mappings.security_hub));
    }
    if !meta.mappings.mitre_attack.is_empty() {
        properties.insert("mitreAttack".to_owned(), json!(meta.mappings.mitre_attack));
    }
    let mut tags = vec!["security".to_owned()];
    tags.extend(meta.tags.iter().filter(|t| *t != "security").cloned());
    tags.truncate(MAX_TAGS);
    let descriptor = ReportingDescriptor::builder()
        .id(meta.id.clone())
        .name(meta.name.clone())
        .short_description(text(&meta.short_description))
        .full_description(text(&meta.full_description))
        .help(
            MultiformatMessageString::builder()
                .text(meta.help_markdown.clone())
                .markdown(meta.help_markdown.clone())
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(meta.level.as_str()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(properties)
                .build(),
        );
    match &meta.help_uri {
        Some(uri) => descriptor.help_uri(uri.clone()).build(),
        None => descriptor.build(),
    }
}

fn result_level(level: Level) -> ResultLevel {
    match level {
        Level::Error => ResultLevel::Error,
        Level::Warning => ResultLevel::Warning,
        Level::Note => ResultLevel::Note,
    }
}

fn text(value: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(value).build()
}

fn result(report: &CheckReport, rules: &[RuleMeta], entry: &Entry) -> SarifResult {
    let finding = &entry.finding;
    let rule_index = rules
        .iter()
        .position(|r| r.id == finding.rule_id)
        .and_then(|i| i64::try_from(i).ok())
        .unwrap_or(-1);
    let rule = entry.origin_rule.as_deref().unwrap_or(&finding.rule_id);
    let primary = location(report, rule, finding, finding.resource.as_ref(), None, true);
    let related: Vec<Location> = finding
        .related
        .iter()
        .take(100)
        .enumerate()
        .map(|(i, resource)| {
            let mut loc = location(
                report,
                rule,
                finding,
                Some(resource),
                resource.role.as_deref(),
                false,
            );
            loc.id = i64::try_from(i + 1).ok();
            loc
        })
        .collect();
    let mut properties = entry.host_properties.clone();
    properties.insert("reason".to_owned(), json!(finding.reason));
    if let Some(account) = &finding.account {
        properties.insert("account".to_owned(), json!(account));
    }
    if let Some(region) = &finding.region {
        properties.insert("region".to_owned(), json!(region));
    }
    if !finding.properties.is_empty() {
        properties.insert("pack".to_owned(), json!(finding.properties));
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(
        "primaryLocationLineHash".to_owned(),
        report.fingerprint(finding),
    );
    let mut result = SarifResult::builder()
        .rule_id(finding.rule_id.clone())
        .rule_index(rule_index)
        .level(result_level(entry.level))
        .message(
            Message::builder()
                .text(message_with_code(report, finding))
                .build(),
        )
        .locations(vec![primary])
        .partial_fingerprints(fingerprints)
        .properties(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        )
        .build();
    if !related.is_empty() {
        result.related_locations = Some(related);
    }
    if let Some(justification) = &entry.suppression {
        result.suppressions = Some(vec![
            Suppression::builder()
                .kind(json!("external"))
                .status(json!("accepted"))
                .justification(justification.clone())
                .build(),
        ]);
    }
    if let Some(state) = entry.baseline {
        result.baseline_state = Some(json!(state));
    }
    result
}

/// The finding's message, with the fix in the infrastructure code's terms and the assumptions
/// it rests on when it is about resources from `--iac`.
fn message_with_code(report: &CheckReport, finding: &Finding) -> String {
    let mut message = finding.message.clone();
    if let Some(iac) = &report.iac {
        if let Some(fix) = iac.fix(finding) {
            message.push_str(&format!(". Fix {fix}"));
        }
        for assumption in iac.assumptions_for(finding) {
            message.push_str(&format!(". Assumes: {}", assumption.text));
        }
    }
    message
}

/// A location GitHub can show, plus the ARN as logical location; `rule` picks the
/// `[[locations]]` mapping.
fn location(
    report: &CheckReport,
    rule: &str,
    finding: &Finding,
    resource: Option<&Resource>,
    role: Option<&str>,
    primary: bool,
) -> Location {
    let code = report
        .iac
        .as_ref()
        .and_then(|iac| match (primary, resource) {
            // The primary location is where the finding is caused, related ones where each link is.
            (true, _) => iac.cause(finding),
            (false, Some(resource)) => iac.place_of(&finding.reason, resource),
            (false, None) => None,
        });
    let place = match code {
        Some(code) => super::location::Place {
            uri: code
                .span
                .file
                .split('/')
                .map(super::location::encode_segment)
                .collect::<Vec<_>>()
                .join("/"),
            line: code.line.max(1),
        },
        None => place(
            &report.locations,
            &report.account.id,
            rule,
            finding,
            resource,
        ),
    };
    let physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(place.uri).build())
        .region(Region::builder().start_line(i64::from(place.line)).build())
        .build();
    let mut location = Location::builder().physical_location(physical).build();
    if let Some(resource) = resource {
        location.logical_locations = Some(vec![
            LogicalLocation::builder()
                .name(resource.name.clone())
                .fully_qualified_name(resource.arn.clone())
                .kind(resource.kind.clone())
                .build(),
        ]);
    }
    if let Some(role) = role {
        location.message = Some(Message::builder().text(role).build());
    }
    location
}

fn invocation(report: &CheckReport, dropped_results: usize) -> Invocation {
    let mut notifications = Vec::new();
    for finding in &report.unverifiable {
        notifications.push(notification(
            "warning",
            format!("could not verify {}: {}", finding.rule_id, finding.message),
        ));
    }
    for error in &report.rule_errors {
        notifications.push(notification(
            "error",
            format!(
                "rule {} failed [{}]: {}",
                error.rule_id, error.kind, error.message
            ),
        ));
    }
    for (pack, message) in &report.pack_errors {
        notifications.push(notification(
            "error",
            format!("pack {pack} did not load: {message}"),
        ));
    }
    for error in &report.collection_errors {
        notifications.push(notification("warning", format!("collection: {error}")));
    }
    for (rule, dropped) in &report.dropped {
        notifications.push(notification(
            "warning",
            format!("rule {rule}: {dropped} finding(s) over the per-rule limit were dropped"),
        ));
    }
    if dropped_results > 0 {
        notifications.push(notification(
            "warning",
            format!(
                "{dropped_results} result(s) were left out, least severe first, to stay within GitHub's {MAX_RESULTS} results per run; see the JSON report for all of them"
            ),
        ));
    }
    let builder = Invocation::builder()
        .execution_successful(report.rule_errors.is_empty() && report.pack_errors.is_empty())
        .start_time_utc(report.started.clone())
        .end_time_utc(report.finished.clone());
    if notifications.is_empty() {
        builder.build()
    } else {
        builder.tool_execution_notifications(notifications).build()
    }
}

fn notification(level: &str, message: String) -> Notification {
    Notification::builder()
        .level(json!(level))
        .message(Message::builder().text(message).build())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: Level, n: usize) -> Entry {
        Entry {
            finding: Finding::fail("R", format!("{n}")),
            level,
            suppression: None,
            baseline: None,
            origin_rule: None,
            host_properties: BTreeMap::new(),
        }
    }

    #[test]
    fn truncation_drops_the_least_severe_last_first() {
        let mut entries = vec![
            entry(Level::Note, 0),
            entry(Level::Error, 1),
            entry(Level::Warning, 2),
            entry(Level::Note, 3),
        ];
        assert_eq!(truncate(&mut entries, 2), 2);
        let kept: Vec<&str> = entries.iter().map(|e| e.finding.message.as_str()).collect();
        assert_eq!(kept, ["1", "2"], "order is kept");
        assert_eq!(truncate(&mut entries, 5), 0);
    }
}
