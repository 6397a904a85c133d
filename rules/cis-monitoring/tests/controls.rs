//! Each TW-CW rule on the CIS baseline: the CIS pattern passes, an equivalent pattern written
//! differently passes, a pattern missing one event fails naming it, and an alarm that one event
//! cannot fire fails at the alarm.

use std::path::PathBuf;

use serde_json::{Value, json};
use trailwarden_rules_cis_monitoring::pack;
use trailwarden_sdk::events::{CIS_CONTROLS, CisControl};
use trailwarden_sdk::{Finding, Level, Outcome, Snapshot};

fn fixture() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/snapshots/cis-monitoring-compliant.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture exists")).expect("JSON")
}

fn rule_id(control: &CisControl) -> String {
    let number: u32 = control.id["4.".len()..].parse().expect("4.N");
    format!("TW-CW-{number:03}")
}

/// The filter and alarm that serve `control` in the baseline.
fn names(control: &CisControl) -> String {
    if control.id == "4.7" {
        "kms-key-changes".to_owned()
    } else {
        format!("cis-{}", control.id.replace('.', "-"))
    }
}

fn run(control: &CisControl, account: &Value, settings: Value) -> Vec<Finding> {
    let snapshot = Snapshot::from_json(&account.to_string()).expect("parses");
    pack()
        .run_rule(&rule_id(control), &snapshot, settings)
        .expect("rule runs")
}

/// The baseline with only `control`'s filter left, its pattern replaced by `pattern`, so that
/// no other control's filter can catch the events.
fn with_pattern(control: &CisControl, pattern: &str) -> Value {
    let mut account = fixture();
    let filters = account["regions"][0]["metricFilters"]["items"]
        .as_array_mut()
        .expect("filters");
    filters.retain(|f| f["filterName"] == names(control).as_str());
    filters[0]["filterPattern"] = json!(pattern);
    account
}

/// A pattern with the control's meaning written another way: terms reversed, values quoted
/// (or unquoted where CIS quotes), spacing changed.
fn equivalent(control: &CisControl) -> String {
    match control.id {
        "4.1" => r#"{ $.errorCode = "AccessDenied*" || $.errorCode = "*UnauthorizedOperation" }"#.into(),
        "4.2" => "{ $.additionalEventData.MFAUsed != Yes && $.eventName = ConsoleLogin }".into(),
        "4.3" => r#"{ ($.eventType != AwsServiceEvent) && ($.userIdentity.invokedBy NOT EXISTS) && ($.userIdentity.type = "Root") }"#.into(),
        "4.6" => r#"{ $.errorMessage = "Failed authentication" && $.eventName = "ConsoleLogin" }"#.into(),
        _ => event_list_pattern(control, control.event_names.iter().rev().copied()),
    }
}

/// A pattern that misses one of the control's events, and the label of the event it misses.
fn missing_one(control: &CisControl) -> (String, String) {
    match control.id {
        "4.1" => (
            r#"{ $.errorCode = "*UnauthorizedOperation" }"#.into(),
            "(AccessDenied)".into(),
        ),
        "4.2" | "4.6" => (
            "{ $.eventName = ConsoleLogon }".into(),
            "ConsoleLogin".into(),
        ),
        "4.3" => (
            r#"{ $.userIdentity.type = "Root" && $.eventName = "ConsoleLogin" }"#.into(),
            "CreateAccessKey".into(),
        ),
        _ => {
            let (dropped, kept) = control.event_names.split_last().expect("events");
            (
                event_list_pattern(control, kept.iter().copied()),
                (*dropped).to_owned(),
            )
        }
    }
}

fn event_list_pattern<'a>(control: &CisControl, names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("$.eventName = \"{n}\"")).collect();
    match control.event_source {
        Some(source) => format!(
            "{{ ({}) && $.eventSource = \"{source}\" }}",
            names.join(" || ")
        ),
        None => format!("{{ {} }}", names.join(" || ")),
    }
}

#[test]
fn the_compliant_account_passes_the_whole_pack() {
    assert_eq!(pack().rules.len(), 15);
    for control in &CIS_CONTROLS {
        assert_eq!(
            run(control, &fixture(), Value::Null),
            vec![],
            "{}",
            control.id
        );
    }
}

#[test]
fn the_cis_pattern_passes_each_control() {
    for control in &CIS_CONTROLS {
        let account = with_pattern(control, control.pattern);
        assert_eq!(
            run(control, &account, Value::Null),
            vec![],
            "{}",
            control.id
        );
        let strict = run(control, &account, json!({"strict_cis": true}));
        assert_eq!(strict, vec![], "{}: the CIS text itself", control.id);
    }
}

#[test]
fn an_equivalent_pattern_passes_and_strict_cis_says_why_security_hub_disagrees() {
    for control in &CIS_CONTROLS {
        let account = with_pattern(control, &equivalent(control));
        assert_eq!(
            run(control, &account, Value::Null),
            vec![],
            "{}",
            control.id
        );
        let strict = run(control, &account, json!({"strict_cis": true}));
        assert_eq!(strict.len(), 1, "{}: {strict:#?}", control.id);
        assert_eq!(strict[0].reason, "PATTERN_NOT_CIS_TEXT");
        assert_eq!(strict[0].level, Some(Level::Note));
        if let Some(hub) = control.security_hub {
            assert!(strict[0].message.contains(hub), "{}", strict[0].message);
        }
    }
}

#[test]
fn a_pattern_missing_one_event_fails_naming_it() {
    for control in &CIS_CONTROLS {
        let (pattern, missed) = missing_one(control);
        let found = run(control, &with_pattern(control, &pattern), Value::Null);
        assert_eq!(found.len(), 1, "{}: {found:#?}", control.id);
        assert_eq!(found[0].outcome, Outcome::Fail);
        assert_eq!(
            found[0].reason, "FILTER_DOES_NOT_MATCH",
            "{}",
            found[0].message
        );
        let event = found[0].properties["event"].as_str().unwrap_or_default();
        assert!(
            event.contains(&missed),
            "{}: {event} should name {missed}",
            control.id
        );
        assert!(found[0].message.contains(&missed), "{}", found[0].message);
    }
}

#[test]
fn an_alarm_one_event_cannot_fire_fails_at_the_alarm() {
    for control in &CIS_CONTROLS {
        // Only this control's filter: a failed console sign-in without MFA is also caught by
        // the 4.2 filter, and rightly so, which would mask the broken 4.6 alarm.
        let mut account = with_pattern(control, control.pattern);
        let alarms = account["regions"][0]["metricAlarms"]["items"]
            .as_array_mut()
            .expect("alarms");
        let alarm = alarms
            .iter_mut()
            .find(|a| a["alarmName"] == names(control).as_str())
            .expect("alarm exists");
        alarm["datapointsToAlarm"] = json!(2);
        alarm["evaluationPeriods"] = json!(3);
        let found = run(control, &account, Value::Null);
        assert_eq!(found.len(), 1, "{}: {found:#?}", control.id);
        assert_eq!(
            found[0].reason, "ALARM_NEEDS_SEVERAL_PERIODS",
            "{}",
            control.id
        );
        assert_eq!(
            found[0].resource.as_ref().map(|r| r.name.clone()),
            Some(names(control))
        );
    }
}

#[test]
fn metadata_carries_every_mapping() {
    let meta = pack().meta();
    for (rule, control) in meta.rules.iter().zip(CIS_CONTROLS.iter()) {
        assert_eq!(rule.id, rule_id(control));
        assert!(
            rule.mappings
                .cis
                .contains(&format!("v1.4.0 {}", control.id)),
            "{}",
            rule.id
        );
        if let Some(v12) = control.v1_2 {
            assert!(
                rule.mappings.cis.contains(&format!("v1.2.0 {v12}")),
                "{}",
                rule.id
            );
        }
        let hub: Vec<String> = control
            .security_hub
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(rule.mappings.security_hub, hub, "{}", rule.id);
        assert!(rule.help_markdown.contains(control.pattern), "{}", rule.id);
        assert!(rule.help_markdown.contains("## How to fix"), "{}", rule.id);
        assert!(
            rule.help_markdown.contains("AWS::CloudWatch::Alarm"),
            "{}",
            rule.id
        );
    }
}
