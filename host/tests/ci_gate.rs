//! trailwarden in a pipeline: configuration, suppressions, baselines and fingerprints, with
//! every SARIF file it writes checked by the validator GitHub's rules are encoded in.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;

use common::*;

/// Runs `check` in `dir` (so `.trailwarden.toml` there is found) with extra args.
fn check_in(dir: &Path, args: &[&str]) -> Output {
    trailwarden()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("binary runs")
}

fn sarif_in(dir: &Path, name: &str, args: &[&str]) -> (Output, Value, PathBuf) {
    let file = dir.join(name);
    let mut all = vec!["--format", "sarif", "-o"];
    let path = file.display().to_string();
    all.push(&path);
    all.extend_from_slice(args);
    let output = check_in(dir, &all);
    assert_valid_sarif(&file);
    let sarif = serde_json::from_slice(&std::fs::read(&file).expect("written")).expect("json");
    (output, sarif, file)
}

fn results(sarif: &Value) -> Vec<Value> {
    sarif["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn fingerprint(result: &Value) -> String {
    result["partialFingerprints"]["primaryLocationLineHash"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_configuration_selects_rules_sets_the_gate_and_passes_settings() {
    let tmp = temp_dir("config");
    let dir = tmp.path();
    let snapshot = fixture("kms-chain-compliant.json");
    // Rewritten, working filter that is not the CIS text: strict_cis notes it.
    let text = std::fs::read_to_string(&snapshot)
        .expect("fixture")
        .replace(
            "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
            "{ $.eventSource = \\\"kms.amazonaws.com\\\" && ($.eventName = \\\"DisableKey\\\" || $.eventName = \\\"ScheduleKeyDeletion\\\") }",
        );
    let account = dir.join("account.json");
    std::fs::write(&account, text).expect("written");
    std::fs::write(
        dir.join(".trailwarden.toml"),
        "fail_on = \"note\"\n[rules]\nenable = [\"TW-KMS-00*\"]\ndisable = [\"TW-KMS-006\"]\n\
         [settings.TW-KMS-001]\nstrict_cis = true\n",
    )
    .expect("config");
    let output = check_in(dir, &["--snapshot", "account.json", "--format", "json"]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    let ids: Vec<&str> = report["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "TW-KMS-001",
            "TW-KMS-002",
            "TW-KMS-003",
            "TW-KMS-004",
            "TW-KMS-005"
        ]
    );
    assert_eq!(report["findings"][0]["reason"], "PATTERN_NOT_CIS_TEXT");
    assert_eq!(report["findings"][0]["level"], "note");
    assert_eq!(
        output.status.code(),
        Some(1),
        "fail_on = note gates on the note"
    );
    // The flag wins over the file.
    let output = check_in(dir, &["--snapshot", "account.json", "--fail-on", "warning"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn a_broken_configuration_is_a_clear_error() {
    let cases = [
        ("fail-on = \"error\"\n", "unknown field `fail-on`"),
        (
            "[rules]\nenable = [\"TW-NOPE-*\"]\n",
            "unknown rule TW-NOPE-*",
        ),
        (
            "[settings.TW-KMS-001]\nstrict = true\n",
            "unknown setting `strict`",
        ),
        ("[settings.TW-CT-004]\nx = 1\n", "it has no settings"),
        (
            "[[suppress]]\nrule = \"TW-KMS-001\"\n",
            "missing field `reason`",
        ),
        (
            "[settings.TW-KMS-003]\noperations = [\"Decript\"]\n",
            "`Decript`",
        ),
    ];
    for (text, expected) in cases {
        let tmp = temp_dir("bad-config");
        let dir = tmp.path();
        std::fs::write(dir.join(".trailwarden.toml"), text).expect("config");
        let output = check_in(dir, &["--snapshot", &fixture("kms-chain-compliant.json")]);
        assert_eq!(output.status.code(), Some(2), "{text}");
        let message = format!("{}{}", stderr(&output), stdout(&output));
        assert!(message.contains(expected), "{text}: {message}");
        assert!(!message.contains("panicked"), "{message}");
    }
    let output = run(&["check", "--demo", "--config", "/nonexistent/tw.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/tw.toml"));
}

/// Everything the user gave is checked before any data is read: here the snapshot does not
/// even exist, so an error about it would mean the check came too late.
#[test]
fn input_is_validated_before_any_data_is_read() {
    let missing = "/nonexistent/snapshot.json";
    let tmp = temp_dir("validate-first");
    let dir = tmp.path();
    std::fs::write(
        dir.join(".trailwarden.toml"),
        "[settings.TW-KMS-003]\noperations = [\"Decript\"]\n",
    )
    .expect("config");
    let output = check_in(dir, &["--snapshot", missing]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("Decript") && message.contains("before reading any data"),
        "{message}"
    );
    assert!(!message.contains(missing), "{message}");

    let tmp = temp_dir("validate-first-settings-file");
    let dir = tmp.path();
    let settings = dir.join("settings.json");
    std::fs::write(&settings, r#"{"TW-KMS-002": {"max_failures": "ten"}}"#).expect("settings");
    let output = check_in(
        dir,
        &[
            "--snapshot",
            missing,
            "--settings",
            &settings.display().to_string(),
        ],
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        !message.contains(missing),
        "the settings file is checked first: {message}"
    );

    for (flag, value, expected) in [
        (
            "--baseline",
            "/nonexistent/base.sarif",
            "/nonexistent/base.sarif",
        ),
        ("--output", "/nonexistent/dir/out.sarif", "does not exist"),
    ] {
        let output = run(&["check", "--snapshot", missing, flag, value]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{flag}: {message}");
        assert!(message.contains(expected), "{flag}: {message}");
        assert!(
            !message.contains(missing),
            "{flag} is checked first: {message}"
        );
    }
}

/// A settings error in `.trailwarden.toml` names the file, line and column of the key or value
/// at fault, for unknown ids, unknown keys, values of the wrong type and values the rule
/// refuses; and all of them are reported at once, before any data is read.
#[test]
fn settings_errors_name_the_line_and_column_in_the_configuration() {
    let cases = [
        (
            "fail_on = \"error\"\n\n[settings.TW-KMS-001]\nstrict = true\n",
            ".trailwarden.toml:4:1: [settings.TW-KMS-001] sets unknown setting `strict`; \
             its settings are strict_cis",
        ),
        (
            "[rules]\ndisable = []\n\n[settings.TW-KMS-003]\n# the calls to watch\n\
             operations = [\"Decrypt\", \"Decript\"]\n",
            ".trailwarden.toml:6:14: [settings.TW-KMS-003] invalid settings: `Decript`",
        ),
        (
            "[settings.TW-KMS-003]\n  operations = \"Decrypt\"\n",
            ".trailwarden.toml:2:16: [settings.TW-KMS-003] invalid setting `operations`: \
             invalid type: string \"Decrypt\", expected a sequence",
        ),
        (
            "\n[settings.TW-KMS-999]\n",
            ".trailwarden.toml:2:11: [settings.TW-KMS-999] no loaded pack has a rule with that id",
        ),
        (
            "settings.TW-KMS-002.max_failures = 10\n",
            ".trailwarden.toml:1:21: [settings.TW-KMS-002] sets unknown setting `max_failures`",
        ),
    ];
    let missing = "/nonexistent/snapshot.json";
    for (text, expected) in cases {
        let tmp = temp_dir("settings-positions");
        let dir = tmp.path();
        std::fs::write(dir.join(".trailwarden.toml"), text).expect("config");
        let output = check_in(dir, &["--snapshot", missing]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{text}: {message}");
        assert!(message.contains("before reading any data"), "{message}");
        assert!(message.contains(expected), "{text}: {message}");
        assert!(!message.contains(missing), "{message}");
    }

    // Every problem at once, each at its own place; --config names the file as given.
    let tmp = temp_dir("settings-positions-all");
    let dir = tmp.path();
    std::fs::write(
        dir.join("tw.toml"),
        "[settings.TW-KMS-001]\nstrict = true\n[settings.TW-KMS-003]\noperations = \"x\"\n",
    )
    .expect("config");
    let output = check_in(dir, &["--config", "tw.toml", "--snapshot", missing]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("tw.toml:2:1: [settings.TW-KMS-001] sets unknown setting `strict`"),
        "{message}"
    );
    assert!(
        message.contains("tw.toml:4:14: [settings.TW-KMS-003] invalid setting `operations`"),
        "{message}"
    );
}

/// The same bad setting reads the same from `.trailwarden.toml` and from `--settings FILE`:
/// only the place differs (a JSON file has no positions for values).
#[test]
fn settings_errors_are_the_same_wherever_settings_come_from() {
    let tmp = temp_dir("settings-same");
    let dir = tmp.path();
    std::fs::write(
        dir.join(".trailwarden.toml"),
        "[settings.TW-KMS-003]\noperations = \"Decrypt\"\n[settings.TW-KMS-001]\nstrict = 1\n",
    )
    .expect("config");
    std::fs::write(
        dir.join("settings.json"),
        r#"{"TW-KMS-003": {"operations": "Decrypt"}, "TW-KMS-001": {"strict": 1}}"#,
    )
    .expect("settings");
    let missing = "/nonexistent/snapshot.json";
    let from_config = stderr(&check_in(dir, &["--snapshot", missing]));
    let from_file = stderr(&check_in(
        dir,
        &[
            "--snapshot",
            missing,
            "--config",
            "/dev/null",
            "--settings",
            "settings.json",
        ],
    ));
    let problems = |message: &str, place: &str| -> Vec<String> {
        message
            .lines()
            .filter_map(|line| line.trim().strip_prefix(place))
            .map(|rest| rest.split_once(": ").map_or(rest, |(_, p)| p).to_owned())
            .collect()
    };
    let config_problems = problems(&from_config, ".trailwarden.toml:");
    let file_problems: Vec<String> = from_file
        .lines()
        .filter_map(|line| line.trim().strip_prefix("settings.json: "))
        .map(str::to_owned)
        .collect();
    assert_eq!(config_problems.len(), 2, "{from_config}");
    assert_eq!(config_problems, file_problems, "{from_config}\n{from_file}");

    std::fs::write(dir.join("broken.json"), "{\n  \"TW-KMS-003\": {,}\n}\n").expect("written");
    let message = stderr(&check_in(
        dir,
        &["--snapshot", missing, "--settings", "broken.json"],
    ));
    assert!(
        message.contains("broken.json:2:18: expected a JSON object of rule ids"),
        "{message}"
    );
}

/// One configuration serves several jobs: settings for a rule that exists but is not selected
/// are kept (and still checked), not an error.
#[test]
fn settings_for_an_unselected_rule_are_kept() {
    let tmp = temp_dir("unselected-settings");
    let dir = tmp.path();
    std::fs::write(
        dir.join(".trailwarden.toml"),
        "[settings.TW-KMS-001]\nstrict_cis = true\n",
    )
    .expect("config");
    let output = check_in(
        dir,
        &[
            "--snapshot",
            &fixture("kms-chain-compliant.json"),
            "--only",
            "TW-CT-001",
        ],
    );
    let message = stderr(&output);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{message}{}",
        stdout(&output)
    );
    assert!(!message.contains("settings"), "{message}");
}

#[test]
fn suppressed_findings_leave_the_gate_and_stay_in_the_upload() {
    let tmp = temp_dir("suppress");
    let dir = tmp.path();
    std::fs::write(
        dir.join(".trailwarden.toml"),
        "[rules]\nenable = [\"TW-CT-004\"]\n[[suppress]]\nrule = \"TW-CT-*\"\n\
         resource = \"arn:aws:cloudtrail:*:trail/management-events\"\n\
         reason = \"validation is replaced by S3 Object Lock on the log bucket\"\n\
         expires = 2999-12-31\n",
    )
    .expect("config");
    let snapshot = fixture("no-validation.json");
    let (output, sarif, _) = sarif_in(dir, "suppressed.sarif", &["--snapshot", &snapshot]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let all = results(&sarif);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["suppressions"][0]["kind"], "external");
    assert_eq!(
        all[0]["suppressions"][0]["justification"],
        "validation is replaced by S3 Object Lock on the log bucket"
    );
    let text = check_in(dir, &["--snapshot", &snapshot]);
    assert!(
        stdout(&text).contains("suppressed (1):"),
        "{}",
        stdout(&text)
    );

    // Once expired it no longer applies, and is a finding of its own.
    std::fs::write(
        dir.join(".trailwarden.toml"),
        "[rules]\nenable = [\"TW-CT-004\"]\n[[suppress]]\nrule = \"TW-CT-004\"\n\
         reason = \"accepted for the migration\"\nexpires = 2020-01-31\n",
    )
    .expect("config");
    let (output, sarif, _) = sarif_in(dir, "expired.sarif", &["--snapshot", &snapshot]);
    assert_eq!(output.status.code(), Some(1));
    let ids: Vec<String> = results(&sarif)
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids, ["TW-CT-004", "TW-TOOL-001"]);
    let expired = &results(&sarif)[1];
    assert!(
        expired["message"]["text"]
            .as_str()
            .is_some_and(|m| m.contains("expired on 2020-01-31")),
        "{expired}"
    );
}

#[test]
fn a_baseline_gates_only_on_new_findings() {
    let tmp = temp_dir("baseline");
    let dir = tmp.path();
    let before = fixture("no-validation.json");
    let (output, _, baseline) = sarif_in(dir, "main.sarif", &["--snapshot", &before]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the known findings fail without a baseline"
    );
    let baseline = baseline.display().to_string();

    // Same account: nothing new, the gate passes.
    let (output, sarif, _) = sarif_in(
        dir,
        "same.sarif",
        &["--snapshot", &before, "--baseline", &baseline],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let findings: Vec<Value> = results(&sarif)
        .into_iter()
        .filter(|r| !r["ruleId"].as_str().unwrap_or("").starts_with("TW-TOOL-"))
        .collect();
    assert!(!findings.is_empty());
    assert!(
        findings.iter().all(|r| r["baselineState"] == "unchanged"),
        "{findings:#?}"
    );

    // The trail also stops logging: the new findings fail the gate; the old ones do not.
    let worse = std::fs::read_to_string(&before)
        .expect("fixture")
        .replace("\"isLogging\": true", "\"isLogging\": false");
    let worse_path = dir.join("worse.json");
    std::fs::write(&worse_path, worse).expect("written");
    let worse_path = worse_path.display().to_string();
    let output = check_in(dir, &["--snapshot", &worse_path, "--baseline", &baseline]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("against baseline"), "{text}");
    assert!(text.contains(" new, "), "{text}");
    let (_, sarif, _) = sarif_in(
        dir,
        "worse.sarif",
        &["--snapshot", &worse_path, "--baseline", &baseline],
    );
    assert!(results(&sarif).iter().any(|r| r["baselineState"] == "new"));
    assert!(
        results(&sarif)
            .iter()
            .any(|r| r["baselineState"] == "unchanged")
    );

    let output = check_in(
        dir,
        &["--snapshot", &before, "--baseline", "/nonexistent.sarif"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent.sarif"));
}

#[test]
fn fingerprints_follow_the_problem_not_the_rest_of_the_account() {
    let tmp = temp_dir("fingerprints");
    let dir = tmp.path();
    let base = fixture("kms-chain-compliant.json");
    let text = std::fs::read_to_string(&base).expect("fixture");
    // One problem: the key-change alarm needs 3 events.
    let broken = text.replacen("\"threshold\": 1.0", "\"threshold\": 3.0", 1);
    // The same problem, plus an unrelated log group and a reworded alarm description elsewhere.
    let noisy = broken.replacen(
        "\"logGroups\": {\n        \"items\": [",
        "\"logGroups\": {\n        \"items\": [\n          {\"logGroupName\": \"/ecs/unrelated\", \"arn\": \"arn:aws:logs:us-east-1:111122223333:log-group:/ecs/unrelated\"},",
        1,
    );
    // Another problem on the same alarm: it notifies nobody.
    let other = text.replacen("\"actionsEnabled\": true", "\"actionsEnabled\": false", 1);
    let mut prints = Vec::new();
    for (name, body) in [("broken", &broken), ("noisy", &noisy), ("other", &other)] {
        assert_ne!(body, &text, "{name} changes the fixture");
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, body).expect("written");
        let (_, sarif, _) = sarif_in(
            dir,
            &format!("{name}.sarif"),
            &[
                "--snapshot",
                &path.display().to_string(),
                "--only",
                "TW-KMS-001",
            ],
        );
        let all = results(&sarif);
        assert_eq!(all.len(), 1, "{name}: {all:#?}");
        prints.push(fingerprint(&all[0]));
    }
    assert_eq!(prints[0], prints[1], "an unrelated change keeps the alert");
    assert_ne!(
        prints[0], prints[2],
        "a different broken link is a different alert"
    );
}

#[test]
fn every_fixture_gives_sarif_that_github_accepts() {
    let tmp = temp_dir("all-sarif");
    let dir = tmp.path();
    let fixtures = std::fs::read_dir(repo().join("tests/fixtures/snapshots")).expect("fixtures");
    let mut checked = 0;
    for entry in fixtures.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("x")
            .to_owned();
        let output = check_in(
            dir,
            &[
                "--snapshot",
                &path.display().to_string(),
                "--format",
                "sarif",
                "-o",
                &dir.join(format!("{name}.sarif")).display().to_string(),
            ],
        );
        if output.status.code() == Some(2) && stderr(&output).contains("reading snapshot") {
            continue; // the bad-input fixtures
        }
        assert_valid_sarif(&dir.join(format!("{name}.sarif")));
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} fixtures checked");
}

#[test]
fn a_run_with_pack_errors_and_failed_calls_still_uploads() {
    let tmp = temp_dir("broken-run");
    let dir = tmp.path();
    let packs = dir.join("packs");
    std::fs::create_dir_all(&packs).expect("dir");
    std::fs::write(packs.join("broken.wasm"), b"not wasm").expect("written");
    let (output, sarif, _) = sarif_in(
        dir,
        "broken.sarif",
        &["--demo", "--rules", &packs.display().to_string()],
    );
    assert_eq!(output.status.code(), Some(2));
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].to_string();
    assert!(notes.contains("broken.wasm"), "{notes}");
}
