//! A pack of misbehaving rules, for the sandbox tests. Each rule does one thing a hostile or
//! buggy pack might do; `HOSTILE-OK` behaves, and must still report whatever its neighbours do.

use trailwarden_sdk::prelude::*;

/// Behaves: one finding per run, so tests can see it survived its neighbours.
#[rule(id = "HOSTILE-OK", name = "well-behaved", level = "note")]
pub fn well_behaved(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    Ok(vec![Finding::fail(
        "STILL_HERE",
        format!("checked account {}", snapshot.account.id),
    )])
}

/// Panics with a message.
#[rule(id = "HOSTILE-PANIC", name = "panics", level = "note")]
pub fn panics(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    panic!("rule exploded on purpose")
}

/// Never returns.
#[rule(id = "HOSTILE-LOOP", name = "loops", level = "note")]
pub fn loops(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

/// Allocates without bound.
#[rule(id = "HOSTILE-ALLOC", name = "allocates", level = "note")]
pub fn allocates(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(std::hint::black_box(vec![1u8; 16 << 20]));
    }
}

/// Recurses without bound.
#[rule(id = "HOSTILE-RECURSE", name = "recurses", level = "note")]
pub fn recurses(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    fn deeper(n: u64) -> u64 {
        if std::hint::black_box(n) == u64::MAX {
            return 0;
        }
        std::hint::black_box(deeper(std::hint::black_box(n + 1))) + 1
    }
    Ok(vec![Finding::fail("NEVER", format!("{}", deeper(0)))])
}

/// Writes terminal escape sequences into its message.
#[rule(id = "HOSTILE-ESCAPE", name = "escapes", level = "note")]
pub fn escapes(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    Ok(vec![Finding::fail(
        "ESCAPE",
        "clear\u{1b}[2J\u{1b}[31mred\u{7}bell",
    )])
}

/// Returns an error of its own.
#[rule(id = "HOSTILE-ERROR", name = "errors", level = "note")]
pub fn errors(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    Err(RuleError::msg("cannot decide on this snapshot"))
}

export_rules![
    well_behaved,
    panics,
    loops,
    allocates,
    recurses,
    escapes,
    errors,
];
