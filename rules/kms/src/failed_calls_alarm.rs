use trailwarden_sdk::chain::analyse;
use trailwarden_sdk::chain::requirements::kms_failed_calls;
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
/// Delivery: when `topicDeliveries` was collected, a topic whose notifications all failed in
/// the last 24 hours (`AWS/SNS` `NumberOfNotificationsFailed` above zero,
/// `NumberOfNotificationsDelivered` zero) tells nobody (`TOPIC_DELIVERIES_FAILING`); one where
/// some failed and some were delivered still counts, with a warning-level
/// `TOPIC_DELIVERIES_PARTLY_FAILING`. Otherwise a confirmed subscription is assumed to deliver:
/// whether the SQS queue or Lambda function it names still exists is not checked, because that
/// would need the SQS and Lambda APIs.
///
/// ## Why it matters
/// A burst of failed decryptions is what someone probing for a key they may not use looks
/// like. `Decrypt` is read-only: a trail that logs only write events never sees it, and a filter
/// on `$.eventName = Decrypt` misses refused `Encrypt` and `GenerateDataKey` calls.
///
/// ## Example
/// Passing: `{ $.eventSource = "kms.amazonaws.com" && $.errorCode = "*" }` (the seed article's
/// pattern) with an alarm `Sum > 10` over 300 s. Failing: the same filter with an alarm on the
/// `Average`, which is 1 whenever there are errors at all and never counts them.
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
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics", "topicPolicies", "topicDeliveries", "kmsKeys", "keyPolicies"]
)]
pub fn failed_calls_alarm(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    Ok(analyse(snapshot, &kms_failed_calls(&snapshot.account.id)).findings())
}
