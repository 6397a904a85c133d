//! What every CLI test needs: the binary in a clean environment, fixtures, the SARIF validator.
#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn fixture(name: &str) -> String {
    repo()
        .join("tests/fixtures/snapshots")
        .join(name)
        .display()
        .to_string()
}

/// The binary with a clean environment: no AWS configuration, a private cache and home.
pub fn trailwarden() -> Command {
    let home = std::env::temp_dir().join(format!("tw-cli-home-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&home);
    let mut command = Command::new(env!("CARGO_BIN_EXE_trailwarden"));
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    command
        .env("HOME", &home)
        // Never let the SDK probe the instance metadata address: tests stay on 127.0.0.1.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("TRAILWARDEN_CACHE_DIR", home.join("cache"))
        .env_remove("XDG_CACHE_HOME")
        .env_remove("RUST_LOG")
        .current_dir(repo());
    command
}

pub fn run(args: &[&str]) -> Output {
    trailwarden().args(args).output().expect("binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh directory under the system temp dir, named after `name`, removed when dropped.
pub fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("tw-{name}-"))
        .tempdir()
        .expect("temp dir")
}

/// Runs the vendored validator (schema + GitHub's rules) on a SARIF file and panics with its
/// output when it rejects it.
pub fn assert_valid_sarif(file: &Path) {
    let python = std::env::var("TRAILWARDEN_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let validation = Command::new(&python)
        .arg(repo().join("tests/sarif/validate_sarif.py"))
        .arg("--strict")
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} (set TRAILWARDEN_PYTHON): {e}"));
    assert!(
        validation.status.success(),
        "SARIF {} rejected (needs Python with jsonschema; `tests/run` installs it):\n{}{}",
        file.display(),
        stdout(&validation),
        stderr(&validation)
    );
}
