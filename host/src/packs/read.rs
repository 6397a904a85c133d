//! Reading a `--rules` file without trusting it ([`crate::bounded_read`]): a pack must be a
//! regular file within the module size limit.

use std::path::Path;

use crate::bounded_read::{Refused, read_bounded};

/// The bytes of the pack at `path`, at most `limit` of them, or why it was refused.
pub fn read_pack(path: &Path, limit: usize) -> Result<Vec<u8>, String> {
    read_bounded(path, limit).map_err(|refused| match refused {
        Refused::NotAFile(kind) => format!(
            "it is {kind}, not a regular file; a pack is a .wasm file built for \
             wasm32-unknown-unknown"
        ),
        Refused::TooLarge(size) => format!(
            "it is {size} bytes, over the module size limit of {limit} bytes (refused before \
             reading it)"
        ),
        Refused::Grew => {
            format!("it grew past the module size limit of {limit} bytes while being read")
        }
        Refused::Io(error) => format!("cannot read it: {error}"),
    })
}
