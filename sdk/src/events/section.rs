//! Reading the snapshot's events section, whichever version wrote it.
//!
//! The collector writes plain CloudTrail records. Earlier versions also wrote, and rules had
//! to unpack, two other shapes: a log file's object (`{"Records": [...]}`) and a raw
//! `LookupEvents` entry whose `CloudTrailEvent` holds the record as text. A saved snapshot must
//! keep checking the same, so those are unpacked here, once, when the snapshot is read:
//!
//! - a plain record is checked ([`CloudTrailRecord`]); one that is not a CloudTrail record is
//!   an error naming the item and the field;
//! - a log file's object gives each of its records, checked the same way;
//! - a `LookupEvents` entry gives the record it carries. Earlier collectors kept an entry whose
//!   `CloudTrailEvent` could not be read as it was; that is now a collection error of the
//!   section (as the collector records it today), since an event nobody could read may be the
//!   one a rule looks for.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::record::{CloudTrailRecord, RecordError, json_kind};
use crate::snapshot::{CollectionError, Section};

/// The `code` of the collection error recorded for an event that could not be read.
pub const UNREADABLE_EVENT: &str = "UnreadableEvent";

/// The collection error for a `LookupEvents` entry that carries no readable record: its
/// `CloudTrailEvent` is missing (`problem` `None`) or not a CloudTrail record.
///
/// The collector and the reader of old snapshots both use it, so a saved snapshot and a new
/// collection of the same events say the same thing.
pub fn unreadable_lookup_event(
    region: Option<&str>,
    event_id: Option<&str>,
    event_name: Option<&str>,
    problem: Option<&RecordError>,
) -> CollectionError {
    let what = match problem {
        Some(problem) => format!("its CloudTrailEvent {problem}"),
        None => "it has no CloudTrailEvent".to_owned(),
    };
    CollectionError {
        service: "cloudtrail".to_owned(),
        operation: "LookupEvents".to_owned(),
        region: region.map(str::to_owned),
        code: UNREADABLE_EVENT.to_owned(),
        message: format!(
            "event `{}` ({}) is not a CloudTrail record: {what}",
            event_id.unwrap_or("without id"),
            event_name.unwrap_or("unknown operation"),
        ),
    }
}

/// Why an item of a saved events section is not usable, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SectionError {
    /// A plain item is not a CloudTrail record.
    #[error("events item {index} {error}")]
    Record {
        /// The item's index in `events.items`.
        index: usize,
        /// What is wrong with it.
        error: RecordError,
    },
    /// A log file's object has a `Records` that is not an array.
    #[error("events item {index} (a log file) has `Records` that is {found}, expected an array")]
    Records {
        /// The item's index in `events.items`.
        index: usize,
        /// What `Records` is instead.
        found: &'static str,
    },
    /// A record inside a log file's object is not a CloudTrail record.
    #[error("events item {index} (a log file), record {record} {error}")]
    FileRecord {
        /// The item's index in `events.items`.
        index: usize,
        /// The record's index in `Records`.
        record: usize,
        /// What is wrong with it.
        error: RecordError,
    },
}

/// Unpacks every item of a section read as plain JSON into records, as the module describes.
pub fn normalise(section: Section<Value>) -> Result<Section<CloudTrailRecord>, SectionError> {
    let Section {
        collected,
        items,
        mut errors,
    } = section;
    let mut records = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let object = match item {
            Value::Object(object) => object,
            other => {
                let found = json_kind(&other);
                let error = RecordError::NotObject { found };
                return Err(SectionError::Record { index, error });
            }
        };
        if object.contains_key("Records") {
            records.extend(log_file(index, object)?);
        } else if object.contains_key("CloudTrailEvent") {
            match lookup_entry(&object) {
                Ok(record) => records.push(record),
                Err(error) => errors.push(error),
            }
        } else {
            let record = CloudTrailRecord::from_object(object)
                .map_err(|error| SectionError::Record { index, error })?;
            records.push(record);
        }
    }
    Ok(Section {
        collected,
        items: records,
        errors,
    })
}

/// The records of a log file's object (`{"Records": [...]}`), the `index`th item.
fn log_file(
    index: usize,
    mut object: Map<String, Value>,
) -> Result<Vec<CloudTrailRecord>, SectionError> {
    let list = match object.remove("Records") {
        Some(Value::Array(list)) => list,
        other => {
            let found = other.as_ref().map_or("missing", json_kind);
            return Err(SectionError::Records { index, found });
        }
    };
    list.into_iter()
        .enumerate()
        .map(|(record, value)| {
            CloudTrailRecord::try_from(value).map_err(|error| SectionError::FileRecord {
                index,
                record,
                error,
            })
        })
        .collect()
}

/// The record a `LookupEvents` entry carries, or the collection error that says it cannot be
/// read.
fn lookup_entry(entry: &Map<String, Value>) -> Result<CloudTrailRecord, CollectionError> {
    let text = |field: &str| entry.get(field).and_then(Value::as_str);
    let unreadable = |problem: Option<&RecordError>| {
        unreadable_lookup_event(None, text("EventId"), text("EventName"), problem)
    };
    match entry.get("CloudTrailEvent") {
        Some(Value::String(record)) => {
            CloudTrailRecord::from_json_text(record).map_err(|error| unreadable(Some(&error)))
        }
        _ => Err(unreadable(None)),
    }
}

/// `deserialize_with` for [`crate::Snapshot::events`]: any shape any version wrote.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Section<CloudTrailRecord>, D::Error> {
    let section = Section::<Value>::deserialize(deserializer)?;
    normalise(section).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Snapshot;
    use crate::events::kms;

    const ACCOUNT: &str = "111122223333";

    fn read(events: Value) -> Result<Snapshot, String> {
        let document = json!({
            "schemaVersion": 1,
            "account": {"id": ACCOUNT},
            "regions": [],
            "events": events
        });
        Snapshot::from_json(&document.to_string()).map_err(|e| e.to_string())
    }

    fn names(snapshot: &Snapshot) -> Vec<&str> {
        let items = snapshot.events.items.iter();
        items.map(CloudTrailRecord::event_name).collect()
    }

    #[test]
    fn plain_records_are_read_as_they_are() {
        let disable = kms::disable_key("us-east-1", ACCOUNT);
        let snapshot = read(json!({"items": [disable.clone()]})).expect("reads");
        assert!(snapshot.events.collected);
        assert_eq!(snapshot.events.items[0].to_value(), disable);
        assert!(snapshot.events.errors.is_empty());
    }

    #[test]
    fn a_log_file_object_gives_its_records_in_place() {
        let snapshot = read(json!({"items": [
            kms::decrypt("us-east-1", ACCOUNT),
            {"Records": [kms::disable_key("us-east-1", ACCOUNT), kms::encrypt("us-east-1", ACCOUNT)]},
            {"Records": []},
            kms::schedule_key_deletion("us-east-1", ACCOUNT)
        ]}))
        .expect("reads");
        assert_eq!(
            names(&snapshot),
            ["Decrypt", "DisableKey", "Encrypt", "ScheduleKeyDeletion"]
        );
    }

    #[test]
    fn a_lookup_events_entry_gives_the_record_it_carries() {
        let schedule = kms::schedule_key_deletion("us-east-1", ACCOUNT);
        let snapshot = read(json!({"items": [{
            "EventId": schedule["eventID"],
            "EventName": "ScheduleKeyDeletion",
            "EventSource": "kms.amazonaws.com",
            "CloudTrailEvent": schedule.to_string()
        }]}))
        .expect("reads");
        assert_eq!(snapshot.events.items.len(), 1);
        assert_eq!(snapshot.events.items[0].to_value(), schedule);
    }

    #[test]
    fn an_unreadable_lookup_events_entry_becomes_a_collection_error() {
        let throttled = json!({"service": "cloudtrail", "operation": "LookupEvents",
                               "region": "eu-west-1", "code": "ThrottlingException"});
        let snapshot = read(json!({
            "items": [
                {"EventId": "e2", "EventName": "ScheduleKeyDeletion", "CloudTrailEvent": "not json"},
                {"EventId": "e3", "EventName": "DisableKey", "CloudTrailEvent": null},
                {"EventId": "e4", "CloudTrailEvent": "{\"eventSource\": \"kms.amazonaws.com\"}"},
                kms::disable_key("us-east-1", ACCOUNT)
            ],
            "errors": [throttled]
        }))
        .expect("reads");
        assert_eq!(names(&snapshot), ["DisableKey"]);
        let errors = &snapshot.events.errors;
        assert_eq!(errors.len(), 4);
        assert_eq!(errors[0].code, "ThrottlingException", "kept first");
        for error in &errors[1..] {
            assert_eq!(
                (error.service.as_str(), error.operation.as_str()),
                ("cloudtrail", "LookupEvents")
            );
            assert_eq!(error.code, UNREADABLE_EVENT);
            assert_eq!(error.region, None);
        }
        let messages: Vec<&str> = errors[1..].iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages[0].starts_with(
                "event `e2` (ScheduleKeyDeletion) is not a CloudTrail record: its CloudTrailEvent is not JSON ("
            ),
            "{}",
            messages[0]
        );
        assert_eq!(
            messages[1],
            "event `e3` (DisableKey) is not a CloudTrail record: it has no CloudTrailEvent"
        );
        assert_eq!(
            messages[2],
            "event `e4` (unknown operation) is not a CloudTrail record: its CloudTrailEvent has no `eventName`"
        );
        // Written back, the errors stay and the entries are gone: reading again is stable.
        let text = serde_json::to_string(&snapshot).expect("writes");
        assert_eq!(Snapshot::from_json(&text).expect("reads again"), snapshot);
    }

    #[test]
    fn what_is_not_a_record_is_an_error_naming_the_item_and_field() {
        let disable = kms::disable_key("us-east-1", ACCOUNT);
        let cases = [
            (
                json!([disable, 42]),
                "events item 1 is not an object but a number",
            ),
            (
                json!([{"eventSource": "kms.amazonaws.com"}]),
                "events item 0 has no `eventName`",
            ),
            (
                json!([disable, disable, {"eventSource": "kms.amazonaws.com", "eventName": "DisableKey", "awsRegion": 7}]),
                "events item 2 has `awsRegion` as a number, not a string",
            ),
            (
                json!([{"Records": [disable, {"eventName": "DisableKey"}]}]),
                "events item 0 (a log file), record 1 has no `eventSource`",
            ),
            (
                json!([{"Records": {}}]),
                "events item 0 (a log file) has `Records` that is an object, expected an array",
            ),
        ];
        for (items, expected) in cases {
            let error = read(json!({ "items": items })).expect_err(expected);
            assert!(error.contains(expected), "{expected}: {error}");
        }
    }

    #[test]
    fn a_missing_section_is_not_collected_and_an_empty_one_is() {
        let document = json!({"schemaVersion": 1, "account": {"id": ACCOUNT}, "regions": []});
        let snapshot = Snapshot::from_json(&document.to_string()).expect("reads");
        assert!(!snapshot.events.collected);
        let snapshot = read(json!({})).expect("reads");
        assert!(snapshot.events.collected && snapshot.events.items.is_empty());
    }

    /// A pack built against an older SDK reads each item as plain JSON and expects a record:
    /// whatever shape was read, plain records are written.
    #[test]
    fn records_are_written_plain_whatever_shape_was_read() {
        let disable = kms::disable_key("us-east-1", ACCOUNT);
        let schedule = kms::schedule_key_deletion("us-east-1", ACCOUNT);
        let snapshot = read(json!({"items": [
            {"Records": [disable.clone()]},
            {"EventId": "x", "CloudTrailEvent": schedule.to_string()}
        ]}))
        .expect("reads");
        let written = serde_json::to_value(&snapshot).expect("writes");
        assert_eq!(
            written["events"],
            json!({"collected": true, "items": [disable, schedule]})
        );
    }
}
