//! Malformed patterns are errors with a span and a message that says what to do.

use super::{MAX_DEPTH, MAX_PATTERN_CHARS, Pattern, PatternError, PatternErrorKind};

fn err(pat: &str) -> PatternError {
    match Pattern::parse(pat) {
        Ok(p) => panic!("{pat:?} should not parse, got {p}"),
        Err(e) => e,
    }
}

#[test]
fn errors_have_spans_and_kinds() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str)] = &[
        // (pattern, text under the span, substring of the message)
        ("{ ($.a = 1 }", "(", "unclosed `(`"),
        ("{ $.a = 1 ", "{", "unclosed `{`"),
        ("{ $.a = 1 ) }", ")", "expected `&&`, `||` or `}`"),
        ("{ $.a = }", "}", "expected a value"),
        ("{ $.a }", "}", "expected an operator"),
        ("{ = 1 }", "=", "expected a selector"),
        ("{ $.a = 1 && }", "}", "expected a selector"),
        ("{ $.a = 1 || || $.b = 2 }", "||", "expected a selector"),
        ("{ }", "}", "expected a condition"),
        ("{ $. = 1 }", ".", "bad selector"),
        ("{ $.a[x] = 1 }", "[x", "bad selector"),
        ("{ $.a[*] = 1 }", "[*", "[*]"),
        ("{ $[0] = 1 }", "[", "must follow a property"),
        ("{ $ = 1 }", "$", "bad selector"),
        ("{ .a = 1 }", ".a", "start with `$`"),
        ("{ $.a = \"abc }", "\"abc }", "unterminated string"),
        ("{ $.a = %abc }", "%abc }", "unterminated regex"),
        ("%abc", "%abc", "unterminated regex"),
        ("{ $.a = %a(b)% }", "(", "parentheses are not supported"),
        ("{ $.a = %a!% }", "!", "not allowed"),
        ("{ $.a = %é% }", "é", "multi-byte"),
        ("{ $.a = %\\q% }", "\\", "escape `\\q`"),
        ("{ $.a = %a{2,1}% }", "{", "m <= n"),
        ("{ $.a = %*a% }", "*", "nothing to repeat"),
        ("{ $.a = %[ab% }", "[", "unclosed `[`"),
        ("{ $.a = %% }", "%%", "empty regex"),
        ("{ $.a > abc }", ">", "needs a number"),
        ("{ $.a < \"5\" }", "<", "needs a number"),
        ("{ $.a IS MAYBE }", "MAYBE", "NULL, TRUE or FALSE"),
        ("{ $.a NOT THERE }", "THERE", "EXISTS"),
        ("{ $.a = 1e999 }", "1e999", "out of range"),
        ("{ $.a = 1 } extra", "extra", "after the end"),
        ("{ $.a = 1 & $.b = 2 }", "&", "`&&`"),
        ("{ $.a ! 1 }", "!", "`!=`"),
        ("{ $.a = %x% && $.b = %y% && $.c = %z% }", "%z%", "at most 2"),
        ("%abc% tail", "tail", "after the end"),
        ("[a, b", "[", "unclosed `[`"),
        ("[]", "]", "field name"),
        ("[a = 1 && zz = 2]", "zz = 2", "does not name"),
        ("[a b]", "b", "`,` or `]`"),
        ("?", "?", "empty term"),
        ("ERROR -", "-", "empty term"),
        ("\"\"", "\"\"", "empty term"),
        ("\"unterminated", "\"unterminated", "unterminated string"),
    ];
    for (pat, under, msg) in cases {
        let e = err(pat);
        let got = pat.get(e.span.clone()).unwrap_or("<bad span>");
        assert_eq!(got, *under, "span of error for {pat:?}: {e}");
        let text = e.to_string();
        assert!(
            text.contains(msg),
            "message for {pat:?} was {text:?}, wanted {msg:?}"
        );
        assert!(
            text.chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(char::is_lowercase),
            "lowercase message: {text}"
        );
    }
}

#[test]
fn size_limit_is_1024_characters() {
    let ok = format!("\"{}\"", "a".repeat(MAX_PATTERN_CHARS - 2));
    assert!(Pattern::parse(&ok).is_ok());
    let long = format!("\"{}\"", "a".repeat(MAX_PATTERN_CHARS - 1));
    let e = err(&long);
    assert!(matches!(
        e.kind,
        PatternErrorKind::TooLong {
            len: 1025,
            max: 1024
        }
    ));
    // Characters, not bytes: 1024 two-byte characters are fine.
    let wide = "é".repeat(MAX_PATTERN_CHARS);
    assert!(Pattern::parse(&wide).is_ok());
}

#[test]
fn nesting_is_bounded() {
    let deep = |n: usize| format!("{{ {}$.a = 1{} }}", "(".repeat(n), ")".repeat(n));
    assert!(Pattern::parse(&deep(MAX_DEPTH)).is_ok());
    let e = err(&deep(MAX_DEPTH + 1));
    assert!(matches!(e.kind, PatternErrorKind::TooDeep { .. }));
    // Far deeper than the limit, still an error rather than a stack overflow.
    assert!(Pattern::parse(&deep(500)).is_err());
}
