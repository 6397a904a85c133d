//! `trailwarden test-pattern`: the console's "Test pattern", on the command line.
//!
//! It answers with the same engines the rules use: a CloudWatch Logs filter pattern against a
//! CloudTrail record (or a `{"Records": [...]}` log file, or plain log lines), or with
//! `--eventbridge` an EventBridge event pattern against an event or the envelope EventBridge
//! builds from a CloudTrail record. Exit status as grep's: 0 match, 1 no match, 2 unusable.

use std::fmt::Write;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;
use trailwarden_sdk::eventbridge::{EventPattern, cloudtrail_envelope};
use trailwarden_sdk::pattern::{Explanation, Pattern, PatternError};

use crate::Outcome;
use crate::engine::sanitize_line as clean;

/// What to test the pattern against.
pub struct TestPatternArgs<'a> {
    /// The pattern text.
    pub pattern: &'a str,
    /// A file, or `-` for stdin.
    pub event: &'a Path,
    /// Treat the pattern as an EventBridge event pattern.
    pub eventbridge: bool,
}

/// Runs `test-pattern`, printing the verdict on stdout.
pub fn run(args: &TestPatternArgs<'_>) -> anyhow::Result<Outcome> {
    let input = read_input(args.event)?;
    let (matched, report) = if args.eventbridge {
        eventbridge(args.pattern, &input)?
    } else {
        filter(args.pattern, &input)?
    };
    crate::write_stdout(report)?;
    Ok(if matched {
        Outcome::Pass
    } else {
        Outcome::Findings
    })
}

fn read_input(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the event from stdin")?;
        return Ok(text);
    }
    std::fs::read_to_string(path).with_context(|| format!("reading event {}", path.display()))
}

/// Each JSON record to test: a single record, every entry of `{"Records": [...]}`, or every
/// element of an array. `None` when the input is not JSON (then it is log lines).
fn records(input: &str) -> Option<Vec<Value>> {
    let value: Value = serde_json::from_str(input).ok()?;
    Some(match value {
        Value::Object(mut object) => match object.remove("Records") {
            Some(Value::Array(records)) => records,
            Some(other) => {
                object.insert("Records".to_owned(), other);
                vec![Value::Object(object)]
            }
            None => vec![Value::Object(object)],
        },
        Value::Array(items) => items,
        other => vec![other],
    })
}

fn filter(pattern_text: &str, input: &str) -> anyhow::Result<(bool, String)> {
    let pattern = Pattern::parse(pattern_text).map_err(|e| invalid_pattern(pattern_text, &e))?;
    let mut out = String::new();
    let explanations: Vec<(String, Explanation)> = match records(input) {
        Some(records) => records
            .iter()
            .enumerate()
            .map(|(i, record)| (record_label(i, record), pattern.explain(record)))
            .collect(),
        None => input
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| (format!("line {}", i + 1), pattern.explain_line(line)))
            .collect(),
    };
    if explanations.is_empty() {
        bail!("the event input is empty; give a CloudTrail record, a log file or log lines");
    }
    let matches = explanations.iter().filter(|(_, e)| e.matched).count();
    let single = explanations.len() == 1;
    for (label, explanation) in &explanations {
        let verdict = if explanation.matched {
            "match"
        } else {
            "no match"
        };
        if single {
            let _ = writeln!(out, "{verdict}: {}", clean(&pattern.to_string()));
        } else {
            let _ = writeln!(out, "{}: {verdict}", clean(label));
        }
        for condition in &explanation.conditions {
            let found = match &condition.found {
                Some(value) => format!("found {value}"),
                None => "field absent".to_owned(),
            };
            let _ = writeln!(
                out,
                "  {} {}  ({})",
                if condition.held { "held  " } else { "failed" },
                clean(&condition.text),
                clean(&found)
            );
        }
        if let Some(note) = &explanation.note {
            let _ = writeln!(out, "  note: {}", clean(note));
        }
    }
    if !single {
        let _ = writeln!(out, "{matches} of {} matched", explanations.len());
    }
    Ok((matches > 0, out))
}

fn record_label(index: usize, record: &Value) -> String {
    let name = record["eventName"].as_str().unwrap_or("?");
    let id = record["eventID"].as_str().unwrap_or("");
    format!("record {} ({name} {id})", index + 1)
}

fn eventbridge(pattern_text: &str, input: &str) -> anyhow::Result<(bool, String)> {
    let pattern = EventPattern::parse(pattern_text)
        .map_err(|e| anyhow::anyhow!("the EventBridge pattern is invalid: {e}"))?;
    let Some(records) = records(input) else {
        bail!("the event is not JSON; give an EventBridge event or a CloudTrail record");
    };
    let mut out = String::new();
    let mut matches = 0;
    for (i, record) in records.iter().enumerate() {
        let (event, wrapped) = if record.get("detail-type").is_some() {
            (record.clone(), false)
        } else {
            let region = record["awsRegion"].as_str().unwrap_or("us-east-1");
            let account = record["recipientAccountId"].as_str().unwrap_or("");
            (cloudtrail_envelope(record, region, account), true)
        };
        let matched = pattern.matches(&event);
        matches += usize::from(matched);
        let _ = writeln!(
            out,
            "{}: {}{}",
            record_label(i, record),
            if matched { "match" } else { "no match" },
            if wrapped {
                format!(
                    " (as EventBridge delivers it: source {}, detail-type {})",
                    event["source"], event["detail-type"]
                )
            } else {
                String::new()
            }
        );
    }
    Ok((matches > 0, out))
}

/// A parse error with the pattern, a caret under the column and the reason.
fn invalid_pattern(pattern: &str, error: &PatternError) -> anyhow::Error {
    let start = error.span.start.min(pattern.len());
    let column = pattern
        .get(..start)
        .map_or(start, |prefix| prefix.chars().count());
    let width = pattern
        .get(start..error.span.end.min(pattern.len()))
        .map_or(1, |s| s.chars().count().max(1));
    anyhow::anyhow!(
        "the filter pattern is invalid at column {}: {}\n  {}\n  {}{}",
        column + 1,
        error.kind,
        clean(pattern),
        " ".repeat(column),
        "^".repeat(width)
    )
}
