//! Rule settings from `.trailwarden.toml` (`[settings.ID]` tables) and from `--settings FILE`
//! (JSON), checked the same way whichever they come from, before any data is read.
//!
//! Every problem is reported at once, each naming where it is written, as a compiler would:
//! `.trailwarden.toml:7:14: [settings.TW-KMS-003] invalid setting `operations`: ...` (file,
//! line and column of the key or value at fault), or the JSON file's name (serde_json gives no
//! positions for values, only for syntax errors, which are reported with theirs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::config::{self, Loaded, TablePositions};
use crate::engine::{self, sanitize_line};
use crate::packs::PackSet;

/// Settings per rule id, as the rules receive them.
pub type Values = BTreeMap<String, serde_json::Value>;

/// Settings per rule id, each with the place it was written, so that an error can point there.
#[derive(Debug, Clone, Default)]
pub struct RuleSettings {
    values: Values,
    origins: BTreeMap<String, Origin>,
}

/// Where one rule's settings were written.
#[derive(Debug, Clone)]
enum Origin {
    /// A `[settings.ID]` table of the configuration, with its positions when known.
    Config {
        path: PathBuf,
        positions: Option<TablePositions>,
    },
    /// An entry of a `--settings` JSON file.
    File(PathBuf),
}

/// What in a rule's settings a problem is about, to point at the right place.
enum Part<'a> {
    /// The rule's table as a whole: its id.
    Table,
    /// A setting's name (it is unknown).
    Key(&'a str),
    /// A setting's value (it does not fit).
    Value(&'a str),
}

impl Origin {
    /// `file:line:column` of `part`, or the file alone when no position is known.
    fn at(&self, part: &Part<'_>) -> String {
        match self {
            Origin::File(path) => path.display().to_string(),
            Origin::Config { path, positions } => {
                let position = positions.as_ref().and_then(|p| match part {
                    Part::Table => Some(p.id),
                    Part::Key(key) => p.keys.get(*key).copied(),
                    Part::Value(key) => p.values.get(*key).or(p.keys.get(*key)).copied(),
                });
                match position {
                    Some(position) => format!("{}:{position}", path.display()),
                    None => path.display().to_string(),
                }
            }
        }
    }
}

impl RuleSettings {
    /// The configuration's `[settings.ID]` tables, with where each is written.
    pub fn from_config(loaded: &Loaded) -> anyhow::Result<Self> {
        let path = loaded
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(config::DEFAULT_FILE));
        let mut out = Self::default();
        for (id, table) in &loaded.config.settings {
            let value = serde_json::to_value(table)
                .with_context(|| format!("{}: [settings.{id}]", path.display()))?;
            out.values.insert(id.clone(), value);
            let positions = loaded.config.settings_positions.get(id).cloned();
            let origin = Origin::Config {
                path: path.clone(),
                positions,
            };
            out.origins.insert(id.clone(), origin);
        }
        Ok(out)
    }

    /// The settings of `--settings FILE`: a JSON object of rule ids, each with an object of
    /// settings. A syntax error names the file, line and column.
    pub fn from_file(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading settings {}", path.display()))?;
        let values: Values = serde_json::from_str(&text).map_err(|error| {
            let message = error.to_string();
            let suffix = format!(" at line {} column {}", error.line(), error.column());
            anyhow::anyhow!(
                "{}:{}:{}: expected a JSON object of rule ids, each with an object of \
                 settings: {}",
                path.display(),
                error.line(),
                error.column(),
                message.strip_suffix(&suffix).unwrap_or(&message)
            )
        })?;
        let origins = values
            .keys()
            .map(|id| (id.clone(), Origin::File(path.to_path_buf())))
            .collect();
        Ok(Self { values, origins })
    }

    /// Adds `other`'s settings; for a rule in both, `other`'s win whole (`--settings` over the
    /// configuration).
    pub fn extend(&mut self, other: Self) {
        self.values.extend(other.values);
        self.origins.extend(other.origins);
    }

    /// Checks every rule's settings against the loaded packs: a rule id no pack has, a setting
    /// the rule does not document, and (in the sandbox, with the rule's own settings type) a
    /// value that does not fit. Rules that exist but are not selected keep their settings and
    /// are checked too: one configuration serves several jobs, and the job that selects them
    /// should not be the one to discover a typo.
    pub fn check(&self, set: &PackSet) -> anyhow::Result<()> {
        let mut problems = self.name_problems(set);
        let named_well: Values = self
            .values
            .iter()
            .filter(|(id, _)| !problems.iter().any(|(bad, _)| bad == *id))
            .map(|(id, value)| (id.clone(), value.clone()))
            .collect();
        problems.extend(self.value_problems(set, &named_well));
        if problems.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = problems
            .iter()
            .map(|(_, line)| format!("  {line}"))
            .collect();
        bail!(
            "invalid settings, found before reading any data:\n{}",
            list.join("\n")
        )
    }

    /// The settings, for the rules.
    pub fn into_values(self) -> Values {
        self.values
    }

    /// One line for a problem with rule `id`'s settings at `part`.
    fn problem(&self, id: &str, part: &Part<'_>, message: &str) -> (String, String) {
        let at = self
            .origins
            .get(id)
            .map_or_else(|| "settings".to_owned(), |origin| origin.at(part));
        (
            id.to_owned(),
            format!(
                "{at}: [settings.{}] {}",
                sanitize_line(id),
                sanitize_line(message)
            ),
        )
    }

    /// Rule ids no loaded pack has, and settings their rule does not document.
    fn name_problems(&self, set: &PackSet) -> Vec<(String, String)> {
        let rules: Vec<&trailwarden_sdk::RuleMeta> =
            set.packs.iter().flat_map(|p| &p.meta.rules).collect();
        let mut problems = Vec::new();
        for (id, value) in &self.values {
            let Some(rule) = rules.iter().find(|r| &r.id == id) else {
                problems.push(self.problem(
                    id,
                    &Part::Table,
                    "no loaded pack has a rule with that id; `trailwarden rules list` shows \
                     the ids",
                ));
                continue;
            };
            let Some(object) = value.as_object() else {
                problems.push(self.problem(id, &Part::Table, "is not a table of name = value"));
                continue;
            };
            let documented: Vec<&str> = rule.settings.iter().map(|s| s.name.as_str()).collect();
            let hint = if documented.is_empty() {
                "it has no settings".to_owned()
            } else {
                format!("its settings are {}", documented.join(", "))
            };
            for key in object.keys().filter(|k| !documented.contains(&k.as_str())) {
                problems.push(self.problem(
                    id,
                    &Part::Key(key),
                    &format!("sets unknown setting `{key}`; {hint}"),
                ));
            }
        }
        problems
    }

    /// Values the rules' own settings types refuse, found by running each rule given settings
    /// on an empty snapshot in the sandbox (see [`engine::settings_errors`]).
    fn value_problems(&self, set: &PackSet, values: &Values) -> Vec<(String, String)> {
        let jobs = engine::plan(
            &set.packs,
            |_, rule| values.contains_key(&rule.id),
            values,
            None,
        );
        if jobs.is_empty() {
            return Vec::new();
        }
        let mut problems = Vec::new();
        for (id, message) in engine::settings_errors(&set.sandbox, &jobs) {
            let empty = serde_json::Map::new();
            let given = values
                .get(&id)
                .and_then(|v| v.as_object())
                .unwrap_or(&empty);
            for one in split_problems(&message) {
                let part = match blamed_key(one, given) {
                    Some(key) => Part::Value(key),
                    None => Part::Table,
                };
                problems.push(self.problem(&id, &part, one));
            }
        }
        problems
    }
}

/// The problems in one rule's settings error, as the SDK joins them: `invalid setting `a`: ...;
/// invalid setting `b`: ...`.
fn split_problems(message: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = message;
    while let Some(at) = rest.find("; invalid setting") {
        parts.push(&rest[..at]);
        rest = &rest[at + 2..];
    }
    parts.push(rest);
    parts
}

/// The setting a problem is about: the one the SDK names (`invalid setting `KEY`: ...`), or
/// else the first setting given that the message names in backticks (as `validate` messages
/// do: "`min_days` must be at least 1"), or else the first whose value holds a text the
/// message quotes ("`Decript` is not a KMS operation").
fn blamed_key<'a>(
    problem: &str,
    given: &'a serde_json::Map<String, serde_json::Value>,
) -> Option<&'a str> {
    let quoted: Vec<&str> = problem.split('`').skip(1).step_by(2).collect();
    let by_name = quoted
        .iter()
        .find_map(|q| given.keys().find(|key| key.as_str() == *q));
    let by_value = || {
        quoted.iter().find_map(|q| {
            given
                .iter()
                .find(|(_, value)| holds_text(value, q))
                .map(|(key, _)| key)
        })
    };
    by_name.or_else(by_value).map(String::as_str)
}

/// Whether `value` is the string `text`, or an array or table holding it.
fn holds_text(value: &serde_json::Value, text: &str) -> bool {
    match value {
        serde_json::Value::String(s) => s == text,
        serde_json::Value::Array(items) => items.iter().any(|v| holds_text(v, text)),
        serde_json::Value::Object(map) => map.values().any(|v| holds_text(v, text)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_split_where_the_sdk_joins_them() {
        assert_eq!(
            split_problems("invalid setting `a`: x; y; invalid setting `b`: z"),
            ["invalid setting `a`: x; y", "invalid setting `b`: z"]
        );
        assert_eq!(
            split_problems("invalid settings: `days` must be positive"),
            ["invalid settings: `days` must be positive"]
        );
    }

    #[test]
    fn the_blamed_key_is_a_setting_the_message_names_or_quotes_a_value_of() {
        let given = serde_json::json!({"operations": ["Decript"], "window": "a week"});
        let given = given.as_object().expect("object");
        assert_eq!(
            blamed_key("invalid setting `window`: invalid type", given),
            Some("window")
        );
        assert_eq!(
            blamed_key("invalid settings: `Decript` is not a KMS operation", given),
            Some("operations")
        );
        assert_eq!(blamed_key("invalid settings: no good", given), None);
        assert_eq!(
            blamed_key("invalid settings: `other` is wrong", given),
            None
        );
    }

    #[test]
    fn a_config_origin_points_at_the_key_or_the_value() {
        let text = "[settings.TW-KMS-003]\noperations = [\"Decript\"]\n";
        let config = config::parse(text, Path::new("ci/tw.toml")).expect("parses");
        let loaded = Loaded {
            config,
            path: Some(PathBuf::from("ci/tw.toml")),
        };
        let settings = RuleSettings::from_config(&loaded).expect("settings");
        let origin = &settings.origins["TW-KMS-003"];
        assert_eq!(origin.at(&Part::Table), "ci/tw.toml:1:11");
        assert_eq!(origin.at(&Part::Key("operations")), "ci/tw.toml:2:1");
        assert_eq!(origin.at(&Part::Value("operations")), "ci/tw.toml:2:14");
        assert_eq!(
            Origin::File(PathBuf::from("s.json")).at(&Part::Key("x")),
            "s.json"
        );
    }

    #[test]
    fn a_json_syntax_error_names_file_line_and_column() {
        let dir = std::env::temp_dir().join(format!("tw-settings-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("bad.json");
        std::fs::write(
            &path,
            "{\n  \"TW-KMS-003\": {\"operations\": [\"Decrypt\"],}\n}\n",
        )
        .expect("written");
        let error = RuleSettings::from_file(Some(&path))
            .expect_err("trailing comma")
            .to_string();
        assert!(
            error.starts_with(&format!("{}:2:", path.display())),
            "{error}"
        );
        assert!(
            error.contains("expected a JSON object of rule ids"),
            "{error}"
        );
        assert!(!error.contains(" at line "), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
