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
use super::insights::{InsightsQuery, Selection};
use super::metric::EmittedMetric;
use super::reason;
use crate::snapshot::{
    ComparisonOperator, Dimension, MetricAlarm, MetricDataQuery, MetricId, Statistic,
};

/// How an alarm watches an emitted metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    /// The statistic applied (`Sum`, `p99`, …).
    pub statistic: Statistic,
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
            .or_else(|| alarm.extended_statistic.as_deref().map(Statistic::from));
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
    if let Some(relation) = insights_relation(alarm, metric) {
        return relation;
    }
    let watching: Vec<(&str, &crate::snapshot::MetricStat)> = alarm
        .metrics
        .iter()
        .filter_map(|q| q.metric_stat.as_ref().map(|s| (q.id.as_str(), s)))
        .filter(|(_, stat)| same_metric(&stat.metric, metric))
        .collect();
    if watching.is_empty() {
        if let Some(query) = metrics_insights_query(alarm, metric) {
            return Relation::Unverifiable(format!(
                "it is a Metrics Insights query (`{query}`), whose result trailwarden does not work out yet"
            ));
        }
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
    let Some(returned) = returned_query(alarm) else {
        return Relation::Unverifiable("no single query is marked as the alarm's value".to_owned());
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
    let anomaly = alarm.threshold_metric_id.is_some();
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

/// The relation of an alarm on a Metrics Insights query to `metric`, or `None` when the alarm
/// has no Metrics Insights query (see [`super::insights`] for the reading of the language).
///
/// The query is the alarm's value when it is the returned query; a `SELECT` elsewhere in a
/// metric-math alarm cannot be followed and is reported as such when it names the metric. A
/// query that reads the metric gives a [`Watch`] with the statistic equivalent of its
/// function and the query's period, so the single-event, volume and failure maths apply as
/// for any alarm: for a grouped query, the series that holds the metric is a contributor
/// that fires the alarm on its own. `summed` is true when other metrics can share that
/// series (their observations only add). A query that leaves the metric out by its `SCHEMA`
/// or `WHERE` is `DimensionsDiffer`, with the clause that excludes it; one whose text cannot
/// be read, or whose effect depends on other data, is `Unverifiable`.
fn insights_relation(alarm: &MetricAlarm, metric: &EmittedMetric) -> Option<Relation> {
    let first = alarm.metrics.iter().find(|q| {
        q.expression
            .as_deref()
            .is_some_and(super::insights::is_insights)
    })?;
    let text = first.expression.as_deref().unwrap_or_default().trim();
    let shown: String = text.chars().take(120).collect();
    let names_metric = text.contains(&metric.name) && text.contains(&metric.namespace);
    let returned = returned_query(alarm).filter(|q| q.id == first.id);
    let Some(returned) = returned else {
        return Some(if names_metric {
            Relation::Unverifiable(format!(
                "it feeds the Metrics Insights query `{shown}` into metric math, which trailwarden does not follow"
            ))
        } else {
            Relation::Unrelated
        });
    };
    let query = match InsightsQuery::parse(text) {
        Ok(query) => query,
        Err(error) => {
            return Some(if names_metric {
                Relation::Unverifiable(format!("its Metrics Insights query `{shown}`: {error}"))
            } else {
                Relation::Unrelated
            });
        }
    };
    Some(match query.select(metric) {
        Selection::Unrelated => Relation::Unrelated,
        Selection::Excluded(why) => Relation::DimensionsDiffer {
            alarm: format!(
                "the Metrics Insights query `{shown}`, whose {}",
                strip_its(&why)
            ),
        },
        Selection::Unverifiable(why) => Relation::Unverifiable(format!(
            "it is the Metrics Insights query `{shown}`, and {why}"
        )),
        Selection::Selected { statistic, alone } => Relation::Watches(Watch {
            statistic,
            period: returned.period,
            anomaly: alarm.threshold_metric_id.is_some(),
            summed: !alone,
        }),
    })
}

fn strip_its(clause: &str) -> &str {
    clause.strip_prefix("its ").unwrap_or(clause)
}

/// The Metrics Insights query of `alarm` that names `metric` (its name and namespace appear
/// in the text), if any, cut to 120 characters: for messages about an alarm that has one.
/// Whether the query really reads the metric is [`relation`]'s question.
pub fn metrics_insights_query(alarm: &MetricAlarm, metric: &EmittedMetric) -> Option<String> {
    alarm.metrics.iter().find_map(|q| {
        let expression = q.expression.as_deref()?.trim();
        (super::insights::is_insights(expression)
            && expression.contains(&metric.name)
            && expression.contains(&metric.namespace))
        .then(|| expression.chars().take(120).collect())
    })
}

/// The query of a metric-math alarm whose value is compared with the threshold, or `None` when
/// the alarm does not designate exactly one.
///
/// AWS designates it with `ReturnData`: "One item in the Metrics array is the expression that
/// the alarm watches. You designate this expression by setting ReturnData to true for this
/// object in the array", and for `MetricDataQuery.ReturnData`, "When used in PutMetricAlarm,
/// specify true for the one expression result to use as the alarm. For all other metrics and
/// expressions in the same PutMetricAlarm operation, specify ReturnData as False"
/// (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html>,
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html>).
///
/// Two cases need care, and every caller must decide them the same way, hence this one
/// function:
/// - An anomaly-detection alarm also returns its `ANOMALY_DETECTION_BAND` expression, named by
///   `ThresholdMetricId`: that is the threshold, never the value, so it is left out.
/// - `ReturnData` defaults to true when absent, so a hand-written snapshot that omits it marks
///   every query. Then the only expression among them is taken (the metric queries feed it);
///   with no expression or several, no query is designated and the caller must say it cannot
///   verify the alarm rather than guess.
pub fn returned_query(alarm: &MetricAlarm) -> Option<&MetricDataQuery> {
    let band = alarm.threshold_metric_id.as_deref();
    let returned: Vec<&MetricDataQuery> = alarm
        .metrics
        .iter()
        .filter(|q| q.return_data && Some(q.id.as_str()) != band)
        .collect();
    if let [only] = returned.as_slice() {
        return Some(only);
    }
    let mut expressions = returned.into_iter().filter(|q| q.expression.is_some());
    match (expressions.next(), expressions.next()) {
        (Some(only), None) => Some(only),
        _ => None,
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
            reason::ALARM_ANOMALY_BAND,
            "compares against an anomaly band, which does not guarantee that one event raises it"
                .to_owned(),
        ));
    }
    let needed = alarm
        .datapoints_to_alarm
        .unwrap_or(alarm.evaluation_periods);
    if needed > 1 {
        return Err(no_fire(
            reason::ALARM_NEEDS_SEVERAL_PERIODS,
            format!(
                "needs {needed} breaching periods out of {}, so one {event_label} event never fires it",
                alarm.evaluation_periods
            ),
        ));
    }
    let Some(threshold) = alarm.threshold else {
        return Err(NoFire {
            reason: reason::ALARM_THRESHOLD_UNKNOWN,
            why: "has no static threshold".to_owned(),
            unverifiable: true,
        });
    };
    let (low, high) = bounds(&watch.statistic, metric.value, metric.default_value);
    let op = &alarm.comparison_operator;
    let breaches = match op {
        ComparisonOperator::GreaterThanOrEqualToThreshold => low >= threshold,
        ComparisonOperator::GreaterThanThreshold => low > threshold,
        ComparisonOperator::LessThanThreshold => high < threshold,
        ComparisonOperator::LessThanOrEqualToThreshold => high <= threshold,
        _ => {
            return Err(NoFire {
                reason: reason::ALARM_OPERATOR_UNSUPPORTED,
                why: format!("uses comparison `{op}`, which cannot be judged for one event"),
                unverifiable: true,
            });
        }
    };
    if breaches {
        return Ok(());
    }
    let shown = if op.fires_on_rise() { low } else { high };
    let period = watch
        .period
        .map(|p| format!(" over {p} s"))
        .unwrap_or_default();
    let default_note = match metric.default_value {
        Some(d) if !watch.statistic.counts() => {
            format!(
                " (the filter's defaultValue {d} drags the {} down)",
                watch.statistic
            )
        }
        _ => String::new(),
    };
    Err(no_fire(
        reason::ALARM_CANNOT_FIRE,
        format!(
            "watches `{}` with {} {} {}{period}: one {event_label} event yields {}{default_note}, so it never fires",
            metric.label(),
            watch.statistic,
            op.symbol().unwrap_or(op.as_str()),
            number(threshold),
            number(shown),
        ),
    ))
}

fn counts_volume(alarm: &MetricAlarm, watch: &Watch) -> Result<(), NoFire> {
    if watch.anomaly {
        return Ok(());
    }
    if !watch.statistic.counts() {
        return Err(no_fire(
            reason::ALARM_STATISTIC_NOT_COUNT,
            format!(
                "uses the {} statistic, which does not count events; use Sum",
                watch.statistic
            ),
        ));
    }
    if !alarm.comparison_operator.fires_on_rise() {
        return Err(no_fire(
            reason::ALARM_WRONG_DIRECTION,
            format!(
                "fires on `{}`, so a burst of events never raises it",
                alarm.comparison_operator
            ),
        ));
    }
    match alarm.threshold {
        Some(t) if t.is_finite() => Ok(()),
        _ => Err(NoFire {
            reason: reason::ALARM_THRESHOLD_UNKNOWN,
            why: "has no finite threshold".to_owned(),
            unverifiable: true,
        }),
    }
}

/// How many counted events, at least, put `alarm` in ALARM when they all fall in its
/// evaluation window: enough in each period to breach, times the breaching periods needed.
///
/// Per period, `Sum` grows by the filter's metric value per event and `SampleCount` by one; a
/// `GreaterThanThreshold` alarm needs the smallest count whose value exceeds the threshold,
/// `GreaterThanOrEqualToThreshold` the smallest that reaches it. The alarm goes to ALARM when
/// `DatapointsToAlarm` (or, unset, `EvaluationPeriods`) of the last `EvaluationPeriods`
/// periods breach ("Evaluating an alarm",
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html>), so
/// the fewest events that do it put that count in each of those periods. A `defaultValue` is
/// published for log events the filter does not match, which are not failures, so it is left
/// out: the question is what the failures alone do.
///
/// `Err` says why the number cannot be worked out (an anomaly band, a statistic that does not
/// count, an operator that does not rise, no finite threshold, a value that is not positive).
pub fn events_to_alarm(alarm: &MetricAlarm, watch: &Watch, value: f64) -> Result<u64, String> {
    if watch.anomaly {
        return Err("compares against an anomaly band learned from everything the filter counts, which a burst of failures alone need not cross".to_owned());
    }
    let per_event = match watch.statistic {
        Statistic::Sum => value,
        Statistic::SampleCount => 1.0,
        _ => {
            return Err(format!(
                "uses the {} statistic, which does not count events",
                watch.statistic
            ));
        }
    };
    if !(per_event.is_finite() && per_event > 0.0) {
        return Err(format!(
            "adds {} per event, which never counts up",
            number(per_event)
        ));
    }
    let Some(threshold) = alarm.threshold.filter(|t| t.is_finite()) else {
        return Err("has no finite static threshold".to_owned());
    };
    let per_period = match alarm.comparison_operator {
        ComparisonOperator::GreaterThanThreshold => (threshold / per_event).floor() + 1.0,
        ComparisonOperator::GreaterThanOrEqualToThreshold => (threshold / per_event).ceil(),
        _ => {
            return Err(format!(
                "fires on `{}`, which a burst of failures does not raise",
                alarm.comparison_operator
            ));
        }
    }
    .max(1.0);
    let periods = alarm
        .datapoints_to_alarm
        .unwrap_or(alarm.evaluation_periods)
        .max(1);
    let total = per_period * f64::from(periods);
    // Beyond u64 no burst ever fires it; saturate rather than wrap.
    Ok(if total >= u64::MAX as f64 {
        u64::MAX
    } else {
        total as u64
    })
}

/// Whether `burst` failures within one evaluation window fire `alarm` on their own, when its
/// filter also counts successful calls (see [`events_to_alarm`]). `filter` and `twin_label`
/// name the filter and the successful call for the message.
pub fn fires_on_burst(
    alarm: &MetricAlarm,
    watch: &Watch,
    metric: &EmittedMetric,
    burst: u32,
    filter: &str,
    twin_label: &str,
) -> Result<(), NoFire> {
    let counts = format!("metric filter `{filter}` also counts successful {twin_label} calls");
    match events_to_alarm(alarm, watch, metric.value) {
        Ok(needed) if needed <= u64::from(burst) => Ok(()),
        Ok(needed) => Err(no_fire(
            reason::FAILURES_DROWNED,
            format!(
                "needs {needed} counted calls in its evaluation window to fire, and {counts}, so {burst} failed calls alone never fire it (setting `max_failures_to_alarm`)"
            ),
        )),
        Err(why) => Err(no_fire(
            reason::FAILURES_DROWNED,
            format!(
                "{why}, and {counts}, so a burst of {burst} failed calls alone is not known to fire it"
            ),
        )),
    }
}

/// The lowest and highest value `statistic` can take over a period holding one event that
/// publishes `value`, when every other log event publishes `default` (if set).
pub fn bounds(statistic: &Statistic, value: f64, default: Option<f64>) -> (f64, f64) {
    let Some(d) = default else {
        return match statistic {
            Statistic::SampleCount => (1.0, 1.0),
            _ => (value, value),
        };
    };
    match statistic {
        Statistic::Sum => (
            if d >= 0.0 { value } else { f64::NEG_INFINITY },
            if d <= 0.0 { value } else { f64::INFINITY },
        ),
        Statistic::SampleCount => (1.0, f64::INFINITY),
        Statistic::Maximum => (value, value.max(d)),
        Statistic::Minimum => (value.min(d), value),
        // Average, percentiles and trimmed statistics lie between the smallest and largest
        // value published in the period.
        _ => (value.min(d), value.max(d)),
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
        assert_eq!(bounds(&Statistic::from("Sum"), 1.0, None), (1.0, 1.0));
        assert_eq!(bounds(&Statistic::from("Sum"), 1.0, Some(0.0)), (1.0, 1.0));
        assert_eq!(
            bounds(&Statistic::from("SampleCount"), 5.0, None),
            (1.0, 1.0)
        );
        assert_eq!(bounds(&Statistic::from("Average"), 1.0, None), (1.0, 1.0));
        assert_eq!(
            bounds(&Statistic::from("Average"), 1.0, Some(0.0)),
            (0.0, 1.0)
        );
        assert_eq!(
            bounds(&Statistic::from("Minimum"), 1.0, Some(0.0)),
            (0.0, 1.0)
        );
        assert_eq!(
            bounds(&Statistic::from("Maximum"), 1.0, Some(0.0)),
            (1.0, 1.0)
        );
        assert_eq!(bounds(&Statistic::from("p99"), 1.0, Some(0.0)), (0.0, 1.0));
    }

    fn static_alarm(statistic: &str, operator: &str, threshold: f64) -> MetricAlarm {
        serde_json::from_value(serde_json::json!({
            "alarmName": "kms",
            "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms",
            "namespace": "CloudTrailMetrics",
            "metricName": "KmsKeyChanges",
            "statistic": statistic,
            "period": 300,
            "evaluationPeriods": 3,
            "datapointsToAlarm": 2,
            "threshold": threshold,
            "comparisonOperator": operator
        }))
        .expect("a valid alarm")
    }

    fn watch_of(alarm: &MetricAlarm) -> Watch {
        match relation(alarm, &kms_metric()) {
            Relation::Watches(watch) => watch,
            other => panic!("{other:?}"),
        }
    }

    /// Events needed = per breaching period × datapoints to alarm, from the operator, the
    /// statistic and the metric value.
    #[test]
    fn events_to_alarm_follows_the_alarm_maths() {
        let gt = static_alarm("Sum", "GreaterThanThreshold", 10.0);
        assert_eq!(events_to_alarm(&gt, &watch_of(&gt), 1.0), Ok(22));
        assert_eq!(events_to_alarm(&gt, &watch_of(&gt), 2.5), Ok(10));
        let ge = static_alarm("Sum", "GreaterThanOrEqualToThreshold", 10.0);
        assert_eq!(events_to_alarm(&ge, &watch_of(&ge), 1.0), Ok(20));
        assert_eq!(events_to_alarm(&ge, &watch_of(&ge), 3.0), Ok(8));
        let count = static_alarm("SampleCount", "GreaterThanOrEqualToThreshold", 0.0);
        assert_eq!(events_to_alarm(&count, &watch_of(&count), 7.0), Ok(2));
        let average = static_alarm("Average", "GreaterThanThreshold", 1.0);
        assert!(events_to_alarm(&average, &watch_of(&average), 1.0).is_err());
        let low = static_alarm("Sum", "LessThanThreshold", 1.0);
        assert!(events_to_alarm(&low, &watch_of(&low), 1.0).is_err());
        let huge = static_alarm("Sum", "GreaterThanThreshold", 1e300);
        assert_eq!(events_to_alarm(&huge, &watch_of(&huge), 1.0), Ok(u64::MAX));
        assert!(events_to_alarm(&gt, &watch_of(&gt), 0.0).is_err());
    }

    fn math_alarm(queries: serde_json::Value, band: Option<&str>) -> MetricAlarm {
        let mut alarm = serde_json::json!({
            "alarmName": "kms-math",
            "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-math",
            "comparisonOperator": "GreaterThanUpperThreshold",
            "metrics": queries
        });
        if let Some(band) = band {
            alarm["thresholdMetricId"] = serde_json::json!(band);
        }
        serde_json::from_value(alarm).expect("a valid alarm")
    }

    fn metric_query(id: &str) -> serde_json::Value {
        serde_json::json!({
            "id": id,
            "metricStat": {
                "metric": {"namespace": "CloudTrailMetrics", "metricName": "KmsKeyChanges"},
                "period": 300,
                "stat": "Sum"
            }
        })
    }

    fn kms_metric() -> EmittedMetric {
        EmittedMetric {
            namespace: "CloudTrailMetrics".to_owned(),
            name: "KmsKeyChanges".to_owned(),
            dimensions: std::collections::BTreeMap::new(),
            value: 1.0,
            default_value: None,
        }
    }

    fn returned_id(alarm: &MetricAlarm) -> Option<&str> {
        returned_query(alarm).map(|q| q.id.as_str())
    }

    /// Where the chain and TW-KMS-005 used to answer differently: an anomaly alarm returns both
    /// the metric and its band. TW-KMS-005 took the band (the only expression), the chain the
    /// metric; the band is the threshold, so the metric is the value.
    #[test]
    fn the_anomaly_band_is_the_threshold_not_the_returned_value() {
        let alarm = math_alarm(
            serde_json::json!([
                {"id": "ad1", "expression": "ANOMALY_DETECTION_BAND(m1, 2)", "returnData": true},
                metric_query("m1")
            ]),
            Some("ad1"),
        );
        assert_eq!(returned_id(&alarm), Some("m1"));
        assert!(matches!(
            relation(&alarm, &kms_metric()),
            Relation::Watches(Watch { anomaly: true, .. })
        ));
    }

    /// The other case where they differed: `ReturnData` left out on every query (it defaults to
    /// true). The chain took the first query, the metric, and passed whatever the expression
    /// did to it; TW-KMS-005 took the expression. The expression is the value.
    #[test]
    fn with_return_data_left_out_the_only_expression_is_the_value() {
        let alarm = math_alarm(
            serde_json::json!([metric_query("m1"), {"id": "e1", "expression": "m1 * 2"}]),
            None,
        );
        assert_eq!(returned_id(&alarm), Some("e1"));
        assert_eq!(
            relation(&alarm, &kms_metric()),
            Relation::Unverifiable(
                "its expression `m1 * 2` is not a plain sum of metrics".to_owned()
            )
        );
    }

    /// Issue #19: an alarm on a Metrics Insights query watches the filter's metric when its
    /// query selects it, with the statistic of the query's function and the query's period.
    #[test]
    fn a_metrics_insights_alarm_watches_the_metric_its_query_selects() {
        let insights = |text: &str| {
            math_alarm(
                serde_json::json!([{"id": "q1", "expression": text, "period": 300}]),
                None,
            )
        };
        let alarm = insights("SELECT SUM(KmsKeyChanges) FROM SCHEMA(\"CloudTrailMetrics\")");
        assert_eq!(
            relation(&alarm, &kms_metric()),
            Relation::Watches(Watch {
                statistic: Statistic::Sum,
                period: Some(300),
                anomaly: false,
                summed: false,
            })
        );
        let shared = insights("SELECT COUNT(KmsKeyChanges) FROM CloudTrailMetrics GROUP BY KeyId");
        assert!(matches!(
            relation(&shared, &kms_metric()),
            Relation::Unverifiable(why) if why.contains("groups by `KeyId`")
        ));
        let keyed = insights("SELECT SUM(KmsKeyChanges) FROM SCHEMA(\"CloudTrailMetrics\", KeyId)");
        assert!(matches!(
            relation(&keyed, &kms_metric()),
            Relation::DimensionsDiffer { alarm } if alarm.contains("SCHEMA requires exactly the dimensions KeyId")
        ));
        let unknown =
            insights("SELECT SUM(KmsKeyChanges) FROM \"CloudTrailMetrics\" WHERE a LIKE 'x%'");
        match relation(&unknown, &kms_metric()) {
            Relation::Unverifiable(why) => assert!(why.contains("LIKE"), "{why}"),
            other => panic!("{other:?}"),
        }
        let other = insights("SELECT AVG(CPUUtilization) FROM \"AWS/EC2\"");
        assert_eq!(relation(&other, &kms_metric()), Relation::Unrelated);
        // A query that is not the alarm's value but feeds metric math is not followed.
        let fed = math_alarm(
            serde_json::json!([
                {"id": "q1", "expression": "SELECT SUM(KmsKeyChanges) FROM CloudTrailMetrics", "returnData": false},
                {"id": "e1", "expression": "q1 * 2"}
            ]),
            None,
        );
        assert!(matches!(
            relation(&fed, &kms_metric()),
            Relation::Unverifiable(why) if why.contains("metric math")
        ));
    }

    #[test]
    fn an_alarm_that_designates_no_single_query_is_not_guessed() {
        let two_metrics = math_alarm(
            serde_json::json!([metric_query("m1"), metric_query("m2")]),
            None,
        );
        assert_eq!(returned_id(&two_metrics), None);
        let two_expressions = math_alarm(
            serde_json::json!([
                metric_query("m1"),
                {"id": "e1", "expression": "m1"},
                {"id": "e2", "expression": "m1 + m1"}
            ]),
            None,
        );
        assert_eq!(returned_id(&two_expressions), None);
        let mut none = math_alarm(serde_json::json!([metric_query("m1")]), None);
        none.metrics[0].return_data = false;
        assert_eq!(returned_id(&none), None);
        assert!(matches!(
            relation(&none, &kms_metric()),
            Relation::Unverifiable(_)
        ));
        let one = math_alarm(serde_json::json!([metric_query("m1")]), None);
        assert_eq!(returned_id(&one), Some("m1"));
    }
}
