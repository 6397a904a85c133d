//! SARIF 2.1.0 for GitHub code scanning, built with `serde-sarif`.
//!
//! - Rules come from pack metadata, with the help markdown (remediation included).
//! - Each finding points at the snapshot file, at the line where its resource's ARN first
//!   appears (line 1 when it has none), because GitHub refuses a result without a physical
//!   location and refuses `arn:` URIs; the ARN itself is the logical location.
//! - `partialFingerprints` hash rule id, account, region, resource and reason code, not the
//!   message, so an alert keeps its history across runs and closes when fixed.
//! - Could-not-verify results, rule errors, packs that failed to load and failed AWS calls go
//!   to `invocations[0].toolExecutionNotifications`; the invocation fails if any rule errored.

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif,
    Tool, ToolComponent,
};
use sha2::{Digest, Sha256};
use trailwarden_sdk::{Finding, Resource};

use super::CheckReport;

/// The SARIF schema URI written into every file.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders the report as SARIF 2.1.0 JSON with a trailing newline.
pub fn render(report: &CheckReport) -> anyhow::Result<String> {
    let rules: Vec<ReportingDescriptor> =
        report.rules.iter().map(|r| descriptor(&r.meta)).collect();
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|finding| result(report, finding))
        .collect();
    let driver = ToolComponent::builder()
        .name("trailwarden")
        .version(report.tool_version)
        .semantic_version(report.tool_version)
        .information_uri("https://github.com/trailwarden/trailwarden")
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation(report)])
        .automation_details(
            RunAutomationDetails::builder()
                .id(format!("trailwarden/{}/", report.account.id))
                .build(),
        )
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&sarif)?;
    text.push('\n');
    Ok(text)
}

fn descriptor(meta: &trailwarden_sdk::RuleMeta) -> ReportingDescriptor {
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
    let mut tags = meta.tags.clone();
    tags.push("security".to_owned());
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

fn result_level(level: trailwarden_sdk::Level) -> ResultLevel {
    match level {
        trailwarden_sdk::Level::Error => ResultLevel::Error,
        trailwarden_sdk::Level::Warning => ResultLevel::Warning,
        trailwarden_sdk::Level::Note => ResultLevel::Note,
    }
}

fn text(value: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(value).build()
}

fn result(report: &CheckReport, finding: &Finding) -> SarifResult {
    let rule_index = report
        .rules
        .iter()
        .position(|r| r.meta.id == finding.rule_id)
        .and_then(|i| i64::try_from(i).ok())
        .unwrap_or(-1);
    let primary = location(report, finding.resource.as_ref(), None);
    let related: Vec<Location> = finding
        .related
        .iter()
        .enumerate()
        .map(|(i, resource)| {
            let mut loc = location(report, Some(resource), resource.role.as_deref());
            loc.id = i64::try_from(i + 1).ok();
            loc
        })
        .collect();
    let mut properties = BTreeMap::new();
    properties.insert("reason".to_owned(), json!(finding.reason));
    if let Some(account) = &finding.account {
        properties.insert("account".to_owned(), json!(account));
    }
    if let Some(region) = &finding.region {
        properties.insert("region".to_owned(), json!(region));
    }
    for (key, value) in &finding.properties {
        properties.insert(key.clone(), value.clone());
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(
        "primaryLocationLineHash".to_owned(),
        format!("{}:1", fingerprint(report, finding)),
    );
    let builder = SarifResult::builder()
        .rule_id(finding.rule_id.clone())
        .rule_index(rule_index)
        .level(result_level(report.level_of(finding)))
        .message(Message::builder().text(finding.message.clone()).build())
        .locations(vec![primary])
        .partial_fingerprints(fingerprints)
        .properties(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        );
    if related.is_empty() {
        builder.build()
    } else {
        builder.related_locations(related).build()
    }
}

/// A location GitHub can show (the snapshot file and line) plus the ARN as logical location.
fn location(report: &CheckReport, resource: Option<&Resource>, role: Option<&str>) -> Location {
    let line = resource
        .and_then(|r| report.snapshot.line_of(&r.arn))
        .unwrap_or(1);
    let physical = PhysicalLocation::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(report.snapshot.artifact_uri.clone())
                .build(),
        )
        .region(
            Region::builder()
                .start_line(i64::try_from(line).unwrap_or(1))
                .build(),
        )
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

/// Stable across runs for the same problem: rule, account, region, resource, reason.
fn fingerprint(report: &CheckReport, finding: &Finding) -> String {
    let mut hasher = Sha256::new();
    for part in [
        finding.rule_id.as_str(),
        finding.account.as_deref().unwrap_or(&report.account.id),
        finding.region.as_deref().unwrap_or(""),
        finding.resource.as_ref().map_or("", |r| r.arn.as_str()),
        finding.reason.as_str(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn invocation(report: &CheckReport) -> Invocation {
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
