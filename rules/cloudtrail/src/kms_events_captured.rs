use trailwarden_sdk::chain::reason as chain_reason;
use trailwarden_sdk::chain::{TrailVerdict, trail_resource, trail_verdicts};
use trailwarden_sdk::events::{DEFAULT_REGION, event_label, in_region, kms};
use trailwarden_sdk::prelude::*;

use crate::reason;

/// KMS management events, read and write, are recorded by some trail in every enabled region.
///
/// ## What it checks
/// For a realistic `DisableKey` (write) and `Decrypt` (read-only) record from
/// `kms.amazonaws.com`, logged in each enabled region, some trail that is logging and covers
/// the region captures it under its event selectors. When none does, the finding names each
/// trail and the selector setting that drops the event: `ExcludeManagementEventSources`
/// containing `kms.amazonaws.com`, an advanced selector with `eventSource NotEquals
/// kms.amazonaws.com` or `readOnly Equals false`, or `ReadWriteType` `WriteOnly`. Regions that
/// fail the same way share one finding.
///
/// ## Why it matters
/// `ExcludeManagementEventSources: ["kms.amazonaws.com"]` is a documented cost saving that
/// removes exactly the events that show a key being disabled or deleted, and every KMS alarm
/// downstream goes silent. None of the common checkers report it.
///
/// ## Example
/// Failing: a basic selector `{"ReadWriteType": "All", "IncludeManagementEvents": true,
/// "ExcludeManagementEventSources": ["kms.amazonaws.com"]}`. Passing: the same selector with
/// `"ExcludeManagementEventSources": []`.
///
/// ## How to fix
/// ```sh
/// aws cloudtrail put-event-selectors --trail-name <trail> \
///   --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true,"ExcludeManagementEventSources":[]}]'
/// ```
/// CloudFormation: `EventSelectors: [{ReadWriteType: All, IncludeManagementEvents: true,
/// ExcludeManagementEventSources: []}]`. Terraform: remove `exclude_management_event_sources`
/// from the `event_selector` of `aws_cloudtrail`.
///
/// ## References
/// - <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html>
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html>
#[rule(
    id = "TW-CT-005",
    name = "kms-events-captured",
    level = "error",
    security_severity = 7.0,
    precision = "very-high",
    help_uri = "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html",
    tags = ["cloudtrail", "kms", "logging"],
    needs = ["trails"]
)]
pub fn kms_events_captured(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let account = snapshot.account.id.as_str();
    let samples = [
        kms::disable_key(DEFAULT_REGION, account),
        kms::decrypt(DEFAULT_REGION, account),
    ];
    let mut gaps: Vec<Gap> = Vec::new();
    for region in &snapshot.regions {
        for sample in &samples {
            let record = in_region(sample, &region.region, account);
            let Some(gap) = region_gap(snapshot, &region.region, &record) else {
                continue;
            };
            match gaps.iter_mut().find(|g| g.same(&gap)) {
                Some(kept) => kept.regions.push(region.region.clone()),
                None => gaps.push(gap),
            }
            break;
        }
    }
    Ok(gaps.into_iter().map(|gap| gap.finding(account)).collect())
}

/// Why a KMS event of one region is not recorded, shared by the regions it applies to.
struct Gap {
    unverifiable: bool,
    reason: &'static str,
    clause: String,
    trails: Vec<Resource>,
    regions: Vec<String>,
}

impl Gap {
    fn same(&self, other: &Gap) -> bool {
        self.reason == other.reason && self.clause == other.clause
    }

    fn finding(self, account: &str) -> Finding {
        let place = self.regions.join(", ");
        let mut finding = if self.unverifiable {
            Finding::unverifiable(
                self.reason,
                format!(
                    "could not verify that KMS events are recorded in {place}: {}",
                    self.clause
                ),
            )
        } else {
            Finding::fail(
                self.reason,
                format!("KMS events in {place} are not recorded: {}", self.clause),
            )
        }
        .account(account)
        .property("regions", serde_json::json!(self.regions));
        if let [region] = self.regions.as_slice() {
            finding = finding.region(region);
        }
        let mut trails = self.trails.into_iter();
        if let Some(first) = trails.next() {
            finding = finding.resource(first);
        }
        for other in trails {
            finding = finding.related(other);
        }
        finding
    }
}

/// `None` when some trail records `record` in `region`.
fn region_gap(snapshot: &Snapshot, region: &str, record: &serde_json::Value) -> Option<Gap> {
    let label = event_label(record);
    let gap = |unverifiable, reason, clause, trails| Gap {
        unverifiable,
        reason,
        clause,
        trails,
        regions: vec![region.to_owned()],
    };
    let verdicts = match trail_verdicts(snapshot, region, record) {
        Ok(verdicts) => verdicts,
        Err(why) => {
            return Some(gap(
                true,
                chain_reason::TRAILS_NOT_COLLECTED,
                why,
                Vec::new(),
            ));
        }
    };
    if verdicts
        .iter()
        .any(|v| matches!(v, TrailVerdict::Records(_)))
    {
        return None;
    }
    if verdicts.is_empty() {
        return Some(gap(
            false,
            chain_reason::NO_TRAIL,
            "no trail exists".to_owned(),
            Vec::new(),
        ));
    }
    let trails: Vec<Resource> = verdicts.iter().map(|v| trail_resource(v.trail())).collect();
    if let Some(TrailVerdict::Unknown(trail, why)) = verdicts
        .iter()
        .find(|v| matches!(v, TrailVerdict::Unknown(..)))
    {
        let clause = match trail
            .owner_account()
            .filter(|owner| *owner != snapshot.account.id)
        {
            Some(owner) => format!(
                "trail `{}` is owned by account {owner}; check its selectors there",
                trail.name
            ),
            None => format!("for trail `{}`, {why}", trail.name),
        };
        return Some(gap(true, chain_reason::TRAIL_STATE_UNKNOWN, clause, trails));
    }
    let clauses: Vec<String> = verdicts
        .iter()
        .filter_map(|v| match v {
            TrailVerdict::Misses(trail, _, why) => Some(format!("trail `{}` {why}", trail.name)),
            _ => None,
        })
        .collect();
    let reason = if verdicts.iter().any(|v| {
        matches!(
            v,
            TrailVerdict::Misses(_, chain_reason::TRAIL_DROPS_EVENT, _)
        )
    }) {
        reason::KMS_EVENTS_DROPPED
    } else {
        reason::KMS_EVENTS_NOT_RECORDED
    };
    let clause = format!("no trail records the {label} event: {}", clauses.join("; "));
    Some(gap(false, reason, clause, trails))
}
