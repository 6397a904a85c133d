//! The last link: does anyone get told?
//!
//! An alarm tells someone when its actions are enabled and one of its `AlarmActions` is an SNS
//! topic that exists, lets CloudWatch publish (its access policy and, when it is encrypted, its
//! KMS key's policy: see `permission.rs` for how they are judged) and has a confirmed
//! subscription. An EventBridge rule's targets are judged the same way for EventBridge. Lambda
//! and Systems Manager actions are an automated response: they count, and are reported as such.
//! A topic in another account is judged in that account when the run holds it
//! ([`Snapshot::account_view`]: an organization run links the accounts of the topics its alarms
//! publish to), and is otherwise "could not verify", with the command that reads both accounts.
//! A topic encrypted with the AWS-managed key `alias/aws/sns` silently drops CloudWatch alarm
//! notifications, because that key's policy cannot grant
//! `cloudwatch.amazonaws.com` the use of it.
//!
//! A confirmed subscription is taken to deliver unless `subscriptionAttributes` says otherwise
//! (below). What SNS itself records is also used when `topicDeliveries` was collected: a
//! topic whose notifications all failed in the window (`AWS/SNS`
//! `NumberOfNotificationsFailed` above zero, `NumberOfNotificationsDelivered` zero) reaches
//! nobody (`TOPIC_DELIVERIES_FAILING`); one where some failed and some were delivered still
//! tells someone, and carries the counts
//! ([`Notify::Told::failing`]) for a warning (`TOPIC_DELIVERIES_PARTLY_FAILING`). Without the
//! section, or without counts for the topic, delivery is assumed.
//!
//! When `subscriptionAttributes` was collected, a confirmed subscription whose filter policy
//! drops what the publisher sends does not count (see `subscription.rs`); a topic whose every
//! confirmed subscription drops it reaches nobody (`SUBSCRIPTION_FILTER_DROPS_ALARMS`).
//!
//! Source: "Amazon CloudWatch alarms: Using Amazon SNS topics" / "Encrypting SNS topics" in the
//! CloudWatch user guide ("the AWS managed key for Amazon SNS… cannot be used… with CloudWatch
//! alarms"), and the SNS `ListSubscriptionsByTopic` reference (`PendingConfirmation`).

use super::permission::{Publisher, publish_blocked};
use super::reason;
use super::subscription::{Reach, reach};
use crate::arn::Arn;
use crate::finding::Resource;
use crate::snapshot::{Snapshot, Topic, TopicDeliveries};

/// Who an action list reaches.
#[derive(Debug, Clone, PartialEq)]
pub enum Notify {
    /// A person is told through this topic (ARN) and its confirmed subscriptions.
    Told {
        /// The topic.
        topic: Resource,
        /// How many confirmed subscriptions it has.
        confirmed: usize,
        /// SNS recorded failed deliveries next to delivered ones in the `topicDeliveries`
        /// window: someone is told, but some subscriber is not. `None` when nothing failed or
        /// the counts were not collected.
        failing: Option<TopicDeliveries>,
    },
    /// An automated response (Lambda, Systems Manager) runs; nobody is e-mailed, but something
    /// happens.
    Automated {
        /// The action ARN.
        action: String,
    },
    /// It cannot be decided from this snapshot.
    Unverifiable {
        /// Why, as a clause.
        why: String,
        /// The topic concerned, if any.
        topic: Option<Resource>,
    },
    /// Nobody is told.
    Nobody {
        /// A SCREAMING_SNAKE reason code.
        reason: &'static str,
        /// Why, as a clause ("its only topic `x` has no confirmed subscription").
        why: String,
        /// The topic concerned, if any.
        topic: Option<Resource>,
    },
}

impl Notify {
    /// Whether someone or something is reached.
    pub fn reaches_someone(&self) -> bool {
        matches!(self, Notify::Told { .. } | Notify::Automated { .. })
    }

    /// Orders outcomes from worst (nobody) to best (a person is told).
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Notify::Told { .. } => 4,
            Notify::Automated { .. } => 3,
            Notify::Unverifiable { .. } => 2,
            Notify::Nobody { .. } => 1,
        }
    }
}

/// The CloudFormation type of an SNS topic, for finding resources.
pub const TOPIC_KIND: &str = "AWS::SNS::Topic";

/// Whom an alarm's actions reach: the best outcome over its `AlarmActions`. `alarm_arn` is the
/// alarm's ARN, which CloudWatch sends as `aws:SourceArn` and topic policies may check.
pub fn alarm_notifies(
    snapshot: &Snapshot,
    alarm_arn: &str,
    actions_enabled: bool,
    actions: &[String],
) -> Notify {
    if !actions_enabled {
        return Notify::Nobody {
            reason: reason::ALARM_ACTIONS_DISABLED,
            why: "its actions are disabled (ActionsEnabled is false)".to_owned(),
            topic: None,
        };
    }
    best_of(
        snapshot,
        Publisher::Alarm { arn: alarm_arn },
        actions,
        reason::ALARM_NO_ACTIONS,
        "it has no alarm action",
    )
}

/// Whom an EventBridge rule's targets reach: the best outcome. `rule_arn` is the rule's ARN,
/// which EventBridge sends as `aws:SourceArn`.
pub fn targets_notify(snapshot: &Snapshot, rule_arn: &str, targets: &[String]) -> Notify {
    best_of(
        snapshot,
        Publisher::Rule { arn: rule_arn },
        targets,
        reason::NO_TARGETS,
        "it has no target",
    )
}

fn best_of(
    snapshot: &Snapshot,
    publisher: Publisher<'_>,
    actions: &[String],
    empty_reason: &'static str,
    empty: &str,
) -> Notify {
    actions
        .iter()
        .map(|action| action_notifies(snapshot, publisher, action))
        .max_by_key(Notify::rank)
        .unwrap_or_else(|| Notify::Nobody {
            reason: empty_reason,
            why: empty.to_owned(),
            topic: None,
        })
}

/// Whom one action ARN reaches: a topic with its confirmed subscriptions, an automated
/// response, or why nobody. [`alarm_notifies`] keeps the best of an alarm's actions; this
/// judges each, so a rule can also see the dead topic next to the live one. `publisher` is who
/// publishes (an alarm or an EventBridge rule), whose permission the topic's policies decide.
pub fn action_notifies(snapshot: &Snapshot, publisher: Publisher<'_>, action: &str) -> Notify {
    let Some(arn) = Arn::parse(action) else {
        return Notify::Nobody {
            reason: reason::ACTION_NOT_AN_ARN,
            why: format!("its action `{action}` is not an ARN"),
            topic: None,
        };
    };
    match arn.service {
        "sns" => topic_notifies(snapshot, publisher, action, &arn),
        "lambda" | "ssm" | "ssm-incidents" => Notify::Automated {
            action: action.to_owned(),
        },
        _ => Notify::Nobody {
            reason: reason::ACTION_NOT_A_NOTIFICATION,
            why: format!("its action `{action}` ({}) notifies nobody", arn.service),
            topic: None,
        },
    }
}

fn topic_notifies(
    snapshot: &Snapshot,
    publisher: Publisher<'_>,
    action: &str,
    arn: &Arn<'_>,
) -> Notify {
    let resource = Resource::new(TOPIC_KIND, action, arn.short_name()).with_role("topic");
    if arn.account != snapshot.account.id {
        // CloudWatch and EventBridge publish to a topic of another account as their service
        // principal; whether they may is the topic's access policy's decision, with
        // `aws:SourceAccount` / `aws:SourceArn` naming the publisher (its ARN, so its own
        // account) — "Confused deputy prevention" in the SNS developer guide
        // (<https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html>). So
        // the topic is judged in its own account when the run holds it.
        if let Some(owner) = snapshot.account_view(arn.account) {
            return topic_notifies(owner, publisher, action, arn);
        }
        return Notify::Unverifiable {
            why: format!(
                "topic `{}` belongs to account {}, which this run did not read. {}",
                arn.short_name(),
                arn.account,
                super::log_group::verify_with(arn.account, &snapshot.account.id)
            ),
            topic: Some(resource),
        };
    }
    let Some(region) = snapshot.region(arn.region) else {
        return Notify::Unverifiable {
            why: format!(
                "topic `{}` is in region {}, which the snapshot does not cover",
                arn.short_name(),
                arn.region
            ),
            topic: Some(resource),
        };
    };
    let topics = match region.topics.verified() {
        Ok(topics) => topics,
        Err(why) => {
            return Notify::Unverifiable {
                why: format!("the SNS topics of {} could not be read: {why}", arn.region),
                topic: Some(resource),
            };
        }
    };
    let Some(topic) = topics.iter().find(|t| t.topic_arn == action) else {
        return Notify::Nobody {
            reason: reason::TOPIC_MISSING,
            why: format!("its topic `{}` does not exist", arn.short_name()),
            topic: Some(resource),
        };
    };
    if uses_aws_managed_sns_key(snapshot, topic) {
        return Notify::Nobody {
            reason: reason::TOPIC_AWS_MANAGED_KEY,
            why: format!(
                "its topic `{}` is encrypted with the AWS-managed key alias/aws/sns, which CloudWatch cannot use, so notifications are dropped",
                arn.short_name()
            ),
            topic: Some(resource),
        };
    }
    if let Some(blocked) = publish_blocked(snapshot, publisher, topic, &resource) {
        return blocked;
    }
    let confirmed = topic
        .subscriptions
        .iter()
        .filter(|s| s.is_confirmed())
        .count();
    if confirmed == 0 {
        let pending = topic.subscriptions.len();
        return Notify::Nobody {
            reason: reason::TOPIC_NO_CONFIRMED_SUBSCRIPTION,
            why: if pending == 0 {
                format!("its topic `{}` has no subscription", arn.short_name())
            } else {
                format!(
                    "its topic `{}` has no confirmed subscription ({pending} pending confirmation)",
                    arn.short_name()
                )
            },
            topic: Some(resource),
        };
    }
    let confirmed = match subscriptions_reached(snapshot, publisher, topic, arn, &resource) {
        Ok(Some(reached)) => reached,
        Ok(None) => confirmed,
        Err(outcome) => return *outcome,
    };
    let counts = snapshot.topic_deliveries(&topic.topic_arn);
    match counts {
        Some(counts) if counts.failed > 0 && counts.delivered == 0 => Notify::Nobody {
            reason: reason::TOPIC_DELIVERIES_FAILING,
            why: format!(
                "its topic `{}` delivered no notification in the last {} hours and SNS recorded {} failed ({}); its {confirmed} confirmed subscription(s) reach nobody, e.g. a deleted SQS queue or Lambda function, or an HTTPS endpoint that refuses",
                arn.short_name(),
                counts.window_hours,
                counts.failed,
                DELIVERY_METRICS
            ),
            topic: Some(resource),
        },
        _ => Notify::Told {
            topic: resource,
            confirmed,
            failing: counts.filter(|c| c.failed > 0).cloned(),
        },
    }
}

/// How many of the topic's confirmed subscriptions receive what `publisher` sends, when
/// `subscriptionAttributes` was collected for the topic's region (`Ok(None)` otherwise: each
/// confirmed subscription is then assumed to receive it). `Err` is the outcome when none does:
/// nobody (`SUBSCRIPTION_FILTER_DROPS_ALARMS`) when every one drops it, could not verify when
/// some cannot be judged. See `subscription.rs` for how a filter policy is judged.
fn subscriptions_reached(
    snapshot: &Snapshot,
    publisher: Publisher<'_>,
    topic: &Topic,
    arn: &Arn<'_>,
    resource: &Resource,
) -> Result<Option<usize>, Box<Notify>> {
    // Without the topic region's attributes read, every confirmed subscription is assumed to
    // receive it.
    if snapshot
        .region(arn.region)
        .is_none_or(|r| r.subscription_attributes.verified().is_err())
    {
        return Ok(None);
    }
    let mut reached = 0;
    let mut dropped = Vec::new();
    let mut unknown = Vec::new();
    for subscription in topic.subscriptions.iter().filter(|s| s.is_confirmed()) {
        let Some(found) = snapshot.subscription_attributes(&subscription.subscription_arn) else {
            // Subscribed after the attributes were read: assumed to receive it, as without
            // the section.
            reached += 1;
            continue;
        };
        let name = format!(
            "{} subscription `{}`",
            subscription.protocol,
            subscription
                .subscription_arn
                .rsplit(':')
                .next()
                .unwrap_or_default()
        );
        match reach(found, publisher) {
            Reach::Delivers => reached += 1,
            Reach::Dropped { reason, why } => dropped.push((reason, format!("{name} {why}"))),
            Reach::Unknown(why) => unknown.push(format!("{name} {why}")),
        }
    }
    if reached > 0 {
        return Ok(Some(reached));
    }
    let topic_name = arn.short_name();
    let reasons: Vec<&'static str> = dropped.iter().map(|(r, _)| *r).collect();
    let dropped: Vec<String> = dropped.into_iter().map(|(_, why)| why).collect();
    if unknown.is_empty() {
        // A filter policy is named first, a missing endpoint next, a pending confirmation last.
        let reason = [
            reason::SUBSCRIPTION_FILTER_DROPS_ALARMS,
            reason::SUBSCRIPTION_ENDPOINT_MISSING,
        ]
        .into_iter()
        .find(|r| reasons.contains(r))
        .unwrap_or(reason::TOPIC_NO_CONFIRMED_SUBSCRIPTION);
        return Err(Box::new(Notify::Nobody {
            reason,
            why: format!(
                "no confirmed subscription of its topic `{topic_name}` receives the notification: {}",
                dropped.join("; ")
            ),
            topic: Some(resource.clone()),
        }));
    }
    let mut parts = unknown;
    parts.extend(dropped);
    Err(Box::new(Notify::Unverifiable {
        why: format!(
            "whether the confirmed subscriptions of topic `{topic_name}` receive the notification is unknown: {}",
            parts.join("; ")
        ),
        topic: Some(resource.clone()),
    }))
}

/// The metrics behind `TOPIC_DELIVERIES_FAILING`, for messages.
pub const DELIVERY_METRICS: &str =
    "AWS/SNS NumberOfNotificationsFailed and NumberOfNotificationsDelivered";

/// The warning's sentence for a topic whose deliveries partly fail: counts and window.
pub fn partly_failing_text(topic: &str, counts: &TopicDeliveries) -> String {
    format!(
        "topic `{topic}` tells someone, but SNS recorded {} failed and {} delivered notifications in the last {} hours ({DELIVERY_METRICS}; for HTTP/S each failed retry counts), so some subscriber is not reached",
        counts.failed, counts.delivered, counts.window_hours
    )
}

/// Whether the topic's `KmsMasterKeyId` is the AWS-managed SNS key, by alias, by alias ARN, or
/// by the id or ARN of a key the snapshot knows as AWS-managed with that alias.
pub fn uses_aws_managed_sns_key(snapshot: &Snapshot, topic: &Topic) -> bool {
    let Some(key) = topic.kms_master_key_id.as_deref() else {
        return false;
    };
    if key == "alias/aws/sns" || key.ends_with(":alias/aws/sns") {
        return true;
    }
    snapshot.kms_key(key).is_some_and(|k| {
        !k.is_customer_managed() && k.aliases.iter().any(|alias| alias == "alias/aws/sns")
    })
}
