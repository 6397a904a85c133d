//! [`CloudTrailRecord`]: one CloudTrail record as the snapshot's events section holds it.
//!
//! Rules read the fields they decide on through typed accessors, and filter patterns and
//! EventBridge patterns are evaluated on the record's real JSON ([`CloudTrailRecord::as_json`]),
//! so a field no accessor covers, or the difference between `null` and absent, is never lost.
//! Both views come from one JSON object that is checked once, when the record is made: an
//! accessor cannot meet a field of the wrong type, and a record that is not a CloudTrail record
//! is an error that names the field rather than a silent skip in every rule.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Why a JSON value is not a CloudTrail record. The message reads after "record N" or "the
/// record": "has no `eventName`", "has `awsRegion` as a number, not a string".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The value is not a JSON object.
    #[error("is not an object but {found}")]
    NotObject {
        /// What it is instead (`a number`, `an array`, …).
        found: &'static str,
    },
    /// The text is not JSON at all.
    #[error("is not JSON ({reason})")]
    NotJson {
        /// The parser's message, with line and column.
        reason: String,
    },
    /// A field every CloudTrail record has is missing or `null`.
    #[error("has no `{field}`")]
    Missing {
        /// The field, e.g. `eventName`.
        field: &'static str,
    },
    /// A field has another JSON type than CloudTrail writes.
    #[error("has `{field}` as {found}, not {expected}")]
    WrongType {
        /// The field as a dotted path, e.g. `userIdentity.arn`.
        field: String,
        /// The type CloudTrail writes (`a string`, `an object`, …).
        expected: &'static str,
        /// The type found.
        found: &'static str,
    },
}

/// One CloudTrail record: the event of one API call or service action.
///
/// Field names and types follow "CloudTrail record contents" in the CloudTrail User Guide.
/// `eventSource` and `eventName` are required; every other typed field may be absent or `null`
/// (a failed call has `responseElements` `null`, a console sign-in has no `requestID`), and
/// fields no accessor covers are kept as they are. Serialises as the original JSON object, so
/// a snapshot written with this type is what a pack built against an older SDK (which reads
/// each event as plain JSON) expects.
///
/// ```
/// use trailwarden_sdk::events::{CloudTrailRecord, kms};
///
/// let record = CloudTrailRecord::try_from(kms::disable_key("us-east-1", "111122223333"))?;
/// assert_eq!(record.event_name(), "DisableKey");
/// assert_eq!(record.read_only(), Some(false));
/// assert!(!record.failed());
/// assert_eq!(record.as_json()["eventSource"], "kms.amazonaws.com");
///
/// let error = CloudTrailRecord::try_from(serde_json::json!({"eventSource": "kms.amazonaws.com"}))
///     .unwrap_err();
/// assert_eq!(error.to_string(), "has no `eventName`");
/// # Ok::<(), trailwarden_sdk::events::RecordError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CloudTrailRecord {
    json: Map<String, Value>,
}

/// The JSON type a checked field must have (when present and not `null`).
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Flag,
    Object,
    List,
}

impl Kind {
    fn accepts(self, value: &Value) -> bool {
        match self {
            Kind::Text => value.is_string(),
            Kind::Flag => value.is_boolean(),
            Kind::Object => value.is_object(),
            Kind::List => value.is_array(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Text => "a string",
            Kind::Flag => "a boolean",
            Kind::Object => "an object",
            Kind::List => "an array",
        }
    }
}

/// The required fields: without them a record cannot be told apart from any other.
const REQUIRED: [&str; 2] = ["eventSource", "eventName"];

/// Every field an accessor reads, as a JSON pointer, with its type. A parent comes before its
/// children, so a child is only looked up inside an object.
const CHECKED: [(&str, Kind); 27] = [
    ("/eventVersion", Kind::Text),
    ("/eventTime", Kind::Text),
    ("/eventSource", Kind::Text),
    ("/eventName", Kind::Text),
    ("/awsRegion", Kind::Text),
    ("/sourceIPAddress", Kind::Text),
    ("/userAgent", Kind::Text),
    ("/errorCode", Kind::Text),
    ("/errorMessage", Kind::Text),
    ("/requestParameters", Kind::Object),
    ("/responseElements", Kind::Object),
    ("/requestID", Kind::Text),
    ("/eventID", Kind::Text),
    ("/readOnly", Kind::Flag),
    ("/eventType", Kind::Text),
    ("/managementEvent", Kind::Flag),
    ("/recipientAccountId", Kind::Text),
    ("/eventCategory", Kind::Text),
    ("/userIdentity", Kind::Object),
    ("/userIdentity/type", Kind::Text),
    ("/userIdentity/arn", Kind::Text),
    ("/userIdentity/principalId", Kind::Text),
    ("/userIdentity/accountId", Kind::Text),
    ("/userIdentity/sessionContext", Kind::Object),
    ("/userIdentity/sessionContext/sessionIssuer", Kind::Object),
    ("/userIdentity/sessionContext/sessionIssuer/arn", Kind::Text),
    ("/resources", Kind::List),
];

/// The fields of each `resources` entry that [`RecordResource`] reads.
const RESOURCE_FIELDS: [&str; 3] = ["ARN", "type", "accountId"];

impl CloudTrailRecord {
    /// Checks `json` and makes it a record.
    pub fn from_object(json: Map<String, Value>) -> Result<Self, RecordError> {
        check(&json)?;
        Ok(Self { json })
    }

    /// Parses a record written as JSON text, as `LookupEvents` returns it in `CloudTrailEvent`
    /// and CloudWatch Logs in a log event's message.
    pub fn from_json_text(text: &str) -> Result<Self, RecordError> {
        let value: Value = serde_json::from_str(text).map_err(|error| RecordError::NotJson {
            reason: error.to_string(),
        })?;
        Self::try_from(value)
    }

    /// The whole record as CloudTrail wrote it: what filter patterns and EventBridge patterns
    /// are evaluated on.
    pub fn as_json(&self) -> &Map<String, Value> {
        &self.json
    }

    /// The whole record as a JSON value (a copy), for the pattern engines' `&Value` inputs.
    pub fn to_value(&self) -> Value {
        Value::Object(self.json.clone())
    }

    /// The record's JSON object, taking it out.
    pub fn into_json(self) -> Map<String, Value> {
        self.json
    }

    /// Any field, including those no accessor covers; `None` when absent.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.json.get(field)
    }

    fn text(&self, field: &str) -> Option<&str> {
        self.json.get(field).and_then(Value::as_str)
    }

    fn flag(&self, field: &str) -> Option<bool> {
        self.json.get(field).and_then(Value::as_bool)
    }

    fn object(&self, field: &str) -> Option<&Map<String, Value>> {
        self.json.get(field).and_then(Value::as_object)
    }

    /// `eventSource`: the service, e.g. `kms.amazonaws.com`.
    pub fn event_source(&self) -> &str {
        self.text("eventSource").unwrap_or_default()
    }

    /// `eventName`: the API operation, e.g. `DisableKey`.
    pub fn event_name(&self) -> &str {
        self.text("eventName").unwrap_or_default()
    }

    /// `eventVersion`, e.g. `1.08`.
    pub fn event_version(&self) -> Option<&str> {
        self.text("eventVersion")
    }

    /// `eventTime` as written (RFC 3339 in UTC for real records). Kept as text: a rule decides
    /// what an unreadable time means, see [`crate::time::parse_rfc3339`].
    pub fn event_time(&self) -> Option<&str> {
        self.text("eventTime")
    }

    /// `awsRegion`: the region the call went to.
    pub fn aws_region(&self) -> Option<&str> {
        self.text("awsRegion")
    }

    /// `sourceIPAddress`: the caller's address, or a service name for calls made by AWS.
    pub fn source_ip_address(&self) -> Option<&str> {
        self.text("sourceIPAddress")
    }

    /// `userAgent`.
    pub fn user_agent(&self) -> Option<&str> {
        self.text("userAgent")
    }

    /// `errorCode`, when the call failed.
    pub fn error_code(&self) -> Option<&str> {
        self.text("errorCode")
    }

    /// `errorMessage`, when the call failed (some failures carry only this).
    pub fn error_message(&self) -> Option<&str> {
        self.text("errorMessage")
    }

    /// Whether the call failed: an `errorCode` that is not empty. (Failed console sign-ins,
    /// which set only `errorMessage`, are told by [`Self::error_message`].)
    pub fn failed(&self) -> bool {
        self.error_code().is_some_and(|code| !code.is_empty())
    }

    /// `requestParameters`: what the caller sent.
    pub fn request_parameters(&self) -> Option<&Map<String, Value>> {
        self.object("requestParameters")
    }

    /// `responseElements`: what the service answered (`null`, so `None`, for failed calls and
    /// calls that change nothing).
    pub fn response_elements(&self) -> Option<&Map<String, Value>> {
        self.object("responseElements")
    }

    /// `userIdentity`: who made the call.
    pub fn user_identity(&self) -> Option<UserIdentity<'_>> {
        self.object("userIdentity")
            .map(|json| UserIdentity { json })
    }

    /// `requestID`: the service's id of the request.
    pub fn request_id(&self) -> Option<&str> {
        self.text("requestID")
    }

    /// `eventID`: CloudTrail's id of the record, the same whichever source delivered it.
    pub fn event_id(&self) -> Option<&str> {
        self.text("eventID")
    }

    /// `readOnly`: whether the call only reads (decides which trails' selectors record it).
    pub fn read_only(&self) -> Option<bool> {
        self.flag("readOnly")
    }

    /// `eventType`: `AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`, ….
    pub fn event_type(&self) -> Option<&str> {
        self.text("eventType")
    }

    /// `managementEvent`: whether this is a management event rather than a data event.
    pub fn management_event(&self) -> Option<bool> {
        self.flag("managementEvent")
    }

    /// `recipientAccountId`: the account that received the event.
    pub fn recipient_account_id(&self) -> Option<&str> {
        self.text("recipientAccountId")
    }

    /// `eventCategory`: `Management`, `Data`, `Insight` or `NetworkActivity`.
    pub fn event_category(&self) -> Option<&str> {
        self.text("eventCategory")
    }

    /// The entries of `resources`: the resources the call touched (KMS lists the key).
    pub fn resources(&self) -> impl Iterator<Item = RecordResource<'_>> {
        self.json
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .map(|json| RecordResource { json })
    }
}

/// `userIdentity` of a [`CloudTrailRecord`]: the principal that made the call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UserIdentity<'a> {
    json: &'a Map<String, Value>,
}

impl<'a> UserIdentity<'a> {
    fn text(&self, field: &str) -> Option<&'a str> {
        self.json.get(field).and_then(Value::as_str)
    }

    /// `type`: `IAMUser`, `AssumedRole`, `Root`, `AWSService`, ….
    pub fn kind(&self) -> Option<&'a str> {
        self.text("type")
    }

    /// `arn`: the caller's ARN (for a role session, the `assumed-role` session ARN).
    pub fn arn(&self) -> Option<&'a str> {
        self.text("arn")
    }

    /// `principalId`.
    pub fn principal_id(&self) -> Option<&'a str> {
        self.text("principalId")
    }

    /// `accountId`: the caller's account.
    pub fn account_id(&self) -> Option<&'a str> {
        self.text("accountId")
    }

    /// `sessionContext.sessionIssuer.arn`: for a role session, the role that was assumed.
    pub fn session_issuer_arn(&self) -> Option<&'a str> {
        self.json
            .get("sessionContext")?
            .get("sessionIssuer")?
            .get("arn")?
            .as_str()
    }

    /// The whole `userIdentity` object.
    pub fn as_json(&self) -> &'a Map<String, Value> {
        self.json
    }
}

/// One entry of a [`CloudTrailRecord`]'s `resources`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordResource<'a> {
    json: &'a Map<String, Value>,
}

impl<'a> RecordResource<'a> {
    fn text(&self, field: &str) -> Option<&'a str> {
        self.json.get(field).and_then(Value::as_str)
    }

    /// `ARN`.
    pub fn arn(&self) -> Option<&'a str> {
        self.text("ARN")
    }

    /// `type`, e.g. `AWS::KMS::Key`.
    pub fn kind(&self) -> Option<&'a str> {
        self.text("type")
    }

    /// `accountId`: the account that owns the resource.
    pub fn account_id(&self) -> Option<&'a str> {
        self.text("accountId")
    }
}

/// What kind of JSON value `value` is, for messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks that `json` has the required fields and every checked field its type.
fn check(json: &Map<String, Value>) -> Result<(), RecordError> {
    for field in REQUIRED {
        if json.get(field).is_none_or(Value::is_null) {
            return Err(RecordError::Missing { field });
        }
    }
    for (pointer, kind) in CHECKED {
        match lookup(json, pointer) {
            None | Some(Value::Null) => {}
            Some(value) if kind.accepts(value) => {}
            Some(value) => return Err(wrong_type(pointer, kind.name(), value)),
        }
    }
    let resources = json.get("resources").and_then(Value::as_array);
    for (index, resource) in resources.into_iter().flatten().enumerate() {
        let Some(resource) = resource.as_object() else {
            return Err(wrong_type(
                &format!("/resources/{index}"),
                "an object",
                resource,
            ));
        };
        for field in RESOURCE_FIELDS {
            match resource.get(field) {
                None | Some(Value::Null | Value::String(_)) => {}
                Some(value) => {
                    return Err(wrong_type(
                        &format!("/resources/{index}/{field}"),
                        "a string",
                        value,
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The value at a JSON pointer of plain field names inside `json`, without building a `Value`
/// around the map.
fn lookup<'a>(json: &'a Map<String, Value>, pointer: &str) -> Option<&'a Value> {
    let mut parts = pointer.trim_start_matches('/').split('/');
    let mut value = json.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

fn wrong_type(pointer: &str, expected: &'static str, value: &Value) -> RecordError {
    RecordError::WrongType {
        field: pointer.trim_start_matches('/').replace('/', "."),
        expected,
        found: json_kind(value),
    }
}

impl TryFrom<Value> for CloudTrailRecord {
    type Error = RecordError;

    /// Checks `value` and makes it a record.
    fn try_from(value: Value) -> Result<Self, RecordError> {
        match value {
            Value::Object(json) => Self::from_object(json),
            other => Err(RecordError::NotObject {
                found: json_kind(&other),
            }),
        }
    }
}

impl From<CloudTrailRecord> for Value {
    fn from(record: CloudTrailRecord) -> Self {
        Value::Object(record.json)
    }
}

impl Serialize for CloudTrailRecord {
    /// The original JSON object, field for field.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CloudTrailRecord {
    /// One plain record, checked. (The snapshot's events section also accepts the shapes
    /// earlier versions wrote; see [`super::section`].)
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        CloudTrailRecord::try_from(value)
            .map_err(|error| serde::de::Error::custom(format!("the CloudTrail record {error}")))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::events::{identity, kms};

    fn record(value: Value) -> CloudTrailRecord {
        CloudTrailRecord::try_from(value).expect("a CloudTrail record")
    }

    #[test]
    fn typed_fields_read_a_real_record() {
        let mut json = kms::schedule_key_deletion("eu-west-1", "111122223333");
        json["userIdentity"] = identity::assumed_role("111122223333", "key-rotation", "nightly");
        let record = record(json.clone());
        assert_eq!(record.event_source(), "kms.amazonaws.com");
        assert_eq!(record.event_name(), "ScheduleKeyDeletion");
        assert_eq!(record.event_version(), Some("1.08"));
        assert_eq!(record.event_time(), json["eventTime"].as_str());
        assert_eq!(record.aws_region(), Some("eu-west-1"));
        assert_eq!(record.recipient_account_id(), Some("111122223333"));
        assert_eq!(record.event_id(), json["eventID"].as_str());
        assert_eq!(record.request_id(), json["requestID"].as_str());
        assert_eq!(record.read_only(), Some(false));
        assert_eq!(record.management_event(), Some(true));
        assert_eq!(record.event_category(), Some("Management"));
        assert_eq!(record.event_type(), Some("AwsApiCall"));
        assert_eq!(record.source_ip_address(), json["sourceIPAddress"].as_str());
        assert_eq!(record.user_agent(), json["userAgent"].as_str());
        assert_eq!((record.error_code(), record.error_message()), (None, None));
        assert!(!record.failed());
        assert_eq!(
            record.request_parameters().and_then(|p| p.get("keyId")),
            json.pointer("/requestParameters/keyId")
        );
        assert!(record.response_elements().is_some());
        let who = record.user_identity().expect("an identity");
        assert_eq!(who.kind(), Some("AssumedRole"));
        assert_eq!(
            who.session_issuer_arn(),
            Some("arn:aws:iam::111122223333:role/key-rotation")
        );
        assert_eq!(who.account_id(), Some("111122223333"));
        assert!(who.arn().is_some_and(|arn| arn.contains("assumed-role")));
        let key = record.resources().next().expect("the key");
        assert_eq!(key.kind(), Some("AWS::KMS::Key"));
        assert_eq!(
            key.arn(),
            Some(kms::key_arn("eu-west-1", "111122223333").as_str())
        );
        assert_eq!(record.get("eventID"), json.get("eventID"));
    }

    #[test]
    fn the_json_is_kept_whole_null_and_unknown_fields_included() {
        let mut json = kms::disable_key("us-east-1", "111122223333");
        json["errorCode"] = Value::Null;
        json["responseElements"] = Value::Null;
        json["vpcEndpointId"] = json!("vpce-1");
        json["tlsDetails"] = json!({"tlsVersion": "TLSv1.3"});
        let record = record(json.clone());
        assert!(!record.failed(), "a null errorCode is a success");
        assert_eq!(record.response_elements(), None);
        assert_eq!(record.to_value(), json);
        assert_eq!(serde_json::to_value(&record).expect("serialises"), json);
        assert_eq!(Value::from(record.clone()), json);
        let read: CloudTrailRecord = serde_json::from_value(json.clone()).expect("deserialises");
        assert_eq!(read, record);
        assert_eq!(Value::Object(record.into_json()), json);
    }

    #[test]
    fn failed_calls_are_told_by_a_non_empty_error_code() {
        let denied = kms::disable_key("us-east-1", "111122223333");
        let mut json = denied.clone();
        json["errorCode"] = json!("AccessDeniedException");
        json["errorMessage"] = json!("not authorized");
        let failed = record(json);
        assert!(failed.failed());
        assert_eq!(failed.error_code(), Some("AccessDeniedException"));
        assert_eq!(failed.error_message(), Some("not authorized"));
        let mut empty = denied;
        empty["errorCode"] = json!("");
        assert!(!record(empty).failed());
    }

    #[test]
    fn what_is_not_a_record_is_named() {
        let base = || json!({"eventSource": "kms.amazonaws.com", "eventName": "DisableKey"});
        let with = |pointer: &str, value: Value| {
            let mut json = base();
            let (parent, field) = pointer.rsplit_once('/').expect("a pointer");
            json.pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .expect("parent object")
                .insert(field.to_owned(), value);
            json
        };
        let cases = [
            (json!(42), "is not an object but a number"),
            (json!([base()]), "is not an object but an array"),
            (json!(null), "is not an object but null"),
            (json!({}), "has no `eventSource`"),
            (
                json!({"eventSource": "kms.amazonaws.com"}),
                "has no `eventName`",
            ),
            (
                json!({"eventSource": "kms.amazonaws.com", "eventName": null}),
                "has no `eventName`",
            ),
            (
                json!({"eventSource": 1, "eventName": "DisableKey"}),
                "has `eventSource` as a number, not a string",
            ),
            (
                with("/awsRegion", json!(7)),
                "has `awsRegion` as a number, not a string",
            ),
            (
                with("/readOnly", json!("false")),
                "has `readOnly` as a string, not a boolean",
            ),
            (
                with("/errorCode", json!(403)),
                "has `errorCode` as a number, not a string",
            ),
            (
                with("/userIdentity", json!("not an object")),
                "has `userIdentity` as a string, not an object",
            ),
            (
                with("/requestParameters", json!([1])),
                "has `requestParameters` as an array, not an object",
            ),
            (
                with("/resources", json!("none")),
                "has `resources` as a string, not an array",
            ),
            (
                with("/resources", json!([7])),
                "has `resources.0` as a number, not an object",
            ),
            (
                with("/resources", json!([{"ARN": ["x"]}])),
                "has `resources.0.ARN` as an array, not a string",
            ),
        ];
        for (json, expected) in cases {
            let error = CloudTrailRecord::try_from(json.clone()).expect_err(expected);
            assert_eq!(error.to_string(), expected, "{json}");
        }
        let mut deep = base();
        deep["userIdentity"] = json!({"sessionContext": {"sessionIssuer": {"arn": false}}});
        assert_eq!(
            CloudTrailRecord::try_from(deep)
                .expect_err("deep")
                .to_string(),
            "has `userIdentity.sessionContext.sessionIssuer.arn` as a boolean, not a string"
        );
        let error = CloudTrailRecord::from_json_text("{not json").expect_err("text");
        assert!(
            error
                .to_string()
                .starts_with("is not JSON (key must be a string"),
            "{error}"
        );
        let error = serde_json::from_value::<CloudTrailRecord>(json!({"eventName": "x"}))
            .expect_err("deserialise");
        assert_eq!(
            error.to_string(),
            "the CloudTrail record has no `eventSource`"
        );
    }

    #[test]
    fn every_canonical_record_is_a_record() {
        let cis = crate::events::CIS_CONTROLS
            .iter()
            .flat_map(|control| (control.records)("us-east-1", "111122223333"));
        for json in kms::all("eu-west-1", "111122223333").into_iter().chain(cis) {
            let name = json["eventName"].clone();
            CloudTrailRecord::try_from(json).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
