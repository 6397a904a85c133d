//! Whether a confirmed SNS subscription receives an alarm's notification: its filter policy.
//!
//! "If a subscription doesn't have a filter policy, the subscriber receives every message
//! published to its topic. … If all of the message attributes or message body properties
//! satisfy the conditions specified in the filter policy, Amazon SNS sends the message to the
//! subscriber. Otherwise, Amazon SNS doesn't send the message to that subscriber" ("Amazon SNS
//! message filtering", <https://docs.aws.amazon.com/sns/latest/dg/message-filtering.html>).
//! The policy applies to the message attributes unless `FilterPolicyScope` is `MessageBody`
//! (<https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html>).
//!
//! Our reading of what a CloudWatch alarm publishes, from the notifications AWS's own Lambda
//! event samples record (aws/aws-lambda-go `events/testdata/cloudwatch-alarm-sns-payload-*.json`):
//! no message attributes, and a JSON body with `AlarmName`, `AlarmDescription`,
//! `AWSAccountId`, `AlarmConfigurationUpdatedTimestamp`, `NewStateValue`, `NewStateReason`,
//! `StateChangeTime`, `Region` (a long name such as "US East (N. Virginia)"), `AlarmArn`,
//! `OldStateValue`, the action lists and `Trigger` (the metric, statistic, threshold…). So:
//! - a policy scoped to message attributes is matched against no attributes: only
//!   `{"exists": false}` conditions can hold, anything else drops the notification;
//! - a body-scoped policy is matched against the notification of the alarm entering `ALARM`.
//!   Fields whose value is certain from configuration (`AlarmName`, `AlarmArn`,
//!   `AWSAccountId`, `NewStateValue` = `ALARM`) are compared; a field of the message whose
//!   value trailwarden does not know (the description, the reason text, the time, `Region`,
//!   `OldStateValue`, `Trigger`, …) makes the answer "could not verify"; a field the message
//!   never has is absent, as in SNS.
//!
//! Body policies use the operators of EventBridge event patterns (exact values, `prefix`,
//! `suffix`, `anything-but`, `numeric`, `exists`, `equals-ignore-case`, `cidr`, `$or`), so the
//! EventBridge matcher of this SDK decides them; a policy it cannot parse is "could not
//! verify".
//!
//! What EventBridge sends to a topic is the matched event, so an EventBridge target's filter
//! policy is not judged here: it is "could not verify" when there is one.

use serde_json::{Map, Value, json};

use super::permission::Publisher;
use super::reason;
use crate::arn::Arn;
use crate::eventbridge::EventPattern;
use crate::snapshot::SubscriptionAttributes;

/// Whether one subscription receives the notification.
#[derive(Debug, Clone, PartialEq)]
pub enum Reach {
    /// SNS sends it (no filter policy, or one the notification satisfies).
    Delivers,
    /// SNS does not send it, or sends it where nobody reads it.
    Dropped {
        /// The reason code: `SUBSCRIPTION_FILTER_DROPS_ALARMS`,
        /// `SUBSCRIPTION_ENDPOINT_MISSING` or `TOPIC_NO_CONFIRMED_SUBSCRIPTION` (pending).
        reason: &'static str,
        /// Why, as a clause.
        why: String,
    },
    /// It cannot be decided; the clause says why.
    Unknown(String),
}

/// Top-level fields of a CloudWatch alarm notification (see the module documentation).
const ALARM_MESSAGE_FIELDS: [&str; 14] = [
    "AlarmName",
    "AlarmDescription",
    "AWSAccountId",
    "AlarmConfigurationUpdatedTimestamp",
    "NewStateValue",
    "NewStateReason",
    "StateChangeTime",
    "Region",
    "AlarmArn",
    "OldStateValue",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "Trigger",
];

/// Fields whose value is certain for the notification of `publisher` entering `ALARM`.
fn known_alarm_message(arn: &str) -> Option<Value> {
    let parsed = Arn::parse(arn)?;
    Some(json!({
        "AlarmName": parsed.short_name(),
        "AlarmArn": arn,
        "AWSAccountId": parsed.account,
        "NewStateValue": "ALARM",
    }))
}

/// Whether `attributes`' subscription receives what `publisher` publishes.
pub fn reach(attributes: &SubscriptionAttributes, publisher: Publisher<'_>) -> Reach {
    if attributes.pending_confirmation == Some(true) {
        return Reach::Dropped {
            reason: reason::TOPIC_NO_CONFIRMED_SUBSCRIPTION,
            why: "is pending confirmation".to_owned(),
        };
    }
    if attributes.endpoint_exists == Some(false) {
        return Reach::Dropped {
            reason: reason::SUBSCRIPTION_ENDPOINT_MISSING,
            why: "delivers to a queue or function that no longer exists".to_owned(),
        };
    }
    let Some(text) = attributes
        .filter_policy
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    else {
        return Reach::Delivers;
    };
    let arn = match publisher {
        Publisher::Alarm { arn } => arn,
        Publisher::Rule { .. } => {
            return Reach::Unknown(format!(
                "has a filter policy (`{}`), which trailwarden does not judge against EventBridge events",
                shown(text)
            ));
        }
    };
    let policy: Value = match serde_json::from_str(text) {
        Ok(policy) => policy,
        Err(e) => {
            return Reach::Unknown(format!(
                "has a filter policy that is not JSON ({e}), which SNS would not have accepted"
            ));
        }
    };
    let pattern = match EventPattern::from_value(&policy) {
        Ok(pattern) => pattern,
        Err(e) => {
            return Reach::Unknown(format!(
                "has a filter policy (`{}`) trailwarden cannot evaluate: {e}",
                shown(text)
            ));
        }
    };
    let body_scoped = attributes.filter_policy_scope.as_deref() == Some("MessageBody");
    if !body_scoped {
        if let Some(scope) = attributes
            .filter_policy_scope
            .as_deref()
            .filter(|s| *s != "MessageAttributes")
        {
            return Reach::Unknown(format!("has an unknown filter policy scope `{scope}`"));
        }
        return if pattern.matches(&json!({})) {
            Reach::Delivers
        } else {
            Reach::Dropped {
                reason: reason::SUBSCRIPTION_FILTER_DROPS_ALARMS,
                why: format!(
                    "has a filter policy on message attributes (`{}`), and CloudWatch alarm notifications carry none",
                    shown(text)
                ),
            }
        };
    }
    let Some(message) = known_alarm_message(arn) else {
        return Reach::Unknown(format!("cannot read the alarm ARN `{arn}`"));
    };
    if let Some(field) = unknown_field(&policy, &message) {
        return Reach::Unknown(format!(
            "has a filter policy on the message body (`{}`) that tests `{field}`, whose value in the alarm notification trailwarden cannot know",
            shown(text)
        ));
    }
    if pattern.matches(&message) {
        Reach::Delivers
    } else {
        Reach::Dropped {
            reason: reason::SUBSCRIPTION_FILTER_DROPS_ALARMS,
            why: format!(
                "has a filter policy on the message body (`{}`) that the notification of this alarm entering ALARM does not satisfy",
                shown(text)
            ),
        }
    }
}

/// A field the policy tests whose value in the notification is unknown: one of the
/// notification's fields that `known` does not hold, at the top or under `$or`.
fn unknown_field(policy: &Value, known: &Value) -> Option<String> {
    let object: &Map<String, Value> = policy.as_object()?;
    for (key, value) in object {
        if key == "$or" {
            let found = value
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|branch| unknown_field(branch, known));
            if found.is_some() {
                return found;
            }
            continue;
        }
        if ALARM_MESSAGE_FIELDS.contains(&key.as_str()) && known.get(key).is_none() {
            return Some(key.clone());
        }
    }
    None
}

fn shown(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 80 {
        let cut: String = flat.chars().take(79).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALARM: &str = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-key-changes";

    fn attributes(policy: Option<&str>, scope: Option<&str>) -> SubscriptionAttributes {
        SubscriptionAttributes {
            subscription_arn: "arn:aws:sns:us-east-1:111122223333:alerts:1".to_owned(),
            topic_arn: "arn:aws:sns:us-east-1:111122223333:alerts".to_owned(),
            pending_confirmation: Some(false),
            confirmation_was_authenticated: Some(true),
            raw_message_delivery: Some(false),
            filter_policy: policy.map(str::to_owned),
            filter_policy_scope: scope.map(str::to_owned),
            redrive_policy: None,
            endpoint_exists: None,
        }
    }

    fn reach_of(policy: Option<&str>, scope: Option<&str>) -> Reach {
        reach(&attributes(policy, scope), Publisher::Alarm { arn: ALARM })
    }

    #[test]
    fn without_a_filter_policy_everything_is_delivered() {
        assert_eq!(reach_of(None, None), Reach::Delivers);
        assert_eq!(reach_of(Some("  "), None), Reach::Delivers);
    }

    /// Attribute scope is the default; alarm notifications carry no attributes, so only
    /// `exists: false` lets them through.
    #[test]
    fn an_attribute_policy_drops_alarm_notifications() {
        let severity = r#"{"severity": ["high", "critical"]}"#;
        assert!(matches!(
            reach_of(Some(severity), None),
            Reach::Dropped { .. }
        ));
        assert!(matches!(
            reach_of(Some(severity), Some("MessageAttributes")),
            Reach::Dropped { .. }
        ));
        let absent = r#"{"severity": [{"exists": false}]}"#;
        assert_eq!(reach_of(Some(absent), None), Reach::Delivers);
        assert!(matches!(
            reach_of(Some(severity), Some("Elsewhere")),
            Reach::Unknown(_)
        ));
    }

    #[test]
    fn a_body_policy_is_matched_against_the_alarm_notification() {
        let body = Some("MessageBody");
        let alarm_state = r#"{"NewStateValue": ["ALARM"]}"#;
        assert_eq!(reach_of(Some(alarm_state), body), Reach::Delivers);
        let ok_only = r#"{"NewStateValue": ["OK"]}"#;
        assert!(matches!(
            reach_of(Some(ok_only), body),
            Reach::Dropped { .. }
        ));
        let by_name = r#"{"AlarmName": [{"prefix": "kms-"}]}"#;
        assert_eq!(reach_of(Some(by_name), body), Reach::Delivers);
        let other_name = r#"{"AlarmName": [{"prefix": "ec2-"}]}"#;
        assert!(matches!(
            reach_of(Some(other_name), body),
            Reach::Dropped { .. }
        ));
        // A field the notification never has: absent, so the policy drops it.
        let foreign = r#"{"detail-type": ["Alert"]}"#;
        assert!(matches!(
            reach_of(Some(foreign), body),
            Reach::Dropped { .. }
        ));
        // Fields whose value is not known from configuration: could not verify.
        let reason = r#"{"NewStateReason": [{"prefix": "Threshold"}]}"#;
        assert!(matches!(reach_of(Some(reason), body), Reach::Unknown(_)));
        let either = r#"{"$or": [{"AlarmName": ["x"]}, {"Region": ["US East (N. Virginia)"]}]}"#;
        assert!(matches!(reach_of(Some(either), body), Reach::Unknown(_)));
    }

    #[test]
    fn what_cannot_be_read_is_unknown_never_delivered() {
        assert!(matches!(
            reach_of(Some("{not json"), None),
            Reach::Unknown(_)
        ));
        assert!(matches!(
            reach_of(Some(r#"{"a": "not-an-array"}"#), None),
            Reach::Unknown(_)
        ));
        let rule = reach(
            &attributes(Some(r#"{"a": ["b"]}"#), None),
            Publisher::Rule {
                arn: "arn:aws:events:us-east-1:111122223333:rule/r",
            },
        );
        assert!(matches!(rule, Reach::Unknown(_)));
        let mut gone = attributes(None, None);
        gone.endpoint_exists = Some(false);
        assert!(matches!(
            reach(&gone, Publisher::Alarm { arn: ALARM }),
            Reach::Dropped {
                reason: "SUBSCRIPTION_ENDPOINT_MISSING",
                ..
            }
        ));
        gone.endpoint_exists = Some(true);
        assert_eq!(
            reach(&gone, Publisher::Alarm { arn: ALARM }),
            Reach::Delivers
        );
        let mut pending = attributes(None, None);
        pending.pending_confirmation = Some(true);
        assert!(matches!(
            reach(&pending, Publisher::Alarm { arn: ALARM }),
            Reach::Dropped { .. }
        ));
    }
}
