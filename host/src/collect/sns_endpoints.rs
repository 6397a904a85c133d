//! Whether the SQS queues and Lambda functions that confirmed SNS subscriptions deliver to
//! still exist, for `subscriptionAttributes` ([`SubscriptionAttributes::endpoint_exists`]).
//!
//! SNS keeps a subscription whose queue or function was deleted; its deliveries then fail
//! until the retry policy gives up, and nobody reads the alarm. One list call answers without
//! an error for a missing resource (a get call would count a deleted queue as a failed call):
//! `sqs:ListQueues` with the queue's name as prefix, per queue, and one `lambda:ListFunctions`
//! walk per region that has a Lambda subscription. Only endpoints in the topic's account and
//! region are checked: another account's queue cannot be listed from here, and the collection
//! of a region reads that region.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use trailwarden_sdk::arn::Arn;
use trailwarden_sdk::snapshot::{CollectionError, SubscriptionAttributes, Topic};

use super::calls::{Caller, Op};

/// `sqs:ListQueues`.
pub const LIST_QUEUES: Op = Op::new("sqs", "ListQueues");
/// `lambda:ListFunctions`.
pub const LIST_FUNCTIONS: Op = Op::new("lambda", "ListFunctions");

/// An endpoint worth checking: a queue or a function of the topic's account in `region`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Endpoint {
    Queue { account: String, name: String },
    Function { name: String },
}

/// The endpoint of `protocol`/`endpoint`, when it is an SQS queue or Lambda function in the
/// same account as `topic_arn` and in `region`.
fn endpoint(protocol: &str, endpoint: &str, topic_arn: &str, region: &str) -> Option<Endpoint> {
    let arn = Arn::parse(endpoint)?;
    let topic = Arn::parse(topic_arn)?;
    if arn.account != topic.account || arn.region != region {
        return None;
    }
    match (protocol, arn.service) {
        ("sqs", "sqs") => Some(Endpoint::Queue {
            account: arn.account.to_owned(),
            name: arn.resource.to_owned(),
        }),
        ("lambda", "lambda") => {
            // `function:name` or `function:name:qualifier`.
            let name = arn.resource.strip_prefix("function:")?.split(':').next()?;
            Some(Endpoint::Function {
                name: name.to_owned(),
            })
        }
        _ => None,
    }
}

/// Fills `endpoint_exists` of `attributes` from the subscriptions of `topics`, and returns
/// the failed calls (the section then reads as incomplete).
pub async fn check(
    caller: &Caller,
    config: &SdkConfig,
    region: &str,
    topics: &[Topic],
    attributes: &mut [SubscriptionAttributes],
) -> Vec<CollectionError> {
    let mut wanted: BTreeMap<String, Endpoint> = BTreeMap::new();
    for topic in topics {
        for subscription in topic.subscriptions.iter().filter(|s| s.is_confirmed()) {
            if let Some(found) = endpoint(
                &subscription.protocol,
                &subscription.endpoint,
                &topic.topic_arn,
                region,
            ) {
                wanted.insert(subscription.subscription_arn.clone(), found);
            }
        }
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut errors = Vec::new();
    let mut existing: BTreeMap<Endpoint, bool> = BTreeMap::new();
    let queues: BTreeSet<&Endpoint> = wanted
        .values()
        .filter(|e| matches!(e, Endpoint::Queue { .. }))
        .collect();
    if !queues.is_empty() {
        let sqs = aws_sdk_sqs::Client::from_conf(
            aws_sdk_sqs::config::Builder::from(config)
                .region(aws_config::Region::new(region.to_owned()))
                .build(),
        );
        for queue in queues {
            let Endpoint::Queue { account, name } = queue else {
                continue;
            };
            let mut urls = Vec::new();
            let error = caller
                .walk(
                    LIST_QUEUES,
                    Some(region),
                    |token| {
                        sqs.list_queues()
                            .queue_name_prefix(name)
                            .max_results(1000)
                            .set_next_token(token)
                            .send()
                    },
                    |page| {
                        urls.extend(page.queue_urls().iter().cloned());
                        page.next_token().map(str::to_owned)
                    },
                )
                .await;
            match error {
                Some(error) => errors.push(error),
                None => {
                    // A queue URL ends with `/{account}/{name}`.
                    let suffix = format!("/{account}/{name}");
                    existing.insert(queue.clone(), urls.iter().any(|u| u.ends_with(&suffix)));
                }
            }
        }
    }
    if wanted
        .values()
        .any(|e| matches!(e, Endpoint::Function { .. }))
    {
        let lambda = aws_sdk_lambda::Client::from_conf(
            aws_sdk_lambda::config::Builder::from(config)
                .region(aws_config::Region::new(region.to_owned()))
                .build(),
        );
        let mut names = BTreeSet::new();
        let error = caller
            .walk(
                LIST_FUNCTIONS,
                Some(region),
                |marker| lambda.list_functions().set_marker(marker).send(),
                |page| {
                    names.extend(
                        page.functions()
                            .iter()
                            .filter_map(|f| f.function_name().map(str::to_owned)),
                    );
                    page.next_marker().map(str::to_owned)
                },
            )
            .await;
        match error {
            Some(error) => errors.push(error),
            None => {
                for function in wanted.values() {
                    if let Endpoint::Function { name } = function {
                        existing.insert(function.clone(), names.contains(name));
                    }
                }
            }
        }
    }
    for item in attributes.iter_mut() {
        item.endpoint_exists = wanted
            .get(&item.subscription_arn)
            .and_then(|e| existing.get(e))
            .copied();
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:alerts";

    #[test]
    fn only_queues_and_functions_of_the_topics_account_and_region_are_checked() {
        assert_eq!(
            endpoint(
                "sqs",
                "arn:aws:sqs:us-east-1:111122223333:alerts",
                TOPIC,
                "us-east-1"
            ),
            Some(Endpoint::Queue {
                account: "111122223333".to_owned(),
                name: "alerts".to_owned()
            })
        );
        assert_eq!(
            endpoint(
                "lambda",
                "arn:aws:lambda:us-east-1:111122223333:function:pager:live",
                TOPIC,
                "us-east-1"
            ),
            Some(Endpoint::Function {
                name: "pager".to_owned()
            })
        );
        for (protocol, arn) in [
            ("sqs", "arn:aws:sqs:us-east-1:444455556666:alerts"),
            ("sqs", "arn:aws:sqs:eu-west-1:111122223333:alerts"),
            ("email", "<redacted>"),
            ("https", "<redacted>"),
            ("lambda", "arn:aws:sqs:us-east-1:111122223333:alerts"),
        ] {
            assert_eq!(endpoint(protocol, arn, TOPIC, "us-east-1"), None, "{arn}");
        }
    }
}
