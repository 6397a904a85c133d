//! `--baseline OLD.sarif`: gate only on what is new since a previous run.
//!
//! Findings are matched by the fingerprint trailwarden writes to
//! `partialFingerprints.primaryLocationLineHash` (rule, account, region, resource and reason),
//! the same key GitHub uses to follow an alert, so "new" here means what GitHub would open as
//! a new alert. A baseline that is not trailwarden SARIF is an error, never an empty baseline
//! that would silently let everything through as new (or nothing as fixed).

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, bail};

/// The fingerprints of a previous run's results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    /// The file, for messages.
    pub path: String,
    /// `primaryLocationLineHash` of every result (suppressed ones included: they were known).
    pub fingerprints: BTreeSet<String>,
}

/// Reads a SARIF file written by trailwarden.
pub fn load(path: &Path) -> anyhow::Result<Baseline> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading baseline {}", path.display()))?;
    parse(&text, &path.display().to_string())
}

/// Parses the text of a SARIF baseline.
pub fn parse(text: &str, path: &str) -> anyhow::Result<Baseline> {
    let sarif: serde_json::Value = serde_json::from_str(text).with_context(|| {
        format!(
            "baseline {path} is not JSON; pass a SARIF file from `trailwarden check --format sarif`"
        )
    })?;
    let Some(runs) = sarif.get("runs").and_then(|r| r.as_array()) else {
        bail!(
            "baseline {path} is not SARIF (no `runs`); pass a file from `trailwarden check --format sarif`"
        );
    };
    let mut fingerprints = BTreeSet::new();
    for run in runs {
        let tool = run
            .pointer("/tool/driver/name")
            .and_then(|n| n.as_str())
            .unwrap_or_default();
        if tool != "trailwarden" {
            bail!(
                "baseline {path} was written by `{tool}`, not trailwarden; its fingerprints cannot be compared"
            );
        }
        for result in run
            .get("results")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(hash) = result
                .pointer("/partialFingerprints/primaryLocationLineHash")
                .and_then(|h| h.as_str())
            {
                fingerprints.insert(hash.to_owned());
            }
        }
    }
    Ok(Baseline {
        path: path.to_owned(),
        fingerprints,
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn fingerprints_are_read_from_trailwarden_runs() {
        let text = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "trailwarden"}},
            "results": [{"partialFingerprints": {"primaryLocationLineHash": "ab:1"}}, {}]}]}"#;
        let baseline = parse(text, "old.sarif").unwrap();
        assert_eq!(baseline.fingerprints.len(), 1);
        assert!(baseline.fingerprints.contains("ab:1"));
    }

    #[test]
    fn other_files_are_errors() {
        assert!(
            parse("nope", "x")
                .unwrap_err()
                .to_string()
                .contains("not JSON")
        );
        assert!(
            parse("{}", "x")
                .unwrap_err()
                .to_string()
                .contains("no `runs`")
        );
        let other = r#"{"runs": [{"tool": {"driver": {"name": "CodeQL"}}, "results": []}]}"#;
        assert!(
            parse(other, "x")
                .unwrap_err()
                .to_string()
                .contains("CodeQL")
        );
    }
}
