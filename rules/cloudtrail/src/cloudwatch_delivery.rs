use serde::Deserialize;
use trailwarden_sdk::chain::delivery;
use trailwarden_sdk::prelude::*;
use trailwarden_sdk::time::parse_rfc3339;

use crate::helpers::{owner_note, trail_resource, trails_unverifiable};
use crate::reason;

/// Every logging trail delivers its events to a CloudWatch Logs log group that exists, and
/// delivery is not failing.
///
/// ## What it checks
/// For each trail that is logging (deduplicated across regions, read in its home region):
/// `CloudWatchLogsLogGroupArn` is set; the log group it names exists in that account and
/// region (a group with the same name elsewhere is not it) and is of the Standard class, which
/// supports metric filters; and `GetTrailStatus` reports no
/// `LatestCloudWatchLogsDeliveryError` (an expired role or a deleted group shows there). A log
/// group in another account is reported as could-not-verify. An account with no logging trail
/// fails outright.
///
/// ## Why it matters
/// Metric filters and alarms only see what reaches CloudWatch Logs. A trail without a log group
/// keeps writing to S3 while every alarm downstream waits for events that never come.
///
/// ## Example
/// Failing: a trail whose status shows `"LatestCloudWatchLogsDeliveryError": "AccessDenied"`
/// after its `CloudWatchLogsRoleArn` role was deleted. Passing: a trail with a log group ARN
/// that exists and a recent `LatestCloudWatchLogsDeliveryTime`.
///
/// ## How to fix
/// ```sh
/// aws logs create-log-group --log-group-name aws-cloudtrail-logs
/// aws cloudtrail update-trail --name <trail> \
///   --cloud-watch-logs-log-group-arn arn:aws:logs:<region>:<account>:log-group:aws-cloudtrail-logs:* \
///   --cloud-watch-logs-role-arn arn:aws:iam::<account>:role/CloudTrailToCloudWatchLogs
/// ```
/// CloudFormation: `CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn` and
/// `CloudWatchLogsRoleArn: !GetAtt TrailToLogsRole.Arn` on the `AWS::CloudTrail::Trail`.
/// Terraform: `cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"` and
/// `cloud_watch_logs_role_arn` on `aws_cloudtrail`.
///
/// ## References
/// - CIS AWS Foundations v1.4.0 3.4 (v1.2.0 2.4); AWS Security Hub CloudTrail.5
/// - <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html>
#[rule(
    id = "TW-CT-002",
    name = "cloudwatch-logs-delivery",
    level = "error",
    security_severity = 6.0,
    precision = "very-high",
    help_uri = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html",
    tags = ["cloudtrail", "logging", "cis"],
    cis = [
        "v1.4.0 3.4 Ensure CloudTrail trails are integrated with CloudWatch Logs",
        "v1.2.0 2.4 Ensure CloudTrail trails are integrated with CloudWatch Logs",
    ],
    security_hub = ["CloudTrail.5"],
    needs = ["trails", "logGroups"],
    settings = DeliverySettings
)]
pub fn cloudwatch_delivery(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let settings: DeliverySettings = ctx.settings()?;
    // "Recent" is judged at collection time, so a saved snapshot checked later keeps its
    // verdict: the collection time of the account whose copy of the trail's status was read (an
    // organization trail's owner, when the run holds it).
    let collected_for = |trail: &Trail| {
        trail
            .owner_account()
            .and_then(|owner| snapshot.account_view(owner))
            .unwrap_or(snapshot)
            .generator
            .collected_at
            .as_deref()
            .or(ctx.now())
            .and_then(|t| parse_rfc3339(t).ok())
    };
    if let Some(unverifiable) = trails_unverifiable(snapshot) {
        return Ok(vec![unverifiable]);
    }
    let account = &snapshot.account.id;
    let logging: Vec<&Trail> = snapshot
        .unique_trails()
        .into_iter()
        .filter(|t| t.status.as_ref().is_some_and(|s| s.is_logging))
        .collect();
    if logging.is_empty() {
        return Ok(vec![
            Finding::fail(
                reason::NO_LOGGING_TRAIL,
                "no trail is logging, so nothing is delivered to CloudWatch Logs and no metric filter sees an event",
            )
            .account(account),
        ]);
    }
    let mut findings = Vec::new();
    for trail in logging {
        let base = |finding: Finding| {
            finding
                .account(account)
                .region(&trail.home_region)
                .resource(trail_resource(trail))
        };
        let owner = owner_note(snapshot, trail);
        match delivery(snapshot, trail) {
            Err(no) => {
                let message = format!("trail `{}` {}{owner}", trail.name, no.why);
                let mut finding = if no.unverifiable {
                    base(Finding::unverifiable(no.reason, message))
                } else {
                    base(Finding::fail(no.reason, message))
                };
                if let Some(group) = no.log_group {
                    finding = finding.related(group);
                }
                findings.push(finding);
            }
            Ok(delivered) => {
                let error = trail
                    .status
                    .as_ref()
                    .and_then(|s| s.latest_cloud_watch_logs_delivery_error.as_deref())
                    .filter(|e| !e.is_empty());
                let stale =
                    stale_delivery(trail, collected_for(trail), settings.max_delivery_age_hours);
                if error.is_none()
                    && let Some((last, hours)) = stale
                {
                    findings.push(
                        base(Finding::fail(
                            reason::CLOUDWATCH_DELIVERY_STALE,
                            format!(
                                "trail `{}` last delivered to log group `{}` at {last}, {hours} hours before the snapshot was taken, so recent events may not be reaching the alarms{owner}",
                                trail.name, delivered.log_group.log_group_name
                            ),
                        ))
                        .property("latestDeliveryTime", last),
                    );
                }
                if let Some(error) = error {
                    findings.push(
                        base(Finding::fail(
                            reason::CLOUDWATCH_DELIVERY_FAILING,
                            format!(
                                "trail `{}` fails to deliver to log group `{}` ({error}); check its CloudWatchLogsRoleArn and the group{owner}",
                                trail.name, delivered.log_group.log_group_name
                            ),
                        ))
                        .property("deliveryError", error),
                    );
                }
            }
        }
    }
    Ok(findings)
}

/// The last delivery time and its age in hours, when it is older than `max_hours` at
/// `collected`; `None` when it is recent or either time is unknown (no verdict either way).
fn stale_delivery(trail: &Trail, collected: Option<i64>, max_hours: u32) -> Option<(String, i64)> {
    let last = trail
        .status
        .as_ref()?
        .latest_cloud_watch_logs_delivery_time
        .as_deref()?;
    let age = collected? - parse_rfc3339(last).ok()?;
    let hours = age / 3600;
    (age > i64::from(max_hours) * 3600).then(|| (last.to_owned(), hours))
}

/// Settings of TW-CT-002.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySettings {
    /// How old the last delivery to CloudWatch Logs may be.
    pub max_delivery_age_hours: u32,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            max_delivery_age_hours: 24,
        }
    }
}

impl RuleSettings for DeliverySettings {
    fn describe() -> Vec<SettingMeta> {
        vec![SettingMeta {
            name: "max_delivery_age_hours".to_owned(),
            value_type: "integer".to_owned(),
            default: serde_json::json!(24),
            description: "How many hours before the snapshot was collected the last delivery to \
                          CloudWatch Logs may be; older means delivery has stopped"
                .to_owned(),
        }]
    }

    fn validate(&self) -> Result<(), String> {
        if self.max_delivery_age_hours == 0 {
            return Err("max_delivery_age_hours must be at least 1".to_owned());
        }
        Ok(())
    }
}
