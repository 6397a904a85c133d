//! CloudTrail: the trails each region sees, with their status and event selectors.
//!
//! `DescribeTrails` with `includeShadowTrails` lists, in every region, the trails created there
//! and the multi-region (and organization) trails of other home regions that cover it. Status
//! and selectors are authoritative only in the home region, so they are read there, once per
//! trail, and copied onto every copy the regions list (see [`super::fanout`]).

use aws_config::SdkConfig;
use aws_sdk_cloudtrail::types::{self as ct, ReadWriteType as SdkReadWriteType};
use trailwarden_sdk::snapshot::{
    AdvancedEventSelector, AdvancedFieldSelector, CollectionError, DataResource, EventSelector,
    EventSelectors, ReadWriteType, Section, Trail, TrailStatus,
};

use trailwarden_sdk::events::section::unreadable_lookup_event;
use trailwarden_sdk::events::{CloudTrailRecord, RecordError};

use super::calls::{Caller, Op};

/// `cloudtrail:DescribeTrails`.
pub const DESCRIBE_TRAILS: Op = Op::new("cloudtrail", "DescribeTrails");
/// `cloudtrail:GetTrailStatus`.
pub const GET_TRAIL_STATUS: Op = Op::new("cloudtrail", "GetTrailStatus");
/// `cloudtrail:GetEventSelectors`.
pub const GET_EVENT_SELECTORS: Op = Op::new("cloudtrail", "GetEventSelectors");

/// A CloudTrail client for one region.
pub fn client(config: &SdkConfig, region: &str) -> aws_sdk_cloudtrail::Client {
    let conf = aws_sdk_cloudtrail::config::Builder::from(config)
        .region(aws_config::Region::new(region.to_owned()))
        .build();
    aws_sdk_cloudtrail::Client::from_conf(conf)
}

/// The trails listed in `region`, shadow trails included, without status or selectors yet.
/// (`DescribeTrails` is not paginated: it returns every trail at once.)
pub async fn trails(caller: &Caller, config: &SdkConfig, region: &str) -> Section<Trail> {
    let client = client(config, region);
    let listed = caller
        .call(DESCRIBE_TRAILS, Some(region), || {
            client.describe_trails().include_shadow_trails(true).send()
        })
        .await;
    match listed {
        Ok(output) => Section::of(
            output
                .trail_list()
                .iter()
                .filter_map(|trail| convert_trail(trail, region))
                .collect(),
        ),
        Err(error) => Section::failed(error),
    }
}

fn convert_trail(trail: &ct::Trail, listed_in: &str) -> Option<Trail> {
    Some(Trail {
        name: trail.name()?.to_owned(),
        trail_arn: trail.trail_arn()?.to_owned(),
        home_region: trail.home_region().unwrap_or(listed_in).to_owned(),
        is_multi_region_trail: trail.is_multi_region_trail().unwrap_or(false),
        is_organization_trail: trail.is_organization_trail().unwrap_or(false),
        include_global_service_events: trail.include_global_service_events().unwrap_or(true),
        s3_bucket_name: trail.s3_bucket_name().map(str::to_owned),
        kms_key_id: trail.kms_key_id().map(str::to_owned),
        log_file_validation_enabled: trail.log_file_validation_enabled().unwrap_or(false),
        cloud_watch_logs_log_group_arn: trail.cloud_watch_logs_log_group_arn().map(str::to_owned),
        cloud_watch_logs_role_arn: trail.cloud_watch_logs_role_arn().map(str::to_owned),
        status: None,
        event_selectors: None,
    })
}

/// What the home region says about one trail; a part that could not be read is `None` and its
/// failure is in `errors`.
#[derive(Debug, Clone, Default)]
pub struct TrailDetails {
    /// `GetTrailStatus`.
    pub status: Option<TrailStatus>,
    /// `GetEventSelectors`.
    pub event_selectors: Option<EventSelectors>,
    /// The calls that failed.
    pub errors: Vec<CollectionError>,
}

/// Reads a trail's status and selectors in its home region, both calls at once.
pub async fn details(
    caller: &Caller,
    config: &SdkConfig,
    trail_arn: &str,
    home_region: &str,
) -> TrailDetails {
    let client = client(config, home_region);
    let status = caller.call(GET_TRAIL_STATUS, Some(home_region), || {
        client.get_trail_status().name(trail_arn).send()
    });
    let selectors = caller.call(GET_EVENT_SELECTORS, Some(home_region), || {
        client.get_event_selectors().trail_name(trail_arn).send()
    });
    let (status, selectors) = tokio::join!(status, selectors);
    let mut details = TrailDetails::default();
    match status {
        Ok(output) => {
            details.status = Some(TrailStatus {
                is_logging: output.is_logging().unwrap_or(false),
                latest_cloud_watch_logs_delivery_error: output
                    .latest_cloud_watch_logs_delivery_error()
                    .map(str::to_owned),
                latest_cloud_watch_logs_delivery_time: output
                    .latest_cloud_watch_logs_delivery_time()
                    .map(super::rfc3339),
                latest_delivery_error: output.latest_delivery_error().map(str::to_owned),
            });
        }
        Err(error) => details.errors.push(error),
    }
    match selectors {
        Ok(output) => {
            details.event_selectors = Some(EventSelectors {
                event_selectors: output
                    .event_selectors()
                    .iter()
                    .map(convert_selector)
                    .collect(),
                advanced_event_selectors: output
                    .advanced_event_selectors()
                    .iter()
                    .map(convert_advanced)
                    .collect(),
            });
        }
        Err(error) => details.errors.push(error),
    }
    details
}

fn convert_selector(selector: &ct::EventSelector) -> EventSelector {
    EventSelector {
        read_write_type: match selector.read_write_type() {
            Some(SdkReadWriteType::ReadOnly) => ReadWriteType::ReadOnly,
            Some(SdkReadWriteType::WriteOnly) => ReadWriteType::WriteOnly,
            _ => ReadWriteType::All,
        },
        include_management_events: selector.include_management_events().unwrap_or(true),
        exclude_management_event_sources: selector.exclude_management_event_sources().to_vec(),
        data_resources: selector
            .data_resources()
            .iter()
            .map(|resource| DataResource {
                resource_type: resource.r#type().unwrap_or_default().to_owned(),
                values: resource.values().to_vec(),
            })
            .collect(),
    }
}

fn convert_advanced(selector: &ct::AdvancedEventSelector) -> AdvancedEventSelector {
    AdvancedEventSelector {
        name: selector.name().map(str::to_owned),
        field_selectors: selector
            .field_selectors()
            .iter()
            .map(|field| AdvancedFieldSelector {
                field: field.field().to_owned(),
                equals: field.equals().to_vec(),
                not_equals: field.not_equals().to_vec(),
                starts_with: field.starts_with().to_vec(),
                not_starts_with: field.not_starts_with().to_vec(),
                ends_with: field.ends_with().to_vec(),
                not_ends_with: field.not_ends_with().to_vec(),
            })
            .collect(),
    }
}

/// `cloudtrail:LookupEvents`.
pub const LOOKUP_EVENTS: Op = Op::new("cloudtrail", "LookupEvents");

/// The event source `LookupEvents` is asked for.
pub const KMS_EVENT_SOURCE: &str = "kms.amazonaws.com";

/// The KMS management events CloudTrail recorded in `region` between `start` and `end` (Unix
/// seconds), each unpacked from its entry's `CloudTrailEvent` into a CloudTrail record. An entry
/// whose `CloudTrailEvent` is missing or not a CloudTrail record is a collection error in its
/// place (see `lookup_record`), and the walk goes on.
///
/// `LookupEvents` allows two calls a second per region; the SDK's adaptive retry paces a long
/// walk instead of failing it. A busy account records thousands of `Decrypt` calls an hour,
/// so the walk stops after `max_events` records with a [`super::calls::TRUNCATED`] error
/// rather than run for many minutes.
pub async fn kms_events(
    caller: &Caller,
    config: &SdkConfig,
    region: &str,
    (start, end): (i64, i64),
    max_events: usize,
) -> (Vec<Unpacked>, Option<CollectionError>) {
    use aws_sdk_cloudtrail::primitives::DateTime;
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};

    let attribute = match LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventSource)
        .attribute_value(KMS_EVENT_SOURCE)
        .build()
    {
        Ok(attribute) => attribute,
        Err(error) => {
            return (
                Vec::new(),
                Some(CollectionError {
                    service: LOOKUP_EVENTS.service.to_owned(),
                    operation: LOOKUP_EVENTS.operation.to_owned(),
                    region: Some(region.to_owned()),
                    code: "RequestConstructionFailure".to_owned(),
                    message: error.to_string(),
                }),
            );
        }
    };
    let client = client(config, region);
    caller
        .walk_at_most(
            LOOKUP_EVENTS,
            region,
            max_events,
            |token| {
                client
                    .lookup_events()
                    .lookup_attributes(attribute.clone())
                    .start_time(DateTime::from_secs(start))
                    .end_time(DateTime::from_secs(end))
                    .max_results(50)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                let records = page
                    .events()
                    .iter()
                    .map(|event| lookup_record(event, region))
                    .collect();
                (records, page.next_token().map(str::to_owned))
            },
        )
        .await
}

/// A record from a source, or the collection error that says why an event could not be read.
pub type Unpacked = Result<CloudTrailRecord, CollectionError>;

/// The record a `LookupEvents` entry carries as text in `CloudTrailEvent`, or the collection
/// error naming the entry (the SDK's [`unreadable_lookup_event`], which old snapshots' entries
/// also become): an event nobody could read may be the one a rule looks for, so it is not
/// dropped in silence.
fn lookup_record(event: &ct::Event, region: &str) -> Unpacked {
    let unreadable = |problem: Option<&RecordError>| {
        unreadable_lookup_event(Some(region), event.event_id(), event.event_name(), problem)
    };
    match event.cloud_trail_event() {
        Some(text) => CloudTrailRecord::from_json_text(text).map_err(|e| unreadable(Some(&e))),
        None => Err(unreadable(None)),
    }
}

#[cfg(test)]
mod replayed {
    use super::*;
    use crate::collect::progress::Progress;
    use crate::collect::replay;

    #[tokio::test]
    async fn lookup_events_reads_every_page_and_parses_the_records() {
        let record = r#"{\"eventVersion\":\"1.08\",\"eventID\":\"e1\",\"eventTime\":\"2026-11-25T09:12:44Z\",\"eventSource\":\"kms.amazonaws.com\",\"eventName\":\"DisableKey\",\"awsRegion\":\"eu-west-1\"}"#;
        let page1 = format!(
            r#"{{"Events": [{{"EventId": "e1", "EventName": "DisableKey", "EventSource": "kms.amazonaws.com",
                 "EventTime": 1795597964, "CloudTrailEvent": "{record}"}}], "NextToken": "t2"}}"#
        );
        let page2 = r#"{"Events": [{"EventId": "e2", "EventName": "ScheduleKeyDeletion",
                 "EventSource": "kms.amazonaws.com", "EventTime": 1795598000, "CloudTrailEvent": "not json"}]}"#;
        let (config, client) = replay::config(&[(200, &page1), (200, page2)]);
        let caller = Caller::new(4, Progress::hidden());
        let (records, error) = kms_events(
            &caller,
            &config,
            "eu-west-1",
            (1_795_597_000, 1_795_600_000),
            100,
        )
        .await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(records.len(), 2);
        let first = records[0].as_ref().expect("a record");
        assert_eq!(first.event_name(), "DisableKey");
        assert_eq!(first.event_id(), Some("e1"));
        assert_eq!(first.aws_region(), Some("eu-west-1"));
        // An entry that carries no record is an error naming it, not a record nor a silence.
        let unreadable = records[1].as_ref().expect_err("not a record");
        assert_eq!(unreadable.operation, "LookupEvents");
        assert_eq!(unreadable.region.as_deref(), Some("eu-west-1"));
        assert_eq!(unreadable.code, "UnreadableEvent");
        assert!(
            unreadable.message.contains("`e2` (ScheduleKeyDeletion)")
                && unreadable.message.contains("is not JSON"),
            "{}",
            unreadable.message
        );
        let sent = replay::sent_bodies(&client);
        assert_eq!(
            sent[0]["LookupAttributes"],
            serde_json::json!([{"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}])
        );
        assert_eq!(sent[0]["StartTime"], 1_795_597_000);
        assert_eq!(sent[0]["EndTime"], 1_795_600_000);
        assert_eq!(sent[1]["NextToken"], "t2");
    }

    #[tokio::test]
    async fn throttling_past_the_retries_is_recorded_with_its_code() {
        let throttled = r#"{"__type": "ThrottlingException", "message": "Rate exceeded"}"#;
        let (config, _client) = replay::config(&[(400, throttled)]);
        let config = config
            .into_builder()
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .build();
        let caller = Caller::new(4, Progress::hidden());
        let (records, error) = kms_events(&caller, &config, "eu-west-1", (0, 1), 100).await;
        assert!(records.is_empty());
        let error = error.expect("recorded");
        assert_eq!(
            (
                error.service.as_str(),
                error.operation.as_str(),
                error.code.as_str()
            ),
            ("cloudtrail", "LookupEvents", "ThrottlingException")
        );
        assert_eq!(error.region.as_deref(), Some("eu-west-1"));
    }

    /// A walk that reaches `--max-events` with pages left stops there and says so; it does not
    /// ask for the next page.
    #[tokio::test]
    async fn a_walk_past_max_events_stops_and_is_recorded_as_truncated() {
        let record = r#"\"eventSource\":\"kms.amazonaws.com\",\"eventName\":\"Decrypt\""#;
        let page = |id: &str, next: &str| {
            format!(
                r#"{{"Events": [{{"EventId": "{id}a", "CloudTrailEvent": "{{{record},\"eventID\":\"{id}a\"}}"}},
                               {{"EventId": "{id}b", "CloudTrailEvent": "{{{record},\"eventID\":\"{id}b\"}}"}}],
                    "NextToken": "{next}"}}"#
            )
        };
        let (first, second) = (page("p1", "t2"), page("p2", "t3"));
        let (config, client) = replay::config(&[(200, &first), (200, &second)]);
        let caller = Caller::new(4, Progress::hidden());
        let (records, error) = kms_events(&caller, &config, "eu-west-1", (0, 1), 3).await;
        assert_eq!(records.len(), 3);
        let third = records[2].as_ref().expect("a record");
        assert_eq!(third.event_id(), Some("p2a"));
        let error = error.expect("truncation recorded");
        assert_eq!(error.code, crate::collect::calls::TRUNCATED);
        assert_eq!(error.operation, "LookupEvents");
        assert!(error.message.contains("--max-events"), "{error}");
        assert_eq!(replay::sent_bodies(&client).len(), 2);

        let (config, _client) = replay::config(&[(200, &page("p1", ""))]);
        let (records, error) = kms_events(&caller, &config, "eu-west-1", (0, 1), 2).await;
        assert_eq!(
            records.len(),
            2,
            "a last page that reaches the cap is complete"
        );
        assert!(error.is_none(), "{error:?}");
    }
}
