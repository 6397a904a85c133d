//! SNS: topics with their KMS key attribute and their subscriptions (confirmation state
//! included, endpoints redacted by default).
//!
//! Snapshots get committed and shared, so e-mail addresses, phone numbers and webhook URLs are
//! replaced by `<redacted>` unless `--no-redact`. An endpoint that is an ARN (Lambda, SQS,
//! Firehose, mobile application) names a resource of the account like every other ARN in the
//! snapshot, and stays.

use aws_config::SdkConfig;
use futures_util::future::join_all;
use trailwarden_sdk::snapshot::{CollectionError, Section, Subscription, Topic};

use super::calls::{Caller, Op};

/// `sns:ListTopics`.
pub const LIST_TOPICS: Op = Op::new("sns", "ListTopics");
/// `sns:GetTopicAttributes`.
pub const GET_TOPIC_ATTRIBUTES: Op = Op::new("sns", "GetTopicAttributes");
/// `sns:ListSubscriptionsByTopic`.
pub const LIST_SUBSCRIPTIONS_BY_TOPIC: Op = Op::new("sns", "ListSubscriptionsByTopic");

/// What a redacted endpoint reads as.
pub const REDACTED: &str = "<redacted>";

/// An SNS client for one region.
pub fn client(config: &SdkConfig, region: &str) -> aws_sdk_sns::Client {
    let conf = aws_sdk_sns::config::Builder::from(config)
        .region(aws_config::Region::new(region.to_owned()))
        .build();
    aws_sdk_sns::Client::from_conf(conf)
}

/// Every topic of the region with its `KmsMasterKeyId` and subscriptions.
pub async fn topics(
    caller: &Caller,
    config: &SdkConfig,
    region: &str,
    redact: bool,
) -> Section<Topic> {
    let client = client(config, region);
    let mut section = Section::of(Vec::new());
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
    section.errors.extend(error);
    let topics = join_all(
        arns.iter()
            .map(|arn| topic(caller, &client, region, arn, redact)),
    )
    .await;
    for (topic, errors) in topics {
        section.items.push(topic);
        section.errors.extend(errors);
    }
    section
}

async fn topic(
    caller: &Caller,
    client: &aws_sdk_sns::Client,
    region: &str,
    arn: &str,
    redact: bool,
) -> (Topic, Vec<CollectionError>) {
    let attributes = caller.call(GET_TOPIC_ATTRIBUTES, Some(region), || {
        client.get_topic_attributes().topic_arn(arn).send()
    });
    let (attributes, subscriptions) = tokio::join!(
        attributes,
        subscriptions(caller, client, region, arn, redact)
    );
    let mut errors = Vec::new();
    let kms_master_key_id = match attributes {
        Ok(output) => output
            .attributes()
            .and_then(|attributes| attributes.get("KmsMasterKeyId"))
            .filter(|key| !key.is_empty())
            .cloned(),
        Err(error) => {
            errors.push(error);
            None
        }
    };
    let (subscriptions, error) = subscriptions;
    errors.extend(error);
    (
        Topic {
            topic_arn: arn.to_owned(),
            kms_master_key_id,
            subscriptions,
        },
        errors,
    )
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
