//! Builds the test packs for wasm32 from source: the hostile pack the sandbox tests run, and the
//! example custom pack (`examples/custom-pack`) that the authoring tests run through the host.

#[path = "../build-support/wasm_packs.rs"]
mod wasm_packs;

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest_dir.parent().unwrap_or(&manifest_dir).to_owned();
    for watched in [
        "tests/packs",
        "examples/custom-pack",
        "sdk",
        "build-support",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let packs = wasm_packs::build(
        &root,
        &root.join("target").join("test-packs-wasm"),
        &["trailwarden-hostile-pack", "acme-security-rules"],
    );
    wasm_packs::embed(&out_dir, "test_packs.rs", "TEST_PACKS", &packs);
}
