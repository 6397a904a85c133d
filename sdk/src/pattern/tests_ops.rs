//! Every operator on both sides of its edge cases.

use serde_json::{Value, json};

use super::Pattern;

fn m(pat: &str, event: &Value) -> bool {
    match Pattern::parse(pat) {
        Ok(p) => p.matches(event),
        Err(e) => panic!("{pat:?} should parse: {e}"),
    }
}

#[test]
fn string_equality_and_wildcards() {
    let e = json!({"s": "PutEvent", "lit": "Ev*ent", "empty": ""});
    assert!(m("{ $.s = PutEvent }", &e));
    assert!(!m("{ $.s = putevent }", &e), "case-sensitive");
    assert!(m("{ $.s = *Event }", &e));
    assert!(m("{ $.s = Put* }", &e));
    assert!(m("{ $.s = *tEv* }", &e));
    assert!(!m("{ $.s = *Put }", &e));
    assert!(
        m(r#"{ $.s = "*Event" }"#, &e),
        "wildcards work inside quotes too"
    );
    assert!(!m("{ $.s = Put*Event }", &e), "middle * is literal");
    assert!(m("{ $.lit = Ev*ent }", &e));
    assert!(m("{ $.s != Get* }", &e));
    assert!(!m("{ $.s != Put* }", &e));
    assert!(m("{ $.s = * }", &e), "= * means the field exists");
    assert!(m("{ $.empty = * }", &e));
    assert!(m(r#"{ $.empty = "" }"#, &e));
    assert!(!m("{ $.missing = * }", &e));
    assert!(!m("{ $.s != * }", &e));
}

#[test]
fn missing_fields_with_not_equal_are_false() {
    let e = json!({"a": "x"});
    assert!(!m("{ $.b != x }", &e));
    assert!(!m("{ $.b != 1 }", &e));
    assert!(!m("{ $.b != %x% }", &e));
    assert!(!m("{ $.a.b != x }", &e), "through a string is missing too");
    assert!(m("{ $.a != y }", &e));
}

#[test]
fn object_and_array_targets_are_false_for_eq_and_ne() {
    let e = json!({"o": {"k": 1}, "arr": [1, 2], "n": null});
    for pat in [
        "{ $.o = 1 }",
        "{ $.o != 1 }",
        "{ $.arr = 1 }",
        "{ $.arr != 1 }",
        "{ $.o = * }",
        "{ $.arr = \"*\" }",
        "{ $.o > 0 }",
        "{ $.arr < 5 }",
        "{ $.o = %k% }",
        "{ $.arr != %x% }",
        "{ $.n = null }",
        "{ $.n != x }",
    ] {
        assert!(!m(pat, &e), "{pat}");
    }
    assert!(m("{ $.arr[1] = 2 }", &e));
    assert!(!m("{ $.arr[2] = 2 }", &e));
    assert!(m("{ $.arr[2] NOT EXISTS }", &e));
    assert!(m("{ $.o.k = 1 }", &e));
    assert!(
        !m("{ $.o[0] = 1 }", &e),
        "an index on an object leads nowhere"
    );
}

#[test]
fn quoted_vs_bare_numbers() {
    let num = json!({"x": 1, "big": 123456789012_u64, "f": 2.5});
    let text = json!({"x": "1", "big": "123456789012", "f": "2.50", "word": "abc"});
    // Bare number: numeric comparison; number-shaped strings compare numerically too.
    assert!(m("{ $.x = 1 }", &num));
    assert!(m("{ $.x = 1 }", &text));
    assert!(m("{ $.x = 1.0 }", &num));
    assert!(m("{ $.f = 2.5 }", &text), "\"2.50\" is numerically 2.5");
    assert!(m("{ $.big = 123456789012 }", &text));
    assert!(!m("{ $.word = 1 }", &text));
    assert!(
        m("{ $.word != 1 }", &text),
        "a present non-numeric value is not 1"
    );
    assert!(!m("{ $.word > 1 }", &text));
    // Quoted: string comparison against the value's text.
    assert!(m(r#"{ $.x = "1" }"#, &text));
    assert!(m(r#"{ $.x = "1" }"#, &num));
    assert!(
        !m(r#"{ $.f = "2.5" }"#, &text),
        "quoted compares text: \"2.50\" is not \"2.5\""
    );
    assert!(m(r#"{ $.f = "2.5" }"#, &num));
    assert!(!m(r#"{ $.x = "1.0" }"#, &num));
}

#[test]
fn numeric_operators_both_sides() {
    let e = json!({"n": 500, "neg": -3, "sci": 0.001});
    #[rustfmt::skip]
    let cases: &[(&str, bool)] = &[
        ("{ $.n = 500 }", true), ("{ $.n = 501 }", false),
        ("{ $.n != 500 }", false), ("{ $.n != 501 }", true),
        ("{ $.n < 501 }", true), ("{ $.n < 500 }", false),
        ("{ $.n <= 500 }", true), ("{ $.n <= 499 }", false),
        ("{ $.n > 499 }", true), ("{ $.n > 500 }", false),
        ("{ $.n >= 500 }", true), ("{ $.n >= 501 }", false),
        ("{ $.n > +499 }", true), ("{ $.n = 5e2 }", true), ("{ $.n = 5E+2 }", true),
        ("{ $.neg = -3 }", true), ("{ $.neg < -2.5 }", true), ("{ $.neg > -3 }", false),
        ("{ $.sci = 10e-4 }", true), ("{ $.sci < 10e-3 }", true), ("{ $.sci < .001 }", false),
        ("{ $.n = 1. }", false),
    ];
    for (pat, want) in cases {
        assert_eq!(m(pat, &e), *want, "{pat}");
    }
}

#[test]
fn is_null_vs_not_exists_and_booleans() {
    let e = json!({"nul": null, "t": true, "f": false, "s": "true"});
    assert!(m("{ $.nul IS NULL }", &e));
    assert!(!m("{ $.nul NOT EXISTS }", &e));
    assert!(!m("{ $.missing IS NULL }", &e));
    assert!(m("{ $.missing NOT EXISTS }", &e));
    assert!(!m("{ $.t NOT EXISTS }", &e));
    assert!(m("{ $.t IS TRUE }", &e));
    assert!(!m("{ $.t IS FALSE }", &e));
    assert!(m("{ $.f IS FALSE }", &e));
    assert!(
        !m("{ $.s IS TRUE }", &e),
        "IS TRUE wants a JSON boolean, not the string"
    );
    assert!(!m("{ $.missing IS FALSE }", &e));
    assert!(m("{ $.t = true }", &e), "booleans compare as their text");
    assert!(m("{ $.nul is null }", &e), "keywords in any case");
}

#[test]
fn precedence_without_parentheses() {
    let e = json!({"a": 1, "b": 0, "c": 0});
    // a || (b && c) = true ; (a || b) && c = false
    assert!(m("{ $.a = 1 || $.b = 1 && $.c = 1 }", &e));
    assert!(!m("{ ($.a = 1 || $.b = 1) && $.c = 1 }", &e));
    assert!(m("{ $.b = 1 && $.c = 1 || $.a = 1 }", &e));
    assert!(!m("{ $.b = 1 && ($.c = 1 || $.a = 1) }", &e));
    let p = Pattern::parse("{ $.a = 1 || $.b = 1 && $.c = 1 }").ok();
    assert_eq!(
        p.map(|p| p.to_string()).as_deref(),
        Some("{ $.a = 1 || ($.b = 1 && $.c = 1) }")
    );
}

#[test]
fn regex_values_in_json() {
    let e = json!({"msg": "bind: address already in use", "code": 404});
    assert!(m("{ $.msg = %bind: address already in use% }", &e));
    assert!(m("{ $.msg = %^bind% }", &e));
    assert!(!m("{ $.msg = %^address% }", &e));
    assert!(m("{ $.msg != %^address% }", &e));
    assert!(
        m(r"{ $.code = %^4\d\d$% }", &e),
        "regex sees a number's text"
    );
    assert!(!m("{ $.missing != %x% }", &e));
}

#[test]
fn json_pattern_needs_object_event() {
    assert!(!m("{ $.a NOT EXISTS }", &json!("text")));
    assert!(!m("{ $.a NOT EXISTS }", &json!([1])));
    assert!(m("{ $.a NOT EXISTS }", &json!({})));
    let p = Pattern::parse("{ $.a NOT EXISTS }").ok();
    assert_eq!(p.as_ref().map(|p| p.matches_line("not json")), Some(false));
    assert_eq!(p.as_ref().map(|p| p.matches_line("{\"b\":1}")), Some(true));
}

#[test]
fn term_groups_follow_the_cdk_reading() {
    // CDK anyTermGroup(["ERROR","MainThread"],["WARN","Deadlock"]).
    let p = Pattern::parse(r#"?"ERROR" "MainThread" ?"WARN" "Deadlock""#).ok();
    let hit = |l: &str| p.as_ref().is_some_and(|p| p.matches_line(l));
    assert!(hit("ERROR in MainThread"));
    assert!(hit("WARN Deadlock found"));
    assert!(!hit("ERROR Deadlock"));
    assert!(!hit("WARN MainThread"));
}

#[test]
fn delimited_quoted_and_bracketed_fields() {
    let p = Pattern::parse(r#"[ip, ts, req = "*index*", code >= 400 && code < 500, bytes]"#).ok();
    let hit = |l: &str| p.as_ref().is_some_and(|p| p.matches_line(l));
    assert!(hit(
        r#"1.1.1.1 [01/Jan/2024:00:00:00 +0000] "GET /index.html" 404 12"#
    ));
    assert!(!hit(
        r#"1.1.1.1 [01/Jan/2024:00:00:00 +0000] "GET /index.html" 500 12"#
    ));
    assert!(!hit(
        r#"1.1.1.1 [01/Jan/2024:00:00:00 +0000] "GET /other" 404 12"#
    ));
    let r = Pattern::parse("[a, b = %^4\\d\\d$%]").ok();
    assert_eq!(r.as_ref().map(|p| p.matches_line("x 404")), Some(true));
    assert_eq!(r.as_ref().map(|p| p.matches_line("x 4040")), Some(false));
    // Multiple ellipses.
    let e = Pattern::parse("[..., a = x, ..., b = y, ...]").ok();
    assert_eq!(
        e.as_ref().map(|p| p.matches_line("1 x 2 3 y 4")),
        Some(true)
    );
    assert_eq!(
        e.as_ref().map(|p| p.matches_line("1 y 2 3 x 4")),
        Some(false)
    );
}
