//! The region fan-out: every region collected at once, each region's services at once, with
//! the [`Caller`]'s semaphore bounding the calls in flight over all of them.
//!
//! Regions run as separate tokio tasks so that decoding large responses (thousands of metric
//! filters) uses every core. Trail status and selectors are read in the trail's home region:
//! inside that region's task when it is collected, afterwards (one call pair per trail) when it
//! is not, and then copied onto every shadow copy so each region's view is complete.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use futures_util::future::{BoxFuture, join_all};
use tokio::task::JoinSet;
use trailwarden_sdk::sections::{SectionData, SectionName, SectionSet, SectionState};
use trailwarden_sdk::snapshot::{
    CollectionError, EventSelectors, RegionSnapshot, Section, Trail, TrailStatus,
};

use super::calls::Caller;
use super::{cloudtrail, cloudwatch, eventbridge, kms, logs, sns};

/// Collects `regions`, returning one snapshot per region in the order given.
pub async fn collect(
    caller: &Caller,
    config: &SdkConfig,
    regions: &[String],
    needs: SectionSet,
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
    if needs.contains(SectionName::Trails) {
        caller.progress().phase("trail details");
        complete_trails(caller, config, &mut snapshots).await;
    }
    snapshots
}

/// One region, every needed section concurrently.
async fn collect_region(
    caller: &Caller,
    config: &SdkConfig,
    region: &str,
    needs: SectionSet,
    redact: bool,
) -> RegionSnapshot {
    let calls = needs
        .iter()
        .filter_map(|name| collect_section(caller, config, region, name, needs, redact));
    let mut snapshot = RegionSnapshot::uniform(region, needs, &SectionState::NotCollected);
    for data in join_all(calls).await.into_iter().flatten() {
        snapshot.put(data);
    }
    snapshot
}

/// The calls that fill the regional section `name`, or `None` when another section's calls
/// fill it too (metric and composite alarms come from one `DescribeAlarms`; the KMS sections
/// from one task that lists the keys once, [`kms::collect`]; the SNS ones from one
/// `GetTopicAttributes` per topic, [`sns::collect`]) or it is not regional. The match is
/// exhaustive on purpose: a new section does not compile until it says how it is collected.
fn collect_section<'a>(
    caller: &'a Caller,
    config: &'a SdkConfig,
    region: &'a str,
    name: SectionName,
    needs: SectionSet,
    redact: bool,
) -> Option<BoxFuture<'a, Vec<SectionData>>> {
    let alarms = |metric: bool, composite: bool| -> BoxFuture<'a, Vec<SectionData>> {
        Box::pin(async move {
            let (metrics, composites) =
                cloudwatch::alarms(caller, config, region, metric, composite).await;
            let mut parts = Vec::new();
            if metric {
                parts.push(SectionData::MetricAlarms(metrics));
            }
            if composite {
                parts.push(SectionData::CompositeAlarms(composites));
            }
            parts
        })
    };
    // The first of `group` that `needs` has starts the group's task; the others ride on it.
    let starts = |group: &[SectionName]| group.iter().find(|s| needs.contains(**s)) == Some(&name);
    Some(match name {
        SectionName::Trails => Box::pin(async move {
            vec![SectionData::Trails(
                home_trails(caller, config, region).await,
            )]
        }),
        SectionName::LogGroups => Box::pin(async move {
            vec![SectionData::LogGroups(
                logs::log_groups(caller, config, region).await,
            )]
        }),
        SectionName::MetricFilters => Box::pin(async move {
            vec![SectionData::MetricFilters(
                logs::metric_filters(caller, config, region).await,
            )]
        }),
        SectionName::MetricAlarms => alarms(true, needs.contains(SectionName::CompositeAlarms)),
        SectionName::CompositeAlarms if needs.contains(SectionName::MetricAlarms) => return None,
        SectionName::CompositeAlarms => alarms(false, true),
        SectionName::Topics
        | SectionName::TopicPolicies
        | SectionName::TopicDeliveries
        | SectionName::SubscriptionAttributes
            if starts(&sns::SECTIONS) =>
        {
            Box::pin(sns::collect(caller, config, region, needs, redact))
        }
        SectionName::Topics
        | SectionName::TopicPolicies
        | SectionName::TopicDeliveries
        | SectionName::SubscriptionAttributes => {
            return None;
        }
        SectionName::EventRules => Box::pin(async move {
            vec![SectionData::EventRules(
                eventbridge::rules(caller, config, region).await,
            )]
        }),
        SectionName::KmsKeys
        | SectionName::KeyRotations
        | SectionName::KeyPolicies
        | SectionName::KeyTags
            if starts(&kms::SECTIONS) =>
        {
            Box::pin(kms::collect(caller, config, region, needs))
        }
        SectionName::KmsKeys
        | SectionName::KeyRotations
        | SectionName::KeyPolicies
        | SectionName::KeyTags => return None,
        SectionName::LogAlarms => Box::pin(async move {
            vec![SectionData::LogAlarms(
                cloudwatch::log_alarms(caller, config, region).await,
            )]
        }),
        // Account-wide: collected once, by `events::collect`.
        SectionName::Events => return None,
    })
}

/// The trails listed in `region`, with status and selectors read here for those whose home
/// region this is (concurrently).
async fn home_trails(caller: &Caller, config: &SdkConfig, region: &str) -> Section<Trail> {
    let mut trails = cloudtrail::trails(caller, config, region).await;
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
}

/// A region whose task died: every needed section failed.
fn failed_region(region: &str, needs: SectionSet) -> RegionSnapshot {
    let error = CollectionError {
        service: "trailwarden".to_owned(),
        operation: "CollectRegion".to_owned(),
        region: Some(region.to_owned()),
        code: "InternalError".to_owned(),
        message: "the collection task for this region failed; see the log".to_owned(),
    };
    RegionSnapshot::uniform(region, needs, &SectionState::Failed(error))
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
