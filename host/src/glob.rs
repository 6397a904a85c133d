//! `*` globs for rule ids and ARNs in the configuration (`TW-KMS-*`, `arn:aws:sns:*:alerts`).
//!
//! Only `*` is special: it matches any run of characters, including none. Anything richer
//! (`?`, classes) would make ids and ARNs harder to read and is not needed.

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn stars_match_any_run() {
        assert!(glob_match("TW-KMS-001", "TW-KMS-001"));
        assert!(!glob_match("TW-KMS-001", "TW-KMS-0010"));
        assert!(glob_match("TW-KMS-*", "TW-KMS-001"));
        assert!(glob_match("*", ""));
        assert!(glob_match("TW-*-001", "TW-CW-001"));
        assert!(!glob_match("TW-*-001", "TW-CW-002"));
        assert!(glob_match("a*b*c", "abc"));
        assert!(glob_match("a*b*c", "a-b-b-c"));
        assert!(!glob_match("a*bc*c", "abc"));
        assert!(glob_match(
            "*:alarm:legacy-*",
            "arn:aws:cloudwatch:eu-west-1:1:alarm:legacy-x"
        ));
        assert!(
            !glob_match("ab*ab", "ab"),
            "prefix and suffix may not overlap"
        );
    }
}
