//! CloudTrail events for the detection rules, from up to three sources merged into one section:
//! `LookupEvents` in every region, the trails' CloudWatch Logs log groups (`FilterLogEvents`),
//! and log files on disk.
//!
//! A record seen by two sources (a log file and `LookupEvents` overlap, say) is kept once, by
//! its `eventID`. Records are sorted by time so two runs over the same data write the same
//! snapshot.

use std::collections::BTreeSet;
use std::path::PathBuf;

use aws_config::SdkConfig;
use futures_util::future::join_all;
use serde_json::Value;
use trailwarden_sdk::snapshot::{RegionSnapshot, Section};

use super::calls::Caller;
use super::files::FileEvents;
use super::{cloudtrail, logs};

/// Where events come from.
#[derive(Debug, Clone, Default)]
pub struct EventSources {
    /// Call `cloudtrail:LookupEvents` in every collected region.
    pub lookup: bool,
    /// Read each trail's CloudWatch Logs log group with `logs:FilterLogEvents`.
    pub log_groups: bool,
    /// Log files or delivery trees on disk.
    pub files: Vec<PathBuf>,
    /// Most records read from one API source in one region (`--max-events`).
    pub max_events: usize,
}

/// Collects the events of the window `(start, end)` (Unix seconds). `files` were read before
/// any call, so that a malformed file stops the run before it spends calls.
pub async fn collect(
    caller: &Caller,
    config: &SdkConfig,
    regions: &[RegionSnapshot],
    window: (i64, i64),
    sources: &EventSources,
    files: Option<FileEvents>,
) -> Section<Value> {
    let mut section = Section::of(Vec::new());
    if let Some(files) = files {
        section.items.extend(files.records);
    }
    let lookups =
        async {
            if !sources.lookup {
                return Vec::new();
            }
            join_all(regions.iter().map(|r| {
                cloudtrail::kms_events(caller, config, &r.region, window, sources.max_events)
            }))
            .await
        };
    let groups = async {
        if !sources.log_groups {
            return Vec::new();
        }
        join_all(
            trail_log_groups(regions)
                .into_iter()
                .map(|(region, name)| async move {
                    logs::kms_events(caller, config, &region, &name, window, sources.max_events)
                        .await
                }),
        )
        .await
    };
    let (lookups, groups) = tokio::join!(lookups, groups);
    for (records, error) in lookups.into_iter().chain(groups) {
        // The log group's filter pattern already selects KMS records; checking again keeps
        // the section to one event source whatever the server did with the pattern.
        section
            .items
            .extend(records.into_iter().filter(is_kms_or_lookup_entry));
        section.errors.extend(error);
    }
    dedup_and_sort(&mut section.items);
    section
}

/// The (region, name) of every log group a trail delivers to, from the trails' ARNs
/// (`arn:aws:logs:eu-west-1:111122223333:log-group:NAME:*`).
pub fn trail_log_groups(regions: &[RegionSnapshot]) -> BTreeSet<(String, String)> {
    regions
        .iter()
        .flat_map(|region| region.trails.items.iter())
        .filter_map(|trail| trail.cloud_watch_logs_log_group_arn.as_deref())
        .filter_map(|arn| {
            let mut parts = arn.splitn(7, ':');
            let (_, _, service, region, _, kind) = (
                parts.next()?,
                parts.next()?,
                parts.next()?,
                parts.next()?,
                parts.next()?,
                parts.next()?,
            );
            let name = parts.next()?.trim_end_matches(":*");
            (service == "logs" && kind == "log-group" && !name.is_empty())
                .then(|| (region.to_owned(), name.to_owned()))
        })
        .collect()
}

fn is_kms_or_lookup_entry(record: &Value) -> bool {
    record.get("CloudTrailEvent").is_some()
        || record.get("eventSource").and_then(Value::as_str) == Some(cloudtrail::KMS_EVENT_SOURCE)
}

/// The id of a record: `eventID` for a CloudTrail record, `EventId` for a `LookupEvents`
/// entry kept as is.
fn event_id(record: &Value) -> Option<&str> {
    record
        .get("eventID")
        .or_else(|| record.get("EventId"))
        .and_then(Value::as_str)
}

fn dedup_and_sort(records: &mut Vec<Value>) {
    let mut seen = BTreeSet::new();
    records.retain(|record| match event_id(record) {
        Some(id) => seen.insert(id.to_owned()),
        None => true,
    });
    let time = |record: &Value| {
        record
            .get("eventTime")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    records.sort_by_cached_key(|record| (time(record), event_id(record).map(str::to_owned)));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_record_from_two_sources_is_kept_once_in_time_order() {
        let mut records = vec![
            json!({"eventID": "b", "eventTime": "2026-11-25T09:20:00Z"}),
            json!({"eventID": "a", "eventTime": "2026-11-25T09:10:00Z"}),
            json!({"eventID": "b", "eventTime": "2026-11-25T09:20:00Z"}),
            json!({"eventTime": "2026-11-25T09:00:00Z"}),
        ];
        dedup_and_sort(&mut records);
        let ids: Vec<_> = records.iter().map(|r| r.get("eventID")).collect();
        assert_eq!(ids, [None, Some(&json!("a")), Some(&json!("b"))]);
    }

    #[test]
    fn log_groups_come_from_trail_arns() {
        let snapshot: RegionSnapshot = serde_json::from_value(json!({
            "region": "eu-west-1",
            "trails": {"items": [
                {"name": "t", "trailArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
                 "homeRegion": "us-east-1",
                 "cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:111122223333:log-group:ct/org:*"},
                {"name": "u", "trailArn": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/u",
                 "homeRegion": "eu-west-1"}
            ]},
            "logGroups": {}, "metricFilters": {}, "metricAlarms": {}, "topics": {},
            "eventRules": {}, "kmsKeys": {}
        }))
        .expect("region snapshot");
        let groups = trail_log_groups(&[snapshot]);
        assert_eq!(
            groups.into_iter().collect::<Vec<_>>(),
            vec![("us-east-1".to_owned(), "ct/org".to_owned())]
        );
    }
}
