//! The built-in packs give the same findings compiled to wasm in the sandbox as natively, on
//! every snapshot fixture and on the KMS baseline with each link of the chain broken in turn.
//! The rules' own tests run natively; this is what makes their verdicts hold for the binary.

use std::path::PathBuf;

use serde_json::{Value, json};
use trailwarden::builtin::BUILTIN_PACKS;
use trailwarden::engine::{Limits, LoadedPack, PackOrigin, Sandbox};
use trailwarden_sdk::abi::EvalContext;
use trailwarden_sdk::{Ctx, Finding, Pack, SCHEMA_VERSION, Snapshot};

const NOW: &str = "2026-12-01T12:00:00Z";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/snapshots")
}

fn native() -> Vec<Pack> {
    vec![
        trailwarden_rules_cloudtrail::pack(),
        trailwarden_rules_kms::pack(),
        trailwarden_rules_cis_monitoring::pack(),
    ]
}

fn sorted(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| (a.sort_key(), &a.reason).cmp(&(b.sort_key(), &b.reason)));
    findings
}

/// Every rule of every built-in pack, natively.
fn run_native(snapshot: &Snapshot) -> Vec<Finding> {
    let mut all = Vec::new();
    for pack in native() {
        for rule in &pack.rules {
            let ctx = Ctx::new(rule.spec.id).with_now(NOW);
            all.extend(rule.run(snapshot, &ctx).expect("rule runs natively"));
        }
    }
    sorted(all)
}

/// The sandbox with every built-in pack loaded (compiled once per test).
fn loaded() -> (Sandbox, Vec<LoadedPack>) {
    let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
    let packs = BUILTIN_PACKS
        .iter()
        .map(|(name, bytes)| {
            sandbox
                .load(PackOrigin::Builtin(name), bytes)
                .expect("built-in pack loads")
        })
        .collect();
    (sandbox, packs)
}

/// Every rule of every built-in pack, as wasm in the sandbox.
fn run_wasm((sandbox, packs): &(Sandbox, Vec<LoadedPack>), text: &str) -> Vec<Finding> {
    let mut all = Vec::new();
    for pack in packs {
        let ctx = EvalContext {
            encoding: "json".to_owned(),
            snapshot_schema: SCHEMA_VERSION,
            rules: pack.meta.rules.iter().map(|r| r.id.clone()).collect(),
            now: Some(NOW.to_owned()),
            ..EvalContext::default()
        };
        for run in sandbox.evaluate(pack, text.as_bytes(), &ctx) {
            let (findings, dropped) = run
                .result
                .unwrap_or_else(|f| panic!("{} failed in wasm: {}", run.rule_id, f.message));
            assert_eq!(dropped, 0);
            all.extend(findings);
        }
    }
    sorted(all)
}

fn assert_agree(sandbox: &(Sandbox, Vec<LoadedPack>), name: &str, text: &str) -> usize {
    let snapshot = Snapshot::from_json(text).expect("fixture parses");
    let native = run_native(&snapshot);
    let wasm = run_wasm(sandbox, text);
    assert_eq!(native.len(), wasm.len(), "{name}: finding counts differ");
    for (n, w) in native.iter().zip(&wasm) {
        assert_eq!(n, w, "{name}: native and wasm disagree");
    }
    native.len()
}

#[test]
fn every_fixture_gives_the_same_findings_natively_and_in_wasm() {
    let sandbox = loaded();
    let mut checked = 0;
    let mut findings = 0;
    for entry in std::fs::read_dir(fixtures()).expect("fixtures").flatten() {
        let path = entry.path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if Snapshot::from_json(&text).is_err() {
            continue; // the bad-input fixtures
        }
        findings += assert_agree(&sandbox, &path.display().to_string(), &text);
        checked += 1;
    }
    let demo = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-snapshot.json"),
    )
    .expect("demo");
    findings += assert_agree(&sandbox, "demo", &demo);
    assert!(checked >= 15, "only {checked} fixtures");
    assert!(
        findings > 100,
        "the fixtures exercise the rules: {findings} findings"
    );
}

#[test]
fn each_broken_link_gives_the_same_findings_natively_and_in_wasm() {
    let sandbox = loaded();
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("kms-chain-compliant.json")).expect("fixture"),
    )
    .expect("json");
    let alarm = "/regions/0/metricAlarms/items/0";
    let filter = "/regions/0/metricFilters/items/0";
    let trail = "/regions/0/trails/items/0";
    let topic = "/regions/0/topics/items/0";
    let breaks: [(&str, &str, Value); 12] = [
        (alarm, "threshold", json!(5.0)),
        (alarm, "datapointsToAlarm", json!(2)),
        (alarm, "statistic", json!("Average")),
        (alarm, "namespace", json!("LogMetrics")),
        (alarm, "actionsEnabled", json!(false)),
        (
            alarm,
            "dimensions",
            json!([{"name": "KeyId", "value": "1234abcd-12ab-34cd-56ef-1234567890ab"}]),
        ),
        (
            filter,
            "filterPattern",
            json!("{ $.eventName = DisableKey }"),
        ),
        (filter, "filterPattern", json!("{ $.eventName = ")),
        (trail, "isMultiRegionTrail", json!(false)),
        (
            trail,
            "cloudWatchLogsLogGroupArn",
            json!("arn:aws:logs:eu-west-1:111122223333:log-group:aws-cloudtrail-logs-security:*"),
        ),
        (topic, "kmsMasterKeyId", json!("alias/aws/sns")),
        (
            topic,
            "subscriptions",
            json!([{"subscriptionArn": "PendingConfirmation", "protocol": "email"}]),
        ),
    ];
    for (pointer, key, value) in breaks {
        let mut account = base.clone();
        account
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .expect("pointer exists")
            .insert(key.to_owned(), value.clone());
        let name = format!("{pointer}/{key} = {value}");
        let found = assert_agree(&sandbox, &name, &account.to_string());
        assert!(found > 0, "{name} breaks something");
    }
}

/// The topic link's permission checks (issue #19): a topic policy that leaves CloudWatch out,
/// and a CMK whose key policy grants only the account, give the same findings in wasm, with
/// the reasons the SDK reports natively.
#[test]
fn policy_links_give_the_same_findings_natively_and_in_wasm() {
    let sandbox = loaded();
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("kms-chain-compliant.json")).expect("fixture"),
    )
    .expect("json");
    let topic = "arn:aws:sns:us-east-1:111122223333:security-alerts";
    let key = "arn:aws:kms:us-east-1:111122223333:key/5c8e2a1b-7d4f-4b9a-8e6c-2f1a3b4c5d6e";
    let one_role = json!({"Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:role/ops"},
        "Action": "sns:Publish", "Resource": topic}]});
    let cloudwatch_only = json!({"Statement": [{"Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
        "Resource": topic}]});
    let account_only = json!({"Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*",
        "Resource": "*"}]});
    let cases = [
        (
            json!({"items": [{"topicArn": topic, "policy": one_role.to_string()}]}),
            None,
            "TOPIC_POLICY_BLOCKS_PUBLISH",
        ),
        (
            json!({"items": [{"topicArn": topic, "policy": cloudwatch_only.to_string()}]}),
            Some(json!({"items": [{"keyArn": key, "policy": account_only.to_string()}]})),
            "TOPIC_KEY_POLICY_BLOCKS_PUBLISH",
        ),
    ];
    for (topic_policies, key_policies, reason) in cases {
        let mut account = base.clone();
        let region = account
            .pointer_mut("/regions/0")
            .and_then(Value::as_object_mut)
            .expect("home region");
        region.insert("topicPolicies".to_owned(), topic_policies);
        if let Some(key_policies) = key_policies {
            region.insert("keyPolicies".to_owned(), key_policies);
        }
        let text = account.to_string();
        assert_agree(&sandbox, reason, &text);
        let wasm = run_wasm(&sandbox, &text);
        assert!(
            wasm.iter()
                .any(|f| f.rule_id == "TW-KMS-001" && f.reason == reason),
            "{reason}: {wasm:#?}"
        );
    }
}

/// The topic link's delivery counts (issue #19): every delivery failed breaks the chain, some
/// failed warns, in wasm as natively.
#[test]
fn delivery_counts_give_the_same_findings_natively_and_in_wasm() {
    let sandbox = loaded();
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("kms-chain-compliant.json")).expect("fixture"),
    )
    .expect("json");
    let topic = "arn:aws:sns:us-east-1:111122223333:security-alerts";
    for (delivered, failed, reason) in [
        (0, 4, "TOPIC_DELIVERIES_FAILING"),
        (6, 1, "TOPIC_DELIVERIES_PARTLY_FAILING"),
    ] {
        let mut account = base.clone();
        let region = account
            .pointer_mut("/regions/0")
            .and_then(Value::as_object_mut)
            .expect("home region");
        region.insert(
            "topicDeliveries".to_owned(),
            json!({"items": [{"topicArn": topic, "windowHours": 24,
                              "delivered": delivered, "failed": failed}]}),
        );
        let text = account.to_string();
        assert_agree(&sandbox, reason, &text);
        let wasm = run_wasm(&sandbox, &text);
        assert!(
            wasm.iter()
                .any(|f| f.rule_id == "TW-KMS-001" && f.reason == reason),
            "{reason}: {wasm:#?}"
        );
    }
}

/// An alarm on a Metrics Insights query (issue #19) is followed in wasm as natively: one that
/// selects the filter's metric covers TW-KMS-001, one whose threshold one event cannot reach
/// breaks the chain, and one using syntax trailwarden does not evaluate could not be verified.
#[test]
fn metrics_insights_alarms_give_the_same_findings_natively_and_in_wasm() {
    let sandbox = loaded();
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("kms-chain-compliant.json")).expect("fixture"),
    )
    .expect("json");
    let cases = [
        (
            "SELECT SUM(KmsKeyChanges) FROM SCHEMA(\"CISBenchmark\")",
            1.0,
            None,
        ),
        (
            "SELECT MAX(KmsKeyChanges) FROM \"CISBenchmark\" GROUP BY KeyId",
            1.0,
            Some("ALARM_EXPRESSION_UNVERIFIABLE"),
        ),
        (
            "SELECT COUNT(KmsKeyChanges) FROM \"CISBenchmark\"",
            2.0,
            Some("ALARM_CANNOT_FIRE"),
        ),
        (
            "SELECT SUM(KmsKeyChanges) FROM \"CISBenchmark\" WHERE KeyId LIKE 'a%'",
            1.0,
            Some("ALARM_EXPRESSION_UNVERIFIABLE"),
        ),
    ];
    for (query, threshold, reason) in cases {
        let mut account = base.clone();
        let alarm = account
            .pointer_mut("/regions/0/metricAlarms/items/0")
            .and_then(Value::as_object_mut)
            .expect("alarm");
        for key in ["metricName", "namespace", "statistic", "period"] {
            alarm.remove(key);
        }
        alarm.insert("threshold".to_owned(), json!(threshold));
        alarm.insert(
            "metrics".to_owned(),
            json!([{"id": "q1", "expression": query, "period": 300}]),
        );
        let text = account.to_string();
        assert_agree(&sandbox, query, &text);
        let wasm = run_wasm(&sandbox, &text);
        let kms_001: Vec<&Finding> = wasm.iter().filter(|f| f.rule_id == "TW-KMS-001").collect();
        match reason {
            None => assert!(kms_001.is_empty(), "{query}: {kms_001:#?}"),
            Some(reason) => assert!(
                kms_001.iter().any(|f| f.reason == reason),
                "{query}: {kms_001:#?}"
            ),
        }
    }
}

/// Subscription attributes (issue #19): a policy on message attributes drops CloudWatch alarm
/// notifications, which carry none, a body policy that does not admit the alarm's notification
/// drops it too, and a subscription whose queue is gone receives nothing; in wasm as natively.
#[test]
fn subscription_filter_policies_give_the_same_findings_natively_and_in_wasm() {
    let sandbox = loaded();
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("kms-chain-compliant.json")).expect("fixture"),
    )
    .expect("json");
    let subscription =
        "arn:aws:sns:us-east-1:111122223333:security-alerts:6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b";
    let topic = "arn:aws:sns:us-east-1:111122223333:security-alerts";
    for (policy, scope, reason) in [
        (
            r#"{"severity": ["critical"]}"#,
            None,
            Some("SUBSCRIPTION_FILTER_DROPS_ALARMS"),
        ),
        (
            r#"{"NewStateValue": ["OK"]}"#,
            Some("MessageBody"),
            Some("SUBSCRIPTION_FILTER_DROPS_ALARMS"),
        ),
        (r#"{"NewStateValue": ["ALARM"]}"#, Some("MessageBody"), None),
        // No filter policy, but the subscription's SQS queue is gone.
        ("", None, Some("SUBSCRIPTION_ENDPOINT_MISSING")),
    ] {
        let mut account = base.clone();
        let mut attributes = json!({"subscriptionArn": subscription, "topicArn": topic,
                                    "pendingConfirmation": false});
        if policy.is_empty() {
            attributes["endpointExists"] = json!(false);
        } else {
            attributes["filterPolicy"] = json!(policy);
        }
        if let Some(scope) = scope {
            attributes["filterPolicyScope"] = json!(scope);
        }
        account
            .pointer_mut("/regions/0")
            .and_then(Value::as_object_mut)
            .expect("home region")
            .insert(
                "subscriptionAttributes".to_owned(),
                json!({"items": [attributes]}),
            );
        let text = account.to_string();
        assert_agree(&sandbox, policy, &text);
        let wasm = run_wasm(&sandbox, &text);
        let kms_001: Vec<&Finding> = wasm.iter().filter(|f| f.rule_id == "TW-KMS-001").collect();
        match reason {
            Some(reason) => assert!(
                kms_001.iter().any(|f| f.reason == reason),
                "{policy}: {kms_001:#?}"
            ),
            None => assert!(kms_001.is_empty(), "{policy}: {kms_001:#?}"),
        }
    }
}

/// Log alarms (issue #19): with no metric filter left, a log alarm whose Logs Insights query
/// returns the key changes covers TW-KMS-001; one whose query filters another event, one that
/// needs more breaching results than one event gives, and one whose query uses a command
/// trailwarden does not evaluate break or leave it unverifiable, in wasm as natively.
#[test]
fn log_alarms_give_the_same_findings_natively_and_in_wasm() {
    let sandbox = loaded();
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("kms-chain-compliant.json")).expect("fixture"),
    )
    .expect("json");
    let key_changes = "fields @timestamp, eventName\n| filter eventSource = \"kms.amazonaws.com\" and eventName in [\"DisableKey\", \"ScheduleKeyDeletion\"]";
    let cases = [
        (key_changes, 1, None),
        (
            "filter eventName = \"CreateKey\"",
            1,
            Some("LOG_ALARM_QUERY_DROPS_EVENT"),
        ),
        (key_changes, 2, Some("LOG_ALARM_NEEDS_MORE_RESULTS")),
        (
            "parse @message \"*DisableKey*\" as a, b | filter ispresent(a)",
            1,
            Some("LOG_ALARM_QUERY_UNVERIFIABLE"),
        ),
    ];
    for (query, to_alarm, reason) in cases {
        let mut account = base.clone();
        let home = account.pointer_mut("/regions/0").expect("home region");
        let group = home["logGroups"]["items"][0]["logGroupName"].clone();
        let alarm = home["metricAlarms"]["items"][0].clone();
        home["metricFilters"]["items"] = json!([]);
        home["logAlarms"] = json!({"items": [{
            "alarmName": "kms-log-alarm",
            "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:kms-log-alarm",
            "alarmActions": alarm["alarmActions"],
            "queryString": query,
            "logGroupIdentifiers": [group],
            "aggregationExpression": "count(*)",
            "scheduleExpression": "rate(5 minutes)",
            "startTimeOffset": 300,
            "queryResultsToEvaluate": 3,
            "queryResultsToAlarm": to_alarm,
            "threshold": 1.0,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "treatMissingData": "notBreaching"
        }]});
        let text = account.to_string();
        assert_agree(&sandbox, query, &text);
        let wasm = run_wasm(&sandbox, &text);
        let kms_001: Vec<&Finding> = wasm.iter().filter(|f| f.rule_id == "TW-KMS-001").collect();
        match reason {
            None => assert!(kms_001.is_empty(), "{query}: {kms_001:#?}"),
            Some(reason) => assert!(
                kms_001.iter().any(|f| f.reason == reason),
                "{query} ({to_alarm}): {kms_001:#?}"
            ),
        }
    }
}
