//! The `wildcard` operator: `*` matches any run of characters, `\*` a literal star.
//!
//! Source: EventBridge "Content filtering in Amazon EventBridge event patterns" (wildcard
//! matching) and event-ruler `README.md` ("A single value can contain zero to many wildcard
//! characters, but consecutive wildcard characters are not allowed … A backslash escaping any
//! character other than asterisk or backslash is not allowed."), `input/WildcardParser.java`.

use super::error::EventPatternErrorKind;

/// One piece of a parsed wildcard.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// Literal characters, escapes resolved.
    Text(String),
    /// `*`.
    Star,
}

/// A parsed wildcard expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Wildcard {
    pieces: Vec<Piece>,
}

impl Wildcard {
    /// Parses `text`, refusing `**` and escapes other than `\*` and `\\`.
    pub(crate) fn parse(text: &str) -> Result<Self, EventPatternErrorKind> {
        let fail = |reason| EventPatternErrorKind::Wildcard {
            pattern: text.to_owned(),
            reason,
        };
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '*' => {
                    if matches!(pieces.last(), Some(Piece::Star)) && literal.is_empty() {
                        return Err(fail("consecutive wildcard characters are not allowed"));
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Star);
                }
                '\\' => match chars.next() {
                    Some(escaped @ ('*' | '\\')) => literal.push(escaped),
                    _ => {
                        return Err(fail("a backslash may only escape `*` or another backslash"));
                    }
                },
                other => literal.push(other),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Self { pieces })
    }

    /// Whether `value` matches the whole expression.
    pub(crate) fn matches(&self, value: &str) -> bool {
        // Classic glob matching with backtracking to the last star: linear in practice and
        // never worse than O(pieces × len).
        let mut rest = value;
        let mut pieces = self.pieces.iter().peekable();
        let mut anchored = true;
        while let Some(piece) = pieces.next() {
            match piece {
                Piece::Star => anchored = false,
                Piece::Text(text) => {
                    let is_last = pieces.peek().is_none();
                    if anchored {
                        match rest.strip_prefix(text.as_str()) {
                            Some(after) => rest = after,
                            None => return false,
                        }
                    } else if is_last {
                        // The last literal after a star must end the value.
                        return rest.ends_with(text.as_str());
                    } else {
                        // Earliest occurrence is always the best choice for a middle literal.
                        match rest.find(text.as_str()) {
                            Some(at) => rest = &rest[at + text.len()..],
                            None => return false,
                        }
                    }
                    anchored = true;
                }
            }
        }
        // Ending on a star accepts whatever is left; ending on text needs nothing left.
        !anchored || rest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wc(text: &str) -> Wildcard {
        Wildcard::parse(text).expect("valid wildcard")
    }

    #[test]
    fn matches_like_the_docs() {
        // EventBridge docs: "dir/*.png" matches "dir/abc.png".
        assert!(wc("dir/*.png").matches("dir/abc.png"));
        assert!(wc("dir/*.png").matches("dir/.png"));
        assert!(!wc("dir/*.png").matches("dir/abc.jpg"));
        assert!(!wc("dir/*.png").matches("other/abc.png"));
        // event-ruler README: "Simple*Service".
        assert!(wc("Simple*Service").matches("SimpleNotificationService"));
        assert!(wc("*/lib/*").matches("/usr/lib/x.so"));
        assert!(!wc("*/lib/*").matches("/usr/bin/x"));
        assert!(wc("*").matches(""));
        assert!(wc("a*b*c").matches("abbbc"));
        assert!(!wc("a*b*c").matches("acb"));
        assert!(wc("*ab").matches("abab"));
        assert!(!wc("ab").matches("abab"));
    }

    #[test]
    fn escapes() {
        assert!(wc(r"a\*b").matches("a*b"));
        assert!(!wc(r"a\*b").matches("axb"));
        assert!(wc(r"a\\*").matches(r"a\anything"));
        assert!(wc(r"\**").matches("*star"));
    }

    #[test]
    fn refuses_what_event_ruler_refuses() {
        assert!(Wildcard::parse("a**b").is_err());
        assert!(Wildcard::parse(r"a\b").is_err());
        assert!(Wildcard::parse("a\\").is_err());
        assert!(Wildcard::parse(r"\**").is_ok());
    }
}
