//! Real-shaped CloudTrail records against the patterns KMS monitoring uses.

use serde_json::{Value, json};

use super::Pattern;

fn p(s: &str) -> Pattern {
    match Pattern::parse(s) {
        Ok(p) => p,
        Err(e) => panic!("{s:?} should parse: {e}"),
    }
}

pub(crate) fn record(event_name: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:alice",
            "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
            "accountId": "111122223333",
            "sessionContext": {"attributes": {"mfaAuthenticated": "true", "creationDate": "2024-05-01T10:00:00Z"}}
        },
        "eventTime": "2024-05-01T10:15:00Z",
        "eventSource": "kms.amazonaws.com",
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"keyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
        "responseElements": null,
        "requestID": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
        "eventID": "a1b2c3d4-5678-90ab-cdef-EXAMPLE22222",
        "readOnly": false,
        "resources": [{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}],
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management"
    })
}

const CIS_4_7: &str = "{($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion))}";

#[test]
fn cis_4_7_matches_disable_key_not_decrypt() {
    let pat = p(CIS_4_7);
    assert!(pat.matches(&record("DisableKey")));
    assert!(pat.matches(&record("ScheduleKeyDeletion")));
    assert!(!pat.matches(&record("Decrypt")));
    assert!(
        !pat.matches(&record("DisableKeyRotation")),
        "the DisableKeyRotation trap: = is exact"
    );
    let mut other = record("DisableKey");
    other["eventSource"] = json!("s3.amazonaws.com");
    assert!(!pat.matches(&other));
}

#[test]
fn quoted_event_source_also_matches() {
    let pat = p(
        r#"{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "DisableKey") || ($.eventName = "ScheduleKeyDeletion")) }"#,
    );
    assert!(pat.matches(&record("DisableKey")));
    assert!(!pat.matches(&record("Decrypt")));
    assert!(
        pat.ast_eq(&p(CIS_4_7)),
        "quoting a plain word does not change the meaning"
    );
}

#[test]
fn wildcards_on_event_name() {
    let prefix = p(r#"{ $.eventName = "DisableKey*" }"#);
    assert!(prefix.matches(&record("DisableKey")));
    assert!(
        prefix.matches(&record("DisableKeyRotation")),
        "a trailing * also catches DisableKeyRotation"
    );
    assert!(!prefix.matches(&record("EnableKey")));
    let suffix = p("{ $.eventName = *Key }");
    assert!(suffix.matches(&record("DisableKey")));
    assert!(suffix.matches(&record("EnableKey")));
    assert!(!suffix.matches(&record("DisableKeyRotation")));
    let middle = p("{ $.eventName = Disable*Key }");
    assert!(
        !middle.matches(&record("DisableKey")),
        "a * in the middle is literal"
    );
    assert!(middle.matches(&json!({"eventName": "Disable*Key"})));
}

#[test]
fn error_code_exists_restricts_to_failures() {
    let pat = p(r#"{ $.eventSource = "kms.amazonaws.com" && $.errorCode = "*" }"#);
    assert!(
        !pat.matches(&record("DisableKey")),
        "successful calls have no errorCode"
    );
    let mut failed = record("DisableKey");
    failed["errorCode"] = json!("AccessDenied");
    assert!(pat.matches(&failed));
}

#[test]
fn impossible_and_never_fires() {
    let pat = p("{ $.eventName = DisableKey && $.eventName = ScheduleKeyDeletion }");
    assert!(!pat.matches(&record("DisableKey")));
    assert!(!pat.matches(&record("ScheduleKeyDeletion")));
}

#[test]
fn nested_and_array_selectors() {
    let rec = record("DisableKey");
    assert!(
        p("{ $.userIdentity.sessionContext.attributes.mfaAuthenticated = true }").matches(&rec)
    );
    assert!(p("{ $.resources[0].type = \"AWS::KMS::Key\" }").matches(&rec));
    assert!(
        p("{ $.recipientAccountId = 111122223333 }").matches(&rec),
        "bare digits match the string account id"
    );
    assert!(p("{ $.readOnly IS FALSE }").matches(&rec));
    assert!(p("{ $.responseElements IS NULL }").matches(&rec));
    assert!(!p("{ $.responseElements NOT EXISTS }").matches(&rec));
    assert!(p("{ $.errorCode NOT EXISTS }").matches(&rec));
    assert!(
        !p("{ $.userIdentity = \"*\" }").matches(&rec),
        "an object is not a value node"
    );
}

#[test]
fn term_and_line_patterns_on_records() {
    let rec = record("DisableKey");
    assert!(p("DisableKey").matches(&rec));
    assert!(p("\"kms.amazonaws.com\" DisableKey").matches(&rec));
    assert!(!p("DisableKey -kms.amazonaws.com").matches(&rec));
    assert!(p("%Disable[A-Za-z]+%").matches(&rec));
    // A space-delimited pattern on a JSON record: evaluates, never crashes.
    assert!(p("[a, ...]").matches(&rec));
    assert!(!p("[a, b = 5]").matches(&rec));
    // A JSON pattern on the serialized record via matches_line.
    let line = serde_json::to_string(&rec).unwrap_or_default();
    assert!(p(CIS_4_7).matches_line(&line));
    assert!(!p(CIS_4_7).matches_line("DisableKey kms.amazonaws.com"));
}

#[test]
fn explain_reports_each_condition() {
    let pat = p(CIS_4_7);
    let ex = pat.explain(&record("Decrypt"));
    assert!(!ex.matched);
    assert_eq!(ex.conditions.len(), 3);
    assert_eq!(ex.conditions[0].text, "$.eventSource = kms.amazonaws.com");
    assert!(ex.conditions[0].held);
    assert_eq!(ex.conditions[0].found, Some(json!("kms.amazonaws.com")));
    assert_eq!(ex.conditions[1].text, "$.eventName = DisableKey");
    assert!(!ex.conditions[1].held);
    assert_eq!(ex.conditions[1].found, Some(json!("Decrypt")));
    assert_eq!(
        &CIS_4_7[ex.conditions[2].span.clone()],
        "$.eventName = ScheduleKeyDeletion"
    );
    let ok = pat.explain(&record("DisableKey"));
    assert!(ok.matched);
    assert_eq!(
        ok.conditions.iter().map(|c| c.held).collect::<Vec<_>>(),
        [true, true, false]
    );
    // Not an object.
    let ex = pat.explain(&json!([1, 2]));
    assert!(!ex.matched && ex.note.is_some());
    // Terms and delimited.
    let ex = p("DisableKey -Decrypt").explain(&record("DisableKey"));
    assert!(ex.matched && ex.conditions.len() == 2 && ex.conditions.iter().all(|c| c.held));
    let ex =
        p("[ip, user, ..., status = 4* || status = 5*, bytes]").explain_line("1.2.3.4 - x 404 10");
    assert!(ex.matched);
    assert_eq!(ex.conditions.len(), 2);
    assert_eq!(ex.conditions[0].found, Some(json!("404")));
    let ex = p("[a, b]").explain_line("one");
    assert!(!ex.matched && ex.note.is_some());
}

/// `(A || B) && C` with `A` true and `C` false: `B` failed too, but the pattern got past the
/// `||`, so only `C` is why it did not match. Every condition is still listed with whether it
/// held (what `test-pattern` prints); `blamed` and `causes()` name the ones that decided.
#[test]
fn explain_does_not_blame_an_or_branch_when_another_branch_held() {
    const PATTERN: &str = "{ (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) && ($.errorCode NOT EXISTS) }";
    let mut denied = record("DisableKey");
    denied["errorCode"] = json!("AccessDeniedException");
    let ex = p(PATTERN).explain(&denied);
    assert!(!ex.matched);
    let failed: Vec<&str> = ex
        .conditions
        .iter()
        .filter(|c| !c.held)
        .map(|c| c.text.as_str())
        .collect();
    // What "the failed conditions" said before: the first one named is an `||` branch that
    // did not matter, since its sibling held.
    assert_eq!(
        failed,
        [
            "$.eventName = ScheduleKeyDeletion",
            "$.errorCode NOT EXISTS"
        ]
    );
    let causes: Vec<&str> = ex.causes().map(|c| c.text.as_str()).collect();
    assert_eq!(causes, ["$.errorCode NOT EXISTS"]);
    // When the `||` itself fails, each branch is part of why: either holding would have done.
    let ex = p(PATTERN).explain(&record("Decrypt"));
    let causes: Vec<&str> = ex.causes().map(|c| c.text.as_str()).collect();
    assert_eq!(
        causes,
        [
            "$.eventName = DisableKey",
            "$.eventName = ScheduleKeyDeletion"
        ]
    );
    // A match blames nothing, though a branch failed.
    let ex = p(PATTERN).explain(&record("DisableKey"));
    assert!(ex.matched && ex.causes().next().is_none());
    // The same rule inside a space-delimited slot.
    let ex =
        p("[ip, user, status = 4* || status = 5*, bytes > 100]").explain_line("1.2.3.4 - 404 10");
    let causes: Vec<&str> = ex.causes().map(|c| c.text.as_str()).collect();
    assert_eq!(causes, ["bytes > 100"]);
}
