//! Parser for space-delimited patterns `[ip, user, ..., status_code = 4*, bytes > 1000]`.
//!
//! AWS (archived "Filter and Pattern Syntax", "Using Metric Filters to Extract Values from
//! Space-Delimited Log Events"): fields are named, comma-separated, in square brackets; `...`
//! stands for any number of fields; a field may carry conditions (`=`/`!=` with `*` for
//! strings; `> < >= <= = !=` for numbers; `%regex%`), joined with `&&` and `||` — and a
//! condition may name another field (`status_code = 4* && bytes > 1000`). No parentheses are
//! documented, so none are accepted; `&&` binds tighter than `||`, as in JSON patterns.
//!
//! Judgement call: an empty slot is an anonymous field. AWS's extraction example
//! `[..., request=*.html*, status_code=4*,]` is shown matching
//! `… "GET /index.html HTTP/1.0" 404 1534` and extracting `"$7": "1534"`, which only works if
//! the trailing comma stands for one more (unnamed) field.

use super::ast::{CmpOp, DelimitedCond, DelimitedExpr, DelimitedField, DelimitedPattern, Span};
use super::error::{PatternError, PatternErrorKind};
use super::lexer::{Tok, Token};
use super::parser::Cursor;

fn is_field_name(w: &str) -> bool {
    !w.is_empty()
        && w != "..."
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'))
}

/// Parses a whole space-delimited pattern from its tokens.
pub(crate) fn parse_delimited(
    toks: &[Token],
    src_len: usize,
) -> Result<DelimitedPattern, PatternError> {
    let mut c = Cursor::new(toks, src_len);
    let open = match c.bump() {
        Some(Token {
            tok: Tok::LBracket,
            span,
        }) => span.clone(),
        _ => return Err(c.unexpected("`[`")),
    };
    let mut fields = Vec::new();
    let close = loop {
        let Some(tok) = c.peek() else {
            return Err(PatternError::new(
                PatternErrorKind::Unclosed {
                    open: '[',
                    close: ']',
                },
                open.range(),
            ));
        };
        match &tok.tok {
            // An empty slot (`[a,,b]` or a trailing `[a, b,]`): an anonymous field.
            Tok::Comma | Tok::RBracket if !fields.is_empty() => {
                let at = Span::new(tok.span.start, tok.span.start);
                fields.push(DelimitedField::Named {
                    name: String::new(),
                    cond: None,
                    span: at,
                });
            }
            Tok::Word(w) if w == "..." => {
                fields.push(DelimitedField::Ellipsis(tok.span.clone()));
                c.pos += 1;
            }
            Tok::Word(w) if is_field_name(w) => fields.push(parse_field(&mut c)?),
            _ => return Err(c.unexpected("a field name or `...`")),
        }
        match c.peek() {
            Some(Token {
                tok: Tok::Comma, ..
            }) => c.pos += 1,
            Some(Token {
                tok: Tok::RBracket,
                span,
            }) => break span.clone(),
            None => {
                return Err(PatternError::new(
                    PatternErrorKind::Unclosed {
                        open: '[',
                        close: ']',
                    },
                    open.range(),
                ));
            }
            Some(_) => return Err(c.unexpected("`,` or `]`")),
        }
    };
    c.pos += 1;
    if let Some(t) = c.peek() {
        return Err(PatternError::new(
            PatternErrorKind::TrailingInput,
            t.span.start..src_len,
        ));
    }
    // Every condition must name a declared field.
    let names: Vec<&str> = fields
        .iter()
        .filter_map(|f| match f {
            DelimitedField::Named { name, .. } => Some(name.as_str()),
            DelimitedField::Ellipsis(_) => None,
        })
        .collect();
    for f in &fields {
        if let DelimitedField::Named { cond: Some(e), .. } = f {
            check_names(e, &names)?;
        }
    }
    Ok(DelimitedPattern {
        fields,
        span: open.to(&close),
    })
}

fn check_names(e: &DelimitedExpr, names: &[&str]) -> Result<(), PatternError> {
    match e {
        DelimitedExpr::And(items, _) | DelimitedExpr::Or(items, _) => {
            items.iter().try_for_each(|i| check_names(i, names))
        }
        DelimitedExpr::Cond(c) if names.contains(&c.name.as_str()) => Ok(()),
        DelimitedExpr::Cond(c) => Err(PatternError::new(
            PatternErrorKind::UnknownField(c.name.clone()),
            c.span.range(),
        )),
    }
}

/// `name [op value ((&& | ||) name op value)*]`
fn parse_field(c: &mut Cursor<'_>) -> Result<DelimitedField, PatternError> {
    let Some(Token {
        tok: Tok::Word(name),
        span: name_span,
    }) = c.peek()
    else {
        return Err(c.unexpected("a field name"));
    };
    if !matches!(
        c.toks.get(c.pos + 1),
        Some(Token {
            tok: Tok::Op(_),
            ..
        })
    ) {
        c.pos += 1;
        return Ok(DelimitedField::Named {
            name: name.clone(),
            cond: None,
            span: name_span.clone(),
        });
    }
    // Or of Ands of conditions.
    let mut ors: Vec<Vec<DelimitedCond>> = vec![vec![parse_cond(c)?]];
    loop {
        match c.peek() {
            Some(Token {
                tok: Tok::AndAnd, ..
            }) => {
                c.pos += 1;
                let cond = parse_cond(c)?;
                if let Some(last) = ors.last_mut() {
                    last.push(cond);
                }
            }
            Some(Token { tok: Tok::OrOr, .. }) => {
                c.pos += 1;
                ors.push(vec![parse_cond(c)?]);
            }
            _ => break,
        }
    }
    let mut alts: Vec<DelimitedExpr> = ors
        .into_iter()
        .map(|mut conds| {
            if conds.len() == 1 {
                conds.pop().map(DelimitedExpr::Cond)
            } else {
                let span = conds.first().map(|f| f.span.clone()).unwrap_or_default();
                let span = conds.last().map_or(span.clone(), |l| span.to(&l.span));
                Some(DelimitedExpr::And(
                    conds.into_iter().map(DelimitedExpr::Cond).collect(),
                    span,
                ))
            }
        })
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default();
    let expr = if alts.len() == 1 {
        alts.pop()
    } else {
        let span = alts
            .first()
            .map(|a| delimited_span(a).clone())
            .unwrap_or_default();
        let span = alts
            .last()
            .map_or(span.clone(), |l| span.to(delimited_span(l)));
        Some(DelimitedExpr::Or(alts, span))
    };
    let span = expr
        .as_ref()
        .map_or(name_span.clone(), |e| name_span.to(delimited_span(e)));
    Ok(DelimitedField::Named {
        name: name.clone(),
        cond: expr,
        span,
    })
}

/// The span of a space-delimited condition expression.
pub(crate) fn delimited_span(e: &DelimitedExpr) -> &Span {
    match e {
        DelimitedExpr::And(_, s) | DelimitedExpr::Or(_, s) => s,
        DelimitedExpr::Cond(c) => &c.span,
    }
}

/// `name op value`
fn parse_cond(c: &mut Cursor<'_>) -> Result<DelimitedCond, PatternError> {
    let (name, name_span) = match c.peek() {
        Some(Token {
            tok: Tok::Word(w),
            span,
        }) if is_field_name(w) => (w.clone(), span.clone()),
        _ => return Err(c.unexpected("a field name")),
    };
    c.pos += 1;
    let (op, op_span): (CmpOp, Span) = match c.peek() {
        Some(Token {
            tok: Tok::Op(op),
            span,
        }) => (*op, span.clone()),
        _ => return Err(c.unexpected("an operator: =, !=, <, <=, > or >=")),
    };
    c.pos += 1;
    let (test, end) = c.parse_value(op, &op_span)?;
    Ok(DelimitedCond {
        name,
        test,
        span: name_span.to(&end),
    })
}
