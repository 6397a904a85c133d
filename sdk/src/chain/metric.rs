//! Link 3: what a metric filter emits for an event.
//!
//! The filter's pattern must match the event under CloudWatch Logs semantics (the `pattern`
//! engine, not a regex over the text), its `fieldSelectionCriteria` must admit the event's
//! region and account, and each metric transformation must yield a positive value and every
//! dimension it declares. The result is the exact metric identity (namespace, name, dimension
//! set) an alarm has to watch.

use super::reason;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::pattern::{FieldSelection, Pattern, dimension_value, metric_value};
use crate::snapshot::{MetricFilter, MetricTransformation};

/// A datapoint a metric filter publishes for one matching event.
#[derive(Debug, Clone, PartialEq)]
pub struct EmittedMetric {
    /// Metric namespace.
    pub namespace: String,
    /// Metric name.
    pub name: String,
    /// Dimension name to value; empty when the filter declares none.
    pub dimensions: BTreeMap<String, String>,
    /// The value published for the event.
    pub value: f64,
    /// The filter's `defaultValue`: published for every non-matching log event, which changes
    /// what `Average`, `Minimum` and percentiles can show.
    pub default_value: Option<f64>,
}

impl EmittedMetric {
    /// `Namespace/Name`, for messages.
    pub fn label(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Why a filter emits nothing usable for an event: a reason code and a clause.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterMiss {
    /// SCREAMING_SNAKE reason code.
    pub reason: &'static str,
    /// The rest of a sentence starting with "metric filter `x` ".
    pub why: String,
    /// True when the miss means "cannot tell" rather than "does not emit".
    pub unverifiable: bool,
    /// For a pattern that does not match: how many of its positive conditions (a field found
    /// with the value asked for) held, and how many conditions failed, so that the closest of
    /// several filters can be named. Zero otherwise.
    pub held_conditions: usize,
    /// See `held_conditions`.
    pub failed_conditions: usize,
}

fn miss(reason: &'static str, why: String) -> FilterMiss {
    FilterMiss {
        reason,
        why,
        unverifiable: false,
        held_conditions: 0,
        failed_conditions: 0,
    }
}

/// The metrics `filter` emits for `event` (logged in `region` of `account`), or why none.
pub fn emitted_metrics(
    filter: &MetricFilter,
    event: &Value,
    event_label: &str,
    region: &str,
    account: &str,
) -> Result<Vec<EmittedMetric>, FilterMiss> {
    let parsed = Pattern::parse(&filter.filter_pattern);
    emitted_metrics_parsed(filter, &parsed, event, event_label, region, account)
}

/// [`emitted_metrics`] with the filter's pattern already parsed, so that an analysis over many
/// events and regions parses each pattern once.
pub fn emitted_metrics_parsed(
    filter: &MetricFilter,
    parsed: &Result<Pattern, crate::pattern::PatternError>,
    event: &Value,
    event_label: &str,
    region: &str,
    account: &str,
) -> Result<Vec<EmittedMetric>, FilterMiss> {
    let pattern = parsed.as_ref().map_err(|e| {
        miss(
            reason::FILTER_PATTERN_INVALID,
            format!("has a pattern CloudWatch Logs would reject: {e}"),
        )
    })?;
    if !pattern.matches(event) {
        let (failed, held, count) = failed_conditions(pattern, event);
        return Err(FilterMiss {
            held_conditions: held,
            failed_conditions: count,
            ..miss(
                reason::FILTER_DOES_NOT_MATCH,
                format!("does not match {} event{failed}", a_or_an(event_label)),
            )
        });
    }
    if let Some(criteria) = filter
        .field_selection_criteria
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    {
        let selection = FieldSelection::parse(criteria).map_err(|e| {
            miss(
                reason::FILTER_SELECTION_INVALID,
                format!("has field selection criteria that cannot be read: {e}"),
            )
        })?;
        if !selection.admits(region, account) {
            return Err(miss(
                reason::FILTER_SELECTION_EXCLUDES,
                format!(
                    "has field selection criteria `{criteria}` that exclude events of {region} in account {account}"
                ),
            ));
        }
    }
    if filter.apply_on_transformed_logs {
        return Err(FilterMiss {
            reason: reason::FILTER_ON_TRANSFORMED_LOGS,
            why: "applies to transformed logs, whose shape cannot be verified from configuration"
                .to_owned(),
            unverifiable: true,
            held_conditions: 0,
            failed_conditions: 0,
        });
    }
    if filter.metric_transformations.is_empty() {
        return Err(miss(
            reason::FILTER_EMITS_NO_METRIC,
            "has no metric transformation".to_owned(),
        ));
    }
    filter
        .metric_transformations
        .iter()
        .map(|t| emit(filter, t, event, event_label, region, account))
        .collect()
}

fn emit(
    filter: &MetricFilter,
    transformation: &MetricTransformation,
    event: &Value,
    event_label: &str,
    region: &str,
    account: &str,
) -> Result<EmittedMetric, FilterMiss> {
    let spec = &transformation.metric_value;
    let value = match metric_value(spec, event) {
        Ok(Some(value)) => value,
        Ok(None) => {
            return Err(miss(
                reason::METRIC_VALUE_MISSING,
                format!(
                    "takes its metric value from `{spec}`, which {} event does not carry as a number, so nothing is published",
                    a_or_an(event_label)
                ),
            ));
        }
        Err(e) => {
            return Err(miss(
                reason::METRIC_VALUE_INVALID,
                format!("has a metric value `{spec}` that cannot be used: {e}"),
            ));
        }
    };
    if value <= 0.0 {
        return Err(miss(
            reason::METRIC_VALUE_NOT_POSITIVE,
            format!(
                "publishes {value} for {} event, which no count alarm can notice",
                a_or_an(event_label)
            ),
        ));
    }
    let mut dimensions = BTreeMap::new();
    for (name, spec) in &transformation.dimensions {
        // A dimension whose field is absent: CloudWatch Logs publishes no datapoint for that
        // event ("If the field is not present, the metric is not published" is our reading of
        // "Dimensions… values are taken from the log event"; see the metric filter docs).
        let Some(value) = dimension_value(spec, event) else {
            return Err(miss(
                reason::FILTER_DIMENSION_MISSING,
                format!(
                    "declares dimension `{name}` from `{spec}`, which {} event lacks, so nothing is published",
                    a_or_an(event_label)
                ),
            ));
        };
        dimensions.insert(name.clone(), value);
    }
    for field in &filter.emit_system_field_dimensions {
        match field.as_str() {
            "@aws.account" => dimensions.insert(field.clone(), account.to_owned()),
            "@aws.region" => dimensions.insert(field.clone(), region.to_owned()),
            _ => None,
        };
    }
    Ok(EmittedMetric {
        namespace: transformation.metric_namespace.clone(),
        name: transformation.metric_name.clone(),
        dimensions,
        value,
        default_value: transformation.default_value,
    })
}

/// ": `$.eventName = DisableKeys` is false (found \"DisableKey\")", for at most three failed
/// conditions, so a reader sees which term to fix; and how many conditions held and failed.
/// Only the failures that decided the outcome count (see `ConditionOutcome::blamed`): the
/// other branch of an `||` that held is no reason, and naming it sends the reader to the wrong
/// term.
fn failed_conditions(pattern: &Pattern, event: &Value) -> (String, usize, usize) {
    let explanation = pattern.explain(event);
    let failed: Vec<_> = explanation.causes().collect();
    let shown: Vec<String> = failed
        .iter()
        .take(3)
        .map(|c| match &c.found {
            Some(found) => format!("`{}` is false (found {found})", c.text),
            None => format!("`{}` is false (field absent)", c.text),
        })
        .collect();
    let text = if shown.is_empty() {
        String::new()
    } else {
        format!(": {}", shown.join(", "))
    };
    // Evidence that the filter targets this kind of event: conditions that held by finding a
    // value equal to (or matching) the one asked for. `!=`, `NOT EXISTS` and the like hold on
    // almost any event, so they say nothing about closeness.
    let held = explanation
        .conditions
        .iter()
        .filter(|c| c.held && c.found.is_some() && !c.text.contains("!="))
        .count();
    (text, held, failed.len())
}

/// `a DisableKey` or `an UpdateTrail`: the article a reader expects before an event name.
pub fn a_or_an(word: &str) -> String {
    let vowel = word
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    if vowel {
        format!("an {word}")
    } else {
        format!("a {word}")
    }
}
