//! The GitHub Action's shell logic (`.github/action/install.sh` and `run.sh`), run with bash
//! as the action runs it, against a fake `GITHUB_OUTPUT`, `GITHUB_PATH` and
//! `GITHUB_STEP_SUMMARY`, and a fake release served from a local directory by `file://` URL:
//! nothing here reaches the internet. Needs bash, curl, tar, xz and jq (all on GitHub's runners).
//! `action.yml` itself is checked against the scripts: every input reaches `run.sh`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{repo, stderr, stdout, temp_dir};

const TARGET: &str = "x86_64-unknown-linux-musl";

fn script(name: &str) -> PathBuf {
    repo().join(".github/action").join(name)
}

/// The fake runner files of one step.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new(name: &str) -> Self {
        let dir = temp_dir(name);
        for file in ["output", "path", "summary.md"] {
            std::fs::write(dir.path().join(file), "").expect("runner file");
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `bash SCRIPT args` with the runner's files and nothing of the caller's TW_* inputs.
    fn bash(&self, name: &str, args: &[&str]) -> Command {
        let mut command = Command::new("bash");
        command
            .arg(script(name))
            .args(args)
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_PATH", self.path("path"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("RUNNER_TEMP", self.dir.path())
            .env("HOME", self.dir.path())
            .env("TRAILWARDEN_CACHE_DIR", self.path("cache"))
            .env_remove("TRAILWARDEN_SDK_PATH")
            .current_dir(self.dir.path());
        for (key, _) in std::env::vars() {
            if key.starts_with("TW_") || key.starts_with("AWS_") {
                command.env_remove(key);
            }
        }
        command
    }

    /// The step's outputs, `name=value` lines of GITHUB_OUTPUT.
    fn outputs(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.path("output"))
            .expect("GITHUB_OUTPUT")
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

fn text(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

fn sha256(path: &Path) -> String {
    let output = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    stdout(&output)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A release as the release workflow publishes it: `v9.9.9/trailwarden-TARGET.tar.xz` holding
/// `trailwarden-TARGET/trailwarden`, and its `.sha256`. The binary is a script that prints a
/// version line, so the test can tell it ran.
fn fake_release(root: &Path) -> PathBuf {
    let staging = root.join("staging").join(format!("trailwarden-{TARGET}"));
    std::fs::create_dir_all(&staging).expect("staging");
    let binary = staging.join("trailwarden");
    std::fs::write(
        &binary,
        "#!/bin/sh\necho 'trailwarden 9.9.9 (fake release)'\n",
    )
    .expect("bin");
    make_executable(&binary);
    let release = root.join("releases").join("v9.9.9");
    std::fs::create_dir_all(&release).expect("release dir");
    let archive = release.join(format!("trailwarden-{TARGET}.tar.xz"));
    let tar = Command::new("tar")
        .arg("-cJf")
        .arg(&archive)
        .arg("-C")
        .arg(root.join("staging"))
        .arg(format!("trailwarden-{TARGET}"))
        .output()
        .expect("tar");
    assert!(tar.status.success(), "{}", text(&tar));
    let checksum = format!("{}  trailwarden-{TARGET}.tar.xz\n", sha256(&archive));
    std::fs::write(
        release.join(format!("trailwarden-{TARGET}.tar.xz.sha256")),
        checksum,
    )
    .expect("checksum");
    root.join("releases")
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn download(runner: &Runner, releases: &Path, version: &str) -> Output {
    runner
        .bash("install.sh", &["download"])
        .env("TW_VERSION", version)
        .env("TW_TARGET", TARGET)
        .env(
            "TW_RELEASE_BASE_URL",
            format!("file://{}", releases.display()),
        )
        .env("TW_INSTALL_ROOT", runner.path("install"))
        .output()
        .expect("bash runs")
}

#[test]
fn a_release_binary_is_installed_after_its_checksum_is_verified() {
    let runner = Runner::new("action-install");
    let releases = fake_release(runner.dir.path());
    let output = download(&runner, &releases, "v9.9.9");
    assert!(output.status.success(), "{}", text(&output));
    let outputs = runner.outputs();
    assert_eq!(outputs.get("installed").map(String::as_str), Some("true"));
    let installed = runner.path("install/bin/trailwarden");
    assert_eq!(outputs.get("path"), Some(&installed.display().to_string()));
    let ran = Command::new(&installed)
        .output()
        .expect("installed binary runs");
    assert!(stdout(&ran).contains("9.9.9 (fake release)"));
    let path = std::fs::read_to_string(runner.path("path")).expect("GITHUB_PATH");
    assert_eq!(
        path.trim(),
        runner.path("install/bin").display().to_string()
    );
}

#[test]
fn a_tampered_release_is_refused_and_nothing_is_installed() {
    let runner = Runner::new("action-tampered");
    let releases = fake_release(runner.dir.path());
    let archive = releases.join(format!("v9.9.9/trailwarden-{TARGET}.tar.xz"));
    let mut bytes = std::fs::read(&archive).expect("archive");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&archive, bytes).expect("tampered");
    let output = download(&runner, &releases, "9.9.9");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("checksum mismatch"),
        "{}",
        text(&output)
    );
    assert!(!runner.path("install/bin/trailwarden").exists());
    assert!(
        !runner.outputs().contains_key("installed"),
        "{:?}",
        runner.outputs()
    );
}

#[test]
fn a_release_without_its_checksum_is_refused() {
    let runner = Runner::new("action-nosum");
    let releases = fake_release(runner.dir.path());
    std::fs::remove_file(releases.join(format!("v9.9.9/trailwarden-{TARGET}.tar.xz.sha256")))
        .expect("removed");
    let output = download(&runner, &releases, "9.9.9");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("refusing to install an unverified binary"));
    assert!(!runner.path("install/bin/trailwarden").exists());
}

/// No release for the version (or none given, or a runner without binaries): the download
/// step says so, and the build step runs `cargo install --locked` on the action's source.
#[test]
fn without_a_release_it_builds_from_source() {
    let runner = Runner::new("action-build");
    let releases = fake_release(runner.dir.path());
    let output = download(&runner, &releases, "1.2.3");
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(
        runner.outputs().get("installed").map(String::as_str),
        Some("false")
    );
    let no_version = download(&runner, &releases, "");
    assert!(no_version.status.success(), "{}", text(&no_version));
    assert!(text(&no_version).contains("building from source"));
    let bad = download(&runner, &releases, "1.0; rm -rf /");
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));

    // A stand-in cargo records its arguments and installs a binary where --root says.
    let cargo = runner.path("fake-cargo");
    std::fs::write(
        &cargo,
        "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/cargo-args\"\n\
         while [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
         mkdir -p \"$root/bin\" && printf '#!/bin/sh\\necho trailwarden built\\n' > \"$root/bin/trailwarden\" \
         && chmod +x \"$root/bin/trailwarden\"\n",
    )
    .expect("fake cargo");
    make_executable(&cargo);
    let build = |cache_hit: &str| {
        runner
            .bash("install.sh", &["build"])
            .env("CARGO", &cargo)
            .env("TW_SOURCE_DIR", repo())
            .env("TW_INSTALL_ROOT", runner.path("install"))
            .env("TW_CACHE_HIT", cache_hit)
            .output()
            .expect("bash runs")
    };
    let output = build("");
    assert!(output.status.success(), "{}", text(&output));
    let args = std::fs::read_to_string(runner.path("cargo-args")).expect("cargo ran");
    assert_eq!(
        args.trim(),
        format!(
            "install --locked --path {}/host --root {}",
            repo().display(),
            runner.path("install").display()
        )
    );
    assert!(
        text(&output).contains("trailwarden built"),
        "{}",
        text(&output)
    );
    std::fs::remove_file(runner.path("cargo-args")).expect("reset");
    let cached = build("true");
    assert!(cached.status.success(), "{}", text(&cached));
    assert!(
        text(&cached).contains("from the cache"),
        "{}",
        text(&cached)
    );
    assert!(
        !runner.path("cargo-args").exists(),
        "a cache hit does not build"
    );
}

/// A stand-in for trailwarden that serves `--format markdown` itself (the Markdown report comes
/// from another branch) and passes everything else to the real binary.
fn stand_in(runner: &Runner, markdown: bool) -> PathBuf {
    let path = runner.path("trailwarden-stand-in");
    let markdown_branch = if markdown {
        "printf '## stand-in markdown report\\n' > \"$out\"; exit 0"
    } else {
        "echo \"error: invalid value 'markdown' for '--format'\" >&2; exit 2"
    };
    std::fs::write(
        &path,
        format!(
            "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> \"$(dirname \"$0\")/calls\"\n\
             out=''; format=''; prev=''\n\
             for a in \"$@\"; do [ \"$prev\" = -o ] && out=$a; [ \"$prev\" = --format ] && format=$a; prev=$a; done\n\
             if [ \"$format\" = markdown ]; then {markdown_branch}; fi\n\
             exec {real:?} \"$@\"\n",
            real = env!("CARGO_BIN_EXE_trailwarden"),
        ),
    )
    .expect("stand-in");
    make_executable(&path);
    path
}

/// Counts by level read from the SARIF file, independently of run.sh's jq.
fn sarif_counts(file: &Path) -> BTreeMap<String, usize> {
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).expect("SARIF")).expect("JSON");
    let mut counts = BTreeMap::new();
    for result in sarif["runs"][0]["results"].as_array().expect("results") {
        let level = result["level"].as_str().unwrap_or("warning").to_owned();
        *counts.entry(level).or_insert(0) += 1;
    }
    counts
}

#[test]
fn the_check_step_gates_counts_and_writes_the_summary() {
    let runner = Runner::new("action-run");
    let bin = stand_in(&runner, true);
    let output = runner
        .bash("run.sh", &[])
        .env("TW_BIN", &bin)
        .env("TW_OUTPUT_DIR", runner.path("out"))
        .env("TW_DEMO", "true")
        .env("TW_ALLOW_PARTIAL", "true")
        .env("TW_FAIL_ON", "warning")
        .env("TW_FORMAT", "json")
        .env("TW_ONLY", "TW-KMS-*, TW-CT-*")
        .output()
        .expect("bash runs");
    // The demo has warnings: exit 1, propagated.
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let outputs = runner.outputs();
    assert_eq!(outputs.get("exit-code").map(String::as_str), Some("1"));
    let sarif = runner.path("out/trailwarden.sarif");
    assert_eq!(
        outputs.get("sarif-file"),
        Some(&sarif.display().to_string())
    );
    let counts = sarif_counts(&sarif);
    let total: usize = counts.values().sum();
    assert!(total > 0, "the demo has findings");
    for level in ["error", "warning", "note"] {
        assert_eq!(
            outputs.get(&format!("{level}s")),
            Some(&counts.get(level).copied().unwrap_or(0).to_string()),
            "{level}: {outputs:?}"
        );
    }
    assert_eq!(outputs.get("findings"), Some(&total.to_string()));
    let report = runner.path("out/trailwarden.json");
    assert_eq!(
        outputs.get("report-file"),
        Some(&report.display().to_string())
    );
    serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&report).expect("report"))
        .expect("the json report is JSON");
    let summary = std::fs::read_to_string(runner.path("summary.md")).expect("summary");
    assert_eq!(summary, "## stand-in markdown report\n");
    // Every run got the rule selection; only the gate run got the threshold.
    let calls = std::fs::read_to_string(runner.path("calls")).expect("calls");
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(
        calls
            .iter()
            .all(|c| c.contains("--demo") && c.contains("--only TW-KMS-*,TW-CT-*"))
    );
    assert!(
        calls[0].contains("--fail-on warning --format sarif"),
        "{calls:?}"
    );
    assert!(
        calls[1..].iter().all(|c| c.contains("--fail-on none")),
        "{calls:?}"
    );
}

#[test]
fn the_exit_code_is_deferred_on_request_and_none_passes() {
    let runner = Runner::new("action-defer");
    let bin = stand_in(&runner, false);
    let deferred = runner
        .bash("run.sh", &[])
        .env("TW_BIN", &bin)
        .env("TW_DEMO", "true")
        .env("TW_ALLOW_PARTIAL", "true")
        .env("TW_DEFER_EXIT", "true")
        .output()
        .expect("bash runs");
    assert_eq!(deferred.status.code(), Some(0), "{}", text(&deferred));
    assert_eq!(
        runner.outputs().get("exit-code").map(String::as_str),
        Some("1")
    );
    // Without Markdown support, the summary still has the counts.
    let summary = std::fs::read_to_string(runner.path("summary.md")).expect("summary");
    assert!(
        summary.contains("warning(s)") && summary.contains("exit 1"),
        "{summary}"
    );

    let passing = Runner::new("action-pass");
    let output = passing
        .bash("run.sh", &[])
        .env("TW_BIN", env!("CARGO_BIN_EXE_trailwarden"))
        .env("TW_DEMO", "true")
        .env("TW_ALLOW_PARTIAL", "true")
        .env("TW_FAIL_ON", "none")
        .env("TW_SUMMARY", "false")
        .output()
        .expect("bash runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        passing.outputs().get("exit-code").map(String::as_str),
        Some("0")
    );
    assert_eq!(
        std::fs::read_to_string(passing.path("summary.md")).expect("summary"),
        ""
    );
}

#[test]
fn bad_inputs_are_errors_that_say_which_input() {
    let runner = Runner::new("action-bad");
    let run = |envs: &[(&str, &str)]| {
        let mut command = runner.bash("run.sh", &[]);
        command.env("TW_BIN", env!("CARGO_BIN_EXE_trailwarden"));
        for (k, v) in envs {
            command.env(k, v);
        }
        command.output().expect("bash runs")
    };
    let both = run(&[("TW_DEMO", "true"), ("TW_SNAPSHOT", "account.json")]);
    assert_eq!(both.status.code(), Some(2));
    assert!(text(&both).contains("snapshot and demo exclude each other"));
    let missing = run(&[("TW_SNAPSHOT", "nope.json")]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).contains("nope.json does not exist (input snapshot)"));
    // The demo records an AWS call that failed: without allow-partial the run is incomplete,
    // exit 2, and the outputs say so.
    let partial = run(&[("TW_DEMO", "true"), ("TW_SUMMARY", "false")]);
    assert_eq!(partial.status.code(), Some(2), "{}", text(&partial));
    assert_eq!(
        runner.outputs().get("exit-code").map(String::as_str),
        Some("2")
    );
    let format = run(&[("TW_DEMO", "true"), ("TW_FORMAT", "pdf")]);
    assert_eq!(format.status.code(), Some(2));
    assert!(
        text(&format).contains("input format `pdf`"),
        "{}",
        text(&format)
    );
}

/// Every input of action.yml reaches run.sh (or the install step) as an environment variable,
/// and the scripts the steps run exist.
#[test]
fn action_yml_passes_every_input_to_its_scripts() {
    let action = std::fs::read_to_string(repo().join("action.yml")).expect("action.yml");
    let inputs_block = action
        .split("\ninputs:\n")
        .nth(1)
        .and_then(|rest| rest.split("\noutputs:\n").next())
        .expect("inputs block");
    let inputs: Vec<&str> = inputs_block
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    assert!(inputs.len() >= 15, "{inputs:?}");
    for input in inputs {
        assert!(
            action.contains(&format!("${{{{ inputs.{input} }}}}"))
                || action.contains(&format!("inputs.{input} ")),
            "input {input} is never used"
        );
    }
    for used in ["install.sh\" download", "install.sh\" build", "run.sh\""] {
        assert!(action.contains(used), "{used}");
    }
    assert!(action.contains("github/codeql-action/upload-sarif@"));
    assert!(action.contains("actions/cache@"));
    let run = std::fs::read_to_string(script("run.sh")).expect("run.sh");
    for variable in action
        .split_whitespace()
        .filter(|w| w.starts_with("TW_") && w.ends_with(':'))
        .map(|w| w.trim_end_matches(':'))
    {
        let install = std::fs::read_to_string(script("install.sh")).expect("install.sh");
        assert!(
            run.contains(variable) || install.contains(variable),
            "{variable} is set by action.yml but read by no script"
        );
    }
}
