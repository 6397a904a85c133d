//! Hostile packs against the run-time bounds (issue #16): the host's memory, the run's time,
//! the terminal, the SARIF file and the gate hold whatever the packs do.
//!
//! Each pack is WebAssembly text assembled here. The resource bounds run the real command as a
//! child process (`trailwarden-under-test`, built from the host's `main.rs`) and read that
//! child's peak resident set with `wait4`, so the figure is the command's own, not the test
//! harness's.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use trailwarden::engine::{Limits, PackOrigin, Sandbox};
use trailwarden_sdk::PackMeta;
use trailwarden_sdk::abi::{EvalContext, FailureKind};
use trailwarden_tests::{fixture, hostile_pack, repo_root, scratch};

mod bounds_support;

use bounds_support::{
    ChildRun, MIB, answering, envelope, looping, memory_hog, meta, module, output_bomb, pack_dir,
    returns, run_child, swelling_finding,
};

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
    // The packs run in parallel, so which rule's findings hit the cap varies; the total does
    // not, and every rule that lost findings says so.
    let errors = rule_errors(&report);
    assert!(!errors.is_empty(), "the drop is reported");
    let mut dropped = 0;
    for (rule, kind, message) in &errors {
        assert!(rule.starts_with("MANY-"), "{rule}");
        assert_eq!(kind, "limit");
        assert!(message.contains("--max-total-findings"), "{message}");
        dropped += message
            .split(' ')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no count in {message}"));
    }
    assert_eq!(dropped, 500, "{errors:?}");
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
    let findings = format!("[{}]", [finding; 3].join(","));
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
