//! What a metric filter publishes, read from its configuration alone.
//!
//! [`super::emitted_metrics`] answers "what does this filter publish for this event", which
//! needs an event. A rule that asks "which alarms watch this filter's metric", or "does any
//! filter publish `CloudTrailMetrics/CMKEventCount`", needs only the identities the filter
//! declares: namespace, name, and the dimensions as written, with their sources.

use std::collections::BTreeMap;

use crate::snapshot::MetricFilter;

/// The value a system-field dimension takes: the account or region of the log event, known
/// only once an event is logged; the declared identity names the field instead.
const SYSTEM_FIELDS: [&str; 2] = ["@aws.account", "@aws.region"];

/// A metric a filter declares, as configured: the identity an alarm has to watch.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredMetric {
    /// Metric namespace.
    pub namespace: String,
    /// Metric name.
    pub name: String,
    /// Dimension name to where its value comes from, as declared: a selector such as
    /// `$.userIdentity.arn`, or a system field (`@aws.account`, `@aws.region`) from
    /// `emitSystemFieldDimensions`, whose value is the account or region of the log event. An
    /// alarm must name every one of them, with a value the event can carry.
    pub dimensions: BTreeMap<String, String>,
    /// The metric value as declared: `1`, another number, or `$.field` from the event.
    pub value: String,
    /// Published for every log event that does not match; changes what `Average`, `Minimum`
    /// and percentiles can show.
    pub default_value: Option<f64>,
    /// The metric's unit, if declared.
    pub unit: Option<String>,
}

impl DeclaredMetric {
    /// `Namespace/Name`, for messages.
    pub fn label(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The value published per matching event when it is a fixed number; `None` when it is
    /// taken from the event (`$.field`), so only an event can tell.
    pub fn fixed_value(&self) -> Option<f64> {
        self.value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    }
}

/// Every metric `filter` declares, one per metric transformation, in order; empty when it has
/// none (then it publishes nothing). No event is needed, and none is judged: whether the
/// pattern matches a given event is [`super::emitted_metrics`]'s question.
pub fn declared_metrics(filter: &MetricFilter) -> Vec<DeclaredMetric> {
    let system: Vec<&String> = filter
        .emit_system_field_dimensions
        .iter()
        .filter(|field| SYSTEM_FIELDS.contains(&field.as_str()))
        .collect();
    filter
        .metric_transformations
        .iter()
        .map(|t| {
            let mut dimensions = t.dimensions.clone();
            for field in &system {
                dimensions.insert((*field).clone(), (*field).clone());
            }
            DeclaredMetric {
                namespace: t.metric_namespace.clone(),
                name: t.metric_name.clone(),
                dimensions,
                value: t.metric_value.clone(),
                default_value: t.default_value,
                unit: t.unit.clone(),
            }
        })
        .collect()
}
