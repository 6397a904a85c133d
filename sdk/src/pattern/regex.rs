//! AWS's restricted regex dialect for filter patterns (`%...%`), compiled to a small NFA.
//!
//! Source: AWS CloudWatch Logs User Guide, "Supported regular expressions (regex) syntax"
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/regex-expressions.html>), part of
//! "Filter pattern syntax for metric filters, subscription filters, filter log events, and Live
//! Tail". Its rules, as read here:
//!
//! - "Filter patterns with regex can only include the following": alphanumeric characters
//!   (A–Z, a–z, 0–9); the symbols `_ # = @ / ; , -` (the Chinese mirror of the page also lists
//!   `:`); and the operators `^ $ ? [ ] { } | \ * + .`.
//! - "The ( and ) operators are not supported. You cannot use parentheses to define a
//!   subpattern." → rejected with [`PatternErrorKind::UnsupportedRegex`].
//! - "Multi-byte characters are not supported." → rejected.
//! - Operators: `^`/`$` anchor at the start/end; `?` optional; `[]` character classes with
//!   ranges (`[a-z]`) and, by the listed `^`, negation (`[^a-z]`); `{m,n}` bounded repetition;
//!   `|` alternation; `\` escapes an operator to its literal meaning; `*` zero or more; `+` one or
//!   more; `.` any character; `\d \D \s \S \w \W` classes.
//!
//! Judgement calls (documented, lenient where a real AWS-stored pattern could contain it):
//! - `:` and the space character are accepted: `:` is on one mirror of the list, and the AWS CDK
//!   documents `regexValue('$.message', '=', 'bind: address already in use')`.
//! - A `?` directly after a quantifier (`a*?`) is accepted as a lazy modifier; for a yes/no
//!   match it changes nothing.
//! - The match is a *search* (anywhere in the text) unless anchored, as in the AWS example
//!   `%AUTHORIZED%` matching `[ERROR 401] UNAUTHORIZED REQUEST`. Matching is case-sensitive.
//!
//! The matcher is a Thompson-NFA simulation: time is linear in the text for a given regex, with
//! no backtracking, so no pattern can make it loop or explode. Counted repetition is expanded
//! and capped at [`MAX_PROGRAM`] instructions.

use std::fmt;

use super::error::{PatternError, PatternErrorKind};

/// Largest repetition count accepted in `{m,n}`.
pub const MAX_REPEAT: u32 = 1000;
/// Largest compiled program, in NFA instructions.
pub const MAX_PROGRAM: usize = 10_000;

/// A compiled AWS filter-pattern regex.
#[derive(Clone)]
pub struct Regex {
    source: String,
    prog: Vec<Inst>,
    classes: Vec<Class>,
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Regex(%{}%)", self.source)
    }
}

impl Regex {
    /// Compiles the text between the `%` delimiters. `offset` is the byte position of that
    /// text in the whole pattern, for error spans.
    pub fn parse(source: &str, offset: usize) -> Result<Regex, PatternError> {
        if source.is_empty() {
            return Err(PatternError::new(
                PatternErrorKind::InvalidRegex(
                    "empty regex; put an expression between the `%`s".into(),
                ),
                offset.saturating_sub(1)..offset + 1,
            ));
        }
        let mut p = Parser {
            chars: source.char_indices().collect(),
            pos: 0,
            offset,
            src_len: source.len(),
        };
        let node = p.parse_alt()?;
        let mut c = Compiler {
            prog: Vec::new(),
            classes: Vec::new(),
        };
        c.compile(&node).map_err(|()| {
            PatternError::new(
                PatternErrorKind::InvalidRegex(format!(
                    "regex expands to more than {MAX_PROGRAM} steps; use smaller repetition counts"
                )),
                offset..offset + source.len(),
            )
        })?;
        c.push(Inst::Match).map_err(|()| {
            PatternError::new(
                PatternErrorKind::InvalidRegex("regex is too large".into()),
                offset..offset + source.len(),
            )
        })?;
        Ok(Regex {
            source: source.to_owned(),
            prog: c.prog,
            classes: c.classes,
        })
    }

    /// The regex as written between the `%`s.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the regex matches anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let n = self.prog.len();
        let mut clist = ThreadList::new(n);
        let mut nlist = ThreadList::new(n);
        let mut stack = Vec::new();
        let mut chars = text.chars().peekable();
        let mut at_start = true;
        loop {
            let at_end = chars.peek().is_none();
            // Unanchored search: a new thread may start at every position.
            if self.add(&mut clist, 0, at_start, at_end, &mut stack) {
                return true;
            }
            let Some(ch) = chars.next() else {
                return false;
            };
            let next_at_end = chars.peek().is_none();
            nlist.clear();
            for i in 0..clist.len() {
                let pc = clist.dense[i];
                let advance = match self.prog.get(pc) {
                    Some(Inst::Char(c)) => *c == ch,
                    Some(Inst::Any) => true,
                    Some(Inst::Class(k)) => self.classes.get(*k).is_some_and(|cl| cl.matches(ch)),
                    _ => false,
                };
                if advance && self.add(&mut nlist, pc + 1, false, next_at_end, &mut stack) {
                    return true;
                }
            }
            std::mem::swap(&mut clist, &mut nlist);
            at_start = false;
        }
    }

    /// Adds `pc` and its epsilon closure to `list`; `true` if `Match` is reachable.
    fn add(
        &self,
        list: &mut ThreadList,
        pc: usize,
        at_start: bool,
        at_end: bool,
        stack: &mut Vec<usize>,
    ) -> bool {
        stack.clear();
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            if pc >= self.prog.len() || !list.insert(pc) {
                continue;
            }
            match self.prog[pc] {
                Inst::Match => return true,
                Inst::Jmp(t) => stack.push(t),
                Inst::Split(a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                Inst::Start => {
                    if at_start {
                        stack.push(pc + 1);
                    }
                }
                Inst::End => {
                    if at_end {
                        stack.push(pc + 1);
                    }
                }
                Inst::Char(_) | Inst::Any | Inst::Class(_) => {}
            }
        }
        false
    }
}

/// A sparse set of program counters.
struct ThreadList {
    dense: Vec<usize>,
    member: Vec<bool>,
}

impl ThreadList {
    fn new(n: usize) -> Self {
        Self {
            dense: Vec::with_capacity(n),
            member: vec![false; n],
        }
    }
    fn len(&self) -> usize {
        self.dense.len()
    }
    fn clear(&mut self) {
        for &pc in &self.dense {
            if let Some(m) = self.member.get_mut(pc) {
                *m = false;
            }
        }
        self.dense.clear();
    }
    fn insert(&mut self, pc: usize) -> bool {
        match self.member.get_mut(pc) {
            Some(m) if !*m => {
                *m = true;
                self.dense.push(pc);
                true
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Inst {
    Char(char),
    Any,
    Class(usize),
    Split(usize, usize),
    Jmp(usize),
    Start,
    End,
    Match,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Builtin {
    Digit,
    Space,
    Word,
}

impl Builtin {
    fn matches(self, c: char) -> bool {
        match self {
            Builtin::Digit => c.is_ascii_digit(),
            Builtin::Space => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'),
            Builtin::Word => c.is_ascii_alphanumeric() || c == '_',
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum ClassItem {
    Range(char, char),
    Builtin(Builtin, bool),
}

#[derive(Debug, Clone, PartialEq)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        let hit = self.items.iter().any(|item| match *item {
            ClassItem::Range(lo, hi) => lo <= c && c <= hi,
            ClassItem::Builtin(b, neg) => b.matches(c) != neg,
        });
        hit != self.negated
    }
}

#[derive(Debug, Clone)]
enum Node {
    Empty,
    Char(char),
    Any,
    Class(Class),
    Start,
    End,
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
}

struct Parser {
    chars: Vec<(usize, char)>,
    pos: usize,
    offset: usize,
    src_len: usize,
}

/// Symbols AWS lists as allowed in regexes, plus `:` and space (see module docs).
fn is_allowed_literal(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '#' | '=' | '@' | '/' | ';' | ',' | '-' | ':' | ' ')
}

fn is_operator(c: char) -> bool {
    matches!(
        c,
        '^' | '$' | '?' | '[' | ']' | '{' | '}' | '|' | '\\' | '*' | '+' | '.'
    )
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|&(_, c)| c)
    }

    fn byte_at(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.src_len, |&(b, _)| b)
    }

    fn err_at(&self, i: usize, kind: PatternErrorKind) -> PatternError {
        let start = self.byte_at(i);
        let end = self.chars.get(i).map_or(start, |&(b, c)| b + c.len_utf8());
        PatternError::new(kind, self.offset + start..self.offset + end.max(start))
    }

    fn unsupported(&self, i: usize, msg: impl Into<String>) -> PatternError {
        self.err_at(i, PatternErrorKind::UnsupportedRegex(msg.into()))
    }

    fn invalid(&self, i: usize, msg: impl Into<String>) -> PatternError {
        self.err_at(i, PatternErrorKind::InvalidRegex(msg.into()))
    }

    fn parse_alt(&mut self) -> Result<Node, PatternError> {
        let mut alts = vec![self.parse_concat()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.parse_concat()?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alts)
        })
    }

    fn parse_concat(&mut self) -> Result<Node, PatternError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' {
                break;
            }
            let atom_at = self.pos;
            let atom = self.parse_atom()?;
            let atom = self.parse_quantifiers(atom, atom_at)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn parse_atom(&mut self) -> Result<Node, PatternError> {
        let i = self.pos;
        let Some(c) = self.peek() else {
            return Err(self.invalid(i, "unexpected end of regex"));
        };
        self.pos += 1;
        match c {
            '(' | ')' => Err(self.unsupported(i, "parentheses are not supported in filter-pattern regexes; remove the group")),
            '.' => Ok(Node::Any),
            '^' => Ok(Node::Start),
            '$' => Ok(Node::End),
            '[' => self.parse_class(i),
            '\\' => self.parse_escape(i).map(|item| match item {
                ClassItem::Range(a, _) => Node::Char(a),
                b @ ClassItem::Builtin(..) => Node::Class(Class { negated: false, items: vec![b] }),
            }),
            '*' | '+' | '?' | '{' => Err(self.invalid(i, format!("`{c}` has nothing to repeat; escape it as `\\{c}`"))),
            ']' | '}' => Ok(Node::Char(c)),
            c if !c.is_ascii() => Err(self.unsupported(i, "multi-byte characters are not supported in regexes")),
            c if is_allowed_literal(c) => Ok(Node::Char(c)),
            c => Err(self.unsupported(i, format!("character `{c}` is not allowed in a regex; AWS allows letters, digits, `_#=@/;,-` and the regex operators"))),
        }
    }

    /// After a `\` at index `i`.
    fn parse_escape(&mut self, i: usize) -> Result<ClassItem, PatternError> {
        let Some(c) = self.peek() else {
            return Err(self.invalid(i, "trailing `\\`; escape something or remove it"));
        };
        self.pos += 1;
        Ok(match c {
            'd' => ClassItem::Builtin(Builtin::Digit, false),
            'D' => ClassItem::Builtin(Builtin::Digit, true),
            's' => ClassItem::Builtin(Builtin::Space, false),
            'S' => ClassItem::Builtin(Builtin::Space, true),
            'w' => ClassItem::Builtin(Builtin::Word, false),
            'W' => ClassItem::Builtin(Builtin::Word, true),
            c if is_operator(c) || (is_allowed_literal(c) && !c.is_ascii_alphanumeric()) => ClassItem::Range(c, c),
            '(' | ')' => return Err(self.unsupported(i, "parentheses are not supported in filter-pattern regexes")),
            c => return Err(self.unsupported(i, format!("escape `\\{c}` is not supported; use \\d \\D \\s \\S \\w \\W or escape an operator"))),
        })
    }

    /// After a `[` at index `open`.
    fn parse_class(&mut self, open: usize) -> Result<Node, PatternError> {
        let mut negated = false;
        if self.peek() == Some('^') {
            negated = true;
            self.pos += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let i = self.pos;
            let Some(c) = self.peek() else {
                return Err(self.invalid(open, "unclosed `[`; add `]`"));
            };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            let lo = self.class_char()?;
            let ClassItem::Range(lo, _) = lo else {
                items.push(lo);
                continue;
            };
            // A range `a-z`, unless the `-` is last in the class.
            if self.peek() == Some('-')
                && self.chars.get(self.pos + 1).is_some_and(|&(_, c)| c != ']')
            {
                self.pos += 1;
                let hi_at = self.pos;
                match self.class_char()? {
                    ClassItem::Range(hi, _) if hi >= lo => items.push(ClassItem::Range(lo, hi)),
                    ClassItem::Range(..) => {
                        return Err(self
                            .invalid(i, "range is backwards; write the smaller character first"));
                    }
                    ClassItem::Builtin(..) => {
                        return Err(self.invalid(hi_at, "a class escape cannot end a range"));
                    }
                }
            } else {
                items.push(ClassItem::Range(lo, lo));
            }
        }
        Ok(Node::Class(Class { negated, items }))
    }

    fn class_char(&mut self) -> Result<ClassItem, PatternError> {
        let i = self.pos;
        let Some(c) = self.peek() else {
            return Err(self.invalid(i, "unclosed `[`; add `]`"));
        };
        self.pos += 1;
        match c {
            '\\' => self.parse_escape(i),
            '(' | ')' => {
                Err(self.unsupported(i, "parentheses are not supported in filter-pattern regexes"))
            }
            c if !c.is_ascii() => {
                Err(self.unsupported(i, "multi-byte characters are not supported in regexes"))
            }
            c if is_allowed_literal(c) || is_operator(c) => Ok(ClassItem::Range(c, c)),
            c => Err(self.unsupported(i, format!("character `{c}` is not allowed in a regex"))),
        }
    }

    fn parse_quantifiers(&mut self, mut atom: Node, atom_at: usize) -> Result<Node, PatternError> {
        let mut quantified = false;
        while let Some(c) = self.peek() {
            let i = self.pos;
            let (min, max) = match c {
                '*' => (0, None),
                '+' => (1, None),
                '?' if quantified => {
                    // Lazy modifier: irrelevant for a yes/no match.
                    self.pos += 1;
                    if matches!(self.peek(), Some('*' | '+' | '?' | '{')) {
                        return Err(self.invalid(self.pos, "nested quantifier; remove one"));
                    }
                    return Ok(atom);
                }
                '?' => (0, Some(1)),
                '{' => {
                    self.pos += 1;
                    self.parse_braces(i)?
                }
                _ => break,
            };
            if c != '{' {
                self.pos += 1;
            }
            if quantified {
                return Err(self.invalid(i, "nested quantifier; remove one"));
            }
            if matches!(atom, Node::Start | Node::End) {
                return Err(self.invalid(atom_at, "an anchor cannot be repeated"));
            }
            quantified = true;
            atom = Node::Repeat(Box::new(atom), min, max);
        }
        Ok(atom)
    }

    /// After `{` at index `open`: `m}`, `m,}`, `m,n}` (spaces allowed after the comma).
    fn parse_braces(&mut self, open: usize) -> Result<(u32, Option<u32>), PatternError> {
        let bad = |p: &Self| p.invalid(open, "invalid repetition; write {m}, {m,} or {m,n}");
        let min = self.number().ok_or_else(|| bad(self))?;
        let max = match self.peek() {
            Some('}') => Some(min),
            Some(',') => {
                self.pos += 1;
                while self.peek() == Some(' ') {
                    self.pos += 1;
                }
                if self.peek() == Some('}') {
                    None
                } else {
                    Some(self.number().ok_or_else(|| bad(self))?)
                }
            }
            _ => return Err(bad(self)),
        };
        if self.peek() != Some('}') {
            return Err(bad(self));
        }
        self.pos += 1;
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
            return Err(self.invalid(
                open,
                format!("repetition count above {MAX_REPEAT}; use a smaller count"),
            ));
        }
        if max.is_some_and(|m| m < min) {
            return Err(self.invalid(open, "repetition {m,n} needs m <= n"));
        }
        Ok((min, max))
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut n: u32 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d);
            self.pos += 1;
        }
        (self.pos > start).then_some(n)
    }
}

struct Compiler {
    prog: Vec<Inst>,
    classes: Vec<Class>,
}

impl Compiler {
    fn push(&mut self, inst: Inst) -> Result<usize, ()> {
        if self.prog.len() >= MAX_PROGRAM {
            return Err(());
        }
        self.prog.push(inst);
        Ok(self.prog.len() - 1)
    }

    fn patch(&mut self, at: usize, inst: Inst) {
        if let Some(slot) = self.prog.get_mut(at) {
            *slot = inst;
        }
    }

    fn compile(&mut self, node: &Node) -> Result<(), ()> {
        match node {
            Node::Empty => {}
            Node::Char(c) => {
                self.push(Inst::Char(*c))?;
            }
            Node::Any => {
                self.push(Inst::Any)?;
            }
            Node::Class(cl) => {
                let k = self.classes.len();
                self.classes.push(cl.clone());
                self.push(Inst::Class(k))?;
            }
            Node::Start => {
                self.push(Inst::Start)?;
            }
            Node::End => {
                self.push(Inst::End)?;
            }
            Node::Concat(items) => {
                for item in items {
                    self.compile(item)?;
                }
            }
            Node::Alt(alts) => {
                // split L1, next; L1: a; jmp end; next: split L2, ...
                let mut jumps = Vec::new();
                for (k, alt) in alts.iter().enumerate() {
                    if k + 1 < alts.len() {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.compile(alt)?;
                        jumps.push(self.push(Inst::Jmp(0))?);
                        let next = self.prog.len();
                        self.patch(split, Inst::Split(split + 1, next));
                    } else {
                        self.compile(alt)?;
                    }
                }
                let end = self.prog.len();
                for j in jumps {
                    self.patch(j, Inst::Jmp(end));
                }
            }
            Node::Repeat(inner, min, max) => {
                for _ in 0..*min {
                    self.compile(inner)?;
                }
                match max {
                    None => {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.compile(inner)?;
                        self.push(Inst::Jmp(split))?;
                        let end = self.prog.len();
                        self.patch(split, Inst::Split(split + 1, end));
                    }
                    Some(max) => {
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            splits.push(self.push(Inst::Split(0, 0))?);
                            self.compile(inner)?;
                        }
                        let end = self.prog.len();
                        for s in splits {
                            self.patch(s, Inst::Split(s + 1, end));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
