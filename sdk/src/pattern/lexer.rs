//! Tokens of JSON (`{ ... }`) and space-delimited (`[ ... ]`) patterns, each with a byte span.
//!
//! Bare words are lexed leniently (anything but whitespace and the pattern's punctuation), so
//! that unquoted values AWS accepts in practice — the CIS benchmark's
//! `$.eventSource = kms.amazonaws.com`, the documented `123.123.*` and `4*` — are single words.

use super::ast::{CmpOp, Selector, Span, Step};
use super::error::{PatternError, PatternErrorKind};

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    AndAnd,
    OrOr,
    Op(CmpOp),
    Selector(Selector),
    /// A double-quoted string, unescaped.
    Str(String),
    /// `%body%`: the body and its byte offset.
    Regex(String, usize),
    /// A bare word: value, keyword, field name or `...`.
    Word(String),
}

impl Tok {
    /// How the token reads in an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::AndAnd => "`&&`".into(),
            Tok::OrOr => "`||`".into(),
            Tok::Op(op) => format!("`{}`", op.as_str()),
            Tok::Selector(_) => "a selector".into(),
            Tok::Str(_) => "a quoted string".into(),
            Tok::Regex(..) => "a regex".into(),
            Tok::Word(w) => format!("`{w}`"),
        }
    }
}

/// A token and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Characters that end a bare word.
fn is_punct(c: char) -> bool {
    matches!(
        c,
        '{' | '}' | '(' | ')' | '[' | ']' | ',' | '"' | '%' | '&' | '|' | '=' | '!' | '<' | '>'
    )
}

/// Splits `src` into tokens.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, PatternError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let Some(c) = src[i..].chars().next() else {
            break;
        };
        let start = i;
        let one = |tok| Token {
            tok,
            span: Span::new(start, start + 1),
        };
        let two = |tok| Token {
            tok,
            span: Span::new(start, start + 2),
        };
        let next = bytes.get(i + 1).copied();
        let token = match c {
            c if c.is_whitespace() => {
                i += c.len_utf8();
                continue;
            }
            '{' => one(Tok::LBrace),
            '}' => one(Tok::RBrace),
            '(' => one(Tok::LParen),
            ')' => one(Tok::RParen),
            '[' => one(Tok::LBracket),
            ']' => one(Tok::RBracket),
            ',' => one(Tok::Comma),
            '&' if next == Some(b'&') => two(Tok::AndAnd),
            '|' if next == Some(b'|') => two(Tok::OrOr),
            '&' | '|' => {
                return Err(PatternError::new(
                    PatternErrorKind::Unexpected {
                        found: format!("`{c}`"),
                        expected: format!("`{c}{c}`"),
                    },
                    start..start + 1,
                ));
            }
            '!' if next == Some(b'=') => two(Tok::Op(CmpOp::Ne)),
            '!' => {
                return Err(PatternError::new(
                    PatternErrorKind::Unexpected {
                        found: "`!`".into(),
                        expected: "`!=`".into(),
                    },
                    start..start + 1,
                ));
            }
            '<' if next == Some(b'=') => two(Tok::Op(CmpOp::Le)),
            '>' if next == Some(b'=') => two(Tok::Op(CmpOp::Ge)),
            '<' => one(Tok::Op(CmpOp::Lt)),
            '>' => one(Tok::Op(CmpOp::Gt)),
            '=' => one(Tok::Op(CmpOp::Eq)),
            '"' => {
                let (text, end) = lex_string(src, start)?;
                Token {
                    tok: Tok::Str(text),
                    span: Span::new(start, end),
                }
            }
            '%' => {
                let (body, end) = lex_regex(src, start)?;
                Token {
                    tok: Tok::Regex(body, start + 1),
                    span: Span::new(start, end),
                }
            }
            '$' => {
                let sel = lex_selector(src, start)?;
                Token {
                    span: sel.span.clone(),
                    tok: Tok::Selector(sel),
                }
            }
            _ => {
                let end = src[start..]
                    .char_indices()
                    .find(|&(_, c)| c.is_whitespace() || is_punct(c))
                    .map_or(src.len(), |(k, _)| start + k);
                Token {
                    tok: Tok::Word(src[start..end].to_owned()),
                    span: Span::new(start, end),
                }
            }
        };
        i = token.span.end;
        out.push(token);
    }
    Ok(out)
}

/// Lexes `"..."` starting at the quote; `\"` and `\\` are escapes, other backslashes literal.
/// Returns the text and the byte after the closing quote.
pub(crate) fn lex_string(src: &str, start: usize) -> Result<(String, usize), PatternError> {
    let mut text = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => return Ok((text, start + 1 + k + 1)),
            '\\' => match chars.clone().next() {
                Some((_, e @ ('"' | '\\'))) => {
                    chars.next();
                    text.push(e);
                }
                _ => text.push('\\'),
            },
            c => text.push(c),
        }
    }
    Err(PatternError::new(
        PatternErrorKind::UnterminatedString,
        start..src.len(),
    ))
}

/// Lexes `%...%` starting at the first `%`; returns the body and the byte after the closing `%`.
pub(crate) fn lex_regex(src: &str, start: usize) -> Result<(String, usize), PatternError> {
    match src[start + 1..].find('%') {
        Some(k) => Ok((src[start + 1..start + 1 + k].to_owned(), start + 1 + k + 1)),
        None => Err(PatternError::new(
            PatternErrorKind::UnterminatedRegex,
            start..src.len(),
        )),
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Lexes `$.a.b[0].c` starting at the `$`.
///
/// AWS: "Property selectors always start with dollar sign ($) … are alphanumeric strings that
/// also support '-' and '_' characters. Array elements are denoted with [NUMBER] syntax, and
/// must follow a property."
pub(crate) fn lex_selector(src: &str, start: usize) -> Result<Selector, PatternError> {
    let bad = |msg: &str, at: usize, end: usize| {
        Err(PatternError::new(
            PatternErrorKind::BadSelector(msg.into()),
            at..end.max(at + 1).min(src.len().max(at + 1)),
        ))
    };
    let bytes = src.as_bytes();
    let mut i = start + 1;
    let mut steps = Vec::new();
    loop {
        match bytes.get(i) {
            Some(b'.') => {
                let name_start = i + 1;
                let end = src[name_start..]
                    .find(|c: char| !is_name_char(c))
                    .map_or(src.len(), |k| name_start + k);
                if end == name_start {
                    return bad(
                        "expected a property name (letters, digits, `-`, `_`) after `.`",
                        i,
                        i + 1,
                    );
                }
                steps.push(Step::Field(src[name_start..end].to_owned()));
                i = end;
            }
            Some(b'[') => {
                if steps.is_empty() {
                    return bad(
                        "an array index must follow a property, as in `$.items[0]`",
                        i,
                        i + 1,
                    );
                }
                let num_start = i + 1;
                let end = src[num_start..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(src.len(), |k| num_start + k);
                if bytes.get(num_start) == Some(&b'*') {
                    return bad(
                        "array wildcards `[*]` are not supported; use an index such as `[0]`",
                        i,
                        num_start + 1,
                    );
                }
                if end == num_start || bytes.get(end) != Some(&b']') {
                    return bad(
                        "an array index is a number in brackets, such as `[0]`",
                        i,
                        end + 1,
                    );
                }
                let Ok(index) = src[num_start..end].parse::<usize>() else {
                    return bad("array index is too large", num_start, end);
                };
                steps.push(Step::Index(index));
                i = end + 1;
            }
            _ => break,
        }
    }
    if steps.is_empty() {
        return bad(
            "a selector is `$.` followed by a property name, such as `$.eventName`",
            start,
            start + 1,
        );
    }
    Ok(Selector {
        steps,
        span: Span::new(start, i),
    })
}
