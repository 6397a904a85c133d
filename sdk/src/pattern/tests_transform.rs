//! Metric values, dimensions and field-selection criteria.

use serde_json::json;

use super::{
    FieldSelection, PatternErrorKind, Selector, TransformError, dimension_value, metric_value,
};

#[test]
fn metric_value_literals_and_selectors() {
    let e = json!({"latency": 250, "s": "12.5", "sci": "1e3", "word": "fast", "obj": {}, "n": null, "b": true});
    assert_eq!(metric_value("1", &e), Ok(Some(1.0)));
    assert_eq!(metric_value(" 2.5 ", &e), Ok(Some(2.5)));
    assert_eq!(metric_value("$.latency", &e), Ok(Some(250.0)));
    assert_eq!(metric_value("$.s", &e), Ok(Some(12.5)));
    assert_eq!(
        metric_value("$.sci", &e),
        Ok(None),
        "scientific notation in strings is not supported"
    );
    assert_eq!(metric_value("$.word", &e), Ok(None));
    assert_eq!(metric_value("$.obj", &e), Ok(None));
    assert_eq!(metric_value("$.n", &e), Ok(None));
    assert_eq!(metric_value("$.b", &e), Ok(None));
    assert_eq!(metric_value("$.missing", &e), Ok(None));
    assert!(matches!(
        metric_value("$status_code", &e),
        Err(TransformError::DelimitedField(_))
    ));
    assert!(matches!(
        metric_value("abc", &e),
        Err(TransformError::Invalid(_))
    ));
    assert!(matches!(
        metric_value("$.a b", &e),
        Err(TransformError::Invalid(_))
    ));
    assert!(matches!(
        metric_value(&"1".repeat(101), &e),
        Err(TransformError::TooLong { .. })
    ));
}

#[test]
fn dimension_values() {
    let e =
        json!({"eventName": "DisableKey", "n": 3, "userIdentity": {"type": "Root"}, "arr": [1]});
    assert_eq!(
        dimension_value("$.eventName", &e).as_deref(),
        Some("DisableKey")
    );
    assert_eq!(dimension_value("$.n", &e).as_deref(), Some("3"));
    assert_eq!(
        dimension_value("$.userIdentity.type", &e).as_deref(),
        Some("Root")
    );
    assert_eq!(dimension_value("$.userIdentity", &e), None);
    assert_eq!(dimension_value("$.arr", &e), None);
    assert_eq!(dimension_value("$.missing", &e), None);
    assert_eq!(dimension_value("eventName", &e), None);
    assert!(Selector::parse("$.a[0].b").is_some_and(|s| s.to_string() == "$.a[0].b"));
}

#[test]
fn field_selection_criteria() {
    let admits = |c: &str, r: &str, a: &str| FieldSelection::parse(c).map(|f| f.admits(r, a));
    // The two examples from the API reference.
    assert_eq!(
        admits(r#"@aws.region = "us-east-1""#, "us-east-1", "1"),
        Ok(true)
    );
    assert_eq!(
        admits(r#"@aws.region = "us-east-1""#, "eu-west-1", "1"),
        Ok(false)
    );
    let acc = r#"@aws.account IN ["123456789012", "987654321098"]"#;
    assert_eq!(admits(acc, "x", "987654321098"), Ok(true));
    assert_eq!(admits(acc, "x", "111111111111"), Ok(false));
    // The other documented operators.
    assert_eq!(
        admits(r#"@aws.account NOT IN ["1", "2"]"#, "x", "3"),
        Ok(true)
    );
    assert_eq!(
        admits(r#"@aws.account not in ["1", "2"]"#, "x", "2"),
        Ok(false)
    );
    assert_eq!(
        admits(r#"@aws.region != "us-east-1""#, "us-east-1", "1"),
        Ok(false)
    );
    let both = r#"@aws.region = "us-east-1" AND @aws.account = "1" OR @aws.region = "eu-west-1""#;
    assert_eq!(admits(both, "us-east-1", "1"), Ok(true));
    assert_eq!(admits(both, "us-east-1", "2"), Ok(false));
    assert_eq!(
        admits(both, "eu-west-1", "2"),
        Ok(true),
        "AND binds tighter than OR"
    );
    assert_eq!(admits("", "any", "any"), Ok(true));
    assert_eq!(
        admits("@aws.account = 123", "r", "123"),
        Ok(true),
        "bare values accepted"
    );
    // Errors.
    let kind = |c: &str| FieldSelection::parse(c).err().map(|e| e.kind);
    assert!(matches!(
        kind("@aws.logGroup = \"x\""),
        Some(PatternErrorKind::UnknownSystemField(_))
    ));
    assert!(kind("(@aws.region = \"x\")").is_some());
    assert!(kind("@aws.region IN \"x\"").is_some());
    assert!(kind("@aws.region IN [\"x\"").is_some());
    assert!(kind("@aws.region = \"x\" AND").is_some());
    assert!(kind("@aws.region = \"x\" @aws.account = \"y\"").is_some());
    assert!(kind(&"a".repeat(2001)).is_some());
}
