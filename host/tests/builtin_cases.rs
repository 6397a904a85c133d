//! Each built-in pack's fixture cases (`rules/NAME/tests/cases`, which `cargo test` runs
//! natively with `assert_cases`) through the embedded `.wasm` in the sandbox, by the engine's
//! one evaluation path and the SDK's comparison: the built-in packs are tested both ways,
//! exactly as a user's pack is by `cargo test` and `trailwarden rules test`.

use std::path::{Path, PathBuf};

use trailwarden::builtin::BUILTIN_PACKS;
use trailwarden::commands::rules_test;
use trailwarden::engine::{self, Limits, LoadedPack, PackOrigin, Sandbox};
use trailwarden_sdk::testing::{self, Case, Reported, RuleFailure};

/// `rules/`, where the built-in packs' crates are.
fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules")
}

/// The cases of the built-in pack `package`, if its crate has any.
fn cases_dir(package: &str) -> PathBuf {
    let crate_dir = package
        .strip_prefix("trailwarden-rules-")
        .unwrap_or(package);
    rules_dir().join(crate_dir).join("tests").join("cases")
}

/// Runs one case through `pack` in the sandbox, as `rules test` does.
fn run_case(sandbox: &Sandbox, pack: &LoadedPack, case: &Case) -> Reported {
    let all: Vec<String> = pack.meta.rules.iter().map(|r| r.id.clone()).collect();
    let rules = case.rules(&all);
    let mut reported = Reported::default();
    for id in rules.iter().filter(|id| !all.contains(id)) {
        reported.errors.push(RuleFailure {
            rule: id.clone(),
            kind: trailwarden_sdk::abi::FailureKind::UnknownRule,
            message: format!("pack {} has no rule {id}", pack.meta.name),
        });
    }
    let packs = std::slice::from_ref(pack);
    let jobs = engine::plan(
        packs,
        |_, rule| rules.contains(&rule.id),
        &case.expected.settings,
        case.now(),
    );
    let evaluated = rules_test::evaluate_case(sandbox, &jobs, case);
    reported.findings.extend(evaluated.findings);
    reported.errors.extend(evaluated.errors);
    reported
}

/// The diff of every case of `cases` that fails on `pack`; empty when all pass.
fn failures(sandbox: &Sandbox, pack: &LoadedPack, cases: &[Case]) -> String {
    let mut failures = String::new();
    for case in cases {
        let reported = run_case(sandbox, pack, case);
        let comparison = testing::compare(&case.expected, &reported, |id| {
            pack.meta.rules.iter().find(|r| r.id == id).map(|r| r.level)
        });
        if !comparison.passed() {
            failures.push_str(&format!(
                "{}: case {} failed ({}):\n{comparison}\n",
                pack.meta.name,
                case.name,
                case.expected_path.display()
            ));
        }
    }
    failures
}

fn load(sandbox: &Sandbox, package: &'static str, bytes: &[u8]) -> LoadedPack {
    sandbox
        .load(PackOrigin::Builtin(package), bytes)
        .unwrap_or_else(|e| panic!("built-in pack {package} loads: {e}"))
}

fn cases(dir: &Path) -> Vec<Case> {
    testing::load_cases(dir).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_builtin_pack_passes_its_fixture_cases_in_the_sandbox() {
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let mut tested = Vec::new();
    let mut all_failures = String::new();
    for (package, bytes) in BUILTIN_PACKS {
        let dir = cases_dir(package);
        if !dir.is_dir() {
            continue;
        }
        let pack = load(&sandbox, package, bytes);
        all_failures.push_str(&failures(&sandbox, &pack, &cases(&dir)));
        tested.push(*package);
    }
    assert!(all_failures.is_empty(), "{all_failures}");
    for package in ["trailwarden-rules-cloudtrail", "trailwarden-rules-kms"] {
        assert!(
            tested.contains(&package),
            "{package} has no cases in {}",
            cases_dir(package).display()
        );
    }
}

#[test]
fn a_case_the_sandbox_disagrees_with_fails_with_the_diff() {
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let (package, bytes) = BUILTIN_PACKS
        .iter()
        .find(|(package, _)| *package == "trailwarden-rules-cloudtrail")
        .expect("the CloudTrail pack is built in");
    let pack = load(&sandbox, package, bytes);
    let mut case = cases(&cases_dir(package))
        .into_iter()
        .find(|case| case.name == "no-validation")
        .expect("the case exists");
    case.expected.findings.clear();
    let text = failures(&sandbox, &pack, &[case]);
    assert!(text.contains("case no-validation failed"), "{text}");
    assert!(
        text.contains("+ reported, not expected: TW-CT-004 LOG_FILE_VALIDATION_DISABLED"),
        "{text}"
    );
}
