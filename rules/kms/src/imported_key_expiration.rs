//! TW-KMS-005: keys with imported key material that expires have an alarm that warns someone
//! before it does, and material about to expire is reported.

use trailwarden_sdk::chain::reason as chain_reason;
use trailwarden_sdk::chain::returned_query;
use trailwarden_sdk::chain::{Notify, alarm_notifies};
use trailwarden_sdk::prelude::*;
use trailwarden_sdk::time::{SECONDS_PER_DAY, format_rfc3339, parse_rfc3339};

use crate::common::{
    ALARM_KIND, key_resource, notify_topic, partly_failing_warning, section_unverifiable,
};
use crate::reason;

/// The namespace of KMS metrics.
pub const NAMESPACE: &str = "AWS/KMS";
/// The countdown metric KMS publishes for imported key material that expires.
pub const METRIC: &str = "SecondsUntilKeyMaterialExpiration";
/// Its only dimension.
pub const DIMENSION: &str = "KeyId";

/// Settings of TW-KMS-005.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExpirationSettings {
    /// Key material that expires within this many days of the run is a finding of its own,
    /// whatever the alarms say: reimporting takes planning.
    pub expiry_warning_days: u32,
}

impl Default for ExpirationSettings {
    /// 30 days, the example the KMS guide gives for its expiration alarm.
    fn default() -> Self {
        Self {
            expiry_warning_days: 30,
        }
    }
}

impl RuleSettings for ExpirationSettings {
    fn describe() -> Vec<SettingMeta> {
        vec![SettingMeta {
            name: "expiry_warning_days".to_owned(),
            value_type: "integer".to_owned(),
            default: serde_json::json!(30),
            description:
                "report key material that expires within this many days of the run (1 or more)"
                    .to_owned(),
        }]
    }

    fn validate(&self) -> Result<(), String> {
        if self.expiry_warning_days == 0 {
            return Err("`expiry_warning_days` must be at least 1".to_owned());
        }
        Ok(())
    }
}

/// Every enabled customer-managed key whose imported key material expires has an alarm on
/// `AWS/KMS` `SecondsUntilKeyMaterialExpiration` that tells someone before it does, and no key
/// material expires within the warning period.
///
/// ## What it checks
/// For each `Enabled`, customer-managed key with `Origin` `EXTERNAL` and `ExpirationModel`
/// `KEY_MATERIAL_EXPIRES`:
/// - **Alarm.** A metric alarm in the key's region watches namespace `AWS/KMS`, metric
///   `SecondsUntilKeyMaterialExpiration` with exactly the dimension `KeyId=<key id>` (the key
///   id, not its ARN or alias; an alarm with other dimensions watches a metric that has no data),
///   either directly or as the returned query of a metric-math alarm (a metric query, or an
///   expression that is just that query's id; other expressions are reported as not
///   verifiable). It compares with `LessThanThreshold` or `LessThanOrEqualToThreshold` against a
///   positive threshold (the metric counts down), its actions are enabled, and an alarm action
///   reaches a person (an SNS topic with a confirmed subscription, not encrypted with
///   `alias/aws/sns`, whose access policy and customer-managed key's policy let
///   `cloudwatch.amazonaws.com` publish) or an automated response (Lambda, Systems Manager).
/// - **Expiry.** Its `ValidTo` is more than `expiry_warning_days` (default 30) after the run's
///   time. Material that expires sooner is reported with the date and the days left; material
///   already past `ValidTo` is reported as expired. Without the run's time this part is reported
///   as not verifiable, and the alarm part still runs.
///
/// Disabled keys and keys pending deletion or import are not checked: nothing uses them now.
/// A region whose key list or alarm list could not be read is reported as not verifiable.
///
/// Delivery: when `topicDeliveries` was collected, a topic whose notifications all failed in
/// the last 24 hours (`AWS/SNS` `NumberOfNotificationsFailed` above zero,
/// `NumberOfNotificationsDelivered` zero) tells nobody (`TOPIC_DELIVERIES_FAILING`); one where
/// some failed and some were delivered still counts, with a warning-level
/// `TOPIC_DELIVERIES_PARTLY_FAILING`, as in TW-KMS-001. When `subscriptionAttributes` was
/// collected, subscriptions whose filter policy drops the notification do not count
/// (`SUBSCRIPTION_FILTER_DROPS_ALARMS`, see TW-KMS-001). Otherwise a confirmed subscription is
/// assumed to deliver: whether the SQS queue or Lambda function it names still exists is
/// checked only with `subscriptionAttributes` (`SUBSCRIPTION_ENDPOINT_MISSING`, see TW-KMS-001).
///
/// ## Why it matters
/// When imported key material expires, KMS deletes it and the key becomes unusable until the
/// same material is imported again: every decryption under the key fails. If the material was
/// not kept, the data is gone. KMS publishes `SecondsUntilKeyMaterialExpiration` so that an alarm
/// can warn in time, but only per key: "You cannot create a single alarm for all KMS keys with
/// expiring key material or an alarm for KMS keys that you might create in the future."
///
/// ## Example
/// Passing: alarm `kms-material-expiry` on `AWS/KMS` `SecondsUntilKeyMaterialExpiration`,
/// dimension `KeyId=1234abcd-12ab-34cd-56ef-1234567890ab`, statistic `Minimum`,
/// `LessThanThreshold` `2592000` (30 days), actions enabled, action an SNS topic with a
/// confirmed subscription. Failing: no such alarm; the dimension set to the key ARN; or
/// `GreaterThanThreshold`.
///
/// ## How to fix
/// ```sh
/// aws cloudwatch put-metric-alarm --alarm-name kms-material-expiry-<key-id> \
///   --namespace AWS/KMS --metric-name SecondsUntilKeyMaterialExpiration \
///   --dimensions Name=KeyId,Value=<key-id> --statistic Minimum --period 300 \
///   --evaluation-periods 1 --comparison-operator LessThanThreshold --threshold 2592000 \
///   --alarm-actions arn:aws:sns:<region>:<account>:security-alerts
/// # and before ValidTo, reimport the same key material with a new expiration:
/// aws kms import-key-material --key-id <key-id> --encrypted-key-material fileb://material.bin \
///   --import-token fileb://token.bin --expiration-model KEY_MATERIAL_EXPIRES --valid-to <date>
/// ```
/// Terraform:
/// ```hcl
/// resource "aws_cloudwatch_metric_alarm" "kms_material_expiry" {
///   alarm_name          = "kms-material-expiry"
///   namespace           = "AWS/KMS"
///   metric_name         = "SecondsUntilKeyMaterialExpiration"
///   dimensions          = { KeyId = aws_kms_external_key.imported.id }
///   statistic           = "Minimum"
///   period              = 300
///   evaluation_periods  = 1
///   comparison_operator = "LessThanThreshold"
///   threshold           = 2592000
///   alarm_actions       = [aws_sns_topic.security_alerts.arn]
/// }
/// ```
///
/// ## References
/// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarms.html>
///   (the topic policy CloudWatch needs, with `aws:SourceArn` and `aws:SourceAccount`)
/// - <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>
///   (the key policy an encrypted topic needs: `kms:GenerateDataKey*` and `kms:Decrypt`)
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/monitoring-cloudwatch.html>
///   ("SecondsUntilKeyMaterialExpiration … valid only for KMS keys with imported key material
///   … The most useful statistic for this metric is Minimum"; the only dimension is `KeyId`)
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-managing.html>
///   ("Create a CloudWatch alarm for expiration of imported key material")
/// - <https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html> (`ValidTo`,
///   present only when `Origin` is `EXTERNAL` and `ExpirationModel` is `KEY_MATERIAL_EXPIRES`)
#[rule(
    id = "TW-KMS-005",
    name = "imported-key-expiration",
    level = "warning",
    security_severity = 5.0,
    precision = "very-high",
    help_uri = "https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-managing.html",
    tags = ["kms", "cloudwatch", "alarm", "imported-key-material", "availability"],
    needs = ["kmsKeys", "metricAlarms", "topics", "topicPolicies", "subscriptionAttributes", "topicDeliveries", "keyPolicies"],
    settings = ExpirationSettings
)]
pub fn imported_key_expiration(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let settings: ExpirationSettings = ctx.settings()?;
    let now = run_time(ctx);
    let mut findings = Vec::new();
    let mut undated = 0usize;
    for region in &snapshot.regions {
        undated += check_region(snapshot, region, &now, &settings, &mut findings);
    }
    if let Err(why) = now
        && undated > 0
    {
        findings.push(
            Finding::unverifiable(
                reason::EXPIRY_NOT_VERIFIABLE,
                format!(
                    "could not check how soon the imported key material of {undated} key{} expires because {why}",
                    if undated == 1 { "" } else { "s" }
                ),
            )
            .account(&snapshot.account.id),
        );
    }
    Ok(findings)
}

/// Adds the findings of one region and returns how many of its keys could not be dated (when
/// the run time is unknown).
fn check_region(
    snapshot: &Snapshot,
    region: &RegionSnapshot,
    now: &Result<i64, String>,
    settings: &ExpirationSettings,
    findings: &mut Vec<Finding>,
) -> usize {
    let keys = match region.kms_keys.verified() {
        Ok(keys) => keys,
        Err(why) => {
            findings.push(section_unverifiable(
                snapshot,
                &region.region,
                reason::KMS_KEYS_NOT_COLLECTED,
                "KMS key",
                why,
            ));
            return 0;
        }
    };
    let expiring: Vec<&KmsKey> = keys.iter().filter(|k| material_expires(k)).collect();
    if expiring.is_empty() {
        return 0;
    }
    findings.extend(alarm_findings(snapshot, region, &expiring));
    let Ok(now) = now else {
        return expiring.len();
    };
    findings.extend(
        expiring
            .iter()
            .filter_map(|key| expiry_finding(snapshot, region, key, *now, settings)),
    );
    0
}

/// The run's time in Unix seconds, or why it is not known (as a clause).
fn run_time(ctx: &Ctx) -> Result<i64, String> {
    let now = ctx
        .now()
        .ok_or_else(|| "the host gave no run time".to_owned())?;
    parse_rfc3339(now).map_err(|e| format!("the run time is unusable: {e}"))
}

/// Enabled, customer-managed, imported material with an expiration.
fn material_expires(key: &KmsKey) -> bool {
    key.is_customer_managed()
        && key.key_state == KeyState::Enabled
        && key.origin == Origin::External
        && key.expiration_model == Some(ExpirationModel::Expires)
}

/// The finding about how soon a key's material expires, if it is within the warning period, is
/// past, or cannot be read.
fn expiry_finding(
    snapshot: &Snapshot,
    region: &RegionSnapshot,
    key: &KmsKey,
    now: i64,
    settings: &ExpirationSettings,
) -> Option<Finding> {
    let base = |finding: Finding| {
        finding
            .account(&snapshot.account.id)
            .region(&region.region)
            .resource(key_resource(key))
    };
    let name = &key.key_id;
    let Some(valid_to) = key.valid_to.as_deref() else {
        return Some(base(Finding::unverifiable(
            reason::VALID_TO_UNKNOWN,
            format!(
                "could not check when the imported key material of key `{name}` ({}) expires: its ValidTo was not collected",
                region.region
            ),
        )));
    };
    let expires = match parse_rfc3339(valid_to) {
        Ok(expires) => expires,
        Err(error) => {
            return Some(base(Finding::unverifiable(
                reason::VALID_TO_UNKNOWN,
                format!(
                    "could not check when the imported key material of key `{name}` ({}) expires: {error}",
                    region.region
                ),
            )));
        }
    };
    let left = expires - now;
    let when = format_rfc3339(expires);
    let finding = if left <= 0 {
        Finding::fail(
            reason::KEY_MATERIAL_EXPIRED,
            format!(
                "the imported key material of key `{name}` ({}) expired on {when}, so KMS deletes it and the key cannot encrypt or decrypt until the same material is imported again",
                region.region
            ),
        )
        .level(Level::Error)
    } else if left <= i64::from(settings.expiry_warning_days) * SECONDS_PER_DAY {
        let days = left / SECONDS_PER_DAY;
        Finding::fail(
            reason::KEY_MATERIAL_EXPIRES_SOON,
            format!(
                "the imported key material of key `{name}` ({}) expires on {when}, in {}, after which the key is unusable until the same material is imported again",
                region.region,
                days_text(days)
            ),
        )
        .property("daysLeft", days)
    } else {
        return None;
    };
    // Whole days only: a seconds count would change the SARIF on every run, and two runs over
    // the same snapshot must give the same results apart from timestamps.
    Some(base(finding).property("validTo", when))
}

fn days_text(days: i64) -> String {
    match days {
        0 => "less than a day".to_owned(),
        1 => "1 day".to_owned(),
        n => format!("{n} days"),
    }
}

/// The alarm findings of one region's expiring keys, or one could-not-verify when its alarm
/// list is incomplete.
fn alarm_findings(snapshot: &Snapshot, region: &RegionSnapshot, keys: &[&KmsKey]) -> Vec<Finding> {
    let alarms = match region.metric_alarms.verified() {
        Ok(alarms) => alarms,
        Err(why) => {
            return vec![section_unverifiable(
                snapshot,
                &region.region,
                chain_reason::ALARMS_NOT_COLLECTED,
                "CloudWatch alarm",
                why,
            )];
        }
    };
    keys.iter()
        .filter_map(|key| key_alarm_finding(snapshot, region, key, alarms))
        .collect()
}

/// What an alarm watches, as far as this rule cares.
enum Watch<'a> {
    /// Not the countdown metric.
    Unrelated,
    /// The countdown metric with these dimensions.
    Metric(&'a [Dimension]),
    /// A metric-math alarm that reads the countdown metric (with these dimension sets) but
    /// returns an expression this rule does not evaluate.
    Expression {
        dimensions: Vec<&'a [Dimension]>,
        expression: &'a str,
    },
}

fn is_countdown(metric: &MetricId) -> bool {
    metric.namespace == NAMESPACE && metric.metric_name == METRIC
}

/// Reads what `alarm` watches: a single metric, or the returned query of a metric-math alarm.
fn watch(alarm: &MetricAlarm) -> Watch<'_> {
    if !alarm.metrics.is_empty() {
        return math_watch(alarm);
    }
    let single = alarm.namespace.as_deref() == Some(NAMESPACE)
        && alarm.metric_name.as_deref() == Some(METRIC);
    if single {
        Watch::Metric(&alarm.dimensions)
    } else {
        Watch::Unrelated
    }
}

/// A metric-math alarm counts when its returned query is the countdown metric itself, or an
/// expression that is just the id of such a query (`m1`); any other expression over the
/// countdown is not evaluated here.
fn math_watch(alarm: &MetricAlarm) -> Watch<'_> {
    let countdowns: Vec<(&str, &[Dimension])> = alarm
        .metrics
        .iter()
        .filter_map(|q| {
            let stat = q.metric_stat.as_ref()?;
            is_countdown(&stat.metric).then_some((q.id.as_str(), stat.metric.dimensions.as_slice()))
        })
        .collect();
    if countdowns.is_empty() {
        return Watch::Unrelated;
    }
    let by_id = |id: &str| countdowns.iter().find(|(q, _)| *q == id).map(|(_, d)| *d);
    let unevaluated = |expression| Watch::Expression {
        dimensions: countdowns.iter().map(|(_, d)| *d).collect(),
        expression,
    };
    let Some(query) = returned_query(alarm) else {
        return unevaluated("(no single returned query)");
    };
    if let Some(dimensions) = query.metric_stat.as_ref().and(by_id(&query.id)) {
        return Watch::Metric(dimensions);
    }
    match query.expression.as_deref() {
        Some(expression) => {
            by_id(expression.trim()).map_or_else(|| unevaluated(expression), Watch::Metric)
        }
        None => Watch::Unrelated,
    }
}

/// Whether a dimension set is exactly `KeyId=<key id>`.
fn exact_for(dimensions: &[Dimension], key: &KmsKey) -> bool {
    matches!(dimensions, [only] if only.name == DIMENSION && only.value == key.key_id)
}

/// Whether a dimension set names the key at all (by id, ARN or alias), so that a near miss can
/// be reported against it.
fn mentions(dimensions: &[Dimension], key: &KmsKey) -> bool {
    dimensions.iter().any(|d| {
        d.value == key.key_id
            || d.value == key.arn
            || d.value.ends_with(&format!("/{}", key.key_id))
            || key.aliases.contains(&d.value)
    })
}

/// The first link an alarm breaks for one key.
enum Gap {
    Dimensions(String),
    NotLowSide(String),
    Threshold(Option<f64>),
    Nobody { reason: &'static str, why: String },
    Expression(String),
    NotifyUnknown(String),
}

impl Gap {
    fn rank(&self) -> u8 {
        match self {
            Gap::Dimensions(_) => 0,
            Gap::NotLowSide(_) => 1,
            Gap::Threshold(_) => 2,
            Gap::Nobody { .. } => 3,
            Gap::Expression(_) | Gap::NotifyUnknown(_) => 4,
        }
    }

    /// The finding for this gap; `subject` names the alarm and the key, e.g. "alarm `a` for key
    /// `k` (us-east-1)".
    fn finding(&self, subject: &str) -> Finding {
        match self {
            Gap::Dimensions(dimensions) => Finding::fail(
                chain_reason::ALARM_DIMENSIONS_MISMATCH,
                format!(
                    "{subject} watches {METRIC} with dimensions {dimensions}, but KMS publishes it only with the single dimension KeyId=<key id>, so the alarm sees no data"
                ),
            ),
            Gap::NotLowSide(operator) => Finding::fail(
                reason::ALARM_NOT_LOW_SIDE,
                format!(
                    "{subject} compares {METRIC} with {operator}, but the metric counts down to expiry, so the alarm needs LessThanThreshold or LessThanOrEqualToThreshold to fire before it"
                ),
            ),
            Gap::Threshold(threshold) => Finding::fail(
                reason::ALARM_THRESHOLD_NOT_POSITIVE,
                format!(
                    "{subject} compares {METRIC} with {}, so it cannot fire before the key material expires; use a positive number of seconds such as 2592000 (30 days)",
                    threshold.map_or_else(
                        || "no static threshold".to_owned(),
                        |t| format!("threshold {t}")
                    )
                ),
            ),
            Gap::Nobody { reason, why } => Finding::fail(
                *reason,
                format!("{subject} watches the expiry of the key material but tells nobody: {why}"),
            ),
            Gap::Expression(expression) => Finding::unverifiable(
                chain_reason::ALARM_EXPRESSION_UNVERIFIABLE,
                format!(
                    "could not verify {subject}: it returns the metric-math expression `{expression}`, which this checker does not evaluate"
                ),
            ),
            Gap::NotifyUnknown(why) => Finding::unverifiable(
                reason::ALARM_NOTIFY_UNVERIFIABLE,
                format!("could not verify that {subject} tells anyone: {why}"),
            ),
        }
    }
}

fn dimensions_text(dimensions: &[Dimension]) -> String {
    if dimensions.is_empty() {
        return "none".to_owned();
    }
    dimensions
        .iter()
        .map(|d| format!("{}={}", d.name, d.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `None` when `alarm` covers `key`, `Some(None)` when it has nothing to do with the key, and
/// `Some(Some(gap))` for an alarm on the key's countdown that breaks a link.
fn judge(snapshot: &Snapshot, alarm: &MetricAlarm, key: &KmsKey) -> Option<Option<Gap>> {
    let dimensions = match watch(alarm) {
        Watch::Unrelated => return Some(None),
        Watch::Expression {
            dimensions,
            expression,
        } => {
            let about_key = dimensions.iter().any(|d| mentions(d, key));
            return Some(about_key.then(|| Gap::Expression(expression.to_owned())));
        }
        Watch::Metric(dimensions) => dimensions,
    };
    if !exact_for(dimensions, key) {
        return Some(
            mentions(dimensions, key).then(|| Gap::Dimensions(dimensions_text(dimensions))),
        );
    }
    let operator = &alarm.comparison_operator;
    if !matches!(
        operator,
        ComparisonOperator::LessThanThreshold | ComparisonOperator::LessThanOrEqualToThreshold
    ) {
        return Some(Some(Gap::NotLowSide(operator.to_string())));
    }
    if !alarm.threshold.is_some_and(|t| t.is_finite() && t > 0.0) {
        return Some(Some(Gap::Threshold(alarm.threshold)));
    }
    match alarm_notifies(
        snapshot,
        &alarm.alarm_arn,
        alarm.actions_enabled,
        &alarm.alarm_actions,
    ) {
        Notify::Told { .. } | Notify::Automated { .. } => None,
        Notify::Nobody { reason, why, .. } => Some(Some(Gap::Nobody { reason, why })),
        Notify::Unverifiable { why, .. } => Some(Some(Gap::NotifyUnknown(why))),
    }
}

/// The finding for one key: none when an alarm covers it, else the closest alarm's gap, else
/// `NO_EXPIRATION_ALARM`.
fn key_alarm_finding(
    snapshot: &Snapshot,
    region: &RegionSnapshot,
    key: &KmsKey,
    alarms: &[MetricAlarm],
) -> Option<Finding> {
    let mut best: Option<(&MetricAlarm, Gap)> = None;
    for alarm in alarms {
        let Some(judged) = judge(snapshot, alarm, key) else {
            // Covered: warn when its topic's deliveries partly fail, as the chain rules do.
            let notify = alarm_notifies(
                snapshot,
                &alarm.alarm_arn,
                alarm.actions_enabled,
                &alarm.alarm_actions,
            );
            let subject = format!("alarm `{}` for key `{}`", alarm.alarm_name, key.key_id);
            return partly_failing_warning(snapshot, &region.region, &subject, &notify)
                .map(|warning| warning.related(key_resource(key)));
        };
        let Some(gap) = judged else {
            continue;
        };
        if best
            .as_ref()
            .is_none_or(|(_, current)| gap.rank() > current.rank())
        {
            best = Some((alarm, gap));
        }
    }
    let finding = match &best {
        None => Finding::fail(
            reason::NO_EXPIRATION_ALARM,
            format!(
                "no CloudWatch alarm in {} watches {NAMESPACE} {METRIC} for KeyId={}, so nobody is warned before the imported key material{} expires and the key becomes unusable",
                region.region,
                key.key_id,
                key.valid_to
                    .as_deref()
                    .map_or_else(String::new, |to| format!(" (valid to {to})"))
            ),
        ),
        Some((alarm, gap)) => {
            let subject = format!(
                "alarm `{}` for key `{}` ({})",
                alarm.alarm_name, key.key_id, region.region
            );
            let mut finding = gap.finding(&subject).related(
                Resource::new(ALARM_KIND, &alarm.alarm_arn, &alarm.alarm_name).with_role("alarm"),
            );
            let notify = alarm_notifies(
                snapshot,
                &alarm.alarm_arn,
                alarm.actions_enabled,
                &alarm.alarm_actions,
            );
            if let Some(topic) = notify_topic(&notify) {
                finding = finding.related(topic);
            }
            finding
        }
    };
    Some(
        finding
            .account(&snapshot.account.id)
            .region(&region.region)
            .resource(key_resource(key)),
    )
}
