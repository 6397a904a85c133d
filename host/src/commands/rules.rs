//! `trailwarden rules list` and `rules explain`: the packs' own metadata, shown; `rules new` and
//! `rules test` live in [`crate::commands::rules_new`] and [`crate::commands::rules_test`].

use std::fmt::Write;

use anyhow::bail;
use serde_json::json;

use crate::Outcome;
use crate::cli::{ListFormat, RulesCommand};
use crate::engine::sanitize_line as clean;
use crate::{packs, tool_rules};

/// The widest the rule id column of `rules list` gets; longer ids overflow their column.
const MAX_ID_WIDTH: usize = 40;

/// Runs a `rules` subcommand.
pub fn run(command: &RulesCommand) -> anyhow::Result<Outcome> {
    match command {
        RulesCommand::Precompile { packs } => crate::commands::precompile::run(packs),
        RulesCommand::New(args) => crate::commands::rules_new::run(args),
        RulesCommand::Test(args) => crate::commands::rules_test::run(args),
        RulesCommand::List { format, packs } => {
            let set = packs::load(packs)?;
            let mut rows: Vec<_> = set
                .packs
                .iter()
                .flat_map(|pack| pack.meta.rules.iter().map(move |rule| (pack, rule)))
                .collect();
            rows.sort_by(|a, b| a.1.id.cmp(&b.1.id));
            let out = match format {
                ListFormat::Json => {
                    let list: Vec<_> = rows
                        .iter()
                        .map(|(pack, rule)| {
                            json!({
                                "id": rule.id, "name": rule.name, "level": rule.level,
                                "pack": pack.meta.name, "packVersion": pack.meta.version,
                                "sdkVersion": pack.meta.sdk_version,
                                "origin": pack.origin.to_string(),
                                "shortDescription": rule.short_description,
                                "mappings": rule.mappings,
                            })
                        })
                        .collect();
                    serde_json::to_string_pretty(&list)? + "\n"
                }
                ListFormat::Text => {
                    let mut out = String::new();
                    // Capped: a pack's ids set the column, and a long one must not set it to
                    // kilobytes (or past what `format!` accepts as a width).
                    let id_width = rows
                        .iter()
                        .map(|(_, r)| r.id.chars().count())
                        .max()
                        .unwrap_or(0)
                        .min(MAX_ID_WIDTH);
                    for (pack, rule) in &rows {
                        let mut mappings: Vec<String> = rule
                            .mappings
                            .cis
                            .iter()
                            .map(|c| format!("CIS {}", trailwarden_sdk::meta::cis_reference(c)))
                            .collect();
                        mappings.extend(rule.mappings.security_hub.iter().cloned());
                        mappings.extend(rule.mappings.mitre_attack.iter().cloned());
                        let source = if pack.is_file() {
                            pack.describe()
                        } else {
                            clean(&pack.meta.name)
                        };
                        let mappings = if mappings.is_empty() {
                            String::new()
                        } else {
                            format!("; {}", clean(&mappings.join(", ")))
                        };
                        let _ = writeln!(
                            out,
                            "{:<id_width$} {:<8} {:<30} {}  [{source}{mappings}]",
                            clean(&rule.id),
                            rule.level.as_str(),
                            clean(&rule.name),
                            clean(&rule.short_description),
                        );
                    }
                    for (origin, message) in &set.failed {
                        let _ = writeln!(
                            out,
                            "pack {} did not load: {}",
                            clean(origin),
                            clean(message)
                        );
                    }
                    // A section of its own, so the packs' lines read as they always have.
                    let _ = writeln!(out, "\ntrailwarden's own rules, about the run itself:");
                    let id_width = tool_rules::IDS.map(str::len).into_iter().max().unwrap_or(0);
                    for rule in tool_rules::IDS.iter().filter_map(|id| tool_rules::meta(id)) {
                        let _ = writeln!(
                            out,
                            "{:<id_width$} {:<8} {:<30} {}  [{}]",
                            rule.id,
                            rule.level.as_str(),
                            rule.name,
                            rule.short_description,
                            tool_rules::SOURCE,
                        );
                    }
                    out
                }
            };
            crate::write_stdout(out)?;
            Ok(if set.failed.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Incomplete
            })
        }
        RulesCommand::Explain { id, format, packs } => {
            let set = packs::load(packs)?;
            let found = set.packs.iter().find_map(|pack| {
                let rule = pack.meta.rules.iter().find(|r| r.id == *id)?;
                Some((Source::of(pack), rule.clone()))
            });
            let Some((source, rule)) =
                found.or_else(|| tool_rules::meta(id).map(|rule| (Source::trailwarden(), rule)))
            else {
                let known: Vec<&str> = set
                    .packs
                    .iter()
                    .flat_map(|p| p.meta.rules.iter().map(|r| r.id.as_str()))
                    .chain(tool_rules::IDS)
                    .collect();
                bail!(
                    "no rule {}; known rules: {}",
                    clean(id),
                    clean(&known.join(", "))
                );
            };
            let out = match format {
                ListFormat::Json => {
                    let mut value = serde_json::to_value(&rule)?;
                    if let Some(object) = value.as_object_mut() {
                        object.insert("pack".to_owned(), json!(source.name));
                        object.insert("packVersion".to_owned(), json!(source.version));
                        object.insert("sdkVersion".to_owned(), json!(source.sdk_version));
                        object.insert("origin".to_owned(), json!(source.origin));
                    }
                    serde_json::to_string_pretty(&value)? + "\n"
                }
                ListFormat::Text => explain_text(&source, &rule),
            };
            crate::write_stdout(out)?;
            Ok(Outcome::Pass)
        }
    }
}

/// Where an explained rule comes from: a pack, or trailwarden itself for its `TW-TOOL-*` rules.
struct Source {
    name: String,
    version: String,
    origin: String,
    sdk_version: String,
}

impl Source {
    fn of(pack: &crate::engine::LoadedPack) -> Self {
        Self {
            name: pack.meta.name.clone(),
            version: pack.meta.version.clone(),
            origin: pack.origin.to_string(),
            sdk_version: pack.meta.sdk_version.clone(),
        }
    }

    fn trailwarden() -> Self {
        Self {
            name: tool_rules::SOURCE.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            origin: "built into trailwarden".to_owned(),
            sdk_version: trailwarden_sdk::SDK_VERSION.to_owned(),
        }
    }
}

fn explain_text(source: &Source, rule: &trailwarden_sdk::RuleMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", clean(&rule.id), clean(&rule.name));
    let _ = writeln!(
        out,
        "pack: {} {} ({}, sdk {})",
        clean(&source.name),
        clean(&source.version),
        source.origin,
        clean(&source.sdk_version)
    );
    let _ = writeln!(out, "level: {}", rule.level);
    if let Some(severity) = rule.security_severity {
        let _ = writeln!(out, "security-severity: {severity:.1}");
    }
    let _ = writeln!(out, "precision: {}", clean(&rule.precision));
    // One CIS control per line: each carries its version's title.
    for cis in &rule.mappings.cis {
        let _ = writeln!(out, "CIS: {}", clean(cis));
    }
    for (label, list) in [
        ("Security Hub", &rule.mappings.security_hub),
        ("MITRE ATT&CK", &rule.mappings.mitre_attack),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "{label}: {}", clean(&list.join(", ")));
        }
    }
    if !rule.needs.is_empty() {
        let _ = writeln!(out, "reads: {}", clean(&rule.needs.join(", ")));
    }
    out.push('\n');
    for line in rule.help_markdown.lines() {
        let _ = writeln!(out, "{}", clean(line));
    }
    if !rule.settings.is_empty() {
        let _ = writeln!(out, "\n## Settings table\n");
        let _ = writeln!(
            out,
            "| setting | type | default | description |\n|---|---|---|---|"
        );
        for setting in &rule.settings {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                clean(&setting.name),
                clean(&setting.value_type),
                setting.default,
                clean(&setting.description)
            );
        }
    }
    out
}
