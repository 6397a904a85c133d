//! Write trailwarden rules: plain Rust functions over an account snapshot, compiled to wasm.
//!
//! A rule is an ordinary function from a [`Snapshot`] and a [`Ctx`] to [`Finding`]s. The
//! [`#[rule]`](macro@rule) attribute attaches its metadata (id, level, mappings; the doc
//! comment becomes the help text) and [`export_rules!`] turns a crate of rules into a pack that
//! the trailwarden host runs in a sandbox. The same functions run natively under `cargo test`.
//! The guide, `docs/writing-rules.md` in the repository, goes from nothing to a custom rule in
//! CI.
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
//!
//! # Module map
//!
//! `use trailwarden_sdk::prelude::*;` brings what nearly every rule file needs. The rest, by
//! what you are doing:
//!
//! | to… | use |
//! |---|---|
//! | read the account | [`snapshot`]: [`Snapshot`], its regions and [`Section`](snapshot::Section)s (`verified()` tells "none" from "not collected") |
//! | report | [`finding`]: [`Finding::fail`], [`Finding::unverifiable`], [`Resource`] |
//! | declare rules and settings | [`macro@rule`], [`export_rules!`], [`RuleSettings`](macro@RuleSettings) (derive), [`Ctx`] |
//! | check a monitoring chain (trail → log group → filter → metric → alarm → topic) | [`chain`]: [`Requirement`](chain::Requirement), [`analyse`](chain::analyse), [`Analysis::findings`](chain::Analysis::findings); ready-made requirements in [`chain::requirements`] |
//! | evaluate a CloudWatch Logs filter pattern | [`pattern`]: [`Pattern::parse`], [`Pattern::matches`] |
//! | judge a topic or key policy for a service principal (may CloudWatch publish?) | [`policy`]: [`evaluate`](policy::evaluate), [`Decision`](policy::Decision) |
//! | evaluate an EventBridge event pattern | [`eventbridge`]: [`EventPattern`](eventbridge::EventPattern), [`cloudtrail_envelope`](eventbridge::cloudtrail_envelope) |
//! | evaluate CloudTrail event selectors | [`selectors`]: [`trail_captures`](selectors::trail_captures) |
//! | get a realistic CloudTrail record | [`events`]: [`RecordBuilder`](events::RecordBuilder), [`events::kms`], [`events::cis`] |
//! | compare identities, read times | [`arn`], [`time`] |
//! | test natively | [`testing`]: [`SnapshotBuilder`](testing::SnapshotBuilder), [`assert_cases`](testing::assert_cases) |
//! | know what the host and a pack exchange | [`abi`], [`meta`] |
//!
//! # Versions
//!
//! The SDK follows semantic versioning (while it is 0.x, a minor release may break source
//! compatibility, and a patch release never does). Each pack records the SDK version it was
//! built with ([`SDK_VERSION`]); `trailwarden rules list` and `rules explain` show it. What
//! decides whether a pack runs on a host is not the SDK version but the rule ABI major and the
//! snapshot schema; see [`abi`] for the rules and [`abi::check_compatibility`] for the check.
//!
//! # Limits of the sandbox
//!
//! A pack is built for `wasm32-unknown-unknown` and imports nothing: no files, no network, no
//! clock (the run's time is [`Ctx::now`], given by the host), no randomness, no threads. It
//! runs under a deadline and a memory cap, and its output is capped (findings per rule, string
//! lengths). A rule that panics, loops or runs out of memory fails alone.
#![deny(missing_docs)]

extern crate self as trailwarden_sdk;

pub mod abi;
pub mod arn;
pub mod chain;
#[doc(hidden)]
pub mod evaluation;
pub mod eventbridge;
pub mod events;
pub mod finding;
pub mod meta;
pub mod pattern;
pub mod policy;
pub mod rule;
pub mod sections;
pub mod selectors;
pub mod snapshot;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;
pub mod time;

pub use finding::{Finding, Level, Outcome, Resource};
pub use meta::{Mappings, PackMeta, RuleMeta, SettingMeta};
pub use pattern::{Pattern, PatternError, PatternErrorKind};
pub use rule::{
    Ctx, NoSettings, Pack, RuleDef, RuleError, RuleFn, RuleSettings, RuleSpec, SettingProblem,
    SettingsError, check_settings, parse_settings,
};
pub use snapshot::{SCHEMA_VERSION, Snapshot};
pub use trailwarden_sdk_macros::{RuleSettings, export_rules, rule};

/// This SDK's version, recorded in every pack's metadata.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a rule file needs, in one import.
///
/// The snapshot model, findings, the rule attribute and macros, settings, and the chain
/// analysis with its requirements.
pub mod prelude {
    pub use crate::arn::Arn;
    pub use crate::chain::{AlarmMode, Analysis, Requirement, analyse, requirements};
    pub use crate::events::RecordBuilder;
    pub use crate::finding::{Finding, Level, Outcome, Resource};
    pub use crate::rule::{Ctx, NoSettings, RuleError, check_settings};
    pub use crate::snapshot::*;
    pub use crate::{RuleSettings, SettingMeta, export_rules, rule};
}

/// What the macros expand to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use serde_json;
}
