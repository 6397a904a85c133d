//! Rule and pack metadata: everything a host shows without reading the rule's code.
//!
//! Metadata travels inside the `.wasm` (returned by the pack's `metadata` export), so a user's
//! pack explains itself exactly as the built-in ones do. A [`RuleMeta`] maps one-to-one onto a
//! SARIF `reportingDescriptor`.

use serde::{Deserialize, Serialize};

use crate::finding::Level;

/// Everything known about one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleMeta {
    /// Stable id, `TW-<AREA>-NNN` for built-ins; never reused.
    pub id: String,
    /// Kebab-case name, e.g. `multi-region-trail`.
    pub name: String,
    /// The first sentence of the rule's documentation.
    pub short_description: String,
    /// The first paragraph of the rule's documentation.
    pub full_description: String,
    /// The whole documentation (markdown): what it checks, why, examples, how to fix.
    pub help_markdown: String,
    /// A page with more help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// The level findings get unless they override it.
    pub level: Level,
    /// SARIF `security-severity`, 0.0–10.0, which GitHub turns into critical/high/medium/low.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_severity: Option<f64>,
    /// SARIF precision: `very-high`, `high`, `medium`, `low`.
    pub precision: String,
    /// Free tags (`kms`, `cis`, `cloudtrail`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the rule comes from in other catalogues.
    #[serde(default)]
    pub mappings: Mappings,
    /// Snapshot sections the rule reads, so that collection can skip the rest.
    #[serde(default)]
    pub needs: Vec<String>,
    /// The rule's settings, documented.
    #[serde(default)]
    pub settings: Vec<SettingMeta>,
}

/// A rule's place in other catalogues.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mappings {
    /// CIS AWS Foundations controls: the benchmark version, the control number and its title,
    /// e.g. `v4.0.1 4.7 Ensure disabling or scheduled deletion of customer created CMKs is
    /// monitored` (the title may be absent in older packs). [`cis_reference`] gives the short
    /// form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
    /// AWS Security Hub control ids, e.g. `CloudWatch.7`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_hub: Vec<String>,
    /// MITRE ATT&CK technique ids, e.g. `T1485`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitre_attack: Vec<String>,
}

/// One documented setting of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingMeta {
    /// The key, as written in configuration.
    pub name: String,
    /// A type name for humans: `bool`, `integer`, `list of strings`.
    #[serde(rename = "type")]
    pub value_type: String,
    /// The default, as JSON.
    pub default: serde_json::Value,
    /// What it changes.
    pub description: String,
}

/// Metadata of a whole pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackMeta {
    /// Pack name (the crate name).
    pub name: String,
    /// Pack version (the crate version).
    pub version: String,
    /// The `trailwarden-sdk` version the pack was built with.
    pub sdk_version: String,
    /// The ABI major version the pack speaks.
    pub abi_major: u32,
    /// The ABI minor version the pack speaks.
    pub abi_minor: u32,
    /// The snapshot schema version the pack reads.
    pub snapshot_schema: u32,
    /// The rules.
    pub rules: Vec<RuleMeta>,
}

/// Splits a rule's doc comment into the short and full descriptions.
///
/// The short description is the first sentence (up to the first `. ` or the end of the first
/// paragraph), as clippy and ruff do; the full description is the first paragraph.
pub fn describe(doc: &str) -> (String, String) {
    let first_paragraph: String = doc
        .trim()
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let short = match first_paragraph.find(". ") {
        Some(end) => first_paragraph[..=end].trim().to_owned(),
        None => first_paragraph.clone(),
    };
    (short, first_paragraph)
}

/// Joins the lines of a doc comment as rustdoc does: each `///` line loses one leading space.
pub fn doc_lines_to_markdown(lines: &[&str]) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out.trim().to_owned()
}

/// The version and number of a CIS mapping entry (`v1.4.0 4.7`), without its title, for lists
/// where the whole title would not fit.
///
/// ```
/// use trailwarden_sdk::meta::cis_reference;
/// assert_eq!(cis_reference("v4.0.1 4.7 Ensure disabling … is monitored"), "v4.0.1 4.7");
/// assert_eq!(cis_reference("v1.4.0 4.7"), "v1.4.0 4.7");
/// ```
pub fn cis_reference(entry: &str) -> &str {
    let entry = entry.trim();
    let mut spaces = entry.match_indices(' ').map(|(i, _)| i);
    match (spaces.next(), spaces.next()) {
        (Some(_), Some(second)) => &entry[..second],
        _ => entry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_description_is_first_sentence() {
        let (short, full) = describe(
            "Checks that a trail logs everything. It must be multi-region.\n\n## What it checks\nmore",
        );
        assert_eq!(short, "Checks that a trail logs everything.");
        assert_eq!(
            full,
            "Checks that a trail logs everything. It must be multi-region."
        );
    }

    #[test]
    fn doc_lines_lose_one_space() {
        assert_eq!(doc_lines_to_markdown(&[" a", "  b", ""]), "a\n b");
    }
}
