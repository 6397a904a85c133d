//! Built-in trailwarden pack: KMS key monitoring and detection (TW-KMS-*).
//!
//! Whether disabling or deleting a key, failed calls and unusual volume reach a person, decided
//! by following the monitoring chain (`trailwarden_sdk::chain`); and whether such events have
//! already happened.

pub mod activity_alarm;
pub mod failed_calls_alarm;
pub mod key_changes_alarm;

trailwarden_sdk::export_rules![
    key_changes_alarm::key_changes_alarm,
    failed_calls_alarm::failed_calls_alarm,
    activity_alarm::activity_alarm,
];
