//! The requirements the built-in rules check, as data, so that every pack (and a user's) shares
//! one definition: the CIS pack's 4.7 control and TW-KMS-001 are the same requirement.

use serde::Deserialize;

use super::{AlarmMode, DEFAULT_MAX_FAILURES_TO_ALARM, Failures, Requirement};
use crate::events::{CIS_TEXT_VERSIONS, CisControl, DEFAULT_CIS_VERSION, DEFAULT_REGION, kms};
use crate::meta::SettingMeta;
use crate::rule::RuleSettings;

/// The settings of a rule that checks a CIS control: whether to also report working chains
/// whose filter text Security Hub would not accept ([`is_cis_text`]), and whether an
/// EventBridge rule may stand in for the metric filter and alarm.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CisSettings {
    /// Report, as a note, covered regions where no covering filter is the CIS text.
    pub strict_cis: bool,
    /// Accept an enabled EventBridge rule on the default bus that matches the control's events
    /// and notifies someone through an SNS topic with a confirmed subscription
    /// ([`Analysis::accept_event_rules`](super::Analysis::accept_event_rules)). Off by default,
    /// so the CIS text (a metric filter and alarm) stays the default.
    pub accept_eventbridge: bool,
    /// The benchmark version whose pattern texts `strict_cis` compares with, one of
    /// [`CIS_TEXT_VERSIONS`].
    pub cis_version: String,
}

impl Default for CisSettings {
    fn default() -> Self {
        Self {
            strict_cis: false,
            accept_eventbridge: false,
            cis_version: DEFAULT_CIS_VERSION.to_owned(),
        }
    }
}

impl RuleSettings for CisSettings {
    fn describe() -> Vec<SettingMeta> {
        vec![
            SettingMeta {
                name: "strict_cis".to_owned(),
                value_type: "bool".to_owned(),
                default: serde_json::Value::Bool(false),
                description:
                    "Also report, as a note, covered regions where no covering filter uses \
                          the exact CIS pattern text, which Security Hub requires"
                        .to_owned(),
            },
            SettingMeta {
                name: "accept_eventbridge".to_owned(),
                value_type: "bool".to_owned(),
                default: serde_json::Value::Bool(false),
                description:
                    "Also accept an enabled EventBridge rule on the default bus that matches \
                          the control's events and notifies someone through a subscribed SNS \
                          topic, as CIS v4.0.0 allows, instead of a metric filter and alarm"
                        .to_owned(),
            },
            SettingMeta {
                name: "cis_version".to_owned(),
                value_type: "string".to_owned(),
                default: serde_json::Value::String(DEFAULT_CIS_VERSION.to_owned()),
                description: format!(
                    "The CIS AWS Foundations version whose pattern text strict_cis compares \
                     with: {}",
                    CIS_TEXT_VERSIONS.join(", ")
                ),
            },
        ]
    }

    fn validate(&self) -> Result<(), String> {
        if CIS_TEXT_VERSIONS.contains(&self.cis_version.as_str()) {
            return Ok(());
        }
        Err(format!(
            "cis_version `{}` is not a version trailwarden has the CIS pattern texts of; use one of {} (v1.2.0 is not available: its texts are not in the cited source)",
            self.cis_version.chars().take(40).collect::<String>(),
            CIS_TEXT_VERSIONS.join(", ")
        ))
    }
}

/// Disabling or scheduling the deletion of a KMS key, successful or attempted (CIS 4.7 and
/// TW-KMS-001). One event must raise the alarm.
///
/// The refused attempts are included because the CIS pattern matches them (it does not test
/// `errorCode`) and because an attempt by a stolen role is the early warning; a filter that adds
/// `$.errorCode NOT EXISTS` silently drops it.
pub fn kms_key_changes(account: &str) -> Requirement {
    let region = DEFAULT_REGION;
    Requirement {
        name: "KMS key disable and deletion events".to_owned(),
        records: vec![
            kms::disable_key(region, account),
            kms::schedule_key_deletion(region, account),
            kms::access_denied("DisableKey", region, account),
            kms::access_denied("ScheduleKeyDeletion", region, account),
        ],
        mode: AlarmMode::SingleEvent,
        failures: None,
    }
}

/// Failed KMS calls of several operations, read-only and write (TW-KMS-002, seed 000). Counted
/// by a volume alarm.
///
/// The read-only failed `Decrypt` is the seed's own example: a trail that logs only write
/// events never sees it, and a filter on `Decrypt` alone misses refused `Encrypt` and
/// `GenerateDataKey` calls.
///
/// Each failure must be counted apart from its successful twin ([`Failures`]), with a burst of
/// [`DEFAULT_MAX_FAILURES_TO_ALARM`] failures; [`kms_failed_calls_burst`] sets another.
pub fn kms_failed_calls(account: &str) -> Requirement {
    kms_failed_calls_burst(account, DEFAULT_MAX_FAILURES_TO_ALARM)
}

/// [`kms_failed_calls`] where `max_failures_to_alarm` failures in one evaluation window must
/// fire an alarm whose filter also counts successful calls.
pub fn kms_failed_calls_burst(account: &str, max_failures_to_alarm: u32) -> Requirement {
    let region = DEFAULT_REGION;
    Requirement {
        name: "failed KMS calls".to_owned(),
        records: vec![
            kms::decrypt_incorrect_key(region, account),
            kms::encrypt_access_denied(region, account),
            kms::generate_data_key_access_denied(region, account),
            kms::access_denied("DisableKey", region, account),
        ],
        mode: AlarmMode::Volume,
        failures: Some(Failures {
            max_failures_to_alarm,
        }),
    }
}

/// Successful calls of the given cryptographic operations (TW-KMS-003, seed 001), counted by a
/// volume alarm. `Err` names an operation with no canonical record.
pub fn kms_activity(operations: &[String], account: &str) -> Result<Requirement, String> {
    let records = operations
        .iter()
        .map(|name| {
            kms::successful(name, DEFAULT_REGION, account).ok_or_else(|| {
                format!(
                    "`{name}` is not a KMS operation trailwarden knows; use one of {}",
                    kms::OPERATIONS.join(", ")
                )
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Requirement {
        name: format!("KMS {} calls", operations.join("/")),
        records,
        mode: AlarmMode::Volume,
        failures: None,
    })
}

/// A CIS monitoring control's events (CIS 4.1–4.15), one of which must raise the alarm.
pub fn cis_control(control: &CisControl, account: &str) -> Requirement {
    // "Ensure a log metric filter and alarm exist for unauthorized API calls" → the subject
    // (4.15's title says "exists for").
    let subject = [" exist for ", " exists for "]
        .iter()
        .find_map(|marker| control.title.split_once(marker))
        .map_or(control.title, |(_, subject)| subject);
    Requirement {
        name: format!("CIS {} events ({})", control.id, subject),
        records: (control.records)(DEFAULT_REGION, account),
        mode: AlarmMode::SingleEvent,
        failures: control.about_failures.then_some(Failures {
            max_failures_to_alarm: 1,
        }),
    }
}

/// Whether `pattern` is, apart from whitespace, one of the texts CIS `version` gives for the
/// control ([`CisControl::patterns`]); for v1.4.0, the texts Security Hub accepts: the CIS
/// audit pattern or one of its alternatives. An unknown version matches nothing.
///
/// Security Hub "fails if the exact metric filters prescribed by CIS are not used. Additional
/// fields or terms cannot be added" (Security Hub user guide, CloudWatch controls). How it
/// normalises whitespace is undocumented; the CIS and Security Hub texts themselves differ only
/// in spacing, so whitespace is ignored here and everything else must be identical.
pub fn is_cis_text(control: &CisControl, pattern: &str, version: &str) -> bool {
    let squeeze = |text: &str| {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
    };
    let wanted = squeeze(pattern);
    control
        .patterns(version)
        .unwrap_or_default()
        .into_iter()
        .any(|text| squeeze(text) == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::cis_control as control;

    #[test]
    fn cis_text_ignores_only_whitespace() {
        let cis = control("4.7").unwrap();
        assert!(is_cis_text(cis, cis.pattern, "v1.4.0"));
        assert!(is_cis_text(
            cis,
            "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}",
            "v1.4.0"
        ));
        assert!(!is_cis_text(
            cis,
            r#"{($.eventSource = "kms.amazonaws.com") && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"#,
            "v1.4.0"
        ));
    }

    /// The texts differ between versions: v4.0.1 4.2 drops the quotes, so the v1.4.0 text is
    /// not the v4.0.1 one, and v5.0.0 4.10 adds an event.
    #[test]
    fn cis_text_follows_the_version() {
        let mfa = control("4.2").unwrap();
        assert!(is_cis_text(mfa, mfa.pattern, "v1.4.0"));
        assert!(is_cis_text(mfa, mfa.pattern, "v3.0.0"));
        assert!(!is_cis_text(mfa, mfa.pattern, "v4.0.1"));
        assert!(is_cis_text(
            mfa,
            "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }",
            "v4.0.1"
        ));
        assert!(!is_cis_text(mfa, mfa.pattern, "v1.2.0"));
        let groups = control("4.10").unwrap();
        assert!(is_cis_text(groups, groups.pattern, "v4.0.1"));
        assert!(!is_cis_text(groups, groups.pattern, "v5.0.0"));
        let settings = CisSettings {
            cis_version: "v9".to_owned(),
            ..CisSettings::default()
        };
        assert!(settings.validate().unwrap_err().contains("v4.0.1"));
        assert!(CisSettings::default().validate().is_ok());
    }

    #[test]
    fn unknown_operations_are_named() {
        let error =
            kms_activity(&["Decrypt".into(), "Decript".into()], "111122223333").unwrap_err();
        assert!(error.contains("`Decript`"), "{error}");
        let requirement = kms_activity(&["Decrypt".into()], "111122223333").unwrap();
        assert_eq!(requirement.records[0]["eventName"], "Decrypt");
    }
}
