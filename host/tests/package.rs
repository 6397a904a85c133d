//! The published `trailwarden` crate is self-contained: everything its sources and build script
//! read from outside `host/` reaches the package through `host/packaged/` (symlinks that `cargo
//! package` copies as files), and the package lists the built-in packs' sources.
//!
//! Building the packaged crate itself (its build script compiles the packs from those sources in
//! a workspace of its own) is verified by `cargo package -p trailwarden-sdk-macros -p
//! trailwarden-sdk -p trailwarden`, which is too slow for the suite: it builds every dependency
//! again outside this workspace's profiles (see the README, "Development").

mod common;

use std::path::Path;
use std::process::Command;

use common::{repo, stderr, stdout};

/// `cargo package --list -p trailwarden`: the files the published crate holds.
fn packaged_files() -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(repo())
        .args([
            "package",
            "--list",
            "--allow-dirty",
            "--offline",
            "-p",
            "trailwarden",
        ])
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output).lines().map(str::to_owned).collect()
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}

#[test]
fn the_package_holds_the_builtin_packs_sources() {
    let files = packaged_files();
    for needed in [
        "build.rs",
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "packaged/wasm_packs.rs",
        "packaged/demo-snapshot.json",
        "packaged/rust-toolchain.toml",
        "templates/pack/Cargo.toml.tmpl",
    ] {
        assert!(files.iter().any(|f| f == needed), "{needed} not packaged");
    }
    for pack in ["cloudtrail", "kms", "cis-monitoring"] {
        let manifest = format!("packaged/rules/{pack}/Cargo.toml.in");
        assert!(files.contains(&manifest), "{manifest} not packaged");
        let sources = repo().join("rules").join(pack).join("src");
        let sources = files_under(&sources);
        assert!(!sources.is_empty());
        for source in sources {
            let relative = source
                .split(&format!("rules/{pack}/src/"))
                .nth(1)
                .expect("under src");
            let packaged = format!("packaged/rules/{pack}/src/{relative}");
            assert!(files.contains(&packaged), "{packaged} not packaged");
        }
    }
    // Tests and benchmarks need the workspace; they stay out of the package.
    assert!(!files.iter().any(|f| f.starts_with("tests/")), "{files:?}");
}

/// Nothing compiled into the binary is read from outside `host/`: every `include_str!`,
/// `include_bytes!` and `#[path]` of the sources and build script resolves inside the package
/// (tests, which the package leaves out, may read the workspace).
#[test]
fn no_source_reaches_outside_the_package() {
    let host = repo().join("host");
    let mut sources = files_under(&host.join("src"));
    sources.push(host.join("build.rs").display().to_string());
    for source in sources.iter().filter(|s| s.ends_with(".rs")) {
        let text = std::fs::read_to_string(source).expect("source");
        // Unit tests are not built from the package.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        for marker in ["include_str!(\"", "include_bytes!(\"", "#[path = \""] {
            for (at, _) in text.match_indices(marker) {
                let rest = &text[at + marker.len()..];
                let target = rest.split('"').next().unwrap_or_default();
                let base = Path::new(source).parent().expect("dir").to_path_buf();
                let resolved = std::fs::canonicalize(base.join(target))
                    .unwrap_or_else(|e| panic!("{source}: {target}: {e}"));
                let logical = normalise(&base.join(target));
                assert!(
                    logical.starts_with(&host),
                    "{source} reads {target}, outside host/ (route it through host/packaged/)"
                );
                assert!(resolved.exists());
            }
        }
    }
}

/// `a/b/../c` as `a/c`, without following symlinks (a symlink in `packaged/` is inside).
fn normalise(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
