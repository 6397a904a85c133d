//! The on-disk cache of compiled packs.
//!
//! Compiling a pack costs 0.2–1.5 s; loading compiled code costs about a millisecond. But
//! compiled code is native code that wasmtime loads without validating it, so a cache entry
//! must never be run unless this trailwarden, for this user, wrote it. Three defences:
//!
//! - **Authentication.** Every entry carries an HMAC-SHA256 over its name and contents, keyed
//!   by a per-user secret kept outside the cache directory (see [`key`]). An entry that fails
//!   it (planted, restored from someone else's cache, renamed from another pack's entry,
//!   truncated) is deleted and the pack recompiled, with a warning.
//! - **A private directory.** The cache directory, and every parent up to `/`, must pass the
//!   ownership and mode rule of [`dir`]; a refused directory is an error whose advice fits the
//!   cause (another owner is not fixed by `chmod`).
//! - **No path games.** Entries are opened relative to the handle of the checked directory,
//!   with `O_NOFOLLOW` and `O_NONBLOCK`, and must be regular files of yours under
//!   [`MAX_ENTRY_BYTES`]; a symbolic link, FIFO or device named like an entry is deleted, never
//!   followed.
//!
//! Entries are keyed by the wasm's SHA-256, the engine's compatibility hash (target, tunables,
//! features) and the wasmtime version, and written atomically (temporary file created with
//! `O_EXCL`, then renamed). Unix only: elsewhere the cache is off and packs are compiled on
//! every run.

#[cfg(unix)]
pub mod dir;
#[cfg(unix)]
pub mod key;

use std::path::{Path, PathBuf};

/// The largest cache entry read; a larger one is deleted and the pack recompiled.
pub const MAX_ENTRY_BYTES: u64 = 512 << 20;

/// Why the cache cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// A directory or the key could not be created or read.
    #[error("cannot use {}: {source}; fix it or pass --no-cache", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Others could write compiled code there, or swap the directory.
    #[error("refusing {what} {}: {why}", path.display())]
    Unsafe {
        /// `cache directory` or `cache key directory`.
        what: &'static str,
        /// The directory.
        path: PathBuf,
        /// What is wrong and what to do.
        why: String,
    },
    /// The key file is unusable.
    #[error(
        "refusing cache key {}: {why}; delete it (a new key is made on the next run and the \
         packs are recompiled), or pass --no-cache",
        path.display()
    )]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// No key file location is known.
    #[error(
        "no cache key location: set TRAILWARDEN_CACHE_KEY (HOME is not set), or pass --no-cache"
    )]
    NoKey,
    /// This platform has no cache.
    #[error("the compiled-pack cache is supported on Unix only; pass --no-cache")]
    Unsupported,
}

/// The directory of compiled packs, opened and checked, with the key that authenticates its
/// entries.
#[derive(Clone)]
pub struct ModuleCache {
    dir: PathBuf,
    #[cfg(unix)]
    handle: std::sync::Arc<std::os::fd::OwnedFd>,
    #[cfg(unix)]
    key: std::sync::Arc<[u8; key::KEY_BYTES]>,
}

impl std::fmt::Debug for ModuleCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("ModuleCache")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl ModuleCache {
    /// The default location: `$XDG_CACHE_HOME/trailwarden/modules` or
    /// `~/.cache/trailwarden/modules`; none off Unix, where the cache is off.
    pub fn default_dir() -> Option<PathBuf> {
        if cfg!(not(unix)) {
            return None;
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
        Some(base.join("trailwarden").join("modules"))
    }

    /// The default key file, see [`key`].
    pub fn default_key_file() -> Option<PathBuf> {
        #[cfg(unix)]
        return key::default_path();
        #[cfg(not(unix))]
        return None;
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(unix)]
mod entries;

#[cfg(not(unix))]
impl ModuleCache {
    /// Off Unix there is no cache.
    pub fn open(_dir: PathBuf, _key_file: &Path) -> Result<Self, CacheError> {
        Err(CacheError::Unsupported)
    }

    /// Off Unix there is no cache to read.
    pub fn lookup(&self, _engine: &wasmtime::Engine, _wasm: &[u8]) -> Option<wasmtime::Module> {
        None
    }

    /// Compiles `wasm`: off Unix there is no cache to write.
    pub fn compile_and_store(
        &self,
        engine: &wasmtime::Engine,
        wasm: &[u8],
    ) -> wasmtime::Result<wasmtime::Module> {
        wasmtime::Module::new(engine, wasm)
    }
}
