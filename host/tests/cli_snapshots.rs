//! What the CLI prints, pinned with insta: each snapshot in `tests/snapshots/` is the command
//! line, its exit code, its stdout and its stderr, as a user sees them. A change to any output
//! shows up as a diff to review; `cargo insta review` (or `INSTA_UPDATE=always cargo test -p
//! trailwarden --test cli_snapshots`) accepts it.

mod common;

use common::{stderr, stdout, trailwarden};

/// Runs `trailwarden args` and renders what it printed, with the run's clock and timings
/// replaced, so that the snapshot is the same on every run.
fn transcript(args: &[&str]) -> String {
    let output = trailwarden()
        .args(args)
        // A fixed width for clap's help, whatever the terminal of the test run.
        .env("COLUMNS", "100")
        .output()
        .expect("binary runs");
    format!(
        "$ trailwarden {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        output
            .status
            .code()
            .map_or_else(|| "signal".to_owned(), |code| code.to_string()),
        stdout(&output),
        stderr(&output)
    )
}

/// Pins `transcript(args)` under `name`.
macro_rules! pin {
    ($name:literal, $args:expr) => {
        insta::with_settings!({
            filters => vec![
                (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "[TIME]"),
                (r"\d+\.\d+ s\b", "[SECONDS] s"),
                // The test's private home, which `--help` shows as TRAILWARDEN_CACHE_DIR.
                (r"[^\s=]*tw-cli-home-\d+", "[HOME]"),
            ],
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!($name, transcript(&$args));
        });
    };
}

#[test]
fn rules_list() {
    pin!("rules_list", ["rules", "list"]);
}

#[test]
fn rules_explain() {
    pin!("rules_explain_kms_001", ["rules", "explain", "TW-KMS-001"]);
    pin!("rules_explain_cw_007", ["rules", "explain", "TW-CW-007"]);
    pin!(
        "rules_explain_tool_001",
        ["rules", "explain", "TW-TOOL-001"]
    );
}

#[test]
fn check_demo() {
    pin!("check_demo", ["check", "--demo"]);
}

/// The markdown report of the demo: the rules table and every broken chain's Mermaid diagram,
/// as a job summary or pull-request comment shows it (`tests/render.rs` parses the diagrams).
#[test]
fn check_demo_markdown() {
    pin!(
        "check_demo_markdown",
        ["check", "--demo", "--format", "markdown"]
    );
}

#[test]
fn help() {
    pin!("help", ["--help"]);
    pin!("help_check", ["check", "--help"]);
    pin!("help_snapshot", ["snapshot", "--help"]);
    pin!("help_rules", ["rules", "--help"]);
    pin!("help_test_pattern", ["test-pattern", "--help"]);
}
