//! Helpers for the workspace-level tests: the test packs built from source, fixture paths.

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

/// The wasm bytes of the example custom pack, `examples/custom-pack`.
pub fn custom_pack() -> &'static [u8] {
    TEST_PACKS
        .iter()
        .find(|(name, _)| *name == "acme-security-rules")
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

/// A module with the v1 exports whose `metadata` export returns `meta` (a pack's metadata
/// JSON) and whose `evaluate` returns nothing: to test what the host does with metadata alone.
pub fn fake_pack(meta: &str) -> Vec<u8> {
    let mut escaped = String::new();
    for byte in meta.bytes() {
        if byte.is_ascii_graphic() && byte != b'"' && byte != b'\\' || byte == b' ' {
            escaped.push(char::from(byte));
        } else {
            escaped.push_str(&format!("\\{byte:02x}"));
        }
    }
    let packed = (16u64 << 32) | meta.len() as u64;
    let pages = meta.len() / 65536 + 2;
    wat::parse_str(format!(
        r#"(module
            (memory (export "memory") {pages})
            (data (i32.const 16) "{escaped}")
            (func (export "trailwarden_v1_alloc") (param i32) (result i32) i32.const 16)
            (func (export "trailwarden_v1_metadata") (result i64) i64.const {packed})
            (func (export "trailwarden_v1_evaluate") (param i32 i32 i32 i32) (result i64) i64.const 0)
            (func (export "trailwarden_v1_trap_info") (result i64) i64.const 0))"#
    ))
    .unwrap_or_default()
}

/// A private cache directory for compiled packs under the repository's `target/`, so tests
/// never touch `~/.cache` and re-runs do not recompile.
pub fn cache_dir() -> PathBuf {
    repo_root()
        .join("target")
        .join("tmp")
        .join("tests-module-cache")
}

/// The key that authenticates [`cache_dir`]'s entries, beside it (never the user's own key).
pub fn cache_key() -> PathBuf {
    repo_root()
        .join("target")
        .join("tmp")
        .join("tests-cache-key")
        .join("cache.key")
}

/// A fresh, empty scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tw-tests-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_default();
    dir
}

/// The pack options of a test run: `dirs` as `--rules`, `--rule-timeout rule_timeout`, the
/// default budgets otherwise, and the test cache with its key, so that every suite loads packs
/// the way `check` does.
pub fn pack_args(dirs: Vec<PathBuf>, rule_timeout: u64) -> trailwarden::cli::PackArgs {
    trailwarden::cli::PackArgs {
        rule_dirs: dirs,
        rule_timeout,
        pack_timeout: rule_timeout.max(30),
        rule_memory: 256,
        memory_budget: 1024,
        rule_output: 32,
        max_findings: 1000,
        max_total_findings: 50_000,
        no_cache: false,
        cache_dir: Some(cache_dir()),
        cache_key: Some(cache_key()),
    }
}
