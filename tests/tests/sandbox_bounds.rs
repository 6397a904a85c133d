//! Hostile packs against the run-time bounds (issue #16): the host's memory, the run's time,
//! the terminal, the SARIF file and the gate hold whatever the packs do.
//!
//! Each pack is WebAssembly text assembled here. The resource bounds run the real command as a
//! child process (`trailwarden-under-test`, built from the host's `main.rs`) and read that
//! child's peak resident set with `wait4`, so the figure is the command's own, not the test
//! harness's.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use trailwarden::engine::{Limits, PackOrigin, Sandbox};
use trailwarden_sdk::PackMeta;
use trailwarden_sdk::abi::{EvalContext, FailureKind};
use trailwarden_tests::{cache_dir, fixture, hostile_pack, repo_root, scratch};

const MIB: u64 = 1 << 20;

/// The hostile pack's metadata as a template: `name`, and one rule per id (level note).
fn meta(name: &str, ids: &[String]) -> String {
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let real = sandbox
        .load(PackOrigin::Builtin("hostile"), hostile_pack())
        .expect("hostile pack loads");
    let template = real
        .meta
        .rules
        .iter()
        .find(|rule| rule.id == "HOSTILE-OK")
        .expect("HOSTILE-OK")
        .clone();
    let mut meta: PackMeta = real.meta.clone();
    meta.name = name.to_owned();
    meta.rules = ids
        .iter()
        .map(|id| {
            let mut rule = template.clone();
            rule.id = id.clone();
            rule
        })
        .collect();
    serde_json::to_string(&meta).expect("json")
}

/// A module with the v1 exports: the metadata `meta`, the byte strings `data` laid out after
/// it (their offsets are handed to `body`), an `evaluate` whose body is `body`, and a
/// `trap_info` whose body is `trap_info`. `alloc` grows the memory for every input, and
/// `evaluate` saves where the context is (globals `$ctx` and `$ctx_len`) before running.
fn module(
    meta: &str,
    data: &[&[u8]],
    body: impl FnOnce(&[u32]) -> String,
    trap_info: &str,
) -> Vec<u8> {
    let escape = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("\\{b:02x}")).collect() };
    let mut segments = format!("(data (i32.const 16) \"{}\")\n", escape(meta.as_bytes()));
    let mut offsets = Vec::new();
    let mut at = 16 + meta.len() as u32;
    for bytes in data {
        at = at.next_multiple_of(8);
        segments.push_str(&format!("(data (i32.const {at}) \"{}\")\n", escape(bytes)));
        offsets.push(at);
        at += bytes.len() as u32;
    }
    let pages = at / 65536 + 2;
    let meta_packed = (16u64 << 32) | meta.len() as u64;
    let body = body(&offsets);
    let wat = format!(
        r#"(module
            (memory (export "memory") {pages})
            (global $ctx (mut i32) (i32.const 0))
            (global $ctx_len (mut i32) (i32.const 0))
            {segments}
            (func (export "trailwarden_v1_alloc") (param $n i32) (result i32)
                (i32.mul
                    (memory.grow (i32.add (i32.shr_u (local.get $n) (i32.const 16)) (i32.const 1)))
                    (i32.const 65536)))
            (func (export "trailwarden_v1_metadata") (result i64) i64.const {meta_packed})
            (func $find (param $h i32) (param $hl i32) (param $n i32) (param $nl i32) (result i32)
                (local $i i32) (local $j i32)
                (block $none (loop $outer
                    (br_if $none (i32.gt_u (i32.add (local.get $i) (local.get $nl)) (local.get $hl)))
                    (local.set $j (i32.const 0))
                    (block $differs (loop $inner
                        (if (i32.ge_u (local.get $j) (local.get $nl))
                            (then (return (i32.add (local.get $h) (local.get $i)))))
                        (br_if $differs (i32.ne
                            (i32.load8_u (i32.add (i32.add (local.get $h) (local.get $i)) (local.get $j)))
                            (i32.load8_u (i32.add (local.get $n) (local.get $j)))))
                        (local.set $j (i32.add (local.get $j) (i32.const 1)))
                        (br $inner)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $outer)))
                (i32.const -1))
            (func (export "trailwarden_v1_evaluate") (param $cp i32) (param $cl i32) (param $sp i32) (param $sl i32) (result i64)
                (local $base i32) (local $pos i32) (local $i i32)
                (global.set $ctx (local.get $cp))
                (global.set $ctx_len (local.get $cl))
                {body})
            (func (export "trailwarden_v1_trap_info") (result i64) (local $at i32)
                {trap_info}))"#
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("WAT: {e}\n{wat}"))
}

/// `evaluate` returning the bytes at `offset`, `len` long.
fn returns(offset: u32, len: usize) -> String {
    format!("(i64.const {})", (u64::from(offset) << 32) | len as u64)
}

/// An envelope answering `id` with `findings` (a JSON list).
fn envelope(id: &str, findings: &str) -> Vec<u8> {
    format!(r#"{{"results":[{{"ruleId":"{id}","status":"ok","findings":{findings}}}]}}"#)
        .into_bytes()
}

/// A pack whose one rule `id` returns `findings` (a JSON list).
fn answering(name: &str, id: &str, findings: &str) -> Vec<u8> {
    let out = envelope(id, findings);
    module(
        &meta(name, &[id.to_owned()]),
        &[&out],
        |at| returns(at[0], out.len()),
        "(i64.const 0)",
    )
}

/// A pack whose rule `id` grows its memory by `mib` MiB, touches every page, and passes.
fn memory_hog(name: &str, id: &str, mib: u32) -> Vec<u8> {
    let out = envelope(id, "[]");
    let pages = mib * 16;
    let bytes = u64::from(mib) * MIB;
    module(
        &meta(name, &[id.to_owned()]),
        &[&out],
        |at| {
            format!(
                r#"(local.set $base (i32.mul (memory.grow (i32.const {pages})) (i32.const 65536)))
                (block $done (loop $touch
                    (br_if $done (i32.ge_u (local.get $i) (i32.const {bytes})))
                    (i32.store8 (i32.add (local.get $base) (local.get $i)) (i32.const 1))
                    (local.set $i (i32.add (local.get $i) (i32.const 4096)))
                    (br $touch)))
                {}"#,
                returns(at[0], out.len())
            )
        },
        "(i64.const 0)",
    )
}

/// One finding built to swell when parsed: a hundred tiny numbers and ten related resources.
fn swelling_finding() -> String {
    let numbers = vec!["0"; 100].join(",");
    let related = vec![r#"{"kind":"K","arn":"a","name":"n"}"#; 10].join(",");
    format!(
        r#",{{"outcome":"fail","reason":"R","message":"m","properties":{{"a":[{numbers}]}},"related":[{related}]}}"#
    )
}

/// A pack whose rule `id` returns `count` swelling findings, built in its memory at run time.
fn output_bomb(name: &str, id: &str, count: u32) -> Vec<u8> {
    let prefix = format!(r#"{{"results":[{{"ruleId":"{id}","status":"ok","findings":["#);
    let template = swelling_finding();
    let suffix = "]}]}";
    let total = prefix.len() + template.len() * count as usize + suffix.len();
    let grow = total / 65536 + 2;
    let (pl, tl, sl) = (prefix.len(), template.len(), suffix.len());
    module(
        &meta(name, &[id.to_owned()]),
        &[prefix.as_bytes(), template.as_bytes(), suffix.as_bytes()],
        |at| {
            let (p, t, s) = (at[0], at[1], at[2]);
            format!(
                r#"(local.set $base (i32.mul (memory.grow (i32.const {grow})) (i32.const 65536)))
                (memory.copy (local.get $base) (i32.const {p}) (i32.const {pl}))
                (local.set $pos (i32.add (local.get $base) (i32.const {pl})))
                (memory.copy (local.get $pos) (i32.const {t1}) (i32.const {tl1}))
                (local.set $pos (i32.add (local.get $pos) (i32.const {tl1})))
                (local.set $i (i32.const 1))
                (block $done (loop $more
                    (br_if $done (i32.ge_u (local.get $i) (i32.const {count})))
                    (memory.copy (local.get $pos) (i32.const {t}) (i32.const {tl}))
                    (local.set $pos (i32.add (local.get $pos) (i32.const {tl})))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $more)))
                (memory.copy (local.get $pos) (i32.const {s}) (i32.const {sl}))
                (local.set $pos (i32.add (local.get $pos) (i32.const {sl})))
                (i64.or
                    (i64.shl (i64.extend_i32_u (local.get $base)) (i64.const 32))
                    (i64.extend_i32_u (i32.sub (local.get $pos) (local.get $base))))"#,
                t1 = t + 1,
                tl1 = tl - 1,
            )
        },
        "(i64.const 0)",
    )
}

/// A pack of `count` rules (`LOOP-01`, …) that all loop for ever; its trap info names the
/// first rule of the context, the one the host blames, as the SDK's glue would.
fn looping(count: usize) -> Vec<u8> {
    let ids: Vec<String> = (1..=count).map(|n| format!("LOOP-{n:02}")).collect();
    let needle = br#""rules":["#;
    let rule_prefix = br#"{"rule":"#;
    module(
        &meta("loop-pack", &ids),
        &[needle, rule_prefix, &[0u8; 32]],
        |_| "(loop $spin (br $spin)) (i64.const 0)".to_owned(),
        &{
            // The offsets are known only inside `module`; recompute them the same way.
            let meta_len = meta("loop-pack", &ids).len() as u32;
            let needle_at = (16 + meta_len).next_multiple_of(8);
            let prefix_at = (needle_at + needle.len() as u32).next_multiple_of(8);
            let out = (prefix_at + rule_prefix.len() as u32).next_multiple_of(8);
            format!(
                r#"(local.set $at (call $find (global.get $ctx) (global.get $ctx_len) (i32.const {needle_at}) (i32.const {nl})))
                (if (i32.lt_s (local.get $at) (i32.const 0)) (then (return (i64.const 0))))
                (memory.copy (i32.const {out}) (i32.const {prefix_at}) (i32.const 8))
                (memory.copy (i32.const {out8}) (i32.add (local.get $at) (i32.const {nl})) (i32.const 9))
                (i32.store8 (i32.const {out17}) (i32.const 125))
                (i64.const {packed})"#,
                nl = needle.len(),
                out8 = out + 8,
                out17 = out + 17,
                packed = (u64::from(out) << 32) | 18,
            )
        },
    )
}

/// What a child `trailwarden` did: exit code, output, peak resident set and wall time.
struct ChildRun {
    code: i32,
    stdout: String,
    stderr: String,
    peak_rss: u64,
    wall: Duration,
}

/// Runs the command with `args` as a child and reads its own rusage with `wait4`.
fn run_child(name: &str, args: &[&str]) -> ChildRun {
    let dir = scratch(&format!("child-{name}"));
    let out = std::fs::File::create(dir.join("stdout")).expect("stdout file");
    let err = std::fs::File::create(dir.join("stderr")).expect("stderr file");
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_trailwarden-under-test"))
        .args(args)
        .arg("--cache-dir")
        .arg(cache_dir())
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("the command starts");
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 writes only into the two pointers given, both valid for the call; `child`
    // is not waited on elsewhere (dropping a `Child` neither waits nor kills).
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let wall = started.elapsed();
    drop(child);
    assert!(libc::WIFEXITED(status), "the command died: status {status}");
    ChildRun {
        code: libc::WEXITSTATUS(status),
        stdout: std::fs::read_to_string(dir.join("stdout")).expect("stdout"),
        stderr: std::fs::read_to_string(dir.join("stderr")).expect("stderr"),
        // Linux reports ru_maxrss in KiB.
        peak_rss: u64::try_from(usage.ru_maxrss).expect("rss") * 1024,
        wall,
    }
}

/// A directory holding `packs` as `.wasm` files.
fn pack_dir(name: &str, packs: &[(&str, Vec<u8>)]) -> PathBuf {
    let dir = scratch(name);
    for (file, bytes) in packs {
        std::fs::write(dir.join(format!("{file}.wasm")), bytes).expect("pack written");
    }
    dir
}

fn check_json(name: &str, dir: &Path, only: &str, extra: &[&str]) -> (ChildRun, serde_json::Value) {
    let snapshot = fixture("compliant.json");
    let mut args = vec![
        "check",
        "--snapshot",
        snapshot.to_str().expect("utf-8 path"),
        "--rules",
        dir.to_str().expect("utf-8 path"),
        "--only",
        only,
        "--format",
        "json",
    ];
    args.extend(extra);
    let run = run_child(name, &args);
    let report = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}); exit {}:\n{}",
            run.code, run.stderr
        )
    });
    (run, report)
}

fn rule_errors(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["ruleErrors"]
        .as_array()
        .expect("ruleErrors")
        .iter()
        .map(|e| {
            let field = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (field("ruleId"), field("kind"), field("message"))
        })
        .collect()
}

const PEAK_GOAL: u64 = 1536 * MIB;

#[test]
fn six_packs_touching_500_mib_each_stay_under_one_memory_budget() {
    let packs: Vec<(String, Vec<u8>)> = (1..=6)
        .map(|n| {
            (
                format!("hog{n}"),
                memory_hog(&format!("hog-pack-{n}"), &format!("HOG-{n}"), 500),
            )
        })
        .collect();
    let packs: Vec<(&str, Vec<u8>)> = packs.iter().map(|(f, b)| (f.as_str(), b.clone())).collect();
    let dir = pack_dir("hogs", &packs);
    let (run, report) = check_json("hogs", &dir, "HOG-*", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        rule_errors(&report).is_empty(),
        "{:?}",
        rule_errors(&report)
    );
    assert_eq!(report["rules"].as_array().map(Vec::len), Some(6));
    assert!(
        run.peak_rss < PEAK_GOAL,
        "peak {} MiB with six packs of 500 MiB (goal {} MiB)",
        run.peak_rss / MIB,
        PEAK_GOAL / MIB
    );
}

#[test]
fn three_packs_returning_31_mb_each_stay_under_the_goal_and_drops_are_counted() {
    let per_finding = swelling_finding().len() as u32;
    let count = 31_000_000 / per_finding;
    let packs: Vec<(&str, Vec<u8>)> = vec![
        ("bomb1", output_bomb("bomb-pack-1", "BOMB-1", count)),
        ("bomb2", output_bomb("bomb-pack-2", "BOMB-2", count)),
        ("bomb3", output_bomb("bomb-pack-3", "BOMB-3", count)),
    ];
    let dir = pack_dir("bombs", &packs);
    let (run, report) = check_json("bombs", &dir, "BOMB-*", &[]);
    assert!(
        rule_errors(&report).is_empty(),
        "{:?}",
        rule_errors(&report)
    );
    assert_eq!(
        run.code, 0,
        "note findings do not fail the gate: {}",
        run.stderr
    );
    let kept = report["unverifiable"].as_array().map_or(0, Vec::len)
        + report["findings"].as_array().map_or(0, Vec::len);
    assert_eq!(kept, 3000, "the per-rule cap of 1000 findings, three rules");
    let truncated = report["truncated"].as_array().expect("truncated");
    assert_eq!(truncated.len(), 3);
    for entry in truncated {
        assert_eq!(
            entry["dropped"].as_u64(),
            Some(u64::from(count) - 1000),
            "{entry}"
        );
    }
    assert!(
        run.peak_rss < PEAK_GOAL,
        "peak {} MiB with three outputs of 31 MB (goal {} MiB)",
        run.peak_rss / MIB,
        PEAK_GOAL / MIB
    );
}

#[test]
fn findings_past_the_run_wide_cap_are_dropped_loudly_and_fail_the_gate() {
    let packs: Vec<(&str, Vec<u8>)> = vec![
        ("many1", output_bomb("many-pack-1", "MANY-1", 1000)),
        ("many2", output_bomb("many-pack-2", "MANY-2", 1000)),
    ];
    let dir = pack_dir("many", &packs);
    let (run, report) = check_json("many", &dir, "MANY-*", &["--max-total-findings", "1500"]);
    assert_eq!(run.code, 2, "dropped findings make the run incomplete");
    let kept = report["findings"].as_array().map_or(0, Vec::len);
    assert_eq!(kept, 1500);
    let errors = rule_errors(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].1, "limit");
    assert!(
        errors[0].2.contains("500 finding(s) were dropped")
            && errors[0].2.contains("--max-total-findings"),
        "{}",
        errors[0].2
    );
}

#[test]
fn twenty_looping_rules_cost_one_pack_budget_and_spare_the_other_packs() {
    let packs: Vec<(&str, Vec<u8>)> = vec![
        ("loops", looping(20)),
        (
            "fine",
            answering(
                "fine-pack",
                "FINE-1",
                r#"[{"outcome":"fail","reason":"STILL_HERE","message":"m"}]"#,
            ),
        ),
    ];
    let dir = pack_dir("loops", &packs);
    let (run, report) = check_json(
        "loops",
        &dir,
        "LOOP-*,FINE-*",
        &["--rule-timeout", "1", "--pack-timeout", "3"],
    );
    assert_eq!(run.code, 2, "rule errors make the run incomplete");
    assert!(
        run.wall < Duration::from_secs(12),
        "{:?}: the pack's budget of 3 s did not bound twenty looping rules",
        run.wall
    );
    let errors = rule_errors(&report);
    let loops: Vec<_> = errors.iter().filter(|e| e.0.starts_with("LOOP-")).collect();
    assert_eq!(loops.len(), 20, "{errors:?}");
    assert!(loops.iter().all(|e| e.1 == "timeout"), "{loops:?}");
    assert!(
        loops.iter().any(|e| e.2.contains("--pack-timeout")),
        "the budget is named: {loops:?}"
    );
    let fine = report["findings"].as_array().expect("findings");
    assert_eq!(fine.len(), 1, "the other pack's result is intact");
    assert_eq!(fine[0]["reason"], "STILL_HERE");
    assert!(!errors.iter().any(|e| e.0 == "FINE-1"));
}

/// Text no pack may get onto a terminal: escapes, C1 controls, bidi and zero-width characters.
const RAW: [char; 7] = [
    '\u{1b}', '\u{9b}', '\u{7}', '\u{202E}', '\u{2066}', '\u{200B}', '\u{FEFF}',
];

fn assert_clean(what: &str, text: &str) {
    if let Some(bad) = text.chars().find(|c| RAW.contains(c)) {
        panic!("{what} carries {:?} raw:\n{text}", bad);
    }
}

#[test]
fn nothing_a_pack_writes_reaches_the_terminal_raw_in_any_command() {
    let evil = "x\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202E}gnp.exe\u{2066}\u{200B}\u{FEFF}";
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let real = sandbox
        .load(PackOrigin::Builtin("hostile"), hostile_pack())
        .expect("loads");
    let mut meta: PackMeta = real.meta.clone();
    // The pack's identity stays plain (the loader may refuse odd names); its rules' text and
    // its findings carry everything.
    meta.name = "evil-pack".to_owned();
    meta.rules.truncate(1);
    meta.rules[0].id = "EVIL-1".to_owned();
    meta.rules[0].name = evil.to_owned();
    meta.rules[0].short_description = evil.to_owned();
    meta.rules[0].help_markdown = format!("# {evil}\n{evil}");
    meta.rules[0].tags = vec![evil.to_owned()];
    let mut long = meta.clone();
    long.name = "long-pack".to_owned();
    long.rules[0].id = format!("LONG-{}", "9".repeat(70_000));
    let finding = format!(
        r#"[{{"outcome":"fail","reason":"R{e}","message":"{e}","region":"{e}","account":"{e}",
            "resource":{{"kind":"{e}","arn":"{e}","name":"{e}","role":"{e}"}},
            "related":[{{"kind":"K","arn":"a","name":"{e}","role":"{e}"}}],
            "properties":{{"{e}":"{e}"}}}}]"#,
        e = serde_json::to_string(evil).expect("json").trim_matches('"')
    );
    let out = envelope("EVIL-1", &finding);
    let meta_json = serde_json::to_string(&meta).expect("json");
    let evil_pack = module(
        &meta_json,
        &[&out],
        |at| returns(at[0], out.len()),
        "(i64.const 0)",
    );
    let long_pack = trailwarden_tests::fake_pack(&serde_json::to_string(&long).expect("json"));
    let dir = pack_dir("evil", &[("evil", evil_pack), ("long", long_pack)]);
    let dir_arg = dir.to_str().expect("utf-8 path");
    let snapshot = fixture("compliant.json");
    let snapshot_arg = snapshot.to_str().expect("utf-8 path");
    let precompile_cache = scratch("evil-precompile");
    let runs = [
        run_child("evil-list", &["rules", "list", "--rules", dir_arg]),
        run_child(
            "evil-list-json",
            &["rules", "list", "--format", "json", "--rules", dir_arg],
        ),
        run_child(
            "evil-explain",
            &["rules", "explain", "EVIL-1", "--rules", dir_arg],
        ),
        run_child(
            "evil-precompile",
            &[
                "rules",
                "precompile",
                "--rules",
                dir_arg,
                "--cache-dir",
                precompile_cache.to_str().expect("utf-8"),
            ],
        ),
        run_child(
            "evil-check-text",
            &[
                "check",
                "--snapshot",
                snapshot_arg,
                "--rules",
                dir_arg,
                "--only",
                "EVIL-*",
            ],
        ),
        run_child(
            "evil-check-json",
            &[
                "check",
                "--snapshot",
                snapshot_arg,
                "--rules",
                dir_arg,
                "--only",
                "EVIL-*",
                "--format",
                "json",
            ],
        ),
        run_child(
            "evil-check-sarif",
            &[
                "check",
                "--snapshot",
                snapshot_arg,
                "--rules",
                dir_arg,
                "--only",
                "EVIL-*",
                "--format",
                "sarif",
            ],
        ),
    ];
    for (i, run) in runs.iter().enumerate() {
        assert_ne!(run.code, 101, "command {i} panicked:\n{}", run.stderr);
        assert!(
            [0, 1, 2].contains(&run.code),
            "command {i}: exit {}\n{}",
            run.code,
            run.stderr
        );
        assert_clean(&format!("command {i}'s stdout"), &run.stdout);
        assert_clean(&format!("command {i}'s stderr"), &run.stderr);
    }
    // The pack's text is shown (cleaned), not dropped.
    assert!(runs[0].stdout.contains("gnp.exe"), "{}", runs[0].stdout);
    assert!(runs[4].stdout.contains("gnp.exe"), "{}", runs[4].stdout);
}

/// The SARIF of a pack whose findings name `..` and `.`, and whose properties try to overwrite
/// the host's `reason`, `account` and `region` and to steer `[[locations]]`.
#[test]
fn sarif_cannot_be_steered_by_a_pack() {
    let findings = r#"[
        {"outcome":"fail","reason":"REAL","message":"m","region":".",
         "resource":{"kind":"AWS::SNS::Topic","arn":"x","name":".."},
         "related":[{"kind":"AWS::SNS::Topic","arn":"y","name":"."}],
         "properties":{"reason":"FORGED","account":"999999999999","region":"xx-forged-1",
                       "rule":"STEERED-1","tags":["forged"]}},
        {"outcome":"unverifiable","reason":"GAP","message":"m",
         "properties":{"rule":"STEERED-1"}}]"#;
    let dir = pack_dir(
        "steer",
        &[("steer", answering("steer-pack", "STEER-1", findings))],
    );
    let work = scratch("steer-work");
    let config = work.join("trailwarden.toml");
    std::fs::write(
        &config,
        "[[locations]]\nrule = \"STEERED-*\"\nfile = \"steered.tf\"\n",
    )
    .expect("config");
    let sarif_file = work.join("out.sarif");
    let snapshot = fixture("compliant.json");
    let run = run_child(
        "steer",
        &[
            "check",
            "--config",
            config.to_str().expect("utf-8"),
            "--snapshot",
            snapshot.to_str().expect("utf-8"),
            "--rules",
            dir.to_str().expect("utf-8"),
            "--only",
            "STEER-*",
            "--format",
            "sarif",
            "--output",
            sarif_file.to_str().expect("utf-8"),
        ],
    );
    assert!(
        [0, 1].contains(&run.code),
        "exit {}: {}",
        run.code,
        run.stderr
    );
    let text = std::fs::read_to_string(&sarif_file).expect("sarif written");
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let mut uris = Vec::new();
    for result in results {
        for loc in result["locations"]
            .as_array()
            .into_iter()
            .chain(result["relatedLocations"].as_array())
            .flatten()
        {
            uris.push(
                loc["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
    }
    assert!(!uris.is_empty());
    for uri in &uris {
        assert!(
            !uri.split('/')
                .any(|segment| segment == "." || segment == ".."),
            "{uri} has a dot segment"
        );
        assert!(
            !uri.contains("steered.tf"),
            "a pack steered [[locations]]: {uri}"
        );
    }
    let real = results
        .iter()
        .find(|r| r["ruleId"] == "STEER-1")
        .expect("the finding");
    assert_eq!(real["properties"]["reason"], "REAL");
    assert_eq!(real["properties"]["region"], ".");
    assert!(real["properties"]["account"] != "999999999999");
    assert_eq!(
        real["properties"]["pack"]["reason"], "FORGED",
        "kept, in its own namespace"
    );
    validate_sarif(&sarif_file);
}

fn validate_sarif(file: &Path) {
    let python = std::env::var("TRAILWARDEN_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let validation = Command::new(&python)
        .arg(repo_root().join("tests/sarif/validate_sarif.py"))
        .arg("--strict")
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} (set TRAILWARDEN_PYTHON): {e}"));
    assert!(
        validation.status.success(),
        "SARIF rejected:\n{}{}",
        String::from_utf8_lossy(&validation.stdout),
        String::from_utf8_lossy(&validation.stderr)
    );
}

/// A pack claiming `usize::MAX` dropped findings, and returning more than the cap besides.
#[test]
fn dropped_counters_saturate_instead_of_wrapping() {
    let finding = r#"{"outcome":"unverifiable","reason":"R","message":"m"}"#;
    let findings = format!("[{}]", vec![finding; 3].join(","));
    let out = format!(
        r#"{{"results":[{{"ruleId":"SAT-1","status":"ok","dropped":{},"findings":{findings}}}]}}"#,
        u64::MAX
    );
    let wasm = module(
        &meta("sat-pack", &["SAT-1".to_owned()]),
        &[out.as_bytes()],
        |at| returns(at[0], out.len()),
        "(i64.const 0)",
    );
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let pack = sandbox
        .load(PackOrigin::Builtin("sat"), &wasm)
        .expect("loads");
    let ctx = EvalContext {
        snapshot_schema: trailwarden_sdk::SCHEMA_VERSION,
        rules: vec!["SAT-1".to_owned()],
        max_findings_per_rule: 1,
        ..EvalContext::default()
    };
    let small = Sandbox::new(
        Limits {
            findings_per_rule: 1,
            ..Limits::default()
        },
        None,
    )
    .expect("engine");
    let pack_small = small
        .load(PackOrigin::Builtin("sat"), &wasm)
        .expect("loads");
    for (sandbox, pack) in [(&sandbox, &pack), (&small, &pack_small)] {
        let runs = sandbox.evaluate(pack, b"{}", &ctx);
        let (_, dropped) = runs[0].result.as_ref().expect("ran");
        assert_eq!(*dropped, usize::MAX);
    }
}

/// A pack whose memory growth cannot fit beside another pack holding the shared budget fails
/// that rule with an error naming the budget, rather than taking the host past it.
#[test]
fn a_pack_that_cannot_get_memory_fails_its_rule_naming_the_budget() {
    let sandbox = Sandbox::new(
        Limits {
            memory_bytes: 64 << 20,
            memory_budget: 96 << 20,
            deadline: Duration::from_millis(300),
            ..Limits::default()
        },
        None,
    )
    .expect("engine");
    let hog = sandbox
        .load(PackOrigin::Builtin("hog"), &memory_hog("hog", "HOG-A", 60))
        .expect("loads");
    // Hold most of the budget as another pack would, for longer than the hog's deadline.
    sandbox
        .memory()
        .grow(0, 80 << 20, Instant::now())
        .expect("the budget is free");
    let ctx = EvalContext {
        snapshot_schema: trailwarden_sdk::SCHEMA_VERSION,
        rules: vec!["HOG-A".to_owned()],
        ..EvalContext::default()
    };
    let runs = sandbox.evaluate(&hog, b"{}", &ctx);
    let failure = runs[0].result.as_ref().expect_err("no room");
    assert_eq!(failure.kind, FailureKind::Memory);
    assert!(
        failure.message.contains("--memory-budget"),
        "{}",
        failure.message
    );
    sandbox.memory().release(80 << 20);
    let runs = sandbox.evaluate(&hog, b"{}", &ctx);
    assert!(
        runs[0].result.is_ok(),
        "with the budget free it runs: {:?}",
        runs[0].result
    );
}
