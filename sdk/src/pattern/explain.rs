//! "Which conditions held and which failed": the data behind `trailwarden test-pattern`.
//!
//! Like the console's "Test pattern", but per condition: every leaf is reported with its span,
//! its text, whether it held, and (for JSON) the value found at its selector.
//!
//! A failed condition is not always a reason the pattern failed: in `(A || B) && C`, with `A`
//! true, `B` failing did not matter. [`ConditionOutcome::blamed`] marks the failures that did,
//! so that "why did this filter not match" names `C`, not `B`.

use std::ops::Range;

use serde::Serialize;
use serde_json::Value;

use super::Family;
use super::ast::{DelimitedExpr, DelimitedField, DelimitedPattern, JsonExpr, Root};
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
    /// Whether this condition is a reason the pattern did not match: it failed, and no
    /// enclosing `||` held through another branch. False for every condition of a pattern that
    /// matched. When an `||` fails, each of its branches' failures is blamed: any one of them
    /// holding would have done.
    pub blamed: bool,
}

impl Explanation {
    /// The conditions to name when saying why the pattern did not match (see
    /// [`ConditionOutcome::blamed`]); empty when it matched.
    pub fn causes(&self) -> impl Iterator<Item = &ConditionOutcome> {
        self.conditions.iter().filter(|c| c.blamed)
    }
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
    let matched = eval_json(expr, event);
    collect_json(src, expr, event, !matched, &mut conditions);
    Explanation {
        matched,
        family: Family::Json,
        conditions,
        note: None,
    }
}

/// Collects the leaves of `expr`. `blame` says whether a failure inside `expr` can be a reason
/// the whole pattern failed: true at the root of a pattern that failed, and passed down only
/// through nodes that failed themselves (a node that held, such as an `||` with one true
/// branch, absolves everything under it).
fn collect_json(
    src: &str,
    expr: &JsonExpr,
    event: &Value,
    blame: bool,
    out: &mut Vec<ConditionOutcome>,
) {
    match expr {
        JsonExpr::And(items, _) | JsonExpr::Or(items, _) => {
            let blame = blame && !eval_json(expr, event);
            for i in items {
                collect_json(src, i, event, blame, out);
            }
        }
        JsonExpr::Cond(c) => {
            let (held, found) = eval_cond(c, event);
            out.push(ConditionOutcome {
                span: c.span.range(),
                text: slice(src, c.span.range()),
                held,
                found: found.cloned(),
                blamed: blame && !held,
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
            let matched = eval_terms(p, line);
            let conditions = p
                .groups
                .iter()
                .flat_map(|g| &g.terms)
                .map(|t| {
                    let held = term_holds(t, line);
                    // Terms form an `?`-alternation of conjunctions: when the pattern failed,
                    // every alternative failed, and each failed term is part of why.
                    ConditionOutcome {
                        span: t.span.range(),
                        text: slice(src, t.span.range()),
                        held,
                        found: None,
                        blamed: !matched && !held,
                    }
                })
                .collect();
            Explanation {
                matched,
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
                blamed: !held,
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
            collect_delimited(src, p, e, &binding, !matched, &mut conditions);
        }
    }
    Explanation {
        matched,
        family: Family::Delimited,
        conditions,
        note: None,
    }
}

/// [`collect_json`] for the conditions of one space-delimited slot under `binding`.
fn collect_delimited(
    src: &str,
    p: &DelimitedPattern,
    expr: &DelimitedExpr,
    binding: &[Option<&str>],
    blame: bool,
    out: &mut Vec<ConditionOutcome>,
) {
    match expr {
        DelimitedExpr::And(items, _) | DelimitedExpr::Or(items, _) => {
            let blame = blame && !eval_delimited_expr(p, expr, binding, &mut |_, _, _| {});
            for i in items {
                collect_delimited(src, p, i, binding, blame, out);
            }
        }
        DelimitedExpr::Cond(_) => {
            eval_delimited_expr(p, expr, binding, &mut |c, held, value| {
                out.push(ConditionOutcome {
                    span: c.span.range(),
                    text: slice(src, c.span.range()),
                    held,
                    found: value.map(|v| Value::String(v.to_owned())),
                    blamed: blame && !held,
                });
            });
        }
    }
}
