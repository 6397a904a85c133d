//! CloudWatch Logs: log groups, metric filters, and KMS events from a trail's log group.
//!
//! Metric filters are listed for the whole region in one paginated walk rather than per log
//! group: the same data in far fewer calls (27,200 filters are 544 pages, not 680 walks).

use aws_config::SdkConfig;
use trailwarden_sdk::snapshot::{
    CollectionError, LogGroup, LogGroupClass, MetricFilter, MetricTransformation, Section,
};

use trailwarden_sdk::events::CloudTrailRecord;
use trailwarden_sdk::events::section::UNREADABLE_EVENT;

use super::calls::{Caller, Op};
use super::cloudtrail::{KMS_EVENT_SOURCE, Unpacked};

/// `logs:DescribeLogGroups`.
pub const DESCRIBE_LOG_GROUPS: Op = Op::new("logs", "DescribeLogGroups");
/// `logs:DescribeMetricFilters`.
pub const DESCRIBE_METRIC_FILTERS: Op = Op::new("logs", "DescribeMetricFilters");
/// `logs:FilterLogEvents`.
pub const FILTER_LOG_EVENTS: Op = Op::new("logs", "FilterLogEvents");

/// A CloudWatch Logs client for one region.
pub fn client(config: &SdkConfig, region: &str) -> aws_sdk_cloudwatchlogs::Client {
    let conf = aws_sdk_cloudwatchlogs::config::Builder::from(config)
        .region(aws_config::Region::new(region.to_owned()))
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(conf)
}

/// Every log group of the region.
pub async fn log_groups(caller: &Caller, config: &SdkConfig, region: &str) -> Section<LogGroup> {
    let client = client(config, region);
    let mut section = Section::of(Vec::new());
    let items = &mut section.items;
    let error = caller
        .walk(
            DESCRIBE_LOG_GROUPS,
            Some(region),
            |token| {
                client
                    .describe_log_groups()
                    .limit(50)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                items.extend(page.log_groups().iter().filter_map(convert_log_group));
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    section.errors.extend(error);
    section
}

fn convert_log_group(group: &aws_sdk_cloudwatchlogs::types::LogGroup) -> Option<LogGroup> {
    let name = group.log_group_name()?;
    let arn = group
        .log_group_arn()
        .map(str::to_owned)
        .or_else(|| group.arn().map(|arn| arn.trim_end_matches(":*").to_owned()))?;
    Some(LogGroup {
        log_group_name: name.to_owned(),
        arn,
        retention_in_days: group
            .retention_in_days()
            .and_then(|days| u32::try_from(days).ok()),
        kms_key_id: group.kms_key_id().map(str::to_owned),
        log_group_class: group
            .log_group_class()
            .map(|class| LogGroupClass::from(class.as_str())),
    })
}

/// Every metric filter of the region, with every field the API returns.
pub async fn metric_filters(
    caller: &Caller,
    config: &SdkConfig,
    region: &str,
) -> Section<MetricFilter> {
    let client = client(config, region);
    let mut section = Section::of(Vec::new());
    let items = &mut section.items;
    let error = caller
        .walk(
            DESCRIBE_METRIC_FILTERS,
            Some(region),
            |token| {
                client
                    .describe_metric_filters()
                    .limit(50)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                items.extend(page.metric_filters().iter().filter_map(convert_filter));
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    section.errors.extend(error);
    section
}

fn convert_filter(filter: &aws_sdk_cloudwatchlogs::types::MetricFilter) -> Option<MetricFilter> {
    Some(MetricFilter {
        filter_name: filter.filter_name()?.to_owned(),
        log_group_name: filter.log_group_name()?.to_owned(),
        filter_pattern: filter.filter_pattern().unwrap_or_default().to_owned(),
        metric_transformations: filter
            .metric_transformations()
            .iter()
            .map(|t| MetricTransformation {
                metric_name: t.metric_name().to_owned(),
                metric_namespace: t.metric_namespace().to_owned(),
                metric_value: t.metric_value().to_owned(),
                default_value: t.default_value(),
                dimensions: t
                    .dimensions()
                    .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                unit: t.unit().map(|unit| unit.as_str().to_owned()),
            })
            .collect(),
        creation_time: filter.creation_time(),
        apply_on_transformed_logs: filter.apply_on_transformed_logs(),
        field_selection_criteria: filter
            .field_selection_criteria()
            .filter(|criteria| !criteria.is_empty())
            .map(str::to_owned),
        emit_system_field_dimensions: filter.emit_system_field_dimensions().to_vec(),
    })
}

/// The filter pattern that selects KMS records in a CloudTrail log group.
pub const KMS_EVENTS_PATTERN: &str = "{ $.eventSource = \"kms.amazonaws.com\" }";

/// The KMS records a trail delivered to the log group named `log_group` between `start` and
/// `end` (Unix seconds). Stops after `max_events` messages, like
/// [`super::cloudtrail::kms_events`]. See `kms_record` for what each message becomes.
pub async fn kms_events(
    caller: &Caller,
    config: &SdkConfig,
    region: &str,
    log_group: &str,
    (start, end): (i64, i64),
    max_events: usize,
) -> (Vec<Unpacked>, Option<CollectionError>) {
    let client = client(config, region);
    caller
        .walk_at_most(
            FILTER_LOG_EVENTS,
            region,
            max_events,
            |token| {
                client
                    .filter_log_events()
                    .log_group_name(log_group)
                    .filter_pattern(KMS_EVENTS_PATTERN)
                    .start_time(start.saturating_mul(1000))
                    .end_time(end.saturating_mul(1000))
                    .set_next_token(token)
                    .send()
            },
            |page| {
                let records = page
                    .events()
                    .iter()
                    .filter_map(|event| event.message())
                    .filter_map(|message| kms_record(message, region, log_group))
                    .collect();
                (records, page.next_token().map(str::to_owned))
            },
        )
        .await
}

/// What one log event's message becomes. The server's filter pattern sends only KMS records,
/// but an emulator may ignore it: a message that is not a JSON object with `eventSource`
/// `kms.amazonaws.com` is not a KMS record and is left out (`None`). One that claims to be a KMS
/// record but is not a CloudTrail record (no `eventName`, a field of the wrong type) is a
/// collection error naming the log group, since it may be the event a rule looks for.
fn kms_record(message: &str, region: &str, log_group: &str) -> Option<Unpacked> {
    let value: serde_json::Value = serde_json::from_str(message).ok()?;
    let source = value.get("eventSource").and_then(serde_json::Value::as_str);
    if source != Some(KMS_EVENT_SOURCE) {
        return None;
    }
    Some(
        CloudTrailRecord::try_from(value).map_err(|error| CollectionError {
            service: FILTER_LOG_EVENTS.service.to_owned(),
            operation: FILTER_LOG_EVENTS.operation.to_owned(),
            region: Some(region.to_owned()),
            code: UNREADABLE_EVENT.to_owned(),
            message: format!(
                "a KMS event in log group `{log_group}` is not a CloudTrail record: it {error}"
            ),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_become_kms_records_errors_or_nothing() {
        let record =
            r#"{"eventSource": "kms.amazonaws.com", "eventName": "DisableKey", "eventID": "e1"}"#;
        let kept = kms_record(record, "eu-west-1", "ct")
            .expect("a KMS message")
            .expect("a record");
        assert_eq!(kept.event_id(), Some("e1"));

        for other in [
            "plain text",
            r#"{"eventSource": "s3.amazonaws.com", "eventName": "GetObject"}"#,
            "[1, 2]",
        ] {
            assert!(kms_record(other, "eu-west-1", "ct").is_none(), "{other}");
        }

        let broken =
            r#"{"eventSource": "kms.amazonaws.com", "eventName": "DisableKey", "awsRegion": 7}"#;
        let error = kms_record(broken, "eu-west-1", "ct/org")
            .expect("a KMS message")
            .expect_err("not a record");
        assert_eq!(
            (error.service.as_str(), error.operation.as_str()),
            ("logs", "FilterLogEvents")
        );
        assert_eq!(error.code, UNREADABLE_EVENT);
        assert_eq!(error.region.as_deref(), Some("eu-west-1"));
        assert!(error.message.contains("`ct/org`"), "{}", error.message);
        assert!(
            error
                .message
                .contains("has `awsRegion` as a number, not a string"),
            "{}",
            error.message
        );
    }
}
