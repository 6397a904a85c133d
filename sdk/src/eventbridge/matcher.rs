//! The leaf operators of an event pattern and how each tests one event value.
//!
//! Every operator here tests one scalar of the event (a string, number, boolean or null); the
//! caller gives it every scalar found at the field, array elements included, and the field
//! matches when any of them matches. Sources for each rule are on the variants.

use serde_json::Value;

use super::ip::{self, Cidr};
use super::wildcard::Wildcard;

/// One entry of a field's value array.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Matcher {
    /// A literal string, number, boolean or null: "An event pattern matches the event if any of
    /// the values in the array match the value in the event" ("Creating event patterns").
    /// Numbers also compare numerically (event-ruler adds a numeric-equals matcher for every
    /// number), and IP-address strings compare as addresses.
    Exact(Value),
    /// `{"prefix": "…"}` / `{"prefix": {"equals-ignore-case": "…"}}`; strings only.
    Prefix {
        /// The prefix.
        text: String,
        /// Whether case is ignored.
        ignore_case: bool,
    },
    /// `{"suffix": "…"}` / `{"suffix": {"equals-ignore-case": "…"}}`; strings only.
    Suffix {
        /// The suffix.
        text: String,
        /// Whether case is ignored.
        ignore_case: bool,
    },
    /// `{"equals-ignore-case": "…"}`; strings only.
    EqualsIgnoreCase(String),
    /// `{"wildcard": "…"}`; strings only.
    Wildcard(Wildcard),
    /// `{"anything-but": …}`: the field must have a value, and it must not be one of these.
    AnythingBut(AnythingBut),
    /// `{"numeric": [ … ]}`; JSON numbers only ("only work with values that are JSON numbers").
    Numeric(Range),
    /// `{"exists": true|false}`: presence of a leaf value (decided by the caller).
    Exists(bool),
    /// `{"cidr": "…"}`; strings holding an IP address of the same family.
    Cidr(Cidr),
}

/// The forms `anything-but` takes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AnythingBut {
    /// A string, a number, or a list that is all strings or all numbers.
    Values(Vec<Value>),
    /// `{"anything-but": {"prefix": …}}`.
    Prefix(Vec<String>),
    /// `{"anything-but": {"suffix": …}}`.
    Suffix(Vec<String>),
    /// `{"anything-but": {"equals-ignore-case": …}}`.
    EqualsIgnoreCase(Vec<String>),
    /// `{"anything-but": {"wildcard": …}}`.
    Wildcard(Vec<Wildcard>),
}

/// A numeric interval; `None` is unbounded. The flag says whether the bound is included.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Range {
    pub(crate) low: Option<(f64, bool)>,
    pub(crate) high: Option<(f64, bool)>,
}

impl Range {
    fn contains(&self, x: f64) -> bool {
        let above = match self.low {
            None => true,
            Some((low, true)) => x >= low,
            Some((low, false)) => x > low,
        };
        let below = match self.high {
            None => true,
            Some((high, true)) => x <= high,
            Some((high, false)) => x < high,
        };
        above && below
    }
}

/// Whether the literal `pattern` equals the event value `event`.
pub(crate) fn exact_equal(pattern: &Value, event: &Value) -> bool {
    match (pattern, event) {
        (Value::String(a), Value::String(b)) => a == b || ip::same_address(a, b),
        (Value::Number(a), Value::Number(b)) => {
            a == b || matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y)
        }
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

fn lower(text: &str) -> String {
    text.to_lowercase()
}

impl Matcher {
    /// Whether the field matches, given every scalar found at it (empty when it is absent or
    /// holds only objects or empty arrays).
    pub(crate) fn matches_leaves(&self, leaves: &[&Value]) -> bool {
        match self {
            // "Exists matching only works on the leaf nodes" (event-ruler README).
            Matcher::Exists(wanted) => leaves.is_empty() != *wanted,
            other => leaves.iter().any(|leaf| other.matches_value(leaf)),
        }
    }

    fn matches_value(&self, value: &Value) -> bool {
        let text = value.as_str();
        match self {
            Matcher::Exact(literal) => exact_equal(literal, value),
            Matcher::Prefix {
                text: p,
                ignore_case,
            } => text.is_some_and(|s| {
                if *ignore_case {
                    lower(s).starts_with(&lower(p))
                } else {
                    s.starts_with(p.as_str())
                }
            }),
            Matcher::Suffix {
                text: p,
                ignore_case,
            } => text.is_some_and(|s| {
                if *ignore_case {
                    lower(s).ends_with(&lower(p))
                } else {
                    s.ends_with(p.as_str())
                }
            }),
            Matcher::EqualsIgnoreCase(p) => text.is_some_and(|s| lower(s) == lower(p)),
            Matcher::Wildcard(w) => text.is_some_and(|s| w.matches(s)),
            Matcher::AnythingBut(but) => but.accepts(value),
            Matcher::Numeric(range) => value.as_f64().is_some_and(|x| range.contains(x)),
            Matcher::Exists(_) => true,
            Matcher::Cidr(block) => text.is_some_and(|s| block.contains(s)),
        }
    }
}

impl AnythingBut {
    /// Whether one event value is "anything but" the excluded ones. A value the excluded form
    /// cannot describe (a number against a `prefix`) is not excluded, so it is accepted.
    fn accepts(&self, value: &Value) -> bool {
        let text = value.as_str();
        match self {
            AnythingBut::Values(excluded) => !excluded.iter().any(|e| exact_equal(e, value)),
            AnythingBut::Prefix(prefixes) => {
                !text.is_some_and(|s| prefixes.iter().any(|p| s.starts_with(p.as_str())))
            }
            AnythingBut::Suffix(suffixes) => {
                !text.is_some_and(|s| suffixes.iter().any(|p| s.ends_with(p.as_str())))
            }
            AnythingBut::EqualsIgnoreCase(words) => {
                !text.is_some_and(|s| words.iter().any(|w| lower(w) == lower(s)))
            }
            AnythingBut::Wildcard(patterns) => {
                !text.is_some_and(|s| patterns.iter().any(|w| w.matches(s)))
            }
        }
    }
}
