//! CloudWatch Logs Insights queries, as far as a log alarm needs them: whether one CloudTrail
//! record passes the query, and what the alarm's aggregation expression makes of it.
//!
//! A log alarm runs a Logs Insights query on a schedule and applies its `AggregationExpression`
//! to the rows the query returns ("Log alarms",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-log.html>). The query
//! language is documented in "CloudWatch Logs Insights language query syntax"
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html>) and the
//! `filter` command in <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Filter.html>.
//! Our reading, which this module implements:
//!
//! - A query is commands separated by `|`; `#` starts a comment to the end of the line.
//! - `filter` keeps the log events that match its condition: comparisons `=`, `!=`, `<`, `<=`,
//!   `>`, `>=`; Boolean `and`, `or`, `not` and parentheses; `in [..]` / `not in [..]` for set
//!   membership ("the fields must be complete string matches"); `like "text"` (the text
//!   anywhere in the value), `like /regex/` and `=~ /regex/` (a regex search).
//! - Fields: Logs Insights discovers the fields of JSON log events, nested keys joined with
//!   `.` (`userIdentity.type`, `requestParameters.keyId`; array elements by index,
//!   `resources.0.ARN`); names with other characters are written in backticks. `@message` is
//!   the raw event: CloudTrail delivers each record to the log group as one JSON message.
//!   Other discovered system fields (`@timestamp`, `@logStream`, `@log`) are not part of the
//!   record, so a condition on them is "could not verify".
//! - `fields` (without `as`), `display`, `sort` and `dedup` choose, order or thin the rows but
//!   never drop the only row of a matching event; `limit n` keeps the first `n ≥ 1` rows, so
//!   it cannot drop one event when it is the only one, and caps a burst at `n`.
//! - Everything else (`stats` inside the query, `parse`, `unmask`, `pattern`, `diff`,
//!   `anomaly`, `fields … as`, functions other than `ispresent`, `isempty`, `isblank` and
//!   `strcontains`, regexes outside the dialect of filter patterns) is reported as "could not
//!   verify", never guessed.
//!
//! Judgement calls, documented: keywords are read case-insensitively; a comparison with a
//! field the record lacks is false for `=`, `<`, `like`, `in` and unknown for `!=` and
//! `not …` (whether Logs Insights keeps events that lack the field there is not documented), so
//! a verdict that hangs on it is "could not verify". Values compare case-sensitively; a number
//! literal compares numerically with a number (or numeric text) in the record.

use serde_json::Value;

use crate::pattern::regex::Regex;

/// Why a query or aggregation expression could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogsQueryError {
    /// The text is not valid Logs Insights syntax as documented.
    #[error("it is not a valid Logs Insights query: {0}")]
    Syntax(String),
    /// The text uses syntax this reading does not evaluate.
    #[error("it uses {0}, which trailwarden does not evaluate")]
    Unsupported(String),
}

/// A three-valued answer: the record passes, it does not (and why), or it cannot be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    /// The condition holds.
    Yes,
    /// The condition does not hold; the clause names the condition.
    No(String),
    /// It cannot be told; the clause says why.
    Unknown(String),
}

impl Truth {
    fn and(self, other: impl FnOnce() -> Truth) -> Truth {
        match self {
            Truth::No(why) => Truth::No(why),
            Truth::Yes => other(),
            Truth::Unknown(why) => match other() {
                Truth::No(no) => Truth::No(no),
                _ => Truth::Unknown(why),
            },
        }
    }

    fn or(self, other: impl FnOnce() -> Truth) -> Truth {
        match self {
            Truth::Yes => Truth::Yes,
            Truth::No(why) => match other() {
                Truth::No(_) => Truth::No(why),
                known => known,
            },
            Truth::Unknown(why) => match other() {
                Truth::Yes => Truth::Yes,
                _ => Truth::Unknown(why),
            },
        }
    }

    fn not(self, text: &str) -> Truth {
        match self {
            Truth::Yes => Truth::No(format!("`not {text}` is false")),
            Truth::No(_) => Truth::Yes,
            unknown => unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Number(f64),
    Regex(String),
    Op(&'static str),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Comma,
    Pipe,
}

/// The longest query a log alarm accepts ("maximum of 10,000 characters", the
/// `ScheduledQueryConfiguration` type); longer text is refused before parsing.
const MAX_QUERY: usize = 10_000;
/// Nesting deeper than this is refused, so a hostile query cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// The token a one-character mark stands for.
fn punctuation(c: char) -> Option<Token> {
    Some(match c {
        '|' => Token::Pipe,
        '(' => Token::Open,
        ')' => Token::Close,
        '[' => Token::OpenBracket,
        ']' => Token::CloseBracket,
        ',' => Token::Comma,
        _ => return None,
    })
}

fn tokenize(text: &str) -> Result<Vec<Token>, LogsQueryError> {
    if text.len() > MAX_QUERY {
        return Err(LogsQueryError::Syntax(format!(
            "it is {} characters long, over the {MAX_QUERY} AWS accepts",
            text.len()
        )));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            c if punctuation(c).is_some() => {
                tokens.extend(punctuation(c));
                i += 1;
            }
            '"' | '\'' | '`' => {
                let (body, next) = quoted(&chars, i)?;
                tokens.push(if c == '`' {
                    Token::Word(body)
                } else {
                    Token::Quoted(body)
                });
                i = next;
            }
            '/' if regex_may_follow(tokens.last()) => {
                let (body, next) = delimited(&chars, i, '/')?;
                tokens.push(Token::Regex(body));
                i = next;
            }
            '=' | '!' | '<' | '>' => {
                let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
                let op = match two.as_str() {
                    "!=" => "!=",
                    "<=" => "<=",
                    ">=" => ">=",
                    "=~" => "=~",
                    "==" => "=",
                    _ => match c {
                        '=' => "=",
                        '<' => "<",
                        '>' => ">",
                        _ => {
                            return Err(LogsQueryError::Syntax(format!(
                                "`!` at character {} is not followed by `=`",
                                i + 1
                            )));
                        }
                    },
                };
                i += if op.len() == 2 || two == "==" { 2 } else { 1 };
                tokens.push(Token::Op(op));
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let number = text
                    .parse::<f64>()
                    .map_err(|_| LogsQueryError::Syntax(format!("`{text}` is not a number")))?;
                tokens.push(Token::Number(number));
            }
            c if is_word_char(c) || c == '@' || c == '*' => {
                let start = i;
                i += 1;
                while i < chars.len() && (is_word_char(chars[i]) || chars[i] == '.') {
                    i += 1;
                }
                tokens.push(Token::Word(chars[start..i].iter().collect()));
            }
            other => {
                return Err(LogsQueryError::Syntax(format!(
                    "unexpected `{other}` at character {}",
                    i + 1
                )));
            }
        }
    }
    Ok(tokens)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// A `/` opens a regex after `like` or `=~` (the only places the syntax takes one).
fn regex_may_follow(previous: Option<&Token>) -> bool {
    match previous {
        Some(Token::Op("=~")) => true,
        Some(Token::Word(word)) => word.eq_ignore_ascii_case("like"),
        _ => false,
    }
}

fn quoted(chars: &[char], start: usize) -> Result<(String, usize), LogsQueryError> {
    delimited(chars, start, chars[start])
}

/// The text between `chars[start]` and the next unescaped `close`, and the index after it.
fn delimited(chars: &[char], start: usize, close: char) -> Result<(String, usize), LogsQueryError> {
    let mut body = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if chars.get(i + 1) == Some(&close) => {
                body.push(close);
                i += 2;
            }
            c if c == close => return Ok((body, i + 1)),
            c => {
                body.push(c);
                i += 1;
            }
        }
    }
    Err(LogsQueryError::Syntax(format!(
        "`{close}` opened at character {} is never closed",
        start + 1
    )))
}

/// A value a condition compares with.
#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Text(String),
    Number(f64),
}

impl Literal {
    fn show(&self) -> String {
        match self {
            Literal::Text(text) => format!("\"{text}\""),
            Literal::Number(number) => number.to_string(),
        }
    }
}

/// How `like` matches.
#[derive(Debug, Clone)]
enum Matcher {
    Substring(String),
    Regex(Regex),
}

/// A `filter` condition.
#[derive(Debug, Clone)]
enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>, String),
    Compare(String, &'static str, Literal),
    Like(String, Matcher, bool),
    In(String, Vec<Literal>, bool),
    Present(String),
    Empty(String, bool),
    Contains(String, String),
}

/// One command of the pipeline, as far as selection goes.
#[derive(Debug, Clone)]
enum Command {
    /// `filter`.
    Filter(Expr),
    /// `limit n`.
    Limit(u64),
    /// `dedup`: thins repeated values, never the first row of its kind.
    Dedup,
    /// `fields`, `display`, `sort`: no effect on which events count.
    Neutral,
}

/// A parsed Logs Insights query: the commands that decide which events it returns.
#[derive(Debug, Clone)]
pub struct LogsQuery {
    commands: Vec<Command>,
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn at_command_end(&self) -> bool {
        matches!(self.peek(), None | Some(Token::Pipe))
    }

    fn skip_command(&mut self) {
        while !self.at_command_end() {
            self.at += 1;
        }
    }

    fn command(&mut self) -> Result<Command, LogsQueryError> {
        let Some(Token::Word(name)) = self.next() else {
            return Err(LogsQueryError::Syntax(
                "a command must start with its name (filter, fields, sort, limit, …)".to_owned(),
            ));
        };
        match name.to_ascii_lowercase().as_str() {
            "filter" => {
                let expr = self.or()?;
                if !self.at_command_end() {
                    return Err(LogsQueryError::Syntax(format!(
                        "unexpected {:?} after the filter condition",
                        self.peek()
                    )));
                }
                Ok(Command::Filter(expr))
            }
            "fields" => {
                let start = self.at;
                self.skip_command();
                let creates = self.tokens[start..self.at].iter().any(|t| {
                    matches!(t, Token::Word(w) if w.eq_ignore_ascii_case("as"))
                        || matches!(t, Token::Open)
                });
                if creates {
                    return Err(LogsQueryError::Unsupported(
                        "`fields` that computes new fields".to_owned(),
                    ));
                }
                Ok(Command::Neutral)
            }
            "display" | "sort" => {
                self.skip_command();
                Ok(Command::Neutral)
            }
            "dedup" => {
                self.skip_command();
                Ok(Command::Dedup)
            }
            "limit" => match self.next() {
                Some(Token::Number(n)) if n >= 0.0 && n.fract() == 0.0 && self.at_command_end() => {
                    // Whole and non-negative, so the cast cannot truncate.
                    Ok(Command::Limit(n as u64))
                }
                _ => Err(LogsQueryError::Syntax(
                    "`limit` takes one whole number".to_owned(),
                )),
            },
            other => Err(LogsQueryError::Unsupported(format!(
                "the `{other}` command"
            ))),
        }
    }

    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, LogsQueryError>,
    ) -> Result<T, LogsQueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(LogsQueryError::Syntax(format!(
                "conditions nest deeper than {MAX_DEPTH} levels"
            )));
        }
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn or(&mut self) -> Result<Expr, LogsQueryError> {
        self.nested(|p| {
            let mut left = p.and()?;
            while p.keyword("or") {
                p.at += 1;
                let right = p.and()?;
                left = Expr::Or(Box::new(left), Box::new(right));
            }
            Ok(left)
        })
    }

    fn and(&mut self) -> Result<Expr, LogsQueryError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, LogsQueryError> {
        if self.keyword("not") {
            self.at += 1;
            let start = self.at;
            let inner = self.nested(Self::unary)?;
            let text = describe(&self.tokens[start..self.at]);
            return Ok(Expr::Not(Box::new(inner), text));
        }
        if matches!(self.peek(), Some(Token::Open)) {
            self.at += 1;
            let inner = self.or()?;
            return match self.next() {
                Some(Token::Close) => Ok(inner),
                _ => Err(LogsQueryError::Syntax("a `(` is never closed".to_owned())),
            };
        }
        self.condition()
    }

    fn field(&mut self) -> Result<String, LogsQueryError> {
        match self.next() {
            // Discovered system fields other than the message itself (`@timestamp`,
            // `@logStream`, `@log`, …) are not in the record, so a condition on them is not
            // judged from it.
            Some(Token::Word(word)) if word.starts_with('@') && word != "@message" => Err(
                LogsQueryError::Unsupported(format!("a condition on the system field `{word}`")),
            ),
            Some(Token::Word(word)) => Ok(word),
            other => Err(LogsQueryError::Syntax(format!(
                "expected a field name, found {}",
                other.map_or("the end".to_owned(), |t| format!("{t:?}"))
            ))),
        }
    }

    fn literal(&mut self) -> Result<Literal, LogsQueryError> {
        match self.next() {
            Some(Token::Quoted(text)) => Ok(Literal::Text(text)),
            Some(Token::Number(number)) => Ok(Literal::Number(number)),
            // A bare word on the right of a comparison is read as text, as in the filter
            // page's `accountId=123456789012` for numbers; a field-to-field comparison is not
            // evaluated.
            Some(Token::Word(word)) => Err(LogsQueryError::Unsupported(format!(
                "a comparison with `{word}` (another field or a bare word)"
            ))),
            other => Err(LogsQueryError::Syntax(format!(
                "expected a value, found {}",
                other.map_or("the end".to_owned(), |t| format!("{t:?}"))
            ))),
        }
    }

    fn condition(&mut self) -> Result<Expr, LogsQueryError> {
        let name = self.field()?;
        if matches!(self.peek(), Some(Token::Open)) {
            return self.function(&name);
        }
        let negated = if self.keyword("not") {
            self.at += 1;
            true
        } else {
            false
        };
        if self.keyword("like") {
            self.at += 1;
            let matcher = self.matcher()?;
            return Ok(Expr::Like(name, matcher, negated));
        }
        if self.keyword("in") {
            self.at += 1;
            return Ok(Expr::In(name, self.list()?, negated));
        }
        if negated {
            return Err(LogsQueryError::Syntax(format!(
                "`{name} not` must be followed by `like` or `in`"
            )));
        }
        match self.next() {
            Some(Token::Op("=~")) => Ok(Expr::Like(name, self.matcher()?, false)),
            Some(Token::Op(op)) => Ok(Expr::Compare(name, op, self.literal()?)),
            other => Err(LogsQueryError::Syntax(format!(
                "expected an operator after `{name}`, found {}",
                other.map_or("the end".to_owned(), |t| format!("{t:?}"))
            ))),
        }
    }

    fn matcher(&mut self) -> Result<Matcher, LogsQueryError> {
        match self.next() {
            Some(Token::Quoted(text)) => Ok(Matcher::Substring(text)),
            Some(Token::Regex(source)) => {
                Regex::parse(&source, 0).map(Matcher::Regex).map_err(|_| {
                    LogsQueryError::Unsupported(format!(
                        "the regex /{source}/, outside the regex dialect trailwarden evaluates"
                    ))
                })
            }
            _ => Err(LogsQueryError::Syntax(
                "`like` takes a quoted string or a /regex/".to_owned(),
            )),
        }
    }

    fn list(&mut self) -> Result<Vec<Literal>, LogsQueryError> {
        if !matches!(self.next(), Some(Token::OpenBracket)) {
            return Err(LogsQueryError::Syntax(
                "`in` takes a list in brackets, `[\"a\", \"b\"]`".to_owned(),
            ));
        }
        let mut values = Vec::new();
        loop {
            if matches!(self.peek(), Some(Token::CloseBracket)) && values.is_empty() {
                self.at += 1;
                return Ok(values);
            }
            values.push(self.literal()?);
            match self.next() {
                Some(Token::Comma) => continue,
                Some(Token::CloseBracket) => return Ok(values),
                _ => {
                    return Err(LogsQueryError::Syntax(
                        "a list in `in [..]` is never closed".to_owned(),
                    ));
                }
            }
        }
    }

    fn function(&mut self, name: &str) -> Result<Expr, LogsQueryError> {
        self.at += 1; // `(`
        let field = self.field()?;
        let expr = match name.to_ascii_lowercase().as_str() {
            "ispresent" => Expr::Present(field),
            "isempty" => Expr::Empty(field, false),
            "isblank" => Expr::Empty(field, true),
            "strcontains" => {
                if !matches!(self.next(), Some(Token::Comma)) {
                    return Err(LogsQueryError::Syntax(
                        "`strcontains` takes a field and a string".to_owned(),
                    ));
                }
                match self.literal()? {
                    Literal::Text(text) => Expr::Contains(field, text),
                    Literal::Number(n) => Expr::Contains(field, n.to_string()),
                }
            }
            other => {
                return Err(LogsQueryError::Unsupported(format!(
                    "the function `{other}`"
                )));
            }
        };
        match self.next() {
            Some(Token::Close) => Ok(expr),
            _ => Err(LogsQueryError::Syntax(format!("`{name}(` is never closed"))),
        }
    }
}

fn describe(tokens: &[Token]) -> String {
    let parts: Vec<String> = tokens
        .iter()
        .map(|t| match t {
            Token::Word(w) => w.clone(),
            Token::Quoted(q) => format!("\"{q}\""),
            Token::Number(n) => n.to_string(),
            Token::Regex(r) => format!("/{r}/"),
            Token::Op(op) => (*op).to_owned(),
            Token::Open => "(".to_owned(),
            Token::Close => ")".to_owned(),
            Token::OpenBracket => "[".to_owned(),
            Token::CloseBracket => "]".to_owned(),
            Token::Comma => ",".to_owned(),
            Token::Pipe => "|".to_owned(),
        })
        .collect();
    parts.join(" ")
}

/// The value of a discovered field of a CloudTrail record: `None` when the record lacks it.
fn lookup<'v>(record: &'v Value, name: &str) -> Option<std::borrow::Cow<'v, Value>> {
    if name == "@message" {
        return Some(std::borrow::Cow::Owned(Value::String(record.to_string())));
    }
    let mut value = record;
    for part in name.split('.') {
        value = match value {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    (!value.is_null()).then_some(std::borrow::Cow::Borrowed(value))
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn equals(value: &Value, literal: &Literal) -> bool {
    match literal {
        Literal::Text(text) => text_of(value).as_deref() == Some(text.as_str()),
        Literal::Number(number) => number_of(value) == Some(*number),
    }
}

impl Expr {
    fn eval(&self, record: &Value) -> Truth {
        match self {
            Expr::And(left, right) => left.eval(record).and(|| right.eval(record)),
            Expr::Or(left, right) => left.eval(record).or(|| right.eval(record)),
            Expr::Not(inner, text) => inner.eval(record).not(text),
            Expr::Compare(name, op, literal) => {
                let shown = format!("{name} {op} {}", literal.show());
                let Some(value) = lookup(record, name) else {
                    return if *op == "!=" {
                        Truth::Unknown(format!(
                            "the record has no `{name}`, and how `{shown}` treats a missing field is not documented"
                        ))
                    } else {
                        Truth::No(format!("`{shown}` is false: the record has no `{name}`"))
                    };
                };
                let holds = match *op {
                    "=" => equals(&value, literal),
                    "!=" => !equals(&value, literal),
                    _ => {
                        let (Some(left), Literal::Number(right)) = (number_of(&value), literal)
                        else {
                            return Truth::Unknown(format!(
                                "`{shown}` compares values that are not both numbers"
                            ));
                        };
                        match *op {
                            "<" => left < *right,
                            "<=" => left <= *right,
                            ">" => left > *right,
                            _ => left >= *right,
                        }
                    }
                };
                if holds {
                    Truth::Yes
                } else {
                    Truth::No(format!(
                        "`{shown}` is false: the record's `{name}` is {}",
                        shown_value(&value)
                    ))
                }
            }
            Expr::Like(name, matcher, negated) => {
                let pattern = match matcher {
                    Matcher::Substring(text) => format!("\"{text}\""),
                    Matcher::Regex(regex) => format!("/{}/", regex.source()),
                };
                let not = if *negated { "not " } else { "" };
                let shown = format!("{name} {not}like {pattern}");
                let Some(value) = lookup(record, name) else {
                    return missing(name, &shown, *negated);
                };
                let Some(text) = text_of(&value) else {
                    return Truth::Unknown(format!(
                        "`{name}` is not text, so `{shown}` is unknown"
                    ));
                };
                let found = match matcher {
                    Matcher::Substring(needle) => text.contains(needle.as_str()),
                    Matcher::Regex(regex) => regex.is_match(&text),
                };
                verdict(found != *negated, &shown, name, &value)
            }
            Expr::In(name, values, negated) => {
                let list: Vec<String> = values.iter().map(Literal::show).collect();
                let not = if *negated { "not " } else { "" };
                let shown = format!("{name} {not}in [{}]", list.join(", "));
                let Some(value) = lookup(record, name) else {
                    return missing(name, &shown, *negated);
                };
                let found = values.iter().any(|literal| equals(&value, literal));
                verdict(found != *negated, &shown, name, &value)
            }
            Expr::Present(name) => match lookup(record, name) {
                Some(_) => Truth::Yes,
                None => Truth::No(format!(
                    "`ispresent({name})` is false: the record has no `{name}`"
                )),
            },
            Expr::Empty(name, blank) => {
                let function = if *blank { "isblank" } else { "isempty" };
                let empty = match lookup(record, name) {
                    None => true,
                    Some(value) => text_of(&value).is_some_and(|text| {
                        if *blank {
                            text.trim().is_empty()
                        } else {
                            text.is_empty()
                        }
                    }),
                };
                if empty {
                    Truth::Yes
                } else {
                    Truth::No(format!("`{function}({name})` is false"))
                }
            }
            Expr::Contains(name, needle) => {
                let shown = format!("strcontains({name}, \"{needle}\")");
                match lookup(record, name).as_deref().and_then(text_of) {
                    Some(text) if text.contains(needle.as_str()) => Truth::Yes,
                    _ => Truth::No(format!("`{shown}` is false")),
                }
            }
        }
    }
}

fn missing(name: &str, shown: &str, negated: bool) -> Truth {
    if negated {
        Truth::Unknown(format!(
            "the record has no `{name}`, and how `{shown}` treats a missing field is not documented"
        ))
    } else {
        Truth::No(format!("`{shown}` is false: the record has no `{name}`"))
    }
}

fn verdict(holds: bool, shown: &str, name: &str, value: &Value) -> Truth {
    if holds {
        Truth::Yes
    } else {
        Truth::No(format!(
            "`{shown}` is false: the record's `{name}` is {}",
            shown_value(value)
        ))
    }
}

fn shown_value(value: &Value) -> String {
    match value {
        Value::String(text) => format!("\"{text}\""),
        other => other.to_string(),
    }
}

/// What the query's row-thinning commands do to a burst of `n` identical matching events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowCap {
    /// The smallest `limit`, if any.
    pub limit: Option<u64>,
    /// Whether `dedup` thins the rows (identical events then count once).
    pub dedup: bool,
}

impl RowCap {
    /// How many of `n` identical matching events reach the aggregation.
    pub fn rows(&self, n: u64) -> u64 {
        let n = if self.dedup { n.min(1) } else { n };
        self.limit.map_or(n, |limit| n.min(limit))
    }
}

impl LogsQuery {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, LogsQueryError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            at: 0,
            depth: 0,
        };
        let mut commands = Vec::new();
        loop {
            if parser.peek().is_none() {
                if commands.is_empty() {
                    return Err(LogsQueryError::Syntax("the query is empty".to_owned()));
                }
                return Ok(Self { commands });
            }
            commands.push(parser.command()?);
            match parser.next() {
                None => return Ok(Self { commands }),
                Some(Token::Pipe) => continue,
                Some(other) => {
                    return Err(LogsQueryError::Syntax(format!(
                        "unexpected {other:?} where `|` or the end was expected"
                    )));
                }
            }
        }
    }

    /// Whether `record`, delivered alone, is a row the query returns.
    pub fn passes(&self, record: &Value) -> Truth {
        let mut answer = Truth::Yes;
        for command in &self.commands {
            let step = match command {
                Command::Filter(expr) => expr.eval(record),
                Command::Limit(0) => Truth::No("`limit 0` returns no row".to_owned()),
                _ => Truth::Yes,
            };
            answer = answer.and(|| step);
            if matches!(answer, Truth::No(_)) {
                return answer;
            }
        }
        answer
    }

    /// What `limit` and `dedup` do to a burst of matching events.
    pub fn row_cap(&self) -> RowCap {
        let mut cap = RowCap {
            limit: None,
            dedup: false,
        };
        for command in &self.commands {
            match command {
                Command::Limit(n) => cap.limit = Some(cap.limit.map_or(*n, |l| l.min(*n))),
                Command::Dedup => cap.dedup = true,
                _ => {}
            }
        }
        cap
    }
}

/// The aggregate function of a log alarm's `AggregationExpression`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Aggregation {
    /// `count(*)` or `count()`: the rows.
    CountRows,
    /// `count(field)`: the rows where the field is present.
    CountField(String),
}

/// A parsed `AggregationExpression`, e.g. `count(*) by eventName | sort desc`.
///
/// "The expression that defines how to aggregate query results into one or more scalar values
/// for alarm evaluation. For example, `count(*)` or `avg(latency) by host | sort desc`"
/// (`ScheduledQueryConfiguration`, <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ScheduledQueryConfiguration.html>).
/// With `by`, each group is one of the "several contributor values" the alarm-log page names,
/// each compared with the threshold, so the group of the matching event is the one to breach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregationExpression {
    /// The function.
    pub function: Aggregation,
    /// `by` fields.
    pub by: Vec<String>,
    /// A `limit` after the aggregation: with `by`, it can cut the event's group.
    pub limit: Option<u64>,
}

impl AggregationExpression {
    /// Parses `text`. Functions other than `count` are reported as unsupported.
    pub fn parse(text: &str) -> Result<Self, LogsQueryError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            at: 0,
            depth: 0,
        };
        let Some(Token::Word(name)) = parser.next() else {
            return Err(LogsQueryError::Syntax(
                "an aggregation starts with a function such as count(*)".to_owned(),
            ));
        };
        if !name.eq_ignore_ascii_case("count") {
            return Err(LogsQueryError::Unsupported(format!(
                "the aggregation `{name}`"
            )));
        }
        if !matches!(parser.next(), Some(Token::Open)) {
            return Err(LogsQueryError::Syntax(format!("`{name}` needs `(`")));
        }
        let function = match parser.next() {
            Some(Token::Close) => Aggregation::CountRows,
            Some(Token::Word(word)) if word == "*" => Aggregation::CountRows,
            Some(Token::Word(field)) => Aggregation::CountField(field),
            _ => {
                return Err(LogsQueryError::Syntax(
                    "`count(` takes `*` or a field".to_owned(),
                ));
            }
        };
        if function != Aggregation::CountRows && !matches!(parser.next(), Some(Token::Close)) {
            return Err(LogsQueryError::Syntax(
                "`count(` is never closed".to_owned(),
            ));
        }
        if function == Aggregation::CountRows
            && parser.tokens.get(parser.at - 1) != Some(&Token::Close)
            && !matches!(parser.next(), Some(Token::Close))
        {
            return Err(LogsQueryError::Syntax(
                "`count(*` is never closed".to_owned(),
            ));
        }
        if parser.keyword("as") {
            parser.at += 1;
            parser.field()?;
        }
        let mut by = Vec::new();
        if parser.keyword("by") {
            parser.at += 1;
            loop {
                by.push(parser.field()?);
                if matches!(parser.peek(), Some(Token::Comma)) {
                    parser.at += 1;
                } else {
                    break;
                }
            }
        }
        let mut limit = None;
        while let Some(token) = parser.next() {
            if token != Token::Pipe {
                return Err(LogsQueryError::Syntax(format!(
                    "unexpected {token:?} in the aggregation"
                )));
            }
            match parser.command()? {
                Command::Neutral => {}
                Command::Limit(n) => limit = Some(limit.map_or(n, |l: u64| l.min(n))),
                _ => {
                    return Err(LogsQueryError::Unsupported(
                        "a command other than sort or limit after the aggregation".to_owned(),
                    ));
                }
            }
        }
        Ok(Self {
            function,
            by,
            limit,
        })
    }

    /// The value the event's contributor gets from `rows` matching copies of `record`, or why
    /// it cannot be told.
    pub fn value(&self, record: &Value, rows: u64) -> Result<f64, String> {
        for field in &self.by {
            if lookup(record, field).is_none() {
                return Err(format!(
                    "it groups by `{field}`, which the record lacks, and how such events are grouped is not documented"
                ));
            }
        }
        if !self.by.is_empty() && self.limit.is_some() {
            return Err(
                "it keeps only some groups (`limit` after `by`), so other events' groups can push this one out"
                    .to_owned(),
            );
        }
        if self.limit == Some(0) {
            return Ok(0.0);
        }
        let counted = match &self.function {
            Aggregation::CountRows => rows,
            Aggregation::CountField(field) => {
                if lookup(record, field).is_some() {
                    rows
                } else {
                    0
                }
            }
        };
        // Row counts are small (a burst setting), so the conversion is exact.
        Ok(counted as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::kms;

    fn record() -> Value {
        kms::disable_key("us-east-1", "111122223333")
    }

    fn passes(query: &str) -> Truth {
        LogsQuery::parse(query)
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .passes(&record())
    }

    #[test]
    fn documented_filters_select_a_disable_key_record() {
        for query in [
            "fields @timestamp, @message | filter eventName = \"DisableKey\"",
            "filter eventSource = 'kms.amazonaws.com' and (eventName = \"DisableKey\" or eventName = \"ScheduleKeyDeletion\")",
            "filter eventName in [\"DisableKey\", \"ScheduleKeyDeletion\"] | sort @timestamp desc | limit 20",
            "filter eventName like /Disable/",
            "filter eventName =~ /^(Disable|Schedule)/ or eventName like \"Key\"",
            "filter @message like \"DisableKey\"",
            "filter ispresent(userIdentity.arn) and not isempty(eventName)",
            "filter eventName not in [\"Decrypt\"] and eventSource != \"s3.amazonaws.com\"",
            "filter `eventSource` = \"kms.amazonaws.com\" # the key service\n| dedup eventName",
            "filter strcontains(eventName, \"Key\") | display eventName",
            "FILTER eventName = \"DisableKey\" AND readOnly = 0 OR readOnly = \"false\"",
        ] {
            // `=~ /^(…)/` uses parentheses, outside the evaluated dialect.
            if query.contains("=~") {
                assert!(matches!(
                    LogsQuery::parse(query),
                    Err(LogsQueryError::Unsupported(_))
                ));
                continue;
            }
            assert_eq!(passes(query), Truth::Yes, "{query}");
        }
    }

    #[test]
    fn a_filter_on_another_event_drops_it_and_says_which_condition() {
        let Truth::No(why) = passes("filter eventName = \"ScheduleKeyDeletion\"") else {
            panic!("expected the record to be dropped");
        };
        assert!(why.contains("\"DisableKey\""), "{why}");
        assert!(matches!(
            passes("filter errorCode like /Denied/"),
            Truth::No(_)
        ));
        assert!(matches!(
            passes("filter eventName = 'DisableKey' | limit 0"),
            Truth::No(_)
        ));
    }

    #[test]
    fn a_missing_field_under_not_is_unknown_unless_another_condition_decides() {
        assert!(matches!(
            passes("filter errorCode != \"AccessDenied\""),
            Truth::Unknown(_)
        ));
        assert!(matches!(
            passes("filter errorCode not like \"Denied\" and eventName = \"Decrypt\""),
            Truth::No(_)
        ));
        assert_eq!(
            passes("filter errorCode not in [\"x\"] or eventName = \"DisableKey\""),
            Truth::Yes
        );
    }

    #[test]
    fn commands_and_functions_outside_the_reading_are_unsupported() {
        for query in [
            "stats count(*) by eventName",
            "parse @message \"* *\" as a, b",
            "unmask @message",
            "filter eventName = \"DisableKey\" | fields strlen(eventName) as n",
            "filter tolower(eventName) = \"disablekey\"",
            "filter eventName = eventSource",
            "filter @logStream like \"CloudTrail\"",
            "stats count(*) by @log",
        ] {
            assert!(
                matches!(LogsQuery::parse(query), Err(LogsQueryError::Unsupported(_))),
                "{query}"
            );
        }
    }

    #[test]
    fn bad_syntax_is_an_error_and_never_a_panic() {
        for query in [
            "",
            "filter",
            "filter (eventName = \"x\"",
            "filter eventName = \"x",
            "filter eventName ! \"x\"",
            "| filter a = 1",
            "limit x",
            "filter a = 1 b",
            "filter a in [1, 2",
            "filter a like 5",
            &"(".repeat(500),
            &format!("filter {}a = 1", "(".repeat(500)),
            &format!("filter {}", "not ".repeat(500)),
        ] {
            assert!(LogsQuery::parse(query).is_err(), "{query}");
        }
        // Every prefix of a real query parses or errs, never panics.
        let query = "fields @timestamp | filter eventSource = \"kms.amazonaws.com\" and (eventName in [\"DisableKey\", \"ScheduleKeyDeletion\"] or errorCode like /Denied/) | sort @timestamp desc | limit 5";
        for end in 0..=query.len() {
            if let Some(prefix) = query.get(..end) {
                let _ = LogsQuery::parse(prefix);
                let _ = AggregationExpression::parse(prefix);
            }
        }
    }

    #[test]
    fn aggregations_count_the_event_in_its_group() {
        let count = AggregationExpression::parse("count(*)").expect("parses");
        assert_eq!(count.value(&record(), 1), Ok(1.0));
        let by = AggregationExpression::parse("count(*) as n by eventName, awsRegion | sort desc")
            .expect("parses");
        assert_eq!(by.by, ["eventName", "awsRegion"]);
        assert_eq!(by.value(&record(), 3), Ok(3.0));
        let field = AggregationExpression::parse("count(errorCode)").expect("parses");
        assert_eq!(field.value(&record(), 1), Ok(0.0));
        let cut = AggregationExpression::parse("count() by eventName | sort desc | limit 3")
            .expect("parses");
        assert!(cut.value(&record(), 1).is_err());
        let missing = AggregationExpression::parse("count(*) by errorCode").expect("parses");
        assert!(missing.value(&record(), 1).is_err());
        assert!(matches!(
            AggregationExpression::parse("avg(latency) by host"),
            Err(LogsQueryError::Unsupported(_))
        ));
        for bad in ["count", "count(*", "count(*) by", "count(*) extra"] {
            assert!(AggregationExpression::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limit_and_dedup_cap_a_burst_but_keep_a_single_event() {
        let query = LogsQuery::parse("filter eventName = \"Decrypt\" | limit 3").expect("parses");
        assert_eq!(query.row_cap().rows(1), 1);
        assert_eq!(query.row_cap().rows(10), 3);
        let dedup = LogsQuery::parse("dedup eventName").expect("parses");
        assert_eq!(dedup.row_cap().rows(10), 1);
    }
}
