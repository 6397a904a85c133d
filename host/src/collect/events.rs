//! CloudTrail events for the detection rules, from up to three sources merged into one section:
//! `LookupEvents` in every region, the trails' CloudWatch Logs log groups (`FilterLogEvents`),
//! and log files on disk.
//!
//! Every source is unpacked into plain CloudTrail records here, before the snapshot is written
//! (rules read [`CloudTrailRecord`]s, and packs built against older SDKs read the same JSON
//! objects); an event a source returned but nobody could read is a collection error of the
//! section. A record seen by two sources (a log file and `LookupEvents` overlap, say) is kept
//! once, by its `eventID`. Records are sorted by time so two runs over the same data write the
//! same snapshot.

use std::collections::BTreeSet;
use std::path::PathBuf;

use aws_config::SdkConfig;
use futures_util::future::join_all;
use trailwarden_sdk::events::CloudTrailRecord;
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
) -> Section<CloudTrailRecord> {
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
        for record in records {
            match record {
                // The sources already select KMS records; checking again keeps the section to
                // one event source whatever the server did with the request.
                Ok(record) if is_kms(&record) => section.items.push(record),
                Ok(_) => {}
                Err(unreadable) => section.errors.push(unreadable),
            }
        }
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

fn is_kms(record: &CloudTrailRecord) -> bool {
    record.event_source() == cloudtrail::KMS_EVENT_SOURCE
}

fn dedup_and_sort(records: &mut Vec<CloudTrailRecord>) {
    let mut seen = BTreeSet::new();
    records.retain(|record| match record.event_id() {
        Some(id) => seen.insert(id.to_owned()),
        None => true,
    });
    records.sort_by_cached_key(|record| {
        (
            record.event_time().unwrap_or_default().to_owned(),
            record.event_id().map(str::to_owned),
        )
    });
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn a_record_from_two_sources_is_kept_once_in_time_order() {
        let record = |fields: Value| {
            let mut record = json!({"eventSource": "kms.amazonaws.com", "eventName": "Decrypt"});
            record
                .as_object_mut()
                .expect("an object")
                .extend(fields.as_object().cloned().unwrap_or_default());
            CloudTrailRecord::try_from(record).expect("a record")
        };
        let mut records = vec![
            record(json!({"eventID": "b", "eventTime": "2026-11-25T09:20:00Z"})),
            record(json!({"eventID": "a", "eventTime": "2026-11-25T09:10:00Z"})),
            record(json!({"eventID": "b", "eventTime": "2026-11-25T09:20:00Z"})),
            record(json!({"eventTime": "2026-11-25T09:00:00Z"})),
        ];
        dedup_and_sort(&mut records);
        let ids: Vec<_> = records.iter().map(CloudTrailRecord::event_id).collect();
        assert_eq!(ids, [None, Some("a"), Some("b")]);
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
