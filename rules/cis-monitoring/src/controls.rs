//! One rule per CIS AWS Foundations monitoring control (v1.4.0 4.1–4.15), each a single-event
//! requirement on the monitoring chain. Written out one function per control so that each
//! rule's documentation is its own and `rules explain` shows it in full.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for unauthorized API calls (`*UnauthorizedOperation` and `AccessDenied*` errors), and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.1 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.2 requires.
///
/// ## Why it matters
/// Bursts of refused calls are how a stolen credential explores what it may do, and how broken automation shows itself.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) || ($.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.eventName!=HeadBucket) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name unauthorized-api-calls \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=UnauthorizedAPICalls,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name unauthorized-api-calls --namespace CISBenchmark \
///   --metric-name UnauthorizedAPICalls --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// UnauthorizedAPICallsFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: UnauthorizedAPICalls, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// UnauthorizedAPICallsAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: UnauthorizedAPICalls
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.1 (v1.2.0 3.1); AWS Security Hub CloudWatch.2
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-001",
    name = "unauthorized-api-calls",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.1", "v1.2.0 3.1", "v3.0.0 4.1"],
    security_hub = ["CloudWatch.2"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn unauthorized_api_calls(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.1")
}

/// A metric filter and alarm exist for console sign-ins without MFA, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.2 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.3 requires.
///
/// ## Why it matters
/// A console session without MFA means a password alone opened the account: a phished or leaked password is enough.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name console-signin-without-mfa \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=ConsoleSigninWithoutMFA,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name console-signin-without-mfa --namespace CISBenchmark \
///   --metric-name ConsoleSigninWithoutMFA --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// ConsoleSigninWithoutMFAFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: ConsoleSigninWithoutMFA, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// ConsoleSigninWithoutMFAAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: ConsoleSigninWithoutMFA
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.2 (v1.2.0 3.2); AWS Security Hub CloudWatch.3
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-002",
    name = "console-signin-without-mfa",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.2", "v1.2.0 3.2", "v3.0.0 4.2"],
    security_hub = ["CloudWatch.3"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn console_signin_without_mfa(
    snapshot: &Snapshot,
    ctx: &Ctx,
) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.2")
}

/// A metric filter and alarm exist for use of the root user, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.3 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.1 requires.
///
/// ## Why it matters
/// The root user cannot be restricted by IAM policies; any use of it outside a break-glass procedure is an incident.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name root-user-usage \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=RootUserUsage,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name root-user-usage --namespace CISBenchmark \
///   --metric-name RootUserUsage --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// RootUserUsageFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: RootUserUsage, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// RootUserUsageAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: RootUserUsage
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.3 (v1.2.0 3.3); AWS Security Hub CloudWatch.1
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-003",
    name = "root-user-usage",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.3", "v1.2.0 3.3", "v3.0.0 4.3"],
    security_hub = ["CloudWatch.1"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn root_user_usage(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.3")
}

/// A metric filter and alarm exist for IAM policy changes, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.4 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.4 requires.
///
/// ## Why it matters
/// A policy change is how access is widened and how persistence is planted.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// {($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name iam-policy-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=IAMPolicyChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name iam-policy-changes --namespace CISBenchmark \
///   --metric-name IAMPolicyChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// IAMPolicyChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: IAMPolicyChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// IAMPolicyChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: IAMPolicyChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.4 (v1.2.0 3.4); AWS Security Hub CloudWatch.4
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-004",
    name = "iam-policy-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.4", "v1.2.0 3.4", "v3.0.0 4.4"],
    security_hub = ["CloudWatch.4"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn iam_policy_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.4")
}

/// A metric filter and alarm exist for CloudTrail configuration changes, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.5 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.5 requires.
///
/// ## Why it matters
/// Stopping or changing a trail blinds every other alarm; it is an attacker's first move.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name cloudtrail-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=CloudTrailChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name cloudtrail-changes --namespace CISBenchmark \
///   --metric-name CloudTrailChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// CloudTrailChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: CloudTrailChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// CloudTrailChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: CloudTrailChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.5 (v1.2.0 3.5); AWS Security Hub CloudWatch.5
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-005",
    name = "cloudtrail-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.5", "v1.2.0 3.5", "v3.0.0 4.5"],
    security_hub = ["CloudWatch.5"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn cloudtrail_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.5")
}

/// A metric filter and alarm exist for console authentication failures, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.6 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.6 requires.
///
/// ## Why it matters
/// Repeated failed console sign-ins are password guessing.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name console-auth-failures \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=ConsoleAuthFailures,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name console-auth-failures --namespace CISBenchmark \
///   --metric-name ConsoleAuthFailures --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// ConsoleAuthFailuresFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: ConsoleAuthFailures, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// ConsoleAuthFailuresAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: ConsoleAuthFailures
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.6 (v1.2.0 3.6); AWS Security Hub CloudWatch.6
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-006",
    name = "console-auth-failures",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.6", "v1.2.0 3.6", "v3.0.0 4.6"],
    security_hub = ["CloudWatch.6"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn console_auth_failures(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.6")
}

/// A metric filter and alarm exist for disabling or scheduled deletion of customer-managed KMS keys, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.7 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
/// The requirement is shared with TW-KMS-001 (it includes refused attempts, which the CIS
/// pattern matches too).
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.7 requires.
///
/// ## Why it matters
/// Data encrypted under a disabled key cannot be read, and after the deletion window it is gone for good.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// {($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name kms-key-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=KMSKeyChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name kms-key-changes --namespace CISBenchmark \
///   --metric-name KMSKeyChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// KMSKeyChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: KMSKeyChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// KMSKeyChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: KMSKeyChanges
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
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-007",
    name = "kms-key-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.7", "v1.2.0 3.7", "v3.0.0 4.7"],
    security_hub = ["CloudWatch.7"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn kms_key_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.7")
}

/// A metric filter and alarm exist for S3 bucket policy changes, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.8 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.8 requires.
///
/// ## Why it matters
/// A changed bucket policy or ACL can expose data publicly or to another account.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name s3-bucket-policy-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=S3BucketPolicyChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name s3-bucket-policy-changes --namespace CISBenchmark \
///   --metric-name S3BucketPolicyChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// S3BucketPolicyChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: S3BucketPolicyChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// S3BucketPolicyChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: S3BucketPolicyChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.8 (v1.2.0 3.8); AWS Security Hub CloudWatch.8
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-008",
    name = "s3-bucket-policy-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.8", "v1.2.0 3.8", "v3.0.0 4.8"],
    security_hub = ["CloudWatch.8"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn s3_bucket_policy_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.8")
}

/// A metric filter and alarm exist for AWS Config configuration changes, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.9 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.9 requires.
///
/// ## Why it matters
/// Stopping the recorder or deleting the delivery channel ends configuration history and compliance evaluation.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name config-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=AWSConfigChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name config-changes --namespace CISBenchmark \
///   --metric-name AWSConfigChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// AWSConfigChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: AWSConfigChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// AWSConfigChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: AWSConfigChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.9 (v1.2.0 3.9); AWS Security Hub CloudWatch.9
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-009",
    name = "config-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.9", "v1.2.0 3.9", "v3.0.0 4.9"],
    security_hub = ["CloudWatch.9"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn config_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.9")
}

/// A metric filter and alarm exist for security group changes, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.10 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.10 requires.
///
/// ## Why it matters
/// A new ingress rule can open a workload to the internet.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name security-group-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=SecurityGroupChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name security-group-changes --namespace CISBenchmark \
///   --metric-name SecurityGroupChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// SecurityGroupChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: SecurityGroupChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// SecurityGroupChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: SecurityGroupChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.10 (v1.2.0 3.10); AWS Security Hub CloudWatch.10
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-010",
    name = "security-group-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.10", "v1.2.0 3.10", "v3.0.0 4.10"],
    security_hub = ["CloudWatch.10"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn security_group_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.10")
}

/// A metric filter and alarm exist for network ACL changes, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.11 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.11 requires.
///
/// ## Why it matters
/// NACL changes open or close whole subnets at once.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name nacl-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=NACLChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name nacl-changes --namespace CISBenchmark \
///   --metric-name NACLChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// NACLChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: NACLChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// NACLChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: NACLChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.11 (v1.2.0 3.11); AWS Security Hub CloudWatch.11
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-011",
    name = "nacl-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.11", "v1.2.0 3.11", "v3.0.0 4.11"],
    security_hub = ["CloudWatch.11"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn nacl_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.11")
}

/// A metric filter and alarm exist for network gateway changes, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.12 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.12 requires.
///
/// ## Why it matters
/// A new internet or customer gateway changes what can reach the VPC and where traffic can leave.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name network-gateway-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=NetworkGatewayChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name network-gateway-changes --namespace CISBenchmark \
///   --metric-name NetworkGatewayChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// NetworkGatewayChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: NetworkGatewayChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// NetworkGatewayChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: NetworkGatewayChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.12 (v1.2.0 3.12); AWS Security Hub CloudWatch.12
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-012",
    name = "network-gateway-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.12", "v1.2.0 3.12", "v3.0.0 4.12"],
    security_hub = ["CloudWatch.12"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn network_gateway_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.12")
}

/// A metric filter and alarm exist for route table changes, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.13 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.13 requires.
///
/// ## Why it matters
/// A changed route can send traffic out of the VPC or through a path someone else controls.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name route-table-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=RouteTableChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name route-table-changes --namespace CISBenchmark \
///   --metric-name RouteTableChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// RouteTableChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: RouteTableChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// RouteTableChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: RouteTableChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.13 (v1.2.0 3.13); AWS Security Hub CloudWatch.13
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-013",
    name = "route-table-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.13", "v1.2.0 3.13", "v3.0.0 4.13"],
    security_hub = ["CloudWatch.13"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn route_table_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.13")
}

/// A metric filter and alarm exist for VPC changes, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.14 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text, which Security Hub CloudWatch.14 requires.
///
/// ## Why it matters
/// Peering and VPC changes connect networks that were meant to stay apart.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name vpc-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=VPCChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name vpc-changes --namespace CISBenchmark \
///   --metric-name VPCChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// VPCChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: VPCChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// VPCChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: VPCChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.14 (v1.2.0 3.14); AWS Security Hub CloudWatch.14
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-014",
    name = "vpc-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.14", "v1.2.0 3.14", "v3.0.0 4.14"],
    security_hub = ["CloudWatch.14"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn vpc_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.14")
}

/// A metric filter and alarm exist for AWS Organizations changes, and one such event reaches someone in every
/// enabled region.
///
/// ## What it checks
/// Realistic CloudTrail records of the events CIS 4.15 exists to catch, logged in each
/// enabled region, must each travel the whole chain: a logging trail that captures them, its
/// log group (by ARN), a metric filter there whose pattern **matches the records** under the
/// CloudWatch Logs semantics (not a text comparison), an alarm on exactly the emitted metric
/// that one event fires, and an action that tells someone. A failing finding names the event
/// and the link that broke.
///
/// Setting `strict_cis`: also report (as a note) when the chain works but no covering filter is
/// the CIS text.
///
/// ## Why it matters
/// Organizations changes move accounts and rewrite service control policies, the guardrails of every account.
///
/// ## Example
/// Passing: the CIS pattern below, or any pattern with the same meaning (reordered terms,
/// quoted or bare values), with an alarm `Sum >= 1` over one 300 s period and a subscribed SNS
/// topic. Failing: a pattern that leaves out one of the events, or an alarm that needs more
/// than one event.
///
/// CIS pattern:
/// ```text
/// { ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }
/// ```
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name organizations-changes \
///   --filter-pattern '<the CIS pattern above>' \
///   --metric-transformations metricName=OrganizationsChanges,metricNamespace=CISBenchmark,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name organizations-changes --namespace CISBenchmark \
///   --metric-name OrganizationsChanges --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
/// CloudFormation:
/// ```yaml
/// OrganizationsChangesFilter:
///   Type: AWS::Logs::MetricFilter
///   Properties:
///     LogGroupName: !Ref TrailLogGroup
///     FilterPattern: '<the CIS pattern above>'
///     MetricTransformations:
///       - {MetricName: OrganizationsChanges, MetricNamespace: CISBenchmark, MetricValue: "1"}
/// OrganizationsChangesAlarm:
///   Type: AWS::CloudWatch::Alarm
///   Properties:
///     Namespace: CISBenchmark
///     MetricName: OrganizationsChanges
///     Statistic: Sum
///     Period: 300
///     EvaluationPeriods: 1
///     Threshold: 1
///     ComparisonOperator: GreaterThanOrEqualToThreshold
///     AlarmActions: [!Ref SecurityAlertsTopic]
/// ```
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.15; no Security Hub control
/// - <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
#[rule(
    id = "TW-CW-015",
    name = "organizations-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = ["v1.4.0 4.15", "v3.0.0 4.15"],
    security_hub = [],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = CisSettings
)]
pub fn organizations_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.15")
}
