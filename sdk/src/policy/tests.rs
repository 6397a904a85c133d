//! The evaluator against the policies AWS documents and the ways they go wrong.

use serde_json::{Value, json};

use super::{Context, Decision, Request, evaluate, evaluate_text};

const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:security";
const ALARM: &str = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cmk-changes";
const CLOUDWATCH: &str = "cloudwatch.amazonaws.com";

fn cloudwatch() -> Context {
    Context::new()
        .with("aws:SourceArn", ALARM)
        .with("aws:SourceAccount", "111122223333")
        .with("aws:SourceOwner", "111122223333")
        .with("aws:PrincipalServiceName", CLOUDWATCH)
        .with("aws:PrincipalIsAWSService", "true")
}

fn judge(policy: Value) -> Decision {
    judge_with(policy, &cloudwatch())
}

fn judge_with(policy: Value, context: &Context) -> Decision {
    evaluate(
        &policy,
        &Request {
            service_principal: CLOUDWATCH,
            action: "sns:Publish",
            resource: TOPIC,
            context,
        },
    )
}

fn allow(extra: Value) -> Value {
    let mut statement = json!({"Sid": "s", "Effect": "Allow", "Action": "sns:Publish", "Resource": TOPIC,
        "Principal": {"Service": CLOUDWATCH}});
    merge(&mut statement, extra);
    json!({"Statement": [statement]})
}

fn merge(into: &mut Value, extra: Value) {
    if let (Value::Object(into), Value::Object(extra)) = (into, extra) {
        into.extend(extra);
    }
}

fn allowed() -> Decision {
    Decision::Allowed {
        statement: "s".to_owned(),
    }
}

fn unknown(decision: &Decision) -> bool {
    matches!(decision, Decision::Unknown { .. })
}

#[test]
fn the_default_topic_policy_allows_the_owner_accounts_services() {
    // The policy SNS gives a new topic: every principal, on condition that the source owner is
    // the topic's account.
    let policy = json!({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [{
        "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:GetTopicAttributes", "SNS:Publish", "SNS:Subscribe"],
        "Resource": TOPIC,
        "Condition": {"StringEquals": {"AWS:SourceOwner": "111122223333"}}}]});
    assert_eq!(
        judge(policy.clone()),
        Decision::Allowed {
            statement: "__default_statement_ID".to_owned()
        }
    );
    // A service that does not send the key is not allowed by it.
    let no_owner = cloudwatch().without("aws:SourceOwner");
    assert_eq!(judge_with(policy.clone(), &no_owner), Decision::NotAllowed);
    // Another account's alarm is not allowed either.
    let other = cloudwatch().with("aws:SourceOwner", "444455556666");
    assert_eq!(judge_with(policy, &other), Decision::NotAllowed);
}

#[test]
fn principals() {
    assert_eq!(judge(allow(json!({"Principal": "*"}))), allowed());
    assert_eq!(
        judge(allow(json!({"Principal": {"AWS": ["*"]}}))),
        allowed()
    );
    assert_eq!(
        judge(allow(
            json!({"Principal": {"Service": ["events.amazonaws.com", "CloudWatch.amazonaws.com"]}})
        )),
        allowed()
    );
    // One role, one account, the account root: not a service principal.
    for principal in [
        json!({"AWS": "arn:aws:iam::111122223333:role/ops"}),
        json!({"AWS": "111122223333"}),
        json!({"AWS": "arn:aws:iam::111122223333:root"}),
        json!({"Service": "events.amazonaws.com"}),
        json!({"Federated": "cognito-identity.amazonaws.com"}),
    ] {
        assert_eq!(
            judge(allow(json!({"Principal": principal}))),
            Decision::NotAllowed,
            "{principal}"
        );
    }
    assert!(unknown(&judge(allow(json!({"Principal": {"Other": "x"}})))));
    assert!(unknown(&judge(allow(json!({"Principal": 7})))));
}

#[test]
fn not_principal() {
    let mut policy = allow(json!({"NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/x"}}));
    policy["Statement"][0]
        .as_object_mut()
        .map(|s| s.remove("Principal"));
    assert_eq!(judge(policy.clone()), allowed());
    policy["Statement"][0]["NotPrincipal"] = json!({"Service": CLOUDWATCH});
    assert_eq!(judge(policy), Decision::NotAllowed);
    // Both at once is no policy IAM accepts.
    assert!(unknown(&judge(allow(json!({"NotPrincipal": "*"})))));
}

#[test]
fn actions_and_not_action() {
    assert_eq!(judge(allow(json!({"Action": "SNS:PUBLISH"}))), allowed());
    assert_eq!(judge(allow(json!({"Action": "sns:*"}))), allowed());
    assert_eq!(judge(allow(json!({"Action": "*"}))), allowed());
    assert_eq!(judge(allow(json!({"Action": "sns:Pub?ish"}))), allowed());
    assert_eq!(
        judge(allow(json!({"Action": ["sns:Subscribe", "sns:Get*"]}))),
        Decision::NotAllowed
    );
    let mut policy = allow(json!({"NotAction": "sns:Subscribe"}));
    policy["Statement"][0]
        .as_object_mut()
        .map(|s| s.remove("Action"));
    assert_eq!(judge(policy.clone()), allowed());
    policy["Statement"][0]["NotAction"] = json!("sns:P*");
    assert_eq!(judge(policy), Decision::NotAllowed);
}

#[test]
fn resources_and_not_resource() {
    assert_eq!(judge(allow(json!({"Resource": "*"}))), allowed());
    assert_eq!(
        judge(allow(json!({"Resource": "arn:aws:sns:*:111122223333:*"}))),
        allowed()
    );
    assert_eq!(
        judge(allow(
            json!({"Resource": "arn:aws:sns:us-east-1:111122223333:other"})
        )),
        Decision::NotAllowed
    );
    // Case-sensitive.
    assert_eq!(
        judge(allow(
            json!({"Resource": "arn:aws:sns:us-east-1:111122223333:Security"})
        )),
        Decision::NotAllowed
    );
    let mut policy = allow(json!({"NotResource": "arn:aws:sns:*:*:other"}));
    policy["Statement"][0]
        .as_object_mut()
        .map(|s| s.remove("Resource"));
    assert_eq!(judge(policy.clone()), allowed());
    policy["Statement"][0]
        .as_object_mut()
        .map(|s| s.remove("NotResource"));
    // Neither: the statement applies to the resource it is attached to.
    assert_eq!(judge(policy), allowed());
}

#[test]
fn explicit_deny_wins_over_any_allow() {
    let policy = json!({"Statement": [
        {"Sid": "all", "Effect": "Allow", "Principal": "*", "Action": "sns:*", "Resource": "*"},
        {"Sid": "no-services", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
         "Resource": "*", "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}}]});
    assert_eq!(
        judge(policy),
        Decision::Denied {
            statement: "no-services".to_owned()
        }
    );
    // A deny whose condition excludes the request leaves the allow standing.
    let policy = json!({"Statement": [
        {"Sid": "all", "Effect": "Allow", "Principal": "*", "Action": "sns:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:SourceAccount": "111122223333"}}}]});
    assert_eq!(
        judge(policy),
        Decision::Allowed {
            statement: "all".to_owned()
        }
    );
    // Without a Sid, the statement is named by its position.
    let policy = json!({"Statement": {"Effect": "Deny", "Principal": "*", "Action": "*"}});
    assert_eq!(
        judge(policy),
        Decision::Denied {
            statement: "#1".to_owned()
        }
    );
}

#[test]
fn source_arn_and_account_conditions() {
    let like = |pattern: &str| {
        judge(allow(
            json!({"Condition": {"ArnLike": {"aws:SourceArn": pattern}}}),
        ))
    };
    assert_eq!(
        like("arn:aws:cloudwatch:us-east-1:111122223333:alarm:*"),
        allowed()
    );
    assert_eq!(
        like("arn:aws:cloudwatch:*:111122223333:alarm:cmk-*"),
        allowed()
    );
    assert_eq!(
        like("arn:aws:cloudwatch:us-east-1:111122223333:alarm:prod-*"),
        Decision::NotAllowed
    );
    let equals = |op: &str, value: Value| {
        judge(allow(
            json!({"Condition": {op: {"aws:SourceAccount": value}}}),
        ))
    };
    assert_eq!(equals("StringEquals", json!("111122223333")), allowed());
    assert_eq!(
        equals("StringEquals", json!(["444455556666", "111122223333"])),
        allowed()
    );
    assert_eq!(
        equals("StringEquals", json!("444455556666")),
        Decision::NotAllowed
    );
    assert_eq!(equals("StringNotEquals", json!("444455556666")), allowed());
    assert_eq!(
        equals("StringNotEquals", json!("111122223333")),
        Decision::NotAllowed
    );
    assert_eq!(equals("StringLike", json!("1111*")), allowed());
    assert_eq!(
        equals("StringNotLike", json!("1111*")),
        Decision::NotAllowed
    );
    assert_eq!(
        judge(allow(
            json!({"Condition": {"ArnNotLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:*:alarm:test-*"}}})
        )),
        allowed()
    );
    assert_eq!(
        judge(allow(
            json!({"Condition": {"ArnEquals": {"aws:SourceArn": ALARM}}})
        )),
        allowed()
    );
    assert_eq!(
        judge(allow(
            json!({"Condition": {"StringEqualsIgnoreCase": {"aws:PrincipalServiceName": "CLOUDWATCH.amazonaws.com"}}})
        )),
        allowed()
    );
    // Several keys and operators must all hold.
    assert_eq!(
        judge(allow(json!({"Condition": {
            "StringEquals": {"aws:SourceAccount": "111122223333"},
            "ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:*:alarm:other"}}}))),
        Decision::NotAllowed
    );
}

#[test]
fn missing_keys_if_exists_null_and_set_qualifiers() {
    let no_arn = cloudwatch().without("aws:SourceArn");
    let with = |condition: Value| judge_with(allow(json!({"Condition": condition})), &no_arn);
    assert_eq!(
        with(json!({"ArnLike": {"aws:SourceArn": "*"}})),
        Decision::NotAllowed
    );
    assert_eq!(
        with(json!({"ArnLikeIfExists": {"aws:SourceArn": "x"}})),
        allowed()
    );
    assert_eq!(
        with(json!({"ArnNotLike": {"aws:SourceArn": "x"}})),
        allowed()
    );
    assert_eq!(with(json!({"Null": {"aws:SourceArn": "true"}})), allowed());
    assert_eq!(
        with(json!({"Null": {"aws:SourceArn": true}})),
        allowed(),
        "a JSON boolean reads as its text"
    );
    assert_eq!(
        with(json!({"Null": {"aws:SourceArn": "false"}})),
        Decision::NotAllowed
    );
    assert_eq!(
        with(json!({"ForAllValues:StringEquals": {"aws:SourceArn": "x"}})),
        allowed()
    );
    assert_eq!(
        with(json!({"ForAnyValue:StringEquals": {"aws:SourceArn": "x"}})),
        Decision::NotAllowed
    );
    // Present keys.
    let on = |condition: Value| judge(allow(json!({"Condition": condition})));
    assert_eq!(on(json!({"Null": {"aws:SourceArn": "false"}})), allowed());
    assert_eq!(
        on(json!({"ForAnyValue:StringLike": {"aws:SourceArn": "*:alarm:cmk-*"}})),
        allowed()
    );
    assert_eq!(
        on(json!({"ForAllValues:StringNotEquals": {"aws:SourceAccount": "111122223333"}})),
        Decision::NotAllowed
    );
    assert_eq!(
        on(json!({"StringEqualsIfExists": {"aws:SourceAccount": "444455556666"}})),
        Decision::NotAllowed
    );
    assert_eq!(
        on(json!({"Bool": {"aws:PrincipalIsAWSService": "true"}})),
        allowed()
    );
    assert_eq!(
        on(json!({"Bool": {"aws:PrincipalIsAWSService": false}})),
        Decision::NotAllowed
    );
}

#[test]
fn what_is_not_evaluated_is_never_a_pass() {
    // An unknown key, an unknown operator, a policy variable: could not verify.
    for condition in [
        json!({"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}),
        json!({"NumericLessThan": {"aws:SourceAccount": "5"}}),
        json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        json!({"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}),
        json!({"StringEquals": {"aws:SourceAccount": {"nested": 1}}}),
        json!("not an object"),
    ] {
        let decision = judge(allow(json!({"Condition": condition})));
        assert!(unknown(&decision), "{condition}: {decision:?}");
    }
    // An unverifiable allow beside a clear one: the clear one allows.
    let policy = json!({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Sid": "plain", "Effect": "Allow", "Principal": "*", "Action": "*"}]});
    assert_eq!(
        judge(policy),
        Decision::Allowed {
            statement: "plain".to_owned()
        }
    );
    // An unverifiable deny beside an allow: could not verify.
    let policy = json!({"Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Allow", "Principal": "*", "Action": "*"}]});
    assert!(unknown(&judge(policy)));
    // An unknown condition in a statement for another principal does not matter.
    let policy = json!({"Statement": [
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Sid": "ok", "Effect": "Allow", "Principal": "*", "Action": "*"}]});
    assert_eq!(
        judge(policy),
        Decision::Allowed {
            statement: "ok".to_owned()
        }
    );
    // A known condition that fails decides even next to an unknown one.
    assert_eq!(
        judge(allow(json!({"Condition": {
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            "StringEquals": {"aws:SourceAccount": "444455556666"}}}))),
        Decision::NotAllowed
    );
}

#[test]
fn malformed_policies_are_unverifiable_not_errors() {
    let request_context = cloudwatch();
    let request = Request {
        service_principal: CLOUDWATCH,
        action: "sns:Publish",
        resource: TOPIC,
        context: &request_context,
    };
    for text in [
        "",
        "not json",
        "{}",
        r#"{"Statement": 5}"#,
        r#"{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "*"}]}"#,
        r#"{"Statement": [{"Effect": "Allow", "Action": "*"}]}"#,
        r#"{"Statement": [{"Effect": "Allow", "Principal": "*"}]}"#,
        r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": [1]}]}"#,
    ] {
        assert!(
            unknown(&evaluate_text(text, &request)),
            "{text}: {:?}",
            evaluate_text(text, &request)
        );
    }
    assert_eq!(
        evaluate_text(r#"{"Statement": []}"#, &request),
        Decision::NotAllowed
    );
    let many: Vec<Value> = (0..=super::MAX_STATEMENTS)
        .map(|_| json!({"Effect": "Allow", "Principal": "*", "Action": "*"}))
        .collect();
    assert!(unknown(&judge(json!({"Statement": many}))));
}

#[test]
fn sids_in_messages_are_bounded_and_printable() {
    let sid = format!("a\u{1b}[31m{}", "x".repeat(500));
    let decision = judge(
        json!({"Statement": [{"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": "*"}]}),
    );
    let Decision::Denied { statement } = decision else {
        panic!("{decision:?}")
    };
    assert_eq!(statement.chars().count(), 64);
    assert!(!statement.contains('\u{1b}'));
}
