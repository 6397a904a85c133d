//! Composite alarms: a metric alarm with no actions of its own can still tell someone when a
//! composite alarm with actions goes into ALARM because of it.
//!
//! A composite alarm's rule is a boolean expression over `ALARM(x)`, `OK(x)`,
//! `INSUFFICIENT_DATA(x)`, `TRUE` and `FALSE`, combined with `AND`, `OR`, `NOT` and parentheses,
//! where `x` is an alarm name or ARN, optionally in double quotes ("Creating a composite alarm",
//! CloudWatch user guide:
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html>).
//!
//! Our reading: the metric alarm entering ALARM is *enough* for the composite to enter ALARM,
//! whatever the other alarms do, exactly when one top-level `OR` branch of the rule is
//! `ALARM(x)` itself. Any other mention of the alarm (inside an `AND`, under `NOT`) makes the
//! composite depend on other alarms' states, which configuration alone cannot decide.

use crate::snapshot::CompositeAlarm;

/// How a composite alarm reacts to one metric alarm entering ALARM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompositeRelation {
    /// The composite enters ALARM whenever the metric alarm does.
    Follows,
    /// The composite mentions the alarm but also depends on other alarms.
    Depends,
    /// The composite does not mention the alarm.
    Unrelated,
}

/// How `composite` reacts to the alarm `alarm_name` (ARN `alarm_arn`) entering ALARM: a metric
/// alarm, or a log alarm (an alarm rule names "other alarms" by name or ARN, whatever their
/// kind).
pub fn composite_relation_to(
    composite: &CompositeAlarm,
    alarm_name: &str,
    alarm_arn: &str,
) -> CompositeRelation {
    let names = [alarm_name, alarm_arn];
    let branches = top_level_or_branches(&composite.alarm_rule);
    if branches
        .iter()
        .any(|branch| alarm_state_target(branch).is_some_and(|x| names.contains(&x)))
    {
        return CompositeRelation::Follows;
    }
    let mentions = alarm_references(&composite.alarm_rule)
        .iter()
        .any(|x| names.contains(&x.as_str()));
    if mentions {
        CompositeRelation::Depends
    } else {
        CompositeRelation::Unrelated
    }
}

/// The branches of the rule's outermost `OR`, each stripped of wrapping parentheses.
fn top_level_or_branches(rule: &str) -> Vec<&str> {
    let mut branches = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut start = 0;
    let bytes = rule.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth = depth.saturating_sub(1),
            b'O' | b'o' if !quoted && depth == 0 && is_keyword(rule, i, "OR") => {
                branches.push(strip_parens(&rule[start..i]));
                start = i + 2;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    branches.push(strip_parens(&rule[start..]));
    branches
}

/// Whether `keyword` stands at byte `at` of `text` as a whole word.
fn is_keyword(text: &str, at: usize, keyword: &str) -> bool {
    let end = at + keyword.len();
    let Some(word) = text.get(at..end) else {
        return false;
    };
    let boundary = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || c == '(' || c == ')');
    word.eq_ignore_ascii_case(keyword)
        && boundary(text[..at].chars().next_back())
        && boundary(text[end..].chars().next())
}

/// `text` without whitespace and parentheses that wrap all of it.
fn strip_parens(text: &str) -> &str {
    let mut text = text.trim();
    while text.starts_with('(') && text.ends_with(')') && wraps_whole(text) {
        text = text[1..text.len() - 1].trim();
    }
    text
}

/// Whether the opening parenthesis at the start of `text` closes at its very end.
fn wraps_whole(text: &str) -> bool {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i == text.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// `x` when `branch` is exactly `ALARM(x)` or `ALARM("x")`.
fn alarm_state_target(branch: &str) -> Option<&str> {
    let prefix = branch.get(..6)?;
    if !prefix.eq_ignore_ascii_case("ALARM(") {
        return None;
    }
    let inner = branch[6..].strip_suffix(')')?.trim();
    let inner = inner
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(inner);
    (!inner.contains(['(', ')'])).then_some(inner)
}

/// Every alarm the rule refers to, in any state function.
fn alarm_references(rule: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = rule;
    while let Some(open) = rest.find('(') {
        let head = rest[..open].trim_end();
        let is_state = ["ALARM", "OK", "INSUFFICIENT_DATA"].iter().any(|f| {
            head.get(head.len().saturating_sub(f.len())..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(f))
        });
        rest = &rest[open + 1..];
        if is_state && let Some(close) = rest.find(')') {
            let inner = rest[..close].trim();
            found.push(inner.trim_matches('"').to_owned());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn composite(rule: &str) -> CompositeAlarm {
        CompositeAlarm {
            alarm_name: "c".into(),
            alarm_arn: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:c".into(),
            alarm_rule: rule.into(),
            actions_enabled: true,
            alarm_actions: vec![],
        }
    }

    fn alarm(name: &str) -> crate::snapshot::MetricAlarm {
        serde_json::from_value(serde_json::json!({
            "alarmName": name,
            "alarmArn": format!("arn:aws:cloudwatch:us-east-1:111122223333:alarm:{name}"),
            "comparisonOperator": "GreaterThanOrEqualToThreshold"
        }))
        .unwrap()
    }

    #[test]
    fn a_top_level_or_branch_is_enough() {
        let a = alarm("kms-changes");
        for rule in [
            "ALARM(kms-changes)",
            r#"ALARM("kms-changes")"#,
            r#"ALARM("other") OR ALARM("kms-changes")"#,
            r#"(ALARM(other) AND OK(third)) or (ALARM(kms-changes))"#,
            "ALARM(arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-changes)",
        ] {
            assert_eq!(
                composite_relation_to(&composite(rule), &a.alarm_name, &a.alarm_arn),
                CompositeRelation::Follows,
                "{rule}"
            );
        }
    }

    #[test]
    fn conjunctions_and_negations_depend_on_other_alarms() {
        let a = alarm("kms-changes");
        for rule in [
            r#"ALARM("kms-changes") AND ALARM("other")"#,
            r#"NOT ALARM("kms-changes")"#,
            r#"(ALARM(kms-changes) OR ALARM(x)) AND OK(y)"#,
        ] {
            assert_eq!(
                composite_relation_to(&composite(rule), &a.alarm_name, &a.alarm_arn),
                CompositeRelation::Depends,
                "{rule}"
            );
        }
        assert_eq!(
            composite_relation_to(
                &composite("ALARM(kms-changes-2) OR ORPHAN"),
                &a.alarm_name,
                &a.alarm_arn
            ),
            CompositeRelation::Unrelated
        );
    }
}
