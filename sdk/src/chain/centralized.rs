//! Link 2, continued: CloudWatch Logs centralization copies a log group's events into a
//! destination account and region, where that account's metric filters see them.
//!
//! A trail's log group is a source group of every healthy organization centralization rule
//! that selects it ([`CentralizationRule::copying`], where the AWS readings are). Its events
//! then also land in the destination account's log group, and the chain continues there: that
//! account's metric filters on that group, its alarms and topics. A requirement is met when any
//! path fires, so the member's own filters on its own group still count.
//!
//! Centralized events carry the system fields `@aws.account` and `@aws.region` of their source:
//! a metric filter's `fieldSelectionCriteria` ("a filter expression that specifies which log
//! events should be processed by this metric filter based on system fields such as source
//! account and source region", e.g. `@aws.account IN ["123456789012"]`) and its
//! `emitSystemFieldDimensions` ("system fields to emit as additional dimensions… These
//! dimensions help identify the source of centralized log data") are judged against the source
//! account and region, not the destination's
//! (<https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/cloudwatchlogs/aws.sdk.kotlin.services.cloudwatchlogs.model/-put-metric-filter-request/index.html>,
//! <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricFilter.html>).
//!
//! Where the destination account is not in the run, the answer is "could not verify", with the
//! command that reads both accounts ([`super::log_group::verify_with`]).

use super::log_group::{Delivery, LOG_GROUP_KIND, verify_with};
use super::reason;
use crate::finding::Resource;
use crate::snapshot::centralization::{CentralizationRule, Copying, SourceGroup};
use crate::snapshot::{LogGroupClass, Snapshot};

/// The CloudFormation type of an organization centralization rule.
pub const CENTRALIZATION_RULE_KIND: &str =
    "AWS::ObservabilityAdmin::OrganizationCentralizationRule";

/// Where one rule takes a source group's events.
pub(crate) enum Centralized<'s> {
    /// The events land in `delivery`, read in the destination account's snapshot `view`; the
    /// filters there see them as coming from `origin_account` / `origin_region`.
    Reached {
        rule: Resource,
        view: &'s Snapshot,
        delivery: Delivery<'s>,
    },
    /// The rule selects the group, but the path through it stops.
    Stops {
        rule: Resource,
        reason: &'static str,
        /// A clause starting with the rule: "centralization rule `x` …".
        message: String,
        unverifiable: bool,
        resource: Option<Resource>,
    },
}

/// The rule as a finding resource.
pub(crate) fn rule_resource(rule: &CentralizationRule) -> Resource {
    Resource::new(
        CENTRALIZATION_RULE_KIND,
        rule.rule_arn
            .clone()
            .unwrap_or_else(|| rule.rule_name.clone()),
        &rule.rule_name,
    )
    .with_role("centralization rule")
}

/// Every rule of `root` (the evaluated account, which holds the organization's rules) that
/// selects the log group `source` delivers to, and where each takes its events.
pub(crate) fn centralized<'s>(root: &'s Snapshot, source: &Delivery<'_>) -> Vec<Centralized<'s>> {
    let organization_id = root
        .account_view(source.account)
        .and_then(|view| view.account.organization_id.as_deref());
    let group = SourceGroup {
        account: source.account,
        organization_id,
        region: source.region,
        name: &source.log_group.log_group_name,
        encrypted: source.log_group.kms_key_id.is_some(),
    };
    let name = &source.log_group.log_group_name;
    root.centralization_rules
        .iter()
        .filter_map(|rule| {
            let rule_res = rule_resource(rule);
            let stop = |reason, message: String, unverifiable| {
                Some(Centralized::Stops {
                    rule: rule_res.clone(),
                    reason,
                    message: format!("centralization rule `{}` {message}", rule.rule_name),
                    unverifiable,
                    resource: Some(rule_res.clone()),
                })
            };
            match rule.copying(&group) {
                Copying::NotSelected => None,
                Copying::SkippedEncrypted => stop(
                    reason::CENTRALIZATION_SKIPS_ENCRYPTED,
                    format!(
                        "selects log group `{name}` ({}) but skips it: the group is encrypted with a customer managed key and the rule's EncryptedLogGroupStrategy is SKIP",
                        source.region
                    ),
                    false,
                ),
                Copying::NotHealthy {
                    health,
                    reason: why,
                    unverifiable,
                } => stop(
                    if unverifiable {
                        reason::CENTRALIZATION_RULE_UNKNOWN
                    } else {
                        reason::CENTRALIZATION_RULE_UNHEALTHY
                    },
                    format!(
                        "selects log group `{name}` ({}) but its health is {health}{}, so its events are not copied",
                        source.region,
                        why.map(|w| format!(" ({w})")).unwrap_or_default()
                    ),
                    unverifiable,
                ),
                Copying::Unknown(why) => stop(
                    reason::CENTRALIZATION_RULE_UNKNOWN,
                    format!("may copy log group `{name}` ({}), but {why}", source.region),
                    true,
                ),
                // A group is not its own copy: the destination account's own group, in
                // the destination region, is already followed as itself.
                Copying::Copied {
                    account,
                    region,
                    log_group_name,
                } if account == source.account
                    && region == source.region
                    && log_group_name == *name =>
                {
                    None
                }
                Copying::Copied {
                    account,
                    region,
                    log_group_name,
                } => Some(destination(
                    root,
                    rule_res.clone(),
                    rule,
                    source,
                    &account,
                    &region,
                    &log_group_name,
                )),
            }
        })
        .collect()
}

/// The destination group `log_group_name` in `account` / `region`, looked up in the run.
fn destination<'s>(
    root: &'s Snapshot,
    rule_res: Resource,
    rule: &CentralizationRule,
    source: &Delivery<'_>,
    account: &str,
    region: &str,
    log_group_name: &str,
) -> Centralized<'s> {
    let group_res = Resource::new(
        LOG_GROUP_KIND,
        format!(
            "arn:{}:logs:{region}:{account}:log-group:{log_group_name}",
            root.account.partition
        ),
        log_group_name,
    )
    .with_role("log group");
    let copies = format!(
        "centralization rule `{}` copies log group `{}` ({}, account {}) to `{log_group_name}` in {region} of account {account}",
        rule.rule_name, source.log_group.log_group_name, source.region, source.account
    );
    let stop = |reason, why: String, unverifiable| Centralized::Stops {
        rule: rule_res.clone(),
        reason,
        message: format!("{copies}, {why}"),
        unverifiable,
        resource: Some(group_res.clone()),
    };
    let Some(view) = root.account_view(account) else {
        return stop(
            reason::CENTRALIZED_ACCOUNT_NOT_COLLECTED,
            format!(
                "whose metric filters, alarms and topics this run did not read: could not verify, the chain continues in account {account}. {}",
                verify_with(account, &root.account.id)
            ),
            true,
        );
    };
    let Some(regional) = view.region(region) else {
        return stop(
            reason::LOG_GROUP_REGION_NOT_COLLECTED,
            "a region the snapshot of that account does not cover".to_owned(),
            true,
        );
    };
    let groups = match regional.log_groups.verified() {
        Ok(groups) => groups,
        Err(why) => {
            return stop(
                reason::LOG_GROUPS_NOT_COLLECTED,
                format!("but that region's log groups could not be read: {why}"),
                true,
            );
        }
    };
    let Some(group) = groups.iter().find(|g| g.log_group_name == log_group_name) else {
        return stop(
            reason::CENTRALIZED_LOG_GROUP_MISSING,
            "which does not exist there, so no metric filter there counts its events".to_owned(),
            false,
        );
    };
    if group.log_group_class == Some(LogGroupClass::InfrequentAccess) {
        return stop(
            reason::LOG_GROUP_INFREQUENT_ACCESS,
            "of class INFREQUENT_ACCESS, which supports no metric filters".to_owned(),
            false,
        );
    }
    Centralized::Reached {
        rule: rule_res,
        view,
        delivery: Delivery {
            log_group: group,
            region: &regional.region,
            account: &view.account.id,
        },
    }
}
