//! How many packs evaluate at once: as many as their inputs fit in a budget of bytes.
//!
//! A pack holds its input and the snapshot it parses from it in its linear memory at once,
//! about three times the input on a large account (an 11 MB input peaks at 33 MB). Running
//! every pack at once would make the peak grow with the number of packs, and a team that adds
//! five packs of its own would find `check` five times as hungry. So packs start together,
//! but one whose input does not fit beside those already running waits for them. Small inputs
//! (every account but the largest) all fit and run in parallel; two packs that each read a
//! large account's filters and alarms run one after the other. A single input over the
//! budget runs alone rather than never.

use std::sync::{Condvar, Mutex, PoisonError};

/// The input bytes that may be in evaluation at once by default: large enough that every pack
/// of an ordinary account runs in parallel, small enough that the heavy packs of an account
/// with tens of thousands of filters and alarms take turns.
pub const DEFAULT_INPUT_BUDGET: usize = 16 << 20;

/// A budget of input bytes shared by the threads that evaluate packs.
#[derive(Debug)]
pub struct InputBudget {
    limit: usize,
    in_use: Mutex<usize>,
    released: Condvar,
}

impl InputBudget {
    /// A budget of `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            in_use: Mutex::new(0),
            released: Condvar::new(),
        }
    }

    /// Waits until `bytes` fit beside what is running (or nothing is running), and holds them
    /// until the returned guard is dropped.
    pub fn acquire(&self, bytes: usize) -> BudgetGuard<'_> {
        // The counter stays consistent even if a holder panicked, so a poisoned lock is used
        // as it is rather than spreading the panic to every other pack.
        let mut in_use = self.in_use.lock().unwrap_or_else(PoisonError::into_inner);
        while !admits(*in_use, bytes, self.limit) {
            in_use = self
                .released
                .wait(in_use)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *in_use = in_use.saturating_add(bytes);
        BudgetGuard {
            budget: self,
            bytes,
        }
    }
}

/// Whether `bytes` may start beside `in_use` bytes under `limit`: when they fit, or when
/// nothing runs (so that an input over the budget runs alone instead of never).
fn admits(in_use: usize, bytes: usize, limit: usize) -> bool {
    in_use == 0 || in_use.saturating_add(bytes) <= limit
}

/// Bytes held in an [`InputBudget`]; released on drop.
#[derive(Debug)]
pub struct BudgetGuard<'a> {
    budget: &'a InputBudget,
    bytes: usize,
}

impl Drop for BudgetGuard<'_> {
    fn drop(&mut self) {
        let mut in_use = self
            .budget
            .in_use
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *in_use = in_use.saturating_sub(self.bytes);
        self.budget.released.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Runs one "pack" per input size on its own thread and returns the most input bytes that
    /// were ever evaluating at once.
    fn peak_in_use(limit: usize, inputs: &[usize]) -> usize {
        let budget = InputBudget::new(limit);
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for &bytes in inputs {
                let (budget, running, peak) = (&budget, &running, &peak);
                scope.spawn(move || {
                    let _guard = budget.acquire(bytes);
                    let now = running.fetch_add(bytes, Ordering::SeqCst) + bytes;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(30));
                    running.fetch_sub(bytes, Ordering::SeqCst);
                });
            }
        });
        peak.load(Ordering::SeqCst)
    }

    #[test]
    fn inputs_start_while_they_fit() {
        assert!(admits(0, 10, 100));
        assert!(admits(30, 70, 100));
        assert!(!admits(31, 70, 100));
        assert!(admits(0, 500, 100), "alone, even over the budget");
        assert!(!admits(1, 500, 100));
        // Small inputs never wait for each other: three on one thread, none blocks.
        let budget = InputBudget::new(100);
        let guards = [10, 20, 30].map(|bytes| budget.acquire(bytes));
        assert_eq!(*budget.in_use.lock().unwrap(), 60);
        drop(guards);
        assert_eq!(*budget.in_use.lock().unwrap(), 0);
    }

    #[test]
    fn large_inputs_take_turns_and_small_ones_run_beside_one() {
        let peak = peak_in_use(100, &[70, 70, 5]);
        assert!(peak <= 75, "two large inputs overlapped: {peak}");
    }

    #[test]
    fn an_input_over_the_budget_runs_alone_and_does_not_wait_for_ever() {
        assert_eq!(peak_in_use(100, &[500, 10]), 500);
    }
}
