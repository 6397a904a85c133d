//! `trailwarden completions SHELL` and `trailwarden man`: generated from the clap definitions
//! at run time, so they always match the binary that prints them (no build-time files to ship
//! or to go stale). Packagers redirect the output to where their system looks.

use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use crate::Outcome;
use crate::cli::Cli;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<Outcome> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "trailwarden", &mut script);
    crate::write_stdout(script)?;
    Ok(Outcome::Pass)
}

/// Prints the man page (roff) of `trailwarden`, or with `out_dir` writes it and one page per
/// subcommand (`trailwarden-check.1`, …) there and lists them.
pub fn man(out_dir: Option<&Path>) -> anyhow::Result<Outcome> {
    let command = Cli::command();
    match out_dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command).render(&mut page)?;
            crate::write_stdout(page)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the man page directory {}", dir.display()))?;
            clap_mangen::generate_to(command, dir)
                .with_context(|| format!("writing man pages into {}", dir.display()))?;
            let mut written: Vec<String> = std::fs::read_dir(dir)
                .with_context(|| format!("listing {}", dir.display()))?
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with("trailwarden") && name.ends_with(".1"))
                .collect();
            written.sort();
            let mut listing = String::new();
            for name in written {
                listing.push_str(&format!("{}\n", dir.join(name).display()));
            }
            crate::write_stdout(listing)?;
        }
    }
    Ok(Outcome::Pass)
}
