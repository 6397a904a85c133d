//! Reading and writing authenticated cache entries relative to the checked directory handle.

use std::hash::Hasher;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hmac::{KeyInit, Mac};
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

use super::dir::{OpenError, create_private, open_checked};
use super::{CacheError, MAX_ENTRY_BYTES, ModuleCache, key};

type HmacSha256 = hmac::Hmac<Sha256>;

/// Bytes of the authentication tag at the start of every entry.
const TAG_BYTES: usize = 32;

/// What every tag covers first, so that a tag for anything else never matches.
const DOMAIN: &[u8] = b"trailwarden compiled pack v2\0";

impl ModuleCache {
    /// Opens (creating it private if needed) and checks the cache directory `dir`, and reads
    /// (creating it if needed) the key in `key_file`.
    pub fn open(dir: PathBuf, key_file: &Path) -> Result<Self, CacheError> {
        create_private(&dir).map_err(|source| CacheError::Io {
            path: dir.clone(),
            source,
        })?;
        let handle = open_checked(&dir).map_err(|e| match e {
            OpenError::Io(path, source) => CacheError::Io { path, source },
            OpenError::Unsafe(problem) => CacheError::Unsafe {
                what: "cache directory",
                path: dir.clone(),
                why: problem.explain(&dir),
            },
        })?;
        let key = key::load_or_create(key_file)?;
        Ok(Self {
            dir,
            handle: Arc::new(handle),
            key: Arc::new(key),
        })
    }

    /// The compiled module for `wasm`, from the cache when an authentic entry exists.
    pub fn load_or_compile(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Module> {
        match self.lookup(engine, wasm) {
            Some(module) => Ok(module),
            None => self.compile_and_store(engine, wasm),
        }
    }

    /// The compiled module for `wasm` if an authentic entry exists.
    pub fn lookup(&self, engine: &Engine, wasm: &[u8]) -> Option<Module> {
        let name = format!("{}.cwasm", entry_key(engine, wasm));
        let module = self.load(engine, &name)?;
        tracing::debug!(entry = %self.dir.join(&name).display(), "loaded compiled pack from cache");
        Some(module)
    }

    /// Compiles `wasm` and writes its entry (a failure to write is a warning only).
    pub fn compile_and_store(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Module> {
        let name = format!("{}.cwasm", entry_key(engine, wasm));
        let compiled = engine.precompile_module(wasm)?;
        if let Err(error) = self.write_entry(&name, &compiled) {
            tracing::warn!(entry = %self.dir.join(&name).display(), %error, "could not write the compile cache");
        }
        // SAFETY: `compiled` was produced by this engine's `precompile_module` just now.
        unsafe { Module::deserialize(engine, &compiled) }
    }

    /// The module in entry `name`, if it is authentic and loads; anything else is deleted.
    pub(super) fn load(&self, engine: &Engine, name: &str) -> Option<Module> {
        let path = self.dir.join(name);
        let bytes = match self.read_entry(name) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(why) => {
                tracing::warn!(entry = %path.display(), "{why}; recompiling");
                self.remove(name);
                return None;
            }
        };
        let (tag, payload) = bytes.split_at_checked(TAG_BYTES)?;
        if self.mac(name, payload).verify_slice(tag).is_err() {
            tracing::warn!(
                entry = %path.display(),
                "cache entry failed authentication (not written by trailwarden with your key); \
                 deleting it and recompiling"
            );
            self.remove(name);
            return None;
        }
        // SAFETY: the entry's HMAC, keyed by this user's private key over the entry's name and
        // contents, matches: it was written by `write_entry` from `precompile_module` output
        // for this engine configuration.
        match unsafe { Module::deserialize(engine, payload) } {
            Ok(module) => Some(module),
            Err(error) => {
                tracing::warn!(entry = %path.display(), %error, "unusable cache entry; recompiling");
                self.remove(name);
                None
            }
        }
    }

    /// The entry's bytes; `Ok(None)` when there is none, `Err` with why it is refused.
    fn read_entry(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
        let fd = match rustix::fs::openat(&*self.handle, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => return Ok(None),
            Err(rustix::io::Errno::LOOP) => {
                return Err("cache entry is a symbolic link, not followed".to_owned());
            }
            Err(e) => return Err(format!("cannot open cache entry: {e}")),
        };
        let stat = rustix::fs::fstat(&fd).map_err(|e| format!("cannot stat cache entry: {e}"))?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return Err("cache entry is not a regular file".to_owned());
        }
        if stat.st_uid != rustix::process::geteuid().as_raw() {
            return Err(format!("cache entry belongs to uid {}", stat.st_uid));
        }
        let size = u64::try_from(stat.st_size).unwrap_or(u64::MAX);
        if size > MAX_ENTRY_BYTES {
            return Err(format!(
                "cache entry is {size} bytes, over the limit of {MAX_ENTRY_BYTES}"
            ));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        std::fs::File::from(fd)
            .take(MAX_ENTRY_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read cache entry: {e}"))?;
        Ok(Some(bytes))
    }

    fn mac(&self, name: &str, payload: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(self.key.as_slice())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(DOMAIN);
        mac.update(name.as_bytes());
        mac.update(b"\0");
        mac.update(payload);
        mac
    }

    fn write_entry(&self, name: &str, compiled: &[u8]) -> std::io::Result<()> {
        static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let tmp = format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let fd: OwnedFd = rustix::fs::openat(
            &*self.handle,
            tmp.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )?;
        let mut file = std::fs::File::from(fd);
        let tag = self.mac(name, compiled).finalize().into_bytes();
        let written = file
            .write_all(&tag)
            .and_then(|()| file.write_all(compiled))
            .and_then(|()| file.sync_all());
        drop(file);
        let renamed = written.and_then(|()| {
            rustix::fs::renameat(&*self.handle, tmp.as_str(), &*self.handle, name)
                .map_err(Into::into)
        });
        if renamed.is_err() {
            let _ = rustix::fs::unlinkat(&*self.handle, tmp.as_str(), AtFlags::empty());
        }
        renamed
    }

    fn remove(&self, name: &str) {
        let _ = rustix::fs::unlinkat(&*self.handle, name, AtFlags::empty());
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn scratch(name: &str) -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!("tw-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        (dir.join("modules"), dir.join("key").join("cache.key"))
    }

    fn entry_in(dir: &Path) -> PathBuf {
        std::fs::read_dir(dir)
            .expect("listed")
            .filter_map(Result::ok)
            .find(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
            .expect("an entry was written")
            .path()
    }

    fn name_of(path: &Path) -> String {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    #[test]
    fn creates_private_directory_and_key() {
        let (dir, key) = scratch("private");
        let cache = ModuleCache::open(dir.clone(), &key).expect("opens");
        let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
        assert_eq!(mode(cache.dir()), 0o700);
        assert_eq!(mode(&key), 0o600);
        assert_eq!(std::fs::read(&key).expect("key").len(), key::KEY_BYTES);
        let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
    }

    #[test]
    fn refuses_world_writable_directory_with_chmod_advice() {
        let (dir, key) = scratch("open");
        std::fs::create_dir_all(&dir).expect("created");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        let error = ModuleCache::open(dir.clone(), &key).expect_err("refused");
        assert!(matches!(error, CacheError::Unsafe { .. }), "{error}");
        assert!(error.to_string().contains("chmod go-w"), "{error}");
        let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
    }

    #[test]
    fn refuses_a_key_others_can_read() {
        let (dir, key) = scratch("keymode");
        ModuleCache::open(dir.clone(), &key).expect("opens");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let error = ModuleCache::open(dir.clone(), &key).expect_err("refused");
        assert!(matches!(error, CacheError::Key { .. }), "{error}");
        assert!(error.to_string().contains("mode 644"), "{error}");
        let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
    }

    #[test]
    fn corrupt_entry_is_recompiled() {
        let (dir, key) = scratch("corrupt");
        let cache = ModuleCache::open(dir.clone(), &key).expect("opens");
        let engine = Engine::default();
        let wasm = b"\0asm\x01\0\0\0";
        cache.load_or_compile(&engine, wasm).expect("compiles");
        let entry = entry_in(&dir);
        let mut bytes = std::fs::read(&entry).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&entry, &bytes).expect("corrupted");
        assert!(
            cache.load(&engine, &name_of(&entry)).is_none(),
            "corrupt entry must not load"
        );
        assert!(!entry.exists(), "the corrupt entry is deleted");
        cache.load_or_compile(&engine, wasm).expect("recompiles");
        assert!(
            cache.load(&engine, &name_of(&entry)).is_some(),
            "entry rewritten"
        );
        let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
    }

    #[test]
    fn an_entry_written_with_another_key_is_not_loaded() {
        let (dir, key) = scratch("otherkey");
        let engine = Engine::default();
        let wasm = b"\0asm\x01\0\0\0";
        let other = dir
            .parent()
            .expect("parent")
            .join("other")
            .join("cache.key");
        ModuleCache::open(dir.clone(), &other)
            .expect("opens")
            .load_or_compile(&engine, wasm)
            .expect("compiles");
        let entry = entry_in(&dir);
        let cache = ModuleCache::open(dir.clone(), &key).expect("opens");
        assert!(cache.load(&engine, &name_of(&entry)).is_none());
        let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
    }

    #[test]
    fn a_symbolic_link_named_like_an_entry_is_not_followed() {
        let (dir, key) = scratch("symlink");
        let cache = ModuleCache::open(dir.clone(), &key).expect("opens");
        let engine = Engine::default();
        let wasm = b"\0asm\x01\0\0\0";
        cache.load_or_compile(&engine, wasm).expect("compiles");
        let entry = entry_in(&dir);
        let real = dir.join("real.bin");
        std::fs::rename(&entry, &real).expect("moved");
        std::os::unix::fs::symlink(&real, &entry).expect("symlink");
        assert!(cache.load(&engine, &name_of(&entry)).is_none());
        assert!(
            std::fs::symlink_metadata(&entry).is_err(),
            "the link is deleted"
        );
        let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
    }
}
