//! trailwarden's own rules: results about the run rather than about the account.
//!
//! GitHub only shows results, so what could not be checked and suppressions that have lapsed
//! must be results too, each under a rule of its own: a could-not-verify result is not a
//! finding of the rule that could not decide (it would carry that rule's severity), and an
//! expired suppression is a problem of the configuration, not of the account.

use trailwarden_sdk::{Level, Mappings, RuleMeta};

/// An expired `[[suppress]]` entry: the accepted risk must be looked at again.
pub const EXPIRED_SUPPRESSION: &str = "TW-TOOL-001";
/// A rule could not decide because the snapshot lacks data or the resource is elsewhere.
pub const COULD_NOT_VERIFY: &str = "TW-TOOL-002";
/// An AWS call failed while the snapshot was collected.
pub const COLLECTION_ERROR: &str = "TW-TOOL-003";

/// Every one of trailwarden's own rules, in id order.
pub const IDS: [&str; 3] = [EXPIRED_SUPPRESSION, COULD_NOT_VERIFY, COLLECTION_ERROR];

/// What `rules list` and `rules explain` name as the source of trailwarden's own rules, which
/// belong to no pack.
pub const SOURCE: &str = "trailwarden";

/// The metadata of one of trailwarden's own rules.
pub fn meta(id: &str) -> Option<RuleMeta> {
    let (name, level, doc) = match id {
        EXPIRED_SUPPRESSION => (
            "expired-suppression",
            Level::Warning,
            "A suppression in `.trailwarden.toml` has passed its `expires` date.\n\n\
             The finding it covered is reported again, and so is the lapsed suppression, so \
             that an accepted risk is looked at again rather than accepted forever.\n\n\
             ## How to fix\nFix the finding, or renew the suppression with a new `expires` \
             date and a current `reason`.",
        ),
        COULD_NOT_VERIFY => (
            "could-not-verify",
            Level::Note,
            "A rule could not decide, because the snapshot lacks the data it needs or the \
             resource belongs to another account.\n\n\
             This is neither a pass nor a failure. The message names the rule, what is missing \
             and where to look.\n\n\
             ## How to fix\nGrant the read permission the message names (see the README's IAM \
             policy), or check the resource in the account that owns it.",
        ),
        COLLECTION_ERROR => (
            "collection-error",
            Level::Warning,
            "An AWS call failed while the snapshot was collected, so the results that need its \
             data could not be verified.\n\n\
             The run exits 2 unless `--allow-partial` is given.\n\n\
             ## How to fix\nGrant the permission for the operation named in the message (see \
             the README's IAM policy), or exclude a region that is not enabled.",
        ),
        _ => return None,
    };
    let short = doc.split("\n\n").next().unwrap_or(doc).to_owned();
    Some(RuleMeta {
        id: id.to_owned(),
        name: name.to_owned(),
        short_description: short.clone(),
        full_description: short,
        help_markdown: doc.to_owned(),
        help_uri: None,
        level,
        security_severity: None,
        precision: "very-high".to_owned(),
        tags: vec!["trailwarden".to_owned()],
        mappings: Mappings::default(),
        needs: Vec::new(),
        settings: Vec::new(),
    })
}
