//! The event EventBridge delivers for a CloudTrail record.
//!
//! Sources:
//! - "AWS service events delivered via AWS CloudTrail",
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html>:
//!   "CloudTrail sends the following types of events to the default EventBridge event bus. In
//!   each case, the `detail-type` value of the event is the listed event type": `AWS API Call via
//!   CloudTrail`, `AWS Console Signin via CloudTrail`, `AWS Console Action via CloudTrail`,
//!   `AWS Service Event via CloudTrail`, `AWS Insight via CloudTrail`.
//! - The KMS events reference (<https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-kms.html>)
//!   and the Sign-In one: `source` `aws.kms` with `eventSource` `kms.amazonaws.com`, `aws.signin`
//!   with `signin.amazonaws.com`; the source is `aws.` and the first label of the event source.
//! - "Amazon EventBridge events" (event structure): `version`, `id`, `detail-type`, `source`,
//!   `account`, `time`, `region`, `resources`, `detail`. CloudTrail-delivered events carry the
//!   record as `detail` and an empty `resources` list.

use serde_json::{Value, json};

/// The `detail-type` EventBridge gives a CloudTrail record, from its `eventType`.
///
/// `AwsApiCall` (and anything unknown) is `AWS API Call via CloudTrail`; `AwsConsoleSignIn` is
/// `AWS Console Signin via CloudTrail` (lower-case "in", as the docs spell it);
/// `AwsConsoleAction`, `AwsServiceEvent` and `AwsCloudTrailInsight` have their own types.
pub fn detail_type(record: &Value) -> &'static str {
    match record.get("eventType").and_then(Value::as_str) {
        Some("AwsConsoleSignIn") => "AWS Console Signin via CloudTrail",
        Some("AwsConsoleAction") => "AWS Console Action via CloudTrail",
        Some("AwsServiceEvent") => "AWS Service Event via CloudTrail",
        Some("AwsCloudTrailInsight") => "AWS Insight via CloudTrail",
        _ => "AWS API Call via CloudTrail",
    }
}

/// The EventBridge `source` for a CloudTrail `eventSource`: `kms.amazonaws.com` → `aws.kms`.
///
/// The rule is the documented one for the services this project checks (KMS, IAM, STS, EC2,
/// S3, CloudTrail, Config, Organizations, Sign-In); services whose EventBridge source differs
/// from their endpoint label are not special-cased.
pub fn event_source_to_source(event_source: &str) -> String {
    let service = event_source.split('.').next().unwrap_or(event_source);
    format!("aws.{service}")
}

/// The event EventBridge delivers to the default bus of `account` in `region` for `record`.
///
/// `id` is the record's `eventID` (EventBridge assigns its own; rules never match on it, and a
/// stable value keeps reports reproducible). `time` is the record's `eventTime`.
pub fn cloudtrail_envelope(record: &Value, region: &str, account: &str) -> Value {
    let text = |key: &str| record.get(key).and_then(Value::as_str).unwrap_or_default();
    json!({
        "version": "0",
        "id": text("eventID"),
        "detail-type": detail_type(record),
        "source": event_source_to_source(text("eventSource")),
        "account": account,
        "time": text("eventTime"),
        "region": region,
        "resources": [],
        "detail": record,
    })
}
