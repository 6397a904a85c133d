//! From pattern JSON to the typed pattern, refusing what EventBridge refuses.
//!
//! The checks follow event-ruler's `JsonRuleCompiler` (the engine behind EventBridge rules),
//! whose messages are reused: "Filter is not an object", "Empty objects are not allowed",
//! "Empty arrays are not allowed", "\"x\" must be an object or an array", "Only one key allowed
//! in match expression", "Unrecognized match type", the numeric range rules and the `$or`
//! rules ("There must have at least 2 Objects in $or relationship", reserved names inside
//! `$or`). Where EventBridge documents no check (the numeric range limits, say) the pattern is
//! accepted: the patterns checked here come from rules AWS already accepted.

use serde_json::{Map, Value};

use super::error::{EventPatternError, EventPatternErrorKind as Kind};
use super::ip::Cidr;
use super::matcher::{AnythingBut, Matcher, Range};
use super::wildcard::Wildcard;
use super::{FieldPattern, ObjectPattern};

/// Field names that cannot appear inside `$or` (event-ruler `Constants.java`,
/// `RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP`).
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

fn invalid(path: &str, kind: Kind) -> EventPatternError {
    EventPatternError::Invalid {
        path: if path.is_empty() {
            "$".to_owned()
        } else {
            path.to_owned()
        },
        kind,
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Parses a whole pattern document.
pub(crate) fn parse_root(value: &Value) -> Result<ObjectPattern, EventPatternError> {
    match value {
        Value::Object(map) => parse_object(map, "", false),
        _ => Err(invalid("", Kind::NotAnObject)),
    }
}

fn parse_object(
    map: &Map<String, Value>,
    path: &str,
    in_or: bool,
) -> Result<ObjectPattern, EventPatternError> {
    if map.is_empty() {
        return Err(invalid(path, Kind::EmptyObject));
    }
    let mut pattern = ObjectPattern::default();
    for (key, value) in map {
        let here = child(path, key);
        if key == "$or" {
            match value {
                Value::Array(alternatives) => {
                    if alternatives.len() < 2 {
                        return Err(invalid(&here, Kind::Or));
                    }
                    let mut parsed = Vec::with_capacity(alternatives.len());
                    for (i, alternative) in alternatives.iter().enumerate() {
                        let Value::Object(inner) = alternative else {
                            return Err(invalid(&format!("{here}[{i}]"), Kind::Or));
                        };
                        // `$or` is not a step in the event path: its objects sit at `path`.
                        parsed.push(parse_object(inner, path, true)?);
                    }
                    pattern.any_of.push(parsed);
                    continue;
                }
                // event-ruler keeps `"$or": {…}` working as an ordinary field name.
                Value::Object(_) => {}
                _ => return Err(invalid(&here, Kind::Or)),
            }
        }
        if in_or && RESERVED_IN_OR.contains(&key.as_str()) {
            return Err(invalid(&here, Kind::ReservedNameInOr(key.clone())));
        }
        let field = match value {
            Value::Object(inner) => FieldPattern::Nested(parse_object(inner, &here, in_or)?),
            Value::Array(values) => FieldPattern::Leaf(parse_values(values, &here)?),
            _ => return Err(invalid(&here, Kind::NotObjectOrArray)),
        };
        pattern.fields.push((key.clone(), field));
    }
    Ok(pattern)
}

fn parse_values(values: &[Value], path: &str) -> Result<Vec<Matcher>, EventPatternError> {
    if values.is_empty() {
        return Err(invalid(path, Kind::EmptyArray));
    }
    values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let here = format!("{path}[{i}]");
            match value {
                Value::Object(operator) => {
                    parse_operator(operator).map_err(|kind| invalid(&here, kind))
                }
                Value::Array(_) => Err(invalid(&here, Kind::BadMatchValue)),
                scalar => Ok(Matcher::Exact(scalar.clone())),
            }
        })
        .collect()
}

/// The single `(name, value)` of an operator object.
fn single(map: &Map<String, Value>) -> Result<(&str, &Value), Kind> {
    let mut entries = map.iter();
    let Some((name, value)) = entries.next() else {
        return Err(Kind::EmptyOperator);
    };
    if entries.next().is_some() {
        return Err(Kind::TooManyKeys);
    }
    Ok((name.as_str(), value))
}

fn string(value: &Value, operator: &'static str) -> Result<String, Kind> {
    value.as_str().map(str::to_owned).ok_or(Kind::WrongType {
        operator,
        expected: "a string",
    })
}

/// `"text"` or `{"equals-ignore-case": "text"}`, the forms `prefix` and `suffix` take.
fn affix(value: &Value, operator: &'static str) -> Result<(String, bool), Kind> {
    match value {
        Value::String(text) => Ok((text.clone(), false)),
        Value::Object(inner) => match single(inner)? {
            ("equals-ignore-case", Value::String(text)) => Ok((text.clone(), true)),
            ("equals-ignore-case", _) => Err(Kind::WrongType {
                operator: "equals-ignore-case",
                expected: "a string",
            }),
            (other, _) => Err(Kind::UnknownOperator(format!("{operator}.{other}"))),
        },
        _ => Err(Kind::WrongType {
            operator,
            expected: "a string or {\"equals-ignore-case\": string}",
        }),
    }
}

fn parse_operator(map: &Map<String, Value>) -> Result<Matcher, Kind> {
    let (name, value) = single(map)?;
    Ok(match name {
        "prefix" => {
            let (text, ignore_case) = affix(value, "prefix")?;
            Matcher::Prefix { text, ignore_case }
        }
        "suffix" => {
            let (text, ignore_case) = affix(value, "suffix")?;
            Matcher::Suffix { text, ignore_case }
        }
        "equals-ignore-case" => Matcher::EqualsIgnoreCase(string(value, "equals-ignore-case")?),
        "wildcard" => Matcher::Wildcard(Wildcard::parse(&string(value, "wildcard")?)?),
        // event-ruler's explicit exact match; not in the EventBridge docs but accepted there.
        "exactly" => Matcher::Exact(Value::String(string(value, "exactly")?)),
        "anything-but" => Matcher::AnythingBut(parse_anything_but(value)?),
        "numeric" => match value {
            Value::Array(terms) => Matcher::Numeric(parse_numeric(terms)?),
            _ => {
                return Err(Kind::WrongType {
                    operator: "numeric",
                    expected: "an array",
                });
            }
        },
        "exists" => match value {
            Value::Bool(wanted) => Matcher::Exists(*wanted),
            _ => {
                return Err(Kind::WrongType {
                    operator: "exists",
                    expected: "true or false",
                });
            }
        },
        "cidr" => Matcher::Cidr(Cidr::parse(&string(value, "cidr")?)?),
        other => return Err(Kind::UnknownOperator(other.to_owned())),
    })
}

fn parse_anything_but(value: &Value) -> Result<AnythingBut, Kind> {
    match value {
        Value::String(_) | Value::Number(_) => Ok(AnythingBut::Values(vec![value.clone()])),
        Value::Array(items) => {
            let strings = items.iter().all(Value::is_string);
            let numbers = items.iter().all(Value::is_number);
            if !strings && !numbers {
                return Err(if items.iter().all(|v| v.is_string() || v.is_number()) {
                    Kind::MixedAnythingBut
                } else {
                    Kind::WrongType {
                        operator: "anything-but",
                        expected: "strings or numbers",
                    }
                });
            }
            Ok(AnythingBut::Values(items.clone()))
        }
        Value::Object(inner) => {
            let (name, value) = single(inner)?;
            let operator: &'static str = match name {
                "prefix" => "anything-but.prefix",
                "suffix" => "anything-but.suffix",
                "equals-ignore-case" => "anything-but.equals-ignore-case",
                "wildcard" => "anything-but.wildcard",
                other => return Err(Kind::UnknownOperator(format!("anything-but.{other}"))),
            };
            let texts = strings(value, operator)?;
            Ok(match name {
                "prefix" => AnythingBut::Prefix(texts),
                "suffix" => AnythingBut::Suffix(texts),
                "equals-ignore-case" => AnythingBut::EqualsIgnoreCase(texts),
                _ => AnythingBut::Wildcard(
                    texts
                        .iter()
                        .map(|t| Wildcard::parse(t))
                        .collect::<Result<_, _>>()?,
                ),
            })
        }
        _ => Err(Kind::WrongType {
            operator: "anything-but",
            expected: "a string, a number, a list of strings or numbers, or an object",
        }),
    }
}

/// A string or a non-empty list of strings.
fn strings(value: &Value, operator: &'static str) -> Result<Vec<String>, Kind> {
    let wrong = Kind::WrongType {
        operator,
        expected: "a string or a list of strings",
    };
    match value {
        Value::String(text) => Ok(vec![text.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or(wrong.clone()))
            .collect(),
        _ => Err(wrong),
    }
}

/// `[op, n]` with op one of `= > >= < <=`, or `[> | >=, low, < | <=, high]` with low < high
/// (event-ruler `processNumericMatchExpression`, `completeNumericRange`, "Bottom must be less
/// than top").
fn parse_numeric(terms: &[Value]) -> Result<Range, Kind> {
    let number = |v: &Value| {
        v.as_f64()
            .ok_or(Kind::Numeric("bounds must be JSON numbers"))
    };
    match terms {
        [Value::String(op), n] => {
            let n = number(n)?;
            Ok(match op.as_str() {
                "=" => Range {
                    low: Some((n, true)),
                    high: Some((n, true)),
                },
                ">" => Range {
                    low: Some((n, false)),
                    high: None,
                },
                ">=" => Range {
                    low: Some((n, true)),
                    high: None,
                },
                "<" => Range {
                    low: None,
                    high: Some((n, false)),
                },
                "<=" => Range {
                    low: None,
                    high: Some((n, true)),
                },
                _ => return Err(Kind::Numeric("the operator must be =, >, >=, < or <=")),
            })
        }
        [Value::String(lower_op), low, Value::String(upper_op), high] => {
            let low_inclusive = match lower_op.as_str() {
                ">" => false,
                ">=" => true,
                _ => return Err(Kind::Numeric("a range must start with > or >=")),
            };
            let high_inclusive = match upper_op.as_str() {
                "<" => false,
                "<=" => true,
                _ => return Err(Kind::Numeric("a range must end with < or <=")),
            };
            let (low, high) = (number(low)?, number(high)?);
            if low >= high {
                return Err(Kind::Numeric(
                    "the lower bound must be below the upper bound",
                ));
            }
            Ok(Range {
                low: Some((low, low_inclusive)),
                high: Some((high, high_inclusive)),
            })
        }
        _ => Err(Kind::Numeric(
            "expected [operator, number] or [>|>=, number, <|<=, number]",
        )),
    }
}
