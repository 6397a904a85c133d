//! `fieldSelectionCriteria` of account-level / centralised metric filters.
//!
//! AWS API reference (`PutMetricFilter` / `MetricFilter.fieldSelectionCriteria`): "A filter
//! expression that specifies which log events should be processed by this metric filter based
//! on system fields such as source account and source region. Uses selection criteria syntax
//! with operators like =, !=, AND, OR, IN, NOT IN. Example: `@aws.region = "us-east-1"` or
//! `@aws.account IN ["123456789012", "987654321098"]`. Maximum length: 2000 characters." The
//! system fields documented for metric filters (`emitSystemFieldDimensions`) are `@aws.account`
//! and `@aws.region`.
//!
//! Implemented exactly that: `=`, `!=`, `IN [..]`, `NOT IN [..]` on those two fields, joined by
//! `AND` (binding tighter) and `OR`. Parentheses are not documented and are rejected. Keywords
//! are accepted in any case; values may be quoted or bare. An empty criterion admits
//! everything (the field is optional).
//!
//! Why it matters: a CIS-perfect pattern in a centralised log group can be silently narrowed
//! to one account or region by this field.

use super::error::{PatternError, PatternErrorKind};
use super::lexer::{Tok, Token, tokenize};
use super::parser::Cursor;

/// `fieldSelectionCriteria` is at most 2000 characters.
pub const MAX_SELECTION_LEN: usize = 2000;

/// A system field usable in selection criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemField {
    /// `@aws.account`: the source account of the log event.
    Account,
    /// `@aws.region`: the source region of the log event.
    Region,
}

/// One predicate: `field = v`, `field != v`, `field IN [..]`, `field NOT IN [..]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectionPredicate {
    /// The field tested.
    pub field: SystemField,
    /// `true` for `!=` and `NOT IN`.
    pub negated: bool,
    /// The accepted values (one for `=`/`!=`).
    pub values: Vec<String>,
}

impl SelectionPredicate {
    fn holds(&self, region: &str, account: &str) -> bool {
        let actual = match self.field {
            SystemField::Account => account,
            SystemField::Region => region,
        };
        self.values.iter().any(|v| v == actual) != self.negated
    }
}

/// Parsed `fieldSelectionCriteria`: an OR of AND-groups of predicates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelection {
    /// Alternatives; empty means "no criteria" (everything is admitted).
    pub any_of: Vec<Vec<SelectionPredicate>>,
}

impl FieldSelection {
    /// Parses criteria text (empty or whitespace-only admits everything).
    pub fn parse(text: &str) -> Result<FieldSelection, PatternError> {
        let len = text.chars().count();
        if len > MAX_SELECTION_LEN {
            return Err(PatternError::new(
                PatternErrorKind::TooLong {
                    len,
                    max: MAX_SELECTION_LEN,
                },
                0..text.len(),
            ));
        }
        let toks = tokenize(text)?;
        let mut c = Cursor::new(&toks, text.len());
        let mut any_of = Vec::new();
        if c.peek().is_none() {
            return Ok(FieldSelection { any_of });
        }
        let mut group = vec![parse_predicate(&mut c)?];
        while let Some(Token {
            tok: Tok::Word(w), ..
        }) = c.peek()
        {
            if w.eq_ignore_ascii_case("AND") {
                c.pos += 1;
                group.push(parse_predicate(&mut c)?);
            } else if w.eq_ignore_ascii_case("OR") {
                c.pos += 1;
                any_of.push(std::mem::take(&mut group));
                group.push(parse_predicate(&mut c)?);
            } else {
                break;
            }
        }
        if c.peek().is_some() {
            return Err(c.unexpected("AND, OR or the end of the criteria"));
        }
        any_of.push(group);
        Ok(FieldSelection { any_of })
    }

    /// Whether events from `region` and `account` are processed by the metric filter.
    pub fn admits(&self, region: &str, account: &str) -> bool {
        self.any_of.is_empty()
            || self
                .any_of
                .iter()
                .any(|g| g.iter().all(|p| p.holds(region, account)))
    }
}

fn parse_predicate(c: &mut Cursor<'_>) -> Result<SelectionPredicate, PatternError> {
    let field = match c.peek() {
        Some(Token {
            tok: Tok::Word(w), ..
        }) if w == "@aws.account" => SystemField::Account,
        Some(Token {
            tok: Tok::Word(w), ..
        }) if w == "@aws.region" => SystemField::Region,
        Some(Token {
            tok: Tok::Word(w),
            span,
        }) if w.starts_with('@') => {
            return Err(PatternError::new(
                PatternErrorKind::UnknownSystemField(w.clone()),
                span.range(),
            ));
        }
        Some(Token {
            tok: Tok::LParen, ..
        }) => {
            return Err(c.unexpected("@aws.account or @aws.region (parentheses are not part of the documented syntax; rewrite without them)"));
        }
        _ => return Err(c.unexpected("@aws.account or @aws.region")),
    };
    c.pos += 1;
    let (negated, list) = match c.peek() {
        Some(Token {
            tok: Tok::Op(super::ast::CmpOp::Eq),
            ..
        }) => (false, false),
        Some(Token {
            tok: Tok::Op(super::ast::CmpOp::Ne),
            ..
        }) => (true, false),
        Some(Token {
            tok: Tok::Word(w), ..
        }) if w.eq_ignore_ascii_case("IN") => (false, true),
        Some(Token {
            tok: Tok::Word(w), ..
        }) if w.eq_ignore_ascii_case("NOT") => {
            c.pos += 1;
            match c.peek() {
                Some(Token {
                    tok: Tok::Word(w), ..
                }) if w.eq_ignore_ascii_case("IN") => (true, true),
                _ => return Err(c.unexpected("IN after NOT")),
            }
        }
        _ => return Err(c.unexpected("=, !=, IN or NOT IN")),
    };
    c.pos += 1;
    let values = if list {
        if !matches!(
            c.peek(),
            Some(Token {
                tok: Tok::LBracket,
                ..
            })
        ) {
            return Err(c.unexpected("`[` starting a list of values"));
        }
        c.pos += 1;
        let mut values = vec![parse_value(c)?];
        loop {
            match c.peek() {
                Some(Token {
                    tok: Tok::Comma, ..
                }) => {
                    c.pos += 1;
                    values.push(parse_value(c)?);
                }
                Some(Token {
                    tok: Tok::RBracket, ..
                }) => {
                    c.pos += 1;
                    break;
                }
                _ => return Err(c.unexpected("`,` or `]`")),
            }
        }
        values
    } else {
        vec![parse_value(c)?]
    };
    Ok(SelectionPredicate {
        field,
        negated,
        values,
    })
}

fn parse_value(c: &mut Cursor<'_>) -> Result<String, PatternError> {
    match c.peek() {
        Some(Token {
            tok: Tok::Str(s) | Tok::Word(s),
            ..
        }) => {
            let s = s.clone();
            c.pos += 1;
            Ok(s)
        }
        _ => Err(c.unexpected("a value such as \"us-east-1\" or \"123456789012\"")),
    }
}
