//! CloudWatch: metric alarms (metric-math and anomaly-detection fields included) and
//! composite alarms, from one paginated `DescribeAlarms` walk; log alarms from a walk of their
//! own.
//!
//! `DescribeAlarms` returns log alarms only when `AlarmTypes` names `LogAlarm` ("If you omit
//! this parameter, only metric alarms are returned, even if composite alarms or log alarms
//! exist in the account",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html>).
//! They are asked for in a separate call: log alarms are recent, and a partition or endpoint
//! that refuses the `LogAlarm` value must not cost the metric and composite alarms, so its
//! failure is recorded on `logAlarms` alone. (moto 5.2.5 ignores `AlarmTypes` and never
//! returns `LogAlarms`; the conversion is tested on recorded responses below.)

use aws_config::SdkConfig;
use aws_sdk_cloudwatch::types::{self as cw, AlarmType};
use trailwarden_sdk::snapshot::{
    AlarmState, ComparisonOperator, CompositeAlarm, Dimension, LogAlarm, MetricAlarm,
    MetricDataQuery, MetricId, MetricStat, Section, Statistic, TreatMissingData,
};

use super::calls::{Caller, Op};

/// `cloudwatch:DescribeAlarms`.
pub const DESCRIBE_ALARMS: Op = Op::new("cloudwatch", "DescribeAlarms");

/// A CloudWatch client for one region.
pub fn client(config: &SdkConfig, region: &str) -> aws_sdk_cloudwatch::Client {
    let conf = aws_sdk_cloudwatch::config::Builder::from(config)
        .region(aws_config::Region::new(region.to_owned()))
        .build();
    aws_sdk_cloudwatch::Client::from_conf(conf)
}

/// The alarms of a region: metric alarms if `metric`, composite alarms if `composite`. A section
/// that was not asked for comes back not collected.
pub async fn alarms(
    caller: &Caller,
    config: &SdkConfig,
    region: &str,
    metric: bool,
    composite: bool,
) -> (Section<MetricAlarm>, Section<CompositeAlarm>) {
    let mut metrics = if metric {
        Section::of(Vec::new())
    } else {
        Section::not_collected()
    };
    let mut composites = if composite {
        Section::of(Vec::new())
    } else {
        Section::not_collected()
    };
    if !metric && !composite {
        return (metrics, composites);
    }
    let client = client(config, region);
    let mut types = Vec::new();
    if metric {
        types.push(AlarmType::MetricAlarm);
    }
    if composite {
        types.push(AlarmType::CompositeAlarm);
    }
    let (metric_items, composite_items) = (&mut metrics.items, &mut composites.items);
    let error = caller
        .walk(
            DESCRIBE_ALARMS,
            Some(region),
            |token| {
                client
                    .describe_alarms()
                    .set_alarm_types(Some(types.clone()))
                    .max_records(100)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                if metric {
                    metric_items
                        .extend(page.metric_alarms().iter().filter_map(convert_metric_alarm));
                }
                if composite {
                    composite_items
                        .extend(page.composite_alarms().iter().filter_map(convert_composite));
                }
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    // One call fills both sections, so its failure leaves both incomplete.
    if let Some(error) = error {
        if metric {
            metrics.errors.push(error.clone());
        }
        if composite {
            composites.errors.push(error);
        }
    }
    (metrics, composites)
}

/// The log alarms of a region, from `DescribeAlarms` with `AlarmTypes=[LogAlarm]`, every page.
pub async fn log_alarms(caller: &Caller, config: &SdkConfig, region: &str) -> Section<LogAlarm> {
    let client = client(config, region);
    let mut section = Section::of(Vec::new());
    let items = &mut section.items;
    let error = caller
        .walk(
            DESCRIBE_ALARMS,
            Some(region),
            |token| {
                client
                    .describe_alarms()
                    .alarm_types(AlarmType::LogAlarm)
                    .max_records(100)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                items.extend(page.log_alarms().iter().filter_map(convert_log_alarm));
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    section.errors.extend(error);
    section
}

/// A log alarm as the snapshot keeps it; `None` without a name, ARN or query, which
/// `DescribeAlarms` always returns.
fn convert_log_alarm(alarm: &cw::LogAlarm) -> Option<LogAlarm> {
    let query = alarm.scheduled_query_configuration()?;
    let schedule = query.schedule_configuration();
    Some(LogAlarm {
        alarm_name: alarm.alarm_name()?.to_owned(),
        alarm_arn: alarm.alarm_arn()?.to_owned(),
        actions_enabled: alarm.actions_enabled().unwrap_or(true),
        alarm_actions: alarm.alarm_actions().to_vec(),
        query_string: query.query_string()?.to_owned(),
        log_group_identifiers: query.log_group_identifiers().to_vec(),
        aggregation_expression: query.aggregation_expression().map(str::to_owned),
        schedule_expression: schedule
            .and_then(|s| s.schedule_expression())
            .map(str::to_owned),
        start_time_offset: schedule.and_then(|s| s.start_time_offset()),
        end_time_offset: schedule.and_then(|s| s.end_time_offset()),
        query_results_to_evaluate: positive(alarm.query_results_to_evaluate()).unwrap_or(1),
        query_results_to_alarm: positive(alarm.query_results_to_alarm()).unwrap_or(1),
        threshold: alarm.threshold(),
        comparison_operator: ComparisonOperator::from(
            alarm.comparison_operator().map_or("", |op| op.as_str()),
        ),
        treat_missing_data: alarm.treat_missing_data().map(TreatMissingData::from),
        evaluation_state: alarm.evaluation_state().map(|s| s.as_str().to_owned()),
        state_value: alarm.state_value().map(|s| AlarmState::from(s.as_str())),
    })
}

fn dimensions(dimensions: &[cw::Dimension]) -> Vec<Dimension> {
    dimensions
        .iter()
        .filter_map(|d| {
            Some(Dimension {
                name: d.name()?.to_owned(),
                value: d.value()?.to_owned(),
            })
        })
        .collect()
}

fn positive(value: Option<i32>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

fn convert_metric_alarm(alarm: &cw::MetricAlarm) -> Option<MetricAlarm> {
    Some(MetricAlarm {
        alarm_name: alarm.alarm_name()?.to_owned(),
        alarm_arn: alarm.alarm_arn()?.to_owned(),
        actions_enabled: alarm.actions_enabled().unwrap_or(true),
        alarm_actions: alarm.alarm_actions().to_vec(),
        ok_actions: alarm.ok_actions().to_vec(),
        insufficient_data_actions: alarm.insufficient_data_actions().to_vec(),
        metric_name: alarm.metric_name().map(str::to_owned),
        namespace: alarm.namespace().map(str::to_owned),
        statistic: alarm.statistic().map(|s| Statistic::from(s.as_str())),
        extended_statistic: alarm.extended_statistic().map(str::to_owned),
        dimensions: dimensions(alarm.dimensions()),
        period: positive(alarm.period()),
        evaluation_periods: positive(alarm.evaluation_periods()).unwrap_or(1),
        datapoints_to_alarm: positive(alarm.datapoints_to_alarm()),
        threshold: alarm.threshold(),
        comparison_operator: ComparisonOperator::from(
            alarm.comparison_operator().map_or("", |op| op.as_str()),
        ),
        treat_missing_data: alarm.treat_missing_data().map(TreatMissingData::from),
        metrics: alarm.metrics().iter().filter_map(convert_query).collect(),
        threshold_metric_id: alarm.threshold_metric_id().map(str::to_owned),
        state_value: alarm.state_value().map(|s| AlarmState::from(s.as_str())),
    })
}

fn convert_query(query: &cw::MetricDataQuery) -> Option<MetricDataQuery> {
    Some(MetricDataQuery {
        id: query.id()?.to_owned(),
        expression: query.expression().map(str::to_owned),
        metric_stat: query.metric_stat().and_then(|stat| {
            let metric = stat.metric()?;
            Some(MetricStat {
                metric: MetricId {
                    namespace: metric.namespace()?.to_owned(),
                    metric_name: metric.metric_name()?.to_owned(),
                    dimensions: dimensions(metric.dimensions()),
                },
                period: positive(stat.period())?,
                stat: Statistic::from(stat.stat()?),
                unit: stat.unit().map(|unit| unit.as_str().to_owned()),
            })
        }),
        return_data: query.return_data().unwrap_or(true),
        label: query.label().map(str::to_owned),
        period: positive(query.period()),
    })
}

fn convert_composite(alarm: &cw::CompositeAlarm) -> Option<CompositeAlarm> {
    Some(CompositeAlarm {
        alarm_name: alarm.alarm_name()?.to_owned(),
        alarm_arn: alarm.alarm_arn()?.to_owned(),
        alarm_rule: alarm.alarm_rule().unwrap_or_default().to_owned(),
        actions_enabled: alarm.actions_enabled().unwrap_or(true),
        alarm_actions: alarm.alarm_actions().to_vec(),
    })
}

#[cfg(test)]
mod replayed {
    use ciborium::Value as C;

    use super::*;
    use crate::collect::progress::Progress;
    use crate::collect::replay;

    fn text(s: &str) -> C {
        C::Text(s.to_owned())
    }

    fn map(entries: Vec<(&str, C)>) -> C {
        C::Map(entries.into_iter().map(|(k, v)| (text(k), v)).collect())
    }

    fn cbor(value: &C) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(value, &mut out).expect("cbor");
        out
    }

    fn response(value: &C) -> (u16, Vec<(&'static str, &'static str)>, Vec<u8>) {
        (
            200,
            vec![
                ("content-type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
            ],
            cbor(value),
        )
    }

    /// CloudWatch speaks CBOR and moto cannot serve composite alarms, so the anomaly-detection
    /// and composite fields are checked on recorded responses, over two pages.
    #[tokio::test]
    async fn alarms_keep_anomaly_math_and_composite_fields_over_every_page() {
        let anomaly = map(vec![
            ("AlarmName", text("kms-volume")),
            (
                "AlarmArn",
                text("arn:aws:cloudwatch:eu-west-1:111122223333:alarm:kms-volume"),
            ),
            (
                "AlarmActions",
                C::Array(vec![text("arn:aws:sns:eu-west-1:111122223333:sec")]),
            ),
            ("EvaluationPeriods", C::Integer(3.into())),
            ("DatapointsToAlarm", C::Integer(2.into())),
            (
                "ComparisonOperator",
                text("LessThanLowerOrGreaterThanUpperThreshold"),
            ),
            ("ThresholdMetricId", text("ad1")),
            ("TreatMissingData", text("breaching")),
            ("StateValue", text("OK")),
            (
                "StateUpdatedTimestamp",
                C::Tag(1, Box::new(C::Float(1_795_597_964.5))),
            ),
            (
                "Metrics",
                C::Array(vec![
                    map(vec![
                        ("Id", text("m1")),
                        ("ReturnData", C::Bool(true)),
                        (
                            "MetricStat",
                            map(vec![
                                (
                                    "Metric",
                                    map(vec![
                                        ("Namespace", text("CloudTrailMetrics")),
                                        ("MetricName", text("KmsCalls")),
                                        (
                                            "Dimensions",
                                            C::Array(vec![map(vec![
                                                ("Name", text("KeyId")),
                                                ("Value", text("k1")),
                                            ])]),
                                        ),
                                    ]),
                                ),
                                ("Period", C::Integer(300.into())),
                                ("Stat", text("Sum")),
                            ]),
                        ),
                    ]),
                    map(vec![
                        ("Id", text("ad1")),
                        ("Expression", text("ANOMALY_DETECTION_BAND(m1, 2)")),
                        ("Label", text("band")),
                        ("ReturnData", C::Bool(true)),
                    ]),
                ]),
            ),
        ]);
        let page1 = map(vec![
            ("MetricAlarms", C::Array(vec![anomaly])),
            ("CompositeAlarms", C::Array(vec![])),
            ("NextToken", text("p2")),
        ]);
        let composite = map(vec![
            ("AlarmName", text("any-kms")),
            (
                "AlarmArn",
                text("arn:aws:cloudwatch:eu-west-1:111122223333:alarm:any-kms"),
            ),
            (
                "AlarmRule",
                text("ALARM(\"kms-volume\") OR ALARM(\"kms-changes\")"),
            ),
            ("ActionsEnabled", C::Bool(false)),
            (
                "AlarmActions",
                C::Array(vec![text("arn:aws:sns:eu-west-1:111122223333:sec")]),
            ),
        ]);
        let page2 = map(vec![
            ("MetricAlarms", C::Array(vec![])),
            ("CompositeAlarms", C::Array(vec![composite])),
        ]);
        let (config, client) = replay::config_with(vec![response(&page1), response(&page2)]);
        let caller = Caller::new(4, Progress::hidden());
        let (metrics, composites) = alarms(&caller, &config, "eu-west-1", true, true).await;
        assert!(metrics.errors.is_empty() && composites.errors.is_empty());
        let alarm = &metrics.items[0];
        assert_eq!(alarm.threshold, None);
        assert_eq!(alarm.threshold_metric_id.as_deref(), Some("ad1"));
        assert_eq!(alarm.datapoints_to_alarm, Some(2));
        assert_eq!(alarm.metrics.len(), 2);
        let stat = alarm.metrics[0].metric_stat.as_ref().expect("metric stat");
        assert_eq!(stat.metric.metric_name, "KmsCalls");
        assert_eq!(stat.metric.dimensions[0].value, "k1");
        assert_eq!(
            alarm.metrics[1].expression.as_deref(),
            Some("ANOMALY_DETECTION_BAND(m1, 2)")
        );
        assert_eq!(composites.items.len(), 1);
        assert_eq!(
            composites.items[0].alarm_rule,
            "ALARM(\"kms-volume\") OR ALARM(\"kms-changes\")"
        );
        assert!(!composites.items[0].actions_enabled);
        let requests: Vec<_> = client.actual_requests().collect();
        assert_eq!(requests.len(), 2, "both pages read");
        let second: C =
            ciborium::from_reader(requests[1].body().bytes().unwrap_or_default()).expect("cbor");
        let has_token = matches!(&second, C::Map(entries)
            if entries.iter().any(|(k, v)| *k == text("NextToken") && *v == text("p2")));
        assert!(has_token, "{second:?}");
    }

    /// A `DescribeAlarms` page of log alarms, shaped as the API reference's `LogAlarm` type
    /// (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_LogAlarm.html>),
    /// over two pages; the request names `LogAlarm` in `AlarmTypes`.
    #[tokio::test]
    async fn log_alarms_keep_the_query_schedule_and_m_of_n_over_every_page() {
        let log_alarm = |name: &str, state: Option<&str>| {
            let mut entries = vec![
                ("AlarmName", text(name)),
                (
                    "AlarmArn",
                    text(&format!(
                        "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:{name}"
                    )),
                ),
                ("ActionsEnabled", C::Bool(true)),
                (
                    "AlarmActions",
                    C::Array(vec![text("arn:aws:sns:eu-west-1:111122223333:sec")]),
                ),
                (
                    "ScheduledQueryConfiguration",
                    map(vec![
                        ("QueryString", text("filter eventName in [\"DisableKey\"]")),
                        (
                            "LogGroupIdentifiers",
                            C::Array(vec![text("aws-cloudtrail-logs")]),
                        ),
                        ("AggregationExpression", text("count(*) by eventName")),
                        (
                            "ScheduleConfiguration",
                            map(vec![
                                ("ScheduleExpression", text("rate(5 minutes)")),
                                ("StartTimeOffset", C::Integer(600.into())),
                                ("EndTimeOffset", C::Integer(0.into())),
                            ]),
                        ),
                    ]),
                ),
                ("QueryResultsToEvaluate", C::Integer(3.into())),
                ("QueryResultsToAlarm", C::Integer(2.into())),
                ("Threshold", C::Float(1.0)),
                ("ComparisonOperator", text("GreaterThanOrEqualToThreshold")),
                ("TreatMissingData", text("notBreaching")),
                ("StateValue", text("OK")),
            ];
            if let Some(state) = state {
                entries.push(("EvaluationState", text(state)));
            }
            map(entries)
        };
        let page1 = map(vec![
            ("LogAlarms", C::Array(vec![log_alarm("kms-logs", None)])),
            ("NextToken", text("p2")),
        ]);
        let page2 = map(vec![(
            "LogAlarms",
            C::Array(vec![log_alarm("broken", Some("EVALUATION_ERROR"))]),
        )]);
        let (config, client) = replay::config_with(vec![response(&page1), response(&page2)]);
        let caller = Caller::new(4, Progress::hidden());
        let section = log_alarms(&caller, &config, "eu-west-1").await;
        assert!(section.errors.is_empty(), "{:?}", section.errors);
        assert_eq!(section.items.len(), 2);
        let alarm = &section.items[0];
        assert_eq!(alarm.query_string, "filter eventName in [\"DisableKey\"]");
        assert_eq!(alarm.log_group_identifiers, ["aws-cloudtrail-logs"]);
        assert_eq!(
            alarm.aggregation_expression.as_deref(),
            Some("count(*) by eventName")
        );
        assert_eq!(
            alarm.schedule_expression.as_deref(),
            Some("rate(5 minutes)")
        );
        assert_eq!(alarm.start_time_offset, Some(600));
        assert_eq!(
            (
                alarm.query_results_to_alarm,
                alarm.query_results_to_evaluate
            ),
            (2, 3)
        );
        assert_eq!(alarm.threshold, Some(1.0));
        assert_eq!(
            section.items[1].evaluation_state.as_deref(),
            Some("EVALUATION_ERROR")
        );
        let requests: Vec<_> = client.actual_requests().collect();
        assert_eq!(requests.len(), 2, "both pages read");
        let first: C =
            ciborium::from_reader(requests[0].body().bytes().unwrap_or_default()).expect("cbor");
        let asks_log_alarms = matches!(&first, C::Map(entries)
            if entries.iter().any(|(k, v)| *k == text("AlarmTypes")
                && *v == C::Array(vec![text("LogAlarm")])));
        assert!(asks_log_alarms, "{first:?}");
    }

    #[tokio::test]
    async fn a_refused_log_alarm_call_is_recorded_on_the_section() {
        let refused = (
            400,
            vec![
                ("content-type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
            ],
            cbor(&map(vec![
                ("__type", text("InvalidParameterValue")),
                ("message", text("Unknown AlarmType LogAlarm")),
            ])),
        );
        let (config, _client) = replay::config_with(vec![refused]);
        let caller = Caller::new(4, Progress::hidden());
        let section = log_alarms(&caller, &config, "eu-west-1").await;
        assert!(section.items.is_empty());
        assert_eq!(section.errors.len(), 1, "{:?}", section.errors);
    }

    #[tokio::test]
    async fn sections_not_asked_for_are_not_collected_and_cost_no_call() {
        let (config, client) = replay::config_with(Vec::new());
        let caller = Caller::new(4, Progress::hidden());
        let (metrics, composites) = alarms(&caller, &config, "eu-west-1", false, false).await;
        assert!(!metrics.collected && !composites.collected);
        assert_eq!(client.actual_requests().count(), 0);
    }
}
