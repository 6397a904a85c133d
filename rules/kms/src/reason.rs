//! The reason codes only this pack reports. Codes the chain analysis also reports (a section
//! not collected, an alarm on the wrong dimensions, …) are the SDK's
//! [`trailwarden_sdk::chain::reason`] constants, so both spell them the same way.

/// The KMS keys of a region could not be read.
pub const KMS_KEYS_NOT_COLLECTED: &str = "KMS_KEYS_NOT_COLLECTED";

// TW-KMS-004: an EventBridge rule notifies on key changes.

/// The EventBridge rules of a region could not be read.
pub const EVENT_RULES_NOT_COLLECTED: &str = "EVENT_RULES_NOT_COLLECTED";
/// No EventBridge rule comes close to catching the key changes.
pub const NO_EVENT_RULE: &str = "NO_EVENT_RULE";
/// The closest rule's event pattern does not match the key-change events.
pub const EVENT_PATTERN_NO_MATCH: &str = "EVENT_PATTERN_NO_MATCH";
/// The closest rule is on another event bus than the one CloudTrail events reach.
pub const EVENT_RULE_WRONG_BUS: &str = "EVENT_RULE_WRONG_BUS";
/// The closest rule is `DISABLED`.
pub const EVENT_RULE_DISABLED: &str = "EVENT_RULE_DISABLED";
/// The closest rule is `ENABLED`, which leaves out the read-only management events it needs.
pub const EVENT_RULE_EXCLUDES_READ_ONLY: &str = "EVENT_RULE_EXCLUDES_READ_ONLY";
/// The closest rule's state is one this checker does not know.
pub const EVENT_RULE_STATE_UNKNOWN: &str = "EVENT_RULE_STATE_UNKNOWN";
/// Whether the closest rule's targets tell anyone cannot be checked here.
pub const EVENT_TARGET_UNVERIFIABLE: &str = "EVENT_TARGET_UNVERIFIABLE";
/// A rule's event pattern does not parse, so it matches nothing.
pub const EVENT_PATTERN_INVALID: &str = "EVENT_PATTERN_INVALID";

// TW-KMS-005: imported key material that expires.

/// The run's time is unknown, so how soon key material expires cannot be checked.
pub const EXPIRY_NOT_VERIFIABLE: &str = "EXPIRY_NOT_VERIFIABLE";
/// A key's `ValidTo` was not collected or cannot be read.
pub const VALID_TO_UNKNOWN: &str = "VALID_TO_UNKNOWN";
/// The imported key material has expired.
pub const KEY_MATERIAL_EXPIRED: &str = "KEY_MATERIAL_EXPIRED";
/// The imported key material expires within the warning period.
pub const KEY_MATERIAL_EXPIRES_SOON: &str = "KEY_MATERIAL_EXPIRES_SOON";
/// No alarm watches the key's expiry countdown.
pub const NO_EXPIRATION_ALARM: &str = "NO_EXPIRATION_ALARM";
/// The countdown alarm fires on a high value, but the countdown falls.
pub const ALARM_NOT_LOW_SIDE: &str = "ALARM_NOT_LOW_SIDE";
/// The countdown alarm's threshold is not a positive number of seconds.
pub const ALARM_THRESHOLD_NOT_POSITIVE: &str = "ALARM_THRESHOLD_NOT_POSITIVE";
/// Whether the countdown alarm tells anyone cannot be checked here.
pub const ALARM_NOTIFY_UNVERIFIABLE: &str = "ALARM_NOTIFY_UNVERIFIABLE";

// TW-KMS-006: keys disabled or scheduled for deletion, from CloudTrail events.

/// No CloudTrail events were collected.
pub const EVENTS_NOT_COLLECTED: &str = "EVENTS_NOT_COLLECTED";
/// Some CloudTrail events may be missing.
pub const EVENTS_INCOMPLETE: &str = "EVENTS_INCOMPLETE";
/// The window of recent events cannot be decided.
pub const EVENT_WINDOW_UNKNOWN: &str = "EVENT_WINDOW_UNKNOWN";
/// Events were collected from later than the window starts.
pub const EVENT_WINDOW_NOT_COVERED: &str = "EVENT_WINDOW_NOT_COVERED";
/// A matching record's time cannot be read, so whether it is recent is unknown.
pub const EVENT_TIME_UNREADABLE: &str = "EVENT_TIME_UNREADABLE";
/// A key was scheduled for deletion in the window.
pub const KEY_DELETION_SCHEDULED: &str = "KEY_DELETION_SCHEDULED";
/// A key was disabled in the window.
pub const KEY_DISABLED: &str = "KEY_DISABLED";
