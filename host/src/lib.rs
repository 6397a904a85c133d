//! trailwarden, the host: loads rule packs into a wasmtime sandbox, runs them against an
//! account snapshot and reports in text, JSON or SARIF.
//!
//! The binary is glue (`main.rs`); this library holds the parts, so that tests drive them
//! directly. No rule logic lives here: the built-in rules are packs like anyone's.
//!
//! [`commands`] holds one module per subcommand (flags in, output and exit code out); the
//! other modules are the library those commands share: [`collect`] reads AWS, [`engine`]
//! runs packs, [`report`] writes text, JSON and SARIF, [`config`], [`baseline`] and
//! [`suppress`] shape a run.

// Every command's output goes through `write_stdout`, which a closed pipe cannot make panic.
#![warn(clippy::print_stdout)]

pub mod baseline;
pub mod bounded_read;
pub mod builtin;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod engine;
pub mod fuzzing;
pub mod glob;
pub mod iac;
pub mod logging;
pub mod memory;
pub mod packs;
pub mod report;
pub mod settings;
pub mod suppress;
pub mod time;
pub mod tool_rules;
pub mod untrusted;
pub mod version;

use cli::{Cli, Command};
use commands::{check, rules, shell, snapshot, test_pattern};

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
        Command::Snapshot(args) => snapshot::run(&args),
        Command::Rules(command) => rules::run(&command),
        Command::TestPattern {
            pattern,
            event,
            eventbridge,
        } => test_pattern::run(&test_pattern::TestPatternArgs {
            pattern: &pattern,
            event: &event,
            eventbridge,
        }),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man { out_dir } => shell::man(out_dir.as_deref()),
    }
}

/// Writes a command's output to stdout, the one place every command's stdout goes through.
///
/// `print!` panics when the reader has gone (`trailwarden rules list | head -1`); this returns
/// the error instead, and `main` treats a broken pipe as success, as ripgrep does.
pub fn write_stdout(output: impl AsRef<[u8]>) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(output.as_ref())?;
    stdout.flush()
}

/// Whether `error` is a write to a closed pipe (`trailwarden … | head`), which is not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
