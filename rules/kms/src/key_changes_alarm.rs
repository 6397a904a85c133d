use trailwarden_sdk::chain::analyse;
use trailwarden_sdk::chain::requirements::{CisSettings, kms_key_changes};
use trailwarden_sdk::events::cis_control;
use trailwarden_sdk::prelude::*;

/// Disabling a KMS key or scheduling its deletion raises an alarm that tells someone, in every
/// enabled region.
///
/// ## What it checks
/// For realistic CloudTrail records of `DisableKey` and `ScheduleKeyDeletion` from
/// `kms.amazonaws.com`, successful and refused (`AccessDeniedException`), logged in each enabled
/// region, the whole chain is followed by identity:
/// 1. a trail that is logging, covers the region and whose selectors capture the record;
/// 2. the log group named by the trail's `CloudWatchLogsLogGroupArn` (same account, region and
///    name);
/// 3. a metric filter on exactly that group whose pattern **matches the record** under the
///    CloudWatch Logs filter-pattern semantics, whose `fieldSelectionCriteria` admit it and
///    whose metric value is positive;
/// 4. an alarm on exactly the emitted metric (namespace, name, dimension set), including plain
///    metric-math sums and alarms on a CloudWatch Metrics Insights query
///    (`SELECT SUM(KmsKeyChanges) FROM "CISBenchmark"`), which need no `MetricStat`: the query
///    must select the metric (its namespace and name, a `SCHEMA` with exactly its dimension
///    names, `WHERE` conditions its dimension values meet), its function (`SUM`, `COUNT`,
///    `MAX`, `MIN`, `AVG`) is the statistic and its period the period, and with `GROUP BY` the
///    metric's own series must breach, since each returned series is a contributor of the
///    alarm. `OR`, `LIKE`, a top-N of groups (`ORDER BY … LIMIT`) and `AVG` / `MIN` over a
///    series other metrics can share are could not verify (`ALARM_EXPRESSION_UNVERIFIABLE`).
///    Sources: "Metrics Insights query components and syntax" and "Create a CloudWatch alarm
///    based on a Metrics Insights query" in the CloudWatch user guide. Instead of steps 3–5, a
///    CloudWatch **log alarm** (`PutLogAlarm`: an alarm on a CloudWatch Logs scheduled query,
///    listed by `DescribeAlarms` with `AlarmTypes=[LogAlarm]`, section `logAlarms`) that queries
///    the log group (by name, or by ARN from any account the run holds) covers the event when
///    its Logs Insights query returns the record (`filter` with `=`, `!=`, `<`…`>=`, `and`,
///    `or`, `not`, `in [..]`, `like "text"`, `like /regex/`, `ispresent`, `isempty`, `isblank`,
///    `strcontains`; `fields`, `sort`, `display`, `dedup` and `limit` keep a lone event), its
///    `count` aggregation (per `by` group) breaches the threshold, and `QueryResultsToAlarm`
///    does not exceed the runs of the schedule one event falls in (`LOG_ALARM_QUERY_DROPS_EVENT`,
///    `LOG_ALARM_CANNOT_FIRE`, `LOG_ALARM_NEEDS_MORE_RESULTS`, `LOG_ALARM_WINDOW_GAPS`). A log
///    alarm in `EVALUATION_ERROR` cannot fire (`LOG_ALARM_EVALUATION_ERROR`); other commands
///    (`parse`, `stats`, `unmask`, …), other functions, `TreatMissingData=breaching` and
///    `cron(…)` schedules are could not verify (`LOG_ALARM_QUERY_UNVERIFIABLE`). Sources:
///    "Log alarms" (alarm-log.html) in the CloudWatch user guide, PutLogAlarm and LogAlarm in the
///    CloudWatch API reference, and "CloudWatch Logs Insights language query syntax";
/// 5. which one event fires: the statistic over one period (with the filter's `defaultValue`),
///    the threshold and operator, and one datapoint to alarm;
/// 6. which tells someone: actions enabled, an SNS topic that exists, is not encrypted with
///    `alias/aws/sns`, lets CloudWatch publish and has a confirmed subscription (or a Lambda /
///    Systems Manager action, or a composite alarm that follows this one). "Lets CloudWatch
///    publish": the topic's access policy allows `cloudwatch.amazonaws.com` `sns:Publish` for
///    this alarm (no `Deny`, no principal or `aws:SourceArn` / `aws:SourceAccount` condition
///    that leaves it out; SNS's default policy allows the account's alarms), and a topic
///    encrypted with a customer-managed key has a key policy that allows it
///    `kms:GenerateDataKey*` and `kms:Decrypt` (`TOPIC_POLICY_BLOCKS_PUBLISH`,
///    `TOPIC_KEY_POLICY_BLOCKS_PUBLISH`). A policy using conditions trailwarden does not
///    evaluate is reported as could not verify. Snapshots without `topicPolicies` /
///    `keyPolicies` skip this part.
///
/// Several filters and alarms may share the work. A failing finding names the link that broke
/// on the path that got furthest, and the regions it affects.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter
/// uses the exact CIS text, because Security Hub CloudWatch.7 compares the text and will fail it.
///
/// Delivery: when `topicDeliveries` was collected, a topic whose notifications all failed in
/// the last 24 hours (`AWS/SNS` `NumberOfNotificationsFailed` above zero,
/// `NumberOfNotificationsDelivered` zero) tells nobody (`TOPIC_DELIVERIES_FAILING`); one where
/// some failed and some were delivered still counts, with a warning-level
/// `TOPIC_DELIVERIES_PARTLY_FAILING`. Otherwise a confirmed subscription is assumed to deliver:
/// whether the SQS queue or Lambda function it names still exists is checked only
/// with `subscriptionAttributes` (`SUBSCRIPTION_ENDPOINT_MISSING`, see TW-KMS-001).
///
/// Filter policies: when `subscriptionAttributes` was collected
/// (`sns:GetSubscriptionAttributes`), a confirmed subscription whose filter policy drops the
/// alarm's notification does not count: SNS sends a message to a subscriber only when it
/// satisfies the subscription's filter policy ("Amazon SNS message filtering", SNS developer
/// guide). The policy applies to message attributes unless `FilterPolicyScope` is
/// `MessageBody`; CloudWatch alarm notifications carry no message attributes, so an
/// attribute policy drops them (unless it only asks for `{"exists": false}`), and a body policy
/// is matched against the notification of the alarm entering `ALARM` (`AlarmName`, `AlarmArn`,
/// `AWSAccountId`, `NewStateValue`). A topic whose every confirmed subscription drops it tells
/// nobody (`SUBSCRIPTION_FILTER_DROPS_ALARMS`); a policy on fields whose value cannot be known
/// from configuration (`NewStateReason`, `Region`, `Trigger`, …) is could not verify. The same
/// section tells whether an SQS queue or Lambda function subscribed in the topic's account and
/// region still exists (`sqs:ListQueues`, `lambda:ListFunctions`); one that does not receives
/// nothing (`SUBSCRIPTION_ENDPOINT_MISSING` when no other subscription does). Queues and
/// functions elsewhere are assumed to exist.
///
/// ## Why it matters
/// Data encrypted under a disabled key cannot be read; after the deletion window it is gone for
/// good. A pending deletion can be cancelled, but only by someone who knows about it.
///
/// ## Example
/// Failing: the CIS filter with an alarm `Sum >= 5`: one `DisableKey` yields 1, so the alarm
/// never fires. Passing: the CIS filter, `Sum >= 1` over 300 s with one evaluation period, and
/// a topic with a confirmed subscription.
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name kms-key-changes \
///   --filter-pattern '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }' \
///   --metric-transformations metricName=KmsKeyChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name kms-key-changes --namespace CISBenchmark \
///   --metric-name KmsKeyChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// aws sns subscribe --topic-arn arn:aws:sns:<region>:<account>:<topic> --protocol email \
///   --notification-endpoint security@example.com   # then confirm the e-mail
/// ```
/// CloudFormation:
/// ```yaml
/// KmsKeyChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }'
///     MetricTransformations:
///       - {MetricName: KmsKeyChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// KmsKeyChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: KmsKeyChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.7 (v1.2.0 3.7); AWS Security Hub CloudWatch.7
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-creating-cloudwatch-alarm.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarms.html>
///   (the topic policy CloudWatch needs, with `aws:SourceArn` and `aws:SourceAccount`)
/// - <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>
///   (the key policy an encrypted topic needs: `kms:GenerateDataKey*` and `kms:Decrypt`)
#[rule(
    id = "TW-KMS-001",
    name = "key-disable-deletion-alarm",
    level = "error",
    security_severity = 8.0,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-creating-cloudwatch-alarm.html",
    tags = ["kms", "monitoring", "cis"],
    cis = [
        "v1.4.0 4.7 Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer created CMKs",
        "v1.2.0 3.7 Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer created CMKs",
        "v3.0.0 4.7 Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer created CMKs",
        "v4.0.1 4.7 Ensure disabling or scheduled deletion of customer created CMKs is monitored",
        "v5.0.0 4.7 Ensure disabling or scheduled deletion of customer created CMKs is monitored",
    ],
    security_hub = ["CloudWatch.7"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "kmsKeys", "eventRules", "topicPolicies", "subscriptionAttributes", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn key_changes_alarm(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let settings: CisSettings = ctx.settings()?;
    let requirement = kms_key_changes(&snapshot.account.id);
    let mut analysis = analyse(snapshot, &requirement);
    // The same settings as TW-CW-007 (CIS 4.7), so the two always agree.
    if settings.accept_eventbridge {
        analysis.accept_event_rules(snapshot, &requirement);
    }
    let mut findings = analysis.findings();
    if settings.strict_cis
        && let Some(control) = cis_control("4.7")
    {
        findings.extend(analysis.cis_text_findings(control, &settings.cis_version));
    }
    Ok(findings)
}
