//! The monitoring chain: trail → log group → metric filter → metric → alarm → topic.
//!
//! A [`Requirement`] is data: realistic CloudTrail records that must all be caught, and whether
//! one event must raise the alarm (a change alert) or a count over a threshold (a volume
//! alert). The analysis follows each link by identity and, per enabled region, reports either
//! the paths that cover the requirement or the furthest a path got and the link that broke.

pub mod alarm;
pub mod analysis;
pub mod composite;
mod findings;
pub mod log_group;
pub mod metric;
pub mod notify;
pub mod reason;
pub mod requirements;
pub mod trail;

#[cfg(test)]
mod tests;

pub use analysis::{
    Analysis, Break, CoveringPath, EventCoverage, Link, RegionCoverage, RegionVerdict, analyse,
};

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
///
/// ```
/// use trailwarden_sdk::chain::{AlarmMode, Requirement, analyse, reason};
/// use trailwarden_sdk::events::kms;
/// # let snapshot = trailwarden_sdk::Snapshot::from_json(
/// #     r#"{"schemaVersion": 1, "account": {"id": "111122223333"}, "regions": []}"#).unwrap();
/// let requirement = Requirement {
///     name: "KMS key disable and deletion events".to_owned(),
///     records: vec![kms::disable_key("us-east-1", "111122223333")],
///     mode: AlarmMode::SingleEvent,
/// };
/// let analysis = analyse(&snapshot, &requirement);
/// // No region in the snapshot: nothing can be verified, and the finding says so.
/// assert_eq!(analysis.findings()[0].reason, reason::NO_REGIONS);
/// ```
#[derive(Debug, Clone)]
pub struct Requirement {
    /// A plural noun phrase for messages, e.g. "KMS key disable and deletion events": findings
    /// read "{name} in eu-west-1 reach nobody: …".
    pub name: String,
    /// Realistic CloudTrail records; every one must be caught. `awsRegion` is rewritten per
    /// region analysed.
    pub records: Vec<Value>,
    /// The alarm behaviour required.
    pub mode: AlarmMode,
}
