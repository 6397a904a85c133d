//! `trailwarden rules precompile`: fill the compiled-pack cache ahead of time.
//!
//! Compiling the built-in packs takes a second or more on a small CI runner; loading them from
//! the cache takes milliseconds. A CI image built with `trailwarden rules precompile --cache-dir
//! /opt/trailwarden-cache` and run with `TRAILWARDEN_CACHE_DIR=/opt/trailwarden-cache` never
//! compiles at check time.

use std::time::Instant;

use anyhow::bail;

use crate::Outcome;
use crate::cli::PackArgs;
use crate::engine::cache::ModuleCache;
use crate::engine::sanitize_line;
use crate::packs;

/// Compiles every pack (built-in and `--rules`) into the cache and says where.
pub fn run(args: &PackArgs) -> anyhow::Result<Outcome> {
    if args.no_cache {
        bail!("`rules precompile` fills the cache; drop --no-cache");
    }
    let Some(dir) = args.cache_dir.clone().or_else(ModuleCache::default_dir) else {
        bail!("no cache directory: set --cache-dir or TRAILWARDEN_CACHE_DIR (HOME is not set)");
    };
    let started = Instant::now();
    let set = packs::load(args)?;
    for (origin, message) in &set.failed {
        eprintln!(
            "trailwarden: pack {} did not load: {}",
            sanitize_line(origin),
            sanitize_line(message)
        );
    }
    crate::write_stdout(format!(
        "compiled {} pack(s) into {} in {:.2} s\n",
        set.packs.len(),
        dir.display(),
        started.elapsed().as_secs_f64()
    ))?;
    Ok(if set.failed.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Incomplete
    })
}
