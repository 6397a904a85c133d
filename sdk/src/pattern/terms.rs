//! Parser for unstructured term patterns: `ERROR`, `"exact phrase"`, `?a ?b`, `-term`.
//!
//! AWS ("Filter pattern syntax …", "Matching terms in unstructured log events"; archived
//! "Matching Terms in Log Events"):
//! - "You can specify multiple terms in a metric filter pattern, but all terms must appear in a
//!   log event for there to be a match."
//! - "To exclude a term, use a minus sign (-) before the term." The archived page writes
//!   `"ERROR" - "Exiting"` with a space after the minus, so whitespace after `-`/`?` is allowed.
//! - "Use a question mark for OR, such as `?term`": `?ERROR ?WARN` matches either.
//! - Terms with characters other than letters, digits and `_` must be quoted; unquoted terms
//!   are accepted leniently here (AWS stores only patterns it accepted).
//!
//! Mixing `?` with plain terms is not spelled out by AWS. This module follows the AWS CDK's
//! rendering of `FilterPattern.anyTermGroup(["ERROR","MainThread"],["WARN","Deadlock"])` as
//! `?"ERROR" "MainThread" ?"WARN" "Deadlock"`: each `?term` starts a new OR group and the plain
//! terms after it join that group; plain terms before the first `?` form a group of their own.

use super::ast::{Span, Term, TermGroup, TermPattern};
use super::error::{PatternError, PatternErrorKind};
use super::lexer::lex_string;

/// Parses a term pattern (the caller has ruled out the empty, JSON, delimited and regex forms).
pub(crate) fn parse_terms(src: &str) -> Result<TermPattern, PatternError> {
    let mut terms = Vec::new();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while let Some(c) = src[*i..].chars().next().filter(|c| c.is_whitespace()) {
            *i += c.len_utf8();
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= src.len() {
            break;
        }
        let start = i;
        let (mut or, mut exclude) = (false, false);
        let prefix = match src.as_bytes().get(i) {
            Some(b'?') => {
                or = true;
                Some("?")
            }
            Some(b'-') => {
                exclude = true;
                Some("-")
            }
            _ => None,
        };
        if let Some(p) = prefix {
            i += 1;
            skip_ws(&mut i);
            if i >= src.len() {
                return Err(PatternError::new(
                    PatternErrorKind::EmptyTerm(p.into()),
                    start..i,
                ));
            }
        }
        let (text, end) = if src.as_bytes().get(i) == Some(&b'"') {
            lex_string(src, i)?
        } else {
            let end = src[i..]
                .find(|c: char| c.is_whitespace() || c == '"')
                .map_or(src.len(), |k| i + k);
            (src[i..end].to_owned(), end)
        };
        if text.is_empty() {
            return Err(PatternError::new(
                PatternErrorKind::EmptyTerm(prefix.unwrap_or("\"").into()),
                start..end.max(start + 1),
            ));
        }
        terms.push(Term {
            text,
            exclude,
            or,
            span: Span::new(start, end),
        });
        i = end;
    }
    let mut groups: Vec<TermGroup> = Vec::new();
    for term in terms {
        match groups.last_mut() {
            Some(g) if !term.or => {
                g.span = g.span.to(&term.span);
                g.terms.push(term);
            }
            _ => groups.push(TermGroup {
                span: term.span.clone(),
                terms: vec![term],
            }),
        }
    }
    let span = match (groups.first(), groups.last()) {
        (Some(f), Some(l)) => f.span.to(&l.span),
        _ => Span::new(0, src.len()),
    };
    Ok(TermPattern { groups, span })
}
