//! Worked examples. Unless noted, patterns and events come from "Content filtering in Amazon
//! EventBridge event patterns" / "Comparison operators for use in event patterns" (AWS docs)
//! and event-ruler's `README.md`, with the other side of each edge added.

use serde_json::{Value, json};

use super::*;
use crate::events::kms;

/// The sample event of event-ruler's README (also the EC2 example of the EventBridge docs).
fn sample() -> Value {
    json!({
        "version": "0",
        "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
        "detail-type": "EC2 Instance State-change Notification",
        "source": "aws.ec2",
        "account": "012345679012",
        "time": "2017-10-02T16:24:49Z",
        "region": "us-east-1",
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
        "detail": {
            "c-count": 5,
            "d-count": 3,
            "x-limit": 301.8,
            "source-ip": "10.0.0.33",
            "instance-id": "i-000000aaaaaa00000",
            "state": "running"
        }
    })
}

fn pattern(p: Value) -> EventPattern {
    EventPattern::from_value(&p).expect("valid pattern")
}

fn matches(p: Value, event: &Value) -> bool {
    pattern(p).matches(event)
}

fn detail(fields: Value) -> Value {
    json!({ "source": "aws.test", "detail": fields })
}

#[test]
fn exact_values_and_and_or() {
    let event = sample();
    assert!(matches(
        json!({
            "detail-type": ["EC2 Instance State-change Notification"],
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
            "detail": { "state": ["initializing", "running"] }
        }),
        &event
    ));
    // Fields are ANDed: one wrong field spoils the match.
    assert!(!matches(
        json!({ "source": ["aws.ec2"], "detail": { "state": ["stopped"] } }),
        &event
    ));
    // Case-sensitive.
    assert!(!matches(json!({ "source": ["AWS.EC2"] }), &event));
    // A field the event lacks does not match.
    assert!(!matches(json!({ "detail": { "missing": ["x"] } }), &event));
    // Numbers compare numerically, booleans and strings by type.
    assert!(matches(json!({ "detail": { "c-count": [5.0] } }), &event));
    assert!(!matches(json!({ "detail": { "c-count": ["5"] } }), &event));
    assert!(matches(json!({ "flag": [true] }), &json!({ "flag": true })));
    assert!(!matches(
        json!({ "flag": ["true"] }),
        &json!({ "flag": true })
    ));
}

#[test]
fn array_event_values_intersect() {
    let event = json!({ "resources": ["arn:a", "arn:b"], "tags": [["x"], ["y"]] });
    assert!(matches(json!({ "resources": ["arn:b", "arn:c"] }), &event));
    assert!(!matches(json!({ "resources": ["arn:c"] }), &event));
    assert!(
        matches(json!({ "tags": ["y"] }), &event),
        "nested arrays are flattened"
    );
    // event-ruler README, JSON array matching: conditions must hold within one element.
    let employees = json!({ "employees": [
        { "firstName": "John", "lastName": "Doe" },
        { "firstName": "Anna", "lastName": "Smith" },
        { "firstName": "Peter", "lastName": "Jones" }
    ]});
    assert!(matches(
        json!({ "employees": { "firstName": ["Anna"] } }),
        &employees
    ));
    assert!(matches(
        json!({ "employees": { "firstName": ["Anna"], "lastName": ["Smith"] } }),
        &employees
    ));
    assert!(!matches(
        json!({ "employees": { "firstName": ["Anna"], "lastName": ["Jones"] } }),
        &employees
    ));
}

#[test]
fn prefix_and_suffix() {
    let event = sample();
    assert!(matches(
        json!({ "time": [{ "prefix": "2017-10-02" }] }),
        &event
    ));
    assert!(!matches(
        json!({ "time": [{ "prefix": "2017-10-03" }] }),
        &event
    ));
    for service in ["EventBridge", "EVENTBRIDGE", "eventbridge"] {
        let e = detail(json!({ "service": service }));
        assert!(matches(
            json!({ "detail": { "service": [{ "prefix": { "equals-ignore-case": "EventB" } }] } }),
            &e
        ));
        // Without equals-ignore-case the prefix is case-sensitive.
        assert_eq!(
            matches(
                json!({ "detail": { "service": [{ "prefix": "eventb" }] } }),
                &e
            ),
            service == "eventbridge"
        );
    }
    let png = json!({ "FileName": "photo.png" });
    let upper = json!({ "FileName": "photo.PNG" });
    assert!(matches(json!({ "FileName": [{ "suffix": ".png" }] }), &png));
    assert!(!matches(
        json!({ "FileName": [{ "suffix": ".png" }] }),
        &upper
    ));
    assert!(matches(
        json!({ "FileName": [{ "suffix": { "equals-ignore-case": ".png" } }] }),
        &upper
    ));
    // Strings only.
    assert!(!matches(
        json!({ "n": [{ "prefix": "1" }] }),
        &json!({ "n": 12 })
    ));
}

#[test]
fn anything_but_forms() {
    let event = sample();
    let running = |p: Value| matches(json!({ "detail": { "state": [p] } }), &event);
    assert!(running(json!({ "anything-but": "initializing" })));
    assert!(!running(json!({ "anything-but": "running" })));
    assert!(running(
        json!({ "anything-but": ["stopped", "overloaded"] })
    ));
    assert!(!running(json!({ "anything-but": ["stopped", "running"] })));
    assert!(running(json!({ "anything-but": { "prefix": "init" } })));
    assert!(!running(json!({ "anything-but": { "prefix": "run" } })));
    assert!(!running(
        json!({ "anything-but": { "prefix": ["init", "run"] } })
    ));
    assert!(running(json!({ "anything-but": { "suffix": "ing-not" } })));
    assert!(!running(json!({ "anything-but": { "suffix": "ning" } })));
    assert!(!running(
        json!({ "anything-but": { "equals-ignore-case": "RUNNING" } })
    ));
    assert!(running(
        json!({ "anything-but": { "equals-ignore-case": ["Stopped", "OverLoaded"] } })
    ));
    let path = |p: &str| json!({ "FilePath": p });
    let no_lib = json!({ "FilePath": [{ "anything-but": { "wildcard": "*/lib/*" } }] });
    assert!(matches(no_lib.clone(), &path("/usr/bin/x")));
    assert!(!matches(no_lib, &path("/usr/lib/x")));
    // Numbers.
    let limit = |p: Value| matches(json!({ "detail": { "x-limit": [p] } }), &event);
    assert!(limit(json!({ "anything-but": 123 })));
    assert!(limit(json!({ "anything-but": [100, 200, 300] })));
    assert!(!limit(json!({ "anything-but": [100, 301.8] })));
    // anything-but needs a value: a missing field does not match.
    assert!(!matches(
        json!({ "detail": { "nope": [{ "anything-but": "x" }] } }),
        &event
    ));
    // With an array, any element outside the excluded set matches.
    let names = json!({ "names": ["DisableKey", "EnableKey"] });
    assert!(matches(
        json!({ "names": [{ "anything-but": "DisableKey" }] }),
        &names
    ));
    assert!(!matches(
        json!({ "names": [{ "anything-but": ["DisableKey", "EnableKey"] }] }),
        &names
    ));
}

#[test]
fn numeric_ranges_and_boundaries() {
    let event = sample();
    assert!(matches(
        json!({ "detail": {
            "c-count": [{ "numeric": [">", 0, "<=", 5] }],
            "d-count": [{ "numeric": ["<", 10] }],
            "x-limit": [{ "numeric": ["=", 3.018e2] }]
        }}),
        &event
    ));
    let n = |value: Value, range: Value| {
        matches(
            json!({ "v": [{ "numeric": range }] }),
            &json!({ "v": value }),
        )
    };
    assert!(n(json!(5), json!([">", 0, "<=", 5])));
    assert!(!n(json!(5), json!([">", 0, "<", 5])));
    assert!(!n(json!(0), json!([">", 0, "<=", 5])));
    assert!(n(json!(0), json!([">=", 0, "<=", 5])));
    assert!(n(json!(-1.5), json!(["<", 0])));
    assert!(n(json!(10), json!([">=", 10])));
    assert!(!n(json!(10), json!([">", 10])));
    assert!(n(json!(10), json!(["<=", 10])));
    assert!(n(json!(7), json!(["=", 7.0])));
    // JSON numbers only.
    assert!(!n(json!("5"), json!(["=", 5])));
    assert!(n(json!([1, 20]), json!([">", 10])), "any array element");
}

#[test]
fn exists_missing_null_and_leaves() {
    let present = json!({ "detail": { "c-count": 5 } });
    let null = json!({ "detail": { "c-count": null } });
    let missing = json!({ "detail": {} });
    let object = json!({ "detail": { "c-count": { "c1": 100 } } });
    let empty_array = json!({ "detail": { "c-count": [] } });
    let exists = |wanted: bool, event: &Value| {
        matches(
            json!({ "detail": { "c-count": [{ "exists": wanted }] } }),
            event,
        )
    };
    assert!(exists(true, &present));
    assert!(!exists(false, &present));
    assert!(exists(true, &null), "null is a value");
    assert!(!exists(false, &null));
    assert!(exists(false, &missing));
    assert!(!exists(true, &missing));
    // event-ruler README: exists works on leaves only; an object is not a leaf.
    assert!(exists(false, &object));
    assert!(!exists(true, &object));
    assert!(exists(false, &empty_array));
    // exists false also holds when the parent is missing.
    assert!(matches(
        json!({ "detail": { "c-count": [{ "exists": false }] } }),
        &json!({ "source": "x" })
    ));
    // [null] matches null, not a missing field; [""] matches the empty string only.
    assert!(matches(json!({ "detail": { "c-count": [null] } }), &null));
    assert!(!matches(
        json!({ "detail": { "c-count": [null] } }),
        &missing
    ));
    assert!(matches(
        json!({ "LastName": [""] }),
        &json!({ "LastName": "" })
    ));
    assert!(!matches(
        json!({ "LastName": [""] }),
        &json!({ "LastName": "x" })
    ));
    assert!(!matches(json!({ "LastName": [""] }), &json!({})));
}

#[test]
fn equals_ignore_case_and_wildcard() {
    let event = sample();
    assert!(matches(
        json!({ "detail-type": [{ "equals-ignore-case": "ec2 instance state-change notification" }] }),
        &event
    ));
    assert!(!matches(
        json!({ "detail-type": [{ "equals-ignore-case": "ec2" }] }),
        &event
    ));
    let bus = json!({ "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default" });
    assert!(matches(
        json!({ "EventBusArn": [{ "wildcard": "arn:aws:events:us-east-1:*:event-bus/*" }] }),
        &bus
    ));
    assert!(!matches(
        json!({ "EventBusArn": [{ "wildcard": "arn:aws:events:eu-west-1:*:event-bus/*" }] }),
        &bus
    ));
    let star = json!({ "name": "a*b" });
    assert!(matches(json!({ "name": [{ "wildcard": "a\\*b" }] }), &star));
    assert!(!matches(
        json!({ "name": [{ "wildcard": "a\\*b" }] }),
        &json!({ "name": "axb" })
    ));
}

#[test]
fn cidr_v4_and_v6() {
    let event = sample();
    assert!(matches(
        json!({ "detail": { "source-ip": [{ "cidr": "10.0.0.0/24" }] } }),
        &event
    ));
    assert!(!matches(
        json!({ "detail": { "source-ip": [{ "cidr": "10.0.1.0/24" }] } }),
        &event
    ));
    let v6 = json!({ "ip": "2001:db8::7" });
    assert!(matches(json!({ "ip": [{ "cidr": "2001:db8::/64" }] }), &v6));
    assert!(!matches(
        json!({ "ip": [{ "cidr": "2001:db9::/64" }] }),
        &v6
    ));
    assert!(!matches(json!({ "ip": [{ "cidr": "10.0.0.0/8" }] }), &v6));
}

#[test]
fn or_groups() {
    let event = sample();
    // Docs example: matches when any of the three holds.
    let p = json!({ "detail": { "$or": [
        { "c-count": [{ "numeric": [">", 0, "<=", 5] }] },
        { "d-count": [{ "numeric": ["<", 10] }] },
        { "x-limit": [{ "numeric": ["=", 3.018e2] }] }
    ]}});
    assert!(matches(p, &event));
    let none = json!({ "detail": { "$or": [
        { "c-count": [{ "numeric": [">", 5] }] },
        { "state": ["stopped"] }
    ]}});
    assert!(!matches(none, &event));
    // Top-level $or next to an ANDed field.
    let p = json!({ "source": ["aws.ec2"], "$or": [
        { "region": ["eu-west-1"] },
        { "detail": { "state": ["running"] } }
    ]});
    assert!(matches(p, &event));
    // "$or" holding an object is an ordinary field name (event-ruler backward compatibility).
    assert!(matches(
        json!({ "$or": { "a": ["b"] } }),
        &json!({ "$or": { "a": "b" } })
    ));
}

fn error_kind(p: &str) -> EventPatternErrorKind {
    match EventPattern::parse(p) {
        Err(EventPatternError::Invalid { kind, .. }) => kind,
        other => panic!("expected an invalid-pattern error for {p}, got {other:?}"),
    }
}

#[test]
fn parse_errors() {
    assert!(matches!(
        EventPattern::parse("{"),
        Err(EventPatternError::Json(_))
    ));
    assert_eq!(error_kind("[]"), EventPatternErrorKind::NotAnObject);
    assert_eq!(error_kind("{}"), EventPatternErrorKind::EmptyObject);
    assert_eq!(
        error_kind(r#"{"a": {}}"#),
        EventPatternErrorKind::EmptyObject
    );
    assert_eq!(
        error_kind(r#"{"a": []}"#),
        EventPatternErrorKind::EmptyArray
    );
    assert_eq!(
        error_kind(r#"{"a": "x"}"#),
        EventPatternErrorKind::NotObjectOrArray
    );
    assert_eq!(
        error_kind(r#"{"a": [["x"]]}"#),
        EventPatternErrorKind::BadMatchValue
    );
    assert_eq!(
        error_kind(r#"{"a": [{"regex": "x"}]}"#),
        EventPatternErrorKind::UnknownOperator("regex".into())
    );
    assert_eq!(
        error_kind(r#"{"a": [{"prefix": "x", "suffix": "y"}]}"#),
        EventPatternErrorKind::TooManyKeys
    );
    assert_eq!(
        error_kind(r#"{"a": [{}]}"#),
        EventPatternErrorKind::EmptyOperator
    );
    assert!(matches!(
        error_kind(r#"{"a": [{"prefix": 1}]}"#),
        EventPatternErrorKind::WrongType {
            operator: "prefix",
            ..
        }
    ));
    assert_eq!(
        error_kind(r#"{"a": [{"anything-but": ["x", 1]}]}"#),
        EventPatternErrorKind::MixedAnythingBut
    );
    assert!(matches!(
        error_kind(r#"{"a": [{"anything-but": true}]}"#),
        EventPatternErrorKind::WrongType { .. }
    ));
    assert!(matches!(
        error_kind(r#"{"a": [{"anything-but": {"numeric": [">", 1]}}]}"#),
        EventPatternErrorKind::UnknownOperator(_)
    ));
    for bad in [
        r#"{"a": [{"numeric": [">", 5, "<", 5]}]}"#,
        r#"{"a": [{"numeric": ["<", 5, ">", 1]}]}"#,
        r#"{"a": [{"numeric": [">", "5"]}]}"#,
        r#"{"a": [{"numeric": ["!=", 5]}]}"#,
        r#"{"a": [{"numeric": [">", 1, "<", 5, "<", 9]}]}"#,
    ] {
        assert!(
            matches!(error_kind(bad), EventPatternErrorKind::Numeric(_)),
            "{bad}"
        );
    }
    assert!(matches!(
        error_kind(r#"{"a": [{"exists": "yes"}]}"#),
        EventPatternErrorKind::WrongType {
            operator: "exists",
            ..
        }
    ));
    assert!(matches!(
        error_kind(r#"{"a": [{"cidr": "10.0.0.0/33"}]}"#),
        EventPatternErrorKind::Cidr { .. }
    ));
    assert!(matches!(
        error_kind(r#"{"a": [{"wildcard": "a**"}]}"#),
        EventPatternErrorKind::Wildcard { .. }
    ));
    assert_eq!(
        error_kind(r#"{"$or": [{"a": ["x"]}]}"#),
        EventPatternErrorKind::Or
    );
    assert_eq!(error_kind(r#"{"$or": "x"}"#), EventPatternErrorKind::Or);
    assert_eq!(
        error_kind(r#"{"$or": [{"prefix": ["x"]}, {"b": ["y"]}]}"#),
        EventPatternErrorKind::ReservedNameInOr("prefix".into())
    );
}

#[test]
fn error_paths_name_the_field() {
    let Err(error) = EventPattern::parse(r#"{"detail": {"eventName": ["A", {"prefix": 3}]}}"#)
    else {
        panic!("should fail");
    };
    let text = error.to_string();
    assert!(text.contains("`detail.eventName[1]`"), "{text}");
}

/// The canonical KMS rule (AWS's CloudTrail-delivered KMS event shape, `source: aws.kms`,
/// `detail.eventSource: kms.amazonaws.com`, from
/// <https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-kms.html>) and the seed-002
/// operation (GenerateDataKey), against the envelope of realistic records.
#[test]
fn kms_rule_matches_cloudtrail_envelope() {
    let record = kms::generate_data_key("eu-west-1", "111122223333");
    let event = cloudtrail_envelope(&record, "eu-west-1", "111122223333");
    assert_eq!(event["source"], "aws.kms");
    assert_eq!(event["detail-type"], "AWS API Call via CloudTrail");
    assert_eq!(event["detail"]["eventName"], "GenerateDataKey");
    let seed = pattern(json!({
        "source": ["aws.kms"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": { "eventSource": ["kms.amazonaws.com"], "eventName": ["GenerateDataKey"] }
    }));
    assert!(seed.matches(&event));
    // A rule built for the CloudTrail service (source aws.cloudtrail) never sees KMS calls.
    let wrong_source = pattern(json!({
        "source": ["aws.cloudtrail"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": { "eventName": ["GenerateDataKey"] }
    }));
    assert!(!wrong_source.matches(&event));
    // GenerateDataKey is read-only: an ENABLED rule never receives it.
    assert_eq!(
        state_delivers(&RuleState::from("ENABLED"), &record),
        Delivery::NotDelivered(NotDelivered::ReadOnlyManagementEvent {
            event_name: "GenerateDataKey".into()
        })
    );
    assert_eq!(
        state_delivers(
            &RuleState::from("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
            &record
        ),
        Delivery::Delivered
    );

    let canonical = pattern(json!({
        "source": ["aws.kms"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["kms.amazonaws.com"],
            "eventName": ["DisableKey", "ScheduleKeyDeletion"]
        }
    }));
    for record in [
        kms::disable_key("us-east-1", "111122223333"),
        kms::schedule_key_deletion("us-east-1", "111122223333"),
    ] {
        let event = cloudtrail_envelope(&record, "us-east-1", "111122223333");
        assert!(canonical.matches(&event));
        assert_eq!(
            state_delivers(&RuleState::from("ENABLED"), &record),
            Delivery::Delivered
        );
        assert_eq!(
            state_delivers(&RuleState::from("DISABLED"), &record),
            Delivery::NotDelivered(NotDelivered::Disabled)
        );
    }
    let not_these = pattern(json!({
        "source": ["aws.kms"],
        "detail": { "eventName": [{ "anything-but": ["DisableKey", "ScheduleKeyDeletion"] }] }
    }));
    let disable = kms::disable_key("us-east-1", "111122223333");
    assert!(!not_these.matches(&cloudtrail_envelope(&disable, "us-east-1", "111122223333")));
    let by_prefix = pattern(json!({ "detail": { "eventName": [{ "prefix": "Disable" }] } }));
    assert!(by_prefix.matches(&cloudtrail_envelope(&disable, "us-east-1", "111122223333")));
}

#[test]
fn envelope_detail_types() {
    let signin = json!({ "eventType": "AwsConsoleSignIn", "eventSource": "signin.amazonaws.com" });
    assert_eq!(detail_type(&signin), "AWS Console Signin via CloudTrail");
    assert_eq!(event_source_to_source("signin.amazonaws.com"), "aws.signin");
    assert_eq!(
        detail_type(&json!({ "eventType": "AwsServiceEvent" })),
        "AWS Service Event via CloudTrail"
    );
    assert_eq!(detail_type(&json!({})), "AWS API Call via CloudTrail");
    let event = cloudtrail_envelope(&signin, "us-east-1", "111122223333");
    assert_eq!(event["resources"], json!([]));
    assert_eq!(event["account"], "111122223333");
}

#[test]
fn state_edge_cases() {
    let sts = json!({ "eventSource": "sts.amazonaws.com", "eventName": "GetSessionToken",
                      "readOnly": true, "eventCategory": "Management" });
    assert_eq!(
        state_delivers(&RuleState::from("ENABLED"), &sts),
        Delivery::Delivered
    );
    let data = json!({ "eventName": "GetObject", "readOnly": true, "eventCategory": "Data" });
    assert_eq!(
        state_delivers(&RuleState::from("ENABLED"), &data),
        Delivery::Delivered
    );
    assert!(matches!(
        state_delivers(&RuleState::from("enabled"), &data),
        Delivery::NotDelivered(NotDelivered::UnknownState(_))
    ));
}

mod properties {
    use proptest::prelude::*;

    use super::super::EventPattern;

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,80}") {
            let _ = EventPattern::parse(&text);
        }

        #[test]
        fn json_shaped_patterns_never_panic(
            key in "[a-z$]{1,4}",
            op in prop::sample::select(vec![
                "prefix", "suffix", "anything-but", "numeric", "exists", "cidr", "wildcard",
                "equals-ignore-case", "bogus",
            ]),
            value in prop::sample::select(vec![
                "\"a*b\"", "1", "true", "null", "[\">\", 1, \"<\", 2]", "[\"x\", 1]", "{\"prefix\": \"a\"}",
                "\"10.0.0.0/8\"", "[]", "{}",
            ]),
        ) {
            let text = format!("{{\"{key}\": [{{\"{op}\": {value}}}]}}");
            if let Ok(p) = EventPattern::parse(&text) {
                let _ = p.matches(&serde_json::json!({ key.clone(): ["a", 1, null, {"x": 1}] }));
            }
        }
    }
}
