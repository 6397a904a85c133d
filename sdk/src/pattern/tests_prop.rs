//! Property tests: printing round-trips, and no input makes the parser or matcher panic.

use proptest::prelude::*;
use serde_json::json;

use super::ast::{
    CmpOp, DelimitedCond, DelimitedExpr, DelimitedField, DelimitedPattern, JsonCond, JsonExpr,
    JsonPattern, NumValue, RegexValue, Root, Selector, Span, Step, StrValue, Term, TermGroup,
    TermPattern, Test,
};
use super::regex::Regex;
use super::{MAX_PATTERN_CHARS, Pattern};

fn sp() -> Span {
    Span::default()
}

fn selector() -> impl Strategy<Value = Selector> {
    let step = prop_oneof![
        3 => "[A-Za-z0-9_-]{1,6}".prop_map(Step::Field),
        1 => (0usize..20).prop_map(Step::Index),
    ];
    ("[A-Za-z0-9_-]{1,8}", prop::collection::vec(step, 0..3)).prop_map(|(first, rest)| {
        let mut steps = vec![Step::Field(first)];
        steps.extend(rest);
        Selector { steps, span: sp() }
    })
}

fn str_value() -> impl Strategy<Value = StrValue> {
    // Any text, including quotes, backslashes, spaces, `*` and non-ASCII.
    "[ -~é]{0,12}".prop_map(|raw| StrValue::from_raw(&raw, sp()))
}

fn num_value() -> impl Strategy<Value = NumValue> {
    "[+-]?[0-9]{1,5}(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?".prop_filter_map("finite", |text| {
        text.parse::<f64>().ok().map(|value| NumValue {
            value,
            text,
            span: sp(),
        })
    })
}

fn regex_value() -> impl Strategy<Value = RegexValue> {
    prop::sample::select(vec![
        "abc",
        "^a.c$",
        "[a-z]+",
        r"\d{1,3}\.\d",
        "x|y|z",
        "colou?r",
        "[^0-9]*",
        r"\[x\]",
        "a{2,}",
        "a b:c",
    ])
    .prop_filter_map("valid", |s| {
        Regex::parse(s, 0)
            .ok()
            .map(|regex| RegexValue { regex, span: sp() })
    })
}

fn eq_ne() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(vec![CmpOp::Eq, CmpOp::Ne])
}

fn any_op() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ])
}

fn value_test() -> impl Strategy<Value = Test> {
    prop_oneof![
        4 => (eq_ne(), str_value()).prop_map(|(op, value)| Test::Str { op, value }),
        3 => (any_op(), num_value()).prop_map(|(op, value)| Test::Num { op, value }),
        1 => (eq_ne(), regex_value()).prop_map(|(op, value)| Test::Regex { op, value }),
    ]
}

fn json_test() -> impl Strategy<Value = Test> {
    prop_oneof![
        6 => value_test(),
        1 => Just(Test::IsNull),
        1 => Just(Test::NotExists),
        1 => any::<bool>().prop_map(Test::IsBool),
    ]
}

/// Builds an n-ary node the way the parser does: same-kind children are merged.
fn flat(and: bool, children: Vec<JsonExpr>) -> JsonExpr {
    let mut items = Vec::new();
    for c in children {
        match c {
            JsonExpr::And(inner, _) if and => items.extend(inner),
            JsonExpr::Or(inner, _) if !and => items.extend(inner),
            other => items.push(other),
        }
    }
    if and {
        JsonExpr::And(items, sp())
    } else {
        JsonExpr::Or(items, sp())
    }
}

fn json_expr() -> impl Strategy<Value = JsonExpr> {
    let leaf = (selector(), json_test()).prop_map(|(selector, test)| {
        JsonExpr::Cond(JsonCond {
            selector,
            test,
            span: sp(),
        })
    });
    leaf.prop_recursive(4, 24, 4, |inner| {
        (any::<bool>(), prop::collection::vec(inner, 2..4))
            .prop_map(|(and, children)| flat(and, children))
    })
}

fn count_regexes(root: &Root) -> usize {
    fn test(t: &Test) -> usize {
        usize::from(matches!(t, Test::Regex { .. }))
    }
    fn json(e: &JsonExpr) -> usize {
        match e {
            JsonExpr::And(i, _) | JsonExpr::Or(i, _) => i.iter().map(json).sum(),
            JsonExpr::Cond(c) => test(&c.test),
        }
    }
    fn delim(e: &DelimitedExpr) -> usize {
        match e {
            DelimitedExpr::And(i, _) | DelimitedExpr::Or(i, _) => i.iter().map(delim).sum(),
            DelimitedExpr::Cond(c) => test(&c.test),
        }
    }
    match root {
        Root::Json(j) => json(&j.expr),
        Root::Delimited(d) => d
            .fields
            .iter()
            .map(|f| match f {
                DelimitedField::Named { cond: Some(e), .. } => delim(e),
                _ => 0,
            })
            .sum(),
        _ => 0,
    }
}

fn term_pattern() -> impl Strategy<Value = TermPattern> {
    let term = (0u8..3, "[ -~é]{1,10}").prop_map(|(kind, text)| Term {
        text,
        exclude: kind == 2,
        or: kind == 1,
        span: sp(),
    });
    prop::collection::vec(term, 1..6).prop_map(|terms| {
        let mut groups: Vec<TermGroup> = Vec::new();
        for t in terms {
            match groups.last_mut() {
                Some(g) if !t.or => g.terms.push(t),
                _ => groups.push(TermGroup {
                    terms: vec![t],
                    span: sp(),
                }),
            }
        }
        TermPattern { groups, span: sp() }
    })
}

fn delimited_pattern() -> impl Strategy<Value = DelimitedPattern> {
    // Slot kinds: 0 ellipsis, 1 plain name, 2 name with conditions.
    let slot = (
        0u8..3,
        prop::collection::vec(prop::collection::vec((0usize..4, value_test()), 1..3), 1..3),
    );
    prop::collection::vec(slot, 1..5).prop_map(|slots| {
        let names: Vec<String> = (0..slots.len()).map(|i| format!("f{i}")).collect();
        let declared: Vec<String> = slots
            .iter()
            .enumerate()
            .filter(|(_, (kind, _))| *kind != 0)
            .map(|(i, _)| names[i].clone())
            .collect();
        let fields = slots
            .into_iter()
            .enumerate()
            .map(|(i, (kind, ors))| match kind {
                0 => DelimitedField::Ellipsis(sp()),
                1 => DelimitedField::Named {
                    name: names[i].clone(),
                    cond: None,
                    span: sp(),
                },
                _ => {
                    let mut first = true;
                    let alts: Vec<DelimitedExpr> = ors
                        .into_iter()
                        .map(|ands| {
                            let conds: Vec<DelimitedExpr> = ands
                                .into_iter()
                                .map(|(n, test)| {
                                    let name = if first {
                                        names[i].clone()
                                    } else {
                                        declared[n % declared.len()].clone()
                                    };
                                    first = false;
                                    DelimitedExpr::Cond(DelimitedCond {
                                        name,
                                        test,
                                        span: sp(),
                                    })
                                })
                                .collect();
                            if conds.len() == 1 {
                                conds.into_iter().next().unwrap_or_else(|| unreachable!())
                            } else {
                                DelimitedExpr::And(conds, sp())
                            }
                        })
                        .collect();
                    let cond = if alts.len() == 1 {
                        alts.into_iter().next()
                    } else {
                        Some(DelimitedExpr::Or(alts, sp()))
                    };
                    DelimitedField::Named {
                        name: names[i].clone(),
                        cond,
                        span: sp(),
                    }
                }
            })
            .collect();
        DelimitedPattern { fields, span: sp() }
    })
}

fn root() -> impl Strategy<Value = Root> {
    prop_oneof![
        5 => json_expr().prop_map(|expr| Root::Json(JsonPattern { expr, span: sp() })),
        2 => term_pattern().prop_map(Root::Terms),
        2 => delimited_pattern().prop_map(Root::Delimited),
        1 => regex_value().prop_map(Root::Regex),
        1 => Just(Root::Empty),
    ]
    .prop_filter("AWS allows two regexes", |r| count_regexes(r) <= 2)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn printed_ast_reparses_equal(root in root()) {
        let text = root.to_string();
        prop_assume!(text.chars().count() <= MAX_PATTERN_CHARS);
        let parsed = Pattern::parse(&text);
        prop_assert!(parsed.is_ok(), "{text:?} failed: {:?}", parsed.err());
        if let Ok(parsed) = parsed {
            prop_assert_eq!(parsed.root(), &root, "{}", text);
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        check_total(&s);
    }

    #[test]
    fn pattern_shaped_strings_never_panic(s in r#"[{}()\[\]$.a-c0-9 =!<>&|"%*,?^+\\-]{0,60}"#) {
        check_total(&s);
    }

    #[test]
    fn json_shaped_strings_never_panic(s in r#"\{ ?\(?\$\.[a-c](\[[0-9]\])? ?(=|!=|<|>=|IS|NOT) ?("?[a-c*]{0,3}"?|[0-9.e+-]{1,4}|%[a-c|*+?{}0-9,^$.\\\[\]-]{0,8}%|NULL|EXISTS|TRUE)\)? ?(&&|\|\|)? ?\}?"#) {
        check_total(&s);
    }
}

/// Parse; on success match, explain and round-trip through the canonical form.
fn check_total(s: &str) {
    let record = json!({"eventSource": "kms.amazonaws.com", "eventName": "DisableKey", "a": [1, {"b": null}], "c": 1.5});
    let line = "1.2.3.4 - frank [10/Oct/2000:13:25:15 -0700] \"GET / HTTP/1.0\" 404 1534";
    if let Ok(p) = Pattern::parse(s) {
        let _ = p.matches(&record);
        let _ = p.matches_line(line);
        let _ = p.matches_line(s);
        let ex = p.explain(&record);
        assert_eq!(
            ex.matched,
            p.matches(&record),
            "explain agrees with matches for {s:?}"
        );
        // A match blames nothing; a JSON pattern that fails blames at least one condition.
        assert!(
            !ex.matched || ex.causes().next().is_none(),
            "a match blames no condition for {s:?}"
        );
        if !ex.matched && ex.family == super::Family::Json && ex.note.is_none() {
            assert!(ex.causes().next().is_some(), "no cause named for {s:?}");
        }
        let printed = p.to_string();
        if printed.chars().count() <= MAX_PATTERN_CHARS {
            match Pattern::parse(&printed) {
                Ok(again) => assert!(
                    again.ast_eq(&p),
                    "{s:?} printed as {printed:?} re-parsed differently"
                ),
                Err(e) => panic!("{s:?} printed as {printed:?} does not re-parse: {e}"),
            }
        }
    }
    let _ = super::FieldSelection::parse(s).map(|f| f.admits("us-east-1", "111122223333"));
    let _ = super::metric_value(s, &record);
    let _ = super::dimension_value(s, &record);
}
