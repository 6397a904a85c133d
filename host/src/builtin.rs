//! The built-in packs, compiled from `rules/` by `build.rs` and embedded in the binary.

include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));
include!(concat!(env!("OUT_DIR"), "/builtin_versions.rs"));

/// The demo snapshot that `check --demo` checks: a realistic account with some links broken.
pub const DEMO_SNAPSHOT: &str = include_str!("../packaged/demo-snapshot.json");
