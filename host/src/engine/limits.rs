//! Resource limits for one pack evaluation, and the limiter that enforces memory.
//!
//! Rules are third-party code. Every limit here has a safe default, a name that appears in the
//! error when it is hit, and a flag to raise it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::ledger::{
    DEFAULT_MEMORY_BUDGET, DEFAULT_RUN_FINDING_BYTES, DEFAULT_RUN_FINDINGS, MemoryLedger,
};

/// The limits every pack runs under.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall time for one call into a pack (`--rule-timeout`).
    pub deadline: Duration,
    /// Wall time for everything one pack does in a run, retries after a trap included
    /// (`--pack-timeout`); never less than `deadline`.
    pub pack_deadline: Duration,
    /// Linear memory every pack running at once may hold together (`--memory-budget`); never
    /// less than `memory_bytes`, so that one pack alone can always reach its own limit.
    pub memory_budget: usize,
    /// Linear memory one pack may grow to (`--rule-memory`).
    pub memory_bytes: usize,
    /// Largest `.wasm` accepted before compiling.
    pub module_bytes: usize,
    /// Largest envelope a pack may return.
    pub output_bytes: usize,
    /// Findings kept per rule; the rest are dropped and counted.
    pub findings_per_rule: usize,
    /// Longest message or name kept from a rule; longer strings are cut.
    pub string_bytes: usize,
    /// Bounds on a module's shape, checked before compiling (compile bombs).
    pub shape: super::shape::ShapeLimits,
    /// Largest JSON of one finding; a rule returning a larger one fails.
    pub finding_bytes: usize,
    /// Findings kept over a whole run, across every pack (`--max-total-findings`).
    pub run_findings: usize,
    /// Bytes of findings (as JSON) kept over a whole run, across every pack.
    pub run_finding_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(10),
            pack_deadline: Duration::from_secs(30),
            memory_budget: DEFAULT_MEMORY_BUDGET,
            memory_bytes: 512 << 20,
            module_bytes: 64 << 20,
            output_bytes: 32 << 20,
            findings_per_rule: 1000,
            string_bytes: 4096,
            shape: super::shape::ShapeLimits::default(),
            finding_bytes: 64 << 10,
            run_findings: DEFAULT_RUN_FINDINGS,
            run_finding_bytes: DEFAULT_RUN_FINDING_BYTES,
        }
    }
}

/// The memory cap was reached; carried through wasmtime as the trap's error so that it is
/// classified by type.
#[derive(Debug, thiserror::Error)]
#[error("the pack tried to grow its memory to {desired} bytes, over the limit of {limit} bytes")]
pub struct MemoryLimitExceeded {
    /// What the pack asked for.
    pub desired: usize,
    /// The limit.
    pub limit: usize,
}

impl Limits {
    /// The pack budget as used: at least one call's deadline.
    pub fn pack_deadline(&self) -> Duration {
        self.pack_deadline.max(self.deadline)
    }

    /// The shared memory budget as used: at least one pack's limit.
    pub fn memory_budget(&self) -> usize {
        self.memory_budget.max(self.memory_bytes)
    }
}

/// Caps memory and the number of instances, tables and memories one store may create; the
/// memory is also held in the process's shared [`MemoryLedger`] until the store is dropped.
#[derive(Debug)]
pub struct PackLimiter {
    memory_bytes: usize,
    ledger: Arc<MemoryLedger>,
    held: usize,
    until: Instant,
}

impl PackLimiter {
    /// A limiter allowing `memory_bytes` of linear memory, taken from `ledger`; a growth that
    /// does not fit waits for other packs until `until`.
    pub fn new(memory_bytes: usize, ledger: Arc<MemoryLedger>, until: Instant) -> Self {
        Self {
            memory_bytes,
            ledger,
            held: 0,
            until,
        }
    }
}

impl Drop for PackLimiter {
    fn drop(&mut self) {
        self.ledger.release(self.held);
    }
}

impl wasmtime::ResourceLimiter for PackLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            return Err(wasmtime::Error::new(MemoryLimitExceeded {
                desired,
                limit: self.memory_bytes,
            }));
        }
        self.ledger
            .grow(self.held, desired, self.until)
            .map_err(wasmtime::Error::new)?;
        self.held = self.held.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        1
    }

    fn memories(&self) -> usize {
        1
    }
}
