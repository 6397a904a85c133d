//! Why a rule produced no verdict, as one type for the pack glue, the host's sandbox, the report
//! and the test helpers.
//!
//! The kind travels in the ABI envelope and is printed in every output format as a short
//! kebab-case word (`"kind": "settings"`). Those words are the ABI, so each variant serialises
//! exactly as that word, and a word this SDK does not know (from a newer or an older pack) is
//! kept in [`FailureKind::Other`] instead of failing the whole envelope.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::rule::RuleError;

/// The kind of a rule failure.
///
/// Equality, hashing and serialisation go through [`FailureKind::as_str`], so
/// `Other("panic".into())` and [`FailureKind::Panic`] are the same kind.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FailureKind {
    /// `settings`: the rule's settings did not parse or validate.
    Settings,
    /// `rule`: the rule ran and returned an error of its own.
    Rule,
    /// `unknown-rule`: the pack was asked for a rule it does not have.
    UnknownRule,
    /// `context`: the pack could not read the context the host sent.
    Context,
    /// `snapshot`: the snapshot could not be read, or was not written for the pack.
    Snapshot,
    /// `panic`: the rule panicked or aborted (from the host's sandbox).
    Panic,
    /// `timeout`: the pack ran past its deadline.
    Timeout,
    /// `memory`: the pack grew past its memory limit.
    Memory,
    /// `stack-overflow`: the rule overflowed its stack.
    StackOverflow,
    /// `trap`: any other WebAssembly trap, or a failure to instantiate the pack.
    Trap,
    /// `output`: the pack returned something the host cannot read.
    Output,
    /// `limit`: the pack's output went over the output limit.
    Limit,
    /// `host`: the host failed while running the pack (a host bug, not the pack's).
    Host,
    /// A kind this SDK does not know, kept as written.
    Other(String),
}

impl FailureKind {
    /// The kind as it appears in the envelope and in every report.
    pub fn as_str(&self) -> &str {
        match self {
            FailureKind::Settings => "settings",
            FailureKind::Rule => "rule",
            FailureKind::UnknownRule => "unknown-rule",
            FailureKind::Context => "context",
            FailureKind::Snapshot => "snapshot",
            FailureKind::Panic => "panic",
            FailureKind::Timeout => "timeout",
            FailureKind::Memory => "memory",
            FailureKind::StackOverflow => "stack-overflow",
            FailureKind::Trap => "trap",
            FailureKind::Output => "output",
            FailureKind::Limit => "limit",
            FailureKind::Host => "host",
            FailureKind::Other(other) => other,
        }
    }

    /// The kind of a rule's own error: `settings` for its settings, `rule` for anything else.
    /// The pack glue and the native test runner both classify with this, so they agree.
    pub fn of(error: &RuleError) -> Self {
        match error {
            RuleError::Settings(_) => FailureKind::Settings,
            _ => FailureKind::Rule,
        }
    }

    /// Applies `f` to the text of an [`FailureKind::Other`] kind (the host clips what a pack
    /// wrote); known kinds are returned unchanged.
    pub fn map_other(self, f: impl FnOnce(&str) -> String) -> Self {
        match self {
            FailureKind::Other(other) => FailureKind::from(f(&other)),
            known => known,
        }
    }
}

impl From<&str> for FailureKind {
    fn from(text: &str) -> Self {
        match text {
            "settings" => FailureKind::Settings,
            "rule" => FailureKind::Rule,
            "unknown-rule" => FailureKind::UnknownRule,
            "context" => FailureKind::Context,
            "snapshot" => FailureKind::Snapshot,
            "panic" => FailureKind::Panic,
            "timeout" => FailureKind::Timeout,
            "memory" => FailureKind::Memory,
            "stack-overflow" => FailureKind::StackOverflow,
            "trap" => FailureKind::Trap,
            "output" => FailureKind::Output,
            "limit" => FailureKind::Limit,
            "host" => FailureKind::Host,
            other => FailureKind::Other(other.to_owned()),
        }
    }
}

impl From<String> for FailureKind {
    fn from(text: String) -> Self {
        match FailureKind::from(text.as_str()) {
            FailureKind::Other(_) => FailureKind::Other(text),
            known => known,
        }
    }
}

impl PartialEq for FailureKind {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for FailureKind {}

impl std::hash::Hash for FailureKind {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FailureKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FailureKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(FailureKind::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[(FailureKind, &str)] = &[
        (FailureKind::Settings, "settings"),
        (FailureKind::Rule, "rule"),
        (FailureKind::UnknownRule, "unknown-rule"),
        (FailureKind::Context, "context"),
        (FailureKind::Snapshot, "snapshot"),
        (FailureKind::Panic, "panic"),
        (FailureKind::Timeout, "timeout"),
        (FailureKind::Memory, "memory"),
        (FailureKind::StackOverflow, "stack-overflow"),
        (FailureKind::Trap, "trap"),
        (FailureKind::Output, "output"),
        (FailureKind::Limit, "limit"),
        (FailureKind::Host, "host"),
    ];

    #[test]
    fn every_kind_serialises_as_the_word_the_abi_has_always_used() {
        for (kind, word) in KNOWN {
            let json = serde_json::to_string(kind).expect("serialises");
            assert_eq!(json, format!("\"{word}\""));
            let back: FailureKind = serde_json::from_str(&json).expect("parses");
            assert_eq!(&back, kind);
            assert!(!matches!(back, FailureKind::Other(_)), "{word} is known");
            assert_eq!(kind.to_string(), *word);
        }
    }

    #[test]
    fn a_kind_from_another_pack_version_is_kept_as_written() {
        let kind: FailureKind = serde_json::from_str("\"fuel\"").expect("an unknown kind parses");
        assert_eq!(kind, FailureKind::Other("fuel".to_owned()));
        assert_eq!(
            serde_json::to_string(&kind).expect("serialises"),
            "\"fuel\""
        );
        assert_eq!(FailureKind::Other("panic".to_owned()), FailureKind::Panic);
    }

    #[test]
    fn only_unknown_kinds_are_rewritten_by_map_other() {
        let clip = |text: &str| text.chars().take(2).collect::<String>();
        assert_eq!(
            FailureKind::Other("fuel".to_owned()).map_other(clip),
            FailureKind::Other("fu".to_owned())
        );
        assert_eq!(
            FailureKind::StackOverflow.map_other(clip),
            FailureKind::StackOverflow
        );
    }
}
