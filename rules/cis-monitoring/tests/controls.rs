//! Each TW-CW rule on the CIS baseline: the CIS pattern passes, an equivalent pattern written
//! differently passes, a pattern missing one event fails naming it, and an alarm that one event
//! cannot fire fails at the alarm.

use serde_json::{Value, json};
use trailwarden_rules_cis_monitoring::pack;
use trailwarden_sdk::events::{CIS_CONTROLS, CIS_TEXT_VERSIONS, CisControl};
use trailwarden_sdk::meta::cis_reference;
use trailwarden_sdk::testing::{SnapshotBuilder, assert_cases};
use trailwarden_sdk::{Finding, Level, Outcome, Snapshot};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");

/// The CIS baseline: the shared fixture every control passes on, as a builder to break.
fn baseline() -> SnapshotBuilder {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/snapshots/cis-monitoring-compliant.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture exists");
    // The monitoring lives in us-east-1, where edits below apply.
    SnapshotBuilder::from_snapshot(Snapshot::from_json(&text).expect("fixture parses"))
        .region("us-east-1")
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

fn run(control: &CisControl, account: SnapshotBuilder, settings: Value) -> Vec<Finding> {
    pack()
        .run_rule(&rule_id(control), &account.build(), settings)
        .expect("rule runs")
}

/// The baseline with only `control`'s filter left, its pattern replaced by `pattern`, so that
/// no other control's filter can catch the events.
fn with_pattern(control: &CisControl, pattern: &str) -> SnapshotBuilder {
    let name = names(control);
    baseline()
        .edit_region(|region| {
            region
                .metric_filters
                .items
                .retain(|f| f.filter_name == name)
        })
        .edit_filter(&name, |filter| filter.filter_pattern = pattern.to_owned())
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

/// Whole snapshots and what the pack must report on them, run here natively and through the
/// embedded .wasm by the host's `builtin_cases` test, as a user's pack is tested.
#[test]
fn fixture_cases() {
    assert_eq!(pack().rules.len(), 15);
    assert!(assert_cases(&pack(), CASES) >= 1);
}

/// The CIS v1.4.0 4.1 text ORs `$.sourceIPAddress != delivery.logs.amazonaws.com` and
/// `$.eventName != HeadBucket` with the error codes, so it matches nearly every call, successful
/// ones too: an alarm on it is always in ALARM and a refused call changes no state (issue #19).
/// The v1.2.0 text, which Security Hub also accepts, counts only the refusals.
#[test]
fn the_v1_4_text_of_4_1_counts_successful_calls_too() {
    let control = &CIS_CONTROLS[0];
    assert_eq!(control.id, "4.1");
    let found = run(control, with_pattern(control, control.pattern), Value::Null);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].reason, "FILTER_COUNTS_SUCCESSES",
        "{}",
        found[0].message
    );
    for alternative in control.alternative_patterns {
        let account = with_pattern(control, alternative);
        assert_eq!(run(control, account, json!({"strict_cis": true})), vec![]);
    }
}

#[test]
fn the_cis_pattern_passes_each_control() {
    for control in CIS_CONTROLS.iter().filter(|c| c.id != "4.1") {
        let account = with_pattern(control, control.pattern);
        assert_eq!(
            run(control, account.clone(), Value::Null),
            vec![],
            "{}",
            control.id
        );
        let strict = run(control, account, json!({"strict_cis": true}));
        assert_eq!(strict, vec![], "{}: the CIS text itself", control.id);
    }
}

#[test]
fn an_equivalent_pattern_passes_and_strict_cis_says_why_security_hub_disagrees() {
    for control in &CIS_CONTROLS {
        let account = with_pattern(control, &equivalent(control));
        assert_eq!(
            run(control, account.clone(), Value::Null),
            vec![],
            "{}",
            control.id
        );
        let strict = run(control, account, json!({"strict_cis": true}));
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
        let found = run(control, with_pattern(control, &pattern), Value::Null);
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
        let account = with_pattern(control, control.pattern).edit_alarm(&names(control), |alarm| {
            alarm.datapoints_to_alarm = Some(2);
            alarm.evaluation_periods = 3;
        });
        let found = run(control, account, Value::Null);
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
        let references: Vec<&str> = rule.mappings.cis.iter().map(|c| cis_reference(c)).collect();
        // The monitoring controls kept their numbers from v1.4.0 to v5.0.0.
        for version in CIS_TEXT_VERSIONS {
            assert!(
                references.contains(&format!("{version} {}", control.id).as_str()),
                "{}: {references:?}",
                rule.id
            );
            assert!(control.patterns(version).is_some(), "{} {version}", rule.id);
        }
        if let Some(v12) = control.v1_2 {
            assert!(
                references.contains(&format!("v1.2.0 {v12}").as_str()),
                "{}",
                rule.id
            );
        }
        // Each entry carries its version's title.
        for entry in &rule.mappings.cis {
            assert!(entry.contains(" Ensure "), "{}: {entry}", rule.id);
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

/// The baseline with every metric filter gone, so only an EventBridge rule can cover a control,
/// and a subscribed `security-alerts` topic in each region.
fn without_filters() -> SnapshotBuilder {
    baseline()
        .edit(|snapshot| {
            for region in &mut snapshot.regions {
                region.metric_filters.items.clear();
            }
        })
        .region("eu-west-1")
        .topic("security-alerts")
}

/// An EventBridge pattern for `control`'s events, written as a user would for its kind: by error
/// code (4.1), by identity (4.3), by sign-in outcome (4.2, 4.6), or by event name.
fn event_pattern(control: &CisControl) -> Value {
    match control.id {
        "4.1" => json!({"detail": {"errorCode": [
            {"wildcard": "*UnauthorizedOperation"}, {"prefix": "AccessDenied"}
        ]}}),
        "4.2" => json!({"source": ["aws.signin"], "detail": {
            "eventName": ["ConsoleLogin"], "additionalEventData": {"MFAUsed": [{"anything-but": "Yes"}]}
        }}),
        "4.3" => json!({"detail": {"userIdentity": {"type": ["Root"]}}}),
        "4.6" => json!({"source": ["aws.signin"], "detail": {
            "eventName": ["ConsoleLogin"], "errorMessage": ["Failed authentication"]
        }}),
        _ => {
            let records = (control.records)("us-east-1", "111122223333");
            let names: Vec<&str> = records
                .iter()
                .filter_map(|r| r["eventName"].as_str())
                .collect();
            json!({"detail": {"eventName": names}})
        }
    }
}

/// A rule for `control` in each region, in the state that receives read-only calls too.
fn with_event_rules(control: &CisControl) -> SnapshotBuilder {
    let pattern = event_pattern(control);
    let mut account = without_filters();
    for region in ["us-east-1", "eu-west-1"] {
        account = account
            .region(region)
            .event_rule("cis-alternative", &pattern, "security-alerts")
            .event_rule_state(
                "cis-alternative",
                "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            );
    }
    account
}

/// Issue #19 (prowler-cloud/prowler#831): with `accept_eventbridge`, an EventBridge rule that
/// matches the control's events and notifies someone satisfies every kind of control; without
/// it, the CIS text (a metric filter) is still required.
#[test]
fn an_eventbridge_rule_satisfies_each_control_only_when_accepted() {
    let accept = json!({"accept_eventbridge": true});
    for control in &CIS_CONTROLS {
        let account = with_event_rules(control);
        assert_eq!(
            run(control, account.clone(), accept.clone()),
            vec![],
            "{}",
            control.id
        );
        let strict = run(control, account.clone(), Value::Null);
        assert_eq!(strict.len(), 1, "{}: {strict:#?}", control.id);
        assert_eq!(strict[0].reason, "NO_METRIC_FILTER", "{}", control.id);
        // Without a rule, accepting EventBridge changes nothing.
        let bare = run(control, without_filters(), accept.clone());
        assert_eq!(bare[0].reason, "NO_METRIC_FILTER", "{}", control.id);
    }
}

/// A rule that does not deliver or tells nobody is no alternative: disabled, `ENABLED` for the
/// read-only calls of 4.1, a topic without a confirmed subscription, a pattern that misses.
#[test]
fn an_eventbridge_rule_that_cannot_tell_anyone_is_not_accepted() {
    let accept = json!({"accept_eventbridge": true});
    let kms = &CIS_CONTROLS[6];
    assert_eq!(kms.id, "4.7");
    let disabled = with_event_rules(kms).event_rule_state("cis-alternative", "DISABLED");
    assert_eq!(
        run(kms, disabled, accept.clone())[0].reason,
        "NO_METRIC_FILTER"
    );
    let silent = with_event_rules(kms).edit_topic("security-alerts", |t| t.subscriptions.clear());
    assert_eq!(
        run(kms, silent, accept.clone())[0].reason,
        "NO_METRIC_FILTER"
    );
    let unauthorized = &CIS_CONTROLS[0];
    let enabled = with_event_rules(unauthorized)
        .region("us-east-1")
        .event_rule_state("cis-alternative", "ENABLED");
    let found = run(unauthorized, enabled, accept.clone());
    assert_eq!(found[0].reason, "NO_METRIC_FILTER", "{found:#?}");
    // IAM sign-in events are global: the rule in us-east-1 serves every region.
    let mfa = &CIS_CONTROLS[1];
    let only_home = without_filters().region("us-east-1").event_rule(
        "cis-alternative",
        &event_pattern(mfa),
        "security-alerts",
    );
    assert_eq!(run(mfa, only_home, accept.clone()), vec![]);
    // A KMS rule only in us-east-1 leaves eu-west-1's key changes uncovered.
    let kms_home = without_filters().region("us-east-1").event_rule(
        "cis-alternative",
        &event_pattern(kms),
        "security-alerts",
    );
    let found = run(kms, kms_home, accept);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].region.as_deref(), Some("eu-west-1"), "{found:#?}");
}

/// Every version's own text, run through the chain: each passes its control, except the 4.1
/// texts of v1.4.0 and v3.0.0, which OR the `!=` exclusions with the error codes and so count
/// successful calls too, and the 4.6 texts of v4.0.1 and v5.0.0, which leave a value with a
/// space unquoted. With `cis_version` set, `strict_cis` accepts that version's text and
/// reports another version's.
#[test]
fn each_versions_text_is_judged_by_meaning_and_by_its_version() {
    for version in CIS_TEXT_VERSIONS {
        for control in &CIS_CONTROLS {
            let patterns = control.patterns(version).expect("every version has texts");
            let found = run(
                control,
                with_pattern(control, patterns[0]),
                json!({"strict_cis": true, "cis_version": version}),
            );
            if control.id == "4.1" && ["v1.4.0", "v3.0.0"].contains(version) {
                assert_eq!(found.len(), 1, "{version} {}: {found:#?}", control.id);
                assert_eq!(found[0].reason, "FILTER_COUNTS_SUCCESSES");
            } else if control.id == "4.6" && ["v4.0.1", "v5.0.0"].contains(version) {
                // `$.errorMessage = Failed authentication`, unquoted with a space, as the
                // source gives it: CloudWatch Logs would not accept it.
                assert_eq!(found.len(), 1, "{version} {}: {found:#?}", control.id);
                assert_eq!(found[0].reason, "FILTER_PATTERN_INVALID");
            } else {
                assert_eq!(found, vec![], "{version} {}", control.id);
            }
        }
    }
    // v4.0.1 drops the quotes of 4.2: the v1.4.0 text works, but is not the v4.0.1 text.
    let mfa = &CIS_CONTROLS[1];
    let found = run(
        mfa,
        with_pattern(mfa, mfa.pattern),
        json!({"strict_cis": true, "cis_version": "v4.0.1"}),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].reason, "PATTERN_NOT_CIS_TEXT");
    assert!(
        found[0].message.contains("CIS v4.0.1 4.2 text"),
        "{}",
        found[0].message
    );
}

/// v1.2.0 has no texts in the cited source: choosing it is a settings error that says which
/// versions exist.
#[test]
fn an_unknown_cis_version_is_a_settings_error() {
    let control = &CIS_CONTROLS[0];
    let error = pack()
        .run_rule(
            &rule_id(control),
            &baseline().build(),
            json!({"cis_version": "v1.2.0"}),
        )
        .expect_err("v1.2.0 has no texts");
    assert!(error.to_string().contains("v4.0.1"), "{error}");
}
