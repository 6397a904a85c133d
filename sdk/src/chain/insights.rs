//! Alarms on CloudWatch Metrics Insights queries: which metrics a query reads, and how the
//! series that holds an emitted metric is aggregated.
//!
//! An alarm on a Metrics Insights query carries the query text as the `Expression` of its one
//! `Metrics` entry ("Create a CloudWatch alarm based on a Metrics Insights query",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html>).
//! Such an alarm needs no `MetricStat` naming the metric filter's metric, so the chain has to
//! read the query to know whether it watches it.
//!
//! The grammar, from "Metrics Insights query components and syntax"
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html>):
//!
//! ```text
//! SELECT FUNCTION(metricName)
//! FROM namespace | SCHEMA(namespace [, labelKey ...])
//! [ WHERE labelKey OPERATOR labelValue [AND ...] ]
//! [ GROUP BY labelKey [, ...] ]
//! [ ORDER BY FUNCTION() [ DESC | ASC ] ]
//! [ LIMIT number ]
//! ```
//!
//! Our reading of that page, which this module implements:
//! - Keywords are case-insensitive; metric names, namespaces and dimension names are
//!   case-sensitive. Identifiers that hold anything but letters, digits and `_` are written in
//!   double quotes; label values are written in single quotes.
//! - `FUNCTION` is `AVG`, `COUNT`, `MAX`, `MIN` or `SUM`, applied to every observation the
//!   query matches in a period.
//! - `FROM "Namespace"` matches every metric of that name in the namespace, whatever its
//!   dimensions. `SCHEMA("Namespace")` matches only metrics with no dimensions;
//!   `SCHEMA("Namespace", K1, K2)` only metrics whose dimension set is exactly `{K1, K2}`.
//! - `WHERE` conditions are joined with `AND`. The operators read here are `=`, `!=`, `IN` and
//!   `NOT IN` on label values. Anything else (`OR`, `LIKE`, parentheses, other operators) is
//!   reported as "could not verify", never guessed.
//! - Without `GROUP BY` the query returns one series aggregated over every matched metric.
//!   With it, one series per combination of the group keys' values; an alarm on such a query
//!   evaluates every returned series as a contributor ("For multi-time series queries, each
//!   returned time series becomes a contributor to the alarm", same alarm page; the alarm
//!   limits page, <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html>,
//!   reports "95 out of 150 time series evaluated to ALARM"), so the series that holds the
//!   emitted metric is the one that has to breach.
//! - `ORDER BY … LIMIT n` keeps the n series ranked highest (or lowest): with `GROUP BY` the
//!   emitted metric's series can be cut by other groups' data, which configuration cannot
//!   tell, so that is "could not verify". Without `GROUP BY` there is one series and `LIMIT`
//!   changes nothing.

use super::metric::EmittedMetric;
use crate::snapshot::Statistic;

/// The aggregate function of a Metrics Insights query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// `AVG`: the average of the observations.
    Avg,
    /// `COUNT`: how many observations.
    Count,
    /// `MAX`: the largest observation.
    Max,
    /// `MIN`: the smallest observation.
    Min,
    /// `SUM`: the sum of the observations.
    Sum,
}

impl Aggregate {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_uppercase().as_str() {
            "AVG" => Self::Avg,
            "COUNT" => Self::Count,
            "MAX" => Self::Max,
            "MIN" => Self::Min,
            "SUM" => Self::Sum,
            _ => return None,
        })
    }

    /// The CloudWatch statistic that aggregates a period's observations the same way, so that
    /// the alarm maths of `alarm.rs` applies unchanged.
    pub fn statistic(self) -> Statistic {
        match self {
            Self::Avg => Statistic::Average,
            Self::Count => Statistic::SampleCount,
            Self::Max => Statistic::Maximum,
            Self::Min => Statistic::Minimum,
            Self::Sum => Statistic::Sum,
        }
    }

    /// Whether other metrics in the same series can only raise the value (given non-negative
    /// observations), never lower it.
    fn only_rises(self) -> bool {
        matches!(self, Self::Count | Self::Max | Self::Sum)
    }
}

/// One `WHERE` condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `key = 'value'` (or `key IN ('a', 'b')` with several values).
    In {
        /// The dimension name.
        key: String,
        /// The accepted values.
        values: Vec<String>,
    },
    /// `key != 'value'` (or `key NOT IN (…)`).
    NotIn {
        /// The dimension name.
        key: String,
        /// The refused values.
        values: Vec<String>,
    },
}

/// A parsed Metrics Insights query.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightsQuery {
    /// The aggregate function.
    pub aggregate: Aggregate,
    /// The metric name.
    pub metric_name: String,
    /// The namespace.
    pub namespace: String,
    /// `Some(keys)` with `FROM SCHEMA(namespace, keys…)`: the exact dimension set required.
    pub schema: Option<Vec<String>>,
    /// `WHERE` conditions, all of which must hold.
    pub conditions: Vec<Condition>,
    /// `GROUP BY` keys.
    pub group_by: Vec<String>,
    /// `ORDER BY` function and whether descending.
    pub order_by: Option<(Aggregate, bool)>,
    /// `LIMIT`.
    pub limit: Option<u64>,
}

/// Why a query could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InsightsError {
    /// The text is not a Metrics Insights query as documented.
    #[error("it is not a valid Metrics Insights query: {0}")]
    Syntax(String),
    /// The text uses syntax this reading does not evaluate.
    #[error("it uses {0}, which trailwarden does not evaluate")]
    Unsupported(String),
}

/// How a query treats an emitted metric.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// The query does not read the metric.
    Unrelated,
    /// The metric has the query's namespace and name but the query leaves it out; the clause
    /// says why ("SCHEMA requires exactly the dimensions …").
    Excluded(String),
    /// The metric lands in a series aggregated with `statistic`; `alone` is true when no other
    /// metric can share its series.
    Selected {
        /// The statistic equivalent of the query's function.
        statistic: Statistic,
        /// No other metric can fall in the same series.
        alone: bool,
    },
    /// Whether or how the metric is read cannot be told; the clause says why.
    Unverifiable(String),
}

/// Whether `text` looks like a Metrics Insights query (starts with `SELECT`).
pub fn is_insights(text: &str) -> bool {
    text.trim_start()
        .get(..6)
        .is_some_and(|head| head.eq_ignore_ascii_case("SELECT"))
}

impl InsightsQuery {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, InsightsError> {
        let tokens = tokenize(text)?;
        Parser { tokens, at: 0 }.query()
    }

    /// How this query treats `metric`.
    pub fn select(&self, metric: &EmittedMetric) -> Selection {
        if self.namespace != metric.namespace || self.metric_name != metric.name {
            return Selection::Unrelated;
        }
        if let Some(keys) = &self.schema {
            let same = keys.len() == metric.dimensions.len()
                && keys.iter().all(|k| metric.dimensions.contains_key(k));
            if !same {
                let wanted = if keys.is_empty() {
                    "no dimensions".to_owned()
                } else {
                    format!("exactly the dimensions {}", keys.join(", "))
                };
                return Selection::Excluded(format!("its SCHEMA requires {wanted}"));
            }
        }
        for condition in &self.conditions {
            let (key, values, wanted) = match condition {
                Condition::In { key, values } => (key, values, true),
                Condition::NotIn { key, values } => (key, values, false),
            };
            let Some(value) = metric.dimensions.get(key) else {
                if wanted {
                    return Selection::Excluded(format!(
                        "its WHERE asks for dimension `{key}`, which the metric does not have"
                    ));
                }
                return Selection::Unverifiable(format!(
                    "its WHERE excludes values of dimension `{key}`, which the metric does not have, and how Metrics Insights treats a missing dimension there is not documented"
                ));
            };
            if values.contains(value) != wanted {
                return Selection::Excluded(format!(
                    "its WHERE on `{key}` leaves out the published value `{value}`"
                ));
            }
        }
        for key in &self.group_by {
            if !metric.dimensions.contains_key(key) {
                return Selection::Unverifiable(format!(
                    "it groups by `{key}`, which the metric does not have, and how Metrics Insights groups such a metric is not documented"
                ));
            }
        }
        if !self.group_by.is_empty() && self.limit.is_some() {
            return Selection::Unverifiable(
                "it keeps only the top series of its GROUP BY (ORDER BY … LIMIT), and whether the metric's series is among them depends on other data".to_owned(),
            );
        }
        let alone = self.schema.is_some()
            && metric.dimensions.keys().all(|key| {
                self.group_by.contains(key)
                    || self.conditions.iter().any(|c| {
                        matches!(c, Condition::In { key: k, values } if k == key && values.len() == 1)
                    })
            });
        if !alone && !self.aggregate.only_rises() {
            return Selection::Unverifiable(format!(
                "its {} may also take in other metrics named `{}`, which can pull the value down",
                self.aggregate.statistic(),
                self.metric_name
            ));
        }
        Selection::Selected {
            statistic: self.aggregate.statistic(),
            alone,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A bare word: keyword or identifier.
    Word(String),
    /// A double-quoted identifier.
    Quoted(String),
    /// A single-quoted label value.
    Text(String),
    Number(u64),
    Symbol(&'static str),
}

impl Token {
    fn shown(&self) -> String {
        match self {
            Token::Word(w) => w.clone(),
            Token::Quoted(q) => format!("\"{q}\""),
            Token::Text(t) => format!("'{t}'"),
            Token::Number(n) => n.to_string(),
            Token::Symbol(s) => (*s).to_owned(),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, InsightsError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '\'' {
            chars.next();
            let mut value = String::new();
            let mut closed = false;
            while let Some(d) = chars.next() {
                match d {
                    '\\' => match chars.next() {
                        Some(escaped) => value.push(escaped),
                        None => break,
                    },
                    d if d == c => {
                        closed = true;
                        break;
                    }
                    d => value.push(d),
                }
            }
            if !closed {
                return Err(InsightsError::Syntax(format!("an unclosed {c} quote")));
            }
            tokens.push(if c == '"' {
                Token::Quoted(value)
            } else {
                Token::Text(value)
            });
        } else if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_alphanumeric()) {
                digits.push(d);
                chars.next();
            }
            let number = digits
                .parse()
                .map_err(|_| InsightsError::Syntax(format!("`{digits}` is not a number")))?;
            tokens.push(Token::Number(number));
        } else if c.is_alphanumeric() || c == '_' {
            let mut word = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_alphanumeric() || **d == '_') {
                word.push(d);
                chars.next();
            }
            tokens.push(Token::Word(word));
        } else {
            chars.next();
            let symbol = match (c, chars.peek()) {
                ('!', Some('=')) => {
                    chars.next();
                    "!="
                }
                ('<', Some('>')) => {
                    chars.next();
                    "<>"
                }
                ('(', _) => "(",
                (')', _) => ")",
                (',', _) => ",",
                ('=', _) => "=",
                (';', _) => ";",
                ('<', _) => "<",
                ('>', _) => ">",
                _ => return Err(InsightsError::Syntax(format!("unexpected character `{c}`"))),
            };
            tokens.push(Token::Symbol(symbol));
        }
    }
    // A trailing semicolon ends the statement, as in AWS's examples.
    if tokens.last() == Some(&Token::Symbol(";")) {
        tokens.pop();
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
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

    fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword))
    }

    fn keyword(&mut self, keyword: &str) -> Result<(), InsightsError> {
        if self.is_keyword(keyword) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.expected(keyword))
        }
    }

    fn symbol(&mut self, symbol: &str) -> Result<(), InsightsError> {
        match self.peek() {
            Some(Token::Symbol(s)) if *s == symbol => {
                self.at += 1;
                Ok(())
            }
            _ => Err(self.expected(&format!("`{symbol}`"))),
        }
    }

    fn expected(&self, what: &str) -> InsightsError {
        match self.peek() {
            Some(token) => {
                InsightsError::Syntax(format!("expected {what}, found `{}`", token.shown()))
            }
            None => InsightsError::Syntax(format!("expected {what}, found the end")),
        }
    }

    fn identifier(&mut self, what: &str) -> Result<String, InsightsError> {
        match self.peek() {
            Some(Token::Word(w)) | Some(Token::Quoted(w)) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            _ => Err(self.expected(what)),
        }
    }

    fn aggregate(&mut self) -> Result<Aggregate, InsightsError> {
        match self.peek() {
            Some(Token::Word(w)) => match Aggregate::parse(w) {
                Some(aggregate) => {
                    self.at += 1;
                    Ok(aggregate)
                }
                None => Err(InsightsError::Syntax(format!(
                    "`{w}` is not one of AVG, COUNT, MAX, MIN, SUM"
                ))),
            },
            _ => Err(self.expected("AVG, COUNT, MAX, MIN or SUM")),
        }
    }

    fn query(mut self) -> Result<InsightsQuery, InsightsError> {
        self.keyword("SELECT")?;
        let aggregate = self.aggregate()?;
        self.symbol("(")?;
        let metric_name = self.identifier("a metric name")?;
        self.symbol(")")?;
        self.keyword("FROM")?;
        let (namespace, schema) = if self.is_keyword("SCHEMA")
            && self.tokens.get(self.at + 1) == Some(&Token::Symbol("("))
        {
            self.at += 2;
            let namespace = self.identifier("a namespace")?;
            let mut keys = Vec::new();
            while matches!(self.peek(), Some(Token::Symbol(","))) {
                self.at += 1;
                keys.push(self.identifier("a dimension name")?);
            }
            self.symbol(")")?;
            (namespace, Some(keys))
        } else {
            (self.identifier("a namespace or SCHEMA(…)")?, None)
        };
        let mut query = InsightsQuery {
            aggregate,
            metric_name,
            namespace,
            schema,
            conditions: Vec::new(),
            group_by: Vec::new(),
            order_by: None,
            limit: None,
        };
        if self.is_keyword("WHERE") {
            self.at += 1;
            query.conditions.push(self.condition()?);
            while self.is_keyword("AND") {
                self.at += 1;
                query.conditions.push(self.condition()?);
            }
            if self.is_keyword("OR") {
                return Err(InsightsError::Unsupported("OR in its WHERE".to_owned()));
            }
        }
        if self.is_keyword("GROUP") {
            self.at += 1;
            self.keyword("BY")?;
            query.group_by.push(self.identifier("a dimension name")?);
            while matches!(self.peek(), Some(Token::Symbol(","))) {
                self.at += 1;
                query.group_by.push(self.identifier("a dimension name")?);
            }
        }
        if self.is_keyword("ORDER") {
            self.at += 1;
            self.keyword("BY")?;
            let function = self.aggregate()?;
            self.symbol("(")?;
            self.symbol(")")?;
            let descending = if self.is_keyword("DESC") {
                self.at += 1;
                true
            } else {
                if self.is_keyword("ASC") {
                    self.at += 1;
                }
                false
            };
            query.order_by = Some((function, descending));
        }
        if self.is_keyword("LIMIT") {
            self.at += 1;
            match self.next() {
                Some(Token::Number(n)) if n > 0 => query.limit = Some(n),
                _ => {
                    return Err(InsightsError::Syntax(
                        "LIMIT needs a positive number".to_owned(),
                    ));
                }
            }
        }
        match self.peek() {
            None => Ok(query),
            Some(token) => Err(InsightsError::Syntax(format!(
                "unexpected `{}` after the query",
                token.shown()
            ))),
        }
    }

    fn condition(&mut self) -> Result<Condition, InsightsError> {
        if matches!(self.peek(), Some(Token::Symbol("("))) {
            return Err(InsightsError::Unsupported(
                "parentheses in its WHERE".to_owned(),
            ));
        }
        let key = self.identifier("a dimension name")?;
        match self.next() {
            Some(Token::Symbol("=")) => Ok(Condition::In {
                key,
                values: vec![self.value()?],
            }),
            Some(Token::Symbol("!=")) => Ok(Condition::NotIn {
                key,
                values: vec![self.value()?],
            }),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("IN") => Ok(Condition::In {
                key,
                values: self.values()?,
            }),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("NOT") => {
                self.keyword("IN")?;
                Ok(Condition::NotIn {
                    key,
                    values: self.values()?,
                })
            }
            Some(other) => Err(InsightsError::Unsupported(format!(
                "the operator `{}` in its WHERE",
                other.shown()
            ))),
            None => Err(InsightsError::Syntax(
                "a WHERE condition has no operator".to_owned(),
            )),
        }
    }

    fn value(&mut self) -> Result<String, InsightsError> {
        match self.next() {
            Some(Token::Text(t)) => Ok(t),
            Some(Token::Number(n)) => Ok(n.to_string()),
            _ => {
                self.at -= 1;
                Err(self.expected("a label value in single quotes"))
            }
        }
    }

    fn values(&mut self) -> Result<Vec<String>, InsightsError> {
        self.symbol("(")?;
        let mut values = vec![self.value()?];
        while matches!(self.peek(), Some(Token::Symbol(","))) {
            self.at += 1;
            values.push(self.value()?);
        }
        self.symbol(")")?;
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn metric(dimensions: &[(&str, &str)]) -> EmittedMetric {
        EmittedMetric {
            namespace: "CloudTrailMetrics".to_owned(),
            name: "KmsKeyChanges".to_owned(),
            dimensions: dimensions
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            value: 1.0,
            default_value: None,
        }
    }

    fn parse(text: &str) -> InsightsQuery {
        InsightsQuery::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn every_clause_of_the_documented_syntax_is_read() {
        let query = parse(
            "select max(KmsKeyChanges) FROM SCHEMA(\"CloudTrailMetrics\", KeyId, \"Event Source\") \
             WHERE KeyId = 'k1' AND \"Event Source\" != 'x' AND KeyId IN ('k1', 'k2') \
             AND KeyId NOT IN ('k3') GROUP BY KeyId ORDER BY MAX() DESC LIMIT 10;",
        );
        assert_eq!(query.aggregate, Aggregate::Max);
        assert_eq!(query.metric_name, "KmsKeyChanges");
        assert_eq!(query.namespace, "CloudTrailMetrics");
        assert_eq!(
            query.schema,
            Some(vec!["KeyId".to_owned(), "Event Source".to_owned()])
        );
        assert_eq!(query.conditions.len(), 4);
        assert_eq!(
            query.conditions[1],
            Condition::NotIn {
                key: "Event Source".to_owned(),
                values: vec!["x".to_owned()]
            }
        );
        assert_eq!(query.group_by, vec!["KeyId".to_owned()]);
        assert_eq!(query.order_by, Some((Aggregate::Max, true)));
        assert_eq!(query.limit, Some(10));
        let plain = parse("SELECT SUM(KmsKeyChanges) FROM CloudTrailMetrics");
        assert_eq!(plain.schema, None);
        assert_eq!(plain.namespace, "CloudTrailMetrics");
    }

    #[test]
    fn bad_or_unknown_syntax_is_an_error_never_a_query() {
        for (text, unsupported) in [
            ("SELECT SUM(a) FROM \"n\" WHERE k = 'a' OR k = 'b'", true),
            ("SELECT SUM(a) FROM \"n\" WHERE k LIKE 'a%'", true),
            ("SELECT SUM(a) FROM \"n\" WHERE (k = 'a')", true),
            ("SELECT SUM(a) FROM \"n\" WHERE k > 'a'", true),
            ("SELECT MEDIAN(a) FROM \"n\"", false),
            ("SELECT SUM(a) FROM", false),
            ("SELECT SUM(a) FROM \"n", false),
            ("SELECT SUM(a) FROM \"n\" LIMIT 0", false),
            ("SELECT SUM(a) FROM \"n\" GROUP k", false),
            ("SELECT SUM(a) FROM \"n\" extra", false),
            ("SELECT SUM(a) FROM \"n\" WHERE k = \"a\"", false),
        ] {
            match InsightsQuery::parse(text) {
                Err(InsightsError::Unsupported(_)) if unsupported => {}
                Err(InsightsError::Syntax(_)) if !unsupported => {}
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn from_a_namespace_reads_every_dimension_set_and_schema_only_the_exact_one() {
        let keyed = metric(&[("KeyId", "k1")]);
        let any = parse("SELECT SUM(KmsKeyChanges) FROM \"CloudTrailMetrics\"");
        assert_eq!(
            any.select(&keyed),
            Selection::Selected {
                statistic: Statistic::Sum,
                alone: false
            }
        );
        let bare = parse("SELECT SUM(KmsKeyChanges) FROM SCHEMA(\"CloudTrailMetrics\")");
        assert!(matches!(bare.select(&keyed), Selection::Excluded(_)));
        assert_eq!(
            bare.select(&metric(&[])),
            Selection::Selected {
                statistic: Statistic::Sum,
                alone: true
            }
        );
        let exact = parse("SELECT SUM(KmsKeyChanges) FROM SCHEMA(\"CloudTrailMetrics\", KeyId)");
        assert!(matches!(
            exact.select(&keyed),
            Selection::Selected { alone: false, .. }
        ));
        let other_name = parse("SELECT SUM(Other) FROM \"CloudTrailMetrics\"");
        assert_eq!(other_name.select(&keyed), Selection::Unrelated);
        let case = parse("SELECT SUM(kmskeychanges) FROM \"CloudTrailMetrics\"");
        assert_eq!(case.select(&keyed), Selection::Unrelated);
    }

    #[test]
    fn where_filters_by_dimension_value() {
        let keyed = metric(&[("KeyId", "k1")]);
        let pinned = parse(
            "SELECT AVG(KmsKeyChanges) FROM SCHEMA(\"CloudTrailMetrics\", KeyId) WHERE KeyId = 'k1'",
        );
        assert_eq!(
            pinned.select(&keyed),
            Selection::Selected {
                statistic: Statistic::Average,
                alone: true
            }
        );
        let other =
            parse("SELECT SUM(KmsKeyChanges) FROM \"CloudTrailMetrics\" WHERE KeyId = 'k2'");
        assert!(matches!(other.select(&keyed), Selection::Excluded(_)));
        let not = parse("SELECT SUM(KmsKeyChanges) FROM \"CloudTrailMetrics\" WHERE KeyId != 'k1'");
        assert!(matches!(not.select(&keyed), Selection::Excluded(_)));
        let missing =
            parse("SELECT SUM(KmsKeyChanges) FROM \"CloudTrailMetrics\" WHERE Team = 'a'");
        assert!(matches!(missing.select(&keyed), Selection::Excluded(_)));
        let missing_not =
            parse("SELECT SUM(KmsKeyChanges) FROM \"CloudTrailMetrics\" WHERE Team != 'a'");
        assert!(matches!(
            missing_not.select(&keyed),
            Selection::Unverifiable(_)
        ));
    }

    /// AVG and MIN over metrics that other metrics can share a series with are not guessed;
    /// SUM, COUNT and MAX only rise with them.
    #[test]
    fn averages_over_shared_series_are_unverifiable() {
        let keyed = metric(&[("KeyId", "k1")]);
        let avg = parse("SELECT AVG(KmsKeyChanges) FROM \"CloudTrailMetrics\"");
        assert!(matches!(avg.select(&keyed), Selection::Unverifiable(_)));
        let min = parse("SELECT MIN(KmsKeyChanges) FROM SCHEMA(\"CloudTrailMetrics\", KeyId)");
        assert!(matches!(min.select(&keyed), Selection::Unverifiable(_)));
        let grouped = parse(
            "SELECT MIN(KmsKeyChanges) FROM SCHEMA(\"CloudTrailMetrics\", KeyId) GROUP BY KeyId",
        );
        assert!(matches!(
            grouped.select(&keyed),
            Selection::Selected { alone: true, .. }
        ));
        let count = parse("SELECT COUNT(KmsKeyChanges) FROM \"CloudTrailMetrics\"");
        assert_eq!(
            count.select(&keyed),
            Selection::Selected {
                statistic: Statistic::SampleCount,
                alone: false
            }
        );
    }

    /// Bad input is an error, never a panic: every prefix of valid queries, and each with one
    /// character removed, parses or fails cleanly, and what parses can be asked about a metric.
    #[test]
    fn truncated_and_damaged_queries_never_panic() {
        let queries = [
            "SELECT MAX(KmsKeyChanges) FROM SCHEMA(\"CloudTrailMetrics\", KeyId) WHERE KeyId = 'k1' AND KeyId NOT IN ('a', 'b') GROUP BY KeyId ORDER BY MAX() DESC LIMIT 10;",
            "SELECT COUNT(\"Kms \\\"Changes\") FROM \"a/b\" WHERE \"k k\" != 'v\\'w' AND k IN ('x')",
        ];
        let keyed = metric(&[("KeyId", "k1")]);
        for query in queries {
            let chars: Vec<char> = query.chars().collect();
            for end in 0..=chars.len() {
                let prefix: String = chars[..end].iter().collect();
                if let Ok(parsed) = InsightsQuery::parse(&prefix) {
                    let _ = parsed.select(&keyed);
                }
                if end < chars.len() {
                    let damaged: String = chars
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != end)
                        .map(|(_, c)| *c)
                        .collect();
                    if let Ok(parsed) = InsightsQuery::parse(&damaged) {
                        let _ = parsed.select(&keyed);
                    }
                }
            }
        }
        assert!(InsightsQuery::parse(queries[0]).is_ok());
        assert!(InsightsQuery::parse(queries[1]).is_ok());
        assert!(
            InsightsQuery::parse("SELECT SUM(a) FROM n LIMIT 99999999999999999999999").is_err()
        );
    }

    #[test]
    fn a_top_n_of_groups_cannot_be_verified() {
        let keyed = metric(&[("KeyId", "k1")]);
        let top = parse(
            "SELECT SUM(KmsKeyChanges) FROM \"CloudTrailMetrics\" GROUP BY KeyId ORDER BY SUM() DESC LIMIT 5",
        );
        assert!(matches!(top.select(&keyed), Selection::Unverifiable(_)));
        let single = parse("SELECT SUM(KmsKeyChanges) FROM \"CloudTrailMetrics\" LIMIT 5");
        assert!(matches!(single.select(&keyed), Selection::Selected { .. }));
        let absent_group =
            parse("SELECT SUM(KmsKeyChanges) FROM \"CloudTrailMetrics\" GROUP BY Team");
        assert!(matches!(
            absent_group.select(&keyed),
            Selection::Unverifiable(_)
        ));
    }
}
