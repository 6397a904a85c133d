//! Worked examples from the AWS documentation, each with its source, held to AWS's answers.

use serde_json::{Value, json};

use super::Pattern;

fn p(s: &str) -> Pattern {
    match Pattern::parse(s) {
        Ok(p) => p,
        Err(e) => panic!("{s:?} should parse: {e}"),
    }
}

/// Archived `FilterAndPatternSyntax.md`, "JSON Metric Filter Examples".
fn metric_filter_example() -> Value {
    json!({
      "eventType": "UpdateTrail",
      "sourceIPAddress": "111.111.111.111",
      "arrayKey": ["value", "another value"],
      "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
      "SomeObject": null,
      "ThisFlag": true
    })
}

/// Archived `FilterAndPatternSyntax.md`, "JSON Compound Conditions".
fn compound_example() -> Value {
    json!({
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [
            {"id": 2, "email": "John.Doe@example.com"},
            {"id": 3, "email": "Jane.Doe@example.com"}
        ],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]
    })
}

#[test]
fn json_examples_table() {
    let mf = metric_filter_example();
    let cc = compound_example();
    let users = json!({"users": [1, 2, 3]});
    let foo_bar = json!({"foo": "bar"});
    let foo_baz = json!({"foo": "baz"});
    #[rustfmt::skip]
    let table: &[(&str, &Value, bool, &str)] = &[
        // "JSON Metric Filter Examples": "The following filters would match".
        (r#"{ $.eventType = "UpdateTrail" }"#, &mf, true, "archived FilterAndPatternSyntax.md, JSON Metric Filter Examples"),
        (r#"{ $.sourceIPAddress != 123.123.* }"#, &mf, true, "same; also current matching-terms-json-log-events.html"),
        (r#"{ $.arrayKey[0] = "value" }"#, &mf, true, "same"),
        (r#"{ $.objectList[1].id = 2 }"#, &mf, true, "same"),
        (r#"{ $.SomeObject IS NULL }"#, &mf, true, "same"),
        (r#"{ $.SomeOtherObject NOT EXISTS }"#, &mf, true, "same"),
        (r#"{ $.ThisFlag IS TRUE }"#, &mf, true, "same"),
        // "If arrayKey is not an array this will be false."
        (r#"{ $.eventType[0] = "UpdateTrail" }"#, &mf, false, "same, arrayKey note"),
        // "JSON Compound Conditions", Examples.
        (r#"{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }"#, &cc, true, "archived, JSON Compound Conditions: matches"),
        (r#"{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }"#, &cc, false, "same: doesn't match"),
        (r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }"#, &cc, true, "same: matches (&& binds tighter)"),
        (r#"{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }"#, &cc, false, "same: doesn't match"),
        // "JSON Special Considerations": both fail on an array.
        ("{$.users = 1}", &users, false, "archived, JSON Special Considerations"),
        ("{$.users != 1}", &users, false, "same"),
        // "OR Pattern Matching" in JSON filters.
        ("{$.foo = bar}", &foo_bar, true, "archived, OR Pattern Matching"),
        ("{$.foo = bar}", &foo_baz, false, "same"),
        ("{$.foo = baz }", &foo_baz, true, "same"),
        ("{$.foo = bar || $.foo = baz }", &foo_bar, true, "same"),
        ("{$.foo = bar || $.foo = baz }", &foo_baz, true, "same"),
    ];
    for (pat, event, want, source) in table {
        assert_eq!(p(pat).matches(event), *want, "{pat} ({source})");
    }
}

#[test]
fn numeric_examples_parse() {
    // Archived FilterAndPatternSyntax.md, "Numeric Comparisons", Examples.
    let ev = json!({"latency": 600, "numbers": [0.001], "processes": [0,0,0,0,{"averageRuntime": 55.5}], "errorCode": 400});
    for (pat, want) in [
        ("{ $.latency >= 500 }", true),
        ("{ $.numbers[0] < 10e3 }", true),
        ("{ $.numbers[0] < 10e-3 }", true),
        ("{ $.processes[4].averageRuntime <= 55.5 }", true),
        ("{ $.errorCode = 400 }", true),
        ("{ $.errorCode != 500 }", true),
        ("{ $.latency > +1000 }", false),
    ] {
        assert_eq!(p(pat).matches(&ev), want, "{pat}");
    }
}

#[test]
fn term_examples_table() {
    // Archived FilterAndPatternSyntax.md, "Matching Terms in Log Events" and "OR Pattern Matching".
    let l1 = "ERROR WARN message";
    let l2 = "ERROR message";
    let l3 = "WARN message";
    #[rustfmt::skip]
    let table: &[(&str, &str, bool)] = &[
        // Example 1: Single term.
        ("\"ERROR\"", "[ERROR] A fatal exception has occurred", true),
        ("\"ERROR\"", "Exiting with ERRORCODE: -1", true),
        // Example 2: include and exclude.
        ("\"ERROR\" - \"Exiting\"", "Exiting with ERRORCODE: -1", false),
        ("\"ERROR\" - \"Exiting\"", "[ERROR] A fatal exception has occurred", true),
        // Example 3: multiple terms.
        ("\"ERROR Exception\"", "[ERROR] Caught IllegalArgumentException", false), // quoted = one phrase
        ("ERROR Exception", "[ERROR] Caught IllegalArgumentException", true),
        ("ERROR Exception", "[ERROR] Unhandled Exception", true),
        ("Failed to process the request", "[WARN] Failed to process the request", true),
        ("Failed to process the request", "[ERROR] Unable to continue: Failed to process the request", true),
        // OR pattern matching.
        ("ERROR", l1, true), ("ERROR", l2, true), ("ERROR", l3, false),
        ("?ERROR ?WARN", l1, true), ("?ERROR ?WARN", l2, true), ("?ERROR ?WARN", l3, true),
        ("ERROR WARN", l1, true), ("ERROR WARN", l2, false), ("ERROR WARN", l3, false),
        ("ERROR -WARN", l1, false), ("ERROR -WARN", l2, true), ("ERROR -WARN", l3, false),
        // Space-delimited OR examples from the same section.
        ("[w1=ERROR, w2]", l2, true), ("[w1=ERROR, w2]", l1, false), ("[w1=ERROR, w2]", l3, false),
        ("[w1=ERROR || w1=WARN, w2]", l2, true), ("[w1=ERROR || w1=WARN, w2]", l3, true),
        ("[w1=ERROR || w1=WARN, w2]", l1, false),
        // Empty pattern: "The filter pattern "" matches all log events."
        ("", "anything at all", true),
    ];
    for (pat, line, want) in table {
        assert_eq!(p(pat).matches_line(line), *want, "{pat} on {line:?}");
    }
}

#[test]
fn space_delimited_examples_table() {
    // Archived FilterAndPatternSyntax.md, "Using Metric Filters to Extract Values from
    // Space-Delimited Log Events".
    let lines = [
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#,
        r#"127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324"#,
        r#"127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355"#,
    ];
    #[rustfmt::skip]
    let table: &[(&str, [bool; 3])] = &[
        ("[ip, user, username, timestamp, request, status_code, bytes]", [true, true, true]),
        ("[..., status_code, bytes]", [true, true, true]),
        ("[ip, user, ..., status_code, bytes]", [true, true, true]),
        ("[ip, user, ...]", [true, true, true]),
        ("[ip, user, username, timestamp, request, status_code, bytes > 1000]", [true, true, true]),
        ("[ip, user, username, timestamp, request, status_code = 200, bytes]", [true, false, true]),
        ("[ip, user, username, timestamp, request, status_code = 4*, bytes]", [false, false, false]),
        ("[ip, user, username, timestamp, request = *gif*, status_code = 5*, bytes]", [false, true, false]),
        ("[ip, user, username, timestamp, request, status_code = 2* && bytes > 4000, bytes]", [false, false, true]),
        ("[ip, user, username, timestamp, request, status_code = 2* && status_code != 200, bytes]", [false, false, false]),
        // Wrong field count without an ellipsis.
        ("[ip, user, username]", [false, false, false]),
    ];
    for (pat, want) in table {
        let pat = p(pat);
        for (line, w) in lines.iter().zip(want) {
            assert_eq!(pat.matches_line(line), *w, "{pat} on {line}");
        }
    }
    // The extraction example: its trailing comma is a seventh, unnamed field ("$7": "1534").
    let ex = p("[..., request=*.html*, status_code=4*,]");
    assert!(ex.matches_line(
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#
    ));
    assert!(
        p("[..., request=*.html*, status_code=4*, bytes]").matches_line(
            r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#
        )
    );
}

#[test]
fn regex_examples_table() {
    // Current "Supported regular expressions (regex) syntax" (regex-expressions.html).
    #[rustfmt::skip]
    let table: &[(&str, &str, bool)] = &[
        ("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST", true),
        ("%AUTHORIZED%", "[SUCCESS 200] AUTHORIZED REQUEST", true),
        ("%^[hc]at%", "hat", true), ("%^[hc]at%", "cat", true), ("%^[hc]at%", "that", false),
        ("%[hc]at$%", "that", true), ("%[hc]at$%", "hats", false),
        ("%colou?r%", "color", true), ("%colou?r%", "colour", true), ("%colou?r%", "colouur", false),
        ("%[abc]%", "xbx", true), ("%[abc]%", "xyz", false),
        ("%[a-z]%", "123q", true), ("%[abcx-z]%", "y", true), ("%[abcx-z]%", "w", false),
        ("%a{3,5}%", "aaa", true), ("%a{3,5}%", "aa", false),
        ("%gra|ey%", "gray", true), ("%gra|ey%", "grey", true),
        (r"%\[.\]%", "[x]", true), (r"%\[.\]%", "[xy]", false),
        ("%12*3%", "13", true), ("%12*3%", "1223", true),
        ("%12+3%", "13", false), ("%12+3%", "123", true),
        ("%.ab%", "cab", true), ("%.ab%", "ab", false),
        (r"%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%", "from 10.0.12.255 ok", true),
        (r"%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%", "from 10.0.x.255", false),
        ("%[Ee]rror|[Ff]ail%", "an error", true), ("%[Ee]rror|[Ff]ail%", "Failed", true),
        ("%[Ee]rror|[Ff]ail%", "ok", false),
    ];
    for (pat, line, want) in table {
        assert_eq!(p(pat).matches_line(line), *want, "{pat} on {line:?}");
    }
    // "%something!% is rejected because '!' is not supported."
    assert!(Pattern::parse("%something!%").is_err());
}
