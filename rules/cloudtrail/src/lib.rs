//! Built-in trailwarden pack: the CloudTrail prerequisites of KMS monitoring.
//!
//! A KMS alarm is only as good as the trail that feeds it. These rules check that a trail
//! records every management event in every region, keeps its logs private and tamper-evident.

pub mod cloudwatch_delivery;
mod helpers;
pub mod kms_events_captured;
pub mod log_file_validation;
pub mod multi_region_trail;
pub mod reason;
pub mod trail_encryption;

trailwarden_sdk::export_rules![
    multi_region_trail::multi_region_trail,
    cloudwatch_delivery::cloudwatch_delivery,
    trail_encryption::trail_encryption,
    log_file_validation::log_file_validation,
    kms_events_captured::kms_events_captured,
];
