//! Built-in trailwarden pack: KMS key monitoring and detection (TW-KMS-*).
//!
//! A KMS key that is disabled, scheduled for deletion or whose imported material expires takes
//! every piece of data encrypted under it with it. These rules check that someone would be
//! told, by following the monitoring chain (`trailwarden_sdk::chain`): an alarm that one
//! disable or deletion fires (TW-KMS-001), alarms on failed calls and on cryptographic volume
//! (TW-KMS-002, -003), an EventBridge rule that really matches the CloudTrail event and
//! notifies a person (TW-KMS-004), an alarm on the countdown of imported key material
//! (TW-KMS-005); and, over collected CloudTrail records, whether such events already happened
//! (TW-KMS-006).

pub mod activity_alarm;
mod common;
pub mod eventbridge_key_events;
pub mod failed_calls_alarm;
pub mod imported_key_expiration;
pub mod key_changes_alarm;
pub mod key_disable_detection;
pub mod reason;

trailwarden_sdk::export_rules![
    key_changes_alarm::key_changes_alarm,
    failed_calls_alarm::failed_calls_alarm,
    activity_alarm::activity_alarm,
    eventbridge_key_events::eventbridge_key_events,
    imported_key_expiration::imported_key_expiration,
    key_disable_detection::key_disable_detection,
];
