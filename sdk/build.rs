//! Tells crates that depend on the SDK where its source is and which version it is.
//!
//! `links = "trailwarden_sdk"` in `Cargo.toml` makes cargo pass these to the build scripts of
//! direct dependents as `DEP_TRAILWARDEN_SDK_ROOT`, `DEP_TRAILWARDEN_SDK_MACROS_ROOT` and
//! `DEP_TRAILWARDEN_SDK_VERSION`. The host's
//! build script compiles the built-in rule packs against exactly this SDK source, whether it is
//! the workspace's `sdk/` or the copy cargo unpacked from the registry, so a published
//! `trailwarden` builds its packs with the SDK it links, offline, without a checkout.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if let Ok(root) = std::env::var("CARGO_MANIFEST_DIR") {
        println!("cargo::metadata=root={root}");
    }
    // The macros crate's source, from its own `links` metadata, passed on.
    if let Ok(root) = std::env::var("DEP_TRAILWARDEN_SDK_MACROS_ROOT") {
        println!("cargo::metadata=macros_root={root}");
    }
    if let Ok(version) = std::env::var("CARGO_PKG_VERSION") {
        println!("cargo::metadata=version={version}");
    }
}
