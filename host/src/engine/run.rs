//! Calling into a pack: copying inputs in, reading the envelope out, and recovering from traps.

use trailwarden_sdk::abi::{EXPORT_PREFIX, EvalContext, FailureKind, TrapInfo};
use trailwarden_sdk::{Finding, PackMeta};
use wasmtime::{Instance, InstancePre, Memory, Store, Trap};

use super::deadline::{CallWindow, PackBudget};
use super::envelope::{self, Bounds, RuleOutput};
use super::ledger::{FindingLedger, SharedMemoryExhausted};
use super::limits::MemoryLimitExceeded;
use super::{HostState, LoadError, LoadedPack, Sandbox};
use crate::untrusted;

/// Related resources kept per finding (SARIF shows at most 100 related locations anyway).
const MAX_RELATED: usize = 100;
/// Properties kept per finding.
const MAX_PROPERTIES: usize = 32;

/// Why one rule produced no verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    /// From the sandbox (`timeout`, `memory`, `panic`, …) or from the pack (`settings`, …).
    pub kind: FailureKind,
    /// What happened and what to do.
    pub message: String,
}

/// One rule's run: findings, or the failure that cost it.
#[derive(Debug, Clone)]
pub struct RuleRun {
    /// The rule id.
    pub rule_id: String,
    /// Findings and how many were dropped over the per-rule cap, or a failure.
    pub result: Result<(Vec<Finding>, usize), RuleFailure>,
    /// Findings dropped because the run as a whole kept as many as it may (`--max-total-findings`
    /// or the run's bytes of findings); these make the run incomplete.
    pub run_dropped: usize,
    /// Debug lines the rule logged.
    pub logs: Vec<String>,
}

/// A failed call into a pack.
struct CallFailure {
    failure: RuleFailure,
    /// The rule that was running, from the pack's trap info.
    rule: Option<String>,
}

/// The most bytes of trap info read from a trapped pack: a rule id and a panic message.
const TRAP_INFO_BYTES: usize = 64 << 10;

impl Sandbox {
    /// Runs the rules `ctx.rules` of `pack` on `snapshot` (the snapshot's JSON bytes), with a
    /// findings ledger of its own; see [`Sandbox::evaluate_within`].
    pub fn evaluate(&self, pack: &LoadedPack, snapshot: &[u8], ctx: &EvalContext) -> Vec<RuleRun> {
        let findings = FindingLedger::new(self.limits.run_findings, self.limits.run_finding_bytes);
        self.evaluate_within(pack, snapshot, ctx, &findings)
    }

    /// Runs the rules `ctx.rules` of `pack` on `snapshot`, keeping findings as far as the
    /// run's `findings` ledger allows.
    ///
    /// Whatever a rule does (panic, loop, exhaust memory, return garbage) costs that rule only:
    /// the other rules are re-run in a fresh instance, as long as the pack's time budget
    /// (`--pack-timeout`) lasts; the rules left when it is spent fail naming it. Results come
    /// back in `ctx.rules` order.
    pub fn evaluate_within(
        &self,
        pack: &LoadedPack,
        snapshot: &[u8],
        ctx: &EvalContext,
        findings: &FindingLedger,
    ) -> Vec<RuleRun> {
        let budget = PackBudget::resume(self.limits.pack_deadline(), pack.load_spent);
        let mut runs: Vec<RuleRun> = Vec::new();
        let mut pending = ctx.rules.clone();
        while !pending.is_empty() {
            if budget.is_spent() {
                let failure = budget_spent(&budget);
                runs.extend(pending.iter().map(|id| failed(id, failure.clone())));
                break;
            }
            let window = budget.window(self.limits.deadline);
            let attempt = EvalContext {
                rules: pending.clone(),
                max_findings_per_rule: self.limits.findings_per_rule,
                ..ctx.clone()
            };
            match self.call_evaluate(pack, &attempt, snapshot, window, &budget) {
                Ok(outputs) => {
                    runs.extend(self.accept(outputs, &pending, findings));
                    break;
                }
                Err(call) => {
                    let culprit = call.rule.filter(|rule| pending.contains(rule));
                    match culprit {
                        Some(rule) => {
                            pending.retain(|id| *id != rule);
                            runs.push(failed(&rule, call.failure));
                        }
                        None => {
                            runs.extend(pending.iter().map(|id| failed(id, call.failure.clone())));
                            break;
                        }
                    }
                }
            }
        }
        runs.sort_by_key(|run| ctx.rules.iter().position(|id| *id == run.rule_id));
        runs
    }

    fn call_evaluate(
        &self,
        pack: &LoadedPack,
        ctx: &EvalContext,
        snapshot: &[u8],
        window: CallWindow,
        budget: &PackBudget,
    ) -> Result<Vec<RuleOutput>, CallFailure> {
        let ctx_bytes = serde_json::to_vec(ctx).map_err(|e| output_failure(e.to_string()))?;
        let bounds = self.bounds();
        let call = Call {
            export: "evaluate",
            window,
            budget: Some(budget),
        };
        self.invoke(&pack.pre, &call, &[&ctx_bytes, snapshot], |bytes| {
            envelope::parse(bytes, &ctx.rules, &bounds).map_err(output_failure)
        })
    }

    fn bounds(&self) -> Bounds {
        Bounds {
            findings_per_rule: self.limits.findings_per_rule,
            string_bytes: self.limits.string_bytes,
            finding_bytes: self.limits.finding_bytes,
            related: MAX_RELATED,
            properties: MAX_PROPERTIES,
            property_bytes: self.limits.string_bytes,
            log_lines: trailwarden_sdk::rule::MAX_LOG_LINES,
        }
    }

    /// Keeps the results of rules that were asked for, as far as the run's `ledger` allows;
    /// a rule the pack did not answer for is a failure.
    fn accept(
        &self,
        outputs: Vec<RuleOutput>,
        requested: &[String],
        ledger: &FindingLedger,
    ) -> Vec<RuleRun> {
        let mut outputs: Vec<Option<RuleOutput>> = outputs.into_iter().map(Some).collect();
        requested
            .iter()
            .map(|id| {
                let Some(output) = outputs
                    .iter_mut()
                    .find(|o| o.as_ref().is_some_and(|o| o.rule_id == *id))
                    .and_then(Option::take)
                else {
                    return failed(
                        id,
                        RuleFailure {
                            kind: FailureKind::Output,
                            message: "the pack returned no result for this rule".to_owned(),
                        },
                    );
                };
                let mut run_dropped = 0usize;
                let result = output.outcome.map(|(findings, dropped)| {
                    let kept = findings
                        .into_iter()
                        .filter(|finding| {
                            let bytes = serde_json::to_vec(finding).map_or(usize::MAX, |v| v.len());
                            let admitted = ledger.admit(bytes);
                            if !admitted {
                                run_dropped = run_dropped.saturating_add(1);
                            }
                            admitted
                        })
                        .collect();
                    (kept, dropped)
                });
                RuleRun {
                    rule_id: id.clone(),
                    result,
                    run_dropped,
                    logs: output.logs,
                }
            })
            .collect()
    }

    /// Instantiates a fresh store, copies `inputs` in, calls `<prefix><export>` and hands the
    /// output to `read` in place, in the pack's memory (nothing is copied out).
    fn invoke<T>(
        &self,
        pre: &InstancePre<HostState>,
        call: &Call<'_>,
        inputs: &[&[u8]],
        read: impl FnOnce(&[u8]) -> Result<T, CallFailure>,
    ) -> Result<T, CallFailure> {
        let started = std::time::Instant::now();
        let mut store = self.new_store(call.window.length);
        let instance = pre
            .instantiate(&mut store)
            .map_err(|e| self.classify(&e, None, call))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| output_failure("the pack exports no memory".to_owned()))?;
        let mut args: Vec<u32> = Vec::new();
        for input in inputs {
            let len = u32::try_from(input.len())
                .map_err(|_| output_failure("an input is over 4 GiB".to_owned()))?;
            let alloc = instance
                .get_typed_func::<u32, u32>(&mut store, &format!("{EXPORT_PREFIX}alloc"))
                .map_err(|e| output_failure(format!("bad alloc export: {e}")))?;
            let ptr = alloc
                .call(&mut store, len)
                .map_err(|e| self.classify(&e, None, call))?;
            memory
                .write(&mut store, ptr as usize, input)
                .map_err(|_| output_failure("alloc returned a buffer outside memory".to_owned()))?;
            args.extend([ptr, len]);
        }
        let name = format!("{EXPORT_PREFIX}{}", call.export);
        let packed = match args.as_slice() {
            [] => instance
                .get_typed_func::<(), u64>(&mut store, &name)
                .map_err(|e| output_failure(format!("bad {name} export: {e}")))?
                .call(&mut store, ()),
            [a, b, c, d] => instance
                .get_typed_func::<(u32, u32, u32, u32), u64>(&mut store, &name)
                .map_err(|e| output_failure(format!("bad {name} export: {e}")))?
                .call(&mut store, (*a, *b, *c, *d)),
            _ => return Err(output_failure("unsupported call shape".to_owned())),
        };
        tracing::debug!(
            export = call.export,
            linear_memory_mib = memory.data_size(&store) as f64 / f64::from(1u32 << 20),
            seconds = started.elapsed().as_secs_f64(),
            "pack call returned"
        );
        match packed {
            Ok(packed) => {
                read(self.output(memory.data(&store), packed, self.limits.output_bytes)?)
            }
            Err(error) => {
                let info = self.trap_info(&mut store, &instance, memory, call);
                Err(self.classify(&error, Some(info), call))
            }
        }
    }

    /// The output a call returned as `ptr << 32 | len`, checked against `limit` and the
    /// pack's memory.
    fn output<'m>(
        &self,
        data: &'m [u8],
        packed: u64,
        limit: usize,
    ) -> Result<&'m [u8], CallFailure> {
        let ptr = (packed >> 32) as usize;
        let len = (packed & 0xffff_ffff) as usize;
        if len > limit {
            return Err(CallFailure {
                failure: RuleFailure {
                    kind: FailureKind::Limit,
                    message: format!(
                        "the pack returned {len} bytes, over the output limit of {limit} bytes; \
                         raise it with --rule-output (MiB)"
                    ),
                },
                rule: None,
            });
        }
        ptr.checked_add(len)
            .and_then(|end| data.get(ptr..end))
            .ok_or_else(|| {
                output_failure(format!(
                    "the pack returned an output at {ptr}+{len}, outside its memory of {} bytes",
                    data.len()
                ))
            })
    }

    /// Asks a trapped instance which rule was running and what it panicked with. Best effort:
    /// a pack broken enough to fail this too gets no attribution.
    fn trap_info(
        &self,
        store: &mut Store<HostState>,
        instance: &Instance,
        memory: Memory,
        call: &Call<'_>,
    ) -> TrapInfo {
        store.set_epoch_deadline(super::ticks(call.window.length).min(100));
        let Ok(func) =
            instance.get_typed_func::<(), u64>(&mut *store, &format!("{EXPORT_PREFIX}trap_info"))
        else {
            return TrapInfo::default();
        };
        let Ok(packed) = func.call(&mut *store, ()) else {
            return TrapInfo::default();
        };
        self.output(memory.data(&*store), packed, TRAP_INFO_BYTES)
            .ok()
            .and_then(|bytes| serde_json::from_slice(bytes).ok())
            .unwrap_or_default()
    }

    /// Classifies a failed call by the error's type, never its text.
    fn classify(
        &self,
        error: &wasmtime::Error,
        info: Option<TrapInfo>,
        call: &Call<'_>,
    ) -> CallFailure {
        let info = info.unwrap_or_default();
        let (kind, message) = if let Some(limit) = error.downcast_ref::<MemoryLimitExceeded>() {
            (
                FailureKind::Memory,
                format!("{limit}; raise the limit with --rule-memory if the account is huge"),
            )
        } else if let Some(shared) = error.downcast_ref::<SharedMemoryExhausted>() {
            (FailureKind::Memory, shared.to_string())
        } else if let Some(trap) = error.downcast_ref::<Trap>() {
            match trap {
                Trap::Interrupt => (FailureKind::Timeout, self.timeout_message(call)),
                Trap::StackOverflow => (
                    FailureKind::StackOverflow,
                    "the rule overflowed its stack".to_owned(),
                ),
                Trap::UnreachableCodeReached => (
                    FailureKind::Panic,
                    match &info.message {
                        Some(message) => format!("the rule panicked: {message}"),
                        None => "the rule aborted (a panic or a failed allocation)".to_owned(),
                    },
                ),
                other => (FailureKind::Trap, format!("the rule trapped: {other}")),
            }
        } else {
            (FailureKind::Trap, format!("the pack failed: {error}"))
        };
        CallFailure {
            failure: RuleFailure {
                kind,
                message: sanitize_line(&message),
            },
            rule: info.rule.map(|rule| untrusted::line(&rule)),
        }
    }

    fn timeout_message(&self, call: &Call<'_>) -> String {
        match call.budget {
            Some(budget) if call.window.by_pack => format!(
                "the rule ran past the pack's time budget of {:?}, which covers all its rules \
                 and retries; raise it with --pack-timeout (seconds) if the account is huge",
                budget.limit()
            ),
            _ => format!(
                "the rule ran past the pack deadline of {:?}; raise it with --rule-timeout if \
                 the account is huge",
                self.limits.deadline
            ),
        }
    }
}

/// One call into a pack: which export, for how long, under which pack budget.
struct Call<'b> {
    export: &'static str,
    window: CallWindow,
    budget: Option<&'b PackBudget>,
}

/// The failure of the rules a pack had no time left for.
fn budget_spent(budget: &PackBudget) -> RuleFailure {
    RuleFailure {
        kind: FailureKind::Timeout,
        message: format!(
            "not run: the pack's time budget of {:?} (loading it, all its rules and retries) \
             was spent; raise it with --pack-timeout (seconds), and see the pack's other rule \
             errors",
            budget.limit()
        ),
    }
}

/// Reads and checks a pack's metadata by calling its `metadata` export.
pub(super) fn read_metadata(
    sandbox: &Sandbox,
    pre: &InstancePre<HostState>,
    budget: &PackBudget,
) -> Result<PackMeta, LoadError> {
    let call = Call {
        export: "metadata",
        window: budget.window(sandbox.limits.deadline),
        budget: Some(budget),
    };
    let mut meta: PackMeta = sandbox
        .invoke(pre, &call, &[], |bytes| {
            serde_json::from_slice(bytes)
                .map_err(|e| output_failure(format!("not valid metadata JSON: {e}")))
        })
        .map_err(|call| {
            LoadError::Metadata(match call.failure.kind {
                FailureKind::Timeout => format!(
                    "loading the pack (its start function and metadata export) ran past its \
                     time: the deadline of {:?} per call (--rule-timeout), within the budget \
                     it shares with evaluation (--pack-timeout); raise them if the pack is \
                     really that slow",
                    sandbox.limits.deadline
                ),
                _ => call.failure.message,
            })
        })?;
    trailwarden_sdk::abi::check_compatibility(&meta)?;
    if meta.abi_minor > trailwarden_sdk::abi::ABI_MINOR {
        tracing::info!(
            pack = %sanitize_line(&meta.name),
            "the pack speaks rule ABI {major}.{}, newer than this trailwarden's {major}.{}; what \
             the newer minor adds is ignored",
            meta.abi_minor,
            trailwarden_sdk::abi::ABI_MINOR,
            major = trailwarden_sdk::abi::ABI_MAJOR
        );
    }
    if meta.rules.is_empty() {
        return Err(LoadError::Metadata("the pack declares no rules".to_owned()));
    }
    super::identity::check_meta(&mut meta)?;
    let mut ids: Vec<&str> = meta.rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(LoadError::Metadata(format!(
            "the pack declares rule {} twice",
            pair[0]
        )));
    }
    Ok(meta)
}

fn failed(rule_id: &str, failure: RuleFailure) -> RuleRun {
    RuleRun {
        rule_id: rule_id.to_owned(),
        result: Err(failure),
        run_dropped: 0,
        logs: Vec::new(),
    }
}

fn output_failure(message: String) -> CallFailure {
    CallFailure {
        failure: RuleFailure {
            kind: FailureKind::Output,
            message,
        },
        rule: None,
    }
}

/// One line of text a pack produced, safe to show: see [`crate::untrusted::line`], the one
/// boundary every command's pack text goes through.
pub fn sanitize_line(text: &str) -> String {
    untrusted::line(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Limits, PackOrigin, Sandbox};

    /// Loading and evaluation share one `--pack-timeout`: a pack whose load took the whole
    /// budget runs none of its rules, and each says why.
    #[test]
    fn time_spent_loading_counts_against_the_pack_budget() {
        let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
        let (name, bytes) = crate::builtin::BUILTIN_PACKS[0];
        let mut pack = sandbox
            .load(PackOrigin::Builtin(name), bytes)
            .expect("a built-in pack loads");
        let ctx = trailwarden_sdk::evaluation::PackRun::plan(
            &pack.meta.rules,
            &pack.meta.sdk_version,
            &std::collections::BTreeMap::new(),
            None,
        )
        .ctx;
        let snapshot = crate::builtin::DEMO_SNAPSHOT.as_bytes();
        let fresh = sandbox.evaluate(&pack, snapshot, &ctx);
        assert!(fresh.iter().all(|run| run.result.is_ok()), "{fresh:?}");

        pack.load_spent = sandbox.limits.pack_deadline();
        let spent = sandbox.evaluate(&pack, snapshot, &ctx);
        assert_eq!(spent.len(), ctx.rules.len());
        for run in &spent {
            let failure = run.result.as_ref().expect_err("not run");
            assert_eq!(failure.kind, FailureKind::Timeout, "{failure:?}");
            assert!(failure.message.contains("--pack-timeout"), "{failure:?}");
        }
    }
}
