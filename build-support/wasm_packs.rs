//! Shared by build scripts that compile rule packs to wasm32 (`host/build.rs` for the built-in
//! packs, `tests/build.rs` for the test packs) and by the test that builds a scaffolded pack
//! (`host/tests/authoring.rs`). Included with `#[path]`, so it has no crate of its own and no
//! dependencies.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The only target packs are built for: no WASI, no imports.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// The cargo profile for packs (see the workspace `Cargo.toml`).
pub const PROFILE: &str = "rules-wasm";

/// Builds `packages` for wasm32 into `target_dir` and returns each `(package, wasm path)`.
///
/// Runs a nested cargo into its own target directory, so it never waits on the outer build's
/// lock, with the outer build's host-only flags removed.
pub fn build(workspace: &Path, target_dir: &Path, packages: &[&str]) -> Vec<(String, PathBuf)> {
    ensure_target();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(&cargo);
    command
        .current_dir(workspace)
        .args(["build", "--target", TARGET, "--profile", PROFILE])
        .arg("--target-dir")
        .arg(target_dir);
    if std::env::var_os("CARGO_NET_OFFLINE").is_some() {
        command.arg("--offline");
    }
    for package in packages {
        command.args(["-p", package]);
    }
    without_outer_build(&mut command);
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("could not run {cargo} to build rule packs: {e}"));
    if !status.success() {
        panic!(
            "building rule packs for {TARGET} failed (see the cargo output above); if it says \
             the target is missing, run `rustup target add {TARGET}`"
        );
    }
    packages
        .iter()
        .map(|package| {
            let stem = package.replace('-', "_");
            let wasm = target_dir
                .join(TARGET)
                .join(PROFILE)
                .join(format!("{stem}.wasm"));
            (package.to_string(), wasm)
        })
        .collect()
}

/// Removes from a nested cargo's environment what the outer build set for itself: host-only
/// flags, its target directory and target, its jobserver.
pub fn without_outer_build(command: &mut Command) {
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
}

/// Makes sure the wasm32 target is installed: installs it with rustup when rustup is there (as
/// `rust-toolchain.toml` asks), and otherwise fails with the command to run.
fn ensure_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let Some(sysroot) = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
    else {
        return;
    };
    let installed = || {
        sysroot
            .join("lib/rustlib")
            .join(TARGET)
            .join("lib")
            .is_dir()
    };
    if installed() {
        return;
    }
    println!("cargo:warning=installing the {TARGET} target with rustup (rule packs need it)");
    let mut rustup = Command::new("rustup");
    rustup.args(["target", "add", TARGET]);
    if let Ok(toolchain) = std::env::var("RUSTUP_TOOLCHAIN") {
        rustup.args(["--toolchain", &toolchain]);
    }
    let ran = rustup.status().map(|s| s.success()).unwrap_or(false);
    if !ran || !installed() {
        panic!(
            "the {TARGET} target is not installed for {rustc}; rule packs are compiled to it. \
             Run `rustup target add {TARGET}` and build again"
        );
    }
}

/// Writes `name.rs` into `out_dir` with a `const NAME: &[(&str, &[u8])]` embedding each pack.
pub fn embed(out_dir: &Path, file: &str, constant: &str, packs: &[(String, PathBuf)]) {
    let mut generated =
        format!("/// (package, wasm bytes)\npub const {constant}: &[(&str, &[u8])] = &[\n");
    for (package, wasm) in packs {
        let embedded = out_dir.join(wasm.file_name().unwrap_or_default());
        // Copy to a new file, never into the old one: a target directory copied with hard links
        // shares the old file with other checkouts, and writing into it in place would change
        // their embedded packs too.
        let _ = std::fs::remove_file(&embedded);
        std::fs::copy(wasm, &embedded)
            .unwrap_or_else(|e| panic!("pack {} was not built: {e}", wasm.display()));
        generated.push_str(&format!(
            "    ({package:?}, include_bytes!({:?})),\n",
            embedded.display().to_string()
        ));
    }
    generated.push_str("];\n");
    let path = out_dir.join(file);
    let _ = std::fs::remove_file(&path);
    std::fs::write(&path, generated)
        .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
}
