//! The wasmtime sandbox: load packs, run them under limits, survive whatever they do.
//!
//! One [`Sandbox`] per process holds the `Engine` (epoch interruption on) and a ticker thread
//! that advances the epoch. Each pack is validated (no imports, v1 exports), compiled or loaded
//! from the on-disk cache, and linked once into an `InstancePre`. Every evaluation gets a
//! fresh `Store` and instance, with a memory limiter and an epoch deadline; a store is never
//! reused after a trap. Traps are classified by type, never by message text, and cost only
//! the rule that was running: the rest of the pack is re-run in a fresh instance.

pub mod budget;
pub mod cache;
pub mod deadline;
pub mod envelope;
mod evaluate;
pub mod identity;
pub mod ledger;
pub mod limits;
mod run;
pub mod shape;
mod validate;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use trailwarden_sdk::PackMeta;
use wasmtime::{Config, Engine, InstancePre, Linker, Module, Store};

pub use deadline::PackBudget;
pub use evaluate::{PackJob, evaluate, plan, settings_errors};
pub use ledger::{FindingLedger, MemoryLedger};
pub use limits::Limits;
use limits::PackLimiter;
pub use run::{RuleFailure, RuleRun, sanitize_line};

/// How often the epoch advances; deadlines are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Why a pack could not be loaded. Each names what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Not a wasm module at all.
    #[error("not a WebAssembly module: {0}")]
    NotWasm(String),
    /// Over the module size limit.
    #[error("the module is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Module size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The module imports something; v1 packs import nothing.
    #[error(
        "the module imports {0}; trailwarden packs must import nothing: build them for \
         wasm32-unknown-unknown with trailwarden-sdk, not for WASI"
    )]
    HasImports(String),
    /// Exports are missing.
    #[error(
        "the module lacks the rule ABI v1 exports {0}; is it a trailwarden pack built with \
         `export_rules!`?"
    )]
    MissingExports(String),
    /// An ABI export has the wrong signature.
    #[error(
        "the pack's export {name} has type {found}, but rule ABI v1 needs {expected}; \
         rebuild it with `export_rules!` from trailwarden-sdk"
    )]
    MistypedExport {
        /// The export.
        name: String,
        /// Its type, as `(params) -> (results)`.
        found: String,
        /// The type v1 needs.
        expected: String,
    },
    /// A pack for another major ABI, told by its export names (its metadata cannot be read).
    #[error("{}", abi_mismatch(*found))]
    AbiMismatch {
        /// The pack's ABI major.
        found: u32,
    },
    /// A pack for another ABI major or snapshot schema, told by its metadata.
    #[error(transparent)]
    Incompatible(#[from] trailwarden_sdk::abi::Incompatible),
    /// Over a bound on the module's shape: refused before compiling.
    #[error(
        "the module's {limit} is {value}, over the limit of {max}; packs built with \
         trailwarden-sdk stay far below it, so the module is refused before compiling (a \
         compile bomb costs minutes and gigabytes)"
    )]
    Shape {
        /// Which bound: `functions`, `function body bytes`, `locals per function`, `block
        /// nesting depth`.
        limit: &'static str,
        /// The module's value.
        value: u64,
        /// The bound.
        max: u64,
    },
    /// The module uses a WebAssembly feature packs may not use.
    #[error(
        "the module uses the WebAssembly feature {feature}, which trailwarden packs may not \
         use ({detail}); build the pack for wasm32-unknown-unknown without it"
    )]
    Feature {
        /// The feature, as pack authors know it.
        feature: &'static str,
        /// The validator's message.
        detail: String,
    },
    /// The module is not valid WebAssembly.
    #[error("the module is not valid WebAssembly: {0}")]
    Invalid(String),
    /// wasmtime refused to compile or link it.
    #[error("the module does not compile: {0}")]
    Compile(String),
    /// The metadata export failed or returned garbage.
    #[error("the pack's metadata is unusable: {0}")]
    Metadata(String),
}

/// Every cause of a wasmtime error, outermost first, joined with `: `, so that the root cause
/// ("shared memories are not supported", say) is shown and not only "failed to parse".
pub fn error_chain(error: &wasmtime::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    sanitize_line(&parts.join(": "))
}

fn abi_mismatch(found: u32) -> String {
    let (ours, sdk) = (
        trailwarden_sdk::abi::ABI_MAJOR,
        trailwarden_sdk::SDK_VERSION,
    );
    if found < ours {
        format!(
            "the pack speaks rule ABI v{found}, older than the v{ours} of this trailwarden: \
             rebuild it against trailwarden-sdk {sdk}"
        )
    } else {
        format!(
            "the pack speaks rule ABI v{found}, newer than the v{ours} of this trailwarden \
             (built with trailwarden-sdk {sdk}): upgrade trailwarden, or build the pack \
             against trailwarden-sdk {sdk}"
        )
    }
}

/// Where a pack came from, for messages and `rules list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackOrigin {
    /// Embedded in the binary.
    Builtin(&'static str),
    /// Loaded from a file.
    File(PathBuf),
}

impl std::fmt::Display for PackOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PackOrigin::Builtin(name) => write!(f, "built-in pack {name}"),
            PackOrigin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// What each store holds.
pub struct HostState {
    limiter: PackLimiter,
}

/// A validated, compiled and linked pack with its metadata.
pub struct LoadedPack {
    /// Where it came from.
    pub origin: PackOrigin,
    /// Its metadata, read from the pack itself.
    pub meta: PackMeta,
    pre: InstancePre<HostState>,
    /// The time loading took (validation, compilation, the start function and metadata), which
    /// counts against the pack's `--pack-timeout` when it is evaluated.
    load_spent: Duration,
}

impl LoadedPack {
    /// The pack for messages: `built-in pack trailwarden-rules-kms`, or `pack acme-rules 0.1.0
    /// (packs/acme_rules.wasm, trailwarden-sdk 0.1.0)`.
    pub fn describe(&self) -> String {
        match &self.origin {
            PackOrigin::Builtin(_) => self.origin.to_string(),
            PackOrigin::File(path) => format!(
                "pack {} {} ({}, trailwarden-sdk {})",
                sanitize_line(&self.meta.name),
                sanitize_line(&self.meta.version),
                path.display(),
                sanitize_line(&self.meta.sdk_version)
            ),
        }
    }

    /// Whether the pack was loaded from a file (a user's pack) rather than embedded.
    pub fn is_file(&self) -> bool {
        matches!(self.origin, PackOrigin::File(_))
    }
}

/// The process-wide wasmtime engine with its epoch ticker.
pub struct Sandbox {
    engine: Engine,
    limits: Limits,
    memory: Arc<MemoryLedger>,
    cache: Option<cache::ModuleCache>,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// An engine configured for untrusted packs, with `cache` for compiled code if given.
    pub fn new(limits: Limits, cache: Option<cache::ModuleCache>) -> anyhow::Result<Self> {
        let mut config = Config::new();
        config.epoch_interruption(true);
        config.max_wasm_stack(1 << 20);
        let engine = Engine::new(&config).map_err(|e| anyhow::anyhow!("wasmtime: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let engine = engine.clone();
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("trailwarden-epoch".to_owned())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                })?
        };
        Ok(Self {
            engine,
            memory: Arc::new(MemoryLedger::new(limits.memory_budget())),
            limits,
            cache,
            stop,
            ticker: Some(ticker),
        })
    }

    /// The limits packs run under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The linear memory every pack running at once holds together, under `--memory-budget`.
    pub fn memory(&self) -> &MemoryLedger {
        &self.memory
    }

    /// Validates, compiles (or loads from the cache), links and reads the metadata of a pack,
    /// under a time budget of its own; see [`Sandbox::load_within`].
    pub fn load(&self, origin: PackOrigin, bytes: &[u8]) -> Result<LoadedPack, LoadError> {
        self.load_within(
            origin,
            bytes,
            &PackBudget::start(self.limits.pack_deadline()),
        )
    }

    /// Validates, compiles (or loads from the cache), links and reads the metadata of a pack;
    /// the call into the pack for its metadata ends with `budget` if that comes first, so that
    /// loading counts against the same [`PackBudget`] as the pack's evaluation when the caller
    /// keeps one per pack.
    pub fn load_within(
        &self,
        origin: PackOrigin,
        bytes: &[u8],
        budget: &PackBudget,
    ) -> Result<LoadedPack, LoadError> {
        let started = Instant::now();
        validate::check_module(bytes, &self.limits)?;
        let module = self.compile(bytes)?;
        validate::check_signatures(&module)?;
        let linker: Linker<HostState> = Linker::new(&self.engine);
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| LoadError::Compile(error_chain(&e)))?;
        let mut meta = run::read_metadata(self, &pre, budget)?;
        crate::untrusted::meta(&mut meta);
        Ok(LoadedPack {
            origin,
            meta,
            pre,
            load_spent: started.elapsed(),
        })
    }

    /// The compiled module: from the cache if an authentic entry exists (it was compiled from
    /// these very bytes, which passed the checks then), else compiled after the shape and
    /// feature checks that keep compile bombs and refused features out of the compiler.
    fn compile(&self, bytes: &[u8]) -> Result<Module, LoadError> {
        if let Some(module) = self
            .cache
            .as_ref()
            .and_then(|cache| cache.lookup(&self.engine, bytes))
        {
            return Ok(module);
        }
        shape::check_shape(bytes, &self.limits.shape)?;
        shape::check_features(bytes)?;
        match &self.cache {
            Some(cache) => cache.compile_and_store(&self.engine, bytes),
            None => Module::new(&self.engine, bytes),
        }
        .map_err(|e| LoadError::Compile(error_chain(&e)))
    }

    /// A fresh store whose call may run for `length`; a memory growth that must wait for
    /// other packs waits no longer than that either.
    fn new_store(&self, length: Duration) -> Store<HostState> {
        let until = Instant::now()
            .checked_add(length)
            .unwrap_or_else(Instant::now);
        let mut store = Store::new(
            &self.engine,
            HostState {
                limiter: PackLimiter::new(
                    self.limits.memory_bytes,
                    Arc::clone(&self.memory),
                    until,
                ),
            },
        );
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(ticks(length));
        store.epoch_deadline_trap();
        store
    }
}

/// `length` in epoch ticks, at least one.
fn ticks(length: Duration) -> u64 {
    let ticks = length.as_millis() / EPOCH_TICK.as_millis();
    u64::try_from(ticks).unwrap_or(u64::MAX).max(1)
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}
