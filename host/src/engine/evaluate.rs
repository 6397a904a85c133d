//! The one evaluation path: a snapshot and the selected rules of each pack in, every rule's run
//! out. `check`, `rules test` and the benchmark call [`evaluate`]; the native test helpers in
//! `trailwarden_sdk::testing` use the same [`PackRun`] plan, so a pack is judged the same way
//! everywhere.
//!
//! Memory is the constraint on a large account. Each distinct set of sections the packs read
//! is written once as compact JSON (in parallel, from borrowed parts of the snapshot, see
//! `Snapshot::view`), and the snapshot is dropped and its memory handed back before any pack
//! runs. Packs then run in parallel, one thread each, as far as their inputs fit in an
//! [`InputBudget`]; an input is freed when the last pack reading it is done.

use std::collections::BTreeMap;
use std::sync::Arc;

use trailwarden_sdk::Snapshot;
use trailwarden_sdk::abi::FailureKind;
use trailwarden_sdk::evaluation::PackRun;
use trailwarden_sdk::meta::RuleMeta;
use trailwarden_sdk::sections::SectionSet;

use super::budget::{DEFAULT_INPUT_BUDGET, InputBudget};
use super::ledger::FindingLedger;
use super::{LoadedPack, RuleFailure, RuleRun, Sandbox, sanitize_line};

/// One pack and what it is asked to run.
pub struct PackJob<'a> {
    /// The loaded pack.
    pub pack: &'a LoadedPack,
    /// Its plan: rules, settings, time, sections.
    pub run: PackRun,
}

/// Plans a job for every pack of `packs` with at least one rule that `selected` picks, the
/// rules in the pack's order, with their `settings` and the run's time `now`.
pub fn plan<'a>(
    packs: &'a [LoadedPack],
    mut selected: impl FnMut(&LoadedPack, &RuleMeta) -> bool,
    settings: &BTreeMap<String, serde_json::Value>,
    now: Option<&str>,
) -> Vec<PackJob<'a>> {
    packs
        .iter()
        .filter_map(|pack| {
            let rules: Vec<&RuleMeta> = pack
                .meta
                .rules
                .iter()
                .filter(|rule| selected(pack, rule))
                .collect();
            if rules.is_empty() {
                return None;
            }
            let run = PackRun::plan(rules, &pack.meta.sdk_version, settings, now);
            if !run.unknown_sections.is_empty() {
                tracing::warn!(
                    pack = %sanitize_line(&pack.meta.name),
                    "the pack's rules declare sections this trailwarden does not know ({}), so \
                     it receives every section",
                    sanitize_line(&run.unknown_sections.join(", "))
                );
            }
            Some(PackJob { pack, run })
        })
        .collect()
}

/// Runs every job on `snapshot` and returns the rules' runs, job by job in order, each job's
/// rules in the order planned. The snapshot is consumed: it is dropped as soon as the inputs
/// are written.
pub fn evaluate(sandbox: &Sandbox, jobs: &[PackJob<'_>], snapshot: Snapshot) -> Vec<RuleRun> {
    // Packs that receive the same sections, and know the same ones, share one input.
    let mut kinds: Vec<(SectionSet, SectionSet, bool)> = Vec::new();
    let input_of: Vec<usize> = jobs
        .iter()
        .map(|job| {
            let sections = (job.run.sections, job.run.known, job.run.links);
            kinds
                .iter()
                .position(|k| *k == sections)
                .unwrap_or_else(|| {
                    kinds.push(sections);
                    kinds.len() - 1
                })
        })
        .collect();
    let inputs: Vec<Arc<Result<Vec<u8>, String>>> = std::thread::scope(|scope| {
        let snapshot = &snapshot;
        let handles: Vec<_> = kinds
            .iter()
            .map(|(sections, known, links)| {
                scope.spawn(move || {
                    snapshot
                        .view(*sections)
                        .for_reader(*known)
                        .linked_accounts(*links)
                        .to_json()
                        .map_err(|e| format!("could not write the snapshot for the pack: {e}"))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                Arc::new(
                    handle
                        .join()
                        .unwrap_or_else(|_| Err("writing the pack's input panicked".to_owned())),
                )
            })
            .collect()
    });
    drop(snapshot);
    crate::memory::release_freed();
    let budget = InputBudget::new(DEFAULT_INPUT_BUDGET);
    let limits = sandbox.limits();
    let findings = FindingLedger::new(limits.run_findings, limits.run_finding_bytes);
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .zip(input_of)
            .map(|(job, kind)| {
                let input = inputs.get(kind).cloned();
                let (budget, findings) = (&budget, &findings);
                let handle = scope.spawn(move || match input.as_deref() {
                    Some(Ok(bytes)) => {
                        let _turn = budget.acquire(bytes.len());
                        sandbox.evaluate_within(job.pack, bytes, &job.run.ctx, findings)
                    }
                    failed => {
                        let message = match failed {
                            Some(Err(message)) => message.clone(),
                            _ => "no input was written for the pack".to_owned(),
                        };
                        every_rule_failed(job, FailureKind::Snapshot, &message)
                    }
                });
                (job, handle)
            })
            .collect();
        // Each pack thread holds its own reference; this one goes so that an input is freed
        // as soon as its last pack is done.
        drop(inputs);
        handles
            .into_iter()
            .flat_map(|(job, handle)| {
                // A thread that died is a host bug; its rules fail (and the run is incomplete)
                // rather than vanish, which would let the gate pass.
                handle.join().unwrap_or_else(|_| {
                    every_rule_failed(
                        job,
                        FailureKind::Host,
                        "the thread running this pack failed",
                    )
                })
            })
            .collect()
    })
}

/// The settings errors of the planned rules, found before any data is read: every job runs on
/// an empty snapshot (no region, nothing collected) and a rule that rejects its settings says
/// so with the `settings` failure kind, naming the key. Packs check their settings with their
/// own types (`RuleSettings`), so this is the same check a real run makes, made early: a typo
/// must not cost a whole collection.
pub fn settings_errors(sandbox: &Sandbox, jobs: &[PackJob<'_>]) -> Vec<(String, String)> {
    let text = format!(
        r#"{{"schemaVersion":{},"account":{{"id":"000000000000"}},"regions":[]}}"#,
        trailwarden_sdk::SCHEMA_VERSION
    );
    let Ok(empty) = Snapshot::from_json(&text) else {
        return Vec::new();
    };
    evaluate(sandbox, jobs, empty)
        .into_iter()
        .filter_map(|run| match run.result {
            Err(failure) if failure.kind == FailureKind::Settings => {
                Some((run.rule_id, failure.message))
            }
            _ => None,
        })
        .collect()
}

fn every_rule_failed(job: &PackJob<'_>, kind: FailureKind, message: &str) -> Vec<RuleRun> {
    job.run
        .ctx
        .rules
        .iter()
        .map(|id| RuleRun {
            rule_id: id.clone(),
            result: Err(RuleFailure {
                kind: kind.clone(),
                message: message.to_owned(),
            }),
            run_dropped: 0,
            logs: Vec::new(),
        })
        .collect()
}
