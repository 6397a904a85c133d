//! TW-KMS-004: an EventBridge rule tells someone about KMS key changes, in every region that
//! has customer-managed keys.

use std::cmp::Reverse;

use serde_json::Value;
use trailwarden_sdk::chain::{Notify, targets_notify};
use trailwarden_sdk::eventbridge::{
    Delivery, EventPattern, NotDelivered, cloudtrail_envelope, state_delivers,
};
use trailwarden_sdk::events::{DEFAULT_ACCOUNT, DEFAULT_REGION, kms};
use trailwarden_sdk::prelude::*;

use crate::common::{
    EVENT_RULE_KIND, join_words, notify_topic, partly_failing_warning, section_unverifiable,
};
use crate::reason;

/// Settings of TW-KMS-004.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventRuleSettings {
    /// The KMS API calls (CloudTrail `eventName`s) whose events must reach someone. Each must be
    /// one the SDK has a realistic record for, so that the check evaluates what CloudTrail
    /// really delivers rather than a guess.
    pub operations: Vec<String>,
}

impl Default for EventRuleSettings {
    /// `DisableKey` and `ScheduleKeyDeletion`: the two calls that make data unrecoverable.
    fn default() -> Self {
        Self {
            operations: vec!["DisableKey".to_owned(), "ScheduleKeyDeletion".to_owned()],
        }
    }
}

impl RuleSettings for EventRuleSettings {
    fn describe() -> Vec<SettingMeta> {
        vec![SettingMeta {
            name: "operations".to_owned(),
            value_type: "list of strings".to_owned(),
            default: serde_json::json!(["DisableKey", "ScheduleKeyDeletion"]),
            description: format!(
                "KMS API calls whose CloudTrail events an EventBridge rule must deliver to someone; one of {}",
                known_operations().join(", ")
            ),
        }]
    }

    fn validate(&self) -> Result<(), String> {
        if self.operations.is_empty() {
            return Err("`operations` must name at least one KMS API call".to_owned());
        }
        let unknown: Vec<&str> = self
            .operations
            .iter()
            .map(String::as_str)
            .filter(|name| operation_record(name, DEFAULT_REGION, DEFAULT_ACCOUNT).is_none())
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        Err(format!(
            "`operations` names {} for which trailwarden has no realistic CloudTrail record; known operations are {}",
            unknown
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", "),
            known_operations().join(", ")
        ))
    }
}

/// The successful record of `operation` (the SDK's canonical record for it), in `region` and
/// `account`: a notification rule is about the call that happened.
pub fn operation_record(operation: &str, region: &str, account: &str) -> Option<Value> {
    kms::successful(operation, region, account)
}

/// Every operation name [`operation_record`] knows, in the SDK's order.
pub fn known_operations() -> Vec<String> {
    kms::OPERATIONS
        .iter()
        .map(|name| (*name).to_owned())
        .collect()
}

/// In every region with customer-managed KMS keys, an enabled EventBridge rule on the default
/// bus matches the CloudTrail events of `DisableKey` and `ScheduleKeyDeletion` (configurable)
/// and has a target that tells someone.
///
/// ## What it checks
/// For each region whose key list holds a customer-managed key that is not already pending
/// deletion, and for each configured KMS API call, some EventBridge rule in that region:
/// - is on the `default` event bus, where CloudTrail delivers its events;
/// - has an event pattern that matches the event EventBridge builds from a realistic CloudTrail
///   record of the call (`source` `aws.kms`, `detail-type` `AWS API Call via CloudTrail`,
///   `detail` = the record). Patterns are evaluated with the full content-filtering language
///   (`prefix`, `anything-but`, `wildcard`, `$or`, …), not compared as text;
/// - is in a state that receives the event: not `DISABLED`, and, for a read-only call such as
///   `GenerateDataKey` or `Decrypt`, `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`, because a
///   rule that is merely `ENABLED` matches every event "except for read-only AWS management
///   events delivered through CloudTrail";
/// - has a target that reaches a person (an SNS topic that exists, is not encrypted with
///   `alias/aws/sns`, lets EventBridge publish and has a confirmed subscription) or an
///   automated response (Lambda, Systems Manager). "Lets EventBridge publish": the topic's
///   access policy allows `events.amazonaws.com` `sns:Publish` (SNS's default policy does not:
///   its `AWS:SourceOwner` condition is not one EventBridge satisfies), and a topic encrypted
///   with a customer-managed key has a key policy that allows `events.amazonaws.com`
///   `kms:GenerateDataKey*` and `kms:Decrypt` without `aws:SourceArn` / `aws:SourceAccount`
///   conditions, which EventBridge does not send to KMS (`TOPIC_POLICY_BLOCKS_PUBLISH`,
///   `TOPIC_KEY_POLICY_BLOCKS_PUBLISH`).
///
/// Different rules may cover different calls. One finding per region names the calls nobody
/// hears about and, for each, the closest rule and the link it breaks; the rules and topics are
/// related locations. A rule whose event pattern cannot be parsed is reported as a defect of its
/// own. Keys pending deletion do not bring a region into scope: KMS refuses `DisableKey` and
/// `ScheduleKeyDeletion` on them (`KMSInvalidStateException`, see "Key states of AWS KMS keys").
/// When the key list or the rule list of a region, or the topics a target depends on, could not
/// be read, the region is reported as not verifiable, never passed.
///
/// Delivery: when `topicDeliveries` was collected, a topic whose notifications all failed in
/// the last 24 hours (`AWS/SNS` `NumberOfNotificationsFailed` above zero,
/// `NumberOfNotificationsDelivered` zero) tells nobody (`TOPIC_DELIVERIES_FAILING`); one where
/// some failed and some were delivered still counts, with a warning-level
/// `TOPIC_DELIVERIES_PARTLY_FAILING`, as in TW-KMS-001. When `subscriptionAttributes` was
/// collected, a subscription with a filter policy cannot be judged against the EventBridge
/// event (only alarm notifications are), so a topic whose confirmed subscriptions all have one
/// is could not verify. Otherwise a confirmed subscription is
/// assumed to deliver: whether the SQS queue or Lambda function it names still exists is
/// checked only with `subscriptionAttributes` (`SUBSCRIPTION_ENDPOINT_MISSING`, see TW-KMS-001).
///
/// ## Why it matters
/// A disabled key stops every decryption at once, and a scheduled deletion destroys the key
/// material when the waiting period ends. The waiting period only helps if someone hears about
/// it in time. EventBridge rules are regional, so a rule in one region says nothing about keys in
/// another.
///
/// ## Example
/// Passing: a rule on the default bus, state `ENABLED`, with the pattern
/// `{"source":["aws.kms"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["kms.amazonaws.com"],"eventName":["DisableKey","ScheduleKeyDeletion"]}}`
/// (or `{"detail":{"eventName":[{"prefix":"Disable"},"ScheduleKeyDeletion"]},"source":["aws.kms"]}`)
/// and an SNS target with a confirmed e-mail subscription.
/// Failing: the same rule with `"eventName": ["DisableKey"]` only (ScheduleKeyDeletion is
/// missed), a rule that is `DISABLED`, or, with `operations = ["GenerateDataKey"]`, a rule in
/// state `ENABLED`.
///
/// ## How to fix
/// ```sh
/// aws events put-rule --name kms-key-changes --event-bus-name default --state ENABLED \
///   --event-pattern '{"source":["aws.kms"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["kms.amazonaws.com"],"eventName":["DisableKey","ScheduleKeyDeletion"]}}'
/// aws events put-targets --rule kms-key-changes \
///   --targets Id=notify,Arn=arn:aws:sns:<region>:<account>:security-alerts
/// aws sns subscribe --topic-arn arn:aws:sns:<region>:<account>:security-alerts \
///   --protocol email --notification-endpoint security@example.com
/// ```
/// For read-only calls add `--state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`. The topic
/// policy must allow `events.amazonaws.com` to `sns:Publish`. Repeat in every region with keys.
///
/// CloudFormation:
/// ```yaml
/// KmsKeyChanges:
///   Type: AWS::Events::Rule
///   Properties:
///     EventBusName: default
///     State: ENABLED
///     EventPattern:
///       source: [aws.kms]
///       detail-type: [AWS API Call via CloudTrail]
///       detail:
///         eventSource: [kms.amazonaws.com]
///         eventName: [DisableKey, ScheduleKeyDeletion]
///     Targets:
///       - Id: notify
///         Arn: !Ref SecurityAlertsTopic
/// ```
///
/// ## References
/// - <https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification>
///   (the topic policy and key policy EventBridge needs)
/// - <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>
/// - <https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-kms.html>
/// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html>
///   (rule states and read-only management events)
/// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html>
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html>
/// - AWS Well-Architected lab "Autonomous Monitoring Of Cryptographic Activity With KMS"
#[rule(
    id = "TW-KMS-004",
    name = "eventbridge-key-events",
    level = "warning",
    security_severity = 5.3,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-kms.html",
    tags = ["kms", "eventbridge", "monitoring", "notification"],
    needs = ["kmsKeys", "eventRules", "topics", "topicPolicies", "subscriptionAttributes", "topicDeliveries", "keyPolicies"],
    settings = EventRuleSettings
)]
pub fn eventbridge_key_events(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let settings: EventRuleSettings = ctx.settings()?;
    let mut operations: Vec<&str> = Vec::new();
    for operation in &settings.operations {
        if !operations.contains(&operation.as_str()) {
            operations.push(operation);
        }
    }
    let mut findings = Vec::new();
    for region in &snapshot.regions {
        findings.extend(check_region(snapshot, region, &operations));
    }
    Ok(findings)
}

/// Whether a key makes its region worth watching: customer-managed and not already on its way
/// out (KMS refuses to disable or schedule again a key pending deletion).
fn in_scope(key: &KmsKey) -> bool {
    key.is_customer_managed()
        && !matches!(
            key.key_state,
            KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
        )
}

/// The findings of one region: none when it has no live customer key or every call is covered;
/// a could-not-verify when its keys or rules could not be read; otherwise the region finding and
/// one defect per rule whose pattern does not parse.
fn check_region(snapshot: &Snapshot, region: &RegionSnapshot, operations: &[&str]) -> Vec<Finding> {
    let name = region.region.as_str();
    let keys = match region.kms_keys.verified() {
        Ok(keys) => keys,
        Err(why) => {
            return vec![section_unverifiable(
                snapshot,
                name,
                reason::KMS_KEYS_NOT_COLLECTED,
                "KMS key",
                why,
            )];
        }
    };
    if !keys.iter().any(in_scope) {
        return Vec::new();
    }
    let rules = match region.event_rules.verified() {
        Ok(rules) => rules,
        Err(why) => {
            return vec![section_unverifiable(
                snapshot,
                name,
                reason::EVENT_RULES_NOT_COLLECTED,
                "EventBridge rule",
                why,
            )];
        }
    };
    let (candidates, invalid) = candidates(snapshot, rules);
    let targets: Vec<Target> = operations
        .iter()
        .filter_map(|op| Target::new(op, name, &snapshot.account.id))
        .collect();
    let scope = Scope {
        region: name,
        account: &snapshot.account.id,
    };
    let uncovered: Vec<(&Target, Option<Closest<'_>>)> = targets
        .iter()
        .filter_map(|target| closest(&candidates, &targets, target, scope).map(|c| (target, c)))
        .collect();
    let warnings = delivery_warnings(snapshot, name, &candidates, &targets, scope);
    if uncovered.is_empty() {
        return warnings;
    }
    let mut findings = vec![region_finding(snapshot, name, &uncovered, invalid.len())];
    findings.extend(warnings);
    findings.extend(
        invalid
            .iter()
            .map(|bad| invalid_finding(snapshot, name, bad)),
    );
    findings
}

/// A warning per topic through which a rule that covers some call notifies while its
/// deliveries partly fail (`TOPIC_DELIVERIES_PARTLY_FAILING`, as the chain rules give it).
fn delivery_warnings(
    snapshot: &Snapshot,
    region: &str,
    candidates: &[Candidate<'_>],
    targets: &[Target],
    scope: Scope<'_>,
) -> Vec<Finding> {
    let mut warnings: Vec<Finding> = Vec::new();
    for candidate in candidates {
        let covers = targets
            .iter()
            .any(|target| judge(candidate, target, scope).is_none());
        if !covers {
            continue;
        }
        let subject = format!("EventBridge rule `{}`", candidate.rule.name);
        let Some(warning) = partly_failing_warning(snapshot, region, &subject, &candidate.notify)
        else {
            continue;
        };
        let seen = warnings.iter().any(|w| {
            w.resource.as_ref().map(|r| &r.arn) == warning.resource.as_ref().map(|r| &r.arn)
        });
        if !seen {
            warnings.push(warning);
        }
    }
    warnings
}

/// One configured call in one region: its record and the event EventBridge delivers for it.
struct Target {
    operation: String,
    record: Value,
    envelope: Value,
}

impl Target {
    fn new(operation: &str, region: &str, account: &str) -> Option<Self> {
        let record = operation_record(operation, region, account)?;
        let envelope = cloudtrail_envelope(&record, region, account);
        Some(Self {
            operation: operation.to_owned(),
            record,
            envelope,
        })
    }
}

/// A rule with a pattern that parsed, and whom its targets reach.
struct Candidate<'a> {
    rule: &'a EventRule,
    pattern: EventPattern,
    notify: Notify,
}

/// A rule whose pattern could not be parsed.
struct Invalid<'a> {
    rule: &'a EventRule,
    error: String,
}

/// Splits the region's pattern-based rules into those that parsed (with whom their targets
/// reach) and those that did not; scheduled rules receive no events and are left out.
fn candidates<'a>(
    snapshot: &Snapshot,
    rules: &'a [EventRule],
) -> (Vec<Candidate<'a>>, Vec<Invalid<'a>>) {
    let mut candidates = Vec::new();
    let mut invalid = Vec::new();
    for rule in rules {
        let Some(text) = rule.event_pattern.as_deref() else {
            continue;
        };
        match EventPattern::parse(text) {
            Ok(pattern) => {
                let arns: Vec<String> = rule.targets.iter().map(|t| t.arn.clone()).collect();
                candidates.push(Candidate {
                    rule,
                    pattern,
                    notify: targets_notify(snapshot, &rule.arn, &arns),
                });
            }
            Err(error) => invalid.push(Invalid {
                rule,
                error: error.to_string(),
            }),
        }
    }
    (candidates, invalid)
}

/// The first link a rule breaks for one event, in the order an event travels.
#[derive(Debug, Clone)]
enum Gap {
    /// The pattern does not match the event.
    NoMatch,
    /// The rule is on another bus.
    WrongBus(String),
    /// The rule state keeps the event out (disabled, or read-only event on `ENABLED`).
    State(NotDelivered),
    /// No target reaches anyone.
    Target { reason: &'static str, why: String },
    /// The state is not one EventBridge documents; nothing is assumed.
    StateUnknown(String),
    /// Whether a target reaches anyone cannot be read here.
    TargetUnknown(String),
}

impl Gap {
    /// How far the event got: higher is closer to being covered.
    fn rank(&self) -> u8 {
        match self {
            Gap::NoMatch => 0,
            Gap::WrongBus(_) => 1,
            Gap::State(_) => 2,
            Gap::Target { .. } => 3,
            Gap::StateUnknown(_) | Gap::TargetUnknown(_) => 4,
        }
    }

    /// Whether the gap is a "could not tell" rather than a defect.
    fn is_unverifiable(&self) -> bool {
        matches!(self, Gap::StateUnknown(_) | Gap::TargetUnknown(_))
    }

    fn reason(&self) -> &'static str {
        match self {
            Gap::NoMatch => reason::EVENT_PATTERN_NO_MATCH,
            Gap::WrongBus(_) => reason::EVENT_RULE_WRONG_BUS,
            Gap::State(NotDelivered::Disabled) => reason::EVENT_RULE_DISABLED,
            Gap::State(NotDelivered::ReadOnlyManagementEvent { .. }) => {
                reason::EVENT_RULE_EXCLUDES_READ_ONLY
            }
            Gap::State(_) | Gap::StateUnknown(_) => reason::EVENT_RULE_STATE_UNKNOWN,
            Gap::Target { reason, .. } => reason,
            Gap::TargetUnknown(_) => reason::EVENT_TARGET_UNVERIFIABLE,
        }
    }

    /// Why the rule misses `events` (e.g. "DisableKey and ScheduleKeyDeletion"), as a clause
    /// whose subject is the rule.
    fn clause(&self, events: &str) -> String {
        match self {
            Gap::NoMatch => format!(
                "has an event pattern that does not match the {events} event{} CloudTrail delivers",
                plural(events)
            ),
            Gap::WrongBus(bus) => format!(
                "is on event bus `{bus}`, but CloudTrail delivers {events} only to the default bus"
            ),
            Gap::State(NotDelivered::Disabled) => {
                format!("is DISABLED, so EventBridge never matches {events} against it")
            }
            Gap::State(NotDelivered::ReadOnlyManagementEvent { .. }) => format!(
                "is in state ENABLED, which does not receive read-only management events such as {events}; it needs ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
            ),
            Gap::State(other) => format!("does not receive {events}: {other}"),
            Gap::StateUnknown(state) => {
                format!("has state `{state}`, which this checker does not know")
            }
            Gap::Target { why, .. } => format!("matches {events} but notifies nobody: {why}"),
            Gap::TargetUnknown(why) => format!("matches {events} but {why}"),
        }
    }
}

fn plural(events: &str) -> &'static str {
    if events.contains(" and ") { "s" } else { "" }
}

/// The first link `candidate` breaks for `target`, or `None` when it covers it.
///
/// The state link follows "Receiving read-only management events from AWS services"
/// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html>):
/// `ENABLED` matches events "except for read-only AWS management events delivered through
/// CloudTrail", and `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` matches "all events …
/// including read-only management events". The page adds that read-only events whose names do
/// not start with Describe, Get or List "may already" reach `ENABLED` rules; the SDK
/// ([`state_delivers`]) relies on that only for the two STS calls the page names, so a read-only
/// KMS call such as `GenerateDataKey` needs the all-events state here. That errs towards
/// reporting a rule that might work over passing one that might never fire.
fn judge(candidate: &Candidate<'_>, target: &Target, scope: Scope<'_>) -> Option<Gap> {
    if !candidate.pattern.matches(&target.envelope) {
        return Some(Gap::NoMatch);
    }
    if !is_default_bus(&candidate.rule.event_bus_name, scope) {
        return Some(Gap::WrongBus(candidate.rule.event_bus_name.clone()));
    }
    let unknown_state = match state_delivers(&candidate.rule.state, &target.record) {
        Delivery::Delivered => None,
        Delivery::NotDelivered(NotDelivered::UnknownState(state)) => Some(state),
        Delivery::NotDelivered(other) => return Some(Gap::State(other)),
    };
    match &candidate.notify {
        Notify::Told { .. } | Notify::Automated { .. } => {}
        Notify::Nobody { reason, why, .. } => {
            return Some(Gap::Target {
                reason,
                why: why.clone(),
            });
        }
        Notify::Unverifiable { why, .. } => return Some(Gap::TargetUnknown(why.clone())),
    }
    unknown_state.map(Gap::StateUnknown)
}

/// `default`, or the ARN of this account's default bus in this region.
///
/// Source: "AWS service events delivered via AWS CloudTrail": "CloudTrail sends the following
/// types of events to the default EventBridge event bus"
/// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html>).
fn is_default_bus(bus: &str, scope: Scope<'_>) -> bool {
    bus == "default"
        || Arn::parse(bus).is_some_and(|arn| {
            arn.service == "events"
                && arn.resource == "event-bus/default"
                && arn.region == scope.region
                && arn.account == scope.account
        })
}

/// The rule that got furthest with an uncovered target, and how far.
struct Closest<'a> {
    candidate: &'a Candidate<'a>,
    gap: Gap,
}

/// Where the rules are judged: the region and the account whose default bus receives the
/// events.
#[derive(Clone, Copy)]
struct Scope<'s> {
    region: &'s str,
    account: &'s str,
}

/// `None` when some rule covers `target`. Otherwise `Some` of the closest rule, or `Some(None)`
/// when no rule's pattern matches any configured event (there is no KMS rule at all).
fn closest<'a>(
    candidates: &'a [Candidate<'a>],
    targets: &[Target],
    target: &Target,
    scope: Scope<'_>,
) -> Option<Option<Closest<'a>>> {
    let mut best: Option<(Closest<'a>, usize)> = None;
    for candidate in candidates {
        let gap = judge(candidate, target, scope)?;
        let matched = targets
            .iter()
            .filter(|t| candidate.pattern.matches(&t.envelope))
            .count();
        let better = best.as_ref().is_none_or(|(current, current_matched)| {
            closeness(&gap, matched, candidate)
                > closeness(&current.gap, *current_matched, current.candidate)
        });
        if better {
            best = Some((Closest { candidate, gap }, matched));
        }
    }
    Some(best.filter(|(_, matched)| *matched > 0).map(|(c, _)| c))
}

/// Orders rules for "closest": the furthest link reached, then how many of the configured
/// events the pattern matches, then the name (alphabetically first wins), for a stable answer.
fn closeness<'c>(
    gap: &Gap,
    matched: usize,
    candidate: &'c Candidate<'_>,
) -> (u8, usize, Reverse<&'c str>) {
    (gap.rank(), matched, Reverse(candidate.rule.name.as_str()))
}

/// The finding for a region with uncovered calls: which calls, and the closest rule for each.
///
/// It fails when some call is definitely missed; it is "could not verify" when every missed call
/// hinges on something the snapshot cannot tell (a target in another account, an unknown state).
fn region_finding(
    snapshot: &Snapshot,
    region: &str,
    uncovered: &[(&Target, Option<Closest<'_>>)],
    invalid: usize,
) -> Finding {
    let operations: Vec<&str> = uncovered
        .iter()
        .map(|(t, _)| t.operation.as_str())
        .collect();
    let events = join_words(&operations);
    let invalid_note = match invalid {
        0 => String::new(),
        1 => " (one rule with an invalid event pattern is reported separately)".to_owned(),
        n => format!(" ({n} rules with invalid event patterns are reported separately)"),
    };
    let reason_of = |closest: &Option<Closest<'_>>| {
        closest
            .as_ref()
            .map_or(reason::NO_EVENT_RULE, |c| c.gap.reason())
    };
    let failing = uncovered
        .iter()
        .find(|(_, c)| c.as_ref().is_none_or(|c| !c.gap.is_unverifiable()));
    let finding = if uncovered.iter().all(|(_, c)| c.is_none()) {
        Finding::fail(
            reason::NO_EVENT_RULE,
            format!(
                "no EventBridge rule in {region} matches the {events} event{} CloudTrail delivers, so nobody is told when a customer-managed key is changed{invalid_note}",
                plural(&events)
            ),
        )
    } else {
        let groups = group(uncovered);
        let explanation = groups
            .iter()
            .map(|g| g.sentence(groups.len() > 1))
            .collect::<Vec<_>>()
            .join("; ");
        match failing {
            Some((_, closest)) => Finding::fail(
                reason_of(closest),
                format!(
                    "no EventBridge rule in {region} tells anyone about {events}: {explanation}{invalid_note}"
                ),
            ),
            None => Finding::unverifiable(
                uncovered
                    .first()
                    .map_or(reason::EVENT_TARGET_UNVERIFIABLE, |(_, c)| reason_of(c)),
                format!(
                    "could not verify that an EventBridge rule in {region} tells anyone about {events}: {explanation}{invalid_note}"
                ),
            ),
        }
    };
    let mut reasons = serde_json::Map::new();
    let mut closest_rules = serde_json::Map::new();
    for (target, closest) in uncovered {
        reasons.insert(target.operation.clone(), reason_of(closest).into());
        if let Some(c) = closest {
            closest_rules.insert(
                target.operation.clone(),
                c.candidate.rule.name.clone().into(),
            );
        }
    }
    let mut finding = finding
        .account(&snapshot.account.id)
        .region(region)
        .property("uncoveredOperations", operations)
        .property("reasons", Value::Object(reasons))
        .property("closestRules", Value::Object(closest_rules));
    for resource in related(uncovered) {
        finding = finding.related(resource);
    }
    finding
}

/// Calls that share the same closest rule and the same broken link, for one clause each.
struct Group<'a> {
    rule: Option<&'a EventRule>,
    gap: Option<Gap>,
    operations: Vec<&'a str>,
}

impl Group<'_> {
    fn sentence(&self, name_events: bool) -> String {
        let events = join_words(&self.operations);
        let prefix = if name_events {
            format!("for {events}, ")
        } else {
            String::new()
        };
        match (self.rule, &self.gap) {
            (Some(rule), Some(gap)) => {
                format!(
                    "{prefix}the closest rule, `{}`, {}",
                    rule.name,
                    gap.clause(&events)
                )
            }
            _ => format!("{prefix}no rule's event pattern matches {events}"),
        }
    }
}

fn group<'a>(uncovered: &'a [(&'a Target, Option<Closest<'a>>)]) -> Vec<Group<'a>> {
    let mut groups: Vec<Group<'a>> = Vec::new();
    for (target, closest) in uncovered {
        let rule = closest.as_ref().map(|c| c.candidate.rule);
        let gap = closest.as_ref().map(|c| c.gap.clone());
        let same = |g: &Group<'_>| {
            g.rule.map(|r| &r.arn) == rule.map(|r| &r.arn)
                && g.gap.as_ref().map(Gap::reason) == gap.as_ref().map(Gap::reason)
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(existing) => existing.operations.push(&target.operation),
            None => groups.push(Group {
                rule,
                gap,
                operations: vec![&target.operation],
            }),
        }
    }
    groups
}

/// The closest rules and the topics they point at, each once.
fn related(uncovered: &[(&Target, Option<Closest<'_>>)]) -> Vec<Resource> {
    let mut resources: Vec<Resource> = Vec::new();
    for closest in uncovered.iter().filter_map(|(_, c)| c.as_ref()) {
        let rule = closest.candidate.rule;
        let candidates = [
            Some(Resource::new(EVENT_RULE_KIND, &rule.arn, &rule.name).with_role("event rule")),
            notify_topic(&closest.candidate.notify),
        ];
        for resource in candidates.into_iter().flatten() {
            if !resources.iter().any(|r| r.arn == resource.arn) {
                resources.push(resource);
            }
        }
    }
    resources
}

/// A rule whose event pattern does not parse: a defect of that rule, reported on it.
fn invalid_finding(snapshot: &Snapshot, region: &str, bad: &Invalid<'_>) -> Finding {
    Finding::fail(
        reason::EVENT_PATTERN_INVALID,
        format!(
            "EventBridge rule `{}` in {region} cannot match any KMS event because its {}",
            bad.rule.name, bad.error
        ),
    )
    .account(&snapshot.account.id)
    .region(region)
    .resource(Resource::new(EVENT_RULE_KIND, &bad.rule.arn, &bad.rule.name).with_role("event rule"))
}
