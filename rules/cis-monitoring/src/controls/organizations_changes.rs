//! TW-CW-015 `organizations-changes`: CIS AWS Foundations v1.4.0 4.15.

use trailwarden_sdk::prelude::*;

use crate::{CisSettings, check};

/// A metric filter and alarm exist for AWS Organizations changes, and one such event reaches someone in every
/// enabled region.
///
#[doc = what_it_checks!("4.15")]
///
#[doc = strict_cis!()]
///
/// ## Why it matters
/// Organizations changes move accounts and rewrite service control policies, the guardrails of every account.
///
#[doc = example!(r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"#)]
///
#[doc = how_to_fix!("organizations-changes", "OrganizationsChanges")]
///
/// ## References
/// - CIS AWS Foundations v1.4.0 4.15; no Security Hub control
#[doc = references!()]
#[rule(
    id = "TW-CW-015",
    name = "organizations-changes",
    level = "warning",
    security_severity = 3.9,
    precision = "high",
    help_uri = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
    tags = ["monitoring", "cis"],
    cis = [
        "v1.4.0 4.15 Ensure a log metric filter and alarm exists for AWS Organizations changes",
        "v3.0.0 4.15 Ensure a log metric filter and alarm exists for AWS Organizations changes",
        "v4.0.1 4.15 Ensure AWS Organizations changes are monitored",
        "v5.0.0 4.15 Ensure AWS Organizations changes are monitored",
    ],
    security_hub = [],
    needs = ["trails", "logGroups", "metricFilters", "metricAlarms", "compositeAlarms", "logAlarms", "topics", "eventRules", "topicPolicies", "subscriptionAttributes", "kmsKeys", "keyPolicies", "topicDeliveries"],
    settings = CisSettings
)]
pub fn organizations_changes(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    check(snapshot, ctx, "4.15")
}
