//! `.trailwarden.toml`: what a repository wants checked, in a file that lives next to its CI.
//!
//! Found in the working directory, or named with `--config`. Every table rejects unknown keys,
//! so a misspelt `fail-on` is an error naming the key and the line, not a silent default.
//! Paths in the file are relative to the file's own directory, so the same file works from any
//! working directory.
//!
//! ```toml
//! fail_on = "error"                 # error | warning | note | none
//! allow_partial = false             # exit 0/1 even when some AWS calls failed
//! regions = ["us-east-1", "eu-west-1"]
//! rule_dirs = ["packs"]             # extra .wasm packs
//!
//! [rules]
//! enable = ["TW-KMS-*", "TW-CT-*"]  # ids or globs; default: every rule
//! disable = ["TW-KMS-003"]
//!
//! [settings.TW-KMS-001]
//! strict_cis = true
//!
//! [[suppress]]
//! rule = "TW-KMS-003"
//! region = "ap-southeast-2"
//! reason = "Decrypt volume there is watched by the platform team's Datadog monitor"
//! expires = "2027-03-31"
//!
//! [[locations]]
//! rule = "TW-KMS-*"
//! file = "infra/kms-monitoring.tf"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::FailOn;
use crate::glob::glob_match;

/// The file looked for in the working directory when `--config` is not given.
pub const DEFAULT_FILE: &str = ".trailwarden.toml";

/// A parsed and checked configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The gate threshold; `--fail-on` wins over it.
    #[serde(default)]
    pub fail_on: Option<FailOn>,
    /// Gate on findings even when some AWS calls failed; `--allow-partial` also sets it.
    #[serde(default)]
    pub allow_partial: bool,
    /// The regions to collect; `--regions` wins over it.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Extra directories of `.wasm` packs, relative to the file.
    #[serde(default)]
    pub rule_dirs: Vec<PathBuf>,
    /// Which rules run.
    #[serde(default)]
    pub rules: RuleSelection,
    /// Settings per rule id, as the rule documents them (`rules explain ID`).
    #[serde(default)]
    pub settings: BTreeMap<String, toml::Table>,
    /// Where each `[settings.ID]` table and its keys are written, so that a settings error
    /// names the line and column as a compiler would (filled by [`parse`]).
    #[serde(skip)]
    pub settings_positions: BTreeMap<String, TablePositions>,
    /// Findings that are accepted, with a reason and optionally an expiry.
    #[serde(default)]
    pub suppress: Vec<Suppression>,
    /// Where SARIF results point instead of the virtual `aws/...` path.
    #[serde(default)]
    pub locations: Vec<LocationMapping>,
}

/// `[rules]`: ids or `*` globs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSelection {
    /// Run only rules matching one of these (default: all).
    #[serde(default)]
    pub enable: Vec<String>,
    /// Never run rules matching one of these.
    #[serde(default)]
    pub disable: Vec<String>,
}

/// `[[suppress]]`: an accepted finding.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// The rule id, or a `*` glob.
    pub rule: String,
    /// Why it is accepted; shown in SARIF as the justification. Required.
    pub reason: String,
    /// Only findings about this region.
    #[serde(default)]
    pub region: Option<String>,
    /// Only findings whose resource ARN matches (a `*` glob).
    #[serde(default)]
    pub resource: Option<String>,
    /// `YYYY-MM-DD`: from the next day on, the suppression no longer applies and is itself
    /// reported, so that accepted risks are looked at again.
    #[serde(default)]
    pub expires: Option<toml::value::Datetime>,
}

/// `[[locations]]`: results matching all given keys point at `file`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationMapping {
    /// The rule id, or a `*` glob.
    #[serde(default)]
    pub rule: Option<String>,
    /// The resource's CloudFormation type, e.g. `AWS::CloudWatch::Alarm`.
    #[serde(default)]
    pub resource_type: Option<String>,
    /// The finding's region.
    #[serde(default)]
    pub region: Option<String>,
    /// A repository-relative path, e.g. the IaC that defines the monitoring.
    pub file: String,
    /// The line to point at (default 1).
    #[serde(default)]
    pub line: Option<u32>,
}

/// A place in the configuration file, 1-based like an editor's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text`.
    fn of(text: &str, offset: usize) -> Self {
        let before = text.get(..offset).unwrap_or(text);
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        Self {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where one `[settings.ID]` table is written: the rule id in its header, and each key and
/// its value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TablePositions {
    /// The rule id (in `[settings.ID]`, or in a dotted key).
    pub id: Position,
    /// Each setting's name.
    pub keys: BTreeMap<String, Position>,
    /// Each setting's value.
    pub values: BTreeMap<String, Position>,
}

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("{path} is not a valid trailwarden configuration: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// toml's message, with line and column.
        message: String,
    },
    /// A value makes no sense.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// A configuration and the file it came from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The configuration (default when no file exists).
    pub config: Config,
    /// The file, if one was read.
    pub path: Option<PathBuf>,
}

/// Reads `explicit`, or `.trailwarden.toml` in the working directory if it exists.
///
/// An explicit file that does not exist is an error; a missing default file is not.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let default = PathBuf::from(DEFAULT_FILE);
            if !default.is_file() {
                return Ok(Loaded::default());
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let mut config = parse(&text, &path)?;
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    for dir in &mut config.rule_dirs {
        if dir.is_relative() {
            *dir = base.join(&*dir);
        }
    }
    Ok(Loaded {
        config,
        path: Some(path),
    })
}

/// Parses and checks the text of a configuration file.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    config.settings_positions = settings_positions(text);
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    for (index, rule) in config.suppress.iter().enumerate() {
        if rule.reason.trim().is_empty() {
            return Err(invalid(format!(
                "suppression {} (rule {}) has an empty reason; say why the finding is accepted",
                index + 1,
                rule.rule
            )));
        }
        if let Some(expires) = &rule.expires
            && (expires.date.is_none() || expires.time.is_some())
        {
            return Err(invalid(format!(
                "suppression {} (rule {}) expires `{expires}`; write a date such as 2027-03-31",
                index + 1,
                rule.rule
            )));
        }
    }
    for mapping in &config.locations {
        if mapping.file.is_empty() || mapping.file.starts_with('/') || mapping.file.contains(':') {
            return Err(invalid(format!(
                "location file `{}` must be a repository-relative path such as infra/monitoring.tf",
                mapping.file
            )));
        }
    }
    Ok(config)
}

/// Where each `[settings.ID]` table and its keys are, read with toml's spans from text that
/// has already parsed as a [`Config`] (so this second reading cannot fail in practice; if it
/// did, errors would name the file without a position).
fn settings_positions(text: &str) -> BTreeMap<String, TablePositions> {
    type Spanned<T> = toml::Spanned<T>;
    #[derive(Deserialize)]
    struct Spans {
        #[serde(default)]
        settings: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    }
    let Ok(spans) = toml::from_str::<Spans>(text) else {
        return BTreeMap::new();
    };
    let at = |span: std::ops::Range<usize>| Position::of(text, span.start);
    spans
        .settings
        .into_iter()
        .map(|(id, table)| {
            let mut positions = TablePositions {
                id: at(id.span()),
                ..TablePositions::default()
            };
            for (key, value) in table {
                positions.keys.insert(key.get_ref().clone(), at(key.span()));
                positions.values.insert(key.into_inner(), at(value.span()));
            }
            (id.into_inner(), positions)
        })
        .collect()
}

impl Suppression {
    /// The expiry as `YYYY-MM-DD`, if any.
    pub fn expiry(&self) -> Option<String> {
        self.expires
            .as_ref()
            .and_then(|e| e.date.as_ref())
            .map(ToString::to_string)
    }

    /// Whether the suppression has expired on `today` (`YYYY-MM-DD`): it applies through its
    /// expiry date.
    pub fn is_expired(&self, today: &str) -> bool {
        self.expiry().is_some_and(|expiry| expiry.as_str() < today)
    }

    /// Whether it covers a finding of `rule` in `region` about `resource`.
    pub fn covers(&self, rule: &str, region: Option<&str>, resource: Option<&str>) -> bool {
        glob_match(&self.rule, rule)
            && self
                .region
                .as_deref()
                .is_none_or(|wanted| region == Some(wanted))
            && self
                .resource
                .as_deref()
                .is_none_or(|wanted| resource.is_some_and(|arn| glob_match(wanted, arn)))
    }
}

impl LocationMapping {
    /// Whether a result of `rule` about a resource of `kind` in `region` goes to this file.
    pub fn covers(&self, rule: &str, kind: Option<&str>, region: Option<&str>) -> bool {
        self.rule.as_deref().is_none_or(|p| glob_match(p, rule))
            && self
                .resource_type
                .as_deref()
                .is_none_or(|wanted| kind == Some(wanted))
            && self
                .region
                .as_deref()
                .is_none_or(|wanted| region == Some(wanted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Config, ConfigError> {
        parse(text, Path::new(".trailwarden.toml"))
    }

    #[test]
    fn a_full_file_parses() {
        let config = parse_text(
            r#"
            fail_on = "error"
            regions = ["us-east-1"]
            [rules]
            disable = ["TW-CW-*"]
            [settings.TW-KMS-001]
            strict_cis = true
            [[suppress]]
            rule = "TW-KMS-003"
            reason = "watched elsewhere"
            expires = 2027-03-31
            [[locations]]
            rule = "TW-KMS-*"
            file = "infra/kms.tf"
            line = 12
            "#,
        )
        .unwrap();
        assert_eq!(config.fail_on, Some(FailOn::Error));
        assert_eq!(
            config.settings["TW-KMS-001"]["strict_cis"].as_bool(),
            Some(true)
        );
        assert_eq!(config.suppress[0].expiry().as_deref(), Some("2027-03-31"));
        assert!(!config.suppress[0].is_expired("2027-03-31"));
        assert!(config.suppress[0].is_expired("2027-04-01"));
        assert_eq!(config.locations[0].line, Some(12));
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let error = parse_text("fail-on = \"error\"\n").unwrap_err().to_string();
        assert!(error.contains("unknown field `fail-on`"), "{error}");
        assert!(error.contains("line 1"), "{error}");
        let error = parse_text("[rules]\nonly = [\"x\"]\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `only`"), "{error}");
        let error = parse_text("fail_on = \"sometimes\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("sometimes"), "{error}");
    }

    #[test]
    fn settings_keys_and_values_have_their_line_and_column() {
        let config = parse_text(
            "fail_on = \"error\"\n\n[settings.TW-KMS-003]\noperations = [\"Decript\"]\n  window = 5\n\
             [settings.TW-KMS-001]\nstrict_cis = true\n",
        )
        .unwrap();
        let kms3 = &config.settings_positions["TW-KMS-003"];
        assert_eq!(
            kms3.id,
            Position {
                line: 3,
                column: 11
            }
        );
        assert_eq!(kms3.keys["operations"], Position { line: 4, column: 1 });
        assert_eq!(
            kms3.values["operations"],
            Position {
                line: 4,
                column: 14
            }
        );
        assert_eq!(kms3.keys["window"], Position { line: 5, column: 3 });
        assert_eq!(kms3.values["window"].to_string(), "5:12");
        let kms1 = &config.settings_positions["TW-KMS-001"];
        assert_eq!(kms1.keys["strict_cis"], Position { line: 7, column: 1 });

        let dotted = parse_text("settings.TW-KMS-002.max_failures = \"ten\"\n").unwrap();
        let kms2 = &dotted.settings_positions["TW-KMS-002"];
        assert_eq!(
            kms2.id,
            Position {
                line: 1,
                column: 10
            }
        );
        assert_eq!(
            kms2.keys["max_failures"],
            Position {
                line: 1,
                column: 21
            }
        );
        assert_eq!(
            kms2.values["max_failures"],
            Position {
                line: 1,
                column: 36
            }
        );
    }

    #[test]
    fn suppressions_need_a_reason_and_a_date() {
        let error = parse_text("[[suppress]]\nrule = \"X\"\nreason = \" \"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("empty reason"), "{error}");
        let error = parse_text(
            "[[suppress]]\nrule = \"X\"\nreason = \"r\"\nexpires = 2027-03-31T10:00:00Z\n",
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("write a date"), "{error}");
    }

    #[test]
    fn suppressions_match_rule_region_and_resource() {
        let config = parse_text(
            "[[suppress]]\nrule = \"TW-KMS-*\"\nregion = \"eu-west-1\"\nresource = \"arn:aws:cloudwatch:*:alarm:legacy-*\"\nreason = \"r\"\n",
        )
        .unwrap();
        let s = &config.suppress[0];
        let arn = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:legacy-kms";
        assert!(s.covers("TW-KMS-001", Some("eu-west-1"), Some(arn)));
        assert!(!s.covers("TW-CT-001", Some("eu-west-1"), Some(arn)));
        assert!(!s.covers("TW-KMS-001", Some("us-east-1"), Some(arn)));
        assert!(!s.covers("TW-KMS-001", Some("eu-west-1"), None));
    }

    #[test]
    fn location_files_are_repository_relative() {
        let error = parse_text("[[locations]]\nfile = \"/etc/passwd\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("repository-relative"), "{error}");
    }
}
