//! Helpers for the workspace-level tests: the hostile pack built from source, fixture paths.

include!(concat!(env!("OUT_DIR"), "/test_packs.rs"));

use std::path::PathBuf;

/// The wasm bytes of the hostile test pack.
pub fn hostile_pack() -> &'static [u8] {
    TEST_PACKS
        .iter()
        .find(|(name, _)| *name == "trailwarden-hostile-pack")
        .map(|(_, bytes)| *bytes)
        .unwrap_or_default()
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// A snapshot fixture by file name.
pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/snapshots").join(name)
}
