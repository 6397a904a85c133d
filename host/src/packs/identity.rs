//! Which pack speaks for what: names and rule ids are checked across the loaded packs so that
//! no pack can speak for another.
//!
//! - Pack names starting with `trailwarden-rules-` (and `trailwarden` itself) and rule ids
//!   starting with `TW-` (any case) belong to trailwarden's built-in packs; a user's pack that
//!   claims one is refused, named with its file, and the run goes on without it (and exits 2,
//!   incomplete), so a planted pack can neither impersonate nor silence the built-in checks.
//! - Two packs with one name (compared ignoring case), or one rule id declared by two packs,
//!   is a configuration error reported before anything runs, naming both packs and files.
//!
//! Results are routed by the loaded pack (its index in the set), never by name.

use std::collections::BTreeMap;

use anyhow::bail;

use crate::engine::{LoadedPack, sanitize_line};

/// The prefix of the built-in packs' names, reserved.
pub const RESERVED_PACK_PREFIX: &str = "trailwarden-rules-";

/// The prefix of the built-in rules' ids, reserved.
pub const RESERVED_RULE_PREFIX: &str = "TW-";

/// Why a user's pack claims what belongs to trailwarden, if it does.
pub fn reserved_claim(pack: &LoadedPack) -> Option<String> {
    let name = pack.meta.name.to_ascii_lowercase();
    if name == "trailwarden" || name.starts_with(RESERVED_PACK_PREFIX) {
        return Some(format!(
            "its name {} is reserved for trailwarden's built-in packs (names starting with \
             {RESERVED_PACK_PREFIX}); rename the pack (its crate name)",
            sanitize_line(&pack.meta.name)
        ));
    }
    let reserved: Vec<String> = pack
        .meta
        .rules
        .iter()
        .filter(|rule| {
            rule.id
                .get(..RESERVED_RULE_PREFIX.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(RESERVED_RULE_PREFIX))
        })
        .map(|rule| sanitize_line(&rule.id))
        .collect();
    if reserved.is_empty() {
        return None;
    }
    Some(format!(
        "it declares {}, but rule ids starting with {RESERVED_RULE_PREFIX} are reserved for \
         trailwarden's built-in rules; give your rules your own prefix, e.g. ACME-KMS-001",
        reserved.join(", ")
    ))
}

/// Every pack name used by more than one pack, and every rule id declared by more than one
/// pack, each with the packs involved; an error if there is any.
pub fn check_unique(packs: &[LoadedPack]) -> anyhow::Result<()> {
    let mut names: BTreeMap<String, Vec<&LoadedPack>> = BTreeMap::new();
    let mut owners: BTreeMap<&str, Vec<&LoadedPack>> = BTreeMap::new();
    for pack in packs {
        names
            .entry(pack.meta.name.to_ascii_lowercase())
            .or_default()
            .push(pack);
        for rule in &pack.meta.rules {
            owners.entry(rule.id.as_str()).or_default().push(pack);
        }
    }
    let describe = |packs: &[&LoadedPack]| -> String {
        packs
            .iter()
            .map(|p| p.describe())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let name_clashes: Vec<String> = names
        .iter()
        .filter(|(_, packs)| packs.len() > 1)
        .map(|(_, packs)| {
            format!(
                "  the name {} is used by {}",
                sanitize_line(&packs[0].meta.name),
                describe(packs)
            )
        })
        .collect();
    if !name_clashes.is_empty() {
        bail!(
            "{} pack name{} used twice; each pack must have its own name (load each pack \
             once, and rename a pack that copies another's crate name):\n{}",
            name_clashes.len(),
            if name_clashes.len() == 1 {
                " is"
            } else {
                "s are"
            },
            name_clashes.join("\n")
        );
    }
    let clashes: Vec<String> = owners
        .iter()
        .filter(|(_, packs)| packs.len() > 1)
        .map(|(id, packs)| format!("  {} is declared by {}", sanitize_line(id), describe(packs)))
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
