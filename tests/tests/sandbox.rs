//! The sandbox against misbehaving packs: each failure costs its own rule only, is classified
//! by type, and names the limit or the panic.

use std::time::Duration;

use trailwarden::engine::{Limits, LoadError, PackOrigin, RuleRun, Sandbox};
use trailwarden_sdk::abi::{EvalContext, FailureKind};
use trailwarden_tests::{fixture, hostile_pack};

fn sandbox() -> Sandbox {
    let limits = Limits {
        deadline: Duration::from_millis(1500),
        memory_bytes: 64 << 20,
        ..Limits::default()
    };
    Sandbox::new(limits, None).expect("engine starts")
}

fn run(rules: &[&str]) -> Vec<RuleRun> {
    let sandbox = sandbox();
    let pack = sandbox
        .load(PackOrigin::Builtin("hostile"), hostile_pack())
        .expect("hostile pack loads");
    let snapshot = std::fs::read(fixture("compliant.json")).expect("fixture");
    let ctx = EvalContext {
        encoding: "json".to_owned(),
        snapshot_schema: trailwarden_sdk::SCHEMA_VERSION,
        rules: rules.iter().map(|s| (*s).to_owned()).collect(),
        max_findings_per_rule: 10,
        ..EvalContext::default()
    };
    sandbox.evaluate(&pack, &snapshot, &ctx)
}

fn failure_of<'a>(runs: &'a [RuleRun], id: &str) -> &'a trailwarden::engine::RuleFailure {
    let run = runs
        .iter()
        .find(|r| r.rule_id == id)
        .expect("rule has a result");
    run.result.as_ref().expect_err("rule must fail")
}

fn assert_ok_survived(runs: &[RuleRun]) {
    let ok = runs
        .iter()
        .find(|r| r.rule_id == "HOSTILE-OK")
        .expect("HOSTILE-OK has a result");
    let (findings, _) = ok.result.as_ref().expect("HOSTILE-OK still ran");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].reason, "STILL_HERE");
}

#[test]
fn panic_costs_only_its_rule_and_carries_the_message() {
    let runs = run(&["HOSTILE-PANIC", "HOSTILE-OK"]);
    let failure = failure_of(&runs, "HOSTILE-PANIC");
    assert_eq!(failure.kind, FailureKind::Panic);
    assert!(
        failure.message.contains("rule exploded on purpose"),
        "{}",
        failure.message
    );
    assert_ok_survived(&runs);
}

#[test]
fn infinite_loop_hits_the_deadline() {
    let runs = run(&["HOSTILE-OK", "HOSTILE-LOOP"]);
    let failure = failure_of(&runs, "HOSTILE-LOOP");
    assert_eq!(failure.kind, FailureKind::Timeout);
    assert!(
        failure.message.contains("--rule-timeout"),
        "{}",
        failure.message
    );
    assert_ok_survived(&runs);
}

#[test]
fn unbounded_allocation_hits_the_memory_limit() {
    let runs = run(&["HOSTILE-ALLOC", "HOSTILE-OK"]);
    let failure = failure_of(&runs, "HOSTILE-ALLOC");
    assert_eq!(failure.kind, FailureKind::Memory);
    assert!(
        failure.message.contains("--rule-memory"),
        "{}",
        failure.message
    );
    assert_ok_survived(&runs);
}

#[test]
fn deep_recursion_is_a_trap_not_a_crash() {
    let runs = run(&["HOSTILE-RECURSE", "HOSTILE-OK"]);
    let failure = failure_of(&runs, "HOSTILE-RECURSE");
    assert!(
        [FailureKind::StackOverflow, FailureKind::Trap].contains(&failure.kind),
        "unexpected kind {}: {}",
        failure.kind,
        failure.message
    );
    assert_ok_survived(&runs);
}

#[test]
fn rule_error_is_reported_as_such() {
    let runs = run(&["HOSTILE-ERROR", "HOSTILE-OK"]);
    let failure = failure_of(&runs, "HOSTILE-ERROR");
    assert_eq!(failure.kind, FailureKind::Rule);
    assert_eq!(failure.message, "cannot decide on this snapshot");
    assert_ok_survived(&runs);
}

#[test]
fn every_misbehaviour_at_once_still_reports_the_good_rule() {
    let runs = run(&[
        "HOSTILE-PANIC",
        "HOSTILE-ALLOC",
        "HOSTILE-OK",
        "HOSTILE-RECURSE",
        "HOSTILE-ERROR",
    ]);
    assert_eq!(runs.len(), 5);
    assert_eq!(
        runs.iter().map(|r| r.rule_id.as_str()).collect::<Vec<_>>(),
        [
            "HOSTILE-PANIC",
            "HOSTILE-ALLOC",
            "HOSTILE-OK",
            "HOSTILE-RECURSE",
            "HOSTILE-ERROR"
        ],
        "results come back in the order asked"
    );
    assert_ok_survived(&runs);
}

#[test]
fn findings_are_attributed_to_the_rule_that_returned_them() {
    let runs = run(&["HOSTILE-ESCAPE"]);
    let (findings, _) = runs[0].result.as_ref().expect("ran");
    assert_eq!(findings[0].rule_id, "HOSTILE-ESCAPE");
}

fn load(bytes: &[u8]) -> Result<(), LoadError> {
    sandbox()
        .load(PackOrigin::Builtin("test"), bytes)
        .map(|_| ())
}

#[test]
fn refuses_a_file_that_is_not_wasm() {
    let error = load(b"this is not wasm").expect_err("refused");
    assert!(matches!(error, LoadError::NotWasm(_)), "{error}");
}

#[test]
fn refuses_a_module_with_wasi_imports() {
    let wasm = wat::parse_str(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1))"#,
    )
    .expect("wat");
    let error = load(&wasm).expect_err("refused");
    assert!(matches!(error, LoadError::HasImports(_)), "{error}");
    assert!(
        error
            .to_string()
            .contains("wasi_snapshot_preview1::fd_write"),
        "{error}"
    );
}

#[test]
fn refuses_a_module_without_the_v1_exports() {
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1))"#).expect("wat");
    let error = load(&wasm).expect_err("refused");
    assert!(matches!(error, LoadError::MissingExports(_)), "{error}");
    assert!(
        error.to_string().contains("trailwarden_v1_evaluate"),
        "{error}"
    );
}

#[test]
fn refuses_a_pack_for_another_abi_major() {
    let wasm = wat::parse_str(
        r#"(module (memory (export "memory") 1)
            (func (export "trailwarden_v2_evaluate") (param i32 i32 i32 i32) (result i64) i64.const 0))"#,
    )
    .expect("wat");
    let error = load(&wasm).expect_err("refused");
    assert!(
        matches!(error, LoadError::AbiMismatch { found: 2 }),
        "{error}"
    );
}

/// A module with the right exports whose metadata is not JSON.
#[test]
fn refuses_a_pack_without_usable_metadata() {
    let wasm = wat::parse_str(
        r#"(module
            (memory (export "memory") 1)
            (data (i32.const 16) "not json")
            (func (export "trailwarden_v1_alloc") (param i32) (result i32) i32.const 1024)
            (func (export "trailwarden_v1_metadata") (result i64) i64.const 0x0000001000000008)
            (func (export "trailwarden_v1_evaluate") (param i32 i32 i32 i32) (result i64) i64.const 0)
            (func (export "trailwarden_v1_trap_info") (result i64) i64.const 0))"#,
    )
    .expect("wat");
    let error = load(&wasm).expect_err("refused");
    assert!(matches!(error, LoadError::Metadata(_)), "{error}");
}

/// A pack whose evaluate returns a length past the end of its memory.
#[test]
fn output_out_of_bounds_is_an_error_for_the_pack_rules() {
    let sandbox = sandbox();
    let real = sandbox
        .load(PackOrigin::Builtin("hostile"), hostile_pack())
        .expect("loads");
    let meta = serde_json::to_string(&real.meta).expect("json");
    let wasm = wat::parse_str(format!(
        r#"(module
            (memory (export "memory") 2)
            (data (i32.const 16) "{}")
            (func (export "trailwarden_v1_alloc") (param i32) (result i32) i32.const 65536)
            (func (export "trailwarden_v1_metadata") (result i64) i64.const {})
            (func (export "trailwarden_v1_evaluate") (param i32 i32 i32 i32) (result i64)
                i64.const 0x0000FFFF00FFFFFF)
            (func (export "trailwarden_v1_trap_info") (result i64) i64.const 0))"#,
        meta.replace('\\', "\\\\").replace('"', "\\\""),
        (16u64 << 32) | meta.len() as u64
    ))
    .expect("wat");
    let pack = sandbox
        .load(PackOrigin::Builtin("liar"), &wasm)
        .expect("loads");
    let ctx = EvalContext {
        snapshot_schema: trailwarden_sdk::SCHEMA_VERSION,
        rules: vec!["HOSTILE-OK".to_owned()],
        ..EvalContext::default()
    };
    let runs = sandbox.evaluate(&pack, b"{}", &ctx);
    let failure = runs[0].result.as_ref().expect_err("fails");
    assert!(
        [FailureKind::Output, FailureKind::Limit].contains(&failure.kind),
        "{}: {}",
        failure.kind,
        failure.message
    );
}

/// A hand-written pack with the hostile pack's metadata whose `evaluate` returns `output`
/// verbatim, for what the SDK glue would never produce.
fn raw_pack(sandbox: &Sandbox, output: &[u8]) -> trailwarden::engine::LoadedPack {
    let real = sandbox
        .load(PackOrigin::Builtin("hostile"), hostile_pack())
        .expect("loads");
    let meta = serde_json::to_vec(&real.meta).expect("json");
    let escape = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("\\{b:02x}")).collect() };
    let out_at = 16 + meta.len() as u64;
    let wasm = wat::parse_str(format!(
        r#"(module
            (memory (export "memory") 4)
            (data (i32.const 16) "{}")
            (data (i32.const {out_at}) "{}")
            (func (export "trailwarden_v1_alloc") (param i32) (result i32) i32.const 131072)
            (func (export "trailwarden_v1_metadata") (result i64) i64.const {})
            (func (export "trailwarden_v1_evaluate") (param i32 i32 i32 i32) (result i64)
                i64.const {})
            (func (export "trailwarden_v1_trap_info") (result i64) i64.const 0))"#,
        escape(&meta),
        escape(output),
        (16u64 << 32) | meta.len() as u64,
        (out_at << 32) | output.len() as u64,
    ))
    .expect("wat");
    sandbox
        .load(PackOrigin::Builtin("raw"), &wasm)
        .expect("raw pack loads")
}

fn raw_failure(sandbox: &Sandbox, output: &[u8]) -> trailwarden::engine::RuleFailure {
    let pack = raw_pack(sandbox, output);
    let ctx = EvalContext {
        snapshot_schema: trailwarden_sdk::SCHEMA_VERSION,
        rules: vec!["HOSTILE-OK".to_owned()],
        ..EvalContext::default()
    };
    let runs = sandbox.evaluate(&pack, b"{}", &ctx);
    assert_eq!(runs.len(), 1);
    runs[0].result.clone().expect_err("must fail")
}

#[test]
fn output_that_is_not_json_or_not_utf8_is_an_output_error() {
    let sandbox = sandbox();
    for output in [&b"not json at all"[..], &[0xff, 0xfe, 0x7b, 0x7d][..]] {
        let failure = raw_failure(&sandbox, output);
        assert_eq!(failure.kind, FailureKind::Output, "{}", failure.message);
        assert!(
            failure.message.contains("not valid JSON"),
            "{}",
            failure.message
        );
    }
}

#[test]
fn output_over_the_cap_is_a_limit_error_naming_the_limit() {
    let sandbox = Sandbox::new(
        Limits {
            output_bytes: 4096,
            ..Limits::default()
        },
        None,
    )
    .expect("engine");
    let failure = raw_failure(&sandbox, &[b' '; 5000]);
    assert_eq!(failure.kind, FailureKind::Limit);
    assert!(
        failure
            .message
            .contains("over the output limit of 4096 bytes"),
        "{}",
        failure.message
    );
}

#[test]
fn a_result_claiming_another_packs_rule_is_ignored() {
    let sandbox = sandbox();
    let forged = br#"{"results": [{"ruleId": "TW-KMS-001", "status": "ok", "findings": [
        {"outcome": "fail", "reason": "FORGED", "message": "forged"}]}]}"#;
    let failure = raw_failure(&sandbox, forged);
    assert_eq!(failure.kind, FailureKind::Output);
    assert!(
        failure.message.contains("no result for this rule"),
        "{}",
        failure.message
    );
}

#[test]
fn a_finding_claiming_another_rule_id_is_attributed_to_the_rule_that_returned_it() {
    let sandbox = sandbox();
    let pack = raw_pack(
        &sandbox,
        br#"{"results": [{"ruleId": "HOSTILE-OK", "status": "ok", "findings": [
            {"ruleId": "TW-KMS-001", "outcome": "fail", "reason": "R", "message": "m"}]}]}"#,
    );
    let ctx = EvalContext {
        snapshot_schema: trailwarden_sdk::SCHEMA_VERSION,
        rules: vec!["HOSTILE-OK".to_owned()],
        ..EvalContext::default()
    };
    let runs = sandbox.evaluate(&pack, b"{}", &ctx);
    let (findings, _) = runs[0].result.as_ref().expect("ran");
    assert_eq!(findings[0].rule_id, "HOSTILE-OK");
}

#[test]
fn refuses_a_module_with_custom_imports() {
    let wasm = wat::parse_str(
        r#"(module (import "env" "read_file" (func (param i32) (result i32)))
            (memory (export "memory") 1))"#,
    )
    .expect("wat");
    let error = load(&wasm).expect_err("refused");
    assert!(matches!(error, LoadError::HasImports(_)), "{error}");
    assert!(error.to_string().contains("env::read_file"), "{error}");
}

#[test]
fn refuses_a_pack_whose_exports_have_the_wrong_types() {
    let wasm = wat::parse_str(
        r#"(module
            (memory (export "memory") 1)
            (func (export "trailwarden_v1_alloc") (param i32) (result i32) i32.const 1024)
            (func (export "trailwarden_v1_metadata") (result i64) i64.const 0)
            (func (export "trailwarden_v1_evaluate") (param i32) (result i32) i32.const 0)
            (func (export "trailwarden_v1_trap_info") (result i64) i64.const 0))"#,
    )
    .expect("wat");
    let error = load(&wasm).expect_err("refused");
    assert!(matches!(error, LoadError::MistypedExport { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("trailwarden_v1_evaluate"), "{message}");
    assert!(message.contains("(i32) -> (i32)"), "{message}");
    assert!(
        message.contains("(i32, i32, i32, i32) -> (i64)"),
        "{message}"
    );
}

/// A pack's metadata with one field changed, as a module that returns it.
fn pack_with(change: impl FnOnce(&mut trailwarden_sdk::PackMeta)) -> Vec<u8> {
    let real = sandbox()
        .load(PackOrigin::Builtin("hostile"), hostile_pack())
        .expect("loads");
    let mut meta = real.meta.clone();
    meta.sdk_version = "0.9.0".to_owned();
    change(&mut meta);
    trailwarden_tests::fake_pack(&serde_json::to_string(&meta).expect("json"))
}

#[test]
fn an_old_pack_on_a_new_host_is_told_to_rebuild() {
    let wasm = pack_with(|meta| meta.snapshot_schema = trailwarden_sdk::SCHEMA_VERSION - 1);
    let error = load(&wasm).expect_err("refused");
    assert!(matches!(error, LoadError::Incompatible(_)), "{error}");
    let text = error.to_string();
    assert!(
        text.contains("was built with trailwarden-sdk 0.9.0 and reads snapshot schema 0, older than the 1 of this trailwarden: rebuild the pack against trailwarden-sdk"),
        "{text}"
    );
}

#[test]
fn a_module_over_the_size_limit_is_refused_before_compiling() {
    let sandbox = Sandbox::new(
        Limits {
            module_bytes: 1024,
            ..Limits::default()
        },
        None,
    )
    .expect("engine");
    let error = sandbox
        .load(PackOrigin::Builtin("big"), hostile_pack())
        .map(|_| ())
        .expect_err("refused");
    assert!(
        matches!(error, LoadError::TooLarge { limit: 1024, .. }),
        "{error}"
    );
}

#[test]
fn a_new_pack_on_an_old_host_is_told_to_upgrade() {
    let wasm = pack_with(|meta| meta.snapshot_schema = trailwarden_sdk::SCHEMA_VERSION + 1);
    let text = load(&wasm).expect_err("refused").to_string();
    assert!(
        text.contains("reads snapshot schema 2, newer than the 1 of this trailwarden"),
        "{text}"
    );
    assert!(text.contains("upgrade trailwarden"), "{text}");

    let wasm = pack_with(|meta| meta.abi_minor = trailwarden_sdk::abi::ABI_MINOR + 1);
    assert!(
        load(&wasm).is_ok(),
        "a newer ABI minor loads: additions are ignored"
    );
}
