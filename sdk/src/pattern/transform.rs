//! Metric transformations: what a matching event publishes (`metricValue`) and under which
//! dimensions.
//!
//! AWS API reference, `MetricTransformation`: `metricValue` is "The value to publish to the
//! CloudWatch metric when a filter pattern matches a log event" (max 100 characters);
//! `dimensions` maps names to field selectors ("One metric filter can include as many as three
//! dimensions"). The User Guide ("Publishing numerical values found in log entries") shows
//! `metricFilter: { $.latency = * } metricValue: $.latency`, and ("Using metric filters to
//! extract values from JSON log events") warns: "Strings containing scientific notation are
//! not supported." The AWS CDK adds that `$fieldName` refers to a space-delimited field.
//!
//! Reading used here: a literal number publishes itself; `$.selector` publishes the number at
//! that field — a JSON number, or a string holding a plain decimal (no exponent); anything else
//! (missing, non-numeric, scientific-notation string, object, array, null, boolean) publishes no
//! value for that event.

use serde_json::Value;

use super::ast::Selector;
use super::lexer::lex_selector;
use super::matcher::{resolve, scalar_text};
use super::parser::parse_number;

/// `metricValue` is at most 100 characters (AWS API reference).
pub const MAX_METRIC_VALUE_LEN: usize = 100;

/// Why a `metricValue` or dimension spec could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransformError {
    /// Longer than AWS allows.
    #[error("metric value is {len} characters; AWS allows at most {max}")]
    TooLong {
        /// Characters in the spec.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Neither a number nor a `$.selector`.
    #[error(
        "metric value `{0}` is neither a number nor a `$.field` selector; use e.g. `1` or `$.latency`"
    )]
    Invalid(String),
    /// A `$field` reference to a space-delimited field, which needs the matched line.
    #[error(
        "`{0}` names a space-delimited field; it has a value only for space-delimited patterns matched on text"
    )]
    DelimitedField(String),
}

/// Parses a whole `$.a.b[0]` spec; `None` unless the entire text is one selector.
pub(crate) fn parse_selector_spec(spec: &str) -> Option<Selector> {
    let spec = spec.trim();
    if !spec.starts_with("$.") {
        return None;
    }
    let sel = lex_selector(spec, 0).ok()?;
    (sel.span.end == spec.len()).then_some(sel)
}

/// The value a metric filter with `metricValue = spec` publishes for `event`.
///
/// `Ok(Some(v))` for a literal number or a numeric field; `Ok(None)` when the selected field
/// has no numeric value in this event; `Err` when the spec itself is unusable.
pub fn metric_value(spec: &str, event: &Value) -> Result<Option<f64>, TransformError> {
    let len = spec.chars().count();
    if len > MAX_METRIC_VALUE_LEN {
        return Err(TransformError::TooLong {
            len,
            max: MAX_METRIC_VALUE_LEN,
        });
    }
    let trimmed = spec.trim();
    if let Some(Ok(n)) = parse_number(trimmed) {
        return Ok(Some(n));
    }
    if let Some(sel) = parse_selector_spec(trimmed) {
        return Ok(resolve(&sel, event).and_then(|v| match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if !s.contains(['e', 'E']) => {
                parse_number(s.trim()).and_then(Result::ok)
            }
            _ => None,
        }));
    }
    if trimmed.starts_with('$') && trimmed.len() > 1 && !trimmed.starts_with("$.") {
        return Err(TransformError::DelimitedField(trimmed.to_owned()));
    }
    Err(TransformError::Invalid(trimmed.to_owned()))
}

/// The value of one `dimensions` entry (a `$.selector`) for `event`, as CloudWatch would use it
/// for the dimension value: strings as-is, numbers and booleans as their text.
///
/// `None` when the spec is not a selector or the field is missing, null, an object or an array.
pub fn dimension_value(spec: &str, event: &Value) -> Option<String> {
    let sel = parse_selector_spec(spec)?;
    resolve(&sel, event).and_then(scalar_text)
}
