//! Does a trail capture a given CloudTrail record? The first link of every monitoring chain.
//!
//! A trail that drops KMS events (`ExcludeManagementEventSources`, an advanced selector with
//! `eventSource NotEquals kms.amazonaws.com`, or `ReadWriteType WriteOnly` for `Decrypt`)
//! silently breaks every metric filter and alarm downstream. [`trail_captures`] evaluates a
//! trail's selectors against a record and, when the record is dropped, names each selector and
//! the setting that dropped it.
//!
//! Sources, as read for this module:
//! - CloudTrail API reference, `EventSelector`: `ReadWriteType` `ReadOnly | WriteOnly | All`,
//!   `IncludeManagementEvents`, and `ExcludeManagementEventSources`: "the list can be empty
//!   (disables the filter), or it can filter out AWS Key Management Service or Amazon RDS Data
//!   API events by containing `kms.amazonaws.com` or `rdsdata.amazonaws.com`".
//! - CloudTrail API reference, `AdvancedEventSelector` / `AdvancedFieldSelector`
//!   (<https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html>):
//!   fields for management events `eventCategory` (required), `eventSource`, `readOnly` (plus
//!   `eventName`, `eventType`, `sessionCredentialFromConsole`, `userIdentity.arn` for event data
//!   stores); for data events also `resources.type`, `resources.ARN`; for network activity
//!   events `errorCode` and `vpcEndpointId`. `Equals`, `StartsWith`, `EndsWith` are operators
//!   "that include events that match"; `NotEquals`, `NotStartsWith`, `NotEndsWith` "exclude
//!   events that match". "Selectors don't support the use of wildcards like `*`". `readOnly`
//!   takes the strings `true`/`false`.
//! - "You cannot apply both event selectors and advanced event selectors to a trail."
//! - "Logging management events" (CloudTrail User Guide): a trail logs all management events,
//!   read and write, unless selectors say otherwise; hence an empty `GetEventSelectors` answer
//!   means the default.
//!
//! From the include/exclude wording this module takes: the values of one including operator
//! are ORed (the event matches one of them); the values of one excluding operator are ANDed (the
//! event matches none of them); different operators on one field, and the field selectors of one
//! advanced selector, are ANDed; a record is captured when any selector captures it. A field the
//! record lacks matches no value, so including operators reject it and excluding operators let
//! it through. `sessionCredentialFromConsole` is only written when `true`, so its absence reads
//! as `false`. For multi-valued fields (`resources.type`, `resources.ARN`) an including operator
//! needs one resource to match and an excluding operator needs none to match.

use std::fmt;

use serde_json::Value;

use crate::snapshot::{
    AdvancedEventSelector, AdvancedFieldSelector, EventSelector, EventSelectors, ReadWriteType,
};

/// Whether a trail captures a record, and if not, why.
#[derive(Debug, Clone, PartialEq)]
pub enum Capture {
    /// The record is logged; the selector that admits it is given.
    Captured(SelectorRef),
    /// The record is dropped. One entry per selector, each naming what dropped the record there.
    Dropped(Vec<Dropped>),
    /// The trail's selectors could not be read (`GetEventSelectors` failed or was not called),
    /// so nobody knows. Callers report "could not verify", never a pass or a failure.
    Unknown,
}

impl Capture {
    /// Whether the record is known to be captured.
    pub fn is_captured(&self) -> bool {
        matches!(self, Capture::Captured(_))
    }
}

/// A selector of a trail, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectorRef {
    /// No selectors are configured: CloudTrail logs all management events, read and write.
    Default,
    /// The basic selector at this index of `EventSelectors`.
    Basic(usize),
    /// The advanced selector at this index of `AdvancedEventSelectors`, with its name if any.
    Advanced {
        /// Position in the list.
        index: usize,
        /// The selector's `Name`.
        name: Option<String>,
    },
}

impl fmt::Display for SelectorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectorRef::Default => f.write_str("the default selector (no selectors configured)"),
            SelectorRef::Basic(index) => write!(f, "basic selector {index}"),
            SelectorRef::Advanced {
                name: Some(name), ..
            } => write!(f, "advanced selector '{name}'"),
            SelectorRef::Advanced { index, name: None } => write!(f, "advanced selector {index}"),
        }
    }
}

/// One selector that does not capture the record, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Dropped {
    /// The selector.
    pub selector: SelectorRef,
    /// What in it rejects the record.
    pub reason: DropReason,
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.selector, self.reason)
    }
}

/// What in a selector rejects a record. Displayed as the rest of a sentence that starts with
/// the selector ("basic selector 0 has ReadWriteType WriteOnly and the event is read-only").
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DropReason {
    /// `IncludeManagementEvents` is false and the record is a management event.
    ManagementEventsExcluded,
    /// `ReadWriteType` does not cover the record's `readOnly` (`None` when the record has none).
    ReadWriteType {
        /// The selector's setting.
        read_write_type: ReadWriteType,
        /// The record's `readOnly`.
        read_only: Option<bool>,
    },
    /// `ExcludeManagementEventSources` lists the record's event source.
    ExcludedSource(String),
    /// The record is not a management event and the selector logs only management events (or
    /// no data resource of the selector matches it).
    NotSelectedCategory(String),
    /// A field selector of an advanced selector rejects the record.
    Field {
        /// The field, e.g. `eventSource`.
        field: String,
        /// The operator that rejects it.
        operator: Operator,
        /// The operator's values.
        values: Vec<String>,
        /// The record's value(s) of the field; empty when absent.
        actual: Vec<String>,
    },
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DropReason::ManagementEventsExcluded => {
                f.write_str("has IncludeManagementEvents false")
            }
            DropReason::ReadWriteType {
                read_write_type,
                read_only,
            } => {
                let kind = match read_only {
                    Some(true) => "the event is read-only",
                    Some(false) => "the event is a write event",
                    None => "the event has no readOnly field",
                };
                write!(f, "has ReadWriteType {read_write_type:?} and {kind}")
            }
            DropReason::ExcludedSource(source) => {
                write!(f, "has ExcludeManagementEventSources containing {source}")
            }
            DropReason::NotSelectedCategory(category) => {
                write!(f, "does not select {category} events of this kind")
            }
            DropReason::Field {
                field,
                operator,
                values,
                actual,
            } => {
                write!(f, "field {field} {operator} {}", values.join(", "))?;
                if actual.is_empty() {
                    write!(f, " (the event has no {field})")
                } else {
                    write!(f, " (the event has {})", actual.join(", "))
                }
            }
        }
    }
}

/// An advanced field selector operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// Includes exact matches.
    Equals,
    /// Excludes exact matches.
    NotEquals,
    /// Includes values starting with one of the values.
    StartsWith,
    /// Excludes values starting with any of the values.
    NotStartsWith,
    /// Includes values ending with one of the values.
    EndsWith,
    /// Excludes values ending with any of the values.
    NotEndsWith,
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operator::Equals => "Equals",
            Operator::NotEquals => "NotEquals",
            Operator::StartsWith => "StartsWith",
            Operator::NotStartsWith => "NotStartsWith",
            Operator::EndsWith => "EndsWith",
            Operator::NotEndsWith => "NotEndsWith",
        })
    }
}

impl Operator {
    fn excludes(self) -> bool {
        matches!(
            self,
            Operator::NotEquals | Operator::NotStartsWith | Operator::NotEndsWith
        )
    }

    fn hit(self, actual: &str, value: &str) -> bool {
        match self {
            Operator::Equals | Operator::NotEquals => actual == value,
            Operator::StartsWith | Operator::NotStartsWith => actual.starts_with(value),
            Operator::EndsWith | Operator::NotEndsWith => actual.ends_with(value),
        }
    }
}

/// The record's event category: `eventCategory` when present (event version 1.08 and later),
/// else `Data` when `managementEvent` is `false`, else `Management`.
pub fn event_category(record: &Value) -> &str {
    if let Some(category) = record.get("eventCategory").and_then(Value::as_str) {
        return category;
    }
    match record.get("managementEvent").and_then(Value::as_bool) {
        Some(false) => "Data",
        _ => "Management",
    }
}

/// Whether a trail with these selectors captures `record`.
///
/// `None` means the selectors are unknown and yields [`Capture::Unknown`]; an
/// [`EventSelectors`] with both lists empty is the CloudTrail default (all management events).
/// Basic selectors are used when present, advanced ones otherwise (CloudTrail allows only one
/// kind per trail).
pub fn trail_captures(selectors: Option<&EventSelectors>, record: &Value) -> Capture {
    let Some(selectors) = selectors else {
        return Capture::Unknown;
    };
    let category = event_category(record);
    if selectors.event_selectors.is_empty() && selectors.advanced_event_selectors.is_empty() {
        return if category == "Management" {
            Capture::Captured(SelectorRef::Default)
        } else {
            Capture::Dropped(vec![Dropped {
                selector: SelectorRef::Default,
                reason: DropReason::NotSelectedCategory(category.to_owned()),
            }])
        };
    }
    let mut dropped = Vec::new();
    if !selectors.event_selectors.is_empty() {
        for (index, selector) in selectors.event_selectors.iter().enumerate() {
            match basic_rejects(selector, record, category) {
                None => return Capture::Captured(SelectorRef::Basic(index)),
                Some(reason) => dropped.push(Dropped {
                    selector: SelectorRef::Basic(index),
                    reason,
                }),
            }
        }
    } else {
        for (index, selector) in selectors.advanced_event_selectors.iter().enumerate() {
            let reference = SelectorRef::Advanced {
                index,
                name: selector.name.clone().filter(|n| !n.is_empty()),
            };
            match advanced_rejects(selector, record) {
                None => return Capture::Captured(reference),
                Some(reason) => dropped.push(Dropped {
                    selector: reference,
                    reason,
                }),
            }
        }
    }
    Capture::Dropped(dropped)
}

/// Why a basic selector does not capture `record`, or `None` if it does.
fn basic_rejects(selector: &EventSelector, record: &Value, category: &str) -> Option<DropReason> {
    let read_only = record.get("readOnly").and_then(read_only_value);
    let rw_ok = match selector.read_write_type {
        ReadWriteType::All => true,
        ReadWriteType::ReadOnly => read_only == Some(true),
        ReadWriteType::WriteOnly => read_only == Some(false),
    };
    let rw_reason = DropReason::ReadWriteType {
        read_write_type: selector.read_write_type,
        read_only,
    };
    if category == "Management" {
        if !selector.include_management_events {
            return Some(DropReason::ManagementEventsExcluded);
        }
        if !rw_ok {
            return Some(rw_reason);
        }
        let source = record.get("eventSource").and_then(Value::as_str)?;
        return selector
            .exclude_management_event_sources
            .iter()
            .find(|excluded| excluded.as_str() == source)
            .map(|excluded| DropReason::ExcludedSource(excluded.clone()));
    }
    if category == "Data" && data_resource_selected(selector, record) {
        return (!rw_ok).then_some(rw_reason);
    }
    Some(DropReason::NotSelectedCategory(category.to_owned()))
}

/// Whether a data resource of a basic selector names one of the record's resources: same type,
/// and a value that is a prefix of the resource ARN (`arn:aws:s3` selects every bucket).
fn data_resource_selected(selector: &EventSelector, record: &Value) -> bool {
    let resources = resources(record);
    selector.data_resources.iter().any(|data| {
        resources.iter().any(|(kind, arn)| {
            kind.as_deref() == Some(data.resource_type.as_str())
                && arn
                    .as_deref()
                    .is_some_and(|arn| data.values.iter().any(|v| arn.starts_with(v.as_str())))
        })
    })
}

/// `(type, ARN)` of each entry of the record's `resources`.
fn resources(record: &Value) -> Vec<(Option<String>, Option<String>)> {
    record
        .get("resources")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
                    (text("type"), text("ARN"))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn read_only_value(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// Why an advanced selector does not capture `record`, or `None` if it does.
fn advanced_rejects(selector: &AdvancedEventSelector, record: &Value) -> Option<DropReason> {
    selector
        .field_selectors
        .iter()
        .find_map(|field| field_rejects(field, record))
}

/// The record's values for an advanced-selector field, as strings.
pub fn field_values(record: &Value, field: &str) -> Vec<String> {
    match field {
        "eventCategory" => vec![event_category(record).to_owned()],
        "readOnly" => record
            .get("readOnly")
            .and_then(read_only_value)
            .map(|b| vec![b.to_string()])
            .unwrap_or_default(),
        "sessionCredentialFromConsole" => {
            let value = record.get("sessionCredentialFromConsole");
            let text = match value {
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::String(s)) => s.clone(),
                _ => "false".to_owned(),
            };
            vec![text]
        }
        "resources.type" => resources(record)
            .into_iter()
            .filter_map(|(t, _)| t)
            .collect(),
        "resources.ARN" => resources(record)
            .into_iter()
            .filter_map(|(_, a)| a)
            .collect(),
        path => {
            let mut value = Some(record);
            for step in path.split('.') {
                value = value.and_then(|v| v.get(step));
            }
            match value {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Bool(b)) => vec![b.to_string()],
                Some(Value::Number(n)) => vec![n.to_string()],
                _ => Vec::new(),
            }
        }
    }
}

/// Why one field selector rejects `record`, or `None` if it accepts it.
fn field_rejects(selector: &AdvancedFieldSelector, record: &Value) -> Option<DropReason> {
    let actual = field_values(record, &selector.field);
    let operators = [
        (Operator::Equals, &selector.equals),
        (Operator::NotEquals, &selector.not_equals),
        (Operator::StartsWith, &selector.starts_with),
        (Operator::NotStartsWith, &selector.not_starts_with),
        (Operator::EndsWith, &selector.ends_with),
        (Operator::NotEndsWith, &selector.not_ends_with),
    ];
    operators
        .into_iter()
        .filter(|(_, values)| !values.is_empty())
        .find_map(|(operator, values)| {
            let hit = actual
                .iter()
                .any(|a| values.iter().any(|v| operator.hit(a, v)));
            let accepted = if operator.excludes() { !hit } else { hit };
            (!accepted).then(|| DropReason::Field {
                field: selector.field.clone(),
                operator,
                values: values.clone(),
                actual: actual.clone(),
            })
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::events::kms;
    use crate::snapshot::DataResource;

    const REGION: &str = "us-east-1";
    const ACCOUNT: &str = "111122223333";

    fn basic(read_write_type: ReadWriteType) -> EventSelector {
        EventSelector {
            read_write_type,
            include_management_events: true,
            exclude_management_event_sources: Vec::new(),
            data_resources: Vec::new(),
        }
    }

    fn basics(selectors: Vec<EventSelector>) -> EventSelectors {
        EventSelectors {
            event_selectors: selectors,
            advanced_event_selectors: Vec::new(),
        }
    }

    fn field(name: &str) -> AdvancedFieldSelector {
        AdvancedFieldSelector {
            field: name.to_owned(),
            ..AdvancedFieldSelector::default()
        }
    }

    fn equals(name: &str, values: &[&str]) -> AdvancedFieldSelector {
        AdvancedFieldSelector {
            equals: values.iter().map(|v| (*v).to_owned()).collect(),
            ..field(name)
        }
    }

    fn advanced(name: &str, fields: Vec<AdvancedFieldSelector>) -> EventSelectors {
        EventSelectors {
            event_selectors: Vec::new(),
            advanced_event_selectors: vec![AdvancedEventSelector {
                name: Some(name.to_owned()),
                field_selectors: fields,
            }],
        }
    }

    fn reason(capture: Capture) -> String {
        match capture {
            Capture::Dropped(drops) => drops
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            other => panic!("expected a drop, got {other:?}"),
        }
    }

    #[test]
    fn default_and_unknown() {
        let decrypt = kms::decrypt(REGION, ACCOUNT);
        assert_eq!(trail_captures(None, &decrypt), Capture::Unknown);
        assert_eq!(
            trail_captures(Some(&EventSelectors::default()), &decrypt),
            Capture::Captured(SelectorRef::Default)
        );
        let data = json!({ "eventCategory": "Data", "eventName": "GetObject", "readOnly": true });
        assert!(!trail_captures(Some(&EventSelectors::default()), &data).is_captured());
    }

    #[test]
    fn write_only_drops_decrypt_and_keeps_disable_key() {
        let selectors = basics(vec![basic(ReadWriteType::WriteOnly)]);
        let decrypt = kms::decrypt(REGION, ACCOUNT);
        assert_eq!(
            reason(trail_captures(Some(&selectors), &decrypt)),
            "basic selector 0 has ReadWriteType WriteOnly and the event is read-only"
        );
        assert_eq!(
            trail_captures(Some(&selectors), &kms::disable_key(REGION, ACCOUNT)),
            Capture::Captured(SelectorRef::Basic(0))
        );
        // Any selector suffices.
        let both = basics(vec![
            basic(ReadWriteType::WriteOnly),
            basic(ReadWriteType::ReadOnly),
        ]);
        assert_eq!(
            trail_captures(Some(&both), &decrypt),
            Capture::Captured(SelectorRef::Basic(1))
        );
    }

    #[test]
    fn exclude_management_event_sources_drops_kms() {
        let mut selector = basic(ReadWriteType::All);
        selector.exclude_management_event_sources = vec!["kms.amazonaws.com".into()];
        let selectors = basics(vec![selector]);
        assert_eq!(
            reason(trail_captures(
                Some(&selectors),
                &kms::disable_key(REGION, ACCOUNT)
            )),
            "basic selector 0 has ExcludeManagementEventSources containing kms.amazonaws.com"
        );
        let iam = crate::events::RecordBuilder::new("iam.amazonaws.com", "CreatePolicy").build();
        assert!(trail_captures(Some(&selectors), &iam).is_captured());
        let mut off = basic(ReadWriteType::All);
        off.include_management_events = false;
        assert_eq!(
            reason(trail_captures(Some(&basics(vec![off])), &iam)),
            "basic selector 0 has IncludeManagementEvents false"
        );
    }

    #[test]
    fn advanced_management_write_only() {
        let selectors = advanced(
            "Management write events",
            vec![
                equals("eventCategory", &["Management"]),
                equals("readOnly", &["false"]),
            ],
        );
        assert!(trail_captures(Some(&selectors), &kms::disable_key(REGION, ACCOUNT)).is_captured());
        assert_eq!(
            reason(trail_captures(
                Some(&selectors),
                &kms::decrypt(REGION, ACCOUNT)
            )),
            "advanced selector 'Management write events' field readOnly Equals false \
             (the event has true)"
        );
    }

    #[test]
    fn advanced_not_equals_kms() {
        let mut source = field("eventSource");
        source.not_equals = vec!["kms.amazonaws.com".into(), "rdsdata.amazonaws.com".into()];
        let selectors = advanced(
            "Management events without KMS",
            vec![equals("eventCategory", &["Management"]), source],
        );
        assert_eq!(
            reason(trail_captures(
                Some(&selectors),
                &kms::schedule_key_deletion(REGION, ACCOUNT)
            )),
            "advanced selector 'Management events without KMS' field eventSource NotEquals \
             kms.amazonaws.com, rdsdata.amazonaws.com (the event has kms.amazonaws.com)"
        );
        let ec2 = crate::events::RecordBuilder::new("ec2.amazonaws.com", "CreateVpc").build();
        assert!(trail_captures(Some(&selectors), &ec2).is_captured());
    }

    #[test]
    fn advanced_starts_and_ends_with() {
        let decrypt = kms::decrypt(REGION, ACCOUNT);
        let mut name = field("eventName");
        name.starts_with = vec!["Disable".into(), "Decr".into()];
        let selectors = advanced("s", vec![equals("eventCategory", &["Management"]), name]);
        assert!(trail_captures(Some(&selectors), &decrypt).is_captured());

        let mut name = field("eventName");
        name.not_ends_with = vec!["crypt".into()];
        let selectors = advanced("n", vec![equals("eventCategory", &["Management"]), name]);
        assert!(!trail_captures(Some(&selectors), &decrypt).is_captured());
        assert!(trail_captures(Some(&selectors), &kms::disable_key(REGION, ACCOUNT)).is_captured());

        // Different operators on one field are ANDed.
        let mut name = field("eventName");
        name.starts_with = vec!["D".into()];
        name.not_equals = vec!["Decrypt".into()];
        let selectors = advanced("and", vec![name]);
        assert!(!trail_captures(Some(&selectors), &decrypt).is_captured());
        assert!(trail_captures(Some(&selectors), &kms::disable_key(REGION, ACCOUNT)).is_captured());

        // A missing field: including operators reject, excluding ones accept.
        let mut arn = field("userIdentity.invokedBy");
        arn.not_starts_with = vec!["AWS".into()];
        assert!(trail_captures(Some(&advanced("x", vec![arn])), &decrypt).is_captured());
        let mut arn = field("userIdentity.arn");
        arn.ends_with = vec![":user/Alice".into()];
        assert!(trail_captures(Some(&advanced("x", vec![arn])), &decrypt).is_captured());
    }

    #[test]
    fn data_event_selectors_do_not_capture_management_events() {
        let selectors = advanced(
            "S3 data",
            vec![
                equals("eventCategory", &["Data"]),
                equals("resources.type", &["AWS::S3::Object"]),
            ],
        );
        assert_eq!(
            reason(trail_captures(
                Some(&selectors),
                &kms::disable_key(REGION, ACCOUNT)
            )),
            "advanced selector 'S3 data' field eventCategory Equals Data (the event has Management)"
        );
        let mut data_only = basic(ReadWriteType::All);
        data_only.include_management_events = false;
        data_only.data_resources = vec![DataResource {
            resource_type: "AWS::S3::Object".into(),
            values: vec!["arn:aws:s3".into()],
        }];
        let selectors = basics(vec![data_only]);
        assert!(
            !trail_captures(Some(&selectors), &kms::disable_key(REGION, ACCOUNT)).is_captured()
        );
        let get_object = json!({
            "eventCategory": "Data", "managementEvent": false, "readOnly": true,
            "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
            "resources": [{ "type": "AWS::S3::Object", "ARN": "arn:aws:s3:::bucket/key" }]
        });
        assert!(trail_captures(Some(&selectors), &get_object).is_captured());
    }

    #[test]
    fn categories_from_older_records() {
        assert_eq!(event_category(&json!({})), "Management");
        assert_eq!(event_category(&json!({ "managementEvent": false })), "Data");
        assert_eq!(
            event_category(&json!({ "eventCategory": "NetworkActivity" })),
            "NetworkActivity"
        );
    }
}
