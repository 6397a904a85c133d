//! Loading packs: the built-in ones and every `.wasm` in `--rules` directories.
//!
//! A pack that fails to load is reported with its file and the reason, and the run goes on
//! with the others; the run then exits 2 because it is incomplete. Two packs claiming the same
//! rule id is a configuration error, reported before anything runs, with every clash and the
//! packs (name, version, file, SDK version) involved.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::builtin::BUILTIN_PACKS;
use crate::cli::PackArgs;
use crate::engine::cache::ModuleCache;
use crate::engine::{Limits, LoadedPack, PackOrigin, Sandbox, sanitize_line};

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
            Some(dir) => Some(ModuleCache::open(dir)?),
            None => None,
        }
    };
    Sandbox::new(limits, cache)
}

/// Loads the built-in packs and those in `args.rule_dirs`.
pub fn load(args: &PackArgs) -> anyhow::Result<PackSet> {
    let sandbox = sandbox(args)?;
    let mut sources: Vec<(PackOrigin, Vec<u8>)> = BUILTIN_PACKS
        .iter()
        .map(|(name, bytes)| (PackOrigin::Builtin(name), bytes.to_vec()))
        .collect();
    for dir in &args.rule_dirs {
        for path in wasm_files(dir)? {
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading pack {}", path.display()))?;
            sources.push((PackOrigin::File(path), bytes));
        }
    }
    let mut packs = Vec::new();
    let mut failed = Vec::new();
    for (origin, bytes) in sources {
        match sandbox.load(origin.clone(), &bytes) {
            Ok(pack) => packs.push(pack),
            Err(error) => failed.push((origin.to_string(), error.to_string())),
        }
    }
    check_collisions(&packs)?;
    Ok(PackSet {
        sandbox,
        packs,
        failed,
    })
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
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "wasm"))
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

/// Every rule id declared by more than one pack, each with the packs that declare it.
fn check_collisions(packs: &[LoadedPack]) -> anyhow::Result<()> {
    let mut owners: BTreeMap<&str, Vec<&LoadedPack>> = BTreeMap::new();
    for pack in packs {
        for rule in &pack.meta.rules {
            owners.entry(rule.id.as_str()).or_default().push(pack);
        }
    }
    let clashes: Vec<String> = owners
        .iter()
        .filter(|(_, packs)| packs.len() > 1)
        .map(|(id, packs)| {
            let names: Vec<String> = packs.iter().map(|p| p.describe()).collect();
            format!(
                "  {} is declared by {}",
                sanitize_line(id),
                names.join(" and ")
            )
        })
        .collect();
    if clashes.is_empty() {
        return Ok(());
    }
    bail!(
        "{} rule id{} declared twice; rule ids must be unique across packs (give your rules \
         your own prefix, e.g. ACME-KMS-001, and load each pack once):\n{}",
        clashes.len(),
        if clashes.len() == 1 { " is" } else { "s are" },
        clashes.join("\n")
    )
}
