//! The on-disk cache of compiled packs.
//!
//! Compiling a pack costs 0.2–1.5 s; loading compiled code costs about a millisecond. But
//! compiled code is native code that wasmtime loads without validating it, so whoever can write
//! the cache can run code as the user. The cache therefore lives in a private directory that
//! trailwarden creates with mode 0700 and refuses when another user owns it or when it is
//! group- or world-writable. Each entry carries a SHA-256 of its contents, so a truncated or
//! corrupted entry is recompiled rather than loaded.
//!
//! Entries are keyed by the wasm's SHA-256, the engine's compatibility hash (target, tunables,
//! features) and the wasmtime version, and written atomically (temporary file, then rename).

use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

/// Why the cache directory cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// The directory could not be created or read.
    #[error("cannot use cache directory {}: {source}", path.display())]
    Io {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Others could write compiled code there.
    #[error(
        "refusing cache directory {}: it is {why}, so others could plant native code there; \
         run `chmod 700 {}` or pass --no-cache",
        path.display(), path.display()
    )]
    Unsafe {
        /// The directory.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
}

/// The directory of compiled packs.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    dir: PathBuf,
}

impl ModuleCache {
    /// The default location: `$XDG_CACHE_HOME/trailwarden/modules` or
    /// `~/.cache/trailwarden/modules`.
    pub fn default_dir() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
        Some(base.join("trailwarden").join("modules"))
    }

    /// Opens (creating it private if needed) and checks the cache directory.
    pub fn open(dir: PathBuf) -> Result<Self, CacheError> {
        create_private_dir(&dir).map_err(|source| CacheError::Io {
            path: dir.clone(),
            source,
        })?;
        check_private(&dir)?;
        Ok(Self { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The compiled module for `wasm`, from the cache when a valid entry exists.
    pub fn load_or_compile(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Module> {
        let path = self.dir.join(format!("{}.cwasm", entry_key(engine, wasm)));
        if let Some(module) = self.load(engine, &path) {
            tracing::debug!(path = %path.display(), "loaded compiled pack from cache");
            return Ok(module);
        }
        let compiled = engine.precompile_module(wasm)?;
        if let Err(error) = write_entry(&path, &compiled) {
            tracing::warn!(path = %path.display(), %error, "could not write the compile cache");
        }
        // SAFETY: `compiled` was produced by this engine's `precompile_module` just now.
        unsafe { Module::deserialize(engine, &compiled) }
    }

    fn load(&self, engine: &Engine, path: &Path) -> Option<Module> {
        let bytes = std::fs::read(path).ok()?;
        let (digest, payload) = bytes.split_at_checked(32)?;
        if Sha256::digest(payload).as_slice() != digest {
            tracing::warn!(path = %path.display(), "corrupt cache entry; recompiling");
            let _ = std::fs::remove_file(path);
            return None;
        }
        // SAFETY: the entry sits in a directory only this user can write (checked in `open`),
        // was written by `write_entry` from `precompile_module` output, and its digest matches.
        match unsafe { Module::deserialize(engine, payload) } {
            Ok(module) => Some(module),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "unusable cache entry; recompiling");
                let _ = std::fs::remove_file(path);
                None
            }
        }
    }
}

fn entry_key(engine: &Engine, wasm: &[u8]) -> String {
    struct ShaHasher(Sha256);
    impl Hasher for ShaHasher {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    let mut hasher = ShaHasher(Sha256::new());
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut hasher);
    hasher.0.update(wasmtime_version().as_bytes());
    hasher.0.update(Sha256::digest(wasm));
    hex::encode(&hasher.0.finalize()[..20])
}

/// The wasmtime version compiled in, part of every cache key.
fn wasmtime_version() -> &'static str {
    "wasmtime-48"
}

fn write_entry(path: &Path, compiled: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
        std::process::id(),
        WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let mut file = create_private_file(&tmp)?;
    file.write_all(&Sha256::digest(compiled))?;
    file.write_all(compiled)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn check_private(dir: &Path) -> Result<(), CacheError> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir).map_err(|source| CacheError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let me = rustix::process::geteuid().as_raw();
    let why = if meta.uid() != me {
        Some(format!(
            "owned by uid {}, not by you (uid {me})",
            meta.uid()
        ))
    } else if meta.mode() & 0o022 != 0 {
        Some(format!(
            "writable by others (mode {:o})",
            meta.mode() & 0o777
        ))
    } else {
        None
    };
    match why {
        Some(why) => Err(CacheError::Unsafe {
            path: dir.to_owned(),
            why,
        }),
        None => Ok(()),
    }
}

#[cfg(not(unix))]
fn check_private(_dir: &Path) -> Result<(), CacheError> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tw-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn creates_private_directory() {
        let dir = scratch("private");
        let cache = ModuleCache::open(dir.clone()).expect("opens");
        let mode = std::fs::metadata(cache.dir())
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn refuses_world_writable_directory() {
        let dir = scratch("open");
        std::fs::create_dir_all(&dir).expect("created");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        let error = ModuleCache::open(dir.clone()).expect_err("refused");
        assert!(matches!(error, CacheError::Unsafe { .. }), "{error}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn corrupt_entry_is_recompiled() {
        let dir = scratch("corrupt");
        let cache = ModuleCache::open(dir.clone()).expect("opens");
        let engine = Engine::default();
        let wasm = b"\0asm\x01\0\0\0";
        cache.load_or_compile(&engine, wasm).expect("compiles");
        let entry = std::fs::read_dir(&dir)
            .expect("listed")
            .filter_map(Result::ok)
            .find(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
            .expect("an entry was written")
            .path();
        let mut bytes = std::fs::read(&entry).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&entry, &bytes).expect("corrupted");
        assert!(
            cache.load(&engine, &entry).is_none(),
            "corrupt entry must not load"
        );
        cache.load_or_compile(&engine, wasm).expect("recompiles");
        assert!(cache.load(&engine, &entry).is_some(), "entry rewritten");
        let _ = std::fs::remove_dir_all(dir);
    }
}
