//! Pieces the KMS rules share: resource kinds, resources and the could-not-verify finding for
//! an incomplete snapshot section.

use trailwarden_sdk::chain::{Link, Notify, partly_failing_text, reason as chain_reason};
use trailwarden_sdk::prelude::*;

/// CloudFormation type of a KMS key, the SARIF logical-location kind of key findings.
pub const KEY_KIND: &str = "AWS::KMS::Key";
pub use trailwarden_sdk::chain::ALARM_KIND;
/// CloudFormation type of an EventBridge rule.
pub const EVENT_RULE_KIND: &str = "AWS::Events::Rule";

/// A key as a finding resource, named by its id (aliases are not unique over time).
pub fn key_resource(key: &KmsKey) -> Resource {
    Resource::new(KEY_KIND, &key.arn, &key.key_id).with_role("key")
}

/// The could-not-verify finding for a section of `region` that is not complete: without the
/// whole list the rule can neither pass nor fail the region.
pub fn section_unverifiable(
    snapshot: &Snapshot,
    region: &str,
    reason: &str,
    what: &str,
    why: Incomplete<'_>,
) -> Finding {
    Finding::unverifiable(
        reason,
        format!("could not verify {region} because its {what} list is incomplete: {why}"),
    )
    .account(&snapshot.account.id)
    .region(region)
}

/// The topic a notification verdict is about, if any, for related locations.
pub fn notify_topic(notify: &Notify) -> Option<Resource> {
    match notify {
        Notify::Told { topic, .. } => Some(topic.clone()),
        Notify::Unverifiable { topic, .. } | Notify::Nobody { topic, .. } => topic.clone(),
        Notify::Automated { .. } => None,
    }
}

/// The warning the chain rules give (`TOPIC_DELIVERIES_PARTLY_FAILING`, see
/// `Analysis::delivery_warnings`) when what covers the requirement notifies through a topic
/// whose deliveries partly failed in the `topicDeliveries` window: someone is told, but some
/// subscriber is not. `subject` names what covers ("EventBridge rule `r`"); `None` when
/// nothing failed.
pub fn partly_failing_warning(
    snapshot: &Snapshot,
    region: &str,
    subject: &str,
    notify: &Notify,
) -> Option<Finding> {
    let Notify::Told {
        topic,
        failing: Some(counts),
        ..
    } = notify
    else {
        return None;
    };
    Some(
        Finding::fail(
            chain_reason::TOPIC_DELIVERIES_PARTLY_FAILING,
            format!(
                "{subject} ({region}) notifies, but {}",
                partly_failing_text(&topic.name, counts)
            ),
        )
        .level(Level::Warning)
        .account(&snapshot.account.id)
        .region(region)
        .resource(topic.clone())
        .property("link", Link::Notify.name())
        .property("delivered", counts.delivered)
        .property("failed", counts.failed)
        .property("windowHours", counts.window_hours),
    )
}

/// `a`, `a and b`, `a, b and c`: a list for a sentence.
pub fn join_words<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}
