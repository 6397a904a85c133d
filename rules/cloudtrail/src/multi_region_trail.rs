use trailwarden_sdk::chain::reason as chain_reason;
use trailwarden_sdk::events::{RecordBuilder, cis, kms};
use trailwarden_sdk::prelude::*;
use trailwarden_sdk::selectors::{Capture, trail_captures};

use crate::helpers::{trail_resource, trails_unverifiable};
use crate::reason;

/// The account has a multi-region trail that is logging and records every management event,
/// read and write, from every event source.
///
/// ## What it checks
/// At least one trail (deduplicated across the regions it shadows, with status and selectors
/// read in its home region) is multi-region, is logging, and its event selectors capture read
/// and write management events from all sources. The selectors are evaluated on realistic
/// CloudTrail records (KMS, IAM, EC2, S3, CloudTrail, Config, Organizations, sign-in and RDS
/// Data API calls, read and write), so basic selectors (`ReadWriteType`,
/// `ExcludeManagementEventSources`) and advanced selectors (`eventCategory`, `readOnly`,
/// `eventSource`, …) are judged by what they do. An advanced selector that filters on any
/// field other than `eventCategory` and `readOnly` drops some management events by design.
///
/// ## Why it matters
/// Every KMS alarm downstream reads this trail. A regional trail leaves the other regions
/// dark; a `WriteOnly` trail drops failed `Decrypt` calls; excluding `kms.amazonaws.com`
/// removes exactly the events that show a key being disabled.
///
/// ## Example
/// Failing: a trail with `"IsMultiRegionTrail": false`, or a basic selector with
/// `"ReadWriteType": "WriteOnly"` or `"ExcludeManagementEventSources": ["kms.amazonaws.com"]`.
/// Passing: a multi-region trail, logging, with `"ReadWriteType": "All"`,
/// `"IncludeManagementEvents": true` and no excluded sources (or no selectors at all).
///
/// ## How to fix
/// ```sh
/// aws cloudtrail update-trail --name <trail> --is-multi-region-trail
/// aws cloudtrail put-event-selectors --trail-name <trail> \
///   --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'
/// aws cloudtrail start-logging --name <trail>
/// ```
/// CloudFormation: `IsMultiRegionTrail: true`, `IsLogging: true` and
/// `EventSelectors: [{ReadWriteType: All, IncludeManagementEvents: true}]` on the
/// `AWS::CloudTrail::Trail`. Terraform: `is_multi_region_trail = true` and an `event_selector`
/// with `read_write_type = "All"` on `aws_cloudtrail`.
///
/// ## References
/// - CIS AWS Foundations v1.4.0 3.1 (v1.2.0 2.1); AWS Security Hub CloudTrail.1
/// - <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html>
#[rule(
    id = "TW-CT-001",
    name = "multi-region-trail",
    level = "error",
    security_severity = 7.5,
    precision = "very-high",
    help_uri = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html",
    tags = ["cloudtrail", "logging", "cis"],
    cis = [
        "v1.4.0 3.1 Ensure CloudTrail is enabled in all regions",
        "v1.2.0 2.1 Ensure CloudTrail is enabled in all regions",
        "v3.0.0 3.1 Ensure CloudTrail is enabled in all regions",
        "v4.0.1 3.1 Ensure CloudTrail is enabled in all regions",
        "v5.0.0 3.1 Ensure CloudTrail is enabled in all regions",
    ],
    security_hub = ["CloudTrail.1"],
    needs = ["trails"]
)]
pub fn multi_region_trail(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    if let Some(unverifiable) = trails_unverifiable(snapshot) {
        return Ok(vec![unverifiable]);
    }
    let samples = sample_records(&snapshot.account.id);
    let mut verdicts: Vec<(Gap, &Trail)> = Vec::new();
    for trail in snapshot.unique_trails() {
        match judge(trail, &samples) {
            None => return Ok(Vec::new()),
            Some(gap) => verdicts.push((gap, trail)),
        }
    }
    let account = &snapshot.account.id;
    let best = verdicts.iter().max_by_key(|(p, _)| p.rank());
    let finding = match best {
        None => Finding::fail(
            chain_reason::NO_TRAIL,
            "no CloudTrail trail exists, so no management event is recorded in any region",
        ),
        Some((progress, trail)) => {
            let mut finding = progress
                .finding(trail, account)
                .resource(trail_resource(trail));
            for (_, other) in verdicts
                .iter()
                .filter(|(_, t)| t.trail_arn != trail.trail_arn)
            {
                finding = finding.related(trail_resource(other));
            }
            finding
        }
    };
    Ok(vec![finding.account(account)])
}

/// What keeps a trail from "records everything, everywhere", in the order the checks run.
enum Gap {
    NotMultiRegion,
    StatusUnknown,
    NotLogging,
    SelectorsUnknown,
    Drops(String),
}

impl Gap {
    fn rank(&self) -> u8 {
        match self {
            Gap::NotMultiRegion => 0,
            Gap::NotLogging => 1,
            Gap::StatusUnknown => 2,
            Gap::Drops(_) => 3,
            Gap::SelectorsUnknown => 4,
        }
    }

    fn finding(&self, trail: &Trail, account: &str) -> Finding {
        let name = &trail.name;
        let foreign = trail.owner_account().filter(|owner| *owner != account);
        match (self, foreign) {
            (Gap::StatusUnknown | Gap::SelectorsUnknown, Some(owner)) => Finding::unverifiable(
                chain_reason::TRAIL_OWNED_ELSEWHERE,
                format!(
                    "trail `{name}` is owned by account {owner}, so its status and selectors cannot be read here; check it in account {owner}"
                ),
            ),
            (Gap::NotMultiRegion, _) => Finding::fail(
                reason::TRAIL_NOT_MULTI_REGION,
                format!(
                    "no multi-region trail records management events: the best candidate, `{name}`, only records {}",
                    trail.home_region
                ),
            ),
            (Gap::StatusUnknown, None) => Finding::unverifiable(
                reason::TRAIL_STATUS_UNKNOWN,
                format!(
                    "could not verify that trail `{name}` is logging: its status was not collected"
                ),
            ),
            (Gap::NotLogging, _) => Finding::fail(
                chain_reason::TRAIL_NOT_LOGGING,
                format!(
                    "multi-region trail `{name}` is stopped, so it records nothing; start logging"
                ),
            ),
            (Gap::SelectorsUnknown, None) => Finding::unverifiable(
                reason::TRAIL_SELECTORS_UNKNOWN,
                format!(
                    "could not verify which events trail `{name}` records: its event selectors were not collected"
                ),
            ),
            (Gap::Drops(why), _) => Finding::fail(
                reason::TRAIL_DROPS_MANAGEMENT_EVENTS,
                format!(
                    "multi-region trail `{name}` does not record every management event: {why}"
                ),
            ),
        }
    }
}

/// `None` when the trail records every management event everywhere; otherwise the first gap.
fn judge(trail: &Trail, samples: &[serde_json::Value]) -> Option<Gap> {
    if !trail.is_multi_region_trail {
        return Some(Gap::NotMultiRegion);
    }
    match &trail.status {
        None => return Some(Gap::StatusUnknown),
        Some(status) if !status.is_logging => return Some(Gap::NotLogging),
        Some(_) => {}
    }
    let Some(selectors) = trail.event_selectors.as_ref() else {
        return Some(Gap::SelectorsUnknown);
    };
    for record in samples {
        match trail_captures(Some(selectors), record) {
            Capture::Captured(_) => {}
            Capture::Unknown => return Some(Gap::SelectorsUnknown),
            Capture::Dropped(reasons) => {
                let event = format!(
                    "{} {} ({})",
                    record["eventSource"].as_str().unwrap_or("?"),
                    record["eventName"].as_str().unwrap_or("?"),
                    if record["readOnly"].as_bool() == Some(true) {
                        "read-only"
                    } else {
                        "write"
                    }
                );
                let why: Vec<String> = reasons.iter().map(ToString::to_string).collect();
                return Some(Gap::Drops(format!(
                    "it drops {event} because {}",
                    why.join("; ")
                )));
            }
        }
    }
    if let Some(name) = narrowing_advanced_selector(selectors) {
        return Some(Gap::Drops(format!(
            "{name} filters on fields other than eventCategory and readOnly, so some event sources or names are left out"
        )));
    }
    None
}

/// An advanced selector for management events that narrows by source, name or anything else:
/// sample records cannot prove every source is kept, so the structure is checked too.
fn narrowing_advanced_selector(selectors: &EventSelectors) -> Option<String> {
    selectors
        .advanced_event_selectors
        .iter()
        .enumerate()
        .find(|(_, selector)| {
            let management = selector
                .field_selectors
                .iter()
                .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"));
            management
                && selector
                    .field_selectors
                    .iter()
                    .any(|f| f.field != "eventCategory" && f.field != "readOnly")
        })
        .map(|(index, selector)| match &selector.name {
            Some(name) => format!("advanced selector '{name}'"),
            None => format!("advanced selector {index}"),
        })
}

/// Management events, read and write, from the sources monitoring depends on, plus the two
/// sources that `ExcludeManagementEventSources` can drop (KMS and the RDS Data API).
fn sample_records(account: &str) -> Vec<serde_json::Value> {
    let region = "us-east-1";
    let mut records = kms::all(region, account);
    for control in cis::CIS_CONTROLS.iter() {
        records.extend((control.records)(region, account));
    }
    for read_only in [true, false] {
        records.push(
            RecordBuilder::new("rdsdata.amazonaws.com", "ExecuteStatement")
                .read_only(read_only)
                .region(region)
                .account(account)
                .build(),
        );
    }
    records.retain(|r| r["managementEvent"].as_bool() != Some(false));
    records
}
