//! Reading a file a user named without trusting it: its type and size are checked from
//! metadata before a byte is read, and no more than the limit is ever read.
//!
//! The file must be a regular file, or a symbolic link to one: a directory, FIFO, socket or
//! device (`/dev/zero`, say) is refused from its metadata without being opened, and the file is
//! opened with `O_NONBLOCK` so that one swapped for a FIFO after the check cannot block the
//! run; the opened file is checked again (`fstat`). A file over the limit is refused from its
//! size, and the read stops at the limit whatever the file does meanwhile. `--rules` packs and
//! `--iac` code are read this way.

use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum Refused {
    /// It is not a regular file: `a directory`, `a FIFO`, ….
    NotAFile(&'static str),
    /// Its size, over the limit, from its metadata.
    TooLarge(u64),
    /// It grew past the limit while being read.
    Grew,
    /// It could not be opened or read.
    Io(std::io::Error),
}

/// The bytes of the regular file at `path`, at most `limit` of them, or why it was refused.
pub fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, Refused> {
    let meta = std::fs::metadata(path).map_err(Refused::Io)?;
    check_meta(&meta, limit)?;
    let file = open_nonblocking(path).map_err(Refused::Io)?;
    let opened = file.metadata().map_err(Refused::Io)?;
    check_meta(&opened, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0).min(limit));
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    if bytes.len() > limit {
        return Err(Refused::Grew);
    }
    Ok(bytes)
}

fn check_meta(meta: &std::fs::Metadata, limit: usize) -> Result<(), Refused> {
    if !meta.is_file() {
        return Err(Refused::NotAFile(kind(&meta.file_type())));
    }
    if meta.len() > limit as u64 {
        return Err(Refused::TooLarge(meta.len()));
    }
    Ok(())
}

/// `a directory`, `a FIFO`, … for messages.
fn kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let nonblock = i32::try_from(rustix::fs::OFlags::NONBLOCK.bits()).unwrap_or(0);
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nonblock)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}
