//! Builds the built-in rule packs for wasm32 and embeds them in the binary.
//!
//! The packs are ordinary crates under `rules/`; nothing compiled is committed. The shared
//! helper runs a nested cargo build into `target/rules-wasm` and this script writes
//! `builtin_packs.rs` into `OUT_DIR` with one `include_bytes!` per pack.

#[path = "../build-support/wasm_packs.rs"]
mod wasm_packs;

use std::path::PathBuf;

/// The built-in packs, by crate name.
const PACKS: &[&str] = &[
    "trailwarden-rules-cloudtrail",
    "trailwarden-rules-kms",
    "trailwarden-rules-cis-monitoring",
];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest_dir.parent().unwrap_or(&manifest_dir).to_owned();
    for watched in ["rules", "sdk", "build-support", "Cargo.lock", "Cargo.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let packs = wasm_packs::build(&root, &root.join("target").join("rules-wasm"), PACKS);
    wasm_packs::embed(&out_dir, "builtin_packs.rs", "BUILTIN_PACKS", &packs);
}
