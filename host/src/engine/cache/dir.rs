//! Opening a private directory (the cache, the key's) so that nobody else can change what it
//! holds between the check and the use.
//!
//! The rule, checked on every directory from the root down to the one asked for:
//!
//! - the directory itself must belong to you and be writable by nobody else (no `g+w`, `o+w`):
//!   whoever can write it can plant files in it;
//! - every parent must belong to you or to root, and be writable by nobody else, except a
//!   root-owned sticky directory such as `/tmp` (mode 1777): there others can create entries
//!   but cannot rename or remove yours, and a directory they planted under your name would
//!   belong to them and be refused. A parent owned by someone else, or writable by others
//!   without the sticky bit, lets them swap the whole directory, which no `chmod` of the
//!   directory itself would fix.
//!
//! The path is resolved once (`canonicalize`, so that a home reached through a symbolic link
//! works); then each component is opened relative to the handle of its checked parent with
//! `O_NOFOLLOW | O_DIRECTORY` and checked through that handle (`fstat`), so a component
//! swapped for a symbolic link or another directory after the resolution is either refused or
//! is the very directory that was checked. Entries are then opened relative to the final handle.

use std::os::fd::OwnedFd;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{Mode, OFlags};

/// Why a directory on the way to the cache (or the key) is refused; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsafe {
    /// The directory belongs to another user: only they (or root) can fix that.
    OtherOwner {
        /// Its owner.
        uid: u32,
        /// You.
        me: u32,
    },
    /// The directory is yours but others may write it.
    Writable {
        /// Its permission bits.
        mode: u32,
    },
    /// A parent belongs to another user, who could replace the directory.
    ParentOtherOwner {
        /// The parent.
        parent: PathBuf,
        /// Its owner.
        uid: u32,
    },
    /// A parent is writable by others and is not a root-owned sticky directory.
    ParentWritable {
        /// The parent.
        parent: PathBuf,
        /// Its permission bits.
        mode: u32,
        /// Whether the parent is yours (then `chmod` fixes it).
        yours: bool,
    },
}

impl Unsafe {
    /// What is wrong and what to do, for a message about `what` at `path`.
    pub fn explain(&self, path: &Path) -> String {
        let p = path.display();
        match self {
            Unsafe::OtherOwner { uid, me } => format!(
                "it belongs to uid {uid}, not to you (uid {me}), so its owner could plant \
                 native code there; chmod cannot fix that: choose a directory of your own \
                 (--cache-dir, or TRAILWARDEN_CACHE_KEY for the key), remove this one as its \
                 owner, or pass --no-cache"
            ),
            Unsafe::Writable { mode } => format!(
                "it is writable by group or others (mode {mode:o}), so they could plant \
                 native code there; run `chmod go-w {p}`, or pass --no-cache"
            ),
            Unsafe::ParentOtherOwner { parent, uid } => format!(
                "its parent {} belongs to uid {uid}, who could swap the directory for one of \
                 their own; choose a location whose every parent belongs to you or to root, \
                 or pass --no-cache",
                parent.display()
            ),
            Unsafe::ParentWritable {
                parent,
                mode,
                yours,
            } => {
                let fix = if *yours {
                    format!("run `chmod go-w {}`", parent.display())
                } else {
                    "choose a location whose parents only you or root can write".to_owned()
                };
                format!(
                    "its parent {} is writable by group or others (mode {mode:o}) and is not \
                     a root-owned sticky directory like /tmp, so they could swap the \
                     directory; {fix}, or pass --no-cache",
                    parent.display()
                )
            }
        }
    }
}

/// Why a private directory could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The file system refused (missing, not a directory, a symbolic link swapped in, …).
    Io(PathBuf, std::io::Error),
    /// The ownership or mode rule was broken.
    Unsafe(Unsafe),
}

/// Creates `dir` (mode 0700, with missing parents) if it does not exist.
pub fn create_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Opens `dir` after checking it and every parent by the rule in the module docs; the handle
/// refers to the directory that was checked.
pub fn open_checked(dir: &Path) -> Result<OwnedFd, OpenError> {
    let resolved = std::fs::canonicalize(dir).map_err(|e| OpenError::Io(dir.to_owned(), e))?;
    let me = rustix::process::geteuid().as_raw();
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let io = |path: &Path, e: rustix::io::Errno| OpenError::Io(path.to_owned(), e.into());
    let root = Path::new("/");
    let mut handle = rustix::fs::open(root, flags, Mode::empty()).map_err(|e| io(root, e))?;
    let mut current = PathBuf::from("/");
    let components: Vec<_> = resolved
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_owned()),
            _ => None,
        })
        .collect();
    if components.is_empty() {
        return check(&handle, &current, me, true).map(|()| handle);
    }
    check(&handle, &current, me, false)?;
    for (i, name) in components.iter().enumerate() {
        current.push(name);
        handle = rustix::fs::openat(&handle, name.as_os_str(), flags, Mode::empty())
            .map_err(|e| io(&current, e))?;
        check(&handle, &current, me, i + 1 == components.len())?;
    }
    Ok(handle)
}

/// Checks one opened directory: the final one (`last`) or a parent.
fn check(handle: &OwnedFd, path: &Path, me: u32, last: bool) -> Result<(), OpenError> {
    let stat = rustix::fs::fstat(handle).map_err(|e| OpenError::Io(path.to_owned(), e.into()))?;
    let (uid, mode) = (stat.st_uid, stat.st_mode & 0o7777);
    let writable_by_others = mode & 0o022 != 0;
    let problem = if last {
        if uid != me {
            Some(Unsafe::OtherOwner { uid, me })
        } else if writable_by_others {
            Some(Unsafe::Writable { mode })
        } else {
            None
        }
    } else if uid != me && uid != 0 {
        Some(Unsafe::ParentOtherOwner {
            parent: path.to_owned(),
            uid,
        })
    } else if writable_by_others && !(uid == 0 && mode & 0o1000 != 0) {
        Some(Unsafe::ParentWritable {
            parent: path.to_owned(),
            mode,
            yours: uid == me,
        })
    } else {
        None
    };
    match problem {
        Some(problem) => Err(OpenError::Unsafe(problem)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tw-dir-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        create_private(&dir).expect("created");
        dir
    }

    #[test]
    fn a_private_directory_under_tmp_opens() {
        let dir = scratch("ok");
        assert!(open_checked(&dir).is_ok());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_parent_writable_by_others_without_sticky_bit_is_refused() {
        let parent = scratch("parent");
        let dir = parent.join("cache");
        create_private(&dir).expect("created");
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        match open_checked(&dir) {
            Err(OpenError::Unsafe(Unsafe::ParentWritable {
                parent: p, yours, ..
            })) => {
                assert_eq!(p, std::fs::canonicalize(&parent).expect("resolves"));
                assert!(yours);
            }
            other => panic!("expected a refused parent, got {other:?}"),
        }
        let _ = std::fs::remove_dir_all(parent);
    }

    #[test]
    fn a_symbolic_link_as_the_directory_is_followed_only_when_resolving() {
        let dir = scratch("target");
        let link = std::env::temp_dir().join(format!("tw-dir-link-{}", std::process::id()));
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&dir, &link).expect("symlink");
        // The link is resolved once to the private directory it names, which is checked.
        assert!(open_checked(&link).is_ok());
        let _ = std::fs::remove_file(link);
        let _ = std::fs::remove_dir_all(dir);
    }
}
