//! One rule per CIS AWS Foundations monitoring control (v1.4.0 4.1–4.15), one file each. Every
//! control is the same single-event requirement on the monitoring chain, so the help sections
//! they share are written once, in the macros below, and each rule's doc comment puts them
//! together with what is its own (the events, why they matter, the CIS pattern, the names in
//! the fix). `#[rule]` takes a `#[doc = macro!(…)]` line like a `///` line, so `rules explain`
//! shows every rule's help in full.

/// `## What it checks` for CIS control `$control`: the chain its events must travel.
macro_rules! what_it_checks {
    ($control:literal) => {
        concat!(
            "## What it checks
Realistic CloudTrail records of the events CIS ",
            $control,
            " exists to catch, logged in each
enabled region, must each travel the whole chain: a logging trail that captures them, its
log group (by ARN), a metric filter there whose pattern **matches the records** under the
CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
that one event fires, and an action that tells someone: an SNS topic with a confirmed
subscription whose access policy, and whose customer-managed KMS key's policy when it is
encrypted, let `cloudwatch.amazonaws.com` publish (`TOPIC_POLICY_BLOCKS_PUBLISH`,
`TOPIC_KEY_POLICY_BLOCKS_PUBLISH`). When `topicDeliveries` was collected, a topic whose
notifications all failed in the last 24 hours (`AWS/SNS` `NumberOfNotificationsFailed` above
zero, `NumberOfNotificationsDelivered` zero) tells nobody (`TOPIC_DELIVERIES_FAILING`), and
one where only some failed gets a warning (`TOPIC_DELIVERIES_PARTLY_FAILING`). When
`subscriptionAttributes` was collected, a subscription whose filter policy drops CloudWatch
alarm notifications (they carry no message attributes; a `MessageBody` policy is matched
against the notification) does not count, and a topic whose every confirmed subscription
drops them tells nobody (`SUBSCRIPTION_FILTER_DROPS_ALARMS`; \"Amazon SNS message filtering\"
in the SNS developer guide), and a subscription to an SQS queue or Lambda function of the
account that no longer exists does not count (`SUBSCRIPTION_ENDPOINT_MISSING`). Otherwise a
confirmed subscription is assumed to deliver. The alarm may also be on a Metrics Insights
query that selects the metric (see TW-KMS-001). A failing finding names the event and the link that broke."
        )
    };
}

/// The `strict_cis` setting, naming the Security Hub control that compares the text, if any.
macro_rules! strict_cis {
    () => {
        strict_cis!(@ "")
    };
    ($security_hub:literal) => {
        strict_cis!(@ concat!(", which Security Hub ", $security_hub, " requires"))
    };
    (@ $requirement:expr) => {
        concat!(
            "Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
the CIS text",
            $requirement,
            ".

Setting `accept_eventbridge` (default off, so the CIS text stays the default): also accept,
per event and region, an enabled EventBridge rule on the default bus whose pattern matches the
event EventBridge builds from the record, in a state that delivers it, with a target that
reaches a subscribed SNS topic, as CIS v4.0.0 allows (prowler-cloud/prowler#831). Events of
global services (IAM, Sign-In, Organizations) reach the bus of us-east-1 only."
        )
    };
}

/// `## Example`: what passes and what fails, and the CIS pattern `$pattern`.
macro_rules! example {
    ($pattern:literal) => {
        concat!(
            "## Example
Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
than one event.

CIS pattern:
```text
",
            $pattern,
            "
```"
        )
    };
}

/// `## How to fix`: the CLI calls and the CloudFormation for a filter and an alarm named
/// `$name` that count the CIS pattern's events as metric `$metric`.
macro_rules! how_to_fix {
    ($name:literal, $metric:literal) => {
        concat!(
            r"## How to fix
```sh
aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name ",
            $name,
            r" \
  --filter-pattern '<the CIS pattern above>' \
  --metric-transformations metricName=",
            $metric,
            r",metricNamespace=CISBenchmark,metricValue=1
aws cloudwatch put-metric-alarm --alarm-name ",
            $name,
            r" --namespace CISBenchmark \
  --metric-name ",
            $metric,
            r" --statistic Sum --period 300 --evaluation-periods 1 \
  --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
  --alarm-actions arn:aws:sns:<region>:<account>:<topic>
```
CloudFormation:
```yaml
",
            $metric,
            r"Filter:
  Type: AWS::Logs::MetricFilter
  Properties:
    LogGroupName: !Ref TrailLogGroup
    FilterPattern: '<the CIS pattern above>'
    MetricTransformations:
      - {MetricName: ",
            $metric,
            r#", MetricNamespace: CISBenchmark, MetricValue: "1"}
"#,
            $metric,
            r"Alarm:
  Type: AWS::CloudWatch::Alarm
  Properties:
    Namespace: CISBenchmark
    MetricName: ",
            $metric,
            r"
    Statistic: Sum
    Period: 300
    EvaluationPeriods: 1
    Threshold: 1
    ComparisonOperator: GreaterThanOrEqualToThreshold
    AlarmActions: [!Ref SecurityAlertsTopic]
```"
        )
    };
}

/// The references every control shares, after its own CIS and Security Hub line.
macro_rules! references {
    () => {
        "- <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
- <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
- <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarms.html>
- <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>"
    };
}

mod cloudtrail_changes;
mod config_changes;
mod console_auth_failures;
mod console_signin_without_mfa;
mod iam_policy_changes;
mod kms_key_changes;
mod nacl_changes;
mod network_gateway_changes;
mod organizations_changes;
mod root_user_usage;
mod route_table_changes;
mod s3_bucket_policy_changes;
mod security_group_changes;
mod unauthorized_api_calls;
mod vpc_changes;

pub use self::{
    cloudtrail_changes::*, config_changes::*, console_auth_failures::*,
    console_signin_without_mfa::*, iam_policy_changes::*, kms_key_changes::*, nacl_changes::*,
    network_gateway_changes::*, organizations_changes::*, root_user_usage::*,
    route_table_changes::*, s3_bucket_policy_changes::*, security_group_changes::*,
    unauthorized_api_calls::*, vpc_changes::*,
};
