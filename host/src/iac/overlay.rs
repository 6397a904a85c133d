//! Planned resources into a snapshot: alone (the code is the whole account), or over a
//! deployed account (`--snapshot` or a live collection), where a planned resource replaces the
//! deployed one of the same identity and adds to the rest.
//!
//! Alone, every section the code can describe counts as collected: a template without a trail
//! is judged as an account without one, which is what deploying it alone would give; the
//! report says so (see [`ALONE_ASSUMPTION`]). What code cannot describe (delivery counts,
//! CloudTrail records) stays not collected, so rules needing it report "could not verify".

use std::collections::HashMap;

use trailwarden_sdk::snapshot::{
    Account, Generator, RegionSnapshot, SCHEMA_VERSION, Section, Snapshot,
};

use super::{Assumption, IacDocument, Planned, PlannedResource};

/// Stated when `--iac` runs without a deployed account under it.
pub const ALONE_ASSUMPTION: &str = "the infrastructure code is checked alone, as if it were the whole \
     account: a link it does not define (a trail, a topic) counts as missing; add --snapshot FILE \
     or a live collection to check it over what is deployed";

/// An empty, collected region: what the code describes of it starts empty.
fn region_of_code(region: &str) -> RegionSnapshot {
    RegionSnapshot {
        region: region.to_owned(),
        trails: Section::of(Vec::new()),
        log_groups: Section::of(Vec::new()),
        metric_filters: Section::of(Vec::new()),
        metric_alarms: Section::of(Vec::new()),
        composite_alarms: Section::of(Vec::new()),
        topics: Section::of(Vec::new()),
        event_rules: Section::of(Vec::new()),
        kms_keys: Section::of(Vec::new()),
        key_rotations: Section::of(Vec::new()),
        key_policies: Section::of(Vec::new()),
        key_tags: Section::not_collected(),
        topic_policies: Section::of(Vec::new()),
        topic_deliveries: Section::not_collected(),
        // Filter policies and endpoints of planned subscriptions are not read from the code
        // yet: not collected, so a confirmed subscription is taken to deliver, as the chain
        // does for an account collected without the section.
        subscription_attributes: Section::not_collected(),
        log_alarms: Section::not_collected(),
    }
}

/// The snapshot the rules judge: `base` (a deployed account) with the documents' resources
/// laid over it, or the documents alone. Returns the assumptions the overlay itself adds.
pub fn build(
    documents: &[IacDocument],
    base: Option<Snapshot>,
    account: &str,
    partition: &str,
) -> (Snapshot, Vec<Assumption>) {
    let mut assumptions = Vec::new();
    let mut snapshot = base.unwrap_or_else(|| Snapshot {
        schema_version: SCHEMA_VERSION,
        generator: Generator {
            tool: Some(format!("trailwarden {} (--iac)", env!("CARGO_PKG_VERSION"))),
            collected_at: None,
            events_window: None,
        },
        account: Account {
            id: account.to_owned(),
            partition: partition.to_owned(),
            organization_id: None,
            alias: None,
        },
        regions: Vec::new(),
        events: Section::not_collected(),
        errors: Vec::new(),
        linked_accounts: Vec::new(),
        centralization_rules: Vec::new(),
    });
    let all: Vec<&PlannedResource> = documents.iter().flat_map(|d| &d.resources).collect();
    // Topics before their subscriptions, keys before their aliases.
    let rank = |p: &&PlannedResource| match p.resource {
        Planned::Subscription { .. }
        | Planned::KeyAlias { .. }
        | Planned::TopicPolicyResource(_) => 1,
        _ => 0,
    };
    let mut ordered = all.clone();
    ordered.sort_by_key(rank);
    let mut index = Index::default();
    for planned in &ordered {
        if let Planned::Trail(trail) = &planned.resource {
            // A trail the code defines replaces the deployed one everywhere it is listed,
            // shadow copies in other regions included.
            for region in &mut snapshot.regions {
                region
                    .trails
                    .items
                    .retain(|t| t.trail_arn != trail.trail_arn);
            }
        }
        let region = region_mut(&mut snapshot, &planned.region);
        if let Err(text) = apply(region, &planned.resource, &mut index) {
            assumptions.push(Assumption {
                resource: None,
                file: String::new(),
                line: None,
                text,
            });
        }
    }
    // DescribeTrails lists a multi-region trail in every region it covers (a shadow trail);
    // the code's trail is listed the same way, so per-region rules see it as a collection would.
    for planned in &ordered {
        if let Planned::Trail(trail) = &planned.resource
            && trail.is_multi_region_trail
        {
            for region in &mut snapshot.regions {
                if region.region != trail.home_region
                    && !region
                        .trails
                        .items
                        .iter()
                        .any(|t| t.trail_arn == trail.trail_arn)
                {
                    region.trails.items.push(trail.clone());
                }
            }
        }
    }
    (snapshot, assumptions)
}

fn region_mut<'a>(snapshot: &'a mut Snapshot, region: &str) -> &'a mut RegionSnapshot {
    let index = match snapshot.regions.iter().position(|r| r.region == region) {
        Some(index) => index,
        None => {
            snapshot.regions.push(region_of_code(region));
            snapshot.regions.sort_by(|a, b| a.region.cmp(&b.region));
            snapshot
                .regions
                .iter()
                .position(|r| r.region == region)
                .unwrap_or(0)
        }
    };
    &mut snapshot.regions[index]
}

/// Replaces the item `same` finds, or appends. Linear: for trails, which are few and which
/// [`build`] also removes across regions.
fn upsert<T>(section: &mut Section<T>, item: T, same: impl Fn(&T, &T) -> bool) {
    match section
        .items
        .iter()
        .position(|existing| same(existing, &item))
    {
        Some(index) => section.items[index] = item,
        None => section.items.push(item),
    }
}

/// Where each item of a section is, by identity: generated code holds tens of thousands of
/// log groups and filters, and a linear search per planned resource made laying them over a
/// snapshot quadratic. Built for a (region, section) on first use, from what is there.
#[derive(Default)]
struct Index(HashMap<(String, &'static str), HashMap<String, usize>>);

impl Index {
    /// Replaces the item of `section` (called `name`, in `region`) whose `key` is `item`'s,
    /// or appends it.
    fn upsert<T>(
        &mut self,
        region: &str,
        name: &'static str,
        section: &mut Section<T>,
        item: T,
        key: impl Fn(&T) -> String,
    ) {
        let positions = self.0.entry((region.to_owned(), name)).or_insert_with(|| {
            section
                .items
                .iter()
                .enumerate()
                .map(|(at, existing)| (key(existing), at))
                .collect()
        });
        let wanted = key(&item);
        match positions.get(&wanted) {
            Some(&at) if at < section.items.len() => section.items[at] = item,
            _ => {
                positions.insert(wanted, section.items.len());
                section.items.push(item);
            }
        }
    }
}

/// Lays one planned resource into its region; an error is a sentence for the report.
fn apply(region: &mut RegionSnapshot, planned: &Planned, index: &mut Index) -> Result<(), String> {
    let here = region.region.clone();
    match planned.clone() {
        Planned::Trail(trail) => {
            upsert(&mut region.trails, trail, |a, b| a.trail_arn == b.trail_arn)
        }
        Planned::LogGroup(group) => {
            index.upsert(&here, "logGroups", &mut region.log_groups, group, |g| {
                g.log_group_name.clone()
            });
        }
        Planned::MetricFilter(filter) => {
            index.upsert(
                &here,
                "metricFilters",
                &mut region.metric_filters,
                filter,
                |f| format!("{}\u{0}{}", f.log_group_name, f.filter_name),
            );
        }
        Planned::MetricAlarm(alarm) => {
            index.upsert(
                &here,
                "metricAlarms",
                &mut region.metric_alarms,
                alarm,
                |a| a.alarm_name.clone(),
            );
        }
        Planned::CompositeAlarm(alarm) => {
            index.upsert(
                &here,
                "compositeAlarms",
                &mut region.composite_alarms,
                alarm,
                |a| a.alarm_name.clone(),
            );
        }
        Planned::Topic(topic) => {
            upsert(&mut region.topics, topic, |a, b| a.topic_arn == b.topic_arn)
        }
        Planned::Subscription {
            topic_arn,
            subscription,
        } => {
            let topic = region
                .topics
                .items
                .iter_mut()
                .find(|t| t.topic_arn == topic_arn)
                .ok_or_else(|| {
                    format!(
                        "a subscription is declared for topic {topic_arn}, which neither the code \
                         nor the deployed account defines, so it could not be attached"
                    )
                })?;
            topic.subscriptions.push(subscription);
        }
        Planned::TopicPolicy(policy) | Planned::TopicPolicyResource(policy) => {
            upsert(&mut region.topic_policies, policy, |a, b| {
                a.topic_arn == b.topic_arn
            })
        }
        Planned::EventRule(rule) => upsert(&mut region.event_rules, rule, |a, b| a.arn == b.arn),
        Planned::KmsKey {
            key,
            rotation,
            policy,
        } => {
            upsert(&mut region.kms_keys, key, |a, b| a.arn == b.arn);
            if let Some(rotation) = rotation {
                upsert(&mut region.key_rotations, rotation, |a, b| {
                    a.key_arn == b.key_arn
                });
            }
            if let Some(policy) = policy {
                upsert(&mut region.key_policies, policy, |a, b| {
                    a.key_arn == b.key_arn
                });
            }
        }
        Planned::KeyAlias { target, alias } => {
            let key = region
                .kms_keys
                .items
                .iter_mut()
                .find(|k| k.arn == target || k.key_id == target)
                .ok_or_else(|| format!("alias {alias} names key {target}, which is not known"))?;
            if !key.aliases.contains(&alias) {
                key.aliases.push(alias);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailwarden_sdk::snapshot::{LogGroup, Subscription, Topic};

    fn doc(resources: Vec<Planned>) -> IacDocument {
        IacDocument {
            resources: resources
                .into_iter()
                .map(|resource| PlannedResource {
                    region: "eu-west-1".into(),
                    resource,
                })
                .collect(),
            ..IacDocument::default()
        }
    }

    fn group(name: &str, retention: Option<u32>) -> LogGroup {
        LogGroup {
            log_group_name: name.into(),
            arn: format!("arn:aws:logs:eu-west-1:1:log-group:{name}"),
            retention_in_days: retention,
            kms_key_id: None,
            log_group_class: None,
        }
    }

    #[test]
    fn planned_resources_replace_deployed_ones_of_the_same_identity() {
        let (base, _) = build(
            &[doc(vec![
                Planned::LogGroup(group("a", Some(1))),
                Planned::LogGroup(group("b", None)),
            ])],
            None,
            "1",
            "aws",
        );
        let (merged, notes) = build(
            &[doc(vec![Planned::LogGroup(group("a", Some(30)))])],
            Some(base),
            "1",
            "aws",
        );
        assert!(notes.is_empty());
        let groups = &merged.regions[0].log_groups.items;
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].retention_in_days, Some(30));
    }

    #[test]
    fn a_planned_multi_region_trail_replaces_every_deployed_copy() {
        use trailwarden_sdk::snapshot::Trail;
        let trail = |multi: bool| Trail {
            name: "t".into(),
            trail_arn: "arn:aws:cloudtrail:eu-west-1:1:trail/t".into(),
            home_region: "eu-west-1".into(),
            is_multi_region_trail: multi,
            is_organization_trail: false,
            include_global_service_events: true,
            s3_bucket_name: None,
            kms_key_id: None,
            log_file_validation_enabled: false,
            cloud_watch_logs_log_group_arn: None,
            cloud_watch_logs_role_arn: None,
            status: None,
            event_selectors: None,
        };
        let mut base = build(&[], None, "1", "aws").0;
        for region in ["eu-west-1", "us-east-1"] {
            let mut r = region_of_code(region);
            r.trails.items.push(trail(true));
            base.regions.push(r);
        }
        // The pull request makes the trail single-region: the shadow copy goes too.
        let (merged, _) = build(
            &[doc(vec![Planned::Trail(trail(false))])],
            Some(base.clone()),
            "1",
            "aws",
        );
        let listed: Vec<usize> = merged
            .regions
            .iter()
            .map(|r| r.trails.items.len())
            .collect();
        assert_eq!(listed, [1, 0]);
        assert!(!merged.regions[0].trails.items[0].is_multi_region_trail);
        // A multi-region trail is listed in every region.
        let (merged, _) = build(
            &[doc(vec![Planned::Trail(trail(true))])],
            Some(base),
            "1",
            "aws",
        );
        let listed: Vec<usize> = merged
            .regions
            .iter()
            .map(|r| r.trails.items.len())
            .collect();
        assert_eq!(listed, [1, 1]);
    }

    #[test]
    fn subscriptions_join_their_topic_or_say_why_not() {
        let topic = Topic {
            topic_arn: "arn:aws:sns:eu-west-1:1:t".into(),
            kms_master_key_id: None,
            subscriptions: Vec::new(),
        };
        let subscription = Subscription {
            subscription_arn: "PendingConfirmation".into(),
            protocol: "email".into(),
            endpoint: "<redacted>".into(),
        };
        let (snapshot, notes) = build(
            &[doc(vec![
                Planned::Subscription {
                    topic_arn: topic.topic_arn.clone(),
                    subscription: subscription.clone(),
                },
                Planned::Topic(topic),
                Planned::Subscription {
                    topic_arn: "arn:aws:sns:eu-west-1:1:elsewhere".into(),
                    subscription,
                },
            ])],
            None,
            "1",
            "aws",
        );
        assert_eq!(snapshot.regions[0].topics.items[0].subscriptions.len(), 1);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].text.contains("elsewhere"), "{notes:?}");
    }
}
