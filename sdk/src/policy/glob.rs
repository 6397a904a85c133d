//! Wildcard matching as IAM does it in `Action`, `Resource` and the `*Like` condition
//! operators: `*` matches any run of characters (none included), `?` exactly one.
//!
//! The two-pointer algorithm with one backtrack point runs in time proportional to the product
//! of the lengths at worst, so a hostile pattern such as `*a*a*a*…` cannot blow up.

/// Whether `text` matches `pattern`, comparing characters exactly.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    matches_by(pattern, text, |p, t| p == t)
}

/// Whether `text` matches `pattern`, ignoring ASCII case (IAM action names are
/// case-insensitive).
pub(crate) fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    matches_by(pattern, text, |p, t| p.eq_ignore_ascii_case(&t))
}

fn matches_by(pattern: &str, text: &str, same: impl Fn(char, char) -> bool) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it is currently taken to end at.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || same(c, text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    // Let the `*` swallow one more character and retry after it.
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// Whether the ARN `text` matches the ARN pattern `pattern` as `ArnLike` does: each of the six
/// colon-separated parts is matched on its own, so a wildcard never spans a colon before the
/// resource part (which may itself contain colons). A lone `*` matches every ARN.
///
/// Source: IAM User Guide, "IAM JSON policy elements: Condition operators", Amazon Resource
/// Name (ARN) condition operators:
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN>
pub(crate) fn arn_matches(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let patterns: Vec<&str> = pattern.splitn(6, ':').collect();
    let texts: Vec<&str> = text.splitn(6, ':').collect();
    patterns.len() == 6
        && texts.len() == 6
        && patterns.iter().zip(&texts).all(|(p, t)| matches(p, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_question_marks() {
        assert!(matches("*", ""));
        assert!(matches("a*c", "abbbc"));
        assert!(matches("a*c", "ac"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(!matches("abc", "abcd"));
        assert!(matches(
            "*:alarm:*",
            "arn:aws:cloudwatch:us-east-1:1:alarm:x"
        ));
        assert!(!matches("A*", "abc"));
        assert!(matches_ignore_case("SNS:Pub*", "sns:Publish"));
    }

    #[test]
    fn hostile_patterns_finish() {
        let pattern = "*a".repeat(200) + "b";
        let text = "a".repeat(2000);
        assert!(!matches(&pattern, &text));
    }

    #[test]
    fn arn_parts_are_matched_one_by_one() {
        let alarm = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cmk-changes";
        assert!(arn_matches(
            "arn:aws:cloudwatch:*:111122223333:alarm:*",
            alarm
        ));
        assert!(arn_matches(
            "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cmk-*",
            alarm
        ));
        assert!(!arn_matches(
            "arn:aws:cloudwatch:*:444455556666:alarm:*",
            alarm
        ));
        // `*` in the region part does not reach across into the account.
        assert!(!arn_matches("arn:aws:cloudwatch:*3333:alarm:*", alarm));
        assert!(arn_matches("*", alarm));
        assert!(!arn_matches("arn:aws:*", alarm));
    }
}
