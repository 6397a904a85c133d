//! Links 4 and 5: which alarms watch an emitted metric, and whether they fire.
//!
//! An alarm sees a metric only when namespace, name and the whole dimension set (names and
//! values) are equal: CloudWatch treats each dimension combination as a separate metric, so an
//! alarm with an extra or a missing dimension watches a metric that never receives data
//! ("Dimensions", CloudWatch concepts). Metric-math alarms count when the returned expression is
//! the metric itself or a plain sum (`m1`, `m1+m2`, `SUM([m1,m2])`, `FILL(m1,0)`); anomaly
//! detection alarms (`ANOMALY_DETECTION_BAND`) count for volume requirements only. Anything
//! else is reported as unverifiable rather than guessed.

use super::AlarmMode;
use super::metric::EmittedMetric;
use crate::snapshot::{Dimension, MetricAlarm, MetricId};

/// How an alarm watches an emitted metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    /// The statistic applied (`Sum`, `p99`, …).
    pub statistic: String,
    /// Period in seconds, when known.
    pub period: Option<u32>,
    /// The alarm compares against an anomaly-detection band.
    pub anomaly: bool,
    /// The metric is one term of a sum (metric math), not the whole value.
    pub summed: bool,
}

/// The relation of one alarm to the emitted metric.
#[derive(Debug, Clone, PartialEq)]
pub enum Relation {
    /// It watches the metric.
    Watches(Watch),
    /// It watches the same namespace and name with another dimension set: it sees no data.
    DimensionsDiffer {
        /// The alarm's dimensions, `Name=Value` joined.
        alarm: String,
    },
    /// It uses the metric in an expression that cannot be verified.
    Unverifiable(String),
    /// It has nothing to do with the metric.
    Unrelated,
}

/// How `alarm` relates to `metric`.
pub fn relation(alarm: &MetricAlarm, metric: &EmittedMetric) -> Relation {
    if let (Some(namespace), Some(name)) = (&alarm.namespace, &alarm.metric_name) {
        if *namespace != metric.namespace || *name != metric.name {
            return Relation::Unrelated;
        }
        if !same_dimensions(&alarm.dimensions, metric) {
            return Relation::DimensionsDiffer {
                alarm: dimension_text(&alarm.dimensions),
            };
        }
        let statistic = alarm
            .statistic
            .clone()
            .or_else(|| alarm.extended_statistic.clone());
        return match statistic {
            Some(statistic) => Relation::Watches(Watch {
                statistic,
                period: alarm.period,
                anomaly: false,
                summed: false,
            }),
            None => Relation::Unverifiable("it names no statistic".to_owned()),
        };
    }
    math_relation(alarm, metric)
}

fn math_relation(alarm: &MetricAlarm, metric: &EmittedMetric) -> Relation {
    let watching: Vec<(&str, &crate::snapshot::MetricStat)> = alarm
        .metrics
        .iter()
        .filter_map(|q| q.metric_stat.as_ref().map(|s| (q.id.as_str(), s)))
        .filter(|(_, stat)| same_metric(&stat.metric, metric))
        .collect();
    if watching.is_empty() {
        let differs = alarm.metrics.iter().find_map(|q| {
            let stat = q.metric_stat.as_ref()?;
            (stat.metric.namespace == metric.namespace && stat.metric.metric_name == metric.name)
                .then(|| dimension_text(&stat.metric.dimensions))
        });
        return match differs {
            Some(alarm) => Relation::DimensionsDiffer { alarm },
            None => Relation::Unrelated,
        };
    }
    let band = alarm.threshold_metric_id.as_deref();
    let Some(returned) = alarm
        .metrics
        .iter()
        .find(|q| q.return_data && Some(q.id.as_str()) != band)
    else {
        return Relation::Unverifiable("no query is marked as the alarm's value".to_owned());
    };
    let watch = |id: &str, summed: bool, anomaly: bool| {
        watching
            .iter()
            .find(|(wid, _)| *wid == id)
            .map(|(_, stat)| {
                Relation::Watches(Watch {
                    statistic: stat.stat.clone(),
                    period: Some(stat.period),
                    anomaly,
                    summed,
                })
            })
    };
    let anomaly = band.is_some();
    if returned.metric_stat.is_some() {
        return watch(&returned.id, false, anomaly).unwrap_or(Relation::Unrelated);
    }
    let Some(expression) = returned.expression.as_deref() else {
        return Relation::Unverifiable("its returned query has no expression".to_owned());
    };
    match plain_sum_terms(expression) {
        Some(terms) => {
            let summed = terms.len() > 1;
            terms
                .iter()
                .find_map(|id| watch(id, summed, anomaly))
                .unwrap_or(Relation::Unrelated)
        }
        None => Relation::Unverifiable(format!(
            "its expression `{expression}` is not a plain sum of metrics"
        )),
    }
}

/// The query ids of `m1`, `m1+m2`, `SUM([m1,m2])` or `FILL(m1,0)`; `None` for anything else.
pub fn plain_sum_terms(expression: &str) -> Option<Vec<String>> {
    let text: String = expression.chars().filter(|c| !c.is_whitespace()).collect();
    let is_id = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if let Some(inner) = text
        .strip_prefix("SUM([")
        .and_then(|t| t.strip_suffix("])"))
    {
        let ids: Vec<String> = inner.split(',').map(str::to_owned).collect();
        return ids.iter().all(|id| is_id(id)).then_some(ids);
    }
    if let Some(inner) = text
        .strip_prefix("FILL(")
        .and_then(|t| t.strip_suffix(",0)"))
    {
        return is_id(inner).then(|| vec![inner.to_owned()]);
    }
    let ids: Vec<String> = text.split('+').map(str::to_owned).collect();
    ids.iter().all(|id| is_id(id)).then_some(ids)
}

fn same_metric(id: &MetricId, metric: &EmittedMetric) -> bool {
    id.namespace == metric.namespace
        && id.metric_name == metric.name
        && same_dimensions(&id.dimensions, metric)
}

fn same_dimensions(dimensions: &[Dimension], metric: &EmittedMetric) -> bool {
    dimensions.len() == metric.dimensions.len()
        && dimensions
            .iter()
            .all(|d| metric.dimensions.get(&d.name) == Some(&d.value))
}

fn dimension_text(dimensions: &[Dimension]) -> String {
    if dimensions.is_empty() {
        return "no dimensions".to_owned();
    }
    let parts: Vec<String> = dimensions
        .iter()
        .map(|d| format!("{}={}", d.name, d.value))
        .collect();
    parts.join(", ")
}

/// Why an alarm does not fire as the requirement needs.
#[derive(Debug, Clone, PartialEq)]
pub struct NoFire {
    /// Reason code.
    pub reason: &'static str,
    /// The rest of a sentence that starts with "alarm `x` (region) ".
    pub why: String,
    /// True when it cannot be decided.
    pub unverifiable: bool,
}

fn no_fire(reason: &'static str, why: String) -> NoFire {
    NoFire {
        reason,
        why,
        unverifiable: false,
    }
}

/// Whether `alarm`, watching `metric` as `watch`, behaves as `mode` requires.
///
/// Single-event mode works out the statistic over a period holding one matching event: `Sum`
/// is the value; `SampleCount` is 1 (at least 1 with a `defaultValue`, which publishes for every
/// log event); `Maximum` is at least the value; `Average`, `Minimum` and percentiles equal the
/// value only when the filter has no `defaultValue`, otherwise they can fall towards it. The
/// worst case is compared with the threshold, and one breaching datapoint must be enough
/// (`DatapointsToAlarm`, or `EvaluationPeriods` when unset, is 1). Volume mode needs a count
/// statistic with a `GreaterThan…` operator and a finite threshold, or an anomaly band.
pub fn fires(
    alarm: &MetricAlarm,
    watch: &Watch,
    metric: &EmittedMetric,
    mode: AlarmMode,
    event_label: &str,
) -> Result<(), NoFire> {
    match mode {
        AlarmMode::SingleEvent => fires_on_one(alarm, watch, metric, event_label),
        AlarmMode::Volume => counts_volume(alarm, watch),
    }
}

fn fires_on_one(
    alarm: &MetricAlarm,
    watch: &Watch,
    metric: &EmittedMetric,
    event_label: &str,
) -> Result<(), NoFire> {
    if watch.anomaly {
        return Err(no_fire(
            "ALARM_ANOMALY_BAND",
            "compares against an anomaly band, which does not guarantee that one event raises it"
                .to_owned(),
        ));
    }
    let needed = alarm
        .datapoints_to_alarm
        .unwrap_or(alarm.evaluation_periods);
    if needed > 1 {
        return Err(no_fire(
            "ALARM_NEEDS_SEVERAL_PERIODS",
            format!(
                "needs {needed} breaching periods out of {}, so one {event_label} event never fires it",
                alarm.evaluation_periods
            ),
        ));
    }
    let Some(threshold) = alarm.threshold else {
        return Err(NoFire {
            reason: "ALARM_THRESHOLD_UNKNOWN",
            why: "has no static threshold".to_owned(),
            unverifiable: true,
        });
    };
    let (low, high) = bounds(&watch.statistic, metric.value, metric.default_value);
    let op = alarm.comparison_operator.as_str();
    let breaches = match op {
        "GreaterThanOrEqualToThreshold" => low >= threshold,
        "GreaterThanThreshold" => low > threshold,
        "LessThanThreshold" => high < threshold,
        "LessThanOrEqualToThreshold" => high <= threshold,
        _ => {
            return Err(NoFire {
                reason: "ALARM_OPERATOR_UNSUPPORTED",
                why: format!("uses comparison `{op}`, which cannot be judged for one event"),
                unverifiable: true,
            });
        }
    };
    if breaches {
        return Ok(());
    }
    let shown = if op.starts_with("Greater") { low } else { high };
    let period = watch
        .period
        .map(|p| format!(" over {p} s"))
        .unwrap_or_default();
    let default_note = match metric.default_value {
        Some(d) if !matches!(watch.statistic.as_str(), "Sum" | "SampleCount") => {
            format!(
                " (the filter's defaultValue {d} drags the {} down)",
                watch.statistic
            )
        }
        _ => String::new(),
    };
    Err(no_fire(
        "ALARM_CANNOT_FIRE",
        format!(
            "watches `{}` with {} {} {}{period}: one {event_label} event yields {}{default_note}, so it never fires",
            metric.label(),
            watch.statistic,
            operator_symbol(op),
            number(threshold),
            number(shown),
        ),
    ))
}

fn counts_volume(alarm: &MetricAlarm, watch: &Watch) -> Result<(), NoFire> {
    if watch.anomaly {
        return Ok(());
    }
    if !matches!(watch.statistic.as_str(), "Sum" | "SampleCount") {
        return Err(no_fire(
            "ALARM_STATISTIC_NOT_COUNT",
            format!(
                "uses the {} statistic, which does not count events; use Sum",
                watch.statistic
            ),
        ));
    }
    if !alarm.comparison_operator.starts_with("GreaterThan") {
        return Err(no_fire(
            "ALARM_WRONG_DIRECTION",
            format!(
                "fires on `{}`, so a burst of events never raises it",
                alarm.comparison_operator
            ),
        ));
    }
    match alarm.threshold {
        Some(t) if t.is_finite() => Ok(()),
        _ => Err(NoFire {
            reason: "ALARM_THRESHOLD_UNKNOWN",
            why: "has no finite threshold".to_owned(),
            unverifiable: true,
        }),
    }
}

/// The lowest and highest value `statistic` can take over a period holding one event that
/// publishes `value`, when every other log event publishes `default` (if set).
pub fn bounds(statistic: &str, value: f64, default: Option<f64>) -> (f64, f64) {
    let Some(d) = default else {
        return match statistic {
            "SampleCount" => (1.0, 1.0),
            _ => (value, value),
        };
    };
    match statistic {
        "Sum" => (
            if d >= 0.0 { value } else { f64::NEG_INFINITY },
            if d <= 0.0 { value } else { f64::INFINITY },
        ),
        "SampleCount" => (1.0, f64::INFINITY),
        "Maximum" => (value, value.max(d)),
        "Minimum" => (value.min(d), value),
        // Average, percentiles and trimmed statistics lie between the smallest and largest
        // value published in the period.
        _ => (value.min(d), value.max(d)),
    }
}

fn operator_symbol(op: &str) -> &str {
    match op {
        "GreaterThanOrEqualToThreshold" => ">=",
        "GreaterThanThreshold" => ">",
        "LessThanThreshold" => "<",
        "LessThanOrEqualToThreshold" => "<=",
        other => other,
    }
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_sums_are_recognised() {
        assert_eq!(plain_sum_terms("m1"), Some(vec!["m1".to_owned()]));
        assert_eq!(
            plain_sum_terms("m1 + m2"),
            Some(vec!["m1".to_owned(), "m2".to_owned()])
        );
        assert_eq!(
            plain_sum_terms("SUM([m1, m2])"),
            Some(vec!["m1".to_owned(), "m2".to_owned()])
        );
        assert_eq!(plain_sum_terms("FILL(m1, 0)"), Some(vec!["m1".to_owned()]));
        assert_eq!(plain_sum_terms("m1 * 2"), None);
        assert_eq!(plain_sum_terms("m1 - m2"), None);
        assert_eq!(plain_sum_terms("FILL(m1, REPEAT)"), None);
        assert_eq!(plain_sum_terms("RATE(m1)"), None);
    }

    #[test]
    fn statistic_bounds_follow_the_default_value() {
        assert_eq!(bounds("Sum", 1.0, None), (1.0, 1.0));
        assert_eq!(bounds("Sum", 1.0, Some(0.0)), (1.0, 1.0));
        assert_eq!(bounds("SampleCount", 5.0, None), (1.0, 1.0));
        assert_eq!(bounds("Average", 1.0, None), (1.0, 1.0));
        assert_eq!(bounds("Average", 1.0, Some(0.0)), (0.0, 1.0));
        assert_eq!(bounds("Minimum", 1.0, Some(0.0)), (0.0, 1.0));
        assert_eq!(bounds("Maximum", 1.0, Some(0.0)), (1.0, 1.0));
        assert_eq!(bounds("p99", 1.0, Some(0.0)), (0.0, 1.0));
    }
}
