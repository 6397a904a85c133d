//! `trailwarden snapshot`: collect what the selected rules need and write it as JSON.
//!
//! The snapshot is pretty-printed so that a diff between two runs reads line by line and SARIF
//! results can point at the line where a resource appears.

use std::path::Path;

use anyhow::Context;
use trailwarden_sdk::Snapshot;

use crate::Outcome;
use crate::cli::SnapshotArgs;
use crate::commands::check::{load_rules, with_configured_regions};

/// Runs `snapshot`.
pub fn run(args: &SnapshotArgs) -> anyhow::Result<Outcome> {
    let (loaded, _set, selected) = load_rules(args.config.as_deref(), &args.packs, &args.only)?;
    check_destination(args.output.as_deref(), "--output")?;
    let collect_args = with_configured_regions(&args.collect, &loaded.config);
    if collect_args.asks_for_accounts() {
        let organization = crate::commands::live::collect_accounts(&collect_args, &selected)?;
        write_organization(&organization, args.output.as_deref())?;
        // An account that could not be read is missing from the file: say so by the exit code.
        return Ok(if organization.failures.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Incomplete
        });
    }
    let collection = crate::commands::live::collect(&collect_args, &selected)?;
    write(&collection.snapshot, args.output.as_deref())?;
    Ok(Outcome::Pass)
}

/// Fails before any collection when `path` cannot be written because its directory does not
/// exist: a collection of an organization can take minutes, and its result must not be lost
/// to a typo in the file name.
pub(crate) fn check_destination(path: Option<&Path>, flag: &str) -> anyhow::Result<()> {
    let Some(path) = path else {
        return Ok(());
    };
    if path == Path::new("-") {
        return Ok(());
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "{flag} {}: the directory {} does not exist; create it first or choose another path",
            path.display(),
            dir.display()
        );
    }
    if path.is_dir() {
        anyhow::bail!("{flag} {} is a directory; give a file name", path.display());
    }
    Ok(())
}

/// Writes several accounts (schema 2) as pretty JSON to `path`, or to stdout when `None`.
pub fn write_organization(
    snapshot: &trailwarden_sdk::snapshot::org::OrganizationSnapshot,
    path: Option<&Path>,
) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(snapshot).context("serialising the snapshot")?;
    text.push('\n');
    match path {
        Some(path) => std::fs::write(path, text.as_bytes())
            .with_context(|| format!("writing the snapshot to {}", path.display())),
        None => Ok(crate::write_stdout(text)?),
    }
}

/// Writes `snapshot` as pretty JSON to `path`, or to stdout when `None`.
pub fn write(snapshot: &Snapshot, path: Option<&Path>) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(snapshot).context("serialising the snapshot")?;
    text.push('\n');
    match path {
        Some(path) => std::fs::write(path, text.as_bytes())
            .with_context(|| format!("writing the snapshot to {}", path.display())),
        None => Ok(crate::write_stdout(text)?),
    }
}
