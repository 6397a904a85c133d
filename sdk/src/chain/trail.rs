//! Link 1: which trails record a given event in a given region.
//!
//! A trail records an event of region `r` when it is logging, is multi-region or homed in `r`,
//! and its selectors capture the event. Status and selectors are read from the trail's home
//! copy (shadow trails carry neither). A trail owned by another account (an organization trail)
//! records the event, but its downstream links live in that account: followed there when the
//! run holds that account ([`Snapshot::linked_accounts`]), otherwise the caller is told where the
//! chain continues.

use super::reason;
use serde_json::Value;

pub(crate) use crate::events::{event_label, in_region};
use crate::finding::Resource;
use crate::selectors::{Capture, trail_captures};
use crate::snapshot::{Snapshot, Trail};

/// The CloudFormation type of a trail, for finding resources.
pub const TRAIL_KIND: &str = "AWS::CloudTrail::Trail";

/// A trail as a finding resource.
pub fn trail_resource(trail: &Trail) -> Resource {
    Resource::new(TRAIL_KIND, &trail.trail_arn, &trail.name).with_role("trail")
}

/// How one trail treats an event.
#[derive(Debug, Clone, PartialEq)]
pub enum TrailVerdict<'a> {
    /// The trail records the event.
    Records(&'a Trail),
    /// The trail does not record it: a reason code and a clause saying why ("is not logging").
    Misses(&'a Trail, &'static str, String),
    /// The trail's status or selectors are unknown; the clause says what is missing.
    Unknown(&'a Trail, String),
}

impl<'a> TrailVerdict<'a> {
    /// The trail judged.
    pub fn trail(&self) -> &'a Trail {
        match self {
            TrailVerdict::Records(t)
            | TrailVerdict::Misses(t, _, _)
            | TrailVerdict::Unknown(t, _) => t,
        }
    }
}

/// How every trail of the account treats `record` (whose `awsRegion` is `region`).
///
/// `Err` when the trail lists themselves are incomplete: then no verdict can be trusted.
pub fn trail_verdicts<'a>(
    snapshot: &'a Snapshot,
    region: &str,
    record: &Value,
) -> Result<Vec<TrailVerdict<'a>>, String> {
    if let Some((failed_region, why)) = snapshot.trails_incomplete() {
        return Err(format!(
            "the trail list of {failed_region} is incomplete: {why}"
        ));
    }
    let from_linked = snapshot.organization_trails_from_linked();
    if !from_linked.is_empty()
        && let Some((linked, (failed_region, why))) = snapshot
            .linked_accounts
            .iter()
            .find_map(|linked| linked.trails_incomplete().map(|gap| (linked, gap)))
    {
        return Err(format!(
            "the trail list of account {} in {failed_region} is incomplete: {why}",
            linked.account.id
        ));
    }
    let mut trails = snapshot.unique_trails();
    // The member's own listing of an organization trail (AWS shows it to members, often
    // without a status they may read) gives way to the owner's copy, which has both.
    trails.retain(|own| !from_linked.iter().any(|org| org.trail_arn == own.trail_arn));
    trails.extend(from_linked);
    Ok(trails
        .into_iter()
        .map(|trail| judge(trail, region, record))
        .collect())
}

/// How one trail treats `record` in `region`.
pub fn judge<'a>(trail: &'a Trail, region: &str, record: &Value) -> TrailVerdict<'a> {
    if !trail.is_multi_region_trail && trail.home_region != region {
        return TrailVerdict::Misses(
            trail,
            reason::TRAIL_NOT_IN_REGION,
            format!("is a single-region trail of {}", trail.home_region),
        );
    }
    match &trail.status {
        None => return TrailVerdict::Unknown(trail, "its status was not collected".to_owned()),
        Some(status) if !status.is_logging => {
            return TrailVerdict::Misses(
                trail,
                reason::TRAIL_NOT_LOGGING,
                "is not logging".to_owned(),
            );
        }
        Some(_) => {}
    }
    match trail_captures(trail.event_selectors.as_ref(), record) {
        Capture::Captured(_) => TrailVerdict::Records(trail),
        Capture::Unknown => {
            TrailVerdict::Unknown(trail, "its event selectors were not collected".to_owned())
        }
        Capture::Dropped(reasons) => {
            let why: Vec<String> = reasons.iter().map(ToString::to_string).collect();
            TrailVerdict::Misses(
                trail,
                reason::TRAIL_DROPS_EVENT,
                format!("drops it: {}", why.join("; ")),
            )
        }
    }
}
