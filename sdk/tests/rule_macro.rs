//! The `#[rule]` macro: every error it reports, pinned with trybuild (`tests/ui/rule/*.rs`, the
//! expected compiler output next to each in a `.stderr` file), and help text shared through
//! `#[doc = some_macro!(…)]` lines.
//!
//! After changing a message, `TRYBUILD=overwrite cargo test -p trailwarden-sdk --test
//! rule_macro` rewrites the `.stderr` files; review them like any other diff.

use trailwarden_sdk::prelude::*;

#[test]
fn rule_macro_errors_read_as_pinned() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/rule/*.rs");
}

/// Help text several rules share, written once.
macro_rules! shared_section {
    ($what:literal) => {
        concat!("## Shared\nWritten once, for ", $what, ".")
    };
}

/// A rule whose help is partly shared.
///
#[doc = shared_section!("this rule")]
///
/// ## Own
/// Its own text.
#[rule(id = "ACME-T-001", name = "shared-help")]
fn shared_help(_snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    Ok(Vec::new())
}

trailwarden_sdk::export_rules![shared_help];

#[test]
fn a_doc_line_may_be_a_macro_that_expands_to_text() {
    let meta = pack().meta();
    let rule = &meta.rules[0];
    assert_eq!(
        rule.help_markdown,
        "A rule whose help is partly shared.\n\n## Shared\nWritten once, for this rule.\n\n\
         ## Own\nIts own text."
    );
    assert_eq!(
        rule.short_description,
        "A rule whose help is partly shared."
    );
}
