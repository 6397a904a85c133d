//! The `Condition` block: operators over condition keys.
//!
//! Every operator of the block must hold, every key under an operator must hold, and a key
//! holds when any of its values matches. Semantics of a key missing from the request, and of
//! `…IfExists`, `ForAnyValue:`, `ForAllValues:` and `Null`, as the IAM User Guide gives them
//! ("IAM JSON policy elements: Condition operators" and "Single-valued vs. multivalued context
//! keys"):
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>.
//!
//! - A positive operator (`StringEquals`, `ArnLike`, `Bool`, …) on a missing key is false; a
//!   negated one (`StringNotEquals`, `ArnNotLike`, …) is true; `…IfExists` makes either true.
//! - `ForAllValues:` on a missing key is true; `ForAnyValue:` on a missing key is false.
//! - `Null: true` holds when the key is missing, `Null: false` when it is present.

use serde_json::Value;

use super::statement::bounded;
use super::{Context, Lookup, Tri, glob};

/// How an operator compares one request value with one policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Arn,
    Bool,
}

/// A parsed operator name.
#[derive(Debug, Clone, Copy)]
struct Operator {
    compare: Option<Compare>,
    negated: bool,
    if_exists: bool,
    set: Set,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    Single,
    AnyValue,
    AllValues,
}

fn operator(name: &str) -> Option<Operator> {
    let (set, rest) = if let Some(rest) = strip_prefix_ignore_case(name, "ForAnyValue:") {
        (Set::AnyValue, rest)
    } else if let Some(rest) = strip_prefix_ignore_case(name, "ForAllValues:") {
        (Set::AllValues, rest)
    } else {
        (Set::Single, name)
    };
    let (base, if_exists) = match rest.len().checked_sub("IfExists".len()) {
        Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") => {
            (&rest[..cut], true)
        }
        _ => (rest, false),
    };
    let (compare, negated) = match base.to_ascii_lowercase().as_str() {
        "stringequals" => (Some(Compare::StringEquals), false),
        "stringnotequals" => (Some(Compare::StringEquals), true),
        "stringequalsignorecase" => (Some(Compare::StringEqualsIgnoreCase), false),
        "stringnotequalsignorecase" => (Some(Compare::StringEqualsIgnoreCase), true),
        "stringlike" => (Some(Compare::StringLike), false),
        "stringnotlike" => (Some(Compare::StringLike), true),
        "arnequals" | "arnlike" => (Some(Compare::Arn), false),
        "arnnotequals" | "arnnotlike" => (Some(Compare::Arn), true),
        "bool" => (Some(Compare::Bool), false),
        // `Null` takes no `IfExists` and no set qualifier.
        "null" if !if_exists && set == Set::Single => (None, false),
        _ => return None,
    };
    Some(Operator {
        compare,
        negated,
        if_exists,
        set,
    })
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Whether a statement's `Condition` block holds in `context`.
pub(crate) fn block(block: &Value, label: &str, context: &Context) -> Tri {
    let Value::Object(operators) = block else {
        return Tri::Unknown(format!(
            "statement `{label}` has a `Condition` that is not an object"
        ));
    };
    let mut answer = Tri::Yes;
    for (name, keys) in operators {
        let Some(op) = operator(name) else {
            answer = answer.and(|| {
                Tri::Unknown(format!(
                    "statement `{label}` uses the condition operator `{}`, which trailwarden does not evaluate",
                    bounded(name)
                ))
            });
            continue;
        };
        let Value::Object(keys) = keys else {
            return Tri::Unknown(format!(
                "statement `{label}`: the `{}` condition is not an object",
                bounded(name)
            ));
        };
        for (key, values) in keys {
            answer = answer.and(|| one_key(op, name, key, values, label, context));
            if answer == Tri::No {
                return Tri::No;
            }
        }
    }
    answer
}

fn one_key(
    op: Operator,
    name: &str,
    key: &str,
    values: &Value,
    label: &str,
    context: &Context,
) -> Tri {
    let Some(values) = condition_values(values) else {
        return Tri::Unknown(format!(
            "statement `{label}`: the values of `{}` under `{}` are not strings, numbers or booleans",
            bounded(key),
            bounded(name)
        ));
    };
    if values.iter().any(|v| v.contains("${")) {
        return Tri::Unknown(format!(
            "statement `{label}` uses a policy variable in `{}`",
            bounded(key)
        ));
    }
    let request = match context.lookup(key) {
        Lookup::Unknown => {
            return Tri::Unknown(format!(
                "statement `{label}` has a condition on `{}`, which trailwarden cannot tell the request carries",
                bounded(key)
            ));
        }
        Lookup::Absent => None,
        Lookup::Present(values) => Some(values),
    };
    let Some(compare) = op.compare else {
        // `Null`: "true" wants the key missing, "false" wants it present.
        return Tri::from_bool(
            values
                .iter()
                .any(|v| match v.to_ascii_lowercase().as_str() {
                    "true" => request.is_none(),
                    "false" => request.is_some(),
                    _ => false,
                }),
        );
    };
    let Some(request) = request else {
        return Tri::from_bool(match op.set {
            Set::AllValues => true,
            Set::AnyValue => op.if_exists,
            Set::Single => op.if_exists || op.negated,
        });
    };
    let matches_any = |given: &String| values.iter().any(|v| compare_one(compare, v, given));
    let holds = |given: &String| matches_any(given) != op.negated;
    Tri::from_bool(match op.set {
        Set::AllValues => request.iter().all(holds),
        Set::AnyValue => request.iter().any(holds),
        // A single-valued key: the one value (several would be compared as "any").
        Set::Single if op.negated => !request.iter().any(matches_any),
        Set::Single => request.iter().any(matches_any),
    })
}

fn compare_one(compare: Compare, policy: &str, request: &str) -> bool {
    match compare {
        Compare::StringEquals => policy == request,
        Compare::StringEqualsIgnoreCase => policy.to_lowercase() == request.to_lowercase(),
        Compare::StringLike => glob::matches(policy, request),
        Compare::Arn => glob::arn_matches(policy, request),
        Compare::Bool => policy.eq_ignore_ascii_case(request),
    }
}

/// A condition's values as text: a string, number or boolean, or a list of them.
fn condition_values(value: &Value) -> Option<Vec<String>> {
    let one = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    match value {
        Value::Array(many) => many.iter().map(one).collect(),
        other => one(other).map(|v| vec![v]),
    }
}
