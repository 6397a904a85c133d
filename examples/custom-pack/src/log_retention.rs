//! ACME-LOGS-001: the log group a trail delivers to keeps a year of events.

use serde::Deserialize;
use trailwarden_sdk::chain::reason::TRAILS_NOT_COLLECTED;
use trailwarden_sdk::chain::trail_resource;
use trailwarden_sdk::chain::{delivery, log_group_resource};
use trailwarden_sdk::prelude::*;

/// The longest retention CloudWatch Logs offers, in days (ten years).
const MAX_RETENTION_DAYS: u32 = 3653;

/// Reason code: a trail's log group keeps events for fewer days than `min_days`.
pub const LOG_RETENTION_TOO_SHORT: &str = "LOG_RETENTION_TOO_SHORT";

/// Settings of ACME-LOGS-001.
#[derive(Debug, Clone, Deserialize, RuleSettings)]
#[serde(default, deny_unknown_fields)]
#[settings(validate = RetentionSettings::check)]
pub struct RetentionSettings {
    /// The fewest days the log group of a trail must keep its events.
    pub min_days: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self { min_days: 365 }
    }
}

impl RetentionSettings {
    fn check(&self) -> Result<(), String> {
        if (1..=MAX_RETENTION_DAYS).contains(&self.min_days) {
            Ok(())
        } else {
            Err(format!(
                "`min_days` must be between 1 and {MAX_RETENTION_DAYS} (the longest retention CloudWatch Logs offers), not {}",
                self.min_days
            ))
        }
    }
}

/// The log group each trail delivers to keeps its events for at least `min_days` days (365 by
/// default).
///
/// ## What it checks
/// For each trail (once, however many regions list it) that delivers to CloudWatch Logs, the
/// log group it names (found by account, region and name) has no retention limit, or a
/// `retentionInDays` of at least `min_days`. Whether delivery works at all is TW-CT-002's job;
/// a log group this snapshot cannot see is reported as not verifiable.
///
/// ## Why it matters
/// The alarm says that something happened; the log group says what. ACME's incident process,
/// like PCI DSS 10.5.1, needs a year of audit history, and a log group created by the console
/// wizard may keep only a few days.
///
/// ## Example
/// Passing: `retentionInDays: 400`, or none (kept forever). Failing: `retentionInDays: 30`.
///
/// ## How to fix
/// ```sh
/// aws logs put-retention-policy --log-group-name <trail-log-group> --retention-in-days 400
/// ```
///
/// ## Settings
/// - `min_days` (default 365): the fewest days of events to keep, 1 to 3653.
///
/// ## References
/// - <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html>
#[rule(
    id = "ACME-LOGS-001",
    name = "trail-log-retention",
    level = "warning",
    security_severity = 3.0,
    tags = ["cloudtrail", "logs", "acme"],
    needs = ["trails", "logGroups"],
    settings = RetentionSettings
)]
pub fn trail_log_retention(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let settings: RetentionSettings = ctx.settings()?;
    let account = &snapshot.account.id;
    if let Some((region, why)) = snapshot.trails_incomplete() {
        return Ok(vec![
            Finding::unverifiable(
                TRAILS_NOT_COLLECTED,
                format!(
                    "could not verify log retention: the trails of {region} are not known ({why})"
                ),
            )
            .account(account)
            .region(region),
        ]);
    }
    let mut findings = Vec::new();
    for trail in snapshot.unique_trails() {
        if trail.cloud_watch_logs_log_group_arn.is_none() {
            continue;
        }
        match delivery(snapshot, trail) {
            Ok(delivered) => {
                let group = delivered.log_group;
                let Some(days) = group.retention_in_days else {
                    continue;
                };
                if days < settings.min_days {
                    findings.push(
                        Finding::fail(
                            LOG_RETENTION_TOO_SHORT,
                            format!(
                                "log group `{}` ({}) of trail `{}` keeps events {days} days, fewer than the {} required",
                                group.log_group_name, delivered.region, trail.name, settings.min_days
                            ),
                        )
                        .account(account)
                        .region(delivered.region)
                        .resource(log_group_resource(group))
                        .related(trail_resource(trail))
                        .property("retentionInDays", days)
                        .property("minDays", settings.min_days),
                    );
                }
            }
            Err(no) if no.unverifiable => findings.push(
                Finding::unverifiable(
                    no.reason,
                    format!(
                        "could not verify the log retention of trail `{}`: it {}",
                        trail.name, no.why
                    ),
                )
                .account(account)
                .resource(
                    no.log_group
                        .clone()
                        .unwrap_or_else(|| trail_resource(trail)),
                ),
            ),
            // No usable log group at all: TW-CT-002 reports that.
            Err(_) => {}
        }
    }
    Ok(findings)
}
