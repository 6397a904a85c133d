//! Write trailwarden rules: plain Rust functions over an account snapshot, compiled to wasm.
//!
//! A rule is an ordinary function from a [`Snapshot`] and a [`Ctx`] to [`Finding`]s. The
//! `#[rule]` attribute attaches its metadata (id, level, mappings; the doc comment becomes the
//! help text) and `export_rules!` turns a crate of rules into a pack that the trailwarden host
//! runs in a sandbox. The same functions run natively under `cargo test`.
//!
//! ```
//! use trailwarden_sdk::prelude::*;
//!
//! /// Every trail must validate its log files. Without validation, a deleted or edited log
//! /// file goes unnoticed.
//! #[rule(id = "ACME-CT-001", name = "trail-validation", level = "warning")]
//! pub fn trail_validation(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
//!     let mut findings = Vec::new();
//!     for region in &snapshot.regions {
//!         for trail in region.trails.items.iter().filter(|t| t.home_region == region.region) {
//!             if !trail.log_file_validation_enabled {
//!                 findings.push(Finding::fail(
//!                     "LOG_FILE_VALIDATION_OFF",
//!                     format!("trail `{}` does not validate its log files", trail.name),
//!                 ));
//!             }
//!         }
//!     }
//!     Ok(findings)
//! }
//!
//! export_rules![trail_validation];
//!
//! let snapshot = Snapshot::from_json(r#"{
//!     "schemaVersion": 1,
//!     "account": {"id": "111122223333"},
//!     "regions": []
//! }"#).unwrap();
//! let findings = pack().run_rule("ACME-CT-001", &snapshot, serde_json::Value::Null).unwrap();
//! assert!(findings.is_empty());
//! ```
#![deny(missing_docs)]

extern crate self as trailwarden_sdk;

pub mod abi;
pub mod arn;
pub mod chain;
pub mod eventbridge;
pub mod events;
pub mod finding;
pub mod meta;
pub mod pattern;
pub mod rule;
pub mod selectors;
pub mod snapshot;
pub mod time;

pub use finding::{Finding, Level, Outcome, Resource};
pub use meta::{Mappings, PackMeta, RuleMeta, SettingMeta};
pub use pattern::{Pattern, PatternError, PatternErrorKind};
pub use rule::{
    Ctx, NoSettings, Pack, RuleDef, RuleError, RuleFn, RuleSettings, RuleSpec, check_settings,
};
pub use snapshot::{SCHEMA_VERSION, Snapshot};
pub use trailwarden_sdk_macros::{export_rules, rule};

/// This SDK's version, recorded in every pack's metadata.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a rule file needs, in one import.
pub mod prelude {
    pub use crate::arn::Arn;
    pub use crate::finding::{Finding, Level, Outcome, Resource};
    pub use crate::rule::{Ctx, NoSettings, RuleError, RuleSettings};
    pub use crate::snapshot::*;
    pub use crate::{SettingMeta, export_rules, rule};
}
