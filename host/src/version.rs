//! What `trailwarden --version` prints: `-V` one line, `--version` also what a pack needs to
//! know to run here (the SDK and rule ABI the host speaks) and the built-in packs.
//!
//! A pack built with another SDK major or ABI major is refused, so a bug report or a pack
//! author needs these numbers without digging; they are known at build time.

use std::sync::LazyLock;

use trailwarden_sdk::abi::{ABI_MAJOR, ABI_MINOR};
use trailwarden_sdk::snapshot::SCHEMA_VERSION;

use crate::builtin::BUILTIN_PACK_VERSIONS;

/// The long version (`trailwarden --version`), after clap's `trailwarden ` prefix.
pub static LONG_VERSION: LazyLock<String> = LazyLock::new(long_version);

fn long_version() -> String {
    let mut text = format!(
        "{version}\nsdk: trailwarden-sdk {sdk}\nrule abi: {ABI_MAJOR}.{ABI_MINOR}\nsnapshot schema: {SCHEMA_VERSION}\nbuilt-in packs:",
        version = env!("CARGO_PKG_VERSION"),
        sdk = trailwarden_sdk::SDK_VERSION,
    );
    for (name, version) in BUILTIN_PACK_VERSIONS {
        text.push_str(&format!("\n  {name} {version}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_long_version_names_the_sdk_the_abi_and_every_builtin_pack() {
        let text = long_version();
        assert!(text.starts_with(env!("CARGO_PKG_VERSION")), "{text}");
        assert!(text.contains(&format!("trailwarden-sdk {}", trailwarden_sdk::SDK_VERSION)));
        assert!(text.contains(&format!("rule abi: {ABI_MAJOR}.{ABI_MINOR}")));
        assert_eq!(
            BUILTIN_PACK_VERSIONS.len(),
            crate::builtin::BUILTIN_PACKS.len()
        );
        for (name, _) in crate::builtin::BUILTIN_PACKS {
            assert!(text.contains(name), "{name} missing:\n{text}");
        }
    }
}
