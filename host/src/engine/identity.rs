//! What a pack declares about its rules, checked at load: ids that are short and plain, and
//! help links that are `https://`.
//!
//! A rule id appears in terminals, SARIF, configuration keys (`[settings.RULE-ID]`) and
//! suppressions, so it is 1 to [`MAX_RULE_ID`] characters of `A-Z a-z 0-9 . _ -`, starting
//! with a letter or digit; a pack with any other id is refused. A `helpUri` that is not an
//! `https://` URL (a `javascript:` or `file:` link, plain `http`, whitespace or control
//! characters, over [`MAX_HELP_URI`] bytes) is dropped with a warning rather than refusing the
//! pack: the link is decoration, the rule's checks are not, and SARIF viewers render it as a
//! clickable link.

use trailwarden_sdk::PackMeta;

use super::LoadError;
use super::run::sanitize_line;

/// Longest rule id.
pub const MAX_RULE_ID: usize = 64;

/// Longest `helpUri` kept.
pub const MAX_HELP_URI: usize = 2048;

/// Why `id` is not a plain rule id, if it is not.
pub fn rule_id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        return Some("it is empty");
    }
    if id.len() > MAX_RULE_ID {
        return Some("it is longer than 64 characters");
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Some("it does not start with a letter or digit");
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Some("it has characters other than A-Z a-z 0-9 . _ -");
    }
    None
}

/// Refuses a pack with an id that is not plain; drops help links that are not `https://`.
pub fn check_meta(meta: &mut PackMeta) -> Result<(), LoadError> {
    for rule in &meta.rules {
        if let Some(problem) = rule_id_problem(&rule.id) {
            let shown: String = rule.id.chars().take(MAX_RULE_ID + 8).collect();
            return Err(LoadError::Metadata(format!(
                "rule id {:?} is refused: {problem}; a rule id is 1 to {MAX_RULE_ID} of \
                 A-Z a-z 0-9 . _ - starting with a letter or digit, e.g. ACME-KMS-001",
                sanitize_line(&shown)
            )));
        }
    }
    for rule in &mut meta.rules {
        let Some(uri) = &rule.help_uri else { continue };
        if !is_https_link(uri) {
            let shown: String = uri.chars().take(80).collect();
            tracing::warn!(
                pack = %sanitize_line(&meta.name),
                rule = %rule.id,
                uri = %sanitize_line(&shown),
                "dropping the rule's helpUri: only https:// links are kept"
            );
            rule.help_uri = None;
        }
    }
    Ok(())
}

/// An `https://` URL with a host, no whitespace or control characters, not over the limit.
fn is_https_link(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("https://") else {
        return false;
    };
    uri.len() <= MAX_HELP_URI
        && !rest.is_empty()
        && !rest.starts_with('/')
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_pass_and_others_do_not() {
        for ok in ["TW-KMS-001", "acme.kms_2", "A", &"x".repeat(64)] {
            assert_eq!(rule_id_problem(ok), None, "{ok}");
        }
        for bad in ["", "-X", "A B", "A\u{1b}[31m", "Ä", &"x".repeat(65), "a/b"] {
            assert!(rule_id_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn only_https_links_are_kept() {
        assert!(is_https_link("https://example.org/rules/X"));
        for bad in [
            "http://example.org",
            "javascript:alert(1)",
            "https://",
            "https:///etc/passwd",
            "https://a b",
            "file:///etc/passwd",
        ] {
            assert!(!is_https_link(bad), "{bad}");
        }
    }
}
