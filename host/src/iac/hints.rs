//! Fixes in the reader's language: for a finding about a resource defined in infrastructure
//! code, the property to set, in that code's syntax. Keyed by the finding's reason code and
//! the resource's type; a reason without an entry gets no hint rather than a guess.

/// The property a reason code is about, per resource type, and the change that fixes it, for
/// CloudFormation. `(reason, kind, property, fix)`.
const CLOUDFORMATION: &[(&str, &str, &str, &str)] = &[
    (
        "TRAIL_NOT_MULTI_REGION",
        "AWS::CloudTrail::Trail",
        "IsMultiRegionTrail",
        "set `IsMultiRegionTrail: true`",
    ),
    (
        "TRAIL_NOT_LOGGING",
        "AWS::CloudTrail::Trail",
        "IsLogging",
        "set `IsLogging: true`",
    ),
    (
        "TRAIL_NO_LOG_GROUP",
        "AWS::CloudTrail::Trail",
        "CloudWatchLogsLogGroupArn",
        "set `CloudWatchLogsLogGroupArn: !GetAtt <LogGroup>.Arn` (and `CloudWatchLogsRoleArn`)",
    ),
    (
        "TRAIL_LOG_GROUP_INVALID",
        "AWS::CloudTrail::Trail",
        "CloudWatchLogsLogGroupArn",
        "point `CloudWatchLogsLogGroupArn` at `!GetAtt <LogGroup>.Arn`",
    ),
    (
        "TRAIL_DROPS_EVENT",
        "AWS::CloudTrail::Trail",
        "EventSelectors",
        "record KMS management events: `IncludeManagementEvents: true`, `ReadWriteType: All` and no `ExcludeManagementEventSources: [kms.amazonaws.com]` in `EventSelectors`",
    ),
    (
        "TRAIL_DROPS_MANAGEMENT_EVENTS",
        "AWS::CloudTrail::Trail",
        "EventSelectors",
        "set `IncludeManagementEvents: true` in `EventSelectors`",
    ),
    (
        "KMS_EVENTS_NOT_RECORDED",
        "AWS::CloudTrail::Trail",
        "EventSelectors",
        "record KMS management events in `EventSelectors`",
    ),
    (
        "KMS_EVENTS_DROPPED",
        "AWS::CloudTrail::Trail",
        "EventSelectors",
        "remove `kms.amazonaws.com` from `ExcludeManagementEventSources`",
    ),
    (
        "LOG_FILE_VALIDATION_DISABLED",
        "AWS::CloudTrail::Trail",
        "EnableLogFileValidation",
        "set `EnableLogFileValidation: true`",
    ),
    (
        "TRAIL_NOT_ENCRYPTED",
        "AWS::CloudTrail::Trail",
        "KMSKeyId",
        "set `KMSKeyId: !Ref <Key>`",
    ),
    (
        "LOG_GROUP_INFREQUENT_ACCESS",
        "AWS::Logs::LogGroup",
        "LogGroupClass",
        "set `LogGroupClass: STANDARD` (Infrequent Access runs no metric filters)",
    ),
    (
        "FILTER_DOES_NOT_MATCH",
        "AWS::Logs::MetricFilter",
        "FilterPattern",
        "change `FilterPattern` so that it matches the KMS events (for CIS: `{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }`)",
    ),
    (
        "FILTER_PATTERN_INVALID",
        "AWS::Logs::MetricFilter",
        "FilterPattern",
        "fix the syntax of `FilterPattern`",
    ),
    (
        "FILTER_COUNTS_SUCCESSES",
        "AWS::Logs::MetricFilter",
        "FilterPattern",
        "change `FilterPattern`",
    ),
    (
        "FILTER_EMITS_NO_METRIC",
        "AWS::Logs::MetricFilter",
        "MetricTransformations",
        "add a `MetricTransformations` entry with `MetricValue: \"1\"`",
    ),
    (
        "METRIC_VALUE_INVALID",
        "AWS::Logs::MetricFilter",
        "MetricTransformations",
        "set `MetricValue: \"1\"` in `MetricTransformations`",
    ),
    (
        "METRIC_VALUE_NOT_POSITIVE",
        "AWS::Logs::MetricFilter",
        "MetricTransformations",
        "set `MetricValue: \"1\"` in `MetricTransformations`",
    ),
    (
        "FILTER_DIMENSION_MISSING",
        "AWS::Logs::MetricFilter",
        "MetricTransformations",
        "emit the dimensions the alarm watches in `MetricTransformations[].Dimensions`",
    ),
    (
        "FILTER_ON_TRANSFORMED_LOGS",
        "AWS::Logs::MetricFilter",
        "ApplyOnTransformedLogs",
        "set `ApplyOnTransformedLogs: false`",
    ),
    (
        "ALARM_NAMESPACE_MISMATCH",
        "AWS::CloudWatch::Alarm",
        "Namespace",
        "set `Namespace` and `MetricName` to the filter's `MetricNamespace` and `MetricName`",
    ),
    (
        "ALARM_DIMENSIONS_MISMATCH",
        "AWS::CloudWatch::Alarm",
        "Dimensions",
        "make `Dimensions` match the filter's",
    ),
    (
        "ALARM_NO_ACTIONS",
        "AWS::CloudWatch::Alarm",
        "AlarmActions",
        "set `AlarmActions: [!Ref <Topic>]`",
    ),
    (
        "ALARM_ACTIONS_DISABLED",
        "AWS::CloudWatch::Alarm",
        "ActionsEnabled",
        "set `ActionsEnabled: true`",
    ),
    (
        "ACTION_NOT_AN_ARN",
        "AWS::CloudWatch::Alarm",
        "AlarmActions",
        "give `AlarmActions` the topic's ARN (`!Ref <Topic>`)",
    ),
    (
        "ACTION_NOT_A_NOTIFICATION",
        "AWS::CloudWatch::Alarm",
        "AlarmActions",
        "add an SNS topic to `AlarmActions`",
    ),
    (
        "ALARM_STATISTIC_NOT_COUNT",
        "AWS::CloudWatch::Alarm",
        "Statistic",
        "set `Statistic: Sum`",
    ),
    (
        "ALARM_CANNOT_FIRE",
        "AWS::CloudWatch::Alarm",
        "Threshold",
        "set `ComparisonOperator: GreaterThanOrEqualToThreshold` and `Threshold: 1`",
    ),
    (
        "ALARM_WRONG_DIRECTION",
        "AWS::CloudWatch::Alarm",
        "ComparisonOperator",
        "set `ComparisonOperator: GreaterThanOrEqualToThreshold`",
    ),
    (
        "ALARM_THRESHOLD_NOT_POSITIVE",
        "AWS::CloudWatch::Alarm",
        "Threshold",
        "set `Threshold: 1`",
    ),
    (
        "ALARM_NEEDS_SEVERAL_PERIODS",
        "AWS::CloudWatch::Alarm",
        "EvaluationPeriods",
        "set `EvaluationPeriods: 1` (and `DatapointsToAlarm: 1`)",
    ),
    (
        "TOPIC_NO_CONFIRMED_SUBSCRIPTION",
        "AWS::SNS::Topic",
        "Subscription",
        "add a `Subscription` (or an `AWS::SNS::Subscription`) whose owner confirms it",
    ),
    (
        "TOPIC_AWS_MANAGED_KEY",
        "AWS::SNS::Topic",
        "KmsMasterKeyId",
        "set `KmsMasterKeyId` to a customer managed key whose policy lets cloudwatch.amazonaws.com use it",
    ),
    (
        "TOPIC_KEY_POLICY_BLOCKS_PUBLISH",
        "AWS::SNS::Topic",
        "KmsMasterKeyId",
        "let cloudwatch.amazonaws.com use the key of `KmsMasterKeyId` (kms:Decrypt, kms:GenerateDataKey*) in its `KeyPolicy`",
    ),
    (
        "TOPIC_POLICY_BLOCKS_PUBLISH",
        "AWS::SNS::TopicPolicy",
        "PolicyDocument",
        "allow cloudwatch.amazonaws.com `sns:Publish` in the `AWS::SNS::TopicPolicy`",
    ),
    (
        "EVENT_RULE_DISABLED",
        "AWS::Events::Rule",
        "State",
        "set `State: ENABLED`",
    ),
    (
        "EVENT_PATTERN_NO_MATCH",
        "AWS::Events::Rule",
        "EventPattern",
        "change `EventPattern` to match the KMS events",
    ),
    (
        "EVENT_PATTERN_INVALID",
        "AWS::Events::Rule",
        "EventPattern",
        "fix the syntax of `EventPattern`",
    ),
    (
        "NO_TARGETS",
        "AWS::Events::Rule",
        "Targets",
        "add `Targets` with an SNS topic",
    ),
    (
        "KEY_DISABLED",
        "AWS::KMS::Key",
        "Enabled",
        "set `Enabled: true`",
    ),
];

/// A hint for a finding of `reason` about a resource of `kind` defined in CloudFormation:
/// the property it concerns and the change to make.
pub fn cloudformation(reason: &str, kind: &str) -> Option<(&'static str, &'static str)> {
    CLOUDFORMATION
        .iter()
        .find(|(r, k, _, _)| *r == reason && *k == kind)
        .map(|(_, _, property, fix)| (*property, *fix))
}

/// The property a finding of `reason` is about, whatever the resource type, for placing a
/// result on the property's line.
pub fn property(reason: &str, kind: &str) -> Option<&'static str> {
    cloudformation(reason, kind).map(|(property, _)| property)
}
