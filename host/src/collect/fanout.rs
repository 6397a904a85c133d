//! The region fan-out: every region collected at once, each region's services at once, with
//! the [`Caller`]'s semaphore bounding the calls in flight over all of them.
//!
//! Regions run as separate tokio tasks so that decoding large responses (thousands of metric
//! filters) uses every core. Trail status and selectors are read in the trail's home region:
//! inside that region's task when it is collected, afterwards (one call pair per trail) when it
//! is not, and then copied onto every shadow copy so each region's view is complete.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use futures_util::future::join_all;
use tokio::task::JoinSet;
use trailwarden_sdk::snapshot::{
    CollectionError, EventSelectors, RegionSnapshot, Section, Trail, TrailStatus,
};

use super::calls::Caller;
use super::needs::Needs;
use super::{cloudtrail, cloudwatch, eventbridge, kms, logs, sns};

/// Collects `regions`, returning one snapshot per region in the order given.
pub async fn collect(
    caller: &Caller,
    config: &SdkConfig,
    regions: &[String],
    needs: Needs,
    redact: bool,
) -> Vec<RegionSnapshot> {
    let mut tasks = JoinSet::new();
    for (index, region) in regions.iter().enumerate() {
        let (caller, config, region) = (caller.clone(), config.clone(), region.clone());
        tasks.spawn(async move {
            let snapshot = collect_region(&caller, &config, &region, needs, redact).await;
            caller.progress().region_done();
            (index, snapshot)
        });
    }
    let mut collected: Vec<Option<RegionSnapshot>> = vec![None; regions.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, snapshot)) => {
                if let Some(slot) = collected.get_mut(index) {
                    *slot = Some(snapshot);
                }
            }
            // A panicking region task is a bug; its region is reported as failed below rather
            // than taking the whole run down.
            Err(error) => tracing::error!("a region collection task failed: {error}"),
        }
    }
    let mut snapshots: Vec<RegionSnapshot> = collected
        .into_iter()
        .zip(regions)
        .map(|(snapshot, region)| snapshot.unwrap_or_else(|| failed_region(region, needs)))
        .collect();
    if needs.trails {
        caller.progress().phase("trail details");
        complete_trails(caller, config, &mut snapshots).await;
    }
    snapshots
}

/// One region, every needed service concurrently.
async fn collect_region(
    caller: &Caller,
    config: &SdkConfig,
    region: &str,
    needs: Needs,
    redact: bool,
) -> RegionSnapshot {
    let trails = async {
        if !needs.trails {
            return Section::not_collected();
        }
        let mut trails = cloudtrail::trails(caller, config, region).await;
        // Home trails: status and selectors from here, concurrently.
        let details = join_all(
            trails
                .items
                .iter()
                .filter(|trail| trail.home_region == region)
                .map(|trail| {
                    let arn = trail.trail_arn.clone();
                    async move {
                        let details = cloudtrail::details(caller, config, &arn, region).await;
                        (arn, details)
                    }
                }),
        )
        .await;
        for (arn, details) in details {
            for trail in trails.items.iter_mut().filter(|t| t.trail_arn == arn) {
                trail.status = details.status.clone();
                trail.event_selectors = details.event_selectors.clone();
            }
            trails.errors.extend(details.errors);
        }
        trails
    };
    let log_groups = async {
        if needs.log_groups {
            logs::log_groups(caller, config, region).await
        } else {
            Section::not_collected()
        }
    };
    let metric_filters = async {
        if needs.metric_filters {
            logs::metric_filters(caller, config, region).await
        } else {
            Section::not_collected()
        }
    };
    let alarms = cloudwatch::alarms(
        caller,
        config,
        region,
        needs.metric_alarms,
        needs.composite_alarms,
    );
    let topics = async {
        if needs.topics {
            sns::topics(caller, config, region, redact).await
        } else {
            Section::not_collected()
        }
    };
    let event_rules = async {
        if needs.event_rules {
            eventbridge::rules(caller, config, region).await
        } else {
            Section::not_collected()
        }
    };
    let kms_keys = async {
        if needs.kms_keys {
            kms::keys(caller, config, region).await
        } else {
            Section::not_collected()
        }
    };
    let (
        trails,
        log_groups,
        metric_filters,
        (metric_alarms, composite_alarms),
        topics,
        event_rules,
        kms_keys,
    ) = tokio::join!(
        trails,
        log_groups,
        metric_filters,
        alarms,
        topics,
        event_rules,
        kms_keys
    );
    RegionSnapshot {
        region: region.to_owned(),
        trails,
        log_groups,
        metric_filters,
        metric_alarms,
        composite_alarms,
        topics,
        event_rules,
        kms_keys,
    }
}

/// A region whose task died: every needed section failed.
fn failed_region(region: &str, needs: Needs) -> RegionSnapshot {
    fn section<T>(needed: bool, region: &str) -> Section<T> {
        if !needed {
            return Section::not_collected();
        }
        Section::failed(CollectionError {
            service: "trailwarden".to_owned(),
            operation: "CollectRegion".to_owned(),
            region: Some(region.to_owned()),
            code: "InternalError".to_owned(),
            message: "the collection task for this region failed; see the log".to_owned(),
        })
    }
    RegionSnapshot {
        region: region.to_owned(),
        trails: section(needs.trails, region),
        log_groups: section(needs.log_groups, region),
        metric_filters: section(needs.metric_filters, region),
        metric_alarms: section(needs.metric_alarms, region),
        composite_alarms: section(needs.composite_alarms, region),
        topics: section(needs.topics, region),
        event_rules: section(needs.event_rules, region),
        kms_keys: section(needs.kms_keys, region),
    }
}

type Details = (Option<TrailStatus>, Option<EventSelectors>);

/// Gives every copy of every trail the status and selectors read in its home region, reading
/// them now for trails whose home region was not collected (or whose home listing failed).
async fn complete_trails(caller: &Caller, config: &SdkConfig, snapshots: &mut [RegionSnapshot]) {
    let mut known: BTreeMap<String, Details> = BTreeMap::new();
    let mut missing: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for (index, snapshot) in snapshots.iter().enumerate() {
        for trail in &snapshot.trails.items {
            if trail.home_region == snapshot.region {
                known.insert(
                    trail.trail_arn.clone(),
                    (trail.status.clone(), trail.event_selectors.clone()),
                );
            }
        }
        for trail in &snapshot.trails.items {
            if !known.contains_key(&trail.trail_arn) {
                missing
                    .entry(trail.trail_arn.clone())
                    .or_insert_with(|| (trail.home_region.clone(), index));
            }
        }
    }
    missing.retain(|arn, _| !known.contains_key(arn));
    let fetched = join_all(missing.into_iter().map(|(arn, (home, index))| async move {
        let details = cloudtrail::details(caller, config, &arn, &home).await;
        (arn, index, details)
    }))
    .await;
    for (arn, index, details) in fetched {
        if let Some(snapshot) = snapshots.get_mut(index) {
            snapshot.trails.errors.extend(details.errors);
        }
        known.insert(arn, (details.status, details.event_selectors));
    }
    for snapshot in snapshots.iter_mut() {
        for trail in snapshot.trails.items.iter_mut() {
            fill(trail, &known);
        }
    }
}

fn fill(trail: &mut Trail, known: &BTreeMap<String, Details>) {
    if let Some((status, selectors)) = known.get(&trail.trail_arn) {
        if trail.status.is_none() {
            trail.status = status.clone();
        }
        if trail.event_selectors.is_none() {
            trail.event_selectors = selectors.clone();
        }
    }
}
