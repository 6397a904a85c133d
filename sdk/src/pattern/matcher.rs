//! Evaluation of parsed patterns against JSON events and raw log lines.
//!
//! JSON semantics, as read from the AWS CloudWatch Logs User Guide ("Using filter patterns to
//! match terms in JSON log events"; archived "Filter and Pattern Syntax", "JSON Special
//! Considerations"), with the judgement calls this checker makes:
//!
//! - Case-sensitive throughout.
//! - "The SELECTOR must point to a value node (string or number) in the JSON. If it points to an
//!   array or object, the filter will not be applied … both `{$.users = 1}` and
//!   `{$.users != 1}` will fail to match". So `=`, `!=` and numeric comparisons are **false**
//!   on objects, arrays, `null` and missing fields alike — `!=` is not "not equal or absent".
//!   (Missing field with `!=` → false is the reading of "the filter will not be applied": there
//!   is no value node to compare.)
//! - Booleans compare as the text `true`/`false` for `=`/`!=` (AWS documents `IS TRUE` /
//!   `IS FALSE` for them; this is the lenient reading).
//! - A quoted value is a string: against a JSON number it compares with the number's text
//!   (`$.x = "1"` matches `1` and `"1"`).
//! - A bare number is a number, but AWS also says "Strings that consist entirely of
//!   alphanumeric characters do not need to be quoted", so `$.recipientAccountId = 123456789012`
//!   must still match the string `"123456789012"`: against a JSON string, the comparison is
//!   numeric when the string is number-shaped, else `=` is false and `!=` is true; `<`, `>` …
//!   against a non-numeric string are false.
//! - `= *` (`"*"`) is true for any present string, number or boolean: "field exists" (the AWS
//!   CDK's `FilterPattern.exists` renders exactly this).
//! - `IS NULL` holds only for an explicit `null`; `NOT EXISTS` only when the selector leads
//!   nowhere (including through a non-array at an index step).
//! - A JSON pattern only applies to a JSON **object** event; anything else does not match.

use serde_json::Value;

use super::ast::{
    CmpOp, DelimitedExpr, DelimitedField, DelimitedPattern, JsonCond, JsonExpr, Selector, Step,
    Term, TermPattern, Test,
};
use super::parser::parse_number;

/// Follows `selector` from the event root; `None` when any step leads nowhere.
pub fn resolve<'v>(selector: &Selector, root: &'v Value) -> Option<&'v Value> {
    selector.steps.iter().try_fold(root, |v, step| match step {
        Step::Field(name) => v.as_object()?.get(name),
        Step::Index(i) => v.as_array()?.get(*i),
    })
}

/// The text a scalar compares as; `None` for null, objects and arrays.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

fn compare(op: CmpOp, a: f64, b: f64) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    }
}

/// Applies a value test to a field's text (JSON scalar text or a space-delimited field).
/// `number` is the field's numeric value when it has one.
pub(crate) fn test_text(test: &Test, text: &str, number: Option<f64>) -> bool {
    match test {
        Test::Str { op, value } => value.matches(text) == (*op == CmpOp::Eq),
        Test::Regex { op, value } => value.regex.is_match(text) == (*op == CmpOp::Eq),
        Test::Num { op, value } => match number {
            Some(n) => compare(*op, n, value.value),
            None => *op == CmpOp::Ne,
        },
        Test::IsNull | Test::NotExists | Test::IsBool(_) => false,
    }
}

fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => parse_number(s).and_then(Result::ok),
        _ => None,
    }
}

/// Evaluates one JSON condition; also returns the value found at the selector.
pub fn eval_cond<'v>(cond: &JsonCond, root: &'v Value) -> (bool, Option<&'v Value>) {
    let found = resolve(&cond.selector, root);
    let held = match (&cond.test, found) {
        (Test::NotExists, found) => found.is_none(),
        (Test::IsNull, found) => matches!(found, Some(Value::Null)),
        (Test::IsBool(b), found) => found.and_then(Value::as_bool) == Some(*b),
        (test, Some(v)) => match scalar_text(v) {
            Some(text) => test_text(test, &text, number_of(v)),
            None => false,
        },
        (_, None) => false,
    };
    (held, found)
}

/// Evaluates a JSON expression against an event object.
pub fn eval_json(expr: &JsonExpr, root: &Value) -> bool {
    match expr {
        JsonExpr::And(items, _) => items.iter().all(|e| eval_json(e, root)),
        JsonExpr::Or(items, _) => items.iter().any(|e| eval_json(e, root)),
        JsonExpr::Cond(c) => eval_cond(c, root).0,
    }
}

/// Whether one term holds in `text` (present, or absent for `-term`).
pub fn term_holds(term: &Term, text: &str) -> bool {
    text.contains(term.text.as_str()) != term.exclude
}

/// Whether a term pattern matches `text`: any group whose terms all hold.
pub fn eval_terms(p: &TermPattern, text: &str) -> bool {
    p.groups
        .iter()
        .any(|g| g.terms.iter().all(|t| term_holds(t, text)))
}

/// Splits a log line into space-delimited fields.
///
/// AWS: "The characters between a pair of square brackets [] or two double quotes ("") are
/// treated as a single field." The brackets/quotes are not part of the value (the AWS example
/// extracts `$4` as `10/Oct/2000:13:25:15 -0700`). An unclosed bracket or quote runs to the end.
pub fn split_fields(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        let Some(first) = rest.chars().next() else {
            return out;
        };
        let closer = match first {
            '[' => Some(']'),
            '"' => Some('"'),
            _ => None,
        };
        match closer {
            Some(close) => {
                let body = &rest[1..];
                match body.find(close) {
                    Some(k) => {
                        out.push(&body[..k]);
                        rest = &body[k + 1..];
                    }
                    None => {
                        out.push(body);
                        return out;
                    }
                }
            }
            None => {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                out.push(&rest[..end]);
                rest = &rest[end..];
            }
        }
    }
}

/// Upper bound on alignment steps for one line (patterns with several `...`), so matching
/// stays bounded whatever the pattern and line.
pub const MAX_ALIGNMENTS: usize = 100_000;

/// Binds pattern slots to line fields, calling `visit` with each complete binding
/// (slot index → field) until it returns `true`. Returns whether any visit returned `true`.
pub(crate) fn align<'l>(
    p: &DelimitedPattern,
    fields: &[&'l str],
    visit: &mut dyn FnMut(&[Option<&'l str>]) -> bool,
) -> bool {
    let mut binding = vec![None; p.fields.len()];
    let mut budget = MAX_ALIGNMENTS;
    align_from(p, fields, 0, 0, &mut binding, &mut budget, visit)
}

fn align_from<'l>(
    p: &DelimitedPattern,
    fields: &[&'l str],
    slot: usize,
    at: usize,
    binding: &mut Vec<Option<&'l str>>,
    budget: &mut usize,
    visit: &mut dyn FnMut(&[Option<&'l str>]) -> bool,
) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    let Some(field) = p.fields.get(slot) else {
        if at == fields.len() {
            return visit(binding);
        }
        return false;
    };
    // Slots still needing one field each after this one: prune impossible alignments.
    let named_after = p.fields[slot + 1..]
        .iter()
        .filter(|f| matches!(f, DelimitedField::Named { .. }))
        .count();
    match field {
        DelimitedField::Named { .. } => {
            let Some(value) = fields.get(at) else {
                return false;
            };
            binding[slot] = Some(*value);
            align_from(p, fields, slot + 1, at + 1, binding, budget, visit)
        }
        DelimitedField::Ellipsis(_) => {
            binding[slot] = None;
            let max_take = fields.len().saturating_sub(at + named_after);
            let last = p.fields[slot + 1..]
                .iter()
                .all(|f| matches!(f, DelimitedField::Ellipsis(_)));
            for take in 0..=max_take {
                // A trailing `...` only needs to swallow the rest.
                if last && take != max_take {
                    continue;
                }
                if align_from(p, fields, slot + 1, at + take, binding, budget, visit) {
                    return true;
                }
            }
            false
        }
    }
}

/// Looks a field up by name in a binding (first slot with that name).
pub(crate) fn lookup<'l>(
    p: &DelimitedPattern,
    binding: &[Option<&'l str>],
    name: &str,
) -> Option<&'l str> {
    p.fields.iter().zip(binding).find_map(|(f, v)| match f {
        DelimitedField::Named { name: n, .. } if n == name => *v,
        _ => None,
    })
}

/// Evaluates a slot's conditions under a binding, reporting each leaf to `leaf`.
pub(crate) fn eval_delimited_expr(
    p: &DelimitedPattern,
    e: &DelimitedExpr,
    binding: &[Option<&str>],
    leaf: &mut dyn FnMut(&super::ast::DelimitedCond, bool, Option<&str>),
) -> bool {
    match e {
        DelimitedExpr::And(items, _) => {
            // Not `all`: every leaf is evaluated so explanations report them all.
            let results: Vec<bool> = items
                .iter()
                .map(|i| eval_delimited_expr(p, i, binding, leaf))
                .collect();
            results.iter().all(|&b| b)
        }
        DelimitedExpr::Or(items, _) => {
            let results: Vec<bool> = items
                .iter()
                .map(|i| eval_delimited_expr(p, i, binding, leaf))
                .collect();
            results.iter().any(|&b| b)
        }
        DelimitedExpr::Cond(c) => {
            let value = lookup(p, binding, &c.name);
            let held =
                value.is_some_and(|v| test_text(&c.test, v, parse_number(v).and_then(Result::ok)));
            leaf(c, held, value);
            held
        }
    }
}

/// Whether all slot conditions hold under a binding.
pub(crate) fn binding_holds(p: &DelimitedPattern, binding: &[Option<&str>]) -> bool {
    p.fields.iter().all(|f| match f {
        DelimitedField::Named { cond: Some(e), .. } => {
            eval_delimited_expr(p, e, binding, &mut |_, _, _| {})
        }
        _ => true,
    })
}

/// Whether a space-delimited pattern matches a line.
pub fn eval_delimited(p: &DelimitedPattern, line: &str) -> bool {
    let fields = split_fields(line);
    align(p, &fields, &mut |binding| binding_holds(p, binding))
}
