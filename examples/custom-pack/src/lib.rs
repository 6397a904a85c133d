//! ACME's own trailwarden rules, on top of the built-in packs.
//!
//! - [`security_topic::failed_calls_notify_security`] (ACME-KMS-001): failed KMS calls are
//!   alarmed, and the alarm tells the security team, not just anyone;
//! - [`log_retention::trail_log_retention`] (ACME-LOGS-001): the log group a trail delivers to
//!   keeps a year of events, for the investigation after the alarm;
//! - [`key_rotation::customer_managed_key_rotation`] (ACME-KMS-002): customer-managed keys
//!   rotate their key material, read from the `keyRotations` section.
//!
//! Build the pack with `cargo build --release --target wasm32-unknown-unknown` and load it with
//! `trailwarden check --rules DIR`.

pub mod key_rotation;
pub mod log_retention;
pub mod security_topic;

trailwarden_sdk::export_rules![
    security_topic::failed_calls_notify_security,
    log_retention::trail_log_retention,
    key_rotation::customer_managed_key_rotation,
];
