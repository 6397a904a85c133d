//! Loading packs: the built-in ones and every `.wasm` in `--rules` directories.
//!
//! A pack that fails to load (a file that is not a regular file or is too large, see
//! [`read`]; a module refused by the sandbox; a pack claiming a reserved name or id, see
//! [`identity`]) is reported with its file and the reason, and the run goes on with the
//! others; the run then exits 2 because it is incomplete. Two packs with the same name, or
//! claiming the same rule id, is a configuration error, reported before anything runs, with
//! every clash and the packs (name, version, file, SDK version) involved.

mod identity;
mod read;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::builtin::BUILTIN_PACKS;
use crate::cli::PackArgs;
use crate::engine::cache::{CacheError, ModuleCache};
use crate::engine::{Limits, LoadedPack, PackOrigin, Sandbox, sanitize_line};

pub use identity::{RESERVED_PACK_PREFIX, RESERVED_RULE_PREFIX};

/// The sandbox and every pack that loaded, plus the ones that did not.
pub struct PackSet {
    /// The engine the packs were compiled for.
    pub sandbox: Sandbox,
    /// Packs ready to run.
    pub packs: Vec<LoadedPack>,
    /// Packs that failed to load: origin and reason.
    pub failed: Vec<(String, String)>,
}

/// Builds the sandbox from the command-line options.
pub fn sandbox(args: &PackArgs) -> anyhow::Result<Sandbox> {
    let limits = Limits {
        deadline: Duration::from_secs(args.rule_timeout.max(1)),
        pack_deadline: Duration::from_secs(args.pack_timeout.max(1)),
        memory_bytes: args.rule_memory.max(1).saturating_mul(1 << 20),
        memory_budget: args.memory_budget.max(1).saturating_mul(1 << 20),
        output_bytes: args.rule_output.max(1).saturating_mul(1 << 20),
        findings_per_rule: args.max_findings.max(1),
        run_findings: args.max_total_findings.max(1),
        ..Limits::default()
    };
    let cache = if args.no_cache {
        None
    } else {
        match args.cache_dir.clone().or_else(ModuleCache::default_dir) {
            Some(dir) => {
                let key = args
                    .cache_key
                    .clone()
                    .or_else(ModuleCache::default_key_file)
                    .ok_or(CacheError::NoKey)?;
                Some(ModuleCache::open(dir, &key)?)
            }
            None => None,
        }
    };
    Sandbox::new(limits, cache)
}

/// At most this many packs are read, checked, compiled and asked for their metadata at once.
/// Loading in parallel bounds what looping start functions or metadata exports cost: each
/// runs under the pack deadline (`--rule-timeout`, the same budget its evaluation gets), and
/// several run at the same time instead of one after the other.
pub const LOAD_PARALLELISM: usize = 4;

/// One pack loaded, or why not as (origin, reason).
type LoadResult = Result<LoadedPack, (String, String)>;

/// Where one pack's bytes come from.
enum Source<'a> {
    Builtin(&'static str, &'static [u8]),
    File(&'a Path),
}

/// Loads the built-in packs and those in `args.rule_dirs`, in parallel (at most
/// [`LOAD_PARALLELISM`] at once), keeping their order. A pack that cannot be read or loaded,
/// or that claims a reserved name or id (see [`identity`]), is reported in `failed` and the
/// others load; packs that cannot be told apart are an error.
pub fn load(args: &PackArgs) -> anyhow::Result<PackSet> {
    let sandbox = sandbox(args)?;
    let mut files = Vec::new();
    for dir in &args.rule_dirs {
        files.extend(wasm_files(dir)?);
    }
    let sources: Vec<Source<'_>> = BUILTIN_PACKS
        .iter()
        .map(|(name, bytes)| Source::Builtin(name, bytes))
        .chain(files.iter().map(|path| Source::File(path)))
        .collect();
    let results = load_all(&sandbox, &sources);
    let mut packs = Vec::new();
    let mut failed = Vec::new();
    for result in results {
        match result {
            Ok(pack) => match identity::reserved_claim(&pack).filter(|_| pack.is_file()) {
                Some(why) => failed.push((pack.describe(), why)),
                None => packs.push(pack),
            },
            Err(failure) => failed.push(failure),
        }
    }
    identity::check_unique(&packs)?;
    Ok(PackSet {
        sandbox,
        packs,
        failed,
    })
}

/// Loads every source with a bounded pool of threads; results in the sources' order, a failure
/// as (origin, reason).
fn load_all(sandbox: &Sandbox, sources: &[Source<'_>]) -> Vec<LoadResult> {
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<LoadResult>>> = sources.iter().map(|_| Mutex::new(None)).collect();
    let workers = LOAD_PARALLELISM.min(sources.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(source) = sources.get(i) else { break };
                    let result = load_one(sandbox, source);
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .zip(sources)
        .map(|(slot, source)| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                Err((
                    origin_of(source).to_string(),
                    "the thread loading this pack failed".to_owned(),
                ))
            })
        })
        .collect()
}

fn origin_of(source: &Source<'_>) -> PackOrigin {
    match source {
        Source::Builtin(name, _) => PackOrigin::Builtin(name),
        Source::File(path) => PackOrigin::File(path.to_path_buf()),
    }
}

fn load_one(sandbox: &Sandbox, source: &Source<'_>) -> LoadResult {
    let origin = origin_of(source);
    let started = Instant::now();
    let result = match source {
        Source::Builtin(_, bytes) => sandbox.load(origin.clone(), bytes),
        Source::File(path) => {
            let bytes = read::read_pack(path, sandbox.limits().module_bytes)
                .map_err(|why| (origin.to_string(), why))?;
            sandbox.load(origin.clone(), &bytes)
        }
    };
    tracing::debug!(pack = %origin, seconds = started.elapsed().as_secs_f64(), "pack loaded");
    result.map_err(|error| (origin.to_string(), error.to_string()))
}

/// The `.wasm` files directly in `dir`, sorted. A missing directory, or one with no `.wasm`
/// in it, is an error: custom rules that silently do not load would let a CI gate pass while
/// they check nothing. The message names what is there instead when it tells the likely cause
/// (a pack built for the host rather than for wasm32).
pub fn wasm_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let files = list_wasm(dir)?;
    if files.is_empty() {
        bail!("{}", empty_rule_dir(dir));
    }
    Ok(files)
}

/// The `.wasm` files directly in `dir`, sorted, possibly none.
pub fn list_wasm(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading rule directory {}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        // Everything named `.wasm` but a directory: a FIFO, device or link to one is kept, to
        // be refused by name when it is read rather than silently skipped.
        .filter(|path| !path.is_dir() && path.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    files.sort();
    Ok(files)
}

/// Why `dir` holds no pack, with the likeliest fix.
fn empty_rule_dir(dir: &Path) -> String {
    const BUILD: &str = "build the pack with `cargo build --release --target \
                         wasm32-unknown-unknown` and pass --rules \
                         target/wasm32-unknown-unknown/release";
    let host_builds: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            [".so", ".dylib", ".dll", ".rlib"]
                .iter()
                .any(|ext| name.ends_with(ext))
        })
        .collect();
    if host_builds.is_empty() {
        format!(
            "rule directory {} holds no .wasm pack: {BUILD}",
            dir.display()
        )
    } else {
        format!(
            "rule directory {} holds no .wasm pack, only {}: the pack was built for the host, \
             not for wasm32; {BUILD}",
            dir.display(),
            sanitize_line(&host_builds.join(", "))
        )
    }
}
