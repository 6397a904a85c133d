//! Fuzz the filter-pattern engine: parsing arbitrary UTF-8 never panics or hangs; a pattern
//! that parses also matches, explains, and round-trips through its canonical form.
//!
//! Run: `cargo +nightly fuzz run pattern_parse -- -max_total_time=120`
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use trailwarden_sdk::pattern::{FieldSelection, Pattern, dimension_value, metric_value};

const RECORD: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accountId":"111122223333"},"eventTime":"2024-05-01T10:15:00Z","eventSource":"kms.amazonaws.com","eventName":"DisableKey","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab"},"responseElements":null,"readOnly":false,"resources":[{"type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:111122223333:key/1234abcd"}],"recipientAccountId":"111122223333"}"#;

const LINE: &str =
    r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#;

fn record() -> &'static Value {
    static RECORD_VALUE: OnceLock<Value> = OnceLock::new();
    RECORD_VALUE.get_or_init(|| serde_json::from_str(RECORD).unwrap_or(Value::Null))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = FieldSelection::parse(text).map(|f| f.admits("us-east-1", "111122223333"));
    let _ = metric_value(text, record());
    let _ = dimension_value(text, record());
    let Ok(pattern) = Pattern::parse(text) else {
        return;
    };
    let matched = pattern.matches(record());
    assert_eq!(
        pattern.explain(record()).matched,
        matched,
        "explain disagrees with matches"
    );
    let _ = pattern.matches_line(LINE);
    let _ = pattern.matches_line(text);
    let printed = pattern.to_string();
    if printed.chars().count() <= trailwarden_sdk::pattern::MAX_PATTERN_CHARS {
        match Pattern::parse(&printed) {
            Ok(again) => assert!(
                again.ast_eq(&pattern),
                "{text:?} printed as {printed:?} re-parsed differently"
            ),
            Err(e) => panic!("{text:?} printed as {printed:?} does not re-parse: {e}"),
        }
    }
});
