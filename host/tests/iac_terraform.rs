//! `check --iac` on Terraform: a plan in JSON and a directory of `.tf` files give the same
//! verdicts as the equivalent CloudFormation template, with results on the code's lines.

mod common;

use std::collections::BTreeSet;

use common::{repo, run, stderr, stdout, temp_dir};

const TF: &str = "host/tests/fixtures/iac/terraform";

fn findings(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = run(&all);
    serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&output), stderr(&output)))
}

/// (rule id, reason) of every finding.
fn verdicts(report: &serde_json::Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .expect("test data")
        .iter()
        .map(|f| {
            (
                f["ruleId"].as_str().expect("test data").to_owned(),
                f["reason"].as_str().expect("test data").to_owned(),
            )
        })
        .collect()
}

fn finding<'a>(report: &'a serde_json::Value, rule: &str, reason: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .expect("test data")
        .iter()
        .find(|f| f["ruleId"] == rule && f["reason"] == reason)
        .unwrap_or_else(|| panic!("no {rule} {reason} in {report}"))
}

#[test]
fn compliant_plan_and_configuration_judge_as_the_cloudformation_template() {
    let cloudformation = verdicts(&findings(&[
        "--iac",
        "host/tests/fixtures/iac/cloudformation/compliant.yaml",
    ]));
    let configuration = findings(&["--iac", &format!("{TF}/compliant")]);
    let plan = findings(&["--iac", &format!("{TF}/compliant.plan.json")]);
    assert_eq!(verdicts(&configuration), cloudformation);
    assert_eq!(verdicts(&plan), cloudformation);
    assert_eq!(plan["summary"]["errors"], 0);
    assert_eq!(configuration["summary"]["errors"], 0);
}

#[test]
fn broken_configuration_places_findings_and_terraform_fixes_on_tf_lines() {
    let report = findings(&["--iac", &format!("{TF}/broken")]);
    let alarm = finding(&report, "TW-KMS-001", "ALARM_NO_ACTIONS");
    assert_eq!(alarm["code"]["file"], format!("{TF}/broken/main.tf"));
    assert_eq!(alarm["code"]["line"], 57);
    assert!(
        alarm["code"]["fix"]
            .as_str()
            .expect("test data")
            .contains("alarm_actions = [aws_sns_topic.<name>.arn]")
    );
    // A variable overridden with --iac-parameter: the trail's argument line and the HCL fix.
    let report = findings(&[
        "--iac",
        &format!("{TF}/broken"),
        "--iac-parameter",
        "multi_region=false",
    ]);
    let trail = finding(&report, "TW-CT-001", "TRAIL_NOT_MULTI_REGION");
    assert_eq!(trail["code"]["line"], 9);
    assert!(
        trail["code"]["fix"]
            .as_str()
            .expect("test data")
            .contains("`is_multi_region_trail = true`")
    );
}

#[test]
fn broken_plan_resolves_unknown_arns_and_points_at_the_plan_lines() {
    let report = findings(&["--iac", &format!("{TF}/broken.plan.json")]);
    let trail = finding(&report, "TW-CT-001", "TRAIL_NOT_MULTI_REGION");
    assert_eq!(trail["code"]["file"], format!("{TF}/broken.plan.json"));
    assert_eq!(trail["code"]["line"], 33);
    let filter = finding(&report, "TW-KMS-001", "FILTER_DOES_NOT_MATCH");
    assert_eq!(filter["code"]["line"], 77);
    // The trail's log group and the alarm's topic were unknown until apply and are linked
    // through the configuration's references: the chain reaches the filter, and no alarm or
    // topic finding appears.
    let reasons = verdicts(&report);
    assert!(
        !reasons
            .iter()
            .any(|(_, r)| r == "TRAIL_NO_LOG_GROUP" || r == "ALARM_NO_ACTIONS")
    );
}

#[test]
fn sarif_from_terraform_passes_the_validator_on_tf_lines() {
    let dir = temp_dir("tf-sarif");
    let out = dir.path().join("tf.sarif");
    let output = run(&[
        "check",
        "--iac",
        &format!("{TF}/broken"),
        "--format",
        "sarif",
        "--output",
        out.to_str().expect("test data"),
    ]);
    assert!(out.exists(), "{}", stderr(&output));
    common::assert_valid_sarif(&out);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("test data"))
            .expect("test data");
    let on_alarm_line = sarif["runs"][0]["results"]
        .as_array()
        .expect("test data")
        .iter()
        .any(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            location["artifactLocation"]["uri"] == format!("{TF}/broken/main.tf")
                && location["region"]["startLine"] == 57
        });
    assert!(on_alarm_line, "{sarif}");
}

fn error_of(files: &[(&str, &str)], name: &str) -> String {
    let dir = temp_dir(name);
    for (file, text) in files {
        std::fs::write(dir.path().join(file), text).expect("test data");
    }
    let target = if files.len() == 1 && files[0].0.ends_with(".json") {
        dir.path().join(files[0].0)
    } else {
        dir.path().to_owned()
    };
    let output = run(&["check", "--iac", target.to_str().expect("test data")]);
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(!text.contains("panicked"), "{text}");
    text
}

#[test]
fn bad_input_names_file_and_line() {
    let malformed = error_of(
        &[(
            "plan.json",
            "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {\n    \"root_module\": [,]\n  }\n}\n",
        )],
        "tf-malformed",
    );
    assert!(malformed.contains("plan.json:4:"), "{malformed}");
    let syntax = error_of(
        &[(
            "main.tf",
            "resource \"aws_sns_topic\" \"t\" {\n  name = \n}\n",
        )],
        "tf-syntax",
    );
    assert!(
        syntax.contains("main.tf:2:") || syntax.contains("main.tf:3:"),
        "{syntax}"
    );
    let unknown = error_of(
        &[(
            "main.tf",
            "resource \"aws_sns_topic_subscription\" \"s\" {\n  protocol = \"sqs\"\n  topic_arn = aws_sns_topic.missing.arn\n}\n",
        )],
        "tf-unknown",
    );
    assert!(
        unknown.contains("main.tf:3:")
            && unknown.contains("undeclared resource `aws_sns_topic.missing`"),
        "{unknown}"
    );
    let cycle = error_of(
        &[(
            "main.tf",
            "locals {\n  a = local.b\n  b = \"x-${local.a}\"\n}\nresource \"aws_sns_topic\" \"t\" {\n  name = local.a\n}\n",
        )],
        "tf-cycle",
    );
    assert!(
        cycle.contains("reference cycle") && cycle.contains("local.a"),
        "{cycle}"
    );
    assert!(cycle.contains("main.tf:"), "{cycle}");
}

#[test]
fn data_sources_and_modules_are_stated_not_guessed() {
    let dir = temp_dir("tf-data");
    std::fs::write(
        dir.path().join("main.tf"),
        "module \"alerts\" {\n  source = \"./alerts\"\n}\ndata \"aws_sns_topic\" \"t\" {\n  name = \"x\"\n}\nresource \"aws_cloudwatch_metric_alarm\" \"a\" {\n  alarm_name = \"a\"\n  comparison_operator = \"GreaterThanOrEqualToThreshold\"\n  alarm_actions = [data.aws_sns_topic.t.arn]\n}\n",
    )
    .expect("test data");
    let output = run(&["check", "--iac", dir.path().to_str().expect("test data")]);
    let text = stdout(&output);
    assert!(text.contains("module `alerts` is not followed"), "{text}");
    assert!(
        text.contains("could not verify aws_cloudwatch_metric_alarm.a.alarm_actions"),
        "{text}"
    );
}

/// The chain in its other Terraform shapes: a metric-math alarm (`metric_query` blocks) with
/// no actions of its own, a composite alarm that follows it and notifies, and an EventBridge
/// rule with an `aws_cloudwatch_event_target` on the topic. Each shape is what passes, so
/// breaking it must fail.
#[test]
fn metric_queries_composite_alarms_and_event_targets_are_read() {
    const RULES: &str = "TW-KMS-001,TW-KMS-004";
    let fixture = format!("{TF}/math-composite-eventbridge");
    let main_tf = format!("{fixture}/main.tf");
    let report = findings(&["--iac", &fixture, "--only", RULES]);
    assert_eq!(verdicts(&report), BTreeSet::new(), "{report}");

    // The rule's state, through a variable: disabled, on the `state` line, with the HCL fix.
    let report = findings(&[
        "--iac",
        &fixture,
        "--only",
        RULES,
        "--iac-parameter",
        "rule_state=DISABLED",
    ]);
    let disabled = finding(&report, "TW-KMS-004", "EVENT_RULE_DISABLED");
    assert_eq!(disabled["code"]["file"], main_tf);
    let text = std::fs::read_to_string(repo().join(&main_tf)).expect("fixture");
    let state_line = text
        .lines()
        .position(|l| l.contains("state = var.rule_state"))
        .expect("state line")
        + 1;
    assert_eq!(disabled["code"]["line"], state_line);
    assert!(
        disabled["code"]["fix"]
            .as_str()
            .is_some_and(|fix| fix.contains("state = \"ENABLED\"")),
        "{disabled}"
    );

    // Variants written beside the fixture: each breaks the one shape that carried the chain.
    let variant = |name: &str, from: &str, to: &str| {
        assert!(text.contains(from), "{from}");
        let dir = temp_dir(name);
        std::fs::write(dir.path().join("main.tf"), text.replacen(from, to, 1)).expect("write");
        let report = findings(&["--iac", &dir.path().display().to_string(), "--only", RULES]);
        (dir, report)
    };
    // The metric query watches another metric: nothing watches the filter's.
    let (_dir, report) = variant(
        "tf-math",
        "      metric_name = \"KmsKeyChanges\"",
        "      metric_name = \"Other\"",
    );
    assert!(
        verdicts(&report).contains(&("TW-KMS-001".to_owned(), "NO_ALARM".to_owned())),
        "{report}"
    );
    // The composite alarm no longer notifies: the metric alarm it follows has no actions.
    let (_dir, report) = variant(
        "tf-composite",
        "  alarm_actions = [aws_sns_topic.alerts.arn]\n}",
        "}",
    );
    let rules: BTreeSet<String> = verdicts(&report).into_iter().map(|(r, _)| r).collect();
    assert!(rules.contains("TW-KMS-001"), "{report}");
    // Without a topic policy, SNS's default one applies (the owner account may publish), as
    // for a CloudFormation topic: the alarm path still passes.
    let start = text
        .find("resource \"aws_sns_topic_policy\"")
        .expect("policy block");
    let end = text
        .find("resource \"aws_cloudwatch_event_rule\"")
        .expect("rule block");
    let dir = temp_dir("tf-default-policy");
    std::fs::write(
        dir.path().join("main.tf"),
        format!("{}{}", &text[..start], &text[end..]),
    )
    .expect("write");
    let report = findings(&[
        "--iac",
        &dir.path().display().to_string(),
        "--only",
        "TW-KMS-001",
    ]);
    assert_eq!(verdicts(&report), BTreeSet::new(), "{report}");
    assert_eq!(report["unverifiable"], serde_json::json!([]), "{report}");
    // The event target is gone: the rule tells nobody.
    let (_dir, report) = variant(
        "tf-target",
        "  arn       = aws_sns_topic.alerts.arn\n}",
        "  arn       = \"arn:aws:sns:us-east-1:123456789012:elsewhere\"\n}",
    );
    let rules: BTreeSet<String> = verdicts(&report).into_iter().map(|(r, _)| r).collect();
    assert!(rules.contains("TW-KMS-004"), "{report}");
}

/// Each local is evaluated once: a chain where every local references the one before three
/// times would take 3^40 evaluations otherwise, and a pull request could stall the run.
#[test]
fn a_chain_of_locals_is_evaluated_once_each() {
    let mut text = String::from("locals {\n  a0 = \"us-east-1\"\n");
    for i in 1..=40 {
        let p = i - 1;
        text.push_str(&format!(
            "  a{i} = local.a{p} == local.a{p} ? local.a{p} : \"x\"\n"
        ));
    }
    text.push_str("}\n\nresource \"aws_cloudwatch_log_group\" \"g\" {\n  name = local.a40\n}\n");
    let dir = temp_dir("tf-chain");
    std::fs::write(dir.path().join("main.tf"), text).expect("write");
    let output = run(&[
        "check",
        "--iac",
        &dir.path().display().to_string(),
        "--only",
        "TW-CT-001",
        "--format",
        "json",
    ]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
}
