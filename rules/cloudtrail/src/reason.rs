//! The reason codes only this pack reports. Codes the chain analysis also reports (trails not
//! collected, no trail, a trail that is not logging, …) are the SDK's
//! [`trailwarden_sdk::chain::reason`] constants, so both spell them the same way.

/// No trail is logging, so nothing reaches CloudWatch Logs.
pub const NO_LOGGING_TRAIL: &str = "NO_LOGGING_TRAIL";
/// A trail last delivered to CloudWatch Logs longer ago than the allowed age.
pub const CLOUDWATCH_DELIVERY_STALE: &str = "CLOUDWATCH_DELIVERY_STALE";
/// A trail reports an error delivering to CloudWatch Logs.
pub const CLOUDWATCH_DELIVERY_FAILING: &str = "CLOUDWATCH_DELIVERY_FAILING";
/// Trails exist, and the event selectors of at least one drop the KMS event.
pub const KMS_EVENTS_DROPPED: &str = "KMS_EVENTS_DROPPED";
/// Trails exist, but none records the KMS event (not in the region, not logging).
pub const KMS_EVENTS_NOT_RECORDED: &str = "KMS_EVENTS_NOT_RECORDED";
/// A trail does not validate its log files.
pub const LOG_FILE_VALIDATION_DISABLED: &str = "LOG_FILE_VALIDATION_DISABLED";
/// No multi-region trail records management events.
pub const TRAIL_NOT_MULTI_REGION: &str = "TRAIL_NOT_MULTI_REGION";
/// Whether the best candidate trail is logging was not collected.
pub const TRAIL_STATUS_UNKNOWN: &str = "TRAIL_STATUS_UNKNOWN";
/// The best candidate trail's event selectors were not collected.
pub const TRAIL_SELECTORS_UNKNOWN: &str = "TRAIL_SELECTORS_UNKNOWN";
/// The multi-region trail leaves some management events out.
pub const TRAIL_DROPS_MANAGEMENT_EVENTS: &str = "TRAIL_DROPS_MANAGEMENT_EVENTS";
/// A trail does not encrypt its log files with a KMS key.
pub const TRAIL_NOT_ENCRYPTED: &str = "TRAIL_NOT_ENCRYPTED";
/// A trail encrypts with an AWS managed key instead of a customer managed one.
pub const TRAIL_KEY_AWS_MANAGED: &str = "TRAIL_KEY_AWS_MANAGED";
/// A trail's key is not enabled, so CloudTrail cannot deliver log files.
pub const TRAIL_KEY_UNUSABLE: &str = "TRAIL_KEY_UNUSABLE";
/// A trail's key is in the account, but the key list of its region could not be read.
pub const KEY_NOT_COLLECTED: &str = "KEY_NOT_COLLECTED";
