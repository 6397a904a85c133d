//! The example custom pack (`examples/custom-pack`), compiled to wasm from source and run by
//! the host: its verdicts in the sandbox, `rules test` on its fixture cases (and on a wrong
//! expectation), and rule id collisions.

use std::path::PathBuf;

use trailwarden::cli::{PackArgs, TestArgs};
use trailwarden::commands::rules_test;
use trailwarden::engine::{Limits, PackOrigin, Sandbox};
use trailwarden::packs;
use trailwarden_sdk::abi::EvalContext;
use trailwarden_sdk::{Level, Outcome};
use trailwarden_tests::{cache_dir, cache_key, custom_pack, fake_pack, repo_root, scratch};

fn example_dir() -> PathBuf {
    repo_root().join("examples/custom-pack")
}

fn case_snapshot(name: &str) -> Vec<u8> {
    std::fs::read(example_dir().join("tests/cases").join(name)).expect("fixture")
}

/// The pack options of these tests: `dirs` as `--rules`, a 10 s rule deadline.
fn pack_args(dirs: Vec<PathBuf>) -> PackArgs {
    trailwarden_tests::pack_args(dirs, 10)
}

/// A directory holding the example pack as `acme_security_rules.wasm`.
fn pack_dir(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("acme_security_rules.wasm"), custom_pack()).expect("pack written");
    dir
}

/// (rule, outcome, reason, region) of every finding of `rules` on a case snapshot, in the
/// sandbox, with `settings`.
fn verdicts(
    snapshot: &str,
    rules: &[&str],
    settings: serde_json::Value,
) -> Vec<(String, Outcome, String, Option<String>)> {
    let cache =
        trailwarden::engine::cache::ModuleCache::open(cache_dir(), &cache_key()).expect("cache");
    let sandbox = Sandbox::new(Limits::default(), Some(cache)).expect("engine");
    let pack = sandbox
        .load(PackOrigin::Builtin("acme-security-rules"), custom_pack())
        .expect("the example pack loads");
    let ctx = EvalContext {
        encoding: "json".to_owned(),
        snapshot_schema: trailwarden_sdk::SCHEMA_VERSION,
        rules: rules.iter().map(|r| (*r).to_owned()).collect(),
        settings: serde_json::from_value(settings).expect("settings map"),
        ..EvalContext::default()
    };
    sandbox
        .evaluate(&pack, &case_snapshot(snapshot), &ctx)
        .into_iter()
        .flat_map(|run| {
            let (findings, _) = run.result.expect("the rule runs in the sandbox");
            findings
        })
        .map(|f| (f.rule_id, f.outcome, f.reason, f.region))
        .collect()
}

fn fail(
    rule: &str,
    reason: &str,
    region: Option<&str>,
) -> (String, Outcome, String, Option<String>) {
    (
        rule.to_owned(),
        Outcome::Fail,
        reason.to_owned(),
        region.map(str::to_owned),
    )
}

const BOTH: &[&str] = &["ACME-KMS-001", "ACME-LOGS-001"];

#[test]
fn the_example_rules_give_the_right_verdicts_in_the_sandbox() {
    assert_eq!(
        verdicts("compliant.json", BOTH, serde_json::json!({})),
        vec![]
    );
    assert_eq!(
        verdicts("platform-topic.json", BOTH, serde_json::json!({})),
        vec![
            fail("ACME-KMS-001", "NOT_SECURITY_TOPIC", Some("us-east-1")),
            fail("ACME-KMS-001", "NOT_SECURITY_TOPIC", Some("eu-west-1")),
        ]
    );
    assert_eq!(
        verdicts(
            "platform-topic.json",
            BOTH,
            serde_json::json!({"ACME-KMS-001": {"topic": "platform-alerts"}})
        ),
        vec![]
    );
    assert_eq!(
        verdicts("short-retention.json", BOTH, serde_json::json!({})),
        vec![fail(
            "ACME-LOGS-001",
            "LOG_RETENTION_TOO_SHORT",
            Some("us-east-1")
        )]
    );
    assert_eq!(
        verdicts("no-alarm.json", &["ACME-KMS-001"], serde_json::json!({})),
        vec![fail("ACME-KMS-001", "NO_ALARM", None)]
    );
    // The rotation rule reads `keyRotations` in the sandbox as natively.
    assert_eq!(
        verdicts("compliant.json", &["ACME-KMS-002"], serde_json::json!({})),
        vec![]
    );
    assert_eq!(
        verdicts(
            "key-rotation-off.json",
            &["ACME-KMS-002"],
            serde_json::json!({})
        ),
        vec![fail(
            "ACME-KMS-002",
            "KEY_ROTATION_DISABLED",
            Some("us-east-1")
        )]
    );
}

#[test]
fn the_example_pack_explains_itself() {
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let pack = sandbox
        .load(
            PackOrigin::File("acme_security_rules.wasm".into()),
            custom_pack(),
        )
        .expect("loads");
    assert_eq!(pack.meta.name, "acme-security-rules");
    assert_eq!(pack.meta.sdk_version, trailwarden_sdk::SDK_VERSION);
    let rule = &pack.meta.rules[0];
    assert_eq!(rule.level, Level::Error);
    assert!(rule.help_markdown.contains("## How to fix"));
    assert_eq!(rule.settings[0].name, "topic");
    assert_eq!(
        pack.describe(),
        format!(
            "pack acme-security-rules 0.1.0 (acme_security_rules.wasm, trailwarden-sdk {})",
            trailwarden_sdk::SDK_VERSION
        )
    );
}

#[test]
fn rules_test_passes_the_example_cases_through_the_wasm() {
    let args = TestArgs {
        dir: example_dir(),
        cases: None,
        build: false,
        packs: pack_args(vec![pack_dir("rules-test-pass")]),
    };
    let report = rules_test::test(&args).expect("the cases run");
    assert_eq!((report.passed, report.failed), (8, 0), "{}", report.text);
    assert!(
        report
            .text
            .starts_with("testing pack acme-security-rules 0.1.0 ("),
        "{}",
        report.text
    );
    assert!(
        report.text.contains("ok    platform-topic  "),
        "{}",
        report.text
    );
    assert!(
        report.text.ends_with("8 passed, 0 failed\n"),
        "{}",
        report.text
    );
}

#[test]
fn rules_test_fails_with_a_readable_diff() {
    let cases = scratch("rules-test-diff");
    std::fs::write(
        cases.join("platform-topic.json"),
        case_snapshot("platform-topic.json"),
    )
    .expect("snapshot");
    // Expects the wrong reason and level in us-east-1, and nothing in eu-west-1.
    std::fs::write(
        cases.join("platform-topic.expected.json"),
        r#"{
            "rules": ["ACME-KMS-001"],
            "findings": [{"rule": "ACME-KMS-001", "reason": "NO_ALARM", "level": "warning", "region": "us-east-1"}]
        }"#,
    )
    .expect("expectations");
    let args = TestArgs {
        dir: example_dir(),
        cases: Some(cases),
        build: false,
        packs: pack_args(vec![pack_dir("rules-test-diff-pack")]),
    };
    let report = rules_test::test(&args).expect("the case runs");
    assert_eq!((report.passed, report.failed), (0, 1), "{}", report.text);
    let text = &report.text;
    for expected in [
        "FAIL  platform-topic  0 of 1 expected finding reported; 1 different, 1 unexpected (",
        "  ~ expected ACME-KMS-001 NO_ALARM warning in us-east-1\n",
        "         got ACME-KMS-001 NO_ALARM"
            .replace("NO_ALARM", "NOT_SECURITY_TOPIC")
            .as_str(),
        "      reason: expected NO_ALARM, got NOT_SECURITY_TOPIC\n",
        "      level: expected warning, got error\n",
        "  + reported, not expected: ACME-KMS-001 NOT_SECURITY_TOPIC error at arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-failed-calls in eu-west-1\n",
        r#"      to expect it: {"rule":"ACME-KMS-001","reason":"NOT_SECURITY_TOPIC","level":"error","resource":"arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-failed-calls","region":"eu-west-1"}"#,
        "0 passed, 1 failed\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn rules_test_refuses_bad_input() {
    let packs = pack_args(vec![pack_dir("rules-test-bad-pack")]);
    let empty = scratch("rules-test-empty");
    let args = TestArgs {
        dir: example_dir(),
        cases: Some(empty.clone()),
        build: false,
        packs: packs.clone(),
    };
    let error = rules_test::test(&args).unwrap_err().to_string();
    assert!(error.contains("holds no test case"), "{error}");

    std::fs::write(empty.join("x.json"), case_snapshot("compliant.json")).expect("snapshot");
    std::fs::write(
        empty.join("x.expected.json"),
        r#"{"findings": [{"rule": "ACME-KMS-001", "reson": "X"}]}"#,
    )
    .expect("expectations");
    let error = format!("{:#}", rules_test::test(&args).unwrap_err());
    assert!(
        error.contains("x.expected.json is not a valid expectations file"),
        "{error}"
    );
    assert!(error.contains("unknown field `reson`"), "{error}");

    std::fs::write(
        empty.join("x.expected.json"),
        r#"{"rules": ["ACME-NOPE-001"]}"#,
    )
    .expect("expectations");
    // A case that cannot run fails alone (the others would still run), with the reason.
    let report = rules_test::test(&args).expect("the other cases run");
    assert_eq!((report.passed, report.failed), (0, 1), "{}", report.text);
    assert!(
        report
            .text
            .contains("names rule ACME-NOPE-001, which no loaded pack declares"),
        "{}",
        report.text
    );

    let nothing_built = TestArgs {
        dir: scratch("rules-test-unbuilt"),
        cases: None,
        build: false,
        packs: pack_args(Vec::new()),
    };
    std::fs::create_dir_all(nothing_built.dir.join("tests/cases")).expect("dir");
    std::fs::write(
        nothing_built.dir.join("tests/cases/x.json"),
        case_snapshot("compliant.json"),
    )
    .expect("snapshot");
    std::fs::write(nothing_built.dir.join("tests/cases/x.expected.json"), "{}").expect("file");
    let error = rules_test::test(&nothing_built).unwrap_err().to_string();
    assert!(
        error.contains("run `cargo build --release --target wasm32-unknown-unknown`"),
        "{error}"
    );
}

#[test]
fn a_user_pack_reusing_a_builtin_id_is_refused() {
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let real = sandbox
        .load(PackOrigin::Builtin("acme"), custom_pack())
        .expect("loads");
    let mut meta = real.meta.clone();
    meta.rules[1].id = "TW-KMS-001".to_owned();
    let dir = scratch("collision-builtin");
    let file = dir.join("acme.wasm");
    std::fs::write(
        &file,
        fake_pack(&serde_json::to_string(&meta).expect("json")),
    )
    .expect("pack written");
    // TW- ids belong to the built-in packs: the user's pack is refused, named with its file,
    // and the built-in packs load.
    let set = packs::load(&pack_args(vec![dir])).expect("loads");
    assert_eq!(set.failed.len(), 1, "{:?}", set.failed);
    let (origin, reason) = &set.failed[0];
    assert_eq!(
        origin,
        &format!(
            "pack acme-security-rules 0.1.0 ({}, trailwarden-sdk {})",
            file.display(),
            trailwarden_sdk::SDK_VERSION
        )
    );
    assert!(
        reason.contains("it declares TW-KMS-001, but rule ids starting with TW- are reserved"),
        "{reason}"
    );
    assert!(set.packs.iter().all(|p| !p.is_file()));
}

#[test]
fn two_user_packs_declaring_the_same_ids_are_refused() {
    let dir = pack_dir("collision-packs");
    // The same rules under another pack name (one name twice is refused before the ids).
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let mut meta = sandbox
        .load(PackOrigin::Builtin("acme"), custom_pack())
        .expect("loads")
        .meta;
    meta.name = "acme-copy".to_owned();
    std::fs::write(
        dir.join("copy.wasm"),
        fake_pack(&serde_json::to_string(&meta).expect("json")),
    )
    .expect("copy written");
    let error = packs::load(&pack_args(vec![dir.clone()]))
        .err()
        .expect("refused")
        .to_string();
    assert!(
        error.starts_with("3 rule ids are declared twice"),
        "{error}"
    );
    for id in ["ACME-KMS-001", "ACME-LOGS-001", "ACME-KMS-002"] {
        assert!(
            error.contains(&format!(
                "  {id} is declared by pack acme-security-rules 0.1.0 ({}",
                dir.join("acme_security_rules.wasm").display()
            )),
            "{error}"
        );
    }
    assert!(
        error.contains(&dir.join("copy.wasm").display().to_string()),
        "{error}"
    );
}
