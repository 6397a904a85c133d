//! Every rule's help has the sections `rules explain` and GitHub promise, checked once for every
//! built-in pack (as embedded in the binary) and for the example custom pack, so a new rule or a
//! new pack cannot ship without them.

use trailwarden::builtin::BUILTIN_PACKS;
use trailwarden::engine::{Limits, PackOrigin, Sandbox};
use trailwarden_sdk::RuleMeta;
use trailwarden_tests::custom_pack;

/// The sections of a rule's help, in the order the guide (`docs/writing-rules.md`) gives them;
/// `## Settings` is optional and not listed.
const SECTIONS: [&str; 5] = [
    "## What it checks",
    "## Why it matters",
    "## Example",
    "## How to fix",
    "## References",
];

/// Every rule of the built-in packs and of the example pack, with its pack's name.
fn rules() -> Vec<(String, RuleMeta)> {
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let mut packs: Vec<(PackOrigin, &[u8])> = BUILTIN_PACKS
        .iter()
        .map(|(name, bytes)| (PackOrigin::Builtin(name), *bytes))
        .collect();
    packs.push((
        PackOrigin::File("acme_security_rules.wasm".into()),
        custom_pack(),
    ));
    let mut rules = Vec::new();
    for (origin, bytes) in packs {
        let pack = sandbox.load(origin, bytes).expect("pack loads");
        for rule in pack.meta.rules {
            rules.push((pack.meta.name.clone(), rule));
        }
    }
    rules
}

/// Problems with one rule's help, empty when it is complete.
fn problems(rule: &RuleMeta) -> Vec<String> {
    let mut problems = Vec::new();
    let headings: Vec<&str> = rule
        .help_markdown
        .lines()
        .filter(|line| line.starts_with("## "))
        .collect();
    let mut position = 0;
    for section in SECTIONS {
        match headings.iter().position(|heading| *heading == section) {
            None => problems.push(format!("lacks `{section}`")),
            Some(at) if at < position => problems.push(format!("`{section}` is out of order")),
            Some(at) => position = at,
        }
    }
    if !rule.short_description.ends_with('.') {
        problems.push(format!(
            "short description {:?} is not a sentence",
            rule.short_description
        ));
    }
    if let Some(uri) = &rule.help_uri
        && !uri.starts_with("https://")
    {
        problems.push(format!("helpUri {uri} is not https"));
    }
    problems
}

#[test]
fn every_rule_of_every_pack_has_complete_help() {
    let rules = rules();
    for pack in [
        "trailwarden-rules-cloudtrail",
        "trailwarden-rules-kms",
        "trailwarden-rules-cis-monitoring",
        "acme-security-rules",
    ] {
        assert!(
            rules.iter().any(|(name, _)| name == pack),
            "pack {pack} not checked"
        );
    }
    let failures: Vec<String> = rules
        .iter()
        .flat_map(|(pack, rule)| {
            problems(rule)
                .into_iter()
                .map(move |problem| format!("{pack} {}: {problem}", rule.id))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_missing_or_misplaced_section_is_reported() {
    let (_, rule) = rules().swap_remove(0);
    let mut broken = rule.clone();
    broken.help_markdown = broken.help_markdown.replace("## Example", "## Examples");
    broken.help_uri = Some("http://example.com".to_owned());
    assert_eq!(
        problems(&broken),
        [
            "lacks `## Example`",
            "helpUri http://example.com is not https"
        ]
    );
    let mut swapped = rule;
    swapped.help_markdown = swapped
        .help_markdown
        .replace("## Why it matters", "## TMP")
        .replace("## What it checks", "## Why it matters")
        .replace("## TMP", "## What it checks");
    assert_eq!(problems(&swapped), ["`## Why it matters` is out of order"]);
}
