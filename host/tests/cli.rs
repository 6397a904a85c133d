//! The `trailwarden` binary as a user runs it: exit codes, messages, formats.

use std::process::{Output, Stdio};

mod common;

use common::*;

#[test]
fn demo_reports_broken_links_and_exits_2_for_its_failed_call() {
    // The demo records one failed AWS call, so its results are partial: exit 2, and says why.
    let output = run(&["check", "--demo"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--allow-partial"),
        "{}",
        stderr(&output)
    );
    let output = run(&["check", "--demo", "--allow-partial"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("TW-CT-003"), "{text}");
    assert!(text.contains("trail `legacy-eu`"), "{text}");
    assert!(
        text.contains("DescribeAlarms failed in ap-southeast-2"),
        "{text}"
    );
    // One failed call that left two sections empty is reported once.
    let failed_call_lines = text
        .lines()
        .filter(|line| {
            line.trim_start()
                .starts_with("cloudwatch:DescribeAlarms failed in ap-southeast-2")
        })
        .count();
    assert_eq!(failed_call_lines, 1, "{text}");
    // Grouped by rule with its mappings; the chain rules run in the sandbox, as wasm, and
    // name the broken link.
    assert!(
        text.contains(
            "TW-KMS-001 key-disable-deletion-alarm (CIS v1.4.0 4.7, Security Hub CloudWatch.7)"
        ),
        "{text}"
    );
    assert!(
        text.contains("  error    us-east-1 +2  KMS key disable and deletion events in "),
        "{text}"
    );
    assert!(text.contains("[ALARM_CANNOT_FIRE]"), "{text}");
    assert!(!text.contains("\x1b["), "no colour in a pipe");
    assert!(
        text.contains("watches `CloudTrailMetrics/CMKEventCount` with Sum >= 5 over 300 s: one DisableKey event yields 1, so it never fires"),
        "{text}"
    );
    assert!(text.contains("[ALARM_DIMENSIONS_MISMATCH]"), "{text}");
}

#[test]
fn gate_thresholds() {
    // One warning-level finding (TW-CT-004) and nothing else.
    let snapshot = fixture("no-validation.json");
    let gate = |fail_on: &str| {
        run(&[
            "check",
            "--snapshot",
            &snapshot,
            "--only",
            "TW-CT-004",
            "--fail-on",
            fail_on,
        ])
        .status
        .code()
    };
    assert_eq!(gate("none"), Some(0));
    assert_eq!(gate("error"), Some(0));
    assert_eq!(gate("warning"), Some(1));
    assert_eq!(gate("note"), Some(1));
    assert_eq!(
        run(&["check", "--demo", "--allow-partial", "--fail-on", "error"])
            .status
            .code(),
        Some(1),
        "the demo has error-level findings"
    );
    assert_eq!(
        run(&["check", "--demo", "--fail-on", "none"]).status.code(),
        Some(2),
        "a failed AWS call makes the run partial whatever the threshold"
    );
}

#[test]
fn compliant_snapshot_passes() {
    let output = run(&[
        "check",
        "--snapshot",
        &fixture("cis-monitoring-compliant.json"),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(stdout(&output).contains("0 error(s), 0 warning(s)"));
}

#[test]
fn snapshot_from_stdin() {
    let mut child = trailwarden()
        .args(["check", "--snapshot", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawns");
    let text = std::fs::read(fixture("no-validation.json")).expect("fixture");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &text).expect("writes");
    let output = child.wait_with_output().expect("finishes");
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["findings"][0]["ruleId"], "TW-CT-004");
    assert_eq!(report["findings"][0]["level"], "warning");
}

#[test]
fn sarif_passes_the_schema_and_github_rules() {
    let tmp = temp_dir("sarif");
    let dir = tmp.path();
    let file = dir.join("demo.sarif");
    let output = run(&[
        "check",
        "--demo",
        "--format",
        "sarif",
        "-o",
        &file.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_valid_sarif(&file);
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("written")).expect("json");
    let run = &sarif["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "trailwarden/111122223333/");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "TW-CT-001"));
    let result = &run["results"][0];
    assert!(
        result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .is_some_and(|arn| arn.starts_with("arn:aws:"))
    );
    // A stable virtual path per resource, not a line in a file that moves.
    let kms = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "TW-KMS-001")
        .expect("TW-KMS-001 result");
    assert_eq!(
        kms["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "aws/111122223333/us-east-1/cloudwatch/alarm/cmk-changes"
    );
    // What could not be verified, and the failed call, are results an upload shows.
    for tool_rule in ["TW-TOOL-002", "TW-TOOL-003"] {
        assert!(
            run["results"]
                .as_array()
                .expect("results")
                .iter()
                .any(|r| r["ruleId"] == tool_rule),
            "{tool_rule}"
        );
        assert!(
            rules.iter().any(|r| r["id"] == tool_rule),
            "{tool_rule} described"
        );
    }
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("collection errors are visible in the upload");
    assert!(notifications.iter().any(|n| {
        n["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("DescribeAlarms"))
    }));
}

#[test]
fn sarif_is_identical_across_runs_apart_from_timestamps() {
    let strip = |output: Output| {
        let mut sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        let invocation = &mut sarif["runs"][0]["invocations"][0];
        invocation["startTimeUtc"] = serde_json::Value::Null;
        invocation["endTimeUtc"] = serde_json::Value::Null;
        sarif
    };
    let first = strip(run(&["check", "--demo", "--format", "sarif"]));
    let second = strip(run(&["check", "--demo", "--format", "sarif"]));
    assert_eq!(first, second);
}

#[test]
fn bad_snapshots_exit_2_naming_the_file_and_the_problem() {
    let cases = [
        ("not-json.txt", "snapshot is not valid"),
        ("wrong-version.json", "schema version 99 is not supported"),
        ("missing-section.json", "missing field `trails`"),
    ];
    for (file, expected) in cases {
        let output = run(&["check", "--snapshot", &fixture(file)]);
        assert_eq!(output.status.code(), Some(2), "{file}");
        let message = stderr(&output);
        assert!(
            message.starts_with("trailwarden: reading snapshot"),
            "{message}"
        );
        assert!(message.contains(file), "{message}");
        assert!(message.contains(expected), "{file}: {message}");
        assert!(!message.contains("panicked"), "{message}");
    }
    let output = run(&["check", "--snapshot", "/nonexistent/account.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/account.json"));
}

#[test]
fn a_pack_that_is_not_wasm_costs_only_itself() {
    let tmp = temp_dir("badpack");
    let dir = tmp.path();
    std::fs::write(dir.join("broken.wasm"), b"definitely not wasm").expect("written");
    let output = run(&["check", "--demo", "--rules", &dir.display().to_string()]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an incomplete run cannot be trusted"
    );
    let text = stdout(&output);
    assert!(text.contains("broken.wasm"), "{text}");
    assert!(text.contains("not a WebAssembly module"), "{text}");
    assert!(
        text.contains("TW-CT-003"),
        "the built-in rules still report: {text}"
    );
}

#[test]
fn missing_rules_directory_is_a_clear_error() {
    let output = run(&["check", "--demo", "--rules", "/nonexistent/packs"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("reading rule directory /nonexistent/packs"));
}

#[test]
fn no_account_and_no_snapshot_checks_the_demo_with_a_notice() {
    let output = run(&["check", "--allow-partial"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--snapshot FILE"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("embedded demo snapshot"));
}

#[test]
fn configured_account_collects_live_and_says_why_it_cannot() {
    // AWS_PROFILE names a profile that does not exist: `check` collects live (no demo) and
    // stops before any call, naming the profile.
    let output = trailwarden()
        .args(["check"])
        .env("AWS_PROFILE", "prod")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("no profile `prod`"), "{err}");
    assert!(!err.contains("embedded demo"), "{err}");
}

#[test]
fn rules_list_and_explain() {
    let output = run(&["rules", "list"]);
    assert_eq!(output.status.code(), Some(0));
    let list = stdout(&output);
    for id in [
        "TW-CT-001",
        "TW-CT-002",
        "TW-CT-003",
        "TW-CT-004",
        "TW-CT-005",
        "TW-KMS-001",
        "TW-KMS-002",
        "TW-KMS-003",
    ] {
        assert!(list.contains(id), "{list}");
    }
    assert!(list.contains("CloudWatch.7"), "{list}");
    assert!(list.contains("CloudTrail.1"), "{list}");

    let output = run(&["rules", "explain", "TW-CT-001"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("## How to fix"), "{text}");
    assert!(text.contains("Security Hub: CloudTrail.1"), "{text}");

    // trailwarden's own rules are listed and explained like a pack's.
    assert!(list.contains("TW-TOOL-002"), "{list}");
    let output = run(&["rules", "explain", "TW-TOOL-002"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("TW-TOOL-002 could-not-verify\n"), "{text}");
    assert!(text.contains("## How to fix"), "{text}");

    let output = run(&["rules", "explain", "TW-NOPE-999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("known rules: TW-CT-"),
        "{}",
        stderr(&output)
    );

    let output = run(&["rules", "explain", "TW-CT-004", "--format", "json"]);
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(meta["securityHub"], serde_json::Value::Null);
    assert_eq!(meta["mappings"]["securityHub"][0], "CloudTrail.4");
}

/// Every command exits 0 without a word when its reader has gone (`trailwarden … | head -1`),
/// as ripgrep does: stdout here is a pipe whose reading end is closed before the command
/// starts, so its first write fails with EPIPE.
#[test]
fn every_command_survives_a_closed_pipe() {
    let log = example_log();
    for args in [
        vec!["rules", "list"],
        vec!["rules", "explain", "TW-KMS-001"],
        vec!["check", "--demo"],
        vec!["check", "--demo", "--format", "sarif", "--fail-on", "none"],
        vec!["test-pattern", CIS_4_7, &log],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = trailwarden()
            .args(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("binary runs");
        let stderr = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.to_lowercase().contains("broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}

const CIS_4_7: &str = "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}";

fn example_log() -> String {
    repo()
        .join("examples/cloudtrail/111122223333_CloudTrail_us-east-1_20261125T0915Z_example.json")
        .display()
        .to_string()
}

#[test]
fn test_pattern_on_a_log_file_shows_each_record() {
    let output = run(&["test-pattern", CIS_4_7, &example_log()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("record 2 (DisableKey"), "{text}");
    assert!(text.contains("2 of 5 matched"), "{text}");
    assert!(
        text.contains("failed $.eventName=DisableKey  (found \"Decrypt\")"),
        "{text}"
    );
}

#[test]
fn test_pattern_exit_status_is_greps() {
    let record =
        r#"{"eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "readOnly": true}"#;
    let with_stdin = |args: &[&str]| {
        let mut child = trailwarden()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawns");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), record.as_bytes())
            .expect("writes");
        child.wait_with_output().expect("finishes")
    };
    let no_match = with_stdin(&["test-pattern", CIS_4_7, "-"]);
    assert_eq!(no_match.status.code(), Some(1));
    assert!(
        stdout(&no_match).starts_with("no match: "),
        "{}",
        stdout(&no_match)
    );

    let matched = with_stdin(&["test-pattern", r#"{ $.readOnly IS TRUE }"#]);
    assert_eq!(matched.status.code(), Some(0), "{}", stderr(&matched));

    let invalid = with_stdin(&["test-pattern", "{ ($.eventName = ) }"]);
    assert_eq!(invalid.status.code(), Some(2));
    let message = stderr(&invalid);
    assert!(message.contains("invalid at column 18"), "{message}");
    assert!(
        message.contains("\n                   ^"),
        "caret under the column: {message}"
    );
}

#[test]
fn test_pattern_eventbridge_wraps_cloudtrail_records() {
    let pattern = r#"{"source": ["aws.kms"], "detail-type": ["AWS API Call via CloudTrail"], "detail": {"eventName": ["ScheduleKeyDeletion"]}}"#;
    let output = run(&["test-pattern", "--eventbridge", pattern, &example_log()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("record 3 (ScheduleKeyDeletion"), "{text}");
    assert_eq!(text.matches(": match").count(), 1, "{text}");

    let output = run(&[
        "test-pattern",
        "--eventbridge",
        r#"{"source": "aws.kms"}"#,
        &example_log(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a bare string is not a valid pattern value"
    );
}

#[test]
fn precompile_fills_a_private_cache_that_check_then_uses() {
    let tmp = temp_dir("precompile");
    let dir = tmp.path();
    let cache = dir.join("cache");
    let cache_arg = cache.display().to_string();
    let output = run(&["rules", "precompile", "--cache-dir", &cache_arg]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("compiled 3 pack(s)"),
        "{}",
        stdout(&output)
    );
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .expect("cache exists")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
        .collect();
    assert_eq!(entries.len(), 3);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the cache is private: {mode:o}");
    }
    let output = run(&[
        "check",
        "--demo",
        "--allow-partial",
        "--cache-dir",
        &cache_arg,
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let output = run(&["rules", "precompile", "--no-cache"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("drop --no-cache"));
}

#[test]
fn settings_file_reaches_the_rule_and_bad_values_name_rule_and_key() {
    let tmp = temp_dir("settings");
    let dir = tmp.path();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("written");
        path.display().to_string()
    };
    let snapshot = fixture("kms-chain-compliant.json");
    let check = |settings: &str| {
        run(&[
            "check",
            "--snapshot",
            &snapshot,
            "--only",
            "TW-KMS-003",
            "--settings",
            settings,
        ])
    };

    let good = write(
        "good.json",
        r#"{"TW-KMS-003": {"operations": ["Decrypt"]}}"#,
    );
    let output = check(&good);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );

    let typo = write(
        "typo.json",
        r#"{"TW-KMS-003": {"operations": ["Decript"]}}"#,
    );
    // Values are checked by the rule's own settings type, in the sandbox, before the
    // snapshot is read: a bad value is an error (exit 2) with no report.
    let output = check(&typo);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a rule that cannot run is an error"
    );
    let text = stderr(&output);
    assert!(
        text.contains("invalid settings, found before reading any data"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{typo}: [settings.TW-KMS-003] ")),
        "{text}"
    );
    assert!(text.contains("`Decript`"), "{text}");
    assert!(stdout(&output).is_empty(), "no report");

    let wrong_type = write("type.json", r#"{"TW-KMS-003": {"operations": "Decrypt"}}"#);
    let text = stderr(&check(&wrong_type));
    assert!(
        text.contains(&format!("{wrong_type}: [settings.TW-KMS-003] invalid setting `operations`: invalid type: string \"Decrypt\", expected a sequence")),
        "{text}"
    );

    let unknown = write("unknown.json", r#"{"TW-KMS-999": {}}"#);
    let output = check(&unknown);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!(
            "{unknown}: [settings.TW-KMS-999] no loaded pack has a rule"
        )),
        "{}",
        stderr(&output)
    );
}

/// Custom rules never vanish silently: a rules directory without a pack, or a pack that does
/// not load, is an error (exit 2) that names the directory or file and the likely cause, and
/// `--only` does not hide that cause behind "unknown rule".
#[test]
fn custom_rules_that_do_not_load_fail_loudly() {
    let snapshot = fixture("kms-chain-compliant.json");
    let empty_dir = temp_dir("empty-rules");
    let empty = empty_dir.path();
    let output = run(&[
        "check",
        "--snapshot",
        &snapshot,
        "--rules",
        &empty.display().to_string(),
    ]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("holds no .wasm pack"), "{message}");
    assert!(message.contains(&empty.display().to_string()), "{message}");
    assert!(
        message.contains("--target wasm32-unknown-unknown"),
        "{message}"
    );

    let host_build_dir = temp_dir("host-build-rules");
    let host_build = host_build_dir.path();
    std::fs::write(host_build.join("libacme_rules.so"), b"\x7fELF").expect("written");
    let output = run(&[
        "check",
        "--snapshot",
        &snapshot,
        "--rules",
        &host_build.display().to_string(),
    ]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("libacme_rules.so"), "{message}");
    assert!(
        message.contains("built for the host, not for wasm32"),
        "{message}"
    );

    let broken_dir = temp_dir("broken-rules");
    let broken = broken_dir.path();
    std::fs::write(broken.join("acme_rules.wasm"), b"\x7fELF not wasm").expect("written");
    let rules = broken.display().to_string();
    let output = run(&["check", "--snapshot", &snapshot, "--rules", &rules]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a pack that does not load fails the gate"
    );
    let output = run(&[
        "check",
        "--snapshot",
        &snapshot,
        "--rules",
        &rules,
        "--only",
        "ACME-*",
    ]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("unknown rule ACME-*"), "{message}");
    assert!(
        message.contains("1 pack did not load and may declare it")
            && message.contains("acme_rules.wasm")
            && message.contains("not a WebAssembly module"),
        "{message}"
    );
}

#[test]
fn the_demo_is_judged_as_of_its_collection_and_as_of_replays_another_day() {
    // The demo was collected on 2026-11-25 with imported key material valid to 2026-12-10:
    // its report must not change as the calendar moves on.
    let output = run(&["check", "--demo", "--only", "TW-KMS-005"]);
    let text = stdout(&output);
    assert!(text.contains("in 14 days"), "{text}");
    // --as-of replays the same snapshot after the expiry: now an error, not a warning.
    let output = run(&[
        "check",
        "--demo",
        "--only",
        "TW-KMS-005",
        "--as-of",
        "2026-12-11T00:00:00Z",
    ]);
    let text = stdout(&output);
    assert!(text.contains("[KEY_MATERIAL_EXPIRED]"), "{text}");
    assert!(!text.contains("KEY_MATERIAL_EXPIRES_SOON"), "{text}");
    // A time that is not RFC 3339 is refused before anything is read, with an example.
    let output = run(&["check", "--demo", "--as-of", "yesterday"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--as-of: `yesterday` is not an RFC 3339"),
        "{}",
        stderr(&output)
    );
}

/// `completions SHELL` prints a script for each shell clap_complete knows, naming the
/// subcommands; a shell it does not know is a usage error.
#[test]
fn completions_for_every_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run(&["completions", shell]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            stderr(&output)
        );
        let script = stdout(&output);
        for word in ["trailwarden", "check", "snapshot", "precompile", "fail-on"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let output = run(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("invalid value 'tcsh'"),
        "{}",
        stderr(&output)
    );
}

/// `man` prints a roff page that `man -l` renders; `man --out-dir` writes one page per
/// subcommand.
#[test]
fn the_man_page_renders() {
    let output = run(&["man"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.contains(".TH trailwarden 1"), "{page}");
    assert!(page.contains("completions"), "{page}");
    let dir = common::temp_dir("man");
    let file = dir.path().join("trailwarden.1");
    std::fs::write(&file, &page).expect("page");
    let rendered = std::process::Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man is installed");
    assert!(rendered.status.success(), "{}", stderr(&rendered));
    let text = stdout(&rendered);
    assert!(text.contains("NAME"), "{text}");
    assert!(text.contains("Checks that AWS KMS monitoring"), "{text}");

    let pages = dir.path().join("man1");
    let output = run(&["man", "--out-dir", &pages.display().to_string()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for name in [
        "trailwarden.1",
        "trailwarden-check.1",
        "trailwarden-rules-new.1",
    ] {
        assert!(pages.join(name).is_file(), "{name}: {}", stdout(&output));
        assert!(stdout(&output).contains(name), "{}", stdout(&output));
    }
}

/// `-V` stays one line; `--version` adds the SDK, the rule ABI and the built-in packs.
#[test]
fn version_short_and_long() {
    let short = run(&["-V"]);
    assert_eq!(short.status.code(), Some(0));
    assert_eq!(
        stdout(&short),
        format!("trailwarden {}\n", env!("CARGO_PKG_VERSION"))
    );
    let long = run(&["--version"]);
    assert_eq!(long.status.code(), Some(0));
    let text = stdout(&long);
    assert!(text.contains("sdk: trailwarden-sdk "), "{text}");
    assert!(text.contains("rule abi: 1."), "{text}");
    for pack in [
        "trailwarden-rules-cloudtrail",
        "trailwarden-rules-kms",
        "trailwarden-rules-cis-monitoring",
    ] {
        assert!(
            text.contains(&format!("{pack} {}", env!("CARGO_PKG_VERSION"))),
            "{text}"
        );
    }
}

/// A directory of per-account snapshots in the Control Tower shape: the organization trail and
/// the whole chain in the management account, members without trails. Every member's KMS
/// chain is credited through the management account's chain.
#[test]
fn an_organization_directory_credits_members_with_the_organization_trail() {
    let dir = repo().join("tests/fixtures/org/control-tower");
    let output = run(&[
        "check",
        "--snapshot",
        &dir.display().to_string(),
        "--only",
        "TW-KMS-001,TW-KMS-002,TW-KMS-003,TW-KMS-004,TW-KMS-005",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let accounts = report["organization"]["accounts"]
        .as_array()
        .expect("accounts");
    assert_eq!(accounts.len(), 3);
    for account in accounts {
        assert_eq!(account["findings"], serde_json::json!([]), "{account}");
        assert_eq!(account["unverifiable"], serde_json::json!([]), "{account}");
    }
    assert_eq!(
        accounts[1]["linkedAccounts"],
        serde_json::json!(["111122223333"])
    );
    // With every rule: nothing is a member's to fix (the trail rules see the organization
    // trail as AWS shows it to members), never a false "no trail".
    let output = run(&[
        "check",
        "--snapshot",
        &dir.display().to_string(),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    for account in report["organization"]["accounts"]
        .as_array()
        .expect("accounts")
    {
        if account["account"]["id"] != "111122223333" {
            assert_eq!(account["mustAct"], serde_json::json!([]), "{account}");
        }
    }
    // Every rule judges a member as it judges the management account, whose chain it shares:
    // TW-CT-002 follows the trail into the owner's log group (not "continues in account
    // 111122223333", which the run holds) and judges the delivery time at the owner's
    // collection time.
    let verdicts = |account: &str| -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = ["findings", "unverifiable"]
            .iter()
            .flat_map(|list| report[*list].as_array().cloned().unwrap_or_default())
            .filter(|f| f["account"] == account)
            .map(|f| {
                (
                    f["ruleId"].as_str().unwrap_or_default().to_owned(),
                    f["reason"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        found.sort();
        found
    };
    let management = verdicts("111122223333");
    assert!(!management.is_empty(), "{report}");
    for member in ["222233334444", "333344445555"] {
        assert_eq!(verdicts(member), management, "{member}");
    }
}

/// The same organization with the management account's alarms unable to notify: every member
/// fails, and the findings are the management account's to fix.
#[test]
fn a_broken_management_alarm_fails_every_member_and_the_management_account_must_act() {
    let source = repo().join("tests/fixtures/org/control-tower");
    let dir = temp_dir("org-broken");
    for entry in std::fs::read_dir(&source).expect("fixture dir") {
        let path = entry.expect("entry").path();
        let mut text = std::fs::read_to_string(&path).expect("read");
        text = text.replace("\"actionsEnabled\": true", "\"actionsEnabled\": false");
        std::fs::write(dir.path().join(path.file_name().expect("name")), text).expect("write");
    }
    let output = run(&[
        "check",
        "--snapshot",
        &dir.path().display().to_string(),
        "--only",
        "TW-KMS-001",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let findings = report["findings"].as_array().expect("findings");
    for member in ["222233334444", "333344445555"] {
        let theirs: Vec<_> = findings.iter().filter(|f| f["account"] == member).collect();
        assert!(!theirs.is_empty(), "{member} fails");
        for finding in theirs {
            assert_eq!(finding["actingAccount"], "111122223333", "{finding}");
            assert!(
                finding["resource"]["arn"]
                    .as_str()
                    .is_some_and(|arn| arn.contains(":111122223333:alarm:")),
                "{finding}"
            );
        }
    }
    let text = run(&[
        "check",
        "--snapshot",
        &dir.path().display().to_string(),
        "--only",
        "TW-KMS-001",
    ]);
    let text = stdout(&text);
    assert!(text.contains("account 111122223333 must act"), "{text}");
    // One line per broken link, naming every account it leaves blind.
    assert!(
        text.contains("for 3 accounts (111122223333, 222233334444, 333344445555)"),
        "{text}"
    );
    let alarm_lines = text
        .lines()
        .filter(|line| line.contains("TW-KMS-001") && line.contains("for 3 accounts"))
        .count();
    assert!(alarm_lines >= 1, "{text}");
    assert!(!text.contains("for account 222233334444"), "{text}");
}

#[test]
fn a_directory_mixing_two_organizations_is_refused() {
    let dir = repo().join("tests/fixtures/org/mixed");
    let output = run(&["check", "--snapshot", &dir.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("o-exampleorgid"), "{message}");
    assert!(message.contains("o-otherorg00"), "{message}");
}

#[test]
fn an_empty_snapshot_directory_is_refused() {
    let dir = temp_dir("org-empty");
    let output = run(&["check", "--snapshot", &dir.path().display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("holds no *.json snapshot"),
        "{}",
        stderr(&output)
    );
}

/// SARIF for an organization: one run (one code-scanning category) per account in one file,
/// one file per account with --output-dir, and an error naming --output-dir past GitHub's 20
/// runs per file.
#[test]
fn organization_sarif_has_one_category_per_account() {
    let dir = repo().join("tests/fixtures/org/control-tower");
    let out = temp_dir("org-sarif");
    let file = out.path().join("org.sarif");
    let output = run(&[
        "check",
        "--snapshot",
        &dir.display().to_string(),
        "--format",
        "sarif",
        "-o",
        &file.display().to_string(),
    ]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    assert_valid_sarif(&file);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("sarif")).expect("json");
    let categories: Vec<&str> = sarif["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .filter_map(|run| run["automationDetails"]["id"].as_str())
        .collect();
    assert_eq!(
        categories,
        [
            "trailwarden/111122223333/",
            "trailwarden/222233334444/",
            "trailwarden/333344445555/"
        ]
    );
    let per_account = out.path().join("per-account");
    std::fs::create_dir(&per_account).expect("dir");
    let output = run(&[
        "check",
        "--snapshot",
        &dir.display().to_string(),
        "--format",
        "sarif",
        "--output-dir",
        &per_account.display().to_string(),
    ]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    for id in ["111122223333", "222233334444", "333344445555"] {
        let path = per_account.join(format!("{id}.sarif"));
        assert_valid_sarif(&path);
        let one: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("sarif")).expect("json");
        assert_eq!(one["runs"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            one["runs"][0]["automationDetails"]["id"],
            format!("trailwarden/{id}/")
        );
    }
    // 21 accounts: more runs than GitHub accepts in one file.
    let many = out.path().join("many");
    std::fs::create_dir(&many).expect("dir");
    let member = std::fs::read_to_string(dir.join("222233334444.json")).expect("member");
    for i in 0..21 {
        let id = format!("{:012}", 500_000_000_000_u64 + i);
        std::fs::write(
            many.join(format!("{id}.json")),
            member.replace("222233334444", &id),
        )
        .expect("write");
    }
    let output = run(&[
        "check",
        "--snapshot",
        &many.display().to_string(),
        "--format",
        "sarif",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--output-dir"),
        "{}",
        stderr(&output)
    );
}

/// `--iac` lays code over one account; given several, it says so instead of picking one.
#[test]
fn iac_over_an_organization_is_refused_with_what_to_do() {
    let template = repo().join("host/tests/fixtures/iac/cloudformation/compliant.yaml");
    let dir = repo().join("tests/fixtures/org/control-tower");
    let output = run(&[
        "check",
        "--iac",
        &template.display().to_string(),
        "--snapshot",
        &dir.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("--iac overlays the code on one account"),
        "{message}"
    );
    assert!(message.contains("--snapshot FILE"), "{message}");
}

/// A member whose own trail delivers to its own log group, copied by a CloudWatch Logs
/// centralization rule into a logging account that holds the filters, alarms and topics: the
/// member passes through the logging account's chain; a destination filter whose
/// `fieldSelectionCriteria` leave the member's account out fails it, and the logging account
/// must act.
#[test]
fn a_centralization_rule_carries_a_members_chain_into_the_logging_account() {
    let source = repo().join("tests/fixtures/org/centralized");
    let output = run(&[
        "check",
        "--snapshot",
        &source.display().to_string(),
        "--only",
        "TW-KMS-001",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let member = report["organization"]["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["account"]["id"] == "222233334444")
        .expect("member")
        .clone();
    assert_eq!(
        member["linkedAccounts"],
        serde_json::json!(["444455556666"])
    );

    let dir = temp_dir("org-centralized-excluded");
    let text = std::fs::read_to_string(source.join("organization.json"))
        .expect("read")
        .replace(
            "\"filterName\": \"kms-key-changes\",",
            "\"filterName\": \"kms-key-changes\", \"fieldSelectionCriteria\": \"@aws.account = \\\"999999999999\\\"\",",
        );
    std::fs::write(dir.path().join("organization.json"), text).expect("write");
    let output = run(&[
        "check",
        "--snapshot",
        &dir.path().display().to_string(),
        "--only",
        "TW-KMS-001",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let theirs: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["account"] == "222233334444")
        .collect();
    assert!(!theirs.is_empty(), "the member fails");
    for finding in theirs {
        assert_eq!(finding["reason"], "FILTER_SELECTION_EXCLUDES", "{finding}");
        assert_eq!(finding["actingAccount"], "444455556666", "{finding}");
    }
}
