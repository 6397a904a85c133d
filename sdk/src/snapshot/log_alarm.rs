//! CloudWatch log alarms: alarms on the results of a CloudWatch Logs scheduled query.
//!
//! "A log alarm evaluates the results of a CloudWatch Logs scheduled query against the
//! configured threshold and comparison operator to determine its state. … Each scheduled query
//! execution returns one or more aggregated values determined by the `AggregationExpression`,
//! and each aggregated value is compared against the alarm `Threshold` … if
//! `QueryResultsToAlarm` out of the most recent `QueryResultsToEvaluate` query results breach
//! the threshold, the alarm transitions to `ALARM`"
//! (PutLogAlarm, <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutLogAlarm.html>;
//! the type, <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_LogAlarm.html>).
//! `DescribeAlarms` returns them as `LogAlarms` only when `AlarmTypes` names `LogAlarm`: "If you
//! omit this parameter, only metric alarms are returned, even if composite alarms or log alarms
//! exist in the account"
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html>).

use serde::{Deserialize, Serialize};

use super::values::{AlarmState, ComparisonOperator, TreatMissingData};

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

/// A CloudWatch log alarm, as `DescribeAlarms` returns it in `LogAlarms`, with the fields that
/// decide whether one CloudTrail record delivered to a log group fires it and whom it tells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogAlarm {
    /// Alarm name.
    pub alarm_name: String,
    /// Alarm ARN.
    pub alarm_arn: String,
    /// Whether actions run on state changes.
    #[serde(default = "yes")]
    pub actions_enabled: bool,
    /// Actions on entering ALARM (SNS topics, Lambda functions, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_actions: Vec<String>,
    /// The CloudWatch Logs Insights query run on each schedule (`ScheduledQueryConfiguration.QueryString`).
    pub query_string: String,
    /// The log groups queried, by name or ARN (`LogGroupIdentifiers`): "Use the ARN form when
    /// querying log groups in a different account".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log_group_identifiers: Vec<String>,
    /// How the query's rows become the values compared with the threshold, e.g. `count(*)` or
    /// `count(*) by eventName` (`AggregationExpression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregation_expression: Option<String>,
    /// How often the query runs, e.g. `rate(5 minutes)` (`ScheduleExpression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// Seconds before each run at which the queried time range begins (`StartTimeOffset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time_offset: Option<i64>,
    /// Seconds before each run at which the queried time range ends (`EndTimeOffset`, default
    /// 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time_offset: Option<i64>,
    /// N in M-out-of-N: the most recent query results evaluated (`QueryResultsToEvaluate`).
    #[serde(default = "one")]
    pub query_results_to_evaluate: u32,
    /// M in M-out-of-N: the breaching results needed to alarm (`QueryResultsToAlarm`).
    #[serde(default = "one")]
    pub query_results_to_alarm: u32,
    /// The threshold the aggregated value is compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// How the aggregated value (first operand) is compared with the threshold.
    pub comparison_operator: ComparisonOperator,
    /// `breaching`, `notBreaching`, `ignore`, `missing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<TreatMissingData>,
    /// `EVALUATION_ERROR` (a configuration error: the alarm cannot evaluate),
    /// `EVALUATION_FAILURE` (a temporary CloudWatch issue) or `PARTIAL_DATA`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_state: Option<String>,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_value: Option<AlarmState>,
}
