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
    fix(reason, kind).map(|(property, _)| property)
}

/// The hint in the language the resource is written in: CloudFormation types
/// (`AWS::SNS::Topic`) take [`CLOUDFORMATION`]'s, Terraform types (`aws_sns_topic`)
/// [`TERRAFORM`]'s.
pub fn fix(reason: &str, kind: &str) -> Option<(&'static str, &'static str)> {
    cloudformation(reason, kind).or_else(|| terraform(reason, kind))
}

/// The argument a reason code is about, per Terraform AWS provider resource type, and the
/// change that fixes it, in HCL. `(reason, type, argument, fix)`.
const TERRAFORM: &[(&str, &str, &str, &str)] = &[
    (
        "TRAIL_NOT_MULTI_REGION",
        "aws_cloudtrail",
        "is_multi_region_trail",
        "set `is_multi_region_trail = true`",
    ),
    (
        "TRAIL_NOT_LOGGING",
        "aws_cloudtrail",
        "enable_logging",
        "set `enable_logging = true`",
    ),
    (
        "TRAIL_NO_LOG_GROUP",
        "aws_cloudtrail",
        "cloud_watch_logs_group_arn",
        "set `cloud_watch_logs_group_arn = \"${aws_cloudwatch_log_group.<name>.arn}:*\"` (and `cloud_watch_logs_role_arn`)",
    ),
    (
        "TRAIL_LOG_GROUP_INVALID",
        "aws_cloudtrail",
        "cloud_watch_logs_group_arn",
        "point `cloud_watch_logs_group_arn` at `\"${aws_cloudwatch_log_group.<name>.arn}:*\"`",
    ),
    (
        "TRAIL_DROPS_EVENT",
        "aws_cloudtrail",
        "event_selector",
        "record KMS management events: `include_management_events = true`, `read_write_type = \"All\"` and no `exclude_management_event_sources = [\"kms.amazonaws.com\"]` in `event_selector`",
    ),
    (
        "TRAIL_DROPS_MANAGEMENT_EVENTS",
        "aws_cloudtrail",
        "event_selector",
        "set `include_management_events = true` in `event_selector`",
    ),
    (
        "KMS_EVENTS_NOT_RECORDED",
        "aws_cloudtrail",
        "event_selector",
        "record KMS management events in `event_selector`",
    ),
    (
        "KMS_EVENTS_DROPPED",
        "aws_cloudtrail",
        "event_selector",
        "remove `\"kms.amazonaws.com\"` from `exclude_management_event_sources`",
    ),
    (
        "LOG_FILE_VALIDATION_DISABLED",
        "aws_cloudtrail",
        "enable_log_file_validation",
        "set `enable_log_file_validation = true`",
    ),
    (
        "TRAIL_NOT_ENCRYPTED",
        "aws_cloudtrail",
        "kms_key_id",
        "set `kms_key_id = aws_kms_key.<name>.arn`",
    ),
    (
        "LOG_GROUP_INFREQUENT_ACCESS",
        "aws_cloudwatch_log_group",
        "log_group_class",
        "set `log_group_class = \"STANDARD\"` (Infrequent Access runs no metric filters)",
    ),
    (
        "FILTER_DOES_NOT_MATCH",
        "aws_cloudwatch_log_metric_filter",
        "pattern",
        "change `pattern` so that it matches the KMS events (for CIS: `{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }`)",
    ),
    (
        "FILTER_PATTERN_INVALID",
        "aws_cloudwatch_log_metric_filter",
        "pattern",
        "fix the syntax of `pattern`",
    ),
    (
        "FILTER_COUNTS_SUCCESSES",
        "aws_cloudwatch_log_metric_filter",
        "pattern",
        "change `pattern`",
    ),
    (
        "FILTER_EMITS_NO_METRIC",
        "aws_cloudwatch_log_metric_filter",
        "metric_transformation",
        "add a `metric_transformation` block with `value = \"1\"`",
    ),
    (
        "METRIC_VALUE_INVALID",
        "aws_cloudwatch_log_metric_filter",
        "metric_transformation",
        "set `value = \"1\"` in `metric_transformation`",
    ),
    (
        "METRIC_VALUE_NOT_POSITIVE",
        "aws_cloudwatch_log_metric_filter",
        "metric_transformation",
        "set `value = \"1\"` in `metric_transformation`",
    ),
    (
        "FILTER_DIMENSION_MISSING",
        "aws_cloudwatch_log_metric_filter",
        "metric_transformation",
        "emit the dimensions the alarm watches in `metric_transformation { dimensions = {...} }`",
    ),
    (
        "FILTER_ON_TRANSFORMED_LOGS",
        "aws_cloudwatch_log_metric_filter",
        "apply_on_transformed_logs",
        "set `apply_on_transformed_logs = false`",
    ),
    (
        "ALARM_NAMESPACE_MISMATCH",
        "aws_cloudwatch_metric_alarm",
        "namespace",
        "set `namespace` and `metric_name` to the filter's `metric_transformation` `namespace` and `name`",
    ),
    (
        "ALARM_DIMENSIONS_MISMATCH",
        "aws_cloudwatch_metric_alarm",
        "dimensions",
        "make `dimensions` match the filter's",
    ),
    (
        "ALARM_NO_ACTIONS",
        "aws_cloudwatch_metric_alarm",
        "alarm_actions",
        "set `alarm_actions = [aws_sns_topic.<name>.arn]`",
    ),
    (
        "ALARM_ACTIONS_DISABLED",
        "aws_cloudwatch_metric_alarm",
        "actions_enabled",
        "set `actions_enabled = true`",
    ),
    (
        "ACTION_NOT_AN_ARN",
        "aws_cloudwatch_metric_alarm",
        "alarm_actions",
        "give `alarm_actions` the topic's ARN (`aws_sns_topic.<name>.arn`)",
    ),
    (
        "ACTION_NOT_A_NOTIFICATION",
        "aws_cloudwatch_metric_alarm",
        "alarm_actions",
        "add an SNS topic to `alarm_actions`",
    ),
    (
        "ALARM_STATISTIC_NOT_COUNT",
        "aws_cloudwatch_metric_alarm",
        "statistic",
        "set `statistic = \"Sum\"`",
    ),
    (
        "ALARM_CANNOT_FIRE",
        "aws_cloudwatch_metric_alarm",
        "threshold",
        "set `comparison_operator = \"GreaterThanOrEqualToThreshold\"` and `threshold = 1`",
    ),
    (
        "ALARM_WRONG_DIRECTION",
        "aws_cloudwatch_metric_alarm",
        "comparison_operator",
        "set `comparison_operator = \"GreaterThanOrEqualToThreshold\"`",
    ),
    (
        "ALARM_THRESHOLD_NOT_POSITIVE",
        "aws_cloudwatch_metric_alarm",
        "threshold",
        "set `threshold = 1`",
    ),
    (
        "ALARM_NEEDS_SEVERAL_PERIODS",
        "aws_cloudwatch_metric_alarm",
        "evaluation_periods",
        "set `evaluation_periods = 1` (and `datapoints_to_alarm = 1`)",
    ),
    (
        "TOPIC_NO_CONFIRMED_SUBSCRIPTION",
        "aws_sns_topic",
        "name",
        "add an `aws_sns_topic_subscription` with `topic_arn = aws_sns_topic.<name>.arn` whose owner confirms it",
    ),
    (
        "TOPIC_AWS_MANAGED_KEY",
        "aws_sns_topic",
        "kms_master_key_id",
        "set `kms_master_key_id` to a customer managed key whose policy lets cloudwatch.amazonaws.com use it",
    ),
    (
        "TOPIC_KEY_POLICY_BLOCKS_PUBLISH",
        "aws_sns_topic",
        "kms_master_key_id",
        "let cloudwatch.amazonaws.com use the key of `kms_master_key_id` (kms:Decrypt, kms:GenerateDataKey*) in its `policy`",
    ),
    (
        "TOPIC_POLICY_BLOCKS_PUBLISH",
        "aws_sns_topic_policy",
        "policy",
        "allow cloudwatch.amazonaws.com `sns:Publish` in the `aws_sns_topic_policy`'s `policy`",
    ),
    (
        "EVENT_RULE_DISABLED",
        "aws_cloudwatch_event_rule",
        "state",
        "set `state = \"ENABLED\"`",
    ),
    (
        "EVENT_PATTERN_NO_MATCH",
        "aws_cloudwatch_event_rule",
        "event_pattern",
        "change `event_pattern` to match the KMS events",
    ),
    (
        "EVENT_PATTERN_INVALID",
        "aws_cloudwatch_event_rule",
        "event_pattern",
        "fix the syntax of `event_pattern`",
    ),
    (
        "NO_TARGETS",
        "aws_cloudwatch_event_rule",
        "name",
        "add an `aws_cloudwatch_event_target` with `rule = aws_cloudwatch_event_rule.<name>.name` and an SNS topic `arn`",
    ),
    (
        "KEY_DISABLED",
        "aws_kms_key",
        "is_enabled",
        "set `is_enabled = true`",
    ),
];

/// A hint for a finding of `reason` about a resource of Terraform `kind`.
pub fn terraform(reason: &str, kind: &str) -> Option<(&'static str, &'static str)> {
    TERRAFORM
        .iter()
        .find(|(r, k, _, _)| *r == reason && *k == kind)
        .map(|(_, _, property, fix)| (*property, *fix))
}
