//! The monitoring chain: trail → log group → metric filter → metric → alarm → topic.
//!
//! A [`Requirement`] is data: realistic CloudTrail records that must all be caught, and whether
//! one event must raise the alarm (a change alert) or a count over a threshold (a volume
//! alert). The analysis follows each link by identity and, per enabled region, reports either
//! the paths that cover the requirement or the furthest a path got and the link that broke.

pub mod notify;
pub mod trail;

use serde_json::Value;

/// How an alarm must behave for the requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmMode {
    /// One matching event in one period must put the alarm in ALARM (disable or delete a key).
    SingleEvent,
    /// A count with a finite threshold, or an anomaly band (failed calls, unusual volume).
    Volume,
}

/// What must be monitored: records that must each reach a person, and how.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// A short name for messages, e.g. "KMS key disable or deletion".
    pub name: String,
    /// Realistic CloudTrail records; every one must be caught. `awsRegion` is rewritten per
    /// region analysed.
    pub records: Vec<Value>,
    /// The alarm behaviour required.
    pub mode: AlarmMode,
}
