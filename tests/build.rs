//! Builds the hostile test pack for wasm32 so the sandbox tests run it from source.

#[path = "../build-support/wasm_packs.rs"]
mod wasm_packs;

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest_dir.parent().unwrap_or(&manifest_dir).to_owned();
    for watched in ["tests/packs", "sdk", "build-support"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let packs = wasm_packs::build(
        &root,
        &root.join("target").join("test-packs-wasm"),
        &["trailwarden-hostile-pack"],
    );
    wasm_packs::embed(&out_dir, "test_packs.rs", "TEST_PACKS", &packs);
}
