//! Budgets shared by every pack of a run, so that the host's memory does not grow with the
//! number of packs: one ledger of linear-memory bytes for the packs running at once, and one
//! of the findings (count and bytes) the host keeps for the report.
//!
//! Per-pack limits alone let six packs at 500 MiB each take 3 GiB together. The
//! [`MemoryLedger`] is consulted by every store's memory limiter (wasmtime's
//! `ResourceLimiter::memory_growing`): a pack whose growth does not fit beside the others waits
//! for them to finish, until its own deadline; if it cannot get the memory by then, or every
//! pack holding memory is itself waiting, the growth fails and costs that rule only, with an
//! error naming the budget and its flag.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Instant;

/// The linear memory all packs running at once may hold by default: two packs at the default
/// per-pack limit.
pub const DEFAULT_MEMORY_BUDGET: usize = 1 << 30;
/// Findings the host keeps over a whole run by default, across every pack: twice GitHub's
/// 25,000 results per SARIF run.
pub const DEFAULT_RUN_FINDINGS: usize = 50_000;
/// Bytes of findings (as JSON) the host keeps over a whole run by default.
pub const DEFAULT_RUN_FINDING_BYTES: usize = 64 << 20;

/// A pack's memory did not fit in the shared budget; carried through wasmtime as the trap's
/// error so that it is classified by type.
#[derive(Debug, thiserror::Error)]
#[error(
    "the packs running at once already hold {in_use} bytes of the shared memory budget of \
     {limit} bytes, so this pack could not grow its memory to {desired} bytes ({why}); raise \
     the budget with --memory-budget (MiB)"
)]
pub struct SharedMemoryExhausted {
    /// What the pack asked for in all.
    pub desired: usize,
    /// What every pack held when it gave up.
    pub in_use: usize,
    /// The budget.
    pub limit: usize,
    /// Why it did not wait longer.
    pub why: &'static str,
}

#[derive(Debug, Default)]
struct MemoryState {
    in_use: usize,
    holders: usize,
    waiting: usize,
}

/// Linear-memory bytes held by every store of the process, under one limit.
#[derive(Debug)]
pub struct MemoryLedger {
    limit: usize,
    state: Mutex<MemoryState>,
    released: Condvar,
}

impl MemoryLedger {
    /// A ledger of `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            state: Mutex::new(MemoryState::default()),
            released: Condvar::new(),
        }
    }

    /// The budget in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes held now, for tests and logs.
    pub fn in_use(&self) -> usize {
        self.lock().in_use
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        // The counters stay consistent even if a holder panicked.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Grows a holder from `held` to `desired` bytes, waiting until `until` for others to
    /// release memory. Fails at once when the holder alone is over the budget or every other
    /// holder is waiting too (no one would ever release).
    pub fn grow(
        &self,
        held: usize,
        desired: usize,
        until: Instant,
    ) -> Result<(), SharedMemoryExhausted> {
        let extra = desired.saturating_sub(held);
        let mut state = self.lock();
        let fail = |state: &MemoryState, why| SharedMemoryExhausted {
            desired,
            in_use: state.in_use,
            limit: self.limit,
            why,
        };
        loop {
            if state.in_use.saturating_add(extra) <= self.limit {
                state.in_use = state.in_use.saturating_add(extra);
                if held == 0 && desired > 0 {
                    state.holders += 1;
                }
                return Ok(());
            }
            if state.in_use <= held {
                return Err(fail(&state, "it is over the budget alone"));
            }
            let others = state.holders.saturating_sub(usize::from(held > 0));
            if state.waiting >= others {
                return Err(fail(
                    &state,
                    "every other pack holding memory is waiting too",
                ));
            }
            let now = Instant::now();
            if now >= until {
                return Err(fail(&state, "its deadline passed while it waited"));
            }
            state.waiting += 1;
            let (next, _) = self
                .released
                .wait_timeout(state, until - now)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            state.waiting -= 1;
        }
    }

    /// Releases everything a holder of `held` bytes had.
    pub fn release(&self, held: usize) {
        if held == 0 {
            return;
        }
        let mut state = self.lock();
        state.in_use = state.in_use.saturating_sub(held);
        state.holders = state.holders.saturating_sub(1);
        self.released.notify_all();
    }
}

/// Findings the host keeps over one run, across every pack: past either cap, findings are
/// dropped and counted, and the report says so (never silently).
#[derive(Debug)]
pub struct FindingLedger {
    max_findings: usize,
    max_bytes: usize,
    state: Mutex<(usize, usize)>,
}

impl FindingLedger {
    /// A ledger keeping at most `max_findings` findings and `max_bytes` bytes of them.
    pub fn new(max_findings: usize, max_bytes: usize) -> Self {
        Self {
            max_findings,
            max_bytes,
            state: Mutex::new((0, 0)),
        }
    }

    /// The caps, for messages: (findings, bytes).
    pub fn caps(&self) -> (usize, usize) {
        (self.max_findings, self.max_bytes)
    }

    /// Whether one more finding of `bytes` may be kept; if so it is counted.
    pub fn admit(&self, bytes: usize) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (count, total) = *state;
        if count >= self.max_findings || total.saturating_add(bytes) > self.max_bytes {
            return false;
        }
        *state = (count + 1, total.saturating_add(bytes));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn soon(ms: u64) -> Instant {
        Instant::now() + Duration::from_millis(ms)
    }

    #[test]
    fn growth_waits_for_a_release_and_then_fits() {
        let ledger = MemoryLedger::new(100);
        ledger.grow(0, 70, soon(10)).expect("fits");
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| ledger.grow(0, 60, soon(5000)));
            std::thread::sleep(Duration::from_millis(50));
            ledger.release(70);
            waiter
                .join()
                .expect("joins")
                .expect("fits after the release");
        });
        assert_eq!(ledger.in_use(), 60);
    }

    #[test]
    fn growth_gives_up_at_its_deadline_or_when_alone_over_the_budget() {
        let ledger = MemoryLedger::new(100);
        ledger.grow(0, 70, soon(10)).expect("fits");
        // Another holder that is not waiting: wait, then give up at the deadline.
        let error = ledger.grow(0, 60, soon(30)).expect_err("times out");
        assert_eq!(error.why, "its deadline passed while it waited");
        assert!(error.to_string().contains("--memory-budget"), "{error}");
        let alone = MemoryLedger::new(100);
        let error = alone.grow(0, 150, soon(1000)).expect_err("over alone");
        assert_eq!(error.why, "it is over the budget alone");
    }

    #[test]
    fn findings_past_either_cap_are_refused() {
        let ledger = FindingLedger::new(2, 100);
        assert!(ledger.admit(10));
        assert!(!ledger.admit(95), "bytes cap");
        assert!(ledger.admit(10));
        assert!(!ledger.admit(1), "count cap");
    }
}
