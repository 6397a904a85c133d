//! Tells the SDK where this crate's source is (`links = "trailwarden_sdk_macros"` makes cargo
//! pass it to the SDK's build script as `DEP_TRAILWARDEN_SDK_MACROS_ROOT`), which hands it on
//! to the host's build script: the built-in packs are compiled against exactly the SDK and
//! macros the host links, even when neither is on a registry the nested build can reach.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if let Ok(root) = std::env::var("CARGO_MANIFEST_DIR") {
        println!("cargo::metadata=root={root}");
    }
}
