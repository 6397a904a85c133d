//! The syntax tree of a CloudWatch Logs filter pattern.
//!
//! Every node carries a [`Span`] so explanations and errors can point into the pattern text.
//! Spans never take part in equality: two trees are `==` when they mean the same pattern, which
//! is what the "print, re-parse, compare" round trip needs.

use std::ops::Range;

use super::regex::Regex;

/// A byte range into the pattern text.
///
/// **Equality ignores spans**: `Span == Span` is always `true`, so that `#[derive(PartialEq)]` on
/// the tree compares meaning, not position. Use [`Span::range`] to read the offsets.
#[derive(Debug, Clone, Default, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The span as a `Range`, for slicing the pattern text.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// The smallest span covering `self` and `other`.
    pub fn to(&self, other: &Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl From<Span> for Range<usize> {
    fn from(span: Span) -> Self {
        span.range()
    }
}

/// The top of a parsed pattern: which of AWS's pattern families it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Root {
    /// `""`: "The filter pattern "" matches all log events."
    Empty,
    /// Unstructured terms: `ERROR`, `"exact phrase"`, `?a ?b`, `-term`.
    Terms(TermPattern),
    /// A standalone regex `%...%`, matched anywhere in the event text.
    Regex(RegexValue),
    /// A JSON pattern `{ ... }`.
    Json(JsonPattern),
    /// A space-delimited pattern `[a, b = ..., ...]`.
    Delimited(DelimitedPattern),
}

/// A term pattern, organised as OR-groups of AND-ed terms.
///
/// Without any `?` there is one group (all terms must hold). Each `?term` starts a new group;
/// the pattern matches when any group matches. This is how the AWS CDK renders
/// `FilterPattern.anyTermGroup` (`?"ERROR" "MainThread" ?"WARN" "Deadlock"`).
#[derive(Debug, Clone, PartialEq)]
pub struct TermPattern {
    /// The alternatives; never empty.
    pub groups: Vec<TermGroup>,
    /// The whole pattern.
    pub span: Span,
}

/// Terms that must all hold.
#[derive(Debug, Clone, PartialEq)]
pub struct TermGroup {
    /// The terms; never empty.
    pub terms: Vec<Term>,
    /// From the first to the last term.
    pub span: Span,
}

/// One word or quoted phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The text to look for (without quotes), case-sensitive.
    pub text: String,
    /// `true` for `-term`: the text must be absent.
    pub exclude: bool,
    /// `true` for `?term`: this term starts a new OR group.
    pub or: bool,
    /// The term including its prefix and quotes.
    pub span: Span,
}

/// A `{ ... }` pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPattern {
    /// The condition inside the braces.
    pub expr: JsonExpr,
    /// Including the braces.
    pub span: Span,
}

/// A boolean expression over JSON conditions.
///
/// `And`/`Or` are n-ary and never directly contain a node of their own kind (the parser
/// flattens `a && (b && c)`), which keeps the tree shallow and printing canonical.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonExpr {
    /// All must hold.
    And(Vec<JsonExpr>, Span),
    /// Any must hold.
    Or(Vec<JsonExpr>, Span),
    /// One leaf condition.
    Cond(JsonCond),
}

impl JsonExpr {
    /// The span of this expression.
    pub fn span(&self) -> &Span {
        match self {
            JsonExpr::And(_, s) | JsonExpr::Or(_, s) => s,
            JsonExpr::Cond(c) => &c.span,
        }
    }
}

/// `SELECTOR test`, e.g. `$.eventName = "DisableKey"`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonCond {
    /// Where to look.
    pub selector: Selector,
    /// What must hold there.
    pub test: Test,
    /// The whole condition.
    pub span: Span,
}

/// A property selector `$.a.b[0].c`.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// Path from the root; never empty.
    pub steps: Vec<Step>,
    /// Including the `$`.
    pub span: Span,
}

/// One step of a selector.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `.name`
    Field(String),
    /// `[n]`
    Index(usize),
}

/// The comparison operators of filter patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// What a condition checks at its selector (JSON) or field (space-delimited).
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `= "text"` / `!= text*`: string comparison, with optional edge wildcards.
    Str {
        /// `Eq` or `Ne`.
        op: CmpOp,
        /// The value.
        value: StrValue,
    },
    /// `= 400`, `> +1000`, `< 10e-3`: a bare number.
    Num {
        /// Any comparison.
        op: CmpOp,
        /// The value.
        value: NumValue,
    },
    /// `= %regex%` / `!= %regex%`.
    Regex {
        /// `Eq` or `Ne`.
        op: CmpOp,
        /// The regex.
        value: RegexValue,
    },
    /// `IS NULL`
    IsNull,
    /// `NOT EXISTS`
    NotExists,
    /// `IS TRUE` / `IS FALSE`
    IsBool(bool),
}

/// A string value with optional leading/trailing `*` wildcards.
///
/// AWS: "`*Event` will match `PutEvent` … `Event*` will match `EventId` … `Ev*ent` will only
/// match the actual string `Ev*ent`." A `*` in the middle is literal.
#[derive(Debug, Clone, PartialEq)]
pub struct StrValue {
    /// The literal part (between the wildcards).
    pub text: String,
    /// A leading `*`: anything may precede `text`.
    pub leading: bool,
    /// A trailing `*`: anything may follow `text`.
    pub trailing: bool,
    /// The value as written.
    pub span: Span,
}

impl StrValue {
    /// Splits raw value text into wildcards and literal.
    pub(crate) fn from_raw(raw: &str, span: Span) -> Self {
        let (leading, rest) = match raw.strip_prefix('*') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let (trailing, text) = match rest.strip_suffix('*') {
            Some(text) => (true, text),
            None => (false, rest),
        };
        Self {
            text: text.to_owned(),
            leading,
            trailing,
            span,
        }
    }

    /// Whether `candidate` matches this value (case-sensitive).
    pub fn matches(&self, candidate: &str) -> bool {
        match (self.leading, self.trailing) {
            (false, false) => candidate == self.text,
            (true, false) => candidate.ends_with(&self.text),
            (false, true) => candidate.starts_with(&self.text),
            (true, true) => candidate.contains(&self.text),
        }
    }

    /// `*` alone (or `**`): matches any value, i.e. "the field exists".
    pub fn is_any(&self) -> bool {
        self.text.is_empty() && (self.leading || self.trailing)
    }
}

/// A number literal, kept with its text so it prints back as written.
#[derive(Debug, Clone)]
pub struct NumValue {
    /// The value.
    pub value: f64,
    /// As written, e.g. `+1000` or `10e-3`.
    pub text: String,
    /// The literal.
    pub span: Span,
}

impl PartialEq for NumValue {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// A `%regex%` value.
#[derive(Debug, Clone)]
pub struct RegexValue {
    /// The compiled regex (its source is the text between the `%`s).
    pub regex: Regex,
    /// Including the `%`s.
    pub span: Span,
}

impl PartialEq for RegexValue {
    fn eq(&self, other: &Self) -> bool {
        self.regex.source() == other.regex.source()
    }
}

/// A space-delimited pattern `[ip, user, ..., status_code = 4*, bytes > 1000]`.
#[derive(Debug, Clone, PartialEq)]
pub struct DelimitedPattern {
    /// The slots, in order.
    pub fields: Vec<DelimitedField>,
    /// Including the brackets.
    pub span: Span,
}

/// One slot of a space-delimited pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum DelimitedField {
    /// `...`: any number of fields (including none).
    Ellipsis(Span),
    /// A named field, optionally with conditions (which may name other fields).
    Named {
        /// The field's name.
        name: String,
        /// Conditions written in this slot, e.g. `status_code = 4* && bytes > 1000`.
        cond: Option<DelimitedExpr>,
        /// The whole slot.
        span: Span,
    },
}

/// Conditions in a space-delimited slot: `&&` binds tighter than `||`; no parentheses.
///
/// Normal form: an `Or` contains `And`s or leaves; an `And` contains leaves only.
#[derive(Debug, Clone, PartialEq)]
pub enum DelimitedExpr {
    /// All must hold.
    And(Vec<DelimitedExpr>, Span),
    /// Any must hold.
    Or(Vec<DelimitedExpr>, Span),
    /// `name op value`
    Cond(DelimitedCond),
}

/// `name op value` inside a space-delimited pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct DelimitedCond {
    /// The field the condition reads.
    pub name: String,
    /// The test (never `IsNull`/`NotExists`/`IsBool`).
    pub test: Test,
    /// The condition.
    pub span: Span,
}
