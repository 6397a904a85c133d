//! CloudWatch Logs filter patterns, implemented as a language rather than guessed at.
//!
//! A metric filter counts what its pattern matches; to judge a monitoring chain by meaning,
//! trailwarden parses the pattern and evaluates it against synthetic CloudTrail records ("does
//! this filter fire on `DisableKey` from `kms.amazonaws.com`?").
//!
//! Authority: AWS CloudWatch Logs User Guide, "Filter pattern syntax for metric filters,
//! subscription filters, filter log events, and Live Tail"
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>) and
//! its sub-pages (JSON, space-delimited, unstructured terms, regex), plus the archived
//! `awsdocs/amazon-cloudwatch-logs-user-guide` `doc_source/FilterAndPatternSyntax.md`. Each
//! submodule quotes the passages it implements and names its judgement calls.
//!
//! Families (chosen by the first non-blank character, as AWS does):
//! - empty → matches every event ("The filter pattern "" matches all log events.");
//! - `{` → JSON pattern ([`parser`]);
//! - `[` → space-delimited pattern ([`delimited`]);
//! - `%` → a standalone regex ([`regex`]);
//! - anything else → terms ([`terms`]).
//!
//! Safety: input is capped at [`MAX_PATTERN_CHARS`], nesting at [`MAX_DEPTH`], regexes run on
//! a linear-time NFA and space-delimited alignment is budgeted, so parsing and matching never
//! panic and never run unbounded. No I/O, no threads: it builds for `wasm32-unknown-unknown`.
//!
//! ```
//! use trailwarden_sdk::Pattern;
//! use trailwarden_sdk::events::kms;
//!
//! let record = kms::access_denied("DisableKey", "us-east-1", "111122223333");
//! let pattern = Pattern::parse(
//!     r#"{ $.eventSource = "kms.amazonaws.com" && $.eventName = "DisableKey" && $.errorCode NOT EXISTS }"#,
//! )?;
//! assert!(!pattern.matches(&record), "the refused attempt is dropped");
//!
//! // Which condition failed, and on what value: `causes()` names the failures that decided,
//! // never the other branch of an `||` that held.
//! let explanation = pattern.explain(&record);
//! let failed = explanation.causes().next().unwrap();
//! assert_eq!(failed.text, "$.errorCode NOT EXISTS");
//! assert_eq!(failed.found, Some(serde_json::json!("AccessDeniedException")));
//!
//! // An invalid pattern is an error with the span AWS would complain about.
//! let error = Pattern::parse("{ $.eventName = }").unwrap_err();
//! assert_eq!(error.span.start, 16);
//! # Ok::<(), trailwarden_sdk::PatternError>(())
//! ```

pub mod ast;
pub mod delimited;
pub mod display;
pub mod error;
pub mod explain;
pub(crate) mod lexer;
pub mod matcher;
pub mod parser;
pub mod regex;
pub mod selection;
pub mod terms;
pub mod transform;

#[cfg(test)]
mod tests_aws;
#[cfg(test)]
mod tests_cloudtrail;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_ops;
#[cfg(test)]
mod tests_prop;
#[cfg(test)]
mod tests_transform;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

pub use ast::{Root, Selector, Span};
pub use error::{PatternError, PatternErrorKind};
pub use explain::{ConditionOutcome, Explanation};
pub use selection::{FieldSelection, SelectionPredicate, SystemField};
pub use transform::{TransformError, dimension_value, metric_value};

/// AWS: `filterPattern` "Length Constraints: Minimum length of 0. Maximum length of 1024."
/// Longer input is rejected with [`PatternErrorKind::TooLong`].
pub const MAX_PATTERN_CHARS: usize = 1024;

/// Deepest parenthesis nesting accepted. AWS documents no limit; 1024 characters could nest
/// ~500 deep, so a limit keeps recursion bounded on every target (including wasm's small stack).
pub const MAX_DEPTH: usize = 32;

/// Which kind of pattern this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// The empty pattern.
    Empty,
    /// Unstructured terms.
    Terms,
    /// A standalone `%regex%`.
    Regex,
    /// `{ ... }`
    Json,
    /// `[ ... ]`
    Delimited,
}

/// A parsed filter pattern, with the text it came from.
///
/// Equality compares meaning only (the tree, spans and source text ignored), so
/// `Pattern::parse(&p.to_string())? == p` holds for every parsed `p`.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    root: Root,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.root == other.root
    }
}

impl Pattern {
    /// Parses a filter pattern as AWS would store it.
    ///
    /// Errors carry the byte span of the problem; a pattern AWS would reject is reported, not
    /// guessed at.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let len = text.chars().count();
        if len > MAX_PATTERN_CHARS {
            let cut = text
                .char_indices()
                .nth(MAX_PATTERN_CHARS)
                .map_or(text.len(), |(i, _)| i);
            return Err(PatternError::new(
                PatternErrorKind::TooLong {
                    len,
                    max: MAX_PATTERN_CHARS,
                },
                cut..text.len(),
            ));
        }
        let start = text.len() - text.trim_start().len();
        let root = match text[start..].chars().next() {
            None => Root::Empty,
            Some('{') => Root::Json(parser::parse_json(&lexer::tokenize(text)?, text.len())?),
            Some('[') => Root::Delimited(delimited::parse_delimited(
                &lexer::tokenize(text)?,
                text.len(),
            )?),
            Some('%') => {
                let (body, end) = lexer::lex_regex(text, start)?;
                if !text[end..].trim().is_empty() {
                    let at = end + (text[end..].len() - text[end..].trim_start().len());
                    return Err(PatternError::new(
                        PatternErrorKind::TrailingInput,
                        at..text.len(),
                    ));
                }
                let regex = regex::Regex::parse(&body, start + 1)?;
                Root::Regex(ast::RegexValue {
                    regex,
                    span: Span::new(start, end),
                })
            }
            Some(_) => Root::Terms(terms::parse_terms(text)?),
        };
        Ok(Pattern {
            source: text.to_owned(),
            root,
        })
    }

    /// The text this pattern was parsed from (spans index into it).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax tree.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// Which family the pattern is.
    pub fn family(&self) -> Family {
        match self.root {
            Root::Empty => Family::Empty,
            Root::Terms(_) => Family::Terms,
            Root::Regex(_) => Family::Regex,
            Root::Json(_) => Family::Json,
            Root::Delimited(_) => Family::Delimited,
        }
    }

    /// Span-free structural equality (the same as `==`; named for readability at call sites).
    pub fn ast_eq(&self, other: &Pattern) -> bool {
        self == other
    }

    /// Whether the pattern matches a JSON log event (e.g. a CloudTrail record).
    ///
    /// JSON patterns evaluate against the object (non-objects never match). Term, regex and
    /// space-delimited patterns evaluate against the event's compact JSON text — what
    /// CloudWatch Logs sees as the message. (`serde_json` orders keys alphabetically unless its
    /// `preserve_order` feature is on, so a phrase spanning two keys may differ from AWS.)
    pub fn matches(&self, event: &Value) -> bool {
        match &self.root {
            Root::Empty => true,
            Root::Json(j) => event.is_object() && matcher::eval_json(&j.expr, event),
            _ => self.matches_line(&serde_json::to_string(event).unwrap_or_default()),
        }
    }

    /// Whether the pattern matches a raw log line.
    ///
    /// A JSON pattern parses the line as JSON first; a line that is not a JSON object never
    /// matches it.
    pub fn matches_line(&self, line: &str) -> bool {
        match &self.root {
            Root::Empty => true,
            Root::Terms(t) => matcher::eval_terms(t, line),
            Root::Regex(r) => r.regex.is_match(line),
            Root::Delimited(d) => matcher::eval_delimited(d, line),
            Root::Json(j) => serde_json::from_str::<Value>(line)
                .is_ok_and(|v| v.is_object() && matcher::eval_json(&j.expr, &v)),
        }
    }

    /// Matches `event` and reports every leaf condition: span, text, whether it held, and the
    /// value found — "which conditions held and which failed".
    pub fn explain(&self, event: &Value) -> Explanation {
        match &self.root {
            Root::Json(j) => explain::explain_json(&self.source, &j.expr, event),
            root => explain::explain_text(
                &self.source,
                root,
                &serde_json::to_string(event).unwrap_or_default(),
            ),
        }
    }

    /// [`Pattern::explain`] for a raw log line.
    pub fn explain_line(&self, line: &str) -> Explanation {
        explain::explain_text(&self.source, &self.root, line)
    }

    /// Every selector a JSON pattern reads, in order (empty for other families). Chain
    /// analysis uses it to check that a `metricValue`/dimension field appears in the pattern.
    pub fn selectors(&self) -> Vec<&Selector> {
        fn walk<'a>(e: &'a ast::JsonExpr, out: &mut Vec<&'a Selector>) {
            match e {
                ast::JsonExpr::And(items, _) | ast::JsonExpr::Or(items, _) => {
                    items.iter().for_each(|i| walk(i, out))
                }
                ast::JsonExpr::Cond(c) => out.push(&c.selector),
            }
        }
        let mut out = Vec::new();
        if let Root::Json(j) = &self.root {
            walk(&j.expr, &mut out);
        }
        out
    }
}

impl fmt::Display for Pattern {
    /// The canonical form; re-parsing it gives an equal pattern.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}

impl std::str::FromStr for Pattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pattern::parse(s)
    }
}

impl Selector {
    /// Parses a standalone selector such as `$.requestParameters.keyId` (e.g. a `metricValue`
    /// or dimension); `None` unless the whole text is one selector.
    pub fn parse(text: &str) -> Option<Selector> {
        transform::parse_selector_spec(text)
    }

    /// The value this selector reaches in `event`, if any.
    pub fn resolve<'v>(&self, event: &'v Value) -> Option<&'v Value> {
        matcher::resolve(self, event)
    }
}
