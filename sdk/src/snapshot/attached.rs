//! Configuration attached to a resource and read with one call per resource: a KMS key's
//! rotation status, policy and tags, an SNS topic's access policy.
//!
//! Each lives in a section of its own (`keyRotations`, `keyPolicies`, `keyTags`,
//! `topicPolicies`), keyed by the resource's ARN, rather than as fields of [`KmsKey`] or
//! [`Topic`]: a section is collected only when a rule declares it, and these cost a call per
//! key or topic (and a permission) that most rules never need. Join them to the resource with
//! [`Snapshot::key_rotation`] and its siblings.
//!
//! They were added in SDK 0.2.0; a snapshot without them reads them as not collected.
//!
//! [`KmsKey`]: super::KmsKey
//! [`Topic`]: super::Topic
//! [`Snapshot::key_rotation`]: super::Snapshot::key_rotation

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The automatic rotation of a customer-managed KMS key, from `kms:GetKeyRotationStatus`.
///
/// Only customer-managed keys are listed: AWS rotates the key material of AWS-managed keys
/// every year, the setting cannot be changed, and `GetKeyRotationStatus` always answers `true`
/// for them ([AWS KMS API reference, GetKeyRotationStatus][api]), so asking would cost a call
/// per key and say nothing. Keys whose rotation AWS does not support (asymmetric, HMAC,
/// imported key material, custom key stores) are listed with `rotationEnabled: false`, as KMS
/// reports them.
///
/// [api]: https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyRotation {
    /// The key's ARN, as [`super::KmsKey::arn`].
    pub key_arn: String,
    /// `KeyRotationEnabled`: whether KMS rotates the key material automatically.
    pub rotation_enabled: bool,
    /// `RotationPeriodInDays`: days between automatic rotations (90 to 2560; 365 by default),
    /// when rotation is enabled and KMS says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_period_in_days: Option<u32>,
}

/// A KMS key's key policy, from `kms:GetKeyPolicy` with the policy name `default` (the only
/// name a key policy has).
///
/// The document is kept as the text KMS returns, not parsed: the snapshot then records exactly
/// what AWS said (a policy is not reformatted, nor is a malformed one lost), and a rule parses
/// it when it needs to ([`KeyPolicy::document`]). Every key is listed, AWS-managed keys
/// included: their policies are readable and say which services may use them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyPolicy {
    /// The key's ARN, as [`super::KmsKey::arn`].
    pub key_arn: String,
    /// The policy document, JSON text as KMS returned it.
    pub policy: String,
}

impl KeyPolicy {
    /// The policy document parsed as JSON; an error when KMS returned text that is not JSON.
    pub fn document(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(&self.policy)
    }
}

/// A customer-managed KMS key's tags, from `kms:ListResourceTags` (every page).
///
/// Only customer-managed keys are listed: AWS-managed keys cannot be tagged
/// ([TagResource][api]). A key without tags is listed with none, so "no tags" and "not read"
/// stay apart.
///
/// [api]: https://docs.aws.amazon.com/kms/latest/APIReference/API_TagResource.html
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyTags {
    /// The key's ARN, as [`super::KmsKey::arn`].
    pub key_arn: String,
    /// Tag key to tag value; a key holds each tag key once, and a value may be empty.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl KeyTags {
    /// The value of the tag `key`, if the key carries it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.get(key).map(String::as_str)
    }
}

/// An SNS topic's access policy: the `Policy` attribute of `sns:GetTopicAttributes`.
///
/// Kept as the text SNS returns, like [`KeyPolicy`]; [`TopicPolicy::document`] parses it.
/// SNS gives every topic a default policy, so a topic whose attributes had no `Policy` is not
/// listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopicPolicy {
    /// The topic's ARN, as [`super::Topic::topic_arn`].
    pub topic_arn: String,
    /// The policy document, JSON text as SNS returned it.
    pub policy: String,
}

impl TopicPolicy {
    /// The policy document parsed as JSON; an error when SNS returned text that is not JSON.
    pub fn document(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(&self.policy)
    }
}

/// What SNS reports of one topic's deliveries over a window: the sums of the `AWS/SNS`
/// metrics `NumberOfNotificationsDelivered` and `NumberOfNotificationsFailed` (dimension
/// `TopicName`), read with `cloudwatch:GetMetricStatistics`.
///
/// How AWS documents the two metrics (the metric table of "Monitoring Amazon SNS topics using
/// CloudWatch", <https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html>):
/// `NumberOfNotificationsFailed` is "the number of messages that Amazon SNS failed to deliver";
/// for SQS, e-mail, SMS and mobile push it grows by one when SNS stops attempting a delivery
/// (for SQS and Lambda that is after the AWS-managed retry policy of about 23 days,
/// <https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html>), for HTTP/S
/// it counts every failed attempt, retries included, and for other endpoints it grows by one
/// per message that fails whatever the attempts. Messages a filter policy rejects are not
/// counted. `NumberOfNotificationsDelivered` is the number of messages delivered to
/// subscribing endpoints. Both count deliveries to subscriptions, not published messages, so
/// `failed` is not a share of `delivered`. SNS sends no datapoint for a topic that had nothing
/// to deliver, which reads as zero here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopicDeliveries {
    /// The topic's ARN, as [`super::Topic::topic_arn`].
    pub topic_arn: String,
    /// The window the sums cover, in hours, ending at the collection.
    pub window_hours: u32,
    /// Notifications delivered to subscribers in the window.
    pub delivered: u64,
    /// Notifications SNS failed to deliver in the window.
    pub failed: u64,
}

/// What `sns:GetSubscriptionAttributes` returns for one confirmed subscription, as far as
/// delivery depends on it.
///
/// A confirmed subscription can still receive nothing: a filter policy that the message does
/// not satisfy means "Amazon SNS doesn't send the message to that subscriber" ("Amazon SNS
/// message filtering", <https://docs.aws.amazon.com/sns/latest/dg/message-filtering.html>).
/// The policy applies to the message attributes unless `FilterPolicyScope` is `MessageBody`
/// ("If no filter policy scope is defined for an existing filter policy, the scope defaults to
/// MessageAttributes", <https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html>).
/// The texts are kept as SNS returns them; absent attributes are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionAttributes {
    /// The subscription's ARN, as [`super::Subscription::subscription_arn`].
    pub subscription_arn: String,
    /// The topic's ARN.
    pub topic_arn: String,
    /// `PendingConfirmation`: `true` while the endpoint has not confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_confirmation: Option<bool>,
    /// `ConfirmationWasAuthenticated`: the confirmation was authenticated (unsubscribing then
    /// needs AWS credentials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_was_authenticated: Option<bool>,
    /// `RawMessageDelivery`: the body is delivered without the SNS envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_message_delivery: Option<bool>,
    /// `FilterPolicy`: the JSON filter policy text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_policy: Option<String>,
    /// `FilterPolicyScope`: `MessageAttributes` (the default) or `MessageBody`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_policy_scope: Option<String>,
    /// `RedrivePolicy`: the dead-letter queue for undeliverable messages, JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redrive_policy: Option<String>,
    /// For an `sqs` or `lambda` subscription whose queue or function is in the topic's account
    /// and region: whether it exists (`sqs:ListQueues` with the queue name as prefix,
    /// `lambda:ListFunctions`). `None` when not checked: another protocol, account or region.
    /// SNS keeps a subscription whose endpoint was deleted, and its deliveries fail until the
    /// retry policy gives up ("Amazon SNS message delivery retries",
    /// <https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html>).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_exists: Option<bool>,
}
