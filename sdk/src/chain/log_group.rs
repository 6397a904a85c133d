//! Link 2: the log group a trail delivers to, found by identity.
//!
//! `CloudWatchLogsLogGroupArn` names an account, a region and a name. Only the log group with
//! all three is the one that receives the events: a group with the same name in another region
//! or account is a different group, and its metric filters never see this trail's records. A
//! group of the `INFREQUENT_ACCESS` class accepts no metric filters at all ("Log classes",
//! CloudWatch Logs user guide: metric filters are a Standard-class feature).

use super::reason;
use crate::arn::Arn;
use crate::finding::Resource;
use crate::snapshot::{LogGroup, LogGroupClass, Snapshot, Trail};

/// The CloudFormation type of a log group, for finding resources.
pub const LOG_GROUP_KIND: &str = "AWS::Logs::LogGroup";

/// Where a trail's events land, once the log group is known to exist.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery<'a> {
    /// The log group.
    pub log_group: &'a LogGroup,
    /// Its region: the metric filters and alarms of the chain live there.
    pub region: &'a str,
    /// Its account.
    pub account: &'a str,
}

/// Why a trail's events reach no usable log group.
#[derive(Debug, Clone, PartialEq)]
pub struct NoDelivery {
    /// SCREAMING_SNAKE reason code.
    pub reason: &'static str,
    /// The rest of a sentence starting with "trail `x` ".
    pub why: String,
    /// True when it cannot be told from this snapshot.
    pub unverifiable: bool,
    /// The log group concerned, when the trail names one.
    pub log_group: Option<Resource>,
}

/// The log group `trail` delivers to, looked up by account, region and name: in this
/// snapshot's account, or in a linked account that the run holds ([`Snapshot::account_view`]).
/// The returned [`Delivery`] names the account the log group is in.
pub fn delivery<'a>(
    snapshot: &'a Snapshot,
    trail: &Trail,
) -> Result<Delivery<'a>, Box<NoDelivery>> {
    let Some(arn_text) = trail.cloud_watch_logs_log_group_arn.as_deref() else {
        return Err(Box::new(NoDelivery {
            reason: reason::TRAIL_NO_LOG_GROUP,
            why: "does not deliver to CloudWatch Logs (no CloudWatchLogsLogGroupArn), so no metric filter sees its events".to_owned(),
            unverifiable: false,
            log_group: None,
        }));
    };
    let parsed = Arn::parse(arn_text);
    let Some((arn, name)) = parsed.and_then(|arn| arn.log_group_name().map(|name| (arn, name)))
    else {
        return Err(Box::new(NoDelivery {
            reason: reason::TRAIL_LOG_GROUP_INVALID,
            why: format!("names `{arn_text}` as its log group, which is not a log group ARN"),
            unverifiable: false,
            log_group: None,
        }));
    };
    let resource =
        Resource::new(LOG_GROUP_KIND, log_group_arn(&arn, name), name).with_role("log group");
    if arn.account != snapshot.account.id {
        // The run holds the account the trail delivers to (an organization trail's owner):
        // the log group is looked up there.
        if let Some(owner) = snapshot.account_view(arn.account) {
            return delivery(owner, trail);
        }
        return Err(Box::new(NoDelivery {
            reason: reason::LOG_GROUP_OTHER_ACCOUNT,
            why: format!(
                "delivers to log group `{name}` in account {owner}: could not verify, the chain continues in account {owner}, whose metric filters, alarms and topics this run did not read. {}",
                verify_with(arn.account, &snapshot.account.id),
                owner = arn.account,
            ),
            unverifiable: true,
            log_group: Some(resource),
        }));
    }
    let Some(region) = snapshot.region(arn.region) else {
        return Err(Box::new(NoDelivery {
            reason: reason::LOG_GROUP_REGION_NOT_COLLECTED,
            why: format!(
                "delivers to log group `{name}` in {}, a region the snapshot does not cover",
                arn.region
            ),
            unverifiable: true,
            log_group: Some(resource),
        }));
    };
    let groups = region.log_groups.verified().map_err(|why| Box::new(NoDelivery {
        reason: reason::LOG_GROUPS_NOT_COLLECTED,
        why: format!(
            "delivers to log group `{name}` in {}, but that region's log groups could not be read: {why}",
            arn.region
        ),
        unverifiable: true,
        log_group: Some(resource.clone()),
    }))?;
    let Some(log_group) = groups.iter().find(|g| g.log_group_name == name) else {
        return Err(Box::new(NoDelivery {
            reason: reason::LOG_GROUP_MISSING,
            why: format!(
                "delivers to log group `{name}` in {}, which does not exist",
                arn.region
            ),
            unverifiable: false,
            log_group: Some(resource),
        }));
    };
    if log_group.log_group_class == Some(LogGroupClass::InfrequentAccess) {
        return Err(Box::new(NoDelivery {
            reason: reason::LOG_GROUP_INFREQUENT_ACCESS,
            why: format!(
                "delivers to log group `{name}` of class INFREQUENT_ACCESS, which supports no metric filters"
            ),
            unverifiable: false,
            log_group: Some(resource),
        }));
    }
    Ok(Delivery {
        log_group,
        region: &region.region,
        account: &snapshot.account.id,
    })
}

/// What to run so that the chain of `member`, continuing in account `owner`, is verified: both
/// accounts in one run, where the analysis follows the chain across
/// ([`Snapshot::linked_accounts`]).
pub(crate) fn verify_with(owner: &str, member: &str) -> String {
    format!(
        "To verify it, check both accounts in one run: `trailwarden check --org` from the \
         organization's management account, `trailwarden check --accounts {owner},{member} \
         --member-role ROLE`, or `trailwarden check --snapshot DIR` on a directory holding both \
         accounts' snapshots"
    )
}

/// The log group's ARN without CloudTrail's `:*` suffix, as `DescribeLogGroups` reports it.
fn log_group_arn(arn: &Arn<'_>, name: &str) -> String {
    format!(
        "arn:{}:logs:{}:{}:log-group:{name}",
        arn.partition, arn.region, arn.account
    )
}

/// A log group as a finding resource.
pub fn log_group_resource(log_group: &LogGroup) -> Resource {
    Resource::new(LOG_GROUP_KIND, &log_group.arn, &log_group.log_group_name).with_role("log group")
}
