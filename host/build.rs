//! Builds the built-in rule packs for wasm32 and embeds them in the binary.
//!
//! The packs are ordinary crates under `rules/`; nothing compiled is committed. This script
//! runs a nested `cargo build --target wasm32-unknown-unknown --profile rules-wasm` into its own
//! target directory (so it never waits on the outer build's lock) and writes `builtin_packs.rs`
//! into `OUT_DIR` with one `include_bytes!` per pack.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The built-in packs: (crate name, artifact stem).
const PACKS: &[(&str, &str)] = &[(
    "trailwarden-rules-cloudtrail",
    "trailwarden_rules_cloudtrail",
)];

const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let root = manifest_dir
        .parent()
        .expect("host/ lives inside the workspace")
        .to_owned();
    for watched in ["rules", "sdk", "Cargo.lock", "Cargo.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=TRAILWARDEN_SKIP_PACK_BUILD");

    let out_dir = PathBuf::from(env("OUT_DIR"));
    let target_dir = root.join("target").join("rules-wasm");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());

    ensure_wasm_target();

    let mut command = Command::new(&cargo);
    command
        .current_dir(&root)
        .args(["build", "--target", TARGET, "--profile", "rules-wasm"])
        .arg("--target-dir")
        .arg(&target_dir);
    if std::env::var_os("CARGO_NET_OFFLINE").is_some() {
        command.arg("--offline");
    }
    for (name, _) in PACKS {
        command.args(["-p", name]);
    }
    // The outer build's flags (coverage, sanitizers, -C target-cpu) are for the host, not wasm.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
    ] {
        command.env_remove(var);
    }
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("could not run {cargo} to build the rule packs: {e}"));
    if !status.success() {
        panic!(
            "building the built-in rule packs for {TARGET} failed (see the cargo output above); \
             if it says the target is missing, run `rustup target add {TARGET}`"
        );
    }

    let mut generated = String::from(
        "/// The built-in packs: (crate name, wasm bytes).\n\
         pub const BUILTIN_PACKS: &[(&str, &[u8])] = &[\n",
    );
    for (name, stem) in PACKS {
        let wasm = target_dir
            .join(TARGET)
            .join("rules-wasm")
            .join(format!("{stem}.wasm"));
        let embedded = out_dir.join(format!("{stem}.wasm"));
        std::fs::copy(&wasm, &embedded)
            .unwrap_or_else(|e| panic!("pack {} was not built: {e}", wasm.display()));
        generated.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            embedded.display().to_string()
        ));
    }
    generated.push_str("];\n");
    write(&out_dir.join("builtin_packs.rs"), &generated);
}

/// Fails early, with the command to run, when the wasm32 target is missing; or installs it
/// when rustup is there to do so, as `rust-toolchain.toml` asks.
fn ensure_wasm_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let installed = |root: &Path| root.join("lib/rustlib").join(TARGET).join("lib").is_dir();
    let Some(sysroot) = sysroot else { return };
    if installed(&sysroot) {
        return;
    }
    println!("cargo:warning=installing the {TARGET} target with rustup (the rule packs need it)");
    let toolchain = std::env::var("RUSTUP_TOOLCHAIN").ok();
    let mut rustup = Command::new("rustup");
    rustup.args(["target", "add", TARGET]);
    if let Some(toolchain) = &toolchain {
        rustup.args(["--toolchain", toolchain]);
    }
    let ok = rustup.status().map(|s| s.success()).unwrap_or(false);
    if !ok || !installed(&sysroot) {
        panic!(
            "the {TARGET} target is not installed for {rustc}; the built-in rule packs are \
             compiled to it. Run `rustup target add {TARGET}` and build again"
        );
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("cargo sets {name} for build scripts"))
}

fn write(path: &Path, contents: &str) {
    std::fs::write(path, contents)
        .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
}
