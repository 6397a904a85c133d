//! The reason codes the chain analysis reports, as constants.
//!
//! A reason code is the stable SCREAMING_SNAKE word of a [`Finding`](crate::Finding): users
//! suppress and baseline by it, and SARIF carries it, so it never changes once published. Rules
//! that report the same situation (a section that was not collected, a trail that is not logging)
//! use the same constant, and code that branches on a reason compares with a constant: a typo is
//! then a compile error instead of a branch that is never taken.
//!
//! Each constant says when it is reported. Codes specific to one rule pack live in that pack.

// Sections of the snapshot that were not collected: the answer is "could not verify".

/// The snapshot lists no enabled region, so nothing can be verified.
pub const NO_REGIONS: &str = "NO_REGIONS";
/// The trails of a region could not be read.
pub const TRAILS_NOT_COLLECTED: &str = "TRAILS_NOT_COLLECTED";
/// The log groups of the account could not be read, so a trail's delivery group is unknown.
pub const LOG_GROUPS_NOT_COLLECTED: &str = "LOG_GROUPS_NOT_COLLECTED";
/// A trail delivers to a log group in a region the snapshot did not collect.
pub const LOG_GROUP_REGION_NOT_COLLECTED: &str = "LOG_GROUP_REGION_NOT_COLLECTED";
/// The metric filters of a log group could not be read.
pub const METRIC_FILTERS_NOT_COLLECTED: &str = "METRIC_FILTERS_NOT_COLLECTED";
/// The metric alarms of a region could not be read.
pub const ALARMS_NOT_COLLECTED: &str = "ALARMS_NOT_COLLECTED";

// Link 1: a trail records the event.

/// No CloudTrail trail exists, so no event is recorded.
pub const NO_TRAIL: &str = "NO_TRAIL";
/// Several trails exist and each misses the event, for different reasons.
pub const NO_TRAIL_RECORDS_EVENT: &str = "NO_TRAIL_RECORDS_EVENT";
/// The only trail is single-region, in another region than the event.
pub const TRAIL_NOT_IN_REGION: &str = "TRAIL_NOT_IN_REGION";
/// The trail exists but is not logging.
pub const TRAIL_NOT_LOGGING: &str = "TRAIL_NOT_LOGGING";
/// The trail's event selectors leave the event out.
pub const TRAIL_DROPS_EVENT: &str = "TRAIL_DROPS_EVENT";
/// The trail belongs to another account (an organization trail), so it can be checked only
/// there.
pub const TRAIL_OWNED_ELSEWHERE: &str = "TRAIL_OWNED_ELSEWHERE";
/// Whether the trail records the event could not be read (status or selectors missing).
pub const TRAIL_STATE_UNKNOWN: &str = "TRAIL_STATE_UNKNOWN";

// Link 2: the trail delivers to a log group.

/// The trail delivers to no CloudWatch Logs log group.
pub const TRAIL_NO_LOG_GROUP: &str = "TRAIL_NO_LOG_GROUP";
/// The trail's log group ARN cannot be read.
pub const TRAIL_LOG_GROUP_INVALID: &str = "TRAIL_LOG_GROUP_INVALID";
/// The trail delivers to a log group in another account, which cannot be checked here.
pub const LOG_GROUP_OTHER_ACCOUNT: &str = "LOG_GROUP_OTHER_ACCOUNT";
/// The log group the trail delivers to does not exist.
pub const LOG_GROUP_MISSING: &str = "LOG_GROUP_MISSING";
/// The log group is of the Infrequent Access class, which supports no metric filters.
pub const LOG_GROUP_INFREQUENT_ACCESS: &str = "LOG_GROUP_INFREQUENT_ACCESS";

// Link 2, continued: a CloudWatch Logs centralization rule copies the log group's events into
// a destination account (`chain::centralized`).

/// The centralization rule that selects the log group is unhealthy, so nothing is copied.
pub const CENTRALIZATION_RULE_UNHEALTHY: &str = "CENTRALIZATION_RULE_UNHEALTHY";
/// Whether or where a centralization rule copies the log group cannot be told (the rule is
/// provisioning, or names organizational units or a name variable this run does not read).
pub const CENTRALIZATION_RULE_UNKNOWN: &str = "CENTRALIZATION_RULE_UNKNOWN";
/// The rule selects the log group but skips it: encrypted with a customer managed key under
/// `EncryptedLogGroupStrategy` `SKIP`.
pub const CENTRALIZATION_SKIPS_ENCRYPTED: &str = "CENTRALIZATION_SKIPS_ENCRYPTED";
/// The rule copies the log group into an account this run did not read.
pub const CENTRALIZED_ACCOUNT_NOT_COLLECTED: &str = "CENTRALIZED_ACCOUNT_NOT_COLLECTED";
/// The destination log group does not exist in the destination account and region.
pub const CENTRALIZED_LOG_GROUP_MISSING: &str = "CENTRALIZED_LOG_GROUP_MISSING";

// Link 3: a metric filter matches the event and publishes a datapoint.

/// The log group has no metric filter at all.
pub const NO_METRIC_FILTER: &str = "NO_METRIC_FILTER";
/// A filter's pattern is one CloudWatch Logs would reject.
pub const FILTER_PATTERN_INVALID: &str = "FILTER_PATTERN_INVALID";
/// No filter's pattern matches the event.
pub const FILTER_DOES_NOT_MATCH: &str = "FILTER_DOES_NOT_MATCH";
/// A filter's field selection criteria cannot be read.
pub const FILTER_SELECTION_INVALID: &str = "FILTER_SELECTION_INVALID";
/// A filter's field selection criteria exclude the event's region or account.
pub const FILTER_SELECTION_EXCLUDES: &str = "FILTER_SELECTION_EXCLUDES";
/// A filter applies to transformed logs, whose shape cannot be verified.
pub const FILTER_ON_TRANSFORMED_LOGS: &str = "FILTER_ON_TRANSFORMED_LOGS";
/// A filter matches but has no metric transformation.
pub const FILTER_EMITS_NO_METRIC: &str = "FILTER_EMITS_NO_METRIC";
/// A filter takes its metric value from a field the event does not carry as a number.
pub const METRIC_VALUE_MISSING: &str = "METRIC_VALUE_MISSING";
/// A filter's metric value cannot be used.
pub const METRIC_VALUE_INVALID: &str = "METRIC_VALUE_INVALID";
/// A filter publishes zero or less for the event, which no count alarm notices.
pub const METRIC_VALUE_NOT_POSITIVE: &str = "METRIC_VALUE_NOT_POSITIVE";
/// A filter declares a dimension from a field the event lacks, so nothing is published.
pub const FILTER_DIMENSION_MISSING: &str = "FILTER_DIMENSION_MISSING";

// Link 4: an alarm watches the metric.

/// No alarm watches the metric the filter publishes.
pub const NO_ALARM: &str = "NO_ALARM";
/// An alarm watches the metric with another dimension set, so it sees no data.
pub const ALARM_DIMENSIONS_MISMATCH: &str = "ALARM_DIMENSIONS_MISMATCH";
/// An alarm watches the metric name in another namespace, so it sees no data.
pub const ALARM_NAMESPACE_MISMATCH: &str = "ALARM_NAMESPACE_MISMATCH";
/// An alarm uses the metric in a metric-math expression that cannot be verified.
pub const ALARM_EXPRESSION_UNVERIFIABLE: &str = "ALARM_EXPRESSION_UNVERIFIABLE";

// Link 5: the alarm fires as the requirement needs.

/// A single-event alarm compares against an anomaly band, which one event need not cross.
pub const ALARM_ANOMALY_BAND: &str = "ALARM_ANOMALY_BAND";
/// The alarm needs several breaching periods, so one event never fires it.
pub const ALARM_NEEDS_SEVERAL_PERIODS: &str = "ALARM_NEEDS_SEVERAL_PERIODS";
/// The alarm has no (finite) static threshold to judge.
pub const ALARM_THRESHOLD_UNKNOWN: &str = "ALARM_THRESHOLD_UNKNOWN";
/// The alarm's comparison operator cannot be judged for one event.
pub const ALARM_OPERATOR_UNSUPPORTED: &str = "ALARM_OPERATOR_UNSUPPORTED";
/// The value one event yields never crosses the alarm's threshold.
pub const ALARM_CANNOT_FIRE: &str = "ALARM_CANNOT_FIRE";
/// A volume alarm uses a statistic that does not count events.
pub const ALARM_STATISTIC_NOT_COUNT: &str = "ALARM_STATISTIC_NOT_COUNT";
/// A volume alarm fires on a low value, so a burst never raises it.
pub const ALARM_WRONG_DIRECTION: &str = "ALARM_WRONG_DIRECTION";
/// A failures requirement's volume alarm is fed by a filter that also counts successful calls,
/// and `max_failures_to_alarm` failures alone do not fire it: failures drown in traffic.
pub const FAILURES_DROWNED: &str = "FAILURES_DROWNED";
/// A failures requirement's single-event alarm is fed by a filter that also counts successful
/// calls: ordinary calls keep it in ALARM, and a failure changes no state, so tells nobody.
pub const FILTER_COUNTS_SUCCESSES: &str = "FILTER_COUNTS_SUCCESSES";

// Link 6: someone is told.

/// Whether anyone is told cannot be checked from the snapshot.
pub const NOTIFICATION_UNVERIFIABLE: &str = "NOTIFICATION_UNVERIFIABLE";
/// The alarm's actions are disabled.
pub const ALARM_ACTIONS_DISABLED: &str = "ALARM_ACTIONS_DISABLED";
/// The alarm has no action on entering ALARM.
pub const ALARM_NO_ACTIONS: &str = "ALARM_NO_ACTIONS";
/// An EventBridge rule has no target.
pub const NO_TARGETS: &str = "NO_TARGETS";
/// An action is not an ARN.
pub const ACTION_NOT_AN_ARN: &str = "ACTION_NOT_AN_ARN";
/// An action is an ARN of a kind that notifies nobody (Auto Scaling, EC2, …).
pub const ACTION_NOT_A_NOTIFICATION: &str = "ACTION_NOT_A_NOTIFICATION";
/// The SNS topic the action names does not exist.
pub const TOPIC_MISSING: &str = "TOPIC_MISSING";
/// The SNS topic is encrypted with `alias/aws/sns`, which CloudWatch cannot use.
pub const TOPIC_AWS_MANAGED_KEY: &str = "TOPIC_AWS_MANAGED_KEY";
/// The SNS topic's access policy denies, or does not allow, the publishing service
/// (`cloudwatch.amazonaws.com` for alarms, `events.amazonaws.com` for EventBridge rules)
/// `sns:Publish`.
pub const TOPIC_POLICY_BLOCKS_PUBLISH: &str = "TOPIC_POLICY_BLOCKS_PUBLISH";
/// The SNS topic is encrypted with a customer-managed KMS key whose key policy denies, or does
/// not allow, the publishing service `kms:GenerateDataKey` or `kms:Decrypt`.
pub const TOPIC_KEY_POLICY_BLOCKS_PUBLISH: &str = "TOPIC_KEY_POLICY_BLOCKS_PUBLISH";
/// The SNS topic has no confirmed subscription.
pub const TOPIC_NO_CONFIRMED_SUBSCRIPTION: &str = "TOPIC_NO_CONFIRMED_SUBSCRIPTION";
/// Every confirmed subscription of the topic has a filter policy (or, per its attributes, is
/// still pending) that drops the alarm's notification, per `subscriptionAttributes`.
pub const SUBSCRIPTION_FILTER_DROPS_ALARMS: &str = "SUBSCRIPTION_FILTER_DROPS_ALARMS";
/// Every confirmed subscription of the topic delivers to an SQS queue or Lambda function of the
/// account that no longer exists (or is dropped by a filter policy), per
/// `subscriptionAttributes`.
pub const SUBSCRIPTION_ENDPOINT_MISSING: &str = "SUBSCRIPTION_ENDPOINT_MISSING";
/// SNS recorded failed deliveries and none delivered for the topic in the `topicDeliveries`
/// window: its subscriptions reach nobody.
pub const TOPIC_DELIVERIES_FAILING: &str = "TOPIC_DELIVERIES_FAILING";
/// A warning, not a break: the topic delivered some notifications in the window but SNS also
/// recorded failed ones, so some subscriber is not reached.
pub const TOPIC_DELIVERIES_PARTLY_FAILING: &str = "TOPIC_DELIVERIES_PARTLY_FAILING";

// Log alarms: an alarm on a CloudWatch Logs scheduled query, the alternative to a metric
// filter and metric alarm (see the `log_alarm` module of the chain).

/// The log alarms of a region could not be read, so whether one queries the log group is
/// unknown.
pub const LOG_ALARMS_NOT_COLLECTED: &str = "LOG_ALARMS_NOT_COLLECTED";
/// The log alarm's query leaves the event out (a `filter` condition is false for it).
pub const LOG_ALARM_QUERY_DROPS_EVENT: &str = "LOG_ALARM_QUERY_DROPS_EVENT";
/// The log alarm's query or aggregation uses syntax trailwarden does not evaluate, or its
/// verdict hangs on something the configuration does not tell.
pub const LOG_ALARM_QUERY_UNVERIFIABLE: &str = "LOG_ALARM_QUERY_UNVERIFIABLE";
/// The log alarm's query or aggregation expression is not valid Logs Insights syntax.
pub const LOG_ALARM_QUERY_INVALID: &str = "LOG_ALARM_QUERY_INVALID";
/// The aggregated value of the event does not breach the log alarm's threshold.
pub const LOG_ALARM_CANNOT_FIRE: &str = "LOG_ALARM_CANNOT_FIRE";
/// The log alarm needs more breaching query results (`QueryResultsToAlarm`) than one event
/// gives.
pub const LOG_ALARM_NEEDS_MORE_RESULTS: &str = "LOG_ALARM_NEEDS_MORE_RESULTS";
/// The scheduled query's time range is shorter than its schedule, so events between two
/// ranges are never queried.
pub const LOG_ALARM_WINDOW_GAPS: &str = "LOG_ALARM_WINDOW_GAPS";
/// The log alarm reports `EVALUATION_ERROR`: a configuration error keeps it from evaluating.
pub const LOG_ALARM_EVALUATION_ERROR: &str = "LOG_ALARM_EVALUATION_ERROR";
/// The log alarm's query also passes the failure's successful twin, and a burst of failures
/// alone does not fire it.
pub const LOG_ALARM_COUNTS_SUCCESSES: &str = "LOG_ALARM_COUNTS_SUCCESSES";

// Beyond the chain.

/// The chain works, but the filter's text is not the CIS text, so text-comparing checkers
/// report the control as failed.
pub const PATTERN_NOT_CIS_TEXT: &str = "PATTERN_NOT_CIS_TEXT";
