//! The records are realistic, and the CIS table says what CIS says.

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;

const REGION: &str = "eu-west-1";
const ACCOUNT: &str = "444455556666";

/// The fields every CloudTrail management record has (CloudTrail record contents, event
/// version 1.08). Console sign-in records have no `requestID`.
fn assert_realistic(record: &Value) {
    let name = record["eventName"].as_str().unwrap_or("?");
    let mut required = vec![
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "requestParameters",
        "responseElements",
        "eventID",
        "readOnly",
        "eventType",
        "managementEvent",
        "recipientAccountId",
        "eventCategory",
    ];
    if record["eventType"] != "AwsConsoleSignIn" {
        required.push("requestID");
    }
    for field in required {
        assert!(record.get(field).is_some(), "{name} lacks {field}");
    }
    assert_eq!(record["eventVersion"], "1.08", "{name}");
    assert!(record["readOnly"].is_boolean(), "{name}");
    assert_eq!(record["managementEvent"], true, "{name}");
    assert_eq!(record["eventCategory"], "Management", "{name}");
    assert_eq!(record["awsRegion"], REGION, "{name}");
    assert_eq!(record["recipientAccountId"], ACCOUNT, "{name}");
    assert!(
        ["IAMUser", "AssumedRole", "Root"]
            .contains(&record["userIdentity"]["type"].as_str().unwrap_or("")),
        "{name}"
    );
    assert!(
        record["eventSource"]
            .as_str()
            .is_some_and(|s| s.ends_with(".amazonaws.com"))
    );
    if record.get("errorCode").is_some() {
        assert!(record.get("errorMessage").is_some(), "{name}");
        assert_eq!(record["responseElements"], Value::Null, "{name}");
    }
}

/// The `$.eventName` values of a CIS pattern, quoted or not.
fn pattern_event_names(pattern: &str) -> BTreeSet<String> {
    pattern
        .split("$.eventName")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start();
            let value = rest.strip_prefix('=')?.trim_start().trim_start_matches('"');
            let end = value.find(|c: char| !c.is_ascii_alphanumeric())?;
            Some(value[..end].to_owned())
        })
        .collect()
}

#[test]
fn every_cis_record_is_realistic_and_targets_its_control() {
    for control in &CIS_CONTROLS {
        let records = (control.records)(REGION, ACCOUNT);
        assert!(!records.is_empty(), "{}", control.id);
        for record in &records {
            assert_realistic(record);
            if let Some(source) = control.event_source {
                assert_eq!(record["eventSource"], source, "{}", control.id);
            }
        }
        if !control.event_names.is_empty() {
            let in_pattern = pattern_event_names(control.pattern);
            let listed: BTreeSet<String> = control
                .event_names
                .iter()
                .map(|n| (*n).to_owned())
                .collect();
            assert_eq!(
                in_pattern, listed,
                "{} names differ from its pattern",
                control.id
            );
            assert_eq!(
                listed.len(),
                control.event_names.len(),
                "{} duplicates",
                control.id
            );
            let recorded: BTreeSet<String> = records
                .iter()
                .filter_map(|r| r["eventName"].as_str().map(str::to_owned))
                .collect();
            assert_eq!(recorded, listed, "{} records miss names", control.id);
        }
    }
}

#[test]
fn cis_lists_have_the_cis_sizes() {
    let sizes: Vec<(&str, usize)> = CIS_CONTROLS
        .iter()
        .map(|c| (c.id, c.event_names.len()))
        .collect();
    for (id, size) in [
        ("4.4", 16),
        ("4.5", 5),
        ("4.7", 2),
        ("4.8", 9),
        ("4.9", 4),
        ("4.10", 6),
        ("4.11", 6),
        ("4.12", 6),
        ("4.13", 7),
        ("4.14", 11),
        ("4.15", 18),
    ] {
        assert!(
            sizes.contains(&(id, size)),
            "{id} should list {size} events"
        );
    }
}

/// The CIS v1.4.0 audit-procedure texts, verbatim as Prowler embeds them
/// (`prowler/compliance/aws/cis_1.4_aws.json`), for the controls short enough to repeat here.
#[test]
fn cis_pattern_texts_are_exact() {
    let expected = [
        (
            "4.1",
            "{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) || ($.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.eventName!=HeadBucket) }",
        ),
        (
            "4.2",
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#,
        ),
        (
            "4.3",
            r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
        ),
        (
            "4.5",
            "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
        ),
        (
            "4.6",
            r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
        ),
        (
            "4.7",
            "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
        ),
        (
            "4.9",
            "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }",
        ),
    ];
    for (id, text) in expected {
        let control = cis_control(id).expect("known control");
        assert_eq!(control.pattern, text, "{id}");
    }
    let mfa = cis_control("4.2").expect("4.2");
    assert_eq!(
        mfa.alternative_patterns,
        [
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#
        ]
    );
    assert!(
        cis_control("4.4")
            .is_some_and(|c| c.pattern.starts_with("{($.eventName=DeleteGroupPolicy)||"))
    );
    assert!(cis_control("4.16").is_none());
    assert_eq!(
        cis_control("4.7").and_then(|c| c.security_hub),
        Some("CloudWatch.7")
    );
    assert_eq!(
        cis_control("4.3").and_then(|c| c.security_hub),
        Some("CloudWatch.1")
    );
    assert_eq!(cis_control("4.15").and_then(|c| c.security_hub), None);
    let ids: Vec<&str> = CIS_CONTROLS.iter().map(|c| c.id).collect();
    let wanted: Vec<String> = (1..=15).map(|n| format!("4.{n}")).collect();
    assert_eq!(ids, wanted);
}

#[test]
fn cis_specific_records() {
    let mfa = &(cis_control("4.2").expect("4.2").records)(REGION, ACCOUNT)[0];
    assert_eq!(mfa["eventSource"], "signin.amazonaws.com");
    assert_eq!(mfa["eventType"], "AwsConsoleSignIn");
    assert_eq!(mfa["additionalEventData"]["MFAUsed"], "No");
    assert_eq!(mfa["responseElements"]["ConsoleLogin"], "Success");
    assert_eq!(mfa["userIdentity"]["type"], "IAMUser");

    let failure = &(cis_control("4.6").expect("4.6").records)(REGION, ACCOUNT)[0];
    assert_eq!(failure["errorMessage"], "Failed authentication");
    assert!(failure.get("errorCode").is_none());
    assert_eq!(failure["responseElements"]["ConsoleLogin"], "Failure");

    for root in (cis_control("4.3").expect("4.3").records)(REGION, ACCOUNT) {
        assert_eq!(root["userIdentity"]["type"], "Root");
        assert!(root["userIdentity"].get("invokedBy").is_none());
        assert_ne!(root["eventType"], "AwsServiceEvent");
    }

    let codes: Vec<String> = (cis_control("4.1").expect("4.1").records)(REGION, ACCOUNT)
        .iter()
        .filter_map(|r| r["errorCode"].as_str().map(str::to_owned))
        .collect();
    assert!(codes.iter().any(|c| c.ends_with("UnauthorizedOperation")));
    assert!(codes.iter().any(|c| c == "AccessDenied"));
    assert!(codes.iter().any(|c| c == "AccessDeniedException"));
}

#[test]
fn kms_records() {
    let all = kms::all(REGION, ACCOUNT);
    for record in &all {
        assert_realistic(record);
        assert_eq!(record["eventSource"], "kms.amazonaws.com");
        assert_eq!(record["resources"][0]["type"], "AWS::KMS::Key");
    }
    let by_name = |name: &str, error: Option<&str>| {
        all.iter()
            .find(|r| r["eventName"] == name && r["errorCode"].as_str() == error)
            .unwrap_or_else(|| panic!("{name} {error:?}"))
    };
    assert_eq!(by_name("DisableKey", None)["readOnly"], false);
    assert_eq!(by_name("ScheduleKeyDeletion", None)["readOnly"], false);
    for read in [
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "ReEncrypt",
    ] {
        assert_eq!(by_name(read, None)["readOnly"], true, "{read}");
    }
    assert_eq!(
        by_name("Decrypt", Some("IncorrectKeyException"))["readOnly"],
        true
    );
    by_name("Encrypt", Some("AccessDeniedException"));
    by_name("GenerateDataKey", Some("AccessDeniedException"));
    assert!(
        by_name("DisableKey", None)["requestParameters"]["keyId"]
            .as_str()
            .is_some_and(|k| k.starts_with(&format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/")))
    );
}

#[test]
fn ids_are_stable_and_distinct() {
    assert_eq!(kms::decrypt(REGION, ACCOUNT), kms::decrypt(REGION, ACCOUNT));
    let mut ids = BTreeSet::new();
    let mut count = 0;
    for control in &CIS_CONTROLS {
        for record in (control.records)(REGION, ACCOUNT) {
            count += 1;
            ids.insert(record["eventID"].as_str().unwrap_or_default().to_owned());
        }
    }
    // The two 4.7 records reappear in KMS; every other record is distinct.
    assert_eq!(ids.len(), count);
    let id = uuid("x");
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");
}

#[test]
fn builder_defaults_and_options() {
    let record = RecordBuilder::new("iam.amazonaws.com", "CreatePolicy").build();
    assert_eq!(record["awsRegion"], DEFAULT_REGION);
    assert_eq!(record["recipientAccountId"], DEFAULT_ACCOUNT);
    assert_eq!(record["eventTime"], DEFAULT_TIME);
    assert_eq!(record["readOnly"], false);
    assert!(record.get("errorCode").is_none());
    let data = RecordBuilder::new("s3.amazonaws.com", "GetObject")
        .data_event()
        .read_only(true)
        .build();
    assert_eq!(data["eventCategory"], "Data");
    assert_eq!(data["managementEvent"], false);
}
