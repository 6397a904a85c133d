//! Parse errors for filter patterns, with the byte span that caused them.
//!
//! A pattern AWS would reject is a defect of that metric filter, not a failure of the checker, so
//! every error carries a position (for a caret under the pattern) and a lowercase message that
//! says what to do.

use std::ops::Range;

/// A filter pattern that could not be parsed.
///
/// `span` is a byte range into the pattern text, so a CLI can underline the offending part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (at bytes {}..{})", span.start, span.end)]
pub struct PatternError {
    /// Byte offsets of the offending text in the pattern.
    pub span: Range<usize>,
    /// What went wrong.
    pub kind: PatternErrorKind,
}

impl PatternError {
    /// Builds an error for `span`.
    pub(crate) fn new(kind: PatternErrorKind, span: Range<usize>) -> Self {
        Self { span, kind }
    }
}

/// What was wrong with a filter pattern.
///
/// Non-exhaustive: new AWS syntax may bring new ways to be wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternErrorKind {
    /// The pattern is longer than AWS accepts (`filterPattern` is at most 1024 characters).
    #[error("pattern is {len} characters long; shorten it to at most {max} characters")]
    TooLong {
        /// Length of the pattern in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Parentheses or conditions nest deeper than the checker evaluates.
    #[error("pattern nests more than {max} levels deep; flatten the parentheses")]
    TooDeep {
        /// The nesting limit.
        max: usize,
    },
    /// A token that does not belong where it was found.
    #[error("unexpected {found}; expected {expected}")]
    Unexpected {
        /// What was found, e.g. "`)`" or "end of pattern".
        found: String,
        /// What the parser wanted.
        expected: String,
    },
    /// A `(` without its `)` (or a `{`/`[` without its closer).
    #[error("unclosed `{open}`; add the matching `{close}`")]
    Unclosed {
        /// The opening delimiter.
        open: char,
        /// The closer that is missing.
        close: char,
    },
    /// A double-quoted string without its closing quote.
    #[error("unterminated string; close it with `\"`")]
    UnterminatedString,
    /// A `%regex%` without its closing `%`.
    #[error("unterminated regex; close it with `%`")]
    UnterminatedRegex,
    /// A malformed `$.selector`.
    #[error("bad selector: {0}")]
    BadSelector(String),
    /// A relational operator (`<`, `>`, `<=`, `>=`) followed by something that is not a number.
    #[error("`{op}` needs a number (like 500, -1.5 or 10e-3); strings compare only with = and !=")]
    ExpectedNumber {
        /// The operator.
        op: String,
    },
    /// A number literal that does not fit a 64-bit float.
    #[error("number is out of range; use a smaller number")]
    NumberOutOfRange,
    /// A regex construct AWS does not support.
    #[error("unsupported regex: {0}")]
    UnsupportedRegex(String),
    /// A malformed regex.
    #[error("invalid regex: {0}")]
    InvalidRegex(String),
    /// More regexes than AWS allows in one JSON or space-delimited pattern.
    #[error("pattern uses {count} regexes; AWS allows at most {max} per pattern")]
    TooManyRegexes {
        /// Regexes found.
        count: usize,
        /// AWS's limit.
        max: usize,
    },
    /// Text after a complete pattern, e.g. after the closing `}`.
    #[error("unexpected text after the end of the pattern; remove it")]
    TrailingInput,
    /// A `?` or `-` with no term after it, or an empty quoted term.
    #[error("empty term; put a word or a quoted phrase after `{0}`")]
    EmptyTerm(String),
    /// A space-delimited condition naming a field the pattern does not declare.
    #[error(
        "condition refers to field `{0}`, which the pattern does not name; add it to the field list"
    )]
    UnknownField(String),
    /// A field-selection criterion naming a field other than `@aws.account` / `@aws.region`.
    #[error("unknown system field `{0}`; use @aws.account or @aws.region")]
    UnknownSystemField(String),
}
