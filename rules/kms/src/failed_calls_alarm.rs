use serde::Deserialize;
use trailwarden_sdk::chain::requirements::kms_failed_calls_burst;
use trailwarden_sdk::chain::{DEFAULT_MAX_FAILURES_TO_ALARM, analyse};
use trailwarden_sdk::prelude::*;

/// Failed KMS calls, read-only and write, are counted by an alarm that rises with them and
/// tells someone, in every enabled region.
///
/// ## What it checks
/// Realistic failed calls (a read-only `Decrypt` with `IncorrectKeyException`, `Encrypt` and
/// `GenerateDataKey` refused with `AccessDeniedException`, a refused `DisableKey`) must each be
/// recorded by a trail, delivered to its log group, matched by a metric filter there, counted
/// by an alarm on exactly that metric with a count statistic (`Sum` or `SampleCount`), a
/// `GreaterThan…` operator and a finite threshold (or an anomaly-detection band), and the alarm
/// must tell someone. The chain is followed by identity, link by link, as in TW-KMS-001.
///
/// Failures must be counted as failures. Each failed record is also evaluated without its
/// `errorCode` and `errorMessage` (its successful twin): a filter that matches the twin too (a
/// filter on `Decrypt` whether it failed or not) counts traffic, and then passes only when the
/// alarm fires on a burst of `max_failures_to_alarm` failures alone within one evaluation
/// window, worked out from its threshold, operator, statistic, period, datapoints to alarm and
/// the filter's metric value (`FAILURES_DROWNED` otherwise).
///
/// Setting `max_failures_to_alarm` (default 10): how many failed calls within one evaluation
/// window must fire an alarm whose filter also counts successful calls.
///
/// Delivery: when `topicDeliveries` was collected, a topic whose notifications all failed in
/// the last 24 hours (`AWS/SNS` `NumberOfNotificationsFailed` above zero,
/// `NumberOfNotificationsDelivered` zero) tells nobody (`TOPIC_DELIVERIES_FAILING`); one where
/// some failed and some were delivered still counts, with a warning-level
/// `TOPIC_DELIVERIES_PARTLY_FAILING`. Otherwise a confirmed subscription is assumed to deliver:
/// whether the SQS queue or Lambda function it names still exists is checked only
/// with `subscriptionAttributes` (`SUBSCRIPTION_ENDPOINT_MISSING`, see TW-KMS-001).
///
/// ## Why it matters
/// A burst of failed decryptions is what someone probing for a key they may not use looks
/// like. `Decrypt` is read-only: a trail that logs only write events never sees it, and a filter
/// on `$.eventName = Decrypt` misses refused `Encrypt` and `GenerateDataKey` calls.
///
/// ## Example
/// Passing: `{ $.eventSource = "kms.amazonaws.com" && $.errorCode = "*" }` (the seed article's
/// pattern) with an alarm `Sum > 10` over 300 s. Failing: the same filter with an alarm on the
/// `Average`, which is 1 whenever there are errors at all and never counts them; or a filter on
/// `{ $.eventSource = "kms.amazonaws.com" && $.eventName = "Decrypt" }` under an alarm
/// `Sum > 1000`, which counts successful decryptions too, so ten failures change nothing.
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name kms-failed-calls \
///   --filter-pattern '{ $.eventSource = "kms.amazonaws.com" && $.errorCode = "*" }' \
///   --metric-transformations metricName=KmsFailedCalls,metricNamespace=Security,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name kms-failed-calls --namespace Security \
///   --metric-name KmsFailedCalls --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 10 --comparison-operator GreaterThanThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// Terraform: an `aws_cloudwatch_log_metric_filter` with that pattern and an
/// `aws_cloudwatch_metric_alarm` with `statistic = "Sum"`, `comparison_operator =
/// "GreaterThanThreshold"` and `alarm_actions = [aws_sns_topic.security.arn]`.
///
/// ## References
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarms.html>
///   (the topic policy CloudWatch needs, with `aws:SourceArn` and `aws:SourceAccount`)
/// - <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>
///   (the key policy an encrypted topic needs: `kms:GenerateDataKey*` and `kms:Decrypt`)
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-KMS-002",
    name = "failed-calls-alarm",
    level = "warning",
    security_severity = 5.5,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html",
    tags = ["kms", "monitoring"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "kmsKeys", "topicPolicies", "subscriptionAttributes", "keyPolicies", "topicDeliveries"],
    settings = FailedCallsSettings
)]
pub fn failed_calls_alarm(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let settings: FailedCallsSettings = ctx.settings()?;
    let requirement = kms_failed_calls_burst(&snapshot.account.id, settings.max_failures_to_alarm);
    Ok(analyse(snapshot, &requirement).findings())
}

/// The largest `max_failures_to_alarm` accepted: beyond it the setting no longer describes a
/// burst of failures, and the check would pass alarms set for traffic.
pub const MAX_FAILURES_LIMIT: u32 = 100_000;

/// Settings of TW-KMS-002.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FailedCallsSettings {
    /// How many failed calls within one evaluation window must fire an alarm whose filter also
    /// counts successful calls.
    pub max_failures_to_alarm: u32,
}

impl Default for FailedCallsSettings {
    fn default() -> Self {
        Self {
            max_failures_to_alarm: DEFAULT_MAX_FAILURES_TO_ALARM,
        }
    }
}

impl RuleSettings for FailedCallsSettings {
    fn describe() -> Vec<SettingMeta> {
        vec![SettingMeta {
            name: "max_failures_to_alarm".to_owned(),
            value_type: "integer".to_owned(),
            default: serde_json::json!(DEFAULT_MAX_FAILURES_TO_ALARM),
            description: "How many failed KMS calls within one evaluation window must fire an \
                          alarm whose metric filter also counts successful calls"
                .to_owned(),
        }]
    }

    fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_FAILURES_LIMIT).contains(&self.max_failures_to_alarm) {
            return Err(format!(
                "max_failures_to_alarm must be between 1 and {MAX_FAILURES_LIMIT}, not {}",
                self.max_failures_to_alarm
            ));
        }
        Ok(())
    }
}
