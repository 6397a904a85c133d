//! Resource limits for one pack evaluation, and the limiter that enforces memory.
//!
//! Rules are third-party code. Every limit here has a safe default, a name that appears in the
//! error when it is hit, and a flag to raise it.

use std::time::Duration;

/// The limits every pack runs under.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall time for one pack evaluation (`--rule-timeout`).
    pub deadline: Duration,
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(10),
            memory_bytes: 512 << 20,
            module_bytes: 64 << 20,
            output_bytes: 32 << 20,
            findings_per_rule: 1000,
            string_bytes: 4096,
            shape: super::shape::ShapeLimits::default(),
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

/// Caps memory and the number of instances, tables and memories one store may create.
#[derive(Debug)]
pub struct PackLimiter {
    memory_bytes: usize,
}

impl PackLimiter {
    /// A limiter allowing `memory_bytes` of linear memory.
    pub fn new(memory_bytes: usize) -> Self {
        Self { memory_bytes }
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
