//! Writing rules, end to end, as a user does it: `rules new` writes a crate outside this
//! workspace, cargo tests it natively and builds it to wasm, `rules test` runs its cases in the
//! sandbox (and fails with a diff on a wrong expectation), and `rules list`, `rules explain`
//! and `check` load it with `--rules`.
//!
//! This compiles a crate inside a test, once. The crate's target directory is shared between
//! runs (under `target/tmp`), so re-runs only rebuild the crate itself; it builds offline from
//! the workspace's `Cargo.lock`, so it needs no network.

#[allow(dead_code)]
#[path = "../../build-support/wasm_packs.rs"]
mod wasm_packs;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The binary with a clean environment: no AWS configuration, a private cache and home.
fn trailwarden(dir: &Path) -> Command {
    let home = std::env::temp_dir().join(format!("tw-authoring-home-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&home);
    let mut command = Command::new(env!("CARGO_BIN_EXE_trailwarden"));
    command
        .env("HOME", &home)
        .env("TRAILWARDEN_CACHE_DIR", home.join("cache"))
        .env_remove("TRAILWARDEN_SDK_PATH")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUST_LOG")
        .current_dir(dir);
    command
}

/// A nested cargo for the generated crate, without the outer build's settings. Arguments after
/// `--` go to the test binary, as on the command line.
fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let (own, passed) = match args.iter().position(|a| *a == "--") {
        Some(at) => args.split_at(at),
        None => (args, &[][..]),
    };
    let mut command = Command::new(cargo);
    command
        .current_dir(dir)
        .args(own)
        .args(["--offline", "--target-dir"])
        .arg(target_dir)
        .args(passed);
    wasm_packs::without_outer_build(&mut command);
    command.output().expect("cargo runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_new_pack_builds_tests_and_runs() {
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scaffold");
    let crate_dir = work.join("acme-rules");
    let target_dir = work.join("target");
    let _ = std::fs::remove_dir_all(&crate_dir);
    std::fs::create_dir_all(&work).expect("work dir");

    // 1. Scaffold.
    // The SDK is not on the registry this test may reach (none): TRAILWARDEN_SDK_PATH patches
    // the crates.io dependency with the workspace's SDK, so the crate builds offline.
    let output = trailwarden(&work)
        .args(["rules", "new", "acme-rules"])
        .env("TRAILWARDEN_SDK_PATH", repo().join("sdk"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let printed = text(&output);
    assert!(
        printed.contains("cargo build --release --target wasm32-unknown-unknown"),
        "{printed}"
    );
    assert!(
        printed.contains("--rules target/wasm32-unknown-unknown/release"),
        "{printed}"
    );
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("Cargo.toml");
    let sdk = std::fs::canonicalize(repo().join("sdk")).expect("sdk");
    let requirement = trailwarden::commands::rules_new::sdk_requirement();
    assert!(
        manifest.contains(&format!("trailwarden-sdk = \"{requirement}\"")),
        "{manifest}"
    );
    assert!(
        manifest.contains(&format!(
            "[patch.crates-io]\ntrailwarden-sdk = {{ path = \"{}\" }}",
            sdk.display()
        )),
        "{manifest}"
    );
    toolchain_file_pins_the_workspace_rust_and_wasm32(&crate_dir);
    let again = trailwarden(&work)
        .args(["rules", "new", "acme-rules"])
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("already exists"), "{}", text(&again));

    // 2. Build and test it the way its README says, with the workspace's lock file so that the
    // build is offline and reproducible.
    std::fs::copy(repo().join("Cargo.lock"), crate_dir.join("Cargo.lock")).expect("lock");
    let native = cargo(&crate_dir, &target_dir, &["test"]);
    assert!(native.status.success(), "native tests:\n{}", text(&native));
    assert!(
        text(&native).contains("test fixture_cases ... ok"),
        "{}",
        text(&native)
    );
    assert!(
        text(&native).contains("test fixtures_match_their_builders ... ok"),
        "{}",
        text(&native)
    );
    assert!(
        text(&native).contains("test write_fixtures ... ignored"),
        "{}",
        text(&native)
    );
    fixtures_and_builders_stay_in_step(&crate_dir, &target_dir);
    let wasm = cargo(
        &crate_dir,
        &target_dir,
        &["build", "--release", "--target", "wasm32-unknown-unknown"],
    );
    assert!(wasm.status.success(), "wasm build:\n{}", text(&wasm));
    let release = target_dir.join("wasm32-unknown-unknown/release");
    assert!(release.join("acme_rules.wasm").is_file());
    let rules = release.display().to_string();

    // 3. The cases through the .wasm; the pack is found where cargo put it.
    let output = trailwarden(&crate_dir)
        .args(["rules", "test"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .expect("runs");
    let report = text(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        report.contains("testing pack acme-rules 0.1.0 ("),
        "{report}"
    );
    assert!(report.contains("4 passed, 0 failed"), "{report}");

    // 4. A wrong expectation fails the run with a diff.
    let expected = crate_dir.join("tests/cases/refused-calls-dropped.expected.json");
    let original = std::fs::read_to_string(&expected).expect("expectations");
    std::fs::write(
        &expected,
        original.replace("FILTER_DOES_NOT_MATCH", "NO_METRIC_FILTER"),
    )
    .expect("written");
    let output = trailwarden(&crate_dir)
        .args(["rules", "test", "--rules", &rules])
        .output()
        .expect("runs");
    let report = text(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("FAIL  refused-calls-dropped"), "{report}");
    assert!(
        report.contains("reason: expected NO_METRIC_FILTER, got FILTER_DOES_NOT_MATCH"),
        "{report}"
    );
    assert!(report.contains("3 passed, 1 failed"), "{report}");
    std::fs::write(&expected, original).expect("restored");

    // 5. No cases where they should be: bad input.
    let output = trailwarden(&work)
        .args(["rules", "test", "--rules", &rules])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("tests/cases does not exist: a pack's fixture cases go there"),
        "{}",
        text(&output)
    );

    // 6. list, explain and check load it next to the built-in packs.
    let output = trailwarden(&work)
        .args(["rules", "list", "--rules", &rules])
        .output()
        .expect("runs");
    let list = text(&output);
    assert_eq!(output.status.code(), Some(0), "{list}");
    let line = list
        .lines()
        .find(|l| l.starts_with("ACME-KMS-001"))
        .unwrap_or_else(|| panic!("ACME-KMS-001 listed:\n{list}"));
    assert!(line.contains("acme_rules.wasm"), "{line}");
    assert!(
        line.contains(&format!("trailwarden-sdk {}", trailwarden_sdk::SDK_VERSION)),
        "{line}"
    );
    assert!(list.contains("TW-KMS-001"), "{list}");

    let output = trailwarden(&work)
        .args(["rules", "explain", "ACME-KMS-001", "--rules", &rules])
        .output()
        .expect("runs");
    let explained = text(&output);
    assert_eq!(output.status.code(), Some(0), "{explained}");
    assert!(explained.contains("## How to fix"), "{explained}");
    assert!(
        explained.contains("| include_refused | bool | true |"),
        "{explained}"
    );
    assert!(explained.contains("acme_rules.wasm"), "{explained}");

    let snapshot = crate_dir.join("tests/cases/refused-calls-dropped.json");
    let output = trailwarden(&work)
        .args(["check", "--snapshot"])
        .arg(&snapshot)
        .args([
            "--rules",
            &rules,
            "--only",
            "ACME-KMS-001",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["findings"][0]["ruleId"], "ACME-KMS-001");
    assert_eq!(report["findings"][0]["reason"], "FILTER_DOES_NOT_MATCH");

    // 7. The same pack twice is a collision, naming the id and both files.
    let twice = work.join("twice");
    let _ = std::fs::remove_dir_all(&twice);
    std::fs::create_dir_all(&twice).expect("dir");
    for name in ["a.wasm", "b.wasm"] {
        std::fs::copy(release.join("acme_rules.wasm"), twice.join(name)).expect("copy");
    }
    let output = trailwarden(&work)
        .args(["rules", "list", "--rules"])
        .arg(&twice)
        .output()
        .expect("runs");
    let message = text(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        // The same pack twice: its name is used twice (checked before the rule ids).
        message.contains("the name acme-rules is used by pack acme-rules 0.1.0 ("),
        "{message}"
    );
    assert!(
        message.contains("a.wasm") && message.contains("b.wasm"),
        "{message}"
    );

    // 8. A `needs` that misses a section the rule reads fails the native tests and
    // `rules test` alike, as `check` would, naming the section and `needs`.
    let rule_file = crate_dir.join("src/key_policy_alarm.rs");
    let source = std::fs::read_to_string(&rule_file).expect("rule source");
    let declared = r#""logGroups", "metricFilters", "metricAlarms""#;
    assert!(source.contains(declared), "{source}");
    std::fs::write(
        &rule_file,
        source.replace(declared, r#""logGroups", "metricAlarms""#),
    )
    .expect("written");
    let native = cargo(&crate_dir, &target_dir, &["test"]);
    assert!(
        !native.status.success(),
        "native tests must fail:\n{}",
        text(&native)
    );
    assert!(text(&native).contains("withheld"), "{}", text(&native));
    let wasm = cargo(
        &crate_dir,
        &target_dir,
        &["build", "--release", "--target", "wasm32-unknown-unknown"],
    );
    assert!(wasm.status.success(), "wasm build:\n{}", text(&wasm));
    let output = trailwarden(&crate_dir)
        .args(["rules", "test", "--rules", &rules])
        .output()
        .expect("runs");
    let report = text(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("the section `metricFilters` was withheld from this rule because its `needs` does not list it"),
        "{report}"
    );

    // The rules test above used a fresh .wasm. A source edited after the build makes it
    // stale: refused with the fix, unless --build builds it first.
    let stale = trailwarden(&crate_dir)
        .args(["rules", "test"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .expect("runs");
    // The wasm was built after the edit above, so it is fresh; touch the source to age it.
    assert_eq!(stale.status.code(), Some(1), "{}", text(&stale));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(&rule_file, source.clone()).expect("restored, and newer than the .wasm");
    let stale = trailwarden(&crate_dir)
        .args(["rules", "test"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .expect("runs");
    let message = text(&stale);
    assert_eq!(stale.status.code(), Some(2), "{message}");
    assert!(
        message.contains("acme_rules.wasm is older than src/key_policy_alarm.rs"),
        "{message}"
    );
    assert!(message.contains("--build"), "{message}");
    let built = trailwarden(&crate_dir)
        .args(["rules", "test", "--build"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .expect("runs");
    let report = text(&built);
    assert_eq!(built.status.code(), Some(0), "{report}");
    assert!(report.contains("4 passed, 0 failed"), "{report}");

    // A case that cannot run fails alone, the others still run, and a rule no case runs is
    // named.
    let cases = crate_dir.join("tests/cases");
    std::fs::copy(
        cases.join("refused-calls-dropped.json"),
        cases.join("unknown-rule.json"),
    )
    .expect("copied");
    std::fs::write(
        cases.join("unknown-rule.expected.json"),
        r#"{"rules": ["ACME-NOPE-001"], "findings": []}"#,
    )
    .expect("written");
    let output = trailwarden(&crate_dir)
        .args(["rules", "test"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .expect("runs");
    let report = text(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("FAIL  unknown-rule"), "{report}");
    assert!(report.contains("could not run"), "{report}");
    assert!(report.contains("4 passed, 1 failed"), "{report}");
    for file in ["unknown-rule.json", "unknown-rule.expected.json"] {
        std::fs::remove_file(cases.join(file)).expect("removed");
    }

    // 9. A section name that does not exist does not compile, at the token.
    std::fs::write(
        &rule_file,
        source.replace(declared, r#""logGroups", "metricFilterz", "metricAlarms""#),
    )
    .expect("written");
    let native = cargo(&crate_dir, &target_dir, &["build"]);
    assert!(!native.status.success());
    assert!(text(&native).contains("MetricFilterz"), "{}", text(&native));
    std::fs::write(&rule_file, source).expect("restored");
}

/// The pack builds away from this repository: rustup reads its `rust-toolchain.toml`, which
/// pins the workspace's Rust and asks for the wasm32 target.
fn toolchain_file_pins_the_workspace_rust_and_wasm32(crate_dir: &Path) {
    let read = |path: PathBuf| -> toml::Table {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let written = read(crate_dir.join("rust-toolchain.toml"));
    let workspace = read(repo().join("rust-toolchain.toml"));
    assert_eq!(
        written["toolchain"]["channel"], workspace["toolchain"]["channel"],
        "{written:?}"
    );
    let targets = written["toolchain"]["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("no targets: {written:?}"));
    assert!(
        targets
            .iter()
            .any(|t| t.as_str() == Some("wasm32-unknown-unknown")),
        "{written:?}"
    );
}

/// A fixture edited by hand fails the pack's own tests, and `write_fixtures` (the guide's
/// ignored test) writes back exactly what `rules new` wrote: files and builders agree.
fn fixtures_and_builders_stay_in_step(crate_dir: &Path, target_dir: &Path) {
    let fixture = crate_dir.join("tests/cases/monitored.json");
    let scaffolded = std::fs::read_to_string(&fixture).expect("fixture");
    std::fs::write(
        &fixture,
        scaffolded.replace("security-alerts", "someone-elses-alerts"),
    )
    .expect("edited");
    let drifted = cargo(
        crate_dir,
        target_dir,
        &["test", "--test", "rules", "fixtures_match_their_builders"],
    );
    assert!(!drifted.status.success(), "{}", text(&drifted));
    assert!(
        text(&drifted).contains("differs from its builder"),
        "{}",
        text(&drifted)
    );
    let rewritten = cargo(
        crate_dir,
        target_dir,
        &[
            "test",
            "--test",
            "rules",
            "--",
            "--ignored",
            "write_fixtures",
        ],
    );
    assert!(rewritten.status.success(), "{}", text(&rewritten));
    assert!(
        text(&rewritten).contains("test write_fixtures ... ok"),
        "{}",
        text(&rewritten)
    );
    assert_eq!(
        std::fs::read_to_string(&fixture).expect("fixture"),
        scaffolded,
        "write_fixtures writes what rules new wrote"
    );
}

#[test]
fn rules_new_without_the_sdk_source_says_what_to_pass() {
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scaffold-bad-sdk");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("dir");
    let output = trailwarden(&work)
        .args([
            "rules",
            "new",
            "acme-rules",
            "--sdk",
            "path=/nonexistent/sdk",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let message = text(&output);
    assert!(
        message.contains("/nonexistent/sdk (--sdk path=) is not the trailwarden-sdk source"),
        "{message}"
    );
    assert!(
        !work.join("acme-rules").exists(),
        "nothing is written on error"
    );

    let output = trailwarden(&work)
        .args(["rules", "new", "Acme_Rules"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output).contains("is not a usable crate name"),
        "{}",
        text(&output)
    );
}

#[test]
fn rules_help_teaches_with_examples() {
    for args in [
        &["rules", "--help"][..],
        &["rules", "new", "--help"],
        &["rules", "test", "--help"],
        &["rules", "list", "--help"],
    ] {
        let output = trailwarden(&repo()).args(args).output().expect("runs");
        assert_eq!(output.status.code(), Some(0));
        let help = text(&output);
        assert!(help.contains("trailwarden rules "), "{args:?}: {help}");
    }
    let output = trailwarden(&repo())
        .args(["rules", "test", "--help"])
        .output()
        .expect("runs");
    let help = text(&output);
    assert!(help.contains("Exit status:"), "{help}");
    assert!(help.contains("NAME.expected.json"), "{help}");
}
