//! EventBridge event patterns: parse them and decide, by meaning, whether a rule matches an
//! event.
//!
//! A rule that notifies on KMS key deletion only helps when its pattern really matches the event
//! EventBridge delivers for `ScheduleKeyDeletion`. Comparing pattern text cannot tell
//! `{"prefix": "Schedule"}` from `{"anything-but": ["ScheduleKeyDeletion"]}`; evaluating the
//! pattern against the delivered event can. This module implements the content-filtering
//! language ([`EventPattern`]), builds the event EventBridge delivers for a CloudTrail record
//! ([`cloudtrail_envelope`]) and says whether a rule's state lets a CloudTrail event through at
//! all ([`state_delivers`]).
//!
//! Sources, read for this implementation:
//! - "Creating event patterns" and "Content filtering in Amazon EventBridge event patterns",
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html>,
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html>:
//!   fields at one level are ANDed, the values in a field's array are ORed, and "If the value in
//!   the event is an array, then the event pattern matches if the intersection of the event
//!   pattern array and the event array is non-empty."
//! - "Comparison operators for use in event patterns in Amazon EventBridge",
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html>:
//!   "Comparison operators only work on leaf nodes, with the exception of `$or` and
//!   `anything-but`."
//! - event-ruler (`aws/event-ruler`, the matching library behind EventBridge), `README.md` and
//!   `JsonRuleCompiler.java`, for what the docs leave open: which patterns are refused, that
//!   `exists` looks at leaves only, that numbers in exact matches also compare numerically, and
//!   that a nested pattern under an array must match within one array element
//!   (`rulesForJSONEvent`).
//!
//! ```
//! use trailwarden_sdk::eventbridge::{EventPattern, cloudtrail_envelope};
//! use trailwarden_sdk::events::kms;
//!
//! let record = kms::schedule_key_deletion("eu-west-1", "111122223333");
//! let event = cloudtrail_envelope(&record, "eu-west-1", "111122223333");
//! assert_eq!(event["detail-type"], "AWS API Call via CloudTrail");
//!
//! let rule = EventPattern::parse(
//!     r#"{"source": ["aws.kms"], "detail": {"eventName": [{"prefix": "Schedule"}]}}"#,
//! )?;
//! assert!(rule.matches(&event));
//! let other = EventPattern::parse(r#"{"detail": {"eventName": [{"anything-but": ["ScheduleKeyDeletion"]}]}}"#)?;
//! assert!(!other.matches(&event));
//! # Ok::<(), trailwarden_sdk::eventbridge::EventPatternError>(())
//! ```

mod envelope;
mod error;
mod ip;
mod matcher;
mod parse;
mod state;
mod wildcard;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

pub use envelope::{cloudtrail_envelope, detail_type, event_source_to_source};
pub use error::{EventPatternError, EventPatternErrorKind};
pub use state::{Delivery, NotDelivered, RuleState, state_delivers};

use matcher::Matcher;

/// A parsed EventBridge event pattern.
///
/// Parse once with [`EventPattern::parse`], then test any number of events with
/// [`EventPattern::matches`]. Matching never fails: an event is JSON, and a field the pattern
/// names but the event lacks simply does not match (unless the pattern asks for
/// `{"exists": false}`).
#[derive(Debug, Clone, PartialEq)]
pub struct EventPattern {
    root: ObjectPattern,
}

/// The conditions on one JSON object of the event: every field must match, and each `$or`
/// group needs one matching alternative.
#[derive(Debug, Clone, Default, PartialEq)]
struct ObjectPattern {
    fields: Vec<(String, FieldPattern)>,
    any_of: Vec<Vec<ObjectPattern>>,
}

/// What a pattern says about one field.
#[derive(Debug, Clone, PartialEq)]
enum FieldPattern {
    /// `"field": { … }`: conditions on a nested object.
    Nested(ObjectPattern),
    /// `"field": [ … ]`: any of these matchers.
    Leaf(Vec<Matcher>),
}

impl EventPattern {
    /// Parses pattern JSON text, refusing what EventBridge refuses (see the error kinds).
    pub fn parse(text: &str) -> Result<Self, EventPatternError> {
        let value: Value = serde_json::from_str(text)?;
        Self::from_value(&value)
    }

    /// Parses a pattern that is already JSON.
    pub fn from_value(value: &Value) -> Result<Self, EventPatternError> {
        Ok(Self {
            root: parse::parse_root(value)?,
        })
    }

    /// Whether `event` (a whole EventBridge event, e.g. from [`cloudtrail_envelope`]) matches.
    pub fn matches(&self, event: &Value) -> bool {
        self.root.matches(event.as_object())
    }
}

impl ObjectPattern {
    /// `object` is `None` when the event has no object here (the field is absent or a scalar);
    /// conditions such as `{"exists": false}` can still hold.
    fn matches(&self, object: Option<&Map<String, Value>>) -> bool {
        self.fields
            .iter()
            .all(|(name, field)| field.matches(object.and_then(|o| o.get(name))))
            && self
                .any_of
                .iter()
                .all(|alternatives| alternatives.iter().any(|alt| alt.matches(object)))
    }
}

impl FieldPattern {
    fn matches(&self, value: Option<&Value>) -> bool {
        match self {
            FieldPattern::Leaf(matchers) => {
                let mut leaves = Vec::new();
                if let Some(value) = value {
                    collect_leaves(value, &mut leaves);
                }
                matchers.iter().any(|m| m.matches_leaves(&leaves))
            }
            FieldPattern::Nested(inner) => {
                let mut objects = Vec::new();
                if let Some(value) = value {
                    collect_objects(value, &mut objects);
                }
                if objects.is_empty() {
                    inner.matches(None)
                } else {
                    // Each array element is tried on its own, so two conditions can never be
                    // satisfied by two different elements (event-ruler `rulesForJSONEvent`).
                    objects.into_iter().any(|o| inner.matches(o))
                }
            }
        }
    }
}

/// Every scalar at a field, looking through arrays (and arrays of arrays).
fn collect_leaves<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect_leaves(item, out)),
        Value::Object(_) => {}
        scalar => out.push(scalar),
    }
}

/// What a nested pattern is tried against: each object at the field, looking through arrays;
/// scalars count as "no object here".
fn collect_objects<'a>(value: &'a Value, out: &mut Vec<Option<&'a Map<String, Value>>>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect_objects(item, out)),
        Value::Object(map) => out.push(Some(map)),
        _ => out.push(None),
    }
}
