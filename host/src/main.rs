//! The `trailwarden` command: parse, run, map the outcome to an exit code.
//!
//! Exit codes: 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 trailwarden
//! could not do its job (bad input, a rule error). A broken pipe exits 0, so output can be
//! piped into `head` or `jq`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = trailwarden::cli::Cli::parse();
    trailwarden::logging::init(cli.verbose);
    match trailwarden::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(error) if trailwarden::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            // Errors can quote a pack's text (its metadata, a parser's excerpt of it): the
            // message passes the same boundary as everything else a pack wrote.
            let message = trailwarden::untrusted::text_within(&format!("{error:#}"), 1 << 16);
            eprintln!("trailwarden: {message}");
            ExitCode::from(2)
        }
    }
}
