//! Builds the built-in rule packs for wasm32 and embeds them in the binary.
//!
//! The packs are ordinary crates under `rules/`; nothing compiled is committed. The shared
//! helper runs a nested cargo build and this script writes `builtin_packs.rs` into `OUT_DIR`
//! with one `include_bytes!` per pack, and the packs' versions for `trailwarden --version`.
//!
//! It works in two places:
//! - in the workspace, it builds the member crates `rules/*` into `target/rules-wasm`;
//! - in the published crate (no workspace around it), it builds the packs' sources shipped in
//!   `packaged/rules` (symlinks to `rules/*/src` and `rules/*/Cargo.toml`, which `cargo package`
//!   copies as files) in a workspace it writes into `OUT_DIR`, against the SDK source this
//!   crate links (`DEP_TRAILWARDEN_SDK_ROOT` and `…_MACROS_ROOT`, from the SDK's `links` key)
//!   and with this
//!   package's `Cargo.lock`, so it needs no checkout and no network beyond cargo's own.

#[path = "packaged/wasm_packs.rs"]
mod wasm_packs;

use std::path::{Path, PathBuf};

/// The built-in packs: crate name and directory under `rules/`.
const PACKS: &[(&str, &str)] = &[
    ("trailwarden-rules-cloudtrail", "cloudtrail"),
    ("trailwarden-rules-kms", "kms"),
    ("trailwarden-rules-cis-monitoring", "cis-monitoring"),
];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let names: Vec<&str> = PACKS.iter().map(|(name, _)| *name).collect();
    let root = manifest_dir.parent().unwrap_or(&manifest_dir).to_owned();
    let in_workspace = root.join("rules").join("kms").join("Cargo.toml").is_file()
        && !manifest_dir.join("Cargo.toml.orig").exists();
    let (packs, manifests) = if in_workspace {
        for watched in ["rules", "sdk", "build-support", "Cargo.lock", "Cargo.toml"] {
            println!("cargo:rerun-if-changed={}", root.join(watched).display());
        }
        let packs = wasm_packs::build(&root, &root.join("target").join("rules-wasm"), &names);
        (packs, root.join("rules"))
    } else {
        let sources = manifest_dir.join("packaged").join("rules");
        println!("cargo:rerun-if-changed={}", sources.display());
        let workspace = out_dir.join("packs-workspace");
        write_workspace(&manifest_dir, &sources, &workspace);
        let packs = wasm_packs::build(&workspace, &out_dir.join("rules-wasm"), &names);
        (packs, sources)
    };
    wasm_packs::embed(&out_dir, "builtin_packs.rs", "BUILTIN_PACKS", &packs);
    write_versions(&out_dir, &manifests);
}

/// Writes `builtin_versions.rs`: `(crate name, version)` of each built-in pack. A pack inherits
/// the workspace version (as this crate does) unless its manifest sets its own.
fn write_versions(out_dir: &Path, manifests: &Path) {
    let own = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let mut generated = String::from(
        "/// (package, version)\npub const BUILTIN_PACK_VERSIONS: &[(&str, &str)] = &[\n",
    );
    for (name, dir) in PACKS {
        let pack_dir = manifests.join(dir);
        let manifest = ["Cargo.toml", "Cargo.toml.in"]
            .iter()
            .find_map(|file| std::fs::read_to_string(pack_dir.join(file)).ok())
            .unwrap_or_default();
        let version = manifest
            .lines()
            .find_map(|line| {
                let value = line.trim().strip_prefix("version")?.trim_start();
                let value = value.strip_prefix('=')?.trim();
                Some(value.trim_matches('"').to_owned())
            })
            .unwrap_or_else(|| own.clone());
        generated.push_str(&format!("    ({name:?}, {version:?}),\n"));
    }
    generated.push_str("];\n");
    let path = out_dir.join("builtin_versions.rs");
    std::fs::write(&path, generated)
        .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
}

/// Writes a workspace of the packaged pack sources into `workspace`: each pack's manifest as it
/// is in the repository, and a root manifest giving what they inherit (version, edition,
/// dependencies), with the SDK by path to the source this crate is built with.
fn write_workspace(manifest_dir: &Path, sources: &Path, workspace: &Path) {
    let sdk_root = std::env::var("DEP_TRAILWARDEN_SDK_ROOT").unwrap_or_else(|_| {
        panic!("trailwarden-sdk did not say where its source is (DEP_TRAILWARDEN_SDK_ROOT)")
    });
    let sdk_version = std::env::var("DEP_TRAILWARDEN_SDK_VERSION").unwrap_or_default();
    // The macros the SDK was built with: patched in, so the nested build never looks them up
    // (they may come from a registry it cannot see, such as `cargo package`'s temporary one).
    let patch = match std::env::var("DEP_TRAILWARDEN_SDK_MACROS_ROOT") {
        Ok(root) => {
            format!("\n[patch.crates-io]\ntrailwarden-sdk-macros = {{ path = {root:?} }}\n")
        }
        Err(_) => String::new(),
    };
    let env = |key: &str| std::env::var(key).unwrap_or_default();
    let _ = std::fs::remove_dir_all(workspace);
    let mut members = Vec::new();
    for (_, dir) in PACKS {
        let from = sources.join(dir);
        let to = workspace.join(dir);
        copy_tree(&from.join("src"), &to.join("src"));
        std::fs::copy(from.join("Cargo.toml.in"), to.join("Cargo.toml"))
            .unwrap_or_else(|e| panic!("pack sources {} are incomplete: {e}", from.display()));
        members.push(format!("{dir:?}"));
    }
    let root = format!(
        "# Written by trailwarden's build script from the packaged pack sources.\n\
         [workspace]\nresolver = \"3\"\nmembers = [{members}]\n\n\
         [workspace.package]\nversion = {version:?}\nedition = \"2024\"\n\
         rust-version = {rust_version:?}\nlicense = {license:?}\n\n\
         [workspace.dependencies]\n\
         trailwarden-sdk = {{ path = {sdk_root:?}, version = \"={sdk_version}\" }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\n\
         [workspace.lints.rust]\nunsafe_op_in_unsafe_fn = \"deny\"\n\n\
         [workspace.lints.clippy]\nunwrap_used = \"warn\"\n\n\
         [profile.rules-wasm]\ninherits = \"release\"\nopt-level = \"s\"\nlto = true\n\
         codegen-units = 1\npanic = \"abort\"\nstrip = \"debuginfo\"\ndebug = false\n{patch}",
        members = members.join(", "),
        version = env("CARGO_PKG_VERSION"),
        rust_version = env("CARGO_PKG_RUST_VERSION"),
        license = env("CARGO_PKG_LICENSE"),
    );
    write(&workspace.join("Cargo.toml"), &root);
    // The versions this package was published with, so the packs build as they were tested.
    if let Ok(lock) = std::fs::read(manifest_dir.join("Cargo.lock")) {
        write(
            &workspace.join("Cargo.lock"),
            &String::from_utf8_lossy(&lock),
        );
    }
}

/// Copies a directory tree (regular files only), following symlinks.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("copying {}: {e}", path.display()));
        }
    }
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    std::fs::write(path, text)
        .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
}
