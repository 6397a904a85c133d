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
    /// The message names the key: "invalid setting `min_days`: …".
    #[error("{0}")]
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
/// Derive it (`#[derive(Deserialize, RuleSettings)]`, see the [`RuleSettings`](macro@crate::RuleSettings)
/// derive) or implement it for a `serde::Deserialize + Default` struct, and name the type in
/// `#[rule(settings = MySettings)]`. Then the user's settings are checked against it before the
/// rule runs (an unknown key, a value of the wrong type, a value [`RuleSettings::validate`]
/// refuses: each is an error naming the rule and the key), `ctx.settings::<MySettings>()` gives
/// the rule a typed value with defaults filled in, and `rules explain` lists
/// [`RuleSettings::describe`].
///
/// ```
/// use serde::Deserialize;
/// use trailwarden_sdk::prelude::*;
///
/// /// Settings of ACME-LOGS-001.
/// #[derive(Debug, Deserialize, RuleSettings)]
/// #[serde(default, deny_unknown_fields)]
/// #[settings(validate = RetentionSettings::check)]
/// pub struct RetentionSettings {
///     /// The fewest days a trail's log group must keep its events.
///     pub min_days: u32,
/// }
///
/// impl Default for RetentionSettings {
///     fn default() -> Self {
///         Self { min_days: 365 }
///     }
/// }
///
/// impl RetentionSettings {
///     fn check(&self) -> Result<(), String> {
///         if self.min_days == 0 {
///             return Err("`min_days` must be at least 1".to_owned());
///         }
///         Ok(())
///     }
/// }
///
/// let described = RetentionSettings::describe();
/// assert_eq!(described[0].name, "min_days");
/// assert_eq!(described[0].default, serde_json::json!(365));
/// let error = check_settings::<RetentionSettings>(&serde_json::json!({"min_days": "a year"}));
/// assert!(error.unwrap_err().starts_with("invalid setting `min_days`: invalid type"));
/// ```
pub trait RuleSettings: DeserializeOwned + Default {
    /// Documentation of each setting, for `rules explain` and SARIF help.
    fn describe() -> Vec<SettingMeta>;

    /// Checks values that deserialised but make no sense (a negative window, say). Name the
    /// key in the message, in backticks: "`min_days` must be at least 1".
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

/// Why a settings object does not fit a rule's settings type: one problem per key where the
/// key can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// The problems, in key order; never empty.
    pub problems: Vec<SettingProblem>,
}

/// One problem with one setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingProblem {
    /// The key at fault, when it can be told.
    pub key: Option<String>,
    /// What is wrong, as serde or the rule's `validate` put it.
    pub message: String,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            match &problem.key {
                Some(key) => write!(f, "invalid setting `{key}`: {}", problem.message)?,
                None => write!(f, "invalid settings: {}", problem.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for SettingsError {}

impl SettingsError {
    fn whole(message: impl Into<String>) -> Self {
        Self {
            problems: vec![SettingProblem {
                key: None,
                message: message.into(),
            }],
        }
    }
}

/// Checks a JSON settings object against `S`, for the host's load-time validation and for the
/// check the glue makes before each rule runs.
pub fn check_settings<S: RuleSettings>(value: &serde_json::Value) -> Result<(), String> {
    parse_settings::<S>(value)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Parses and validates settings: `null` gives the defaults. On failure every key at fault is
/// named, since serde's own message does not say which key had the wrong type.
pub fn parse_settings<S: RuleSettings>(value: &serde_json::Value) -> Result<S, SettingsError> {
    let settings = if value.is_null() {
        S::default()
    } else {
        S::deserialize(value).map_err(|error| blame_keys::<S>(value, &error))?
    };
    settings.validate().map_err(SettingsError::whole)?;
    Ok(settings)
}

/// Finds the keys that make `value` fail to deserialise as `S`, by trying each key on its own.
/// A key alone may lack a required sibling ("missing field"); that says nothing about the key.
fn blame_keys<S: RuleSettings>(
    value: &serde_json::Value,
    error: &serde_json::Error,
) -> SettingsError {
    let Some(object) = value.as_object() else {
        return SettingsError::whole(format!(
            "settings must be a table of keys and values, not {}",
            json_kind(value)
        ));
    };
    let problems: Vec<SettingProblem> = object
        .iter()
        .filter_map(|(key, item)| {
            let alone =
                serde_json::Value::Object(std::iter::once((key.clone(), item.clone())).collect());
            let message = S::deserialize(&alone).err()?.to_string();
            (!message.starts_with("missing field")).then(|| SettingProblem {
                key: Some(key.clone()),
                message: message.clone(),
            })
        })
        .collect();
    if problems.is_empty() {
        SettingsError::whole(error.to_string())
    } else {
        SettingsError { problems }
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a table",
    }
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
    ///
    /// The glue has already checked them against the rule's settings type before the rule
    /// ran, so with that type this only fails if the rule asks for another one.
    pub fn settings<S: RuleSettings>(&self) -> Result<S, RuleError> {
        parse_settings(&self.settings).map_err(|e| RuleError::Settings(e.to_string()))
    }

    /// The settings as given (JSON `null` when none were).
    pub fn raw_settings(&self) -> &serde_json::Value {
        &self.settings
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
    /// Snapshot sections read; the macro writes them from `needs = [...]`, so an unknown
    /// name does not compile.
    pub needs: &'static [crate::sections::SectionName],
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
            needs: spec.needs.iter().map(|s| s.name().to_owned()).collect(),
            settings: (self.describe_settings)(),
        }
    }

    /// Runs the rule natively as the wasm glue does: the settings are checked against the
    /// rule's settings type first, and each finding is stamped with the rule's id.
    pub fn run(&self, snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
        (self.check_settings)(ctx.raw_settings()).map_err(RuleError::Settings)?;
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

    /// Runs one rule natively on a snapshot with settings, as a test would, and as `check`
    /// would: every section the rule's `needs` does not declare is withheld, so a rule that
    /// reads more than it declares reports "could not verify" here too.
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
        let ctx = Ctx::new(id).with_settings(settings);
        // The attribute's typed `needs`, as the plan reads them: none declared means every
        // section, and then nothing is withheld and the snapshot need not be copied.
        let sections: crate::sections::SectionSet = rule.spec.needs.iter().copied().collect();
        if sections.is_empty() || sections == crate::sections::SectionSet::all() {
            return rule.run(snapshot, &ctx);
        }
        rule.run(&snapshot.withholding(sections), &ctx)
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
