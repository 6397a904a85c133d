//! May the publishing service deliver to the topic? Its access policy must let the service
//! principal call `sns:Publish`, and a topic encrypted with a customer-managed KMS key needs
//! that key's policy to let the service use the key.
//!
//! What each publisher sends, as this link models it (the [`policy`](crate::policy) evaluator
//! judges the policies; a key it cannot tell about makes the answer "could not verify"):
//!
//! - **CloudWatch alarms** publish as `cloudwatch.amazonaws.com` with `aws:SourceArn` (the
//!   alarm's ARN) and `aws:SourceAccount` (its account); the CloudWatch user guide's topic
//!   policy for alarm actions conditions on exactly these ("Amazon CloudWatch alarms: Using
//!   Amazon SNS topics", confused-deputy prevention:
//!   <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarms.html>).
//!   They also send SNS's older `AWS:SourceOwner` with the same account: the default policy
//!   SNS gives every topic allows `"AWS": "*"` on condition `AWS:SourceOwner` = the topic's
//!   account, and CloudWatch alarms of that account publish to such a topic without any
//!   change ("aws:SourceAccount versus aws:SourceOwner" in the SNS developer guide,
//!   <https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html>).
//! - **EventBridge rules** publish as `events.amazonaws.com` with `aws:SourceArn` (the rule's
//!   ARN) and `aws:SourceAccount`, but not `AWS:SourceOwner`: AWS's troubleshooting article
//!   "Why isn't my Amazon SNS topic receiving EventBridge notifications?" says the topic policy
//!   must name `events.amazonaws.com` as a `Service` principal for `sns:Publish`, the default
//!   policy not being enough
//!   (<https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification>).
//! - **The KMS key** of an encrypted topic must allow the publishing service principal
//!   `kms:GenerateDataKey*` and `kms:Decrypt` ("Enable compatibility between event sources
//!   from AWS services and encrypted topics",
//!   <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>).
//!   For CloudWatch the key policy may condition on `aws:SourceArn` and `aws:SourceAccount`;
//!   for EventBridge those keys are not sent to KMS, so a key policy that requires them
//!   blocks delivery. Both send `aws:PrincipalServiceName` and `aws:PrincipalIsAWSService`
//!   (IAM global condition context keys:
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>).
//!   KMS-specific keys (`kms:ViaService`, `kms:CallerAccount`, `kms:EncryptionContext:…`) are
//!   not modelled: a key policy statement that depends on them is "could not verify".
//!
//! Topic and key policies are read only when a rule declares `topicPolicies` and
//! `keyPolicies`. When a section was not collected (an older snapshot, or a rule that does not
//! declare it), this link is skipped and the policy assumed to allow, as before the sections
//! existed; when it was collected and its reading failed, the answer is "could not verify".

use super::notify::Notify;
use super::reason;
use crate::arn::Arn;
use crate::finding::Resource;
use crate::policy::{Context, Decision, Request, evaluate_text};
use crate::snapshot::{Incomplete, Snapshot, Topic};

/// Who publishes to a topic, for judging the topic's and its key's policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publisher<'a> {
    /// A CloudWatch metric or composite alarm, by ARN: `cloudwatch.amazonaws.com`.
    Alarm {
        /// The alarm's ARN (`aws:SourceArn`).
        arn: &'a str,
    },
    /// An EventBridge rule, by ARN: `events.amazonaws.com`.
    Rule {
        /// The rule's ARN (`aws:SourceArn`).
        arn: &'a str,
    },
}

impl Publisher<'_> {
    /// The service principal that publishes.
    pub fn service_principal(&self) -> &'static str {
        match self {
            Publisher::Alarm { .. } => "cloudwatch.amazonaws.com",
            Publisher::Rule { .. } => "events.amazonaws.com",
        }
    }

    /// The service's name in messages.
    fn service(&self) -> &'static str {
        match self {
            Publisher::Alarm { .. } => "CloudWatch",
            Publisher::Rule { .. } => "EventBridge",
        }
    }

    fn arn(&self) -> &str {
        match self {
            Publisher::Alarm { arn } | Publisher::Rule { arn } => arn,
        }
    }

    /// The account of the publishing resource, from its ARN.
    fn account(&self) -> Option<&str> {
        Arn::parse(self.arn()).map(|arn| arn.account)
    }

    /// What the service sends with `sns:Publish`.
    fn publish_context(&self) -> Context {
        let mut context = self.common_context();
        if let Some(account) = self.account() {
            context = context.with("aws:SourceAccount", account);
            context = match self {
                Publisher::Alarm { .. } => context.with("aws:SourceOwner", account),
                Publisher::Rule { .. } => context.without("aws:SourceOwner"),
            };
        }
        context
    }

    /// What the service sends with `kms:GenerateDataKey` and `kms:Decrypt`.
    fn key_context(&self) -> Context {
        let context = self.common_context();
        match (self, self.account()) {
            (Publisher::Alarm { .. }, Some(account)) => context.with("aws:SourceAccount", account),
            (Publisher::Alarm { .. }, None) => context,
            (Publisher::Rule { .. }, _) => context
                .without("aws:SourceArn")
                .without("aws:SourceAccount"),
        }
    }

    fn common_context(&self) -> Context {
        Context::new()
            .with("aws:SourceArn", self.arn())
            .with("aws:PrincipalServiceName", self.service_principal())
            .with("aws:PrincipalIsAWSService", "true")
    }
}

/// Why the publisher cannot deliver to `topic`, or `None` when the policies allow it (or were
/// not collected).
pub(crate) fn publish_blocked(
    snapshot: &Snapshot,
    publisher: Publisher<'_>,
    topic: &Topic,
    resource: &Resource,
) -> Option<Notify> {
    topic_policy_blocks(snapshot, publisher, topic, resource)
        .or_else(|| key_policy_blocks(snapshot, publisher, topic, resource))
}

fn topic_policy_blocks(
    snapshot: &Snapshot,
    publisher: Publisher<'_>,
    topic: &Topic,
    resource: &Resource,
) -> Option<Notify> {
    let name = &resource.name;
    let region = snapshot.region(Arn::parse(&topic.topic_arn)?.region)?;
    let policy = match (
        region.topic_policies.verified(),
        snapshot.topic_policy(&topic.topic_arn),
    ) {
        (Err(why), _) if !failed(why) => return None,
        (_, Some(policy)) => policy,
        (Err(why), None) => {
            return Some(Notify::Unverifiable {
                why: format!("the access policy of topic `{name}` could not be read: {why}"),
                topic: Some(resource.clone()),
            });
        }
        (Ok(_), None) => {
            return Some(Notify::Unverifiable {
                why: format!("SNS returned no access policy for topic `{name}`"),
                topic: Some(resource.clone()),
            });
        }
    };
    let context = publisher.publish_context();
    let request = Request {
        service_principal: publisher.service_principal(),
        action: "sns:Publish",
        resource: &topic.topic_arn,
        context: &context,
    };
    let service = publisher.service();
    let principal = publisher.service_principal();
    let blocked = |why: String| {
        Some(Notify::Nobody {
            reason: reason::TOPIC_POLICY_BLOCKS_PUBLISH,
            why,
            topic: Some(resource.clone()),
        })
    };
    match evaluate_text(&policy.policy, &request) {
        Decision::Allowed { .. } => None,
        Decision::Denied { statement } => blocked(format!(
            "the access policy of its topic `{name}` denies {service} ({principal}) sns:Publish in statement `{statement}`, so notifications are dropped"
        )),
        Decision::NotAllowed => blocked(format!(
            "the access policy of its topic `{name}` does not allow {service} ({principal}) sns:Publish for `{}`, so notifications are dropped",
            publisher.arn()
        )),
        Decision::Unknown { why } => Some(Notify::Unverifiable {
            why: format!(
                "whether the access policy of topic `{name}` lets {service} publish could not be judged: {why}"
            ),
            topic: Some(resource.clone()),
        }),
    }
}

fn key_policy_blocks(
    snapshot: &Snapshot,
    publisher: Publisher<'_>,
    topic: &Topic,
    resource: &Resource,
) -> Option<Notify> {
    let key_ref = topic.kms_master_key_id.as_deref()?;
    let name = &resource.name;
    let topic_region = Arn::parse(&topic.topic_arn)?.region;
    let key_region = Arn::parse(key_ref).map_or(topic_region, |arn| arn.region);
    let region = snapshot.region(key_region)?;
    let section = region.key_policies.verified();
    if let Err(why) = section
        && !failed(why)
    {
        return None;
    }
    let unverifiable = |why: String| {
        Some(Notify::Unverifiable {
            why,
            topic: Some(resource.clone()),
        })
    };
    // The key by id, alias or ARN among the snapshot's keys; a key ARN also reads on its own.
    let key_arn = match snapshot.kms_key(key_ref) {
        Some(key) => key.arn.as_str(),
        None if Arn::parse(key_ref).is_some_and(|arn| arn.resource.starts_with("key/")) => key_ref,
        None => {
            return unverifiable(format!(
                "topic `{name}` is encrypted with KMS key `{key_ref}`, which the snapshot does not list, so whether {} may use it is unknown",
                publisher.service()
            ));
        }
    };
    let key_id = Arn::parse(key_arn).map_or(key_arn, |arn| arn.short_name());
    let Some(policy) = snapshot.key_policy(key_arn) else {
        return unverifiable(match section {
            Err(why) => format!(
                "the policy of KMS key `{key_id}` that encrypts topic `{name}` could not be read: {why}"
            ),
            Ok(_) => format!(
                "KMS returned no key policy for key `{key_id}` that encrypts topic `{name}`"
            ),
        });
    };
    let context = publisher.key_context();
    let service = publisher.service();
    let principal = publisher.service_principal();
    for action in ["kms:GenerateDataKey", "kms:Decrypt"] {
        let request = Request {
            service_principal: principal,
            action,
            resource: key_arn,
            context: &context,
        };
        let blocked = |how: String| {
            Some(Notify::Nobody {
                reason: reason::TOPIC_KEY_POLICY_BLOCKS_PUBLISH,
                why: format!(
                    "its topic `{name}` is encrypted with KMS key `{key_id}`, whose key policy {how}, so notifications are dropped"
                ),
                topic: Some(resource.clone()),
            })
        };
        match evaluate_text(&policy.policy, &request) {
            Decision::Allowed { .. } => {}
            Decision::Denied { statement } => {
                return blocked(format!(
                    "denies {service} ({principal}) {action} in statement `{statement}`"
                ));
            }
            Decision::NotAllowed => {
                return blocked(format!("does not allow {service} ({principal}) {action}"));
            }
            Decision::Unknown { why } => {
                return unverifiable(format!(
                    "whether the policy of KMS key `{key_id}` (topic `{name}`) lets {service} use it could not be judged: {why}"
                ));
            }
        }
    }
    None
}

/// Whether a section's gap is a failed reading (judge "could not verify") rather than a
/// section nobody collected or the rule did not declare (skip the check).
fn failed(why: Incomplete<'_>) -> bool {
    matches!(why, Incomplete::Failed(_))
}
