//! ACME-KMS-001: failed KMS calls reach the security team's topic.

use serde::Deserialize;
use trailwarden_sdk::chain::Notify;
use trailwarden_sdk::chain::{CoveringPath, RegionVerdict};
use trailwarden_sdk::prelude::*;

/// Reason code: failed KMS calls are alarmed, but the alarm does not notify the security
/// team's topic.
pub const NOT_SECURITY_TOPIC: &str = "NOT_SECURITY_TOPIC";

/// Settings of ACME-KMS-001.
#[derive(Debug, Clone, Deserialize, RuleSettings)]
#[serde(default, deny_unknown_fields)]
#[settings(validate = SecurityTopicSettings::check)]
pub struct SecurityTopicSettings {
    /// The security team's SNS topic: a topic name (matched in any region of the account) or
    /// a topic ARN.
    pub topic: String,
}

impl Default for SecurityTopicSettings {
    fn default() -> Self {
        Self {
            topic: "security-alerts".to_owned(),
        }
    }
}

impl SecurityTopicSettings {
    fn check(&self) -> Result<(), String> {
        let name = self.topic.rsplit(':').next().unwrap_or_default();
        let valid = !name.is_empty()
            && name.len() <= 256
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid && (!self.topic.contains(':') || self.topic.starts_with("arn:")) {
            Ok(())
        } else {
            Err(format!(
                "`topic` must be an SNS topic name (letters, digits, `-` and `_`) or a topic ARN, not {:?}",
                self.topic
            ))
        }
    }

    /// Whether `arn` is the security team's topic.
    fn is_security_topic(&self, arn: &str) -> bool {
        if self.topic.starts_with("arn:") {
            arn == self.topic
        } else {
            Arn::parse(arn).is_some_and(|arn| arn.resource == self.topic)
        }
    }
}

/// Failed KMS calls are alarmed, and the alarm notifies the security team's topic
/// (`security-alerts` by default), in every enabled region.
///
/// ## What it checks
/// The built-in requirement for failed KMS calls (a read-only `Decrypt` with
/// `IncorrectKeyException`, refused `Encrypt`, `GenerateDataKey` and `DisableKey`) must be
/// covered in every enabled region, link by link, as TW-KMS-002 checks. On top of that, in each
/// region, every one of those events must have a path whose alarm notifies the topic named by
/// the `topic` setting, with a confirmed subscription. An alarm that only notifies another
/// team's topic, or only runs a Lambda function, does not count.
///
/// ## Why it matters
/// At ACME the security team answers KMS alerts. An alarm on the platform team's topic is
/// read by people who will not recognise a key-probing attempt, or is muted as noise.
///
/// ## Example
/// Passing: alarm `kms-failed-calls` with `AlarmActions` =
/// `arn:aws:sns:us-east-1:111122223333:security-alerts`, which has a confirmed subscription.
/// Failing: the same alarm notifying `arn:aws:sns:us-east-1:111122223333:platform-alerts`.
///
/// ## How to fix
/// ```sh
/// aws cloudwatch put-metric-alarm --alarm-name kms-failed-calls ... \
///   --alarm-actions arn:aws:sns:<region>:<account>:security-alerts
/// ```
///
/// ## Settings
/// - `topic` (default `security-alerts`): the security team's topic, by name or ARN.
///
/// ## References
/// - ACME security runbook, "Who answers which alarm"
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html>
#[rule(
    id = "ACME-KMS-001",
    name = "failed-calls-notify-security",
    level = "error",
    security_severity = 6.5,
    tags = ["kms", "monitoring", "acme"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "topics"],
    settings = SecurityTopicSettings
)]
pub fn failed_calls_notify_security(
    snapshot: &Snapshot,
    ctx: &Ctx,
) -> Result<Vec<Finding>, RuleError> {
    let settings: SecurityTopicSettings = ctx.settings()?;
    let analysis = analyse(
        snapshot,
        &requirements::kms_failed_calls(&snapshot.account.id),
    );
    // Regions where the events reach nobody at all: the analysis says which link breaks.
    let mut findings = analysis.findings();
    // Regions where they reach someone, but maybe not the security team.
    for region in &analysis.regions {
        if !matches!(region.verdict(), RegionVerdict::Covered) {
            continue;
        }
        let missed: Vec<&str> = region
            .events
            .iter()
            .filter(|event| !event.paths.iter().any(|p| reaches(p, &settings)))
            .map(|event| event.event.as_str())
            .collect();
        let Some(path) = region.events.iter().flat_map(|e| &e.paths).next() else {
            continue;
        };
        if missed.is_empty() {
            continue;
        }
        let told = match &path.notify {
            Notify::Told { topic, .. } => format!("notifies `{}`", topic.name),
            Notify::Automated { action } => format!("runs `{action}`"),
            _ => "notifies nobody the rule can see".to_owned(),
        };
        let mut finding = Finding::fail(
            NOT_SECURITY_TOPIC,
            format!(
                "failed KMS calls in {} ({}) are alarmed by `{}`, which {told} but not the security team's topic `{}`",
                region.region,
                missed.join(", "),
                path.alarm.name,
                settings.topic
            ),
        )
        .account(&snapshot.account.id)
        .region(&region.region)
        .resource(path.alarm.clone())
        .related(path.filter.clone())
        .property("securityTopic", settings.topic.as_str());
        if let Notify::Told { topic, .. } = &path.notify {
            finding = finding.related(topic.clone());
        }
        findings.push(finding);
    }
    Ok(findings)
}

fn reaches(path: &CoveringPath, settings: &SecurityTopicSettings) -> bool {
    matches!(&path.notify, Notify::Told { topic, .. } if settings.is_security_topic(&topic.arn))
}
