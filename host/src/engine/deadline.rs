//! One wall-clock budget per pack, for everything the pack does in a run.
//!
//! A rule that traps costs its rule, and the pack's other rules are re-run in a fresh
//! instance. With only a per-call deadline, a pack whose every rule loops is retried rule by
//! rule, one deadline each: 1,000 rules at 10 s would take hours. A [`PackBudget`] is started
//! once per pack and every call into the pack (loading its metadata, evaluating, each retry)
//! gets the smaller of its own deadline and what is left of the budget. Once the budget is
//! spent, the rules not yet run fail with an error naming `--pack-timeout`; other packs, each
//! with its own budget, are unaffected.

use std::time::{Duration, Instant};

/// The wall-clock budget of one pack.
#[derive(Debug, Clone, Copy)]
pub struct PackBudget {
    limit: Duration,
    ends: Instant,
}

/// How long one call may run, and whether the pack's budget (rather than the call's own
/// deadline) is what bounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallWindow {
    /// The time the call may take.
    pub length: Duration,
    /// The call ends with the pack's budget.
    pub by_pack: bool,
}

impl PackBudget {
    /// A budget of `limit` starting now.
    pub fn start(limit: Duration) -> Self {
        Self {
            limit,
            ends: Instant::now()
                .checked_add(limit)
                .unwrap_or_else(Instant::now),
        }
    }

    /// The budget of a pack that already spent `spent` of `limit` (loading it): what loading
    /// took is not given again to evaluation, so load, evaluation and retries share one
    /// `--pack-timeout`.
    pub fn resume(limit: Duration, spent: Duration) -> Self {
        Self {
            limit,
            ends: Instant::now()
                .checked_add(limit.saturating_sub(spent))
                .unwrap_or_else(Instant::now),
        }
    }

    /// The whole budget, for messages.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// What is left.
    pub fn remaining(&self) -> Duration {
        self.ends.saturating_duration_since(Instant::now())
    }

    /// Whether nothing is left.
    pub fn is_spent(&self) -> bool {
        self.remaining().is_zero()
    }

    /// The window for one call whose own deadline is `deadline`.
    pub fn window(&self, deadline: Duration) -> CallWindow {
        let remaining = self.remaining();
        if remaining < deadline {
            CallWindow {
                length: remaining,
                by_pack: true,
            }
        } else {
            CallWindow {
                length: deadline,
                by_pack: false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resumed_budget_keeps_its_limit_and_loses_what_loading_spent() {
        let budget = PackBudget::resume(Duration::from_secs(30), Duration::from_secs(25));
        assert_eq!(budget.limit(), Duration::from_secs(30));
        assert!(budget.remaining() <= Duration::from_secs(5));
        let spent = PackBudget::resume(Duration::from_secs(30), Duration::from_secs(31));
        assert!(spent.is_spent());
    }

    #[test]
    fn a_call_gets_the_smaller_of_its_deadline_and_the_budget_left() {
        let budget = PackBudget::start(Duration::from_secs(60));
        let window = budget.window(Duration::from_secs(10));
        assert_eq!(window.length, Duration::from_secs(10));
        assert!(!window.by_pack);
        let short = PackBudget::start(Duration::from_millis(50));
        let window = short.window(Duration::from_secs(10));
        assert!(window.by_pack && window.length <= Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(60));
        assert!(short.is_spent());
    }
}
