//! Canonical, realistic CloudTrail records: what the rules require a monitoring chain to catch.
//!
//! A requirement is only as good as its target events. A metric filter that matches a
//! hand-written `{"eventName": "DisableKey"}` may still miss the real record, and a trail that
//! logs write events misses `Decrypt`, which is read-only. So every rule and test evaluates
//! complete records with the fields CloudTrail really writes: `readOnly`, `eventSource`,
//! `managementEvent`, `eventCategory`, error fields, identities.
//!
//! - [`RecordBuilder`] builds any record;
//! - [`kms`] has every KMS operation the rules use;
//! - [`cis`] has the CIS 4.1–4.15 controls as data ([`CisControl`], [`cis_control`]), with their
//!   exact patterns and records;
//! - [`CloudTrailRecord`] is a record as the snapshot's events section holds it: checked once,
//!   read through typed accessors, its JSON kept whole for the pattern engines.
//!
//! Records are plain data (`serde_json::Value`) with fixed times and derived ids, so they are
//! reproducible and work in wasm rules (no clock, no randomness).
//!
//! ```
//! use trailwarden_sdk::events::{RecordBuilder, kms};
//!
//! let decrypt = kms::decrypt_incorrect_key("us-east-1", "111122223333");
//! assert_eq!(decrypt["readOnly"], true);
//! assert_eq!(decrypt["errorCode"], "IncorrectKeyException");
//!
//! let record = RecordBuilder::new("iam.amazonaws.com", "CreateAccessKey")
//!     .region("eu-west-1")
//!     .error("AccessDenied", "User is not authorized to perform: iam:CreateAccessKey")
//!     .build();
//! assert_eq!(record["eventSource"], "iam.amazonaws.com");
//! assert_eq!(record["awsRegion"], "eu-west-1");
//! assert_eq!(record["responseElements"], serde_json::Value::Null);
//! ```

mod builder;
pub mod cis;
mod cis_records;
pub mod identity;
pub mod kms;
mod record;
pub mod section;

#[cfg(test)]
mod tests;

pub use builder::{
    DEFAULT_ACCOUNT, DEFAULT_REGION, DEFAULT_SOURCE_IP, DEFAULT_TIME, DEFAULT_USER_AGENT,
    RecordBuilder, uuid,
};
pub use cis::{
    CIS_CONTROLS, CIS_TEXT_VERSIONS, CisControl, CisText, DEFAULT_CIS_VERSION, cis_control,
};

pub use record::{CloudTrailRecord, RecordError, RecordResource, UserIdentity};
use serde_json::Value;

/// A copy of `record` as it would be logged in `region` of `account`.
pub fn in_region(record: &Value, region: &str, account: &str) -> Value {
    let mut record = record.clone();
    if let Some(object) = record.as_object_mut() {
        object.insert("awsRegion".to_owned(), Value::String(region.to_owned()));
        object.insert(
            "recipientAccountId".to_owned(),
            Value::String(account.to_owned()),
        );
    }
    record
}

/// A short label for a record in messages: `DisableKey` or `Decrypt (IncorrectKeyException)`.
pub fn event_label(record: &Value) -> String {
    let name = record["eventName"].as_str().unwrap_or("event");
    match record["errorCode"].as_str() {
        Some(code) => format!("{name} ({code})"),
        None => name.to_owned(),
    }
}

/// The successful twin of a failed call: the same record without `errorCode` and
/// `errorMessage`, and for a console sign-in with `responseElements.ConsoleLogin` `Success`.
/// `None` when `record` is not a failure.
///
/// A requirement about failures (failed KMS calls, unauthorized calls, failed sign-ins) is about
/// a kind of event, not a volume: a metric filter that also counts the twin counts ordinary
/// traffic, and whatever it feeds fires on traffic rather than on failures. CloudTrail marks a
/// failed call by these fields alone: "errorCode: The AWS service error if the request returns
/// an error", "errorMessage: If the request returns an error, the description of the error"
/// (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html>);
/// a failed console sign-in carries only `errorMessage` and `ConsoleLogin: Failure`
/// (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html>).
///
/// ```
/// use trailwarden_sdk::events::{kms, successful_twin};
///
/// let failed = kms::decrypt_incorrect_key("us-east-1", "111122223333");
/// let twin = successful_twin(&failed).expect("a failed call has a twin");
/// assert!(twin.get("errorCode").is_none());
/// assert_eq!(twin["eventName"], "Decrypt");
/// assert!(successful_twin(&twin).is_none());
/// ```
pub fn successful_twin(record: &Value) -> Option<Value> {
    let object = record.as_object()?;
    let failed_login = record["responseElements"]["ConsoleLogin"] == "Failure";
    if !object.contains_key("errorCode") && !object.contains_key("errorMessage") && !failed_login {
        return None;
    }
    let mut twin = object.clone();
    twin.remove("errorCode");
    twin.remove("errorMessage");
    if failed_login
        && let Some(login) = twin
            .get_mut("responseElements")
            .and_then(Value::as_object_mut)
    {
        login.insert(
            "ConsoleLogin".to_owned(),
            Value::String("Success".to_owned()),
        );
    }
    Some(Value::Object(twin))
}
