//! Built-in trailwarden pack: the CIS AWS Foundations monitoring section, decided by meaning.
//!
//! Every control is a requirement on the monitoring chain (`trailwarden_sdk::chain`): realistic
//! records of the events the CIS pattern exists to catch must each reach someone, in every
//! enabled region. The pattern text only matters with the `strict_cis` setting, which explains
//! why Security Hub (which compares text) may disagree.

pub mod controls;

use trailwarden_sdk::chain::analyse;
pub use trailwarden_sdk::chain::requirements::CisSettings;
use trailwarden_sdk::chain::requirements::{cis_control as cis_requirement, kms_key_changes};
use trailwarden_sdk::events::cis_control;
use trailwarden_sdk::prelude::*;

/// The check every control shares: the control's requirement on the chain, plus the
/// `strict_cis` note. CIS 4.7 uses the KMS pack's requirement, so TW-CW-007 and TW-KMS-001
/// always agree.
fn check(snapshot: &Snapshot, ctx: &Ctx, id: &str) -> Result<Vec<Finding>, RuleError> {
    let settings: CisSettings = ctx.settings()?;
    let control = cis_control(id)
        .ok_or_else(|| RuleError::msg(format!("the SDK has no CIS control {id}")))?;
    let account = &snapshot.account.id;
    let requirement = if id == "4.7" {
        kms_key_changes(account)
    } else {
        cis_requirement(control, account)
    };
    let mut analysis = analyse(snapshot, &requirement);
    if settings.accept_eventbridge {
        analysis.accept_event_rules(snapshot, &requirement);
    }
    let mut findings = analysis.findings();
    if settings.strict_cis {
        findings.extend(analysis.cis_text_findings(control, &settings.cis_version));
    }
    Ok(findings)
}

trailwarden_sdk::export_rules![
    controls::unauthorized_api_calls,
    controls::console_signin_without_mfa,
    controls::root_user_usage,
    controls::iam_policy_changes,
    controls::cloudtrail_changes,
    controls::console_auth_failures,
    controls::kms_key_changes,
    controls::s3_bucket_policy_changes,
    controls::config_changes,
    controls::security_group_changes,
    controls::nacl_changes,
    controls::network_gateway_changes,
    controls::route_table_changes,
    controls::vpc_changes,
    controls::organizations_changes,
];
