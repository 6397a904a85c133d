//! trailwarden, the host: loads rule packs into a wasmtime sandbox, runs them against an
//! account snapshot and reports in text, JSON or SARIF.
//!
//! The binary is glue (`main.rs`); this library holds the parts, so that tests drive them
//! directly. No rule logic lives here: the built-in rules are packs like anyone's.

pub mod baseline;
pub mod builtin;
pub mod check;
pub mod cli;
pub mod collect;
pub mod config;
pub mod engine;
pub mod glob;
pub mod live;
pub mod logging;
pub mod memory;
pub mod packs;
pub mod precompile;
pub mod report;
pub mod rules_cmd;
pub mod rules_test;
pub mod scaffold;
pub mod settings;
pub mod snapshot_cmd;
pub mod suppress;
pub mod test_pattern;
pub mod time;
pub mod tool_rules;

use cli::{Cli, Command};

/// What a successful run amounts to, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above the threshold.
    Pass,
    /// Findings at or above the threshold.
    Findings,
    /// The run finished but cannot be trusted: a rule failed or a pack did not load.
    Incomplete,
}

impl Outcome {
    /// The documented exit code.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Findings => 1,
            Outcome::Incomplete => 2,
        }
    }
}

/// Runs one command.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Snapshot(args) => snapshot_cmd::run(&args),
        Command::Rules(command) => rules_cmd::run(&command),
        Command::TestPattern {
            pattern,
            event,
            eventbridge,
        } => test_pattern::run(&test_pattern::TestPatternArgs {
            pattern: &pattern,
            event: &event,
            eventbridge,
        }),
    }
}

/// Whether `error` is a write to a closed pipe (`trailwarden … | head`), which is not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
