//! Canonical rendering of patterns.
//!
//! The canonical form re-parses to an equal tree (`Pattern::parse(&p.to_string()) == p`, spans
//! ignored). Choices: strings and terms are always double-quoted (escaping `"` and `\`);
//! numbers print as written; keywords in upper case; in JSON patterns every nested `&&`/`||`
//! group is parenthesised, so precedence is visible.

use std::fmt::{self, Display, Formatter, Write};

use super::ast::{
    DelimitedExpr, DelimitedField, DelimitedPattern, JsonCond, JsonExpr, Root, Selector, Step,
    StrValue, Term, TermPattern, Test,
};

/// Writes `s` double-quoted, escaping `"` and `\`.
pub(crate) fn write_quoted(f: &mut impl Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

impl Display for Root {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Root::Empty => Ok(()),
            Root::Terms(t) => t.fmt(f),
            Root::Regex(r) => write!(f, "%{}%", r.regex.source()),
            Root::Json(j) => write!(f, "{{ {} }}", j.expr),
            Root::Delimited(d) => d.fmt(f),
        }
    }
}

impl Display for TermPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (k, t) in self.groups.iter().flat_map(|g| &g.terms).enumerate() {
            if k > 0 {
                f.write_char(' ')?;
            }
            t.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for Term {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.or {
            f.write_char('?')?;
        } else if self.exclude {
            f.write_char('-')?;
        }
        write_quoted(f, &self.text)
    }
}

impl Display for JsonExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (items, sep) = match self {
            JsonExpr::Cond(c) => return c.fmt(f),
            JsonExpr::And(items, _) => (items, " && "),
            JsonExpr::Or(items, _) => (items, " || "),
        };
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                f.write_str(sep)?;
            }
            match item {
                JsonExpr::Cond(c) => c.fmt(f)?,
                group => write!(f, "({group})")?,
            }
        }
        Ok(())
    }
}

impl Display for JsonCond {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.selector, self.test)
    }
}

impl Display for Selector {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('$')?;
        for step in &self.steps {
            match step {
                Step::Field(name) => write!(f, ".{name}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

impl Display for StrValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut raw = String::with_capacity(self.text.len() + 2);
        if self.leading {
            raw.push('*');
        }
        raw.push_str(&self.text);
        if self.trailing {
            raw.push('*');
        }
        write_quoted(f, &raw)
    }
}

impl Display for Test {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Test::Str { op, value } => write!(f, "{} {value}", op.as_str()),
            Test::Num { op, value } => write!(f, "{} {}", op.as_str(), value.text),
            Test::Regex { op, value } => write!(f, "{} %{}%", op.as_str(), value.regex.source()),
            Test::IsNull => f.write_str("IS NULL"),
            Test::NotExists => f.write_str("NOT EXISTS"),
            Test::IsBool(true) => f.write_str("IS TRUE"),
            Test::IsBool(false) => f.write_str("IS FALSE"),
        }
    }
}

impl Display for DelimitedPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('[')?;
        for (k, field) in self.fields.iter().enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            match field {
                DelimitedField::Ellipsis(_) => f.write_str("...")?,
                DelimitedField::Named {
                    name, cond: None, ..
                } => f.write_str(name)?,
                DelimitedField::Named { cond: Some(e), .. } => e.fmt(f)?,
            }
        }
        f.write_char(']')
    }
}

impl Display for DelimitedExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (items, sep) = match self {
            DelimitedExpr::Cond(c) => return write!(f, "{} {}", c.name, c.test),
            DelimitedExpr::And(items, _) => (items, " && "),
            DelimitedExpr::Or(items, _) => (items, " || "),
        };
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                f.write_str(sep)?;
            }
            item.fmt(f)?;
        }
        Ok(())
    }
}
