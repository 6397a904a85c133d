//! Testing rules natively: build snapshots in code, and run fixture cases with expected
//! findings.
//!
//! - [`SnapshotBuilder`] builds an account with a trail, a log group, metric filters, alarms,
//!   topics, keys and EventBridge rules in a few lines, healthy by default; break one link with
//!   an `edit_*` method and assert what a rule says.
//! - [`cases`] reads `tests/cases/NAME.json` + `NAME.expected.json` pairs, and
//!   [`assert_cases`] runs them natively. `trailwarden rules test` runs the same files through
//!   the compiled `.wasm` in the sandbox.
//!
//! ```
//! use trailwarden_sdk::prelude::*;
//! use trailwarden_sdk::testing::SnapshotBuilder;
//!
//! /// Every trail validates its log files.
//! #[rule(id = "ACME-CT-001", name = "trail-validation")]
//! pub fn trail_validation(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
//!     Ok(snapshot
//!         .unique_trails()
//!         .into_iter()
//!         .filter(|trail| !trail.log_file_validation_enabled)
//!         .map(|trail| Finding::fail("VALIDATION_OFF", format!("trail `{}` does not validate its logs", trail.name)))
//!         .collect())
//! }
//! export_rules![trail_validation];
//!
//! let healthy = SnapshotBuilder::new()
//!     .region("us-east-1")
//!     .trail("management-events", "cloudtrail-logs")
//!     .region("eu-west-1")
//!     .build();
//! assert_eq!(pack().run_rule("ACME-CT-001", &healthy, serde_json::Value::Null), Ok(vec![]));
//!
//! let broken = SnapshotBuilder::new()
//!     .region("us-east-1")
//!     .trail("management-events", "cloudtrail-logs")
//!     .edit_trail("management-events", |trail| trail.log_file_validation_enabled = false)
//!     .build();
//! let findings = pack().run_rule("ACME-CT-001", &broken, serde_json::Value::Null).unwrap();
//! assert_eq!(findings[0].reason, "VALIDATION_OFF");
//! assert_eq!(findings[0].rule_id, "ACME-CT-001");
//! ```
//!
//! This module reads files, so it exists only off wasm: it is for tests and tools, never for
//! rules.

mod builder;
pub mod cases;

pub use builder::{MONITOR_NAMESPACE, SectionName, SnapshotBuilder};
pub use cases::{
    Case, CaseError, Comparison, Expectations, Reported, RuleFailure, assert_cases, compare,
    load_cases, run_native,
};
