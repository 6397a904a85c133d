//! TW-KMS-006: successful DisableKey / ScheduleKeyDeletion calls in the recent window.

mod common;

use common::*;
use serde_json::{Value, json};
use trailwarden_sdk::events::{identity, kms};
use trailwarden_sdk::snapshot::CollectionError;
use trailwarden_sdk::testing::SnapshotBuilder;
use trailwarden_sdk::{Finding, Outcome, Snapshot};

const RULE: &str = "TW-KMS-006";
/// 15 minutes after the SDK records' fixed `eventTime` (2024-05-20T20:45:00Z).
const NOW: &str = "2024-05-20T21:00:00Z";

fn disable() -> Value {
    kms::disable_key(REGION, ACCOUNT)
}

fn schedule() -> Value {
    kms::schedule_key_deletion(REGION, ACCOUNT)
}

fn at(mut record: Value, time: &str) -> Value {
    record["eventTime"] = json!(time);
    record
}

/// us-east-1 with the key the SDK's records name, and `records` as the collected events.
fn account(records: Vec<Value>) -> SnapshotBuilder {
    let account = SnapshotBuilder::new().region(REGION).kms_key(kms::KEY_ID);
    records.into_iter().fold(account, SnapshotBuilder::event)
}

fn events(records: Vec<Value>) -> Snapshot {
    account(records).build()
}

/// A saved snapshot whose events section holds `items` as written (records, log-file objects
/// or `LookupEvents` entries), read the way `check --snapshot` reads it.
fn saved(items: Vec<Value>) -> Snapshot {
    let mut document = serde_json::to_value(account(Vec::new()).build()).expect("json");
    document["events"] = serde_json::json!({ "items": items });
    Snapshot::from_json(&document.to_string()).expect("a readable saved snapshot")
}

/// [`events`], collected over the window `from`..`to`.
fn windowed(records: Vec<Value>, from: &str, to: &str) -> Snapshot {
    account(records).events_window(from, to).build()
}

fn check(snapshot: &Snapshot, settings: Value) -> Vec<Finding> {
    run_at(RULE, snapshot, settings, Some(NOW)).0
}

#[test]
fn disable_key_in_the_window_is_reported_with_its_context() {
    let record = disable();
    let findings = check(&events(vec![record.clone()]), Value::Null);
    assert_eq!(verdicts(&findings), fail("KEY_DISABLED"));
    let finding = &findings[0];
    let event_id = record["eventID"].as_str().expect("records have ids");
    let message = &finding.message;
    for part in [
        kms::KEY_ID,
        "(us-east-1)",
        "IAMUser `arn:aws:iam::111122223333:user/Alice`",
        "198.51.100.23",
        "2024-05-20T20:45:00Z",
        event_id,
        "EnableKey",
    ] {
        assert!(message.contains(part), "{part} missing from: {message}");
    }
    let p = &finding.properties;
    assert_eq!(p["eventId"], json!(event_id));
    assert_eq!(p["eventName"], json!("DisableKey"));
    assert_eq!(p["eventTime"], json!("2024-05-20T20:45:00Z"));
    assert_eq!(p["actorArn"], json!("arn:aws:iam::111122223333:user/Alice"));
    assert_eq!(p["actorType"], json!("IAMUser"));
    assert_eq!(p["sourceIPAddress"], json!("198.51.100.23"));
    assert_eq!(p["keyArn"], json!(kms::key_arn(REGION, ACCOUNT)));
    assert_eq!(p["awsRegion"], json!(REGION));
    assert_eq!(p["riskScore"], json!(47));
    assert_eq!(finding.region.as_deref(), Some(REGION));
    assert_eq!(finding.account.as_deref(), Some(ACCOUNT));
    assert_eq!(
        finding.resource.as_ref().map(|r| r.arn.as_str()),
        Some(event_id)
    );
    assert!(
        finding
            .related
            .iter()
            .any(|r| r.arn == kms::key_arn(REGION, ACCOUNT) && r.kind == "AWS::KMS::Key")
    );
    assert!(finding.related.iter().any(|r| r.kind == "AWS::IAM::User"));
}

#[test]
fn schedule_key_deletion_is_reported_with_its_waiting_period() {
    let findings = check(&events(vec![schedule()]), Value::Null);
    assert_eq!(verdicts(&findings), fail("KEY_DELETION_SCHEDULED"));
    assert!(
        findings[0]
            .message
            .contains("scheduled for deletion in 30 days"),
        "{}",
        findings[0].message
    );
    assert!(
        findings[0].message.contains("CancelKeyDeletion"),
        "{}",
        findings[0].message
    );
    assert_eq!(findings[0].properties["pendingWindowInDays"], json!(30));
}

#[test]
fn failed_calls_and_other_events_are_not_reported() {
    let mut denied = disable();
    denied["errorCode"] = json!("AccessDeniedException");
    denied["eventID"] = json!("denied-1");
    let mut other_source = schedule();
    other_source["eventSource"] = json!("kms.example.com");
    other_source["eventID"] = json!("other-1");
    let findings = check(
        &events(vec![
            denied,
            other_source,
            kms::decrypt(REGION, ACCOUNT),
            kms::generate_data_key(REGION, ACCOUNT),
        ]),
        Value::Null,
    );
    assert!(findings.is_empty(), "{findings:#?}");
    let mut null_error = disable();
    null_error["errorCode"] = Value::Null;
    assert_eq!(
        verdicts(&check(&events(vec![null_error]), Value::Null)),
        fail("KEY_DISABLED")
    );
}

#[test]
fn only_the_window_counts() {
    let old = at(disable(), "2024-05-20T19:30:00Z");
    let edge = at(schedule(), "2024-05-20T20:00:00Z");
    let snapshot = events(vec![old, edge]);
    assert_eq!(
        verdicts(&check(&snapshot, Value::Null)),
        fail("KEY_DELETION_SCHEDULED")
    );
    let wider = check(&snapshot, json!({ "window_minutes": 120 }));
    assert_eq!(verdicts(&wider).len(), 2);
    let narrower = check(&snapshot, json!({ "window_minutes": 10 }));
    assert!(narrower.is_empty());
}

#[test]
fn allowed_principals_are_not_reported() {
    let role_session = {
        let mut record = schedule();
        record["userIdentity"] = identity::assumed_role(ACCOUNT, "key-rotation", "nightly");
        record["eventID"] = json!("role-1");
        record
    };
    let snapshot = events(vec![disable(), role_session]);
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!(["arn:aws:iam::111122223333:user/Alice"]),
            vec!["KEY_DELETION_SCHEDULED"],
        ),
        (
            json!(["arn:aws:iam::111122223333:user/*"]),
            vec!["KEY_DELETION_SCHEDULED"],
        ),
        (
            json!(["arn:aws:iam::111122223333:role/key-rotation"]),
            vec!["KEY_DISABLED"],
        ),
        (
            json!(["arn:aws:sts::111122223333:assumed-role/key-rotation/*"]),
            vec!["KEY_DISABLED"],
        ),
        (json!(["arn:aws:iam::111122223333:*"]), vec![]),
        (
            json!(["arn:aws:iam::111122223333:user/Al"]),
            vec!["KEY_DISABLED", "KEY_DELETION_SCHEDULED"],
        ),
        (
            json!(["arn:aws:iam::999988887777:*"]),
            vec!["KEY_DISABLED", "KEY_DELETION_SCHEDULED"],
        ),
    ];
    for (allowed, expected) in cases {
        let findings = check(&snapshot, json!({ "allowed_principals": allowed }));
        let reasons: Vec<&str> = findings.iter().map(|f| f.reason.as_str()).collect();
        assert_eq!(reasons, expected, "{allowed}");
    }
    let findings = check(&snapshot, Value::Null);
    let role = findings
        .iter()
        .find(|f| f.reason == "KEY_DELETION_SCHEDULED")
        .expect("reported");
    assert_eq!(
        role.properties["sessionIssuerArn"],
        json!("arn:aws:iam::111122223333:role/key-rotation")
    );
    assert!(role.related.iter().any(|r| r.kind == "AWS::IAM::Role"));
}

#[test]
fn without_run_time_the_collected_window_end_is_used() {
    let snapshot = windowed(
        vec![disable()],
        "2024-05-20T20:00:00Z",
        "2024-05-20T21:00:00Z",
    );
    let (findings, _) = run_at(RULE, &snapshot, Value::Null, None);
    assert_eq!(verdicts(&findings), fail("KEY_DISABLED"));
    let (findings, _) = run_at(RULE, &snapshot, Value::Null, Some("not a time"));
    assert_eq!(
        verdicts(&findings),
        fail("KEY_DISABLED"),
        "an unusable run time falls back too"
    );

    let (findings, _) = run_at(RULE, &events(vec![disable()]), Value::Null, None);
    assert_eq!(verdicts(&findings), unverifiable("EVENT_WINDOW_UNKNOWN"));
    assert!(
        findings[0].message.contains("no run time"),
        "{}",
        findings[0].message
    );
}

#[test]
fn a_window_reaching_before_the_collected_events_is_flagged() {
    let snapshot = windowed(
        vec![disable()],
        "2024-05-20T20:30:00Z",
        "2024-05-20T21:00:00Z",
    );
    let findings = check(&snapshot, Value::Null);
    assert_eq!(
        verdicts(&findings),
        vec![
            (Outcome::Unverifiable, "EVENT_WINDOW_NOT_COVERED"),
            (Outcome::Fail, "KEY_DISABLED"),
        ]
    );
    assert!(
        findings[0].message.contains("2024-05-20T20:00:00Z"),
        "{}",
        findings[0].message
    );
}

#[test]
fn events_not_collected_is_unverifiable() {
    let snapshot = SnapshotBuilder::new().region(REGION).build();
    let findings = check(&snapshot, Value::Null);
    assert_eq!(verdicts(&findings), unverifiable("EVENTS_NOT_COLLECTED"));
}

#[test]
fn partly_failed_collection_still_reports_what_arrived() {
    let throttled = CollectionError {
        service: "cloudtrail".to_owned(),
        operation: "LookupEvents".to_owned(),
        region: Some("eu-west-1".to_owned()),
        code: "ThrottlingException".to_owned(),
        message: String::new(),
    };
    let partial = account(vec![disable()]).edit(|s| s.events.errors.push(throttled));
    let findings = check(&partial.build(), Value::Null);
    assert_eq!(
        verdicts(&findings),
        vec![
            (Outcome::Unverifiable, "EVENTS_INCOMPLETE"),
            (Outcome::Fail, "KEY_DISABLED"),
        ]
    );
    assert!(
        findings[0].message.contains("ThrottlingException"),
        "{}",
        findings[0].message
    );
}

#[test]
fn a_bare_record_is_reported_with_what_it_has() {
    let bare = json!({
        "eventSource": "kms.amazonaws.com",
        "eventName": "DisableKey",
        "eventTime": "2024-05-20T20:50:00Z",
        "userIdentity": null,
        "requestParameters": { "keyId": 42 },
        "resources": [{ "type": "AWS::KMS::Key" }]
    });
    let (findings, logs) = run_at(RULE, &events(vec![bare, disable()]), Value::Null, Some(NOW));
    assert_eq!(
        verdicts(&findings),
        vec![
            (Outcome::Fail, "KEY_DISABLED"),
            (Outcome::Fail, "KEY_DISABLED")
        ]
    );
    let bare = &findings[0];
    assert!(bare.message.contains("(unknown key)"), "{}", bare.message);
    assert!(
        bare.message.contains("(unknown principal)"),
        "{}",
        bare.message
    );
    assert!(
        bare.message.contains("an unknown address"),
        "{}",
        bare.message
    );
    assert!(bare.region.is_none());
    assert!(logs.is_empty(), "{logs:?}");
}

/// What is not a CloudTrail record never reaches the rule: the snapshot does not parse, and
/// the error names the item and what is wrong with it.
#[test]
fn malformed_records_are_snapshot_errors_naming_the_item() {
    let cases = [
        (json!(42), "events item 1 is not an object but a number"),
        (json!({}), "events item 1 has no `eventSource`"),
        (
            json!({ "eventSource": "kms.amazonaws.com" }),
            "events item 1 has no `eventName`",
        ),
        (
            json!({ "eventSource": 1, "eventName": "DisableKey" }),
            "events item 1 has `eventSource` as a number, not a string",
        ),
        (
            json!({ "eventSource": "kms.amazonaws.com", "eventName": "DisableKey", "userIdentity": "x" }),
            "events item 1 has `userIdentity` as a string, not an object",
        ),
    ];
    for (item, expected) in cases {
        let document = json!({
            "schemaVersion": 1,
            "account": { "id": ACCOUNT },
            "regions": [],
            "events": { "items": [disable(), item] }
        });
        let error = Snapshot::from_json(&document.to_string())
            .expect_err(expected)
            .to_string();
        assert!(error.contains(expected), "{expected}: {error}");
    }
}

/// A `LookupEvents` entry an earlier collector kept although its `CloudTrailEvent` could not
/// be read is an event nobody saw: the result says the events are incomplete.
#[test]
fn an_unreadable_lookup_events_entry_makes_the_events_incomplete() {
    let unreadable = json!({
        "EventId": "e2", "EventName": "ScheduleKeyDeletion", "CloudTrailEvent": "{not json"
    });
    let findings = check(&saved(vec![unreadable, disable()]), Value::Null);
    assert_eq!(
        verdicts(&findings),
        vec![
            (Outcome::Unverifiable, "EVENTS_INCOMPLETE"),
            (Outcome::Fail, "KEY_DISABLED"),
        ]
    );
    assert!(
        findings[0]
            .message
            .contains("event `e2` (ScheduleKeyDeletion)"),
        "{}",
        findings[0].message
    );
}

#[test]
fn unreadable_event_time_is_unverifiable_not_dropped() {
    let mut no_time = disable();
    no_time.as_object_mut().map(|o| o.remove("eventTime"));
    let bad_time = at(schedule(), "20/05/2024 20:45");
    let findings = check(&events(vec![no_time, bad_time]), Value::Null);
    assert_eq!(
        verdicts(&findings),
        vec![
            (Outcome::Unverifiable, "EVENT_TIME_UNREADABLE"),
            (Outcome::Unverifiable, "EVENT_TIME_UNREADABLE"),
        ]
    );
    assert!(
        findings[1].message.contains("20/05/2024"),
        "{}",
        findings[1].message
    );
}

#[test]
fn log_files_and_lookup_events_entries_are_read() {
    let file = json!({ "Records": [disable(), kms::decrypt(REGION, ACCOUNT)] });
    let lookup = json!({
        "EventId": schedule()["eventID"],
        "EventName": "ScheduleKeyDeletion",
        "CloudTrailEvent": schedule().to_string()
    });
    let findings = check(&saved(vec![file, lookup]), Value::Null);
    assert_eq!(
        verdicts(&findings),
        vec![
            (Outcome::Fail, "KEY_DISABLED"),
            (Outcome::Fail, "KEY_DELETION_SCHEDULED")
        ]
    );
}

#[test]
fn the_same_event_from_two_sources_is_reported_once() {
    let file = json!({ "Records": [disable()] });
    let findings = check(&saved(vec![disable(), file]), Value::Null);
    assert_eq!(verdicts(&findings), fail("KEY_DISABLED"));
    let mut second = at(disable(), "2024-05-20T20:50:00Z");
    second["eventID"] = json!("another-event");
    assert_eq!(check(&saved(vec![disable(), second]), Value::Null).len(), 2);
}

#[test]
fn key_given_by_id_is_resolved_through_the_snapshot() {
    let mut record = disable();
    record["requestParameters"] = json!({ "keyId": kms::KEY_ID });
    record.as_object_mut().map(|o| o.remove("resources"));
    let findings = check(&events(vec![record]), Value::Null);
    assert_eq!(findings[0].properties["keyId"], json!(kms::KEY_ID));
    assert!(!findings[0].properties.contains_key("keyArn"));
    assert!(
        findings[0]
            .related
            .iter()
            .any(|r| r.arn == kms::key_arn(REGION, ACCOUNT))
    );
}

#[test]
fn settings_are_checked() {
    assert!(settings_error(RULE, json!({ "window_minutes": 0 })).contains("at least 1"));
    assert!(
        settings_error(
            RULE,
            json!({ "allowed_principals": ["arn:aws:iam::*:role/x"] })
        )
        .contains("only at the end")
    );
    assert!(settings_error(RULE, json!({ "allowed_principals": [""] })).contains("non-empty"));
    assert!(settings_error(RULE, json!({ "window": 5 })).contains("unknown field"));
}

#[test]
fn a_saved_snapshot_is_judged_at_the_end_of_its_events_window() {
    // Collected at 21:00 with an hour of events; checked a week later.
    let snapshot = windowed(
        vec![disable()],
        "2024-05-20T20:00:00Z",
        "2024-05-20T21:00:00Z",
    );
    let (findings, _) = run_at(RULE, &snapshot, Value::Null, Some("2024-05-27T09:00:00Z"));
    assert_eq!(verdicts(&findings), fail("KEY_DISABLED"));
}
