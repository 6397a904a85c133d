//! The container image, checked without a container engine (none runs where the suite runs):
//! the Dockerfile's stages, its runtime user, that what it copies exists and is not excluded by
//! `.dockerignore`, and that the commands its build stage runs work when run by hand with this
//! build's binary (the `cargo build --release` line is not run: a cold release build of
//! wasmtime and the AWS SDK takes many minutes; its flags are checked against `cargo metadata`).

mod common;

use std::path::Path;
use std::process::Command;

use common::{repo, stderr, stdout, temp_dir};

/// One `FROM` and the instructions under it.
#[derive(Debug)]
struct Stage {
    image: String,
    name: Option<String>,
    instructions: Vec<(String, String)>,
}

impl Stage {
    fn all(&self, keyword: &str) -> Vec<&str> {
        self.instructions
            .iter()
            .filter(|(k, _)| k == keyword)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The Dockerfile as stages of (keyword, arguments), continuation lines joined, comments and
/// parser directives dropped.
fn stages() -> Vec<Stage> {
    let text = std::fs::read_to_string(repo().join("Dockerfile")).expect("Dockerfile");
    let mut logical = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        if !current.trim().is_empty() {
            logical.push(std::mem::take(&mut current));
        }
        current.clear();
    }
    let mut stages: Vec<Stage> = Vec::new();
    for line in logical {
        let (keyword, rest) = line.split_once(' ').unwrap_or((&line, ""));
        let keyword = keyword.to_ascii_uppercase();
        let rest = rest.trim().to_owned();
        if keyword == "FROM" {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let name = match words.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some((*name).to_owned()),
                _ => None,
            };
            stages.push(Stage {
                image: words.first().copied().unwrap_or_default().to_owned(),
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push((keyword, rest));
        }
    }
    stages
}

#[test]
fn a_build_stage_and_a_small_non_root_runtime() {
    let stages = stages();
    assert_eq!(stages.len(), 2, "{stages:#?}");
    let (build, runtime) = (&stages[0], &stages[1]);
    assert_eq!(build.name.as_deref(), Some("build"));
    assert!(
        runtime.image.starts_with("gcr.io/distroless/") || runtime.image == "scratch",
        "the runtime base is distroless or scratch: {}",
        runtime.image
    );
    // The runtime user: numeric (no /etc/passwd lookup needed), not root, and the owner of
    // the home the cache is copied into.
    let users = runtime.all("USER");
    let user = users.last().expect("the runtime stage sets USER");
    let uid: u32 = user
        .split(':')
        .next()
        .and_then(|u| u.parse().ok())
        .expect("numeric uid");
    assert_ne!(uid, 0, "runs as root");
    let homes: Vec<&str> = runtime.all("ENV");
    assert!(homes.contains(&"HOME=/home/nonroot"), "{homes:?}");
    let copies = runtime.all("COPY");
    assert!(
        copies.iter().any(|c| c.contains(&format!("--chown={uid}:"))
            && c.contains("--from=build")
            && c.ends_with("/home/nonroot /home/nonroot")),
        "the home with the warm cache is copied and owned by the runtime user: {copies:?}"
    );
    let entrypoint = runtime.all("ENTRYPOINT");
    assert_eq!(entrypoint, vec![r#"["/usr/local/bin/trailwarden"]"#]);
    assert!(
        copies
            .iter()
            .any(|c| c.ends_with("/out/trailwarden /usr/local/bin/trailwarden"))
    );
    // What the runtime copies from the build stage is made there.
    let runs = build.all("RUN").join("\n");
    assert!(runs.contains("install -D -m 0755 target/release/trailwarden /out/trailwarden"));
    assert!(runs.contains("HOME=/home/nonroot /out/trailwarden rules precompile"));
    // The README's command mounts the AWS configuration where that HOME looks for it.
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    assert!(
        readme.contains("-v ~/.aws:/home/nonroot/.aws:ro"),
        "README documents the docker run line"
    );
}

/// Files copied from the build context exist, and `.dockerignore` keeps what cargo needs: every
/// workspace member's manifest, the lock file, the toolchain file, the pack sources.
#[test]
fn what_the_build_copies_is_in_the_context() {
    let stages = stages();
    for stage in &stages {
        for copy in stage.all("COPY") {
            if copy.contains("--from=") {
                continue;
            }
            let words: Vec<&str> = copy
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            for source in &words[..words.len() - 1] {
                assert!(
                    repo().join(source).exists(),
                    "COPY {source}: not in the repository"
                );
            }
        }
    }
    let ignore = std::fs::read_to_string(repo().join(".dockerignore")).expect(".dockerignore");
    let patterns: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(
        patterns.contains(&"target") && patterns.contains(&".git"),
        "{patterns:?}"
    );
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(repo().join("Cargo.toml")).expect("manifest"))
            .expect("TOML");
    let members = manifest["workspace"]["members"]
        .as_array()
        .expect("members");
    let mut needed: Vec<String> = members
        .iter()
        .filter_map(|m| m.as_str())
        .map(|m| format!("{m}/Cargo.toml"))
        .collect();
    needed.extend(
        [
            "Cargo.toml",
            "Cargo.lock",
            "rust-toolchain.toml",
            "build-support/wasm_packs.rs",
            "examples/demo-snapshot.json",
            "rules/kms/src/lib.rs",
            "sdk/src/lib.rs",
            "host/templates/pack/Cargo.toml.tmpl",
        ]
        .map(str::to_owned),
    );
    for path in needed {
        assert!(repo().join(&path).exists(), "{path}");
        for pattern in &patterns {
            assert!(
                !excluded(pattern, &path),
                "{path} is excluded by `{pattern}`"
            );
        }
    }
}

/// A `.dockerignore` pattern, as far as this file uses them: a path (and everything under it),
/// `**/NAME` (that name at any depth), `*.EXT` at the top.
fn excluded(pattern: &str, path: &str) -> bool {
    if let Some(name) = pattern.strip_prefix("**/") {
        return path.split('/').any(|component| component == name);
    }
    if let Some(ext) = pattern.strip_prefix('*') {
        return !path.contains('/') && path.ends_with(ext);
    }
    path == pattern || path.starts_with(&format!("{pattern}/"))
}

#[test]
fn the_dockerignore_matcher_matches() {
    assert!(excluded("target", "target/debug/x"));
    assert!(excluded("**/target", "rules/kms/target/x"));
    assert!(excluded("*.sarif", "report.sarif"));
    assert!(!excluded("target", "targets.md"));
    assert!(!excluded("*.sarif", "tests/sarif/x.sarif.json"));
}

/// The build stage's commands, run by hand: `cargo build --release --locked -p trailwarden` is
/// a valid invocation with this lock file (checked with `cargo metadata --locked`, which fails
/// on a stale lock as the build would), and `HOME=/home/nonroot trailwarden rules precompile`
/// fills the cache that HOME's user then loads from.
#[test]
fn the_build_stage_commands_work() {
    let runs = stages()[0].all("RUN").join("\n");
    assert!(
        runs.contains("cargo build --release --locked -p trailwarden"),
        "{runs}"
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let metadata = Command::new(cargo)
        .current_dir(repo())
        .args([
            "metadata",
            "--locked",
            "--offline",
            "--no-deps",
            "--format-version",
            "1",
        ])
        .output()
        .expect("cargo runs");
    assert!(metadata.status.success(), "{}", stderr(&metadata));
    let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout).expect("JSON");
    let host = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "trailwarden")
        .expect("package trailwarden");
    assert!(
        host["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .any(|t| t["name"] == "trailwarden" && t["kind"][0] == "bin")
    );

    let home = temp_dir("image-home");
    let binary = env!("CARGO_BIN_EXE_trailwarden");
    let as_image = |args: &[&str]| {
        Command::new(binary)
            .args(args)
            .env("HOME", home.path())
            .env_remove("TRAILWARDEN_CACHE_DIR")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("RUST_LOG")
            .env_remove("TRAILWARDEN_SDK_PATH")
            .current_dir(home.path())
            .output()
            .expect("runs")
    };
    let precompile = as_image(&["rules", "precompile"]);
    assert!(precompile.status.success(), "{}", stderr(&precompile));
    let cache = home.path().join(".cache/trailwarden/modules");
    assert!(stdout(&precompile).contains(&cache.display().to_string()));
    let entries = std::fs::read_dir(&cache).expect("cache").count();
    assert!(entries >= 3, "one entry per built-in pack, found {entries}");
    assert_private(&cache);
    let version = as_image(&["--version"]);
    assert!(version.status.success());
    // A check as the image's user loads every pack from the warm cache.
    let check = as_image(&[
        "-vv",
        "check",
        "--demo",
        "--allow-partial",
        "--fail-on",
        "none",
    ]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let loaded = stderr(&check)
        .matches("loaded compiled pack from cache")
        .count();
    assert!(loaded >= 3, "{}", stderr(&check));
}

fn assert_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir).expect("cache").permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the cache is private to its user");
}
