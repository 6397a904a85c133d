use trailwarden_sdk::chain::log_group::delivery;
use trailwarden_sdk::prelude::*;

use crate::helpers::{owner_note, trail_resource, trails_unverifiable};

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
    cis = ["v1.4.0 3.4", "v1.2.0 2.4", "v3.0.0 3.4"],
    security_hub = ["CloudTrail.5"],
    needs = ["trails", "logGroups"]
)]
pub fn cloudwatch_delivery(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
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
                "NO_LOGGING_TRAIL",
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
                if let Some(error) = error {
                    findings.push(
                        base(Finding::fail(
                            "CLOUDWATCH_DELIVERY_FAILING",
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
