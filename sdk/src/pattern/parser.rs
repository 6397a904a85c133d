//! Parser for JSON patterns `{ ... }`, plus the value grammar shared with space-delimited ones.
//!
//! Grammar (AWS: "Parenthesis are allowed and the syntax follows standard order of operations
//! () > && > ||"):
//!
//! ```text
//! json    := "{" or "}"
//! or      := and ("||" and)*
//! and     := primary ("&&" primary)*
//! primary := "(" or ")" | selector test
//! test    := ("=" | "!=") (string | word | number | regex)
//!          | ("<" | "<=" | ">" | ">=") number
//!          | "IS" ("NULL" | "TRUE" | "FALSE") | "NOT" "EXISTS"
//! ```
//!
//! Keywords are accepted in any case and printed in upper case.

use super::MAX_DEPTH;
use super::ast::{
    CmpOp, JsonCond, JsonExpr, JsonPattern, NumValue, RegexValue, Selector, Span, StrValue, Test,
};
use super::error::{PatternError, PatternErrorKind};
use super::lexer::{Tok, Token};
use super::regex::Regex;

/// AWS: "There is a limit of 2 regex for each filter pattern when creating a delimited or JSON
/// filter pattern".
pub const MAX_REGEXES: usize = 2;

/// Parses a number as AWS documents it: "An integer with an optional + or - sign, a decimal
/// with an optional + or - sign, or a number in scientific notation". `Ok(None)` when `s` is not
/// number-shaped; an error when it is but does not fit an `f64`.
pub(crate) fn parse_number(s: &str) -> Option<Result<f64, ()>> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let mut digits = i - int_start;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    Some(s.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or(()))
}

/// A cursor over tokens, shared by the JSON and space-delimited parsers.
pub(crate) struct Cursor<'a> {
    pub toks: &'a [Token],
    pub pos: usize,
    pub src_len: usize,
    pub regexes: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(toks: &'a [Token], src_len: usize) -> Self {
        Self {
            toks,
            pos: 0,
            src_len,
            regexes: 0,
        }
    }

    pub fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    pub fn bump(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// An "unexpected X; expected Y" error at the current token (or the end).
    pub fn unexpected(&self, expected: &str) -> PatternError {
        match self.peek() {
            Some(t) => PatternError::new(
                PatternErrorKind::Unexpected {
                    found: t.tok.describe(),
                    expected: expected.into(),
                },
                t.span.range(),
            ),
            None => PatternError::new(
                PatternErrorKind::Unexpected {
                    found: "end of pattern".into(),
                    expected: expected.into(),
                },
                self.src_len..self.src_len,
            ),
        }
    }

    /// Parses the value after a comparison operator.
    pub fn parse_value(&mut self, op: CmpOp, op_span: &Span) -> Result<(Test, Span), PatternError> {
        let relational = !matches!(op, CmpOp::Eq | CmpOp::Ne);
        let need_number = || {
            PatternError::new(
                PatternErrorKind::ExpectedNumber {
                    op: op.as_str().into(),
                },
                op_span.range(),
            )
        };
        let Some(tok) = self.peek() else {
            return Err(self.unexpected("a value after the operator"));
        };
        let span = tok.span.clone();
        let test = match &tok.tok {
            Tok::Str(s) if !relational => Test::Str {
                op,
                value: StrValue::from_raw(s, span.clone()),
            },
            Tok::Regex(body, offset) if !relational => {
                self.regexes += 1;
                if self.regexes > MAX_REGEXES {
                    return Err(PatternError::new(
                        PatternErrorKind::TooManyRegexes {
                            count: self.regexes,
                            max: MAX_REGEXES,
                        },
                        span.range(),
                    ));
                }
                let regex = Regex::parse(body, *offset)?;
                Test::Regex {
                    op,
                    value: RegexValue {
                        regex,
                        span: span.clone(),
                    },
                }
            }
            Tok::Word(w) => match parse_number(w) {
                Some(Ok(value)) => Test::Num {
                    op,
                    value: NumValue {
                        value,
                        text: w.clone(),
                        span: span.clone(),
                    },
                },
                Some(Err(())) => {
                    return Err(PatternError::new(
                        PatternErrorKind::NumberOutOfRange,
                        span.range(),
                    ));
                }
                None if relational => return Err(need_number()),
                None => Test::Str {
                    op,
                    value: StrValue::from_raw(w, span.clone()),
                },
            },
            Tok::Str(_) | Tok::Regex(..) => return Err(need_number()),
            _ => {
                return Err(
                    self.unexpected("a value: a word, a \"quoted string\", a number or a %regex%")
                );
            }
        };
        self.pos += 1;
        Ok((test, span))
    }
}

/// Parses a whole JSON pattern from its tokens.
pub(crate) fn parse_json(toks: &[Token], src_len: usize) -> Result<JsonPattern, PatternError> {
    let mut p = JsonParser {
        c: Cursor::new(toks, src_len),
        depth: 0,
    };
    let open = match p.c.bump() {
        Some(Token {
            tok: Tok::LBrace,
            span,
        }) => span.clone(),
        _ => return Err(p.c.unexpected("`{`")),
    };
    if matches!(
        p.c.peek(),
        Some(Token {
            tok: Tok::RBrace,
            ..
        })
    ) {
        return Err(p
            .c
            .unexpected("a condition such as `$.eventName = \"DisableKey\"`"));
    }
    let expr = p.parse_or()?;
    let close = match p.c.peek() {
        Some(Token {
            tok: Tok::RBrace,
            span,
        }) => span.clone(),
        None => {
            return Err(PatternError::new(
                PatternErrorKind::Unclosed {
                    open: '{',
                    close: '}',
                },
                open.range(),
            ));
        }
        Some(_) => return Err(p.c.unexpected("`&&`, `||` or `}`")),
    };
    p.c.pos += 1;
    if let Some(t) = p.c.peek() {
        return Err(PatternError::new(
            PatternErrorKind::TrailingInput,
            t.span.start..src_len,
        ));
    }
    Ok(JsonPattern {
        expr,
        span: open.to(&close),
    })
}

struct JsonParser<'a> {
    c: Cursor<'a>,
    depth: usize,
}

impl JsonParser<'_> {
    fn parse_or(&mut self) -> Result<JsonExpr, PatternError> {
        let first = self.parse_and()?;
        if !matches!(self.c.peek(), Some(Token { tok: Tok::OrOr, .. })) {
            return Ok(first);
        }
        let mut span = first.span().clone();
        let mut items = Vec::new();
        push_flat(&mut items, first, false);
        while matches!(self.c.peek(), Some(Token { tok: Tok::OrOr, .. })) {
            self.c.pos += 1;
            let next = self.parse_and()?;
            span = span.to(next.span());
            push_flat(&mut items, next, false);
        }
        Ok(JsonExpr::Or(items, span))
    }

    fn parse_and(&mut self) -> Result<JsonExpr, PatternError> {
        let first = self.parse_primary()?;
        if !matches!(
            self.c.peek(),
            Some(Token {
                tok: Tok::AndAnd,
                ..
            })
        ) {
            return Ok(first);
        }
        let mut span = first.span().clone();
        let mut items = Vec::new();
        push_flat(&mut items, first, true);
        while matches!(
            self.c.peek(),
            Some(Token {
                tok: Tok::AndAnd,
                ..
            })
        ) {
            self.c.pos += 1;
            let next = self.parse_primary()?;
            span = span.to(next.span());
            push_flat(&mut items, next, true);
        }
        Ok(JsonExpr::And(items, span))
    }

    fn parse_primary(&mut self) -> Result<JsonExpr, PatternError> {
        let Some(tok) = self.c.peek() else {
            return Err(self
                .c
                .unexpected("a condition such as `$.eventName = \"DisableKey\"`"));
        };
        match &tok.tok {
            Tok::LParen => {
                let open = tok.span.clone();
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(PatternError::new(
                        PatternErrorKind::TooDeep { max: MAX_DEPTH },
                        open.range(),
                    ));
                }
                self.c.pos += 1;
                let mut inner = self.parse_or()?;
                match self.c.peek() {
                    Some(Token {
                        tok: Tok::RParen,
                        span,
                    }) => {
                        let whole = open.to(span);
                        match &mut inner {
                            JsonExpr::And(_, s) | JsonExpr::Or(_, s) => *s = whole,
                            JsonExpr::Cond(_) => {}
                        }
                        self.c.pos += 1;
                    }
                    None
                    | Some(Token {
                        tok: Tok::RBrace, ..
                    }) => {
                        return Err(PatternError::new(
                            PatternErrorKind::Unclosed {
                                open: '(',
                                close: ')',
                            },
                            open.range(),
                        ));
                    }
                    Some(_) => return Err(self.c.unexpected("`&&`, `||` or `)`")),
                }
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Selector(sel) => {
                self.c.pos += 1;
                self.parse_test(sel.clone()).map(JsonExpr::Cond)
            }
            Tok::Word(w) if w.starts_with('.') || w.starts_with('[') => Err(PatternError::new(
                PatternErrorKind::BadSelector(
                    "selectors start with `$`, as in `$.eventName`".into(),
                ),
                tok.span.range(),
            )),
            _ => Err(self
                .c
                .unexpected("a selector such as `$.eventName`, or `(`")),
        }
    }

    fn parse_test(&mut self, selector: Selector) -> Result<JsonCond, PatternError> {
        const EXPECTED: &str =
            "an operator: =, !=, <, <=, >, >=, IS NULL, IS TRUE, IS FALSE or NOT EXISTS";
        let Some(tok) = self.c.peek() else {
            return Err(self.c.unexpected(EXPECTED));
        };
        let (test, end) = match &tok.tok {
            Tok::Op(op) => {
                let op_span = tok.span.clone();
                self.c.pos += 1;
                self.c.parse_value(*op, &op_span)?
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("IS") => {
                self.c.pos += 1;
                let test = match self.c.peek() {
                    Some(Token {
                        tok: Tok::Word(k),
                        span,
                    }) => {
                        let t = if k.eq_ignore_ascii_case("NULL") {
                            Test::IsNull
                        } else if k.eq_ignore_ascii_case("TRUE") {
                            Test::IsBool(true)
                        } else if k.eq_ignore_ascii_case("FALSE") {
                            Test::IsBool(false)
                        } else {
                            return Err(self.c.unexpected("NULL, TRUE or FALSE after IS"));
                        };
                        (t, span.clone())
                    }
                    _ => return Err(self.c.unexpected("NULL, TRUE or FALSE after IS")),
                };
                self.c.pos += 1;
                test
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("NOT") => {
                self.c.pos += 1;
                match self.c.peek() {
                    Some(Token {
                        tok: Tok::Word(k),
                        span,
                    }) if k.eq_ignore_ascii_case("EXISTS") => {
                        let span = span.clone();
                        self.c.pos += 1;
                        (Test::NotExists, span)
                    }
                    _ => return Err(self.c.unexpected("EXISTS after NOT")),
                }
            }
            _ => return Err(self.c.unexpected(EXPECTED)),
        };
        let span = selector.span.to(&end);
        Ok(JsonCond {
            selector,
            test,
            span,
        })
    }
}

/// Appends `e` to an n-ary node's children, merging a child of the same kind.
fn push_flat(items: &mut Vec<JsonExpr>, e: JsonExpr, and: bool) {
    match e {
        JsonExpr::And(children, _) if and => items.extend(children),
        JsonExpr::Or(children, _) if !and => items.extend(children),
        other => items.push(other),
    }
}
