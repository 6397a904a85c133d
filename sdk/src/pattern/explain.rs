//! "Which conditions held and which failed": the data behind `trailwarden test-pattern`.
//!
//! Like the console's "Test pattern", but per condition: every leaf is reported with its span,
//! its text, whether it held, and (for JSON) the value found at its selector.

use std::ops::Range;

use serde::Serialize;
use serde_json::Value;

use super::Family;
use super::ast::{DelimitedField, DelimitedPattern, JsonExpr, Root};
use super::matcher::{
    align, binding_holds, eval_cond, eval_delimited_expr, eval_json, eval_terms, split_fields,
    term_holds,
};

/// The outcome of matching a pattern against one event, condition by condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Whether the whole pattern matched (the same answer as [`super::Pattern::matches`]).
    pub matched: bool,
    /// Which family the pattern belongs to.
    pub family: Family,
    /// Every leaf condition (JSON condition, term, or space-delimited condition), in pattern
    /// order.
    pub conditions: Vec<ConditionOutcome>,
    /// Why nothing could be evaluated, when that is the case (e.g. "event is not JSON").
    pub note: Option<String>,
}

/// One leaf condition's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionOutcome {
    /// Byte range of the condition in the pattern text.
    pub span: Range<usize>,
    /// The condition as written.
    pub text: String,
    /// Whether it held.
    pub held: bool,
    /// The value at the selector (JSON) or the field's text (space-delimited); `None` when
    /// missing or not applicable (terms).
    pub found: Option<Value>,
}

fn slice(src: &str, r: Range<usize>) -> String {
    src.get(r).unwrap_or_default().to_owned()
}

/// Explains a JSON pattern against an event.
pub(crate) fn explain_json(src: &str, expr: &JsonExpr, event: &Value) -> Explanation {
    let mut conditions = Vec::new();
    if !event.is_object() {
        return Explanation {
            matched: false,
            family: Family::Json,
            conditions,
            note: Some("event is not a JSON object, so a JSON pattern cannot match it".into()),
        };
    }
    collect_json(src, expr, event, &mut conditions);
    Explanation {
        matched: eval_json(expr, event),
        family: Family::Json,
        conditions,
        note: None,
    }
}

fn collect_json(src: &str, expr: &JsonExpr, event: &Value, out: &mut Vec<ConditionOutcome>) {
    match expr {
        JsonExpr::And(items, _) | JsonExpr::Or(items, _) => {
            for i in items {
                collect_json(src, i, event, out);
            }
        }
        JsonExpr::Cond(c) => {
            let (held, found) = eval_cond(c, event);
            out.push(ConditionOutcome {
                span: c.span.range(),
                text: slice(src, c.span.range()),
                held,
                found: found.cloned(),
            });
        }
    }
}

/// Explains a non-JSON pattern against a line of text.
pub(crate) fn explain_text(src: &str, root: &Root, line: &str) -> Explanation {
    match root {
        Root::Empty => Explanation {
            matched: true,
            family: Family::Empty,
            conditions: vec![],
            note: None,
        },
        Root::Terms(p) => {
            let conditions = p
                .groups
                .iter()
                .flat_map(|g| &g.terms)
                .map(|t| ConditionOutcome {
                    span: t.span.range(),
                    text: slice(src, t.span.range()),
                    held: term_holds(t, line),
                    found: None,
                })
                .collect();
            Explanation {
                matched: eval_terms(p, line),
                family: Family::Terms,
                conditions,
                note: None,
            }
        }
        Root::Regex(r) => {
            let held = r.regex.is_match(line);
            let conditions = vec![ConditionOutcome {
                span: r.span.range(),
                text: slice(src, r.span.range()),
                held,
                found: None,
            }];
            Explanation {
                matched: held,
                family: Family::Regex,
                conditions,
                note: None,
            }
        }
        Root::Delimited(p) => explain_delimited(src, p, line),
        Root::Json(j) => match serde_json::from_str::<Value>(line) {
            Ok(v) => explain_json(src, &j.expr, &v),
            Err(_) => Explanation {
                matched: false,
                family: Family::Json,
                conditions: vec![],
                note: Some("log line is not JSON, so a JSON pattern cannot match it".into()),
            },
        },
    }
}

fn explain_delimited(src: &str, p: &DelimitedPattern, line: &str) -> Explanation {
    let fields = split_fields(line);
    // Prefer a binding under which everything holds; else report the first possible one.
    let mut first: Option<Vec<Option<&str>>> = None;
    let mut good: Option<Vec<Option<&str>>> = None;
    align(p, &fields, &mut |binding| {
        if first.is_none() {
            first = Some(binding.to_vec());
        }
        if binding_holds(p, binding) {
            good = Some(binding.to_vec());
            return true;
        }
        false
    });
    let matched = good.is_some();
    let Some(binding) = good.or(first) else {
        return Explanation {
            matched: false,
            family: Family::Delimited,
            conditions: vec![],
            note: Some(format!(
                "the line has {} fields, which the pattern's field list cannot align with",
                fields.len()
            )),
        };
    };
    let mut conditions = Vec::new();
    for f in &p.fields {
        if let DelimitedField::Named { cond: Some(e), .. } = f {
            eval_delimited_expr(p, e, &binding, &mut |c, held, value| {
                conditions.push(ConditionOutcome {
                    span: c.span.range(),
                    text: slice(src, c.span.range()),
                    held,
                    found: value.map(|v| Value::String(v.to_owned())),
                });
            });
        }
    }
    Explanation {
        matched,
        family: Family::Delimited,
        conditions,
        note: None,
    }
}
