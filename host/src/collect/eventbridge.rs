//! EventBridge: the rules of the default event bus, with pattern, state and targets.
//!
//! CloudTrail management events reach EventBridge only on the default bus, so that is the bus
//! a KMS detection rule must be on.

use aws_config::SdkConfig;
use futures_util::future::join_all;
use trailwarden_sdk::snapshot::{CollectionError, EventRule, EventTarget, RuleState, Section};

use super::calls::{Caller, Op};

/// `events:ListRules`.
pub const LIST_RULES: Op = Op::new("events", "ListRules");
/// `events:ListTargetsByRule`.
pub const LIST_TARGETS_BY_RULE: Op = Op::new("events", "ListTargetsByRule");

/// The bus CloudTrail delivers to.
pub const DEFAULT_BUS: &str = "default";

/// An EventBridge client for one region.
pub fn client(config: &SdkConfig, region: &str) -> aws_sdk_eventbridge::Client {
    let conf = aws_sdk_eventbridge::config::Builder::from(config)
        .region(aws_config::Region::new(region.to_owned()))
        .build();
    aws_sdk_eventbridge::Client::from_conf(conf)
}

/// Every rule on the default bus, with its targets.
pub async fn rules(caller: &Caller, config: &SdkConfig, region: &str) -> Section<EventRule> {
    let client = client(config, region);
    let mut section = Section::of(Vec::new());
    let mut rules = Vec::new();
    let error = caller
        .walk(
            LIST_RULES,
            Some(region),
            |token| {
                client
                    .list_rules()
                    .event_bus_name(DEFAULT_BUS)
                    .limit(100)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                rules.extend(page.rules().iter().filter_map(convert_rule));
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    section.errors.extend(error);
    let targets = join_all(
        rules
            .iter()
            .map(|rule| targets(caller, &client, region, &rule.name)),
    )
    .await;
    for (mut rule, (targets, error)) in rules.into_iter().zip(targets) {
        rule.targets = targets;
        section.errors.extend(error);
        section.items.push(rule);
    }
    section
}

fn convert_rule(rule: &aws_sdk_eventbridge::types::Rule) -> Option<EventRule> {
    Some(EventRule {
        name: rule.name()?.to_owned(),
        arn: rule.arn()?.to_owned(),
        event_bus_name: rule.event_bus_name().unwrap_or(DEFAULT_BUS).to_owned(),
        state: RuleState::from(rule.state().map_or("", |state| state.as_str())),
        event_pattern: rule.event_pattern().map(str::to_owned),
        schedule_expression: rule.schedule_expression().map(str::to_owned),
        targets: Vec::new(),
    })
}

async fn targets(
    caller: &Caller,
    client: &aws_sdk_eventbridge::Client,
    region: &str,
    rule: &str,
) -> (Vec<EventTarget>, Option<CollectionError>) {
    let mut targets = Vec::new();
    let error = caller
        .walk(
            LIST_TARGETS_BY_RULE,
            Some(region),
            |token| {
                client
                    .list_targets_by_rule()
                    .rule(rule)
                    .event_bus_name(DEFAULT_BUS)
                    .limit(100)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                targets.extend(page.targets().iter().map(|target| EventTarget {
                    id: target.id().to_owned(),
                    arn: target.arn().to_owned(),
                }));
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    (targets, error)
}
