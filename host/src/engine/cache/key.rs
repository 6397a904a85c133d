//! The per-user secret that authenticates cache entries.
//!
//! The key is 32 random bytes in a file of its own, by default
//! `$XDG_CONFIG_HOME/trailwarden/cache.key` (else `~/.config/trailwarden/cache.key`), or where
//! `--cache-key` / `TRAILWARDEN_CACHE_KEY` says. It is kept outside the cache directory on
//! purpose: restoring a cache (a CI cache, a copied home) must never bring a key that makes
//! its entries look authentic. A CI job that wants a restored cache to be used provides the
//! key from a secret, written to a file of mode 0600, through `TRAILWARDEN_CACHE_KEY`.
//!
//! It is created with mode 0600 in a private directory (checked like the cache's, see
//! `dir`), under a temporary name opened with `O_EXCL`, then linked into place, so a
//! concurrent run never reads half a key. A key that is not a regular file of 32 bytes
//! belonging to you and readable by nobody else is refused: whoever could read it could forge
//! entries.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Mode, OFlags};

use super::CacheError;
use super::dir::{OpenError, create_private, open_checked};

/// Bytes of key.
pub const KEY_BYTES: usize = 32;

/// The default key file: `$XDG_CONFIG_HOME/trailwarden/cache.key` or
/// `~/.config/trailwarden/cache.key`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("trailwarden").join("cache.key"))
}

/// Reads the key at `path`, creating it if there is none.
pub fn load_or_create(path: &Path) -> Result<[u8; KEY_BYTES], CacheError> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(CacheError::Key {
            path: path.to_owned(),
            why: "it is not a file path".to_owned(),
        });
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let io = |source: std::io::Error| CacheError::Io {
        path: path.to_owned(),
        source,
    };
    create_private(parent).map_err(io)?;
    let dir = open_checked(parent).map_err(|e| match e {
        OpenError::Io(path, source) => CacheError::Io { path, source },
        OpenError::Unsafe(problem) => CacheError::Unsafe {
            what: "cache key directory",
            path: parent.to_owned(),
            why: problem.explain(parent),
        },
    })?;
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    let file = match rustix::fs::openat(&dir, name, flags, Mode::empty()) {
        Ok(file) => file,
        Err(rustix::io::Errno::NOENT) => {
            create(&dir, name).map_err(io)?;
            rustix::fs::openat(&dir, name, flags, Mode::empty()).map_err(|e| io(e.into()))?
        }
        Err(rustix::io::Errno::LOOP) => {
            return Err(refused(path, "it is a symbolic link"));
        }
        Err(e) => return Err(io(e.into())),
    };
    let stat = rustix::fs::fstat(&file).map_err(|e| io(e.into()))?;
    let me = rustix::process::geteuid().as_raw();
    if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::RegularFile {
        return Err(refused(path, "it is not a regular file"));
    }
    if stat.st_uid != me {
        return Err(refused(
            path,
            &format!("it belongs to uid {}, not to you (uid {me})", stat.st_uid),
        ));
    }
    if stat.st_mode & 0o077 != 0 {
        return Err(refused(
            path,
            &format!(
                "others may read or write it (mode {:o}), so they could forge cache entries",
                stat.st_mode & 0o777
            ),
        ));
    }
    let mut key = [0u8; KEY_BYTES];
    let mut reader = std::fs::File::from(file).take(KEY_BYTES as u64 + 1);
    let mut bytes = Vec::with_capacity(KEY_BYTES + 1);
    reader.read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() != KEY_BYTES {
        return Err(refused(path, &format!("it is not {KEY_BYTES} bytes long")));
    }
    key.copy_from_slice(&bytes);
    Ok(key)
}

fn refused(path: &Path, why: &str) -> CacheError {
    CacheError::Key {
        path: path.to_owned(),
        why: why.to_owned(),
    }
}

/// Writes a fresh key under a temporary name and links it into place; losing the race to
/// another run is fine, its key is then used.
fn create(dir: &OwnedFd, name: &std::ffi::OsStr) -> std::io::Result<()> {
    let mut key = [0u8; KEY_BYTES];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
    let tmp = format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id());
    let fd = rustix::fs::openat(
        dir,
        tmp.as_str(),
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )?;
    let mut file = std::fs::File::from(fd);
    let written = file.write_all(&key).and_then(|()| file.sync_all());
    drop(file);
    let linked = written.and_then(|()| {
        match rustix::fs::linkat(dir, tmp.as_str(), dir, name, AtFlags::empty()) {
            Ok(()) | Err(rustix::io::Errno::EXIST) => Ok(()),
            Err(e) => Err(e.into()),
        }
    });
    let _ = rustix::fs::unlinkat(dir, tmp.as_str(), AtFlags::empty());
    linked
}
