//! Log alarms as a link of the chain: an alarm on a CloudWatch Logs scheduled query stands in
//! for the metric filter, metric and metric alarm.
//!
//! "Unlike metric alarms, which require a metric filter as an intermediate step, log alarms
//! evaluate log data directly using the same Logs Insights query language" ("Log alarms",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-log.html>). How one
//! event delivered to the trail's log group fires such an alarm, as read from that page and
//! from PutLogAlarm
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutLogAlarm.html>):
//!
//! 1. The alarm queries the log group: `LogGroupIdentifiers` names it, by name (the alarm's
//!    own account and region) or by ARN (any account: "Use the ARN form when querying log
//!    groups in a different account").
//! 2. The query returns the event ([`LogsQuery::passes`]).
//! 3. Each run of the scheduled query covers `[run − StartTimeOffset, run − EndTimeOffset]`
//!    and runs at the `rate(…)` of `ScheduleExpression`. When that range is shorter than the
//!    schedule, events that land between two ranges are never queried; when it is longer,
//!    an event falls in `⌊range / rate⌋` consecutive runs at least. Without `StartTimeOffset`
//!    the range is taken to be one schedule interval (an assumption: the API reference gives
//!    no default), and a schedule other than `rate(…)` leaves the count unknown.
//! 4. "Each scheduled query execution returns one or more aggregated values determined by the
//!    `AggregationExpression`, and each aggregated value is compared against the alarm
//!    `Threshold`": one matching event makes `count(*)` 1 in its group.
//! 5. "if `QueryResultsToAlarm` out of the most recent `QueryResultsToEvaluate` query results
//!    breach the threshold, the alarm transitions to `ALARM`": one event breaches the runs it
//!    falls in, so M must not exceed that number.
//! 6. `EvaluationState` `EVALUATION_ERROR` "indicates configuration errors in the alarm setup",
//!    so the alarm does not evaluate at all
//!    (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_LogAlarm.html>).
//! 7. `TreatMissingData` `breaching`: whether a run that returns no row is missing data or a
//!    zero count is not documented. If it is missing, the alarm sits in `ALARM` through quiet
//!    periods and an event changes no state ("actions happen only on state transitions",
//!    <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html>), so
//!    that setting is "could not verify". The other settings do not keep the alarm from firing.
//!
//! Whom it tells follows the alarm's `AlarmActions` exactly as for a metric alarm, or, when
//! they reach nobody, a composite alarm whose rule follows it (`ALARM("name")` as a branch of
//! its outermost `OR`): an alarm rule references "other alarms" by name or ARN
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html>).

use serde_json::Value;

use super::logs_query::{AggregationExpression, LogsQuery, LogsQueryError, Truth};
use super::reason;
use super::{AlarmMode, Failures};
use crate::finding::Resource;
use crate::snapshot::{ComparisonOperator, LogAlarm, LogGroup, TreatMissingData};

/// The CloudFormation type of a log alarm.
pub const LOG_ALARM_KIND: &str = "AWS::CloudWatch::LogAlarm";

/// A log alarm as a finding resource.
pub fn log_alarm_resource(alarm: &LogAlarm) -> Resource {
    Resource::new(LOG_ALARM_KIND, &alarm.alarm_arn, &alarm.alarm_name).with_role("log alarm")
}

/// Whether `alarm`, in `account`, queries `group`.
pub fn queries(alarm: &LogAlarm, account: &str, group: &LogGroup, group_account: &str) -> bool {
    let bare_arn = group.arn.strip_suffix(":*").unwrap_or(&group.arn);
    alarm.log_group_identifiers.iter().any(|identifier| {
        let identifier = identifier.strip_suffix(":*").unwrap_or(identifier);
        identifier == bare_arn
            || (account == group_account
                && identifier == group.log_group_name
                && alarm_region(alarm) == group_region(group))
    })
}

fn alarm_region(alarm: &LogAlarm) -> Option<&str> {
    crate::arn::Arn::parse(&alarm.alarm_arn).map(|arn| arn.region)
}

fn group_region(group: &LogGroup) -> Option<&str> {
    crate::arn::Arn::parse(&group.arn).map(|arn| arn.region)
}

/// Why a log alarm does not fire for the event, with the same shape as a metric alarm's.
#[derive(Debug, Clone, PartialEq)]
pub struct LogAlarmMiss {
    /// Reason code.
    pub reason: &'static str,
    /// The rest of a sentence that starts with "log alarm `x` (region) ".
    pub why: String,
    /// True when it cannot be decided.
    pub unverifiable: bool,
    /// True when the query drops the event (the filter's link), false when the alarm
    /// condition does (the firing link).
    pub at_query: bool,
}

fn miss(reason: &'static str, why: String) -> LogAlarmMiss {
    LogAlarmMiss {
        reason,
        why,
        unverifiable: false,
        at_query: false,
    }
}

fn unknown(why: String) -> LogAlarmMiss {
    LogAlarmMiss {
        reason: reason::LOG_ALARM_QUERY_UNVERIFIABLE,
        why,
        unverifiable: true,
        at_query: false,
    }
}

fn syntax(what: &str, error: LogsQueryError) -> LogAlarmMiss {
    match error {
        LogsQueryError::Syntax(_) => LogAlarmMiss {
            reason: reason::LOG_ALARM_QUERY_INVALID,
            why: format!("has {what} trailwarden cannot read: {error}"),
            // AWS validates the query when the alarm is created, so a failure to parse is
            // more likely this reading's gap than a broken alarm.
            unverifiable: true,
            at_query: true,
        },
        LogsQueryError::Unsupported(_) => LogAlarmMiss {
            at_query: true,
            ..unknown(format!("has {what} that cannot be verified: {error}"))
        },
    }
}

/// The seconds of a `rate(n unit)` schedule expression.
fn rate_seconds(expression: &str) -> Option<i64> {
    let inner = expression.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let mut parts = inner.split_whitespace();
    let n: i64 = parts.next()?.parse().ok()?;
    let unit = match parts.next()?.trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        _ => return None,
    };
    (parts.next().is_none() && n > 0).then(|| n * unit)
}

/// How many consecutive scheduled runs one event falls in, at least.
fn runs_per_event(alarm: &LogAlarm) -> Result<u32, LogAlarmMiss> {
    let schedule = alarm.schedule_expression.as_deref().unwrap_or("");
    let Some(rate) = rate_seconds(schedule) else {
        return Err(unknown(format!(
            "runs its query on the schedule `{schedule}`, so which runs see an event cannot be worked out"
        )));
    };
    let end = alarm.end_time_offset.unwrap_or(0);
    let range = alarm.start_time_offset.map_or(rate, |start| start - end);
    if range < rate {
        return Err(miss(
            reason::LOG_ALARM_WINDOW_GAPS,
            format!(
                "queries {range} s of logs every {rate} s (`{schedule}`), so events in the other {} s of each interval are never queried",
                rate - range
            ),
        ));
    }
    Ok(u32::try_from(range / rate).unwrap_or(u32::MAX))
}

fn breaches(operator: &ComparisonOperator, value: f64, threshold: f64) -> Option<bool> {
    Some(match operator {
        ComparisonOperator::GreaterThanOrEqualToThreshold => value >= threshold,
        ComparisonOperator::GreaterThanThreshold => value > threshold,
        ComparisonOperator::LessThanThreshold => value < threshold,
        ComparisonOperator::LessThanOrEqualToThreshold => value <= threshold,
        _ => return None,
    })
}

/// What the analysis asks of one log alarm for one event.
pub struct Ask<'a> {
    /// The CloudTrail record.
    pub record: &'a Value,
    /// Its successful twin, for a requirement about failures.
    pub twin: Option<&'a Value>,
    /// Single event or volume.
    pub mode: AlarmMode,
    /// Set for a requirement about failures.
    pub failures: Option<Failures>,
    /// The event's label for messages (`DisableKey`).
    pub label: &'a str,
}

/// Whether `alarm` fires as `ask` requires. See the module documentation for the reading.
pub fn log_alarm_fires(alarm: &LogAlarm, ask: &Ask<'_>) -> Result<(), LogAlarmMiss> {
    if alarm.evaluation_state.as_deref() == Some("EVALUATION_ERROR") {
        return Err(miss(
            reason::LOG_ALARM_EVALUATION_ERROR,
            "is in evaluation state EVALUATION_ERROR, a configuration error that keeps it from evaluating its query (see its StateReason)".to_owned(),
        ));
    }
    let query = LogsQuery::parse(&alarm.query_string).map_err(|e| syntax("a query", e))?;
    match query.passes(ask.record) {
        Truth::Yes => {}
        Truth::No(why) => {
            return Err(LogAlarmMiss {
                at_query: true,
                ..miss(
                    reason::LOG_ALARM_QUERY_DROPS_EVENT,
                    format!("runs a query that leaves {} events out: {why}", ask.label),
                )
            });
        }
        Truth::Unknown(why) => {
            return Err(LogAlarmMiss {
                at_query: true,
                ..unknown(format!(
                    "runs a query whose verdict on {} events cannot be told: {why}",
                    ask.label
                ))
            });
        }
    }
    let Some(expression) = alarm.aggregation_expression.as_deref() else {
        return Err(unknown(
            "has no aggregation expression in the snapshot, so its values are unknown".to_owned(),
        ));
    };
    let aggregation =
        AggregationExpression::parse(expression).map_err(|e| syntax("an aggregation", e))?;
    let Some(threshold) = alarm.threshold else {
        return Err(unknown("has no threshold in the snapshot".to_owned()));
    };
    let operator = &alarm.comparison_operator;
    let Some(symbol) = operator.symbol() else {
        return Err(unknown(format!(
            "compares with `{}`, which trailwarden does not evaluate for log alarms",
            operator.as_str()
        )));
    };
    if !operator.fires_on_rise() {
        return Err(miss(
            reason::LOG_ALARM_CANNOT_FIRE,
            format!(
                "fires when `{expression}` {symbol} {threshold}, when the value falls, so more {} events never raise it",
                ask.label
            ),
        ));
    }
    if matches!(alarm.treat_missing_data, Some(TreatMissingData::Breaching)) {
        return Err(unknown(
            "treats missing data as breaching: if a run without matching events is missing data, the alarm stays in ALARM and an event changes no state, which the documentation does not settle".to_owned(),
        ));
    }
    let runs = runs_per_event(alarm)?;
    let needed = alarm.query_results_to_alarm;
    let cap = query.row_cap();
    let one = aggregation
        .value(ask.record, cap.rows(1))
        .map_err(unknown)?;
    let counts_twin = ask
        .twin
        .is_some_and(|twin| query.passes(twin) == Truth::Yes);
    match ask.mode {
        AlarmMode::SingleEvent => {
            if !breaches(operator, one, threshold).unwrap_or(false) {
                return Err(miss(
                    reason::LOG_ALARM_CANNOT_FIRE,
                    format!(
                        "fires when `{expression}` {symbol} {threshold}, but one {} event gives {one}",
                        ask.label
                    ),
                ));
            }
            if needed > runs {
                return Err(miss(
                    reason::LOG_ALARM_NEEDS_MORE_RESULTS,
                    format!(
                        "needs {needed} of its last {} query results to breach, but one {} event falls in {runs} run{} of its query",
                        alarm.query_results_to_evaluate,
                        ask.label,
                        if runs == 1 { "" } else { "s" }
                    ),
                ));
            }
            if counts_twin && ask.failures.is_some() {
                return Err(miss(
                    reason::LOG_ALARM_COUNTS_SUCCESSES,
                    format!(
                        "fires on one event, but its query also returns successful {} calls, so ordinary calls keep it in ALARM and a failure changes no state (alarm actions run only on state transitions)",
                        ask.record["eventName"].as_str().unwrap_or("")
                    ),
                ));
            }
        }
        AlarmMode::Volume => {
            if let (true, Some(failures)) = (counts_twin, ask.failures) {
                let burst = u64::from(failures.max_failures_to_alarm);
                let value = aggregation
                    .value(ask.record, cap.rows(burst))
                    .map_err(unknown)?;
                if !breaches(operator, value, threshold).unwrap_or(false) || needed > runs {
                    return Err(miss(
                        reason::LOG_ALARM_COUNTS_SUCCESSES,
                        format!(
                            "counts successful {} calls too, and {burst} failures alone give `{expression}` = {value} in {runs} run{}, which does not fire it ({symbol} {threshold}, {needed} breaching results needed)",
                            ask.record["eventName"].as_str().unwrap_or(""),
                            if runs == 1 { "" } else { "s" }
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::events::kms;

    fn alarm(query: &str) -> LogAlarm {
        serde_json::from_value(json!({
            "alarmName": "kms-log-alarm",
            "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-log-alarm",
            "alarmActions": ["arn:aws:sns:us-east-1:111122223333:security-alerts"],
            "queryString": query,
            "logGroupIdentifiers": ["cloudtrail-logs"],
            "aggregationExpression": "count(*)",
            "scheduleExpression": "rate(5 minutes)",
            "startTimeOffset": 300,
            "queryResultsToEvaluate": 1,
            "queryResultsToAlarm": 1,
            "threshold": 1.0,
            "comparisonOperator": "GreaterThanOrEqualToThreshold"
        }))
        .expect("log alarm")
    }

    fn ask(record: &Value) -> Ask<'_> {
        Ask {
            record,
            twin: None,
            mode: AlarmMode::SingleEvent,
            failures: None,
            label: "DisableKey",
        }
    }

    const QUERY: &str = "filter eventSource = \"kms.amazonaws.com\" and eventName in [\"DisableKey\", \"ScheduleKeyDeletion\"]";

    #[test]
    fn one_matching_event_fires_a_count_alarm() {
        let record = kms::disable_key("us-east-1", "111122223333");
        assert_eq!(log_alarm_fires(&alarm(QUERY), &ask(&record)), Ok(()));
    }

    #[test]
    fn each_broken_condition_is_named() {
        let record = kms::disable_key("us-east-1", "111122223333");
        let reason_of = |alarm: &LogAlarm| {
            log_alarm_fires(alarm, &ask(&record))
                .map(|()| "fires")
                .unwrap_or_else(|miss| miss.reason)
        };
        assert_eq!(
            reason_of(&alarm("filter eventName = \"Decrypt\"")),
            reason::LOG_ALARM_QUERY_DROPS_EVENT
        );
        let mut high = alarm(QUERY);
        high.threshold = Some(2.0);
        assert_eq!(reason_of(&high), reason::LOG_ALARM_CANNOT_FIRE);
        let mut many = alarm(QUERY);
        many.query_results_to_alarm = 2;
        many.query_results_to_evaluate = 3;
        assert_eq!(reason_of(&many), reason::LOG_ALARM_NEEDS_MORE_RESULTS);
        // A range of three intervals puts the event in three runs: 2 of 3 then fires.
        many.start_time_offset = Some(900);
        assert_eq!(reason_of(&many), "fires");
        let mut gaps = alarm(QUERY);
        gaps.start_time_offset = Some(120);
        assert_eq!(reason_of(&gaps), reason::LOG_ALARM_WINDOW_GAPS);
        let mut broken = alarm(QUERY);
        broken.evaluation_state = Some("EVALUATION_ERROR".to_owned());
        assert_eq!(reason_of(&broken), reason::LOG_ALARM_EVALUATION_ERROR);
        let mut low = alarm(QUERY);
        low.comparison_operator = ComparisonOperator::LessThanThreshold;
        assert_eq!(reason_of(&low), reason::LOG_ALARM_CANNOT_FIRE);
        assert_eq!(
            reason_of(&alarm("parse @message \"*\" as x | filter x = 1")),
            reason::LOG_ALARM_QUERY_UNVERIFIABLE
        );
        let mut breaching = alarm(QUERY);
        breaching.treat_missing_data = Some(TreatMissingData::Breaching);
        assert_eq!(reason_of(&breaching), reason::LOG_ALARM_QUERY_UNVERIFIABLE);
        let mut cron = alarm(QUERY);
        cron.schedule_expression = Some("cron(0/5 * * * ? *)".to_owned());
        assert_eq!(reason_of(&cron), reason::LOG_ALARM_QUERY_UNVERIFIABLE);
    }

    #[test]
    fn a_failure_query_that_also_returns_successes_needs_a_burst_to_fire() {
        let failure = kms::decrypt_incorrect_key("us-east-1", "111122223333");
        let twin = crate::events::successful_twin(&failure).expect("twin");
        let mut volume = alarm("filter eventName = \"Decrypt\"");
        volume.threshold = Some(1000.0);
        let ask = Ask {
            record: &failure,
            twin: Some(&twin),
            mode: AlarmMode::Volume,
            failures: Some(Failures {
                max_failures_to_alarm: 10,
            }),
            label: "Decrypt (IncorrectKeyException)",
        };
        let miss = log_alarm_fires(&volume, &ask).expect_err("traffic alarm");
        assert_eq!(miss.reason, reason::LOG_ALARM_COUNTS_SUCCESSES);
        volume.threshold = Some(5.0);
        assert_eq!(log_alarm_fires(&volume, &ask), Ok(()));
        let only_failures = alarm("filter eventName = \"Decrypt\" and ispresent(errorCode)");
        assert_eq!(log_alarm_fires(&only_failures, &ask), Ok(()));
    }

    #[test]
    fn queries_matches_names_in_its_region_and_arns_anywhere() {
        let group: LogGroup = serde_json::from_value(json!({
            "logGroupName": "cloudtrail-logs",
            "arn": "arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail-logs:*"
        }))
        .expect("group");
        let by_name = alarm(QUERY);
        assert!(queries(&by_name, "111122223333", &group, "111122223333"));
        assert!(!queries(&by_name, "444455556666", &group, "111122223333"));
        let mut by_arn = alarm(QUERY);
        by_arn.log_group_identifiers =
            vec!["arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail-logs".to_owned()];
        assert!(queries(&by_arn, "444455556666", &group, "111122223333"));
        let mut elsewhere = alarm(QUERY);
        elsewhere.alarm_arn = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:x".to_owned();
        assert!(!queries(&elsewhere, "111122223333", &group, "111122223333"));
    }
}
