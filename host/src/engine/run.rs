//! Calling into a pack: copying inputs in, reading the envelope out, and recovering from traps.

use trailwarden_sdk::abi::{
    EXPORT_PREFIX, Envelope, EvalContext, FailureKind, RuleOutcome, TrapInfo,
};
use trailwarden_sdk::{Finding, PackMeta};
use wasmtime::{Instance, InstancePre, Memory, Store, Trap};

use super::limits::MemoryLimitExceeded;
use super::{HostState, LoadError, LoadedPack, Sandbox};

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
    /// Findings and how many were dropped over the cap, or a failure.
    pub result: Result<(Vec<Finding>, usize), RuleFailure>,
    /// Debug lines the rule logged.
    pub logs: Vec<String>,
}

/// A failed call into a pack.
struct CallFailure {
    failure: RuleFailure,
    /// The rule that was running, from the pack's trap info.
    rule: Option<String>,
}

impl Sandbox {
    /// Runs the rules `ctx.rules` of `pack` on `snapshot` (the snapshot's JSON bytes).
    ///
    /// Whatever a rule does (panic, loop, exhaust memory, return garbage) costs that rule only:
    /// the other rules are re-run in a fresh instance. Results come back in `ctx.rules` order.
    pub fn evaluate(&self, pack: &LoadedPack, snapshot: &[u8], ctx: &EvalContext) -> Vec<RuleRun> {
        let mut runs: Vec<RuleRun> = Vec::new();
        let mut pending = ctx.rules.clone();
        while !pending.is_empty() {
            let attempt = EvalContext {
                rules: pending.clone(),
                max_findings_per_rule: self.limits.findings_per_rule,
                ..ctx.clone()
            };
            match self.call_evaluate(pack, &attempt, snapshot) {
                Ok(envelope) => {
                    runs.extend(self.accept(envelope, &pending));
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
    ) -> Result<Envelope, CallFailure> {
        let ctx_bytes = serde_json::to_vec(ctx).map_err(|e| output_failure(e.to_string()))?;
        let bytes = self.invoke(&pack.pre, "evaluate", &[&ctx_bytes, snapshot])?;
        serde_json::from_slice(&bytes).map_err(|e| {
            output_failure(format!(
                "the pack returned an envelope that is not valid JSON: {e}"
            ))
        })
    }

    /// Keeps the results of rules that were asked for; a rule the pack did not answer for is a
    /// failure, and a result for a rule nobody asked about (another pack's id, say) is dropped.
    fn accept(&self, envelope: Envelope, requested: &[String]) -> Vec<RuleRun> {
        requested
            .iter()
            .map(|id| {
                let Some(result) = envelope.results.iter().find(|r| r.rule_id == *id) else {
                    return failed(
                        id,
                        RuleFailure {
                            kind: FailureKind::Output,
                            message: "the pack returned no result for this rule".to_owned(),
                        },
                    );
                };
                let logs = result
                    .logs
                    .iter()
                    .take(trailwarden_sdk::rule::MAX_LOG_LINES)
                    .map(|line| self.clip(line))
                    .collect();
                let result = match &result.outcome {
                    RuleOutcome::Ok { findings, dropped } => {
                        let cap = self.limits.findings_per_rule;
                        let extra = findings.len().saturating_sub(cap);
                        let findings = findings
                            .iter()
                            .take(cap)
                            .map(|f| self.own_finding(f, id))
                            .collect();
                        Ok((findings, dropped + extra))
                    }
                    RuleOutcome::Error { kind, message } => Err(RuleFailure {
                        kind: kind.clone().map_other(|text| self.clip(text)),
                        message: self.clip(message),
                    }),
                };
                RuleRun {
                    rule_id: id.clone(),
                    result,
                    logs,
                }
            })
            .collect()
    }

    /// A finding is always attributed to the rule whose result carried it, whatever it
    /// claims, and its strings are cut to the limit.
    fn own_finding(&self, finding: &Finding, rule_id: &str) -> Finding {
        let mut finding = finding.clone();
        finding.rule_id = rule_id.to_owned();
        finding.message = self.clip(&finding.message);
        finding.reason = self.clip(&finding.reason);
        finding
    }

    fn clip(&self, text: &str) -> String {
        let limit = self.limits.string_bytes;
        if text.len() <= limit {
            return text.to_owned();
        }
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &text[..end])
    }

    /// Instantiates a fresh store, copies `inputs` in, calls `<prefix><export>` and copies
    /// the output out.
    fn invoke(
        &self,
        pre: &InstancePre<HostState>,
        export: &str,
        inputs: &[&[u8]],
    ) -> Result<Vec<u8>, CallFailure> {
        let started = std::time::Instant::now();
        let mut store = self.new_store();
        let instance = pre
            .instantiate(&mut store)
            .map_err(|e| self.classify(&e, None))?;
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
                .map_err(|e| self.classify(&e, None))?;
            memory
                .write(&mut store, ptr as usize, input)
                .map_err(|_| output_failure("alloc returned a buffer outside memory".to_owned()))?;
            args.extend([ptr, len]);
        }
        let name = format!("{EXPORT_PREFIX}{export}");
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
            export,
            linear_memory_mib = memory.data_size(&store) as f64 / f64::from(1u32 << 20),
            seconds = started.elapsed().as_secs_f64(),
            "pack call returned"
        );
        match packed {
            Ok(packed) => self.read_output(&store, memory, packed),
            Err(error) => {
                let info = self.trap_info(&mut store, &instance, memory);
                Err(self.classify(&error, Some(info)))
            }
        }
    }

    fn read_output(
        &self,
        store: &Store<HostState>,
        memory: Memory,
        packed: u64,
    ) -> Result<Vec<u8>, CallFailure> {
        let ptr = (packed >> 32) as usize;
        let len = (packed & 0xffff_ffff) as usize;
        if len > self.limits.output_bytes {
            return Err(CallFailure {
                failure: RuleFailure {
                    kind: FailureKind::Limit,
                    message: format!(
                        "the pack returned {len} bytes, over the output limit of {} bytes; \
                         raise it with --rule-output (MiB)",
                        self.limits.output_bytes
                    ),
                },
                rule: None,
            });
        }
        let data = memory.data(store);
        ptr.checked_add(len)
            .and_then(|end| data.get(ptr..end))
            .map(<[u8]>::to_vec)
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
    ) -> TrapInfo {
        store.set_epoch_deadline(self.deadline_ticks().min(100));
        let Ok(func) =
            instance.get_typed_func::<(), u64>(&mut *store, &format!("{EXPORT_PREFIX}trap_info"))
        else {
            return TrapInfo::default();
        };
        let Ok(packed) = func.call(&mut *store, ()) else {
            return TrapInfo::default();
        };
        self.read_output(store, memory, packed)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Classifies a failed call by the error's type, never its text.
    fn classify(&self, error: &wasmtime::Error, info: Option<TrapInfo>) -> CallFailure {
        let info = info.unwrap_or_default();
        let (kind, message) = if let Some(limit) = error.downcast_ref::<MemoryLimitExceeded>() {
            (
                FailureKind::Memory,
                format!("{limit}; raise the limit with --rule-memory if the account is huge"),
            )
        } else if let Some(trap) = error.downcast_ref::<Trap>() {
            match trap {
                Trap::Interrupt => (
                    FailureKind::Timeout,
                    format!(
                        "the rule ran past the pack deadline of {:?}; raise it with \
                         --rule-timeout if the account is huge",
                        self.limits.deadline
                    ),
                ),
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
            rule: info.rule,
        }
    }
}

/// Reads and checks a pack's metadata by calling its `metadata` export.
pub(super) fn read_metadata(
    sandbox: &Sandbox,
    pre: &InstancePre<HostState>,
) -> Result<PackMeta, LoadError> {
    let bytes = sandbox.invoke(pre, "metadata", &[]).map_err(|call| {
        LoadError::Metadata(match call.failure.kind {
            FailureKind::Timeout => format!(
                "loading the pack (its start function and metadata export) ran past the pack \
                 deadline of {:?}, which loading shares with evaluation; raise it with \
                 --rule-timeout if the pack is really that slow",
                sandbox.limits.deadline
            ),
            _ => call.failure.message,
        })
    })?;
    let mut meta: PackMeta = serde_json::from_slice(&bytes)
        .map_err(|e| LoadError::Metadata(format!("not valid metadata JSON: {e}")))?;
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

/// Drops control characters (terminal escapes among them) from text a pack produced.
pub fn sanitize_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
