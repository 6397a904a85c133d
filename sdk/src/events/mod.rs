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
pub use cis::{CIS_CONTROLS, CisControl, cis_control};

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
