use serde::Deserialize;
use trailwarden_sdk::chain::analyse;
use trailwarden_sdk::chain::requirements::kms_activity;
use trailwarden_sdk::prelude::*;

/// Unusual volumes of KMS cryptographic calls are counted by an alarm with a threshold or an
/// anomaly band that tells someone, in every enabled region.
///
/// ## What it checks
/// Realistic successful calls of each configured operation (default `Decrypt`; setting
/// `operations`, any of `Decrypt`, `Encrypt`, `GenerateDataKey`,
/// `GenerateDataKeyWithoutPlaintext`, `GenerateDataKeyPair`, `ReEncrypt`) must each be recorded
/// by a trail that logs read events, matched by a metric filter on the trail's log group, and
/// counted by an alarm on exactly that metric: `Sum` or `SampleCount` with a `GreaterThan…`
/// operator and a finite threshold, or an anomaly-detection band. The alarm must tell someone.
///
/// Delivery: when `topicDeliveries` was collected, a topic whose notifications all failed in
/// the last 24 hours (`AWS/SNS` `NumberOfNotificationsFailed` above zero,
/// `NumberOfNotificationsDelivered` zero) tells nobody (`TOPIC_DELIVERIES_FAILING`); one where
/// some failed and some were delivered still counts, with a warning-level
/// `TOPIC_DELIVERIES_PARTLY_FAILING`. Otherwise a confirmed subscription is assumed to deliver:
/// whether the SQS queue or Lambda function it names still exists is checked only
/// with `subscriptionAttributes` (`SUBSCRIPTION_ENDPOINT_MISSING`, see TW-KMS-001).
///
/// ## Why it matters
/// Exfiltration of encrypted data shows up as decryption volume far above the usual (the
/// Well-Architected lab "Autonomous Monitoring Of Cryptographic Activity With KMS"). These calls
/// are read-only management events, so a `WriteOnly` trail never records them.
///
/// ## Example
/// Passing: `{ $.eventSource = "kms.amazonaws.com" && $.eventName = "Decrypt" }` with an alarm
/// `Sum > 1000` over 300 s, or an `ANOMALY_DETECTION_BAND(m1, 2)` alarm. Failing: the same filter
/// with `LessThanThreshold`, which fires when activity stops, not when it surges.
///
/// ## How to fix
/// ```sh
/// aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name kms-decrypt \
///   --filter-pattern '{ $.eventSource = "kms.amazonaws.com" && $.eventName = "Decrypt" }' \
///   --metric-transformations metricName=KmsDecryptCount,metricNamespace=Security,metricValue=1
/// aws cloudwatch put-metric-alarm --alarm-name kms-decrypt-volume --namespace Security \
///   --metric-name KmsDecryptCount --statistic Sum --period 300 --evaluation-periods 1 \
///   --threshold 1000 --comparison-operator GreaterThanThreshold \
///   --alarm-actions arn:aws:sns:<region>:<account>:<topic>
/// ```
///
/// ## References
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarms.html>
///   (the topic policy CloudWatch needs, with `aws:SourceArn` and `aws:SourceAccount`)
/// - <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>
///   (the key policy an encrypted topic needs: `kms:GenerateDataKey*` and `kms:Decrypt`)
/// - AWS Well-Architected Labs, "Level 300: Autonomous Monitoring Of Cryptographic Activity With KMS"
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Anomaly_Detection.html>
#[rule(
    id = "TW-KMS-003",
    name = "crypto-activity-alarm",
    level = "warning",
    security_severity = 4.0,
    precision = "medium",
    help_uri = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Anomaly_Detection.html",
    tags = ["kms", "monitoring"],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "topicPolicies", "subscriptionAttributes", "topicDeliveries", "kmsKeys", "keyPolicies"],
    settings = ActivitySettings
)]
pub fn activity_alarm(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let settings: ActivitySettings = ctx.settings()?;
    let requirement =
        kms_activity(&settings.operations, &snapshot.account.id).map_err(RuleError::Settings)?;
    Ok(analyse(snapshot, &requirement).findings())
}

/// Settings of TW-KMS-003.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActivitySettings {
    /// The operations whose volume must be watched.
    pub operations: Vec<String>,
}

impl Default for ActivitySettings {
    fn default() -> Self {
        Self {
            operations: vec!["Decrypt".to_owned()],
        }
    }
}

impl RuleSettings for ActivitySettings {
    fn describe() -> Vec<SettingMeta> {
        vec![SettingMeta {
            name: "operations".to_owned(),
            value_type: "list of strings".to_owned(),
            default: serde_json::json!(["Decrypt"]),
            description: "KMS operations (CloudTrail eventName) whose volume must be alarmed: \
                          Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, \
                          GenerateDataKeyPair, ReEncrypt"
                .to_owned(),
        }]
    }

    fn validate(&self) -> Result<(), String> {
        if self.operations.is_empty() {
            return Err("operations must name at least one KMS operation".to_owned());
        }
        kms_activity(&self.operations, "000000000000").map(|_| ())
    }
}
