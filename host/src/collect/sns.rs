//! SNS: topics with their KMS key attribute and their subscriptions (confirmation state
//! included, endpoints redacted by default), and, when a rule asks, each topic's access policy
//! (`topicPolicies`, the `Policy` attribute of the same `GetTopicAttributes` call) and each
//! confirmed subscription's attributes (`subscriptionAttributes`, one
//! `GetSubscriptionAttributes` per confirmed subscription: its filter policy decides whether
//! alarm notifications reach it, and [`super::sns_endpoints`] whether its SQS queue or Lambda
//! function still exists).
//!
//! Snapshots get committed and shared, so e-mail addresses, phone numbers and webhook URLs are
//! replaced by `<redacted>` unless `--no-redact`. An endpoint that is an ARN (Lambda, SQS,
//! Firehose, mobile application) names a resource of the account like every other ARN in the
//! snapshot, and stays.

use aws_config::SdkConfig;
use futures_util::future::join_all;
use trailwarden_sdk::sections::{SectionData, SectionName, SectionSet};
use trailwarden_sdk::snapshot::{
    CollectionError, Section, Subscription, SubscriptionAttributes, Topic, TopicPolicy,
};

use super::calls::{Caller, Op};

/// `sns:ListTopics`.
pub const LIST_TOPICS: Op = Op::new("sns", "ListTopics");
/// `sns:GetTopicAttributes`.
pub const GET_TOPIC_ATTRIBUTES: Op = Op::new("sns", "GetTopicAttributes");
/// `sns:ListSubscriptionsByTopic`.
pub const LIST_SUBSCRIPTIONS_BY_TOPIC: Op = Op::new("sns", "ListSubscriptionsByTopic");
/// `sns:GetSubscriptionAttributes`.
pub const GET_SUBSCRIPTION_ATTRIBUTES: Op = Op::new("sns", "GetSubscriptionAttributes");

/// What a redacted endpoint reads as.
pub const REDACTED: &str = "<redacted>";

/// An SNS client for one region.
pub fn client(config: &SdkConfig, region: &str) -> aws_sdk_sns::Client {
    let conf = aws_sdk_sns::config::Builder::from(config)
        .region(aws_config::Region::new(region.to_owned()))
        .build();
    aws_sdk_sns::Client::from_conf(conf)
}

/// The SNS sections: the one task of this module fills them from one `ListTopics` walk, with
/// one `GetTopicAttributes` per topic and, for `topicDeliveries`, CloudWatch's counts
/// ([`super::sns_deliveries`]).
pub const SECTIONS: [SectionName; 4] = [
    SectionName::Topics,
    SectionName::TopicPolicies,
    SectionName::TopicDeliveries,
    SectionName::SubscriptionAttributes,
];

/// Every SNS section of `needs` for the region: `topics` (every topic with its
/// `KmsMasterKeyId` and subscriptions) and `topicPolicies`, each only if needed.
pub async fn collect(
    caller: &Caller,
    config: &SdkConfig,
    region: &str,
    needs: SectionSet,
    redact: bool,
) -> Vec<SectionData> {
    let with_topics = needs.contains(SectionName::Topics);
    let with_policies = needs.contains(SectionName::TopicPolicies);
    let with_deliveries = needs.contains(SectionName::TopicDeliveries);
    let with_subscription_attributes = needs.contains(SectionName::SubscriptionAttributes);
    let client = client(config, region);
    let mut section = Section::of(Vec::new());
    let mut policies = Section::of(Vec::new());
    let mut subscription_attributes = Section::of(Vec::new());
    let mut arns = Vec::new();
    let error = caller
        .walk(
            LIST_TOPICS,
            Some(region),
            |token| client.list_topics().set_next_token(token).send(),
            |page| {
                arns.extend(
                    page.topics()
                        .iter()
                        .filter_map(|topic| topic.topic_arn().map(str::to_owned)),
                );
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    section.errors.extend(error.clone());
    policies.errors.extend(error.clone());
    subscription_attributes.errors.extend(error.clone());
    let deliveries = async {
        if !with_deliveries {
            return None;
        }
        let cloudwatch = super::cloudwatch::client(config, region);
        let mut counts = super::sns_deliveries::collect(caller, &cloudwatch, region, &arns).await;
        counts.errors.extend(error);
        Some(counts)
    };
    let reads = Reads {
        subscriptions: with_topics || with_subscription_attributes,
        subscription_attributes: with_subscription_attributes,
        redact,
    };
    let topics = join_all(
        arns.iter()
            .map(|arn| topic(caller, &client, region, arn, reads)),
    );
    let (topics, deliveries) = tokio::join!(topics, deliveries);
    for read in topics {
        match read.attributes {
            Ok(Some(policy)) => policies.items.push(TopicPolicy {
                topic_arn: read.topic.topic_arn.clone(),
                policy,
            }),
            Ok(None) => {}
            Err(error) => policies.errors.push(error),
        }
        for attributes in read.subscription_attributes {
            match attributes {
                Ok(attributes) => subscription_attributes.items.push(attributes),
                Err(error) => subscription_attributes.errors.push(error),
            }
        }
        subscription_attributes
            .errors
            .extend(read.subscriptions_error.clone());
        section.items.push(read.topic);
        section.errors.extend(read.errors);
    }
    if with_subscription_attributes {
        let failed = super::sns_endpoints::check(
            caller,
            config,
            region,
            &section.items,
            &mut subscription_attributes.items,
        )
        .await;
        subscription_attributes.errors.extend(failed);
    }
    let mut parts = Vec::new();
    if with_topics {
        parts.push(SectionData::Topics(section));
    }
    if with_policies {
        parts.push(SectionData::TopicPolicies(policies));
    }
    if let Some(deliveries) = deliveries {
        parts.push(SectionData::TopicDeliveries(deliveries));
    }
    if with_subscription_attributes {
        parts.push(SectionData::SubscriptionAttributes(subscription_attributes));
    }
    parts
}

/// What was read of one topic.
struct TopicRead {
    topic: Topic,
    /// Failures for `topics`: attributes and subscriptions.
    errors: Vec<CollectionError>,
    /// The `Policy` attribute, or the failure of `GetTopicAttributes`, for `topicPolicies`.
    attributes: Result<Option<String>, CollectionError>,
    /// The failure of `ListSubscriptionsByTopic`, for `subscriptionAttributes` too.
    subscriptions_error: Option<CollectionError>,
    /// Each confirmed subscription's attributes, for `subscriptionAttributes`.
    subscription_attributes: Vec<Result<SubscriptionAttributes, CollectionError>>,
}

/// What to read of each topic beyond its attributes.
#[derive(Debug, Clone, Copy)]
struct Reads {
    /// List its subscriptions (`topics`, or `subscriptionAttributes` which needs them).
    subscriptions: bool,
    /// Read each confirmed subscription's attributes.
    subscription_attributes: bool,
    /// Redact personal endpoints.
    redact: bool,
}

/// One topic's attributes, and what `reads` asks of its subscriptions.
async fn topic(
    caller: &Caller,
    client: &aws_sdk_sns::Client,
    region: &str,
    arn: &str,
    reads: Reads,
) -> TopicRead {
    let attributes = caller.call(GET_TOPIC_ATTRIBUTES, Some(region), || {
        client.get_topic_attributes().topic_arn(arn).send()
    });
    let (attributes, subscriptions) = tokio::join!(attributes, async {
        if reads.subscriptions {
            subscriptions(caller, client, region, arn, reads.redact).await
        } else {
            (Vec::new(), None)
        }
    });
    let mut errors = Vec::new();
    let attribute = |name: &str| {
        attributes.as_ref().ok().and_then(|output| {
            output
                .attributes()
                .and_then(|attributes| attributes.get(name))
                .filter(|value| !value.is_empty())
                .cloned()
        })
    };
    let kms_master_key_id = attribute("KmsMasterKeyId");
    let policy = attribute("Policy");
    let attributes = match attributes {
        Ok(_) => Ok(policy),
        Err(error) => {
            errors.push(error.clone());
            Err(error)
        }
    };
    let (subscriptions, error) = subscriptions;
    errors.extend(error.clone());
    let subscription_attributes = if reads.subscription_attributes {
        join_all(
            subscriptions
                .iter()
                .filter(|s| s.is_confirmed())
                .map(|s| subscription_attributes(caller, client, region, arn, &s.subscription_arn)),
        )
        .await
    } else {
        Vec::new()
    };
    TopicRead {
        topic: Topic {
            topic_arn: arn.to_owned(),
            kms_master_key_id,
            subscriptions,
        },
        errors,
        attributes,
        subscriptions_error: error,
        subscription_attributes,
    }
}

/// `GetSubscriptionAttributes` of one confirmed subscription, kept as SNS returns the values
/// that decide delivery (see [`SubscriptionAttributes`]).
async fn subscription_attributes(
    caller: &Caller,
    client: &aws_sdk_sns::Client,
    region: &str,
    topic_arn: &str,
    subscription_arn: &str,
) -> Result<SubscriptionAttributes, CollectionError> {
    let output = caller
        .call(GET_SUBSCRIPTION_ATTRIBUTES, Some(region), || {
            client
                .get_subscription_attributes()
                .subscription_arn(subscription_arn)
                .send()
        })
        .await?;
    let attributes = output.attributes();
    let text = |name: &str| {
        attributes
            .and_then(|a| a.get(name))
            .filter(|v| !v.trim().is_empty())
            .cloned()
    };
    let flag = |name: &str| text(name).map(|v| v.eq_ignore_ascii_case("true"));
    Ok(SubscriptionAttributes {
        subscription_arn: subscription_arn.to_owned(),
        topic_arn: topic_arn.to_owned(),
        pending_confirmation: flag("PendingConfirmation"),
        confirmation_was_authenticated: flag("ConfirmationWasAuthenticated"),
        raw_message_delivery: flag("RawMessageDelivery"),
        filter_policy: text("FilterPolicy"),
        filter_policy_scope: text("FilterPolicyScope"),
        redrive_policy: text("RedrivePolicy"),
        // Filled for the whole region afterwards by `sns_endpoints::check`.
        endpoint_exists: None,
    })
}

async fn subscriptions(
    caller: &Caller,
    client: &aws_sdk_sns::Client,
    region: &str,
    arn: &str,
    redact: bool,
) -> (Vec<Subscription>, Option<CollectionError>) {
    let mut subscriptions = Vec::new();
    let error = caller
        .walk(
            LIST_SUBSCRIPTIONS_BY_TOPIC,
            Some(region),
            |token| {
                client
                    .list_subscriptions_by_topic()
                    .topic_arn(arn)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                subscriptions.extend(page.subscriptions().iter().map(|s| Subscription {
                    subscription_arn: s.subscription_arn().unwrap_or_default().to_owned(),
                    protocol: s.protocol().unwrap_or_default().to_owned(),
                    endpoint: endpoint(s.endpoint().unwrap_or_default(), redact),
                }));
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    (subscriptions, error)
}

/// The endpoint as the snapshot keeps it: ARNs as they are, anything else redacted on request.
pub fn endpoint(endpoint: &str, redact: bool) -> String {
    if !redact || endpoint.starts_with("arn:") {
        endpoint.to_owned()
    } else {
        REDACTED.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_endpoints_are_redacted_and_arns_kept() {
        assert_eq!(endpoint("sec@example.com", true), REDACTED);
        assert_eq!(endpoint("https://hooks.example.com/x", true), REDACTED);
        assert_eq!(endpoint("+15555550100", true), REDACTED);
        let queue = "arn:aws:sqs:eu-west-1:111122223333:alerts";
        assert_eq!(endpoint(queue, true), queue);
        assert_eq!(endpoint("sec@example.com", false), "sec@example.com");
    }
}
