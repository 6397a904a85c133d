//! The rule contract: an ordinary function from a snapshot and a context to findings.
//!
//! `#[rule(...)]` attaches metadata to such a function and leaves it callable, so the same
//! function runs natively in `cargo test` and inside the wasm sandbox. `export_rules!` gathers
//! the rules of a crate into a [`Pack`].

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::finding::{Finding, Level};
use crate::meta::{Mappings, PackMeta, RuleMeta, SettingMeta, describe};
use crate::snapshot::Snapshot;

/// The signature every rule has.
pub type RuleFn = fn(&Snapshot, &Ctx) -> Result<Vec<Finding>, RuleError>;

/// Why a rule could not produce a verdict. It becomes an error for this rule alone.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// A setting has the wrong type or an invalid value.
    #[error("invalid setting: {0}")]
    Settings(String),
    /// The rule met data it cannot handle.
    #[error("{0}")]
    Failed(String),
}

impl RuleError {
    /// A rule failure with a message.
    pub fn msg(message: impl Into<String>) -> Self {
        RuleError::Failed(message.into())
    }
}

/// A rule's typed settings.
///
/// Implement it for a `serde::Deserialize + Default` struct and name the type in
/// `#[rule(settings = MySettings)]`: the host checks user settings against it before anything
/// is collected, and `rules explain` lists [`RuleSettings::describe`].
pub trait RuleSettings: DeserializeOwned + Default {
    /// Documentation of each setting, for `rules explain` and SARIF help.
    fn describe() -> Vec<SettingMeta>;

    /// Checks values that deserialised but make no sense (a negative window, say).
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Settings of a rule that has none; any key given is an error.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoSettings {}

impl RuleSettings for NoSettings {
    fn describe() -> Vec<SettingMeta> {
        Vec::new()
    }
}

/// Checks a JSON settings object against `S`, for the host's load-time validation.
pub fn check_settings<S: RuleSettings>(value: &serde_json::Value) -> Result<(), String> {
    let settings: S = parse_settings(value)?;
    settings.validate()
}

fn parse_settings<S: RuleSettings>(value: &serde_json::Value) -> Result<S, String> {
    if value.is_null() {
        return Ok(S::default());
    }
    S::deserialize(value).map_err(|e| e.to_string())
}

/// What a rule knows about the run besides the snapshot.
#[derive(Debug)]
pub struct Ctx {
    rule_id: String,
    settings: serde_json::Value,
    now: Option<String>,
    logs: RefCell<Vec<String>>,
}

/// How many log lines a rule may keep; the rest are counted, not stored.
pub const MAX_LOG_LINES: usize = 100;

impl Ctx {
    /// A context for `rule_id` with no settings, as a test would use.
    pub fn new(rule_id: impl Into<String>) -> Self {
        Self {
            rule_id: rule_id.into(),
            settings: serde_json::Value::Null,
            now: None,
            logs: RefCell::new(Vec::new()),
        }
    }

    /// The same context with these settings (a JSON object).
    pub fn with_settings(mut self, settings: serde_json::Value) -> Self {
        self.settings = settings;
        self
    }

    /// The same context with the run's time (RFC 3339), for rules about windows and expiry.
    pub fn with_now(mut self, now: impl Into<String>) -> Self {
        self.now = Some(now.into());
        self
    }

    /// The id of the running rule.
    pub fn rule_id(&self) -> &str {
        &self.rule_id
    }

    /// The run's time (RFC 3339) as the host gave it; wasm rules have no clock of their own.
    pub fn now(&self) -> Option<&str> {
        self.now.as_deref()
    }

    /// The rule's settings, typed; defaults where the user set nothing.
    pub fn settings<S: RuleSettings>(&self) -> Result<S, RuleError> {
        let settings: S = parse_settings(&self.settings).map_err(RuleError::Settings)?;
        settings.validate().map_err(RuleError::Settings)?;
        Ok(settings)
    }

    /// Records a debug line, shown by the host with `-v`. At most [`MAX_LOG_LINES`] are kept.
    pub fn log(&self, line: impl Into<String>) {
        let mut logs = self.logs.borrow_mut();
        if logs.len() < MAX_LOG_LINES {
            logs.push(line.into());
        }
    }

    /// Takes the recorded log lines.
    pub fn take_logs(&self) -> Vec<String> {
        std::mem::take(&mut self.logs.borrow_mut())
    }
}

/// The metadata a `#[rule]` attribute writes, before the doc comment is split.
#[derive(Debug, Clone, Copy)]
pub struct RuleSpec {
    /// Rule id.
    pub id: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    /// The doc comment, as markdown.
    pub doc: &'static str,
    /// `error`, `warning` or `note`.
    pub level: Level,
    /// SARIF security-severity.
    pub security_severity: Option<f64>,
    /// SARIF precision.
    pub precision: &'static str,
    /// Help URI.
    pub help_uri: Option<&'static str>,
    /// Tags.
    pub tags: &'static [&'static str],
    /// CIS mappings.
    pub cis: &'static [&'static str],
    /// Security Hub mappings.
    pub security_hub: &'static [&'static str],
    /// MITRE ATT&CK mappings.
    pub mitre_attack: &'static [&'static str],
    /// Snapshot sections read.
    pub needs: &'static [&'static str],
}

/// A rule: its metadata, its function and its settings check.
#[derive(Clone)]
pub struct RuleDef {
    /// The metadata from the attribute.
    pub spec: RuleSpec,
    /// The rule itself.
    pub run: RuleFn,
    /// Validates a settings object.
    pub check_settings: fn(&serde_json::Value) -> Result<(), String>,
    /// Documents the settings.
    pub describe_settings: fn() -> Vec<SettingMeta>,
}

impl std::fmt::Debug for RuleDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleDef")
            .field("id", &self.spec.id)
            .finish()
    }
}

impl RuleDef {
    /// The full metadata record.
    pub fn meta(&self) -> RuleMeta {
        let spec = &self.spec;
        let (short_description, full_description) = describe(spec.doc);
        let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        RuleMeta {
            id: spec.id.to_owned(),
            name: spec.name.to_owned(),
            short_description,
            full_description,
            help_markdown: spec.doc.to_owned(),
            help_uri: spec.help_uri.map(str::to_owned),
            level: spec.level,
            security_severity: spec.security_severity,
            precision: spec.precision.to_owned(),
            tags: strings(spec.tags),
            mappings: Mappings {
                cis: strings(spec.cis),
                security_hub: strings(spec.security_hub),
                mitre_attack: strings(spec.mitre_attack),
            },
            needs: strings(spec.needs),
            settings: (self.describe_settings)(),
        }
    }

    /// Runs the rule natively, stamping its id on each finding, as the wasm glue does.
    pub fn run(&self, snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
        let mut findings = (self.run)(snapshot, ctx)?;
        for finding in &mut findings {
            finding.rule_id = self.spec.id.to_owned();
        }
        Ok(findings)
    }
}

/// The rules one crate exports, as `export_rules!` builds them.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Pack name.
    pub name: &'static str,
    /// Pack version.
    pub version: &'static str,
    /// The rules, in declaration order.
    pub rules: Vec<RuleDef>,
}

impl Pack {
    /// The pack's metadata, as the `metadata` export returns it.
    pub fn meta(&self) -> PackMeta {
        PackMeta {
            name: self.name.to_owned(),
            version: self.version.to_owned(),
            sdk_version: crate::SDK_VERSION.to_owned(),
            abi_major: crate::abi::ABI_MAJOR,
            abi_minor: crate::abi::ABI_MINOR,
            snapshot_schema: crate::snapshot::SCHEMA_VERSION,
            rules: self.rules.iter().map(RuleDef::meta).collect(),
        }
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&RuleDef> {
        self.rules.iter().find(|rule| rule.spec.id == id)
    }

    /// Runs one rule natively on a snapshot with settings, as a test would.
    ///
    /// # Panics
    /// Panics when the pack has no rule `id`: that is a mistake in the test itself.
    pub fn run_rule(
        &self,
        id: &str,
        snapshot: &Snapshot,
        settings: serde_json::Value,
    ) -> Result<Vec<Finding>, RuleError> {
        let rule = self
            .rule(id)
            .unwrap_or_else(|| panic!("pack {} has no rule {id}", self.name));
        rule.run(snapshot, &Ctx::new(id).with_settings(settings))
    }

    /// Settings per rule id, validated; the errors name the rule.
    pub fn check_settings(&self, settings: &BTreeMap<String, serde_json::Value>) -> Vec<String> {
        settings
            .iter()
            .filter_map(|(id, value)| {
                let rule = self.rule(id)?;
                (rule.check_settings)(value)
                    .err()
                    .map(|e| format!("{id}: {e}"))
            })
            .collect()
    }
}
