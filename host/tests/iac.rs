//! `check --iac`: CloudFormation templates and a CDK assembly, each link of the KMS chain
//! broken in turn, judged like the deployed equivalent, with results on the lines that cause
//! them. Every fixture is a real template: cfn-lint (pinned in tests/run) validates each.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_valid_sarif, repo, run, stderr, stdout, temp_dir};
use serde_json::Value;

const CHAIN_RULES: &str = "TW-KMS-001,TW-CT-001,TW-CT-002,TW-CT-005";

fn template(name: &str) -> String {
    format!("host/tests/fixtures/iac/cloudformation/{name}")
}

fn snapshot(name: &str) -> String {
    format!("host/tests/fixtures/iac/snapshots/{name}")
}

const CDK: &str = "host/tests/fixtures/iac/cdk/cdk.out";

/// The 1-based line of the first line of `file` containing `needle`.
fn line_of(file: &str, needle: &str) -> u32 {
    let text = std::fs::read_to_string(repo().join(file)).expect("fixture");
    let index = text
        .lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {file}"));
    u32::try_from(index + 1).expect("a short fixture")
}

/// `check` with `args` as SARIF, validated; the results.
fn sarif(args: &[&str]) -> Vec<Value> {
    let dir = temp_dir("iac-sarif");
    let out = dir.path().join("out.sarif");
    let out_text = out.display().to_string();
    let mut all = vec!["check", "--format", "sarif", "-o", &out_text];
    all.extend_from_slice(args);
    let output = run(&all);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    assert_valid_sarif(&out);
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("SARIF written"))
            .expect("SARIF is JSON");
    document["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// `check` with `args` as JSON: sorted (rule, reason) of failures, and of could-not-verify.
/// Sorted (rule id, reason code) pairs.
type Verdicts = Vec<(String, String)>;

fn verdicts(args: &[&str]) -> (Verdicts, Verdicts) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = run(&all);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    let report: Value = serde_json::from_str(&stdout(&output)).expect("a JSON report");
    let pairs = |key: &str| {
        let mut list: Vec<(String, String)> = report[key]
            .as_array()
            .expect("a list")
            .iter()
            .map(|f| {
                (
                    f["ruleId"].as_str().unwrap_or_default().to_owned(),
                    f["reason"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        list.sort();
        list
    };
    (pairs("findings"), pairs("unverifiable"))
}

fn physical(location: &Value) -> (String, u32) {
    let physical = &location["physicalLocation"];
    (
        physical["artifactLocation"]["uri"]
            .as_str()
            .expect("a URI")
            .to_owned(),
        u32::try_from(physical["region"]["startLine"].as_u64().expect("a line")).expect("a line"),
    )
}

#[test]
fn every_fixture_passes_cfn_lint() {
    let python = std::env::var("TRAILWARDEN_PYTHON").expect(
        "TRAILWARDEN_PYTHON must name the test venv's python with cfn-lint (tests/run installs it)",
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(template("")))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    let cdk_templates: Vec<PathBuf> = std::fs::read_dir(repo().join(CDK))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(".template.json"))
        .collect();
    assert_eq!(cdk_templates.len(), 1);
    let lint = |files: &[PathBuf], extra: &[&str]| {
        let output = std::process::Command::new(&python)
            .args([
                "-c",
                "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())",
            ])
            .args(extra)
            .arg("--")
            .args(files)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
        assert!(
            output.status.success(),
            "cfn-lint rejects a fixture:\n{}{}",
            stdout(&output),
            stderr(&output)
        );
    };
    lint(&files, &[]);
    // CDK's own synthesis adds a DependsOn that a GetAtt already implies (W3005, a warning
    // about redundancy); everything else is held to the same standard.
    lint(&cdk_templates, &["--ignore-checks", "W3005"]);
}

#[test]
fn each_broken_link_is_found_on_the_line_that_causes_it() {
    // fixture, (rule, reason) expected, the primary result's line (a text on it), if in code.
    type Case<'a> = (
        &'a str,
        &'a [(&'a str, &'a str)],
        Option<(&'a str, &'a str, &'a str)>,
    );
    let cases: &[Case] = &[
        ("compliant.yaml", &[], None),
        ("compliant.json", &[], None),
        (
            "no-trail.yaml",
            &[
                ("TW-CT-001", "NO_TRAIL"),
                ("TW-CT-002", "NO_LOGGING_TRAIL"),
                ("TW-CT-005", "NO_TRAIL"),
                ("TW-KMS-001", "NO_TRAIL"),
            ],
            None,
        ),
        (
            "trail-not-multi-region.yaml",
            &[("TW-CT-001", "TRAIL_NOT_MULTI_REGION")],
            Some((
                "TW-CT-001",
                "IsMultiRegionTrail:",
                "IsMultiRegionTrail: true",
            )),
        ),
        (
            "trail-not-logging.json",
            &[
                ("TW-CT-001", "TRAIL_NOT_LOGGING"),
                ("TW-CT-002", "NO_LOGGING_TRAIL"),
                ("TW-CT-005", "KMS_EVENTS_NOT_RECORDED"),
                ("TW-KMS-001", "TRAIL_NOT_LOGGING"),
            ],
            Some(("TW-KMS-001", "\"IsLogging\"", "IsLogging: true")),
        ),
        (
            "filter-not-matching.yaml",
            &[("TW-KMS-001", "FILTER_DOES_NOT_MATCH")],
            Some(("TW-KMS-001", "FilterPattern:", "FilterPattern")),
        ),
        (
            "alarm-wrong-metric.yaml",
            &[("TW-KMS-001", "NO_ALARM")],
            Some(("TW-KMS-001", "  KeyChangesFilter:", "")),
        ),
        (
            "alarm-no-action.yaml",
            &[("TW-KMS-001", "ALARM_NO_ACTIONS")],
            Some((
                "TW-KMS-001",
                "  KeyChangesAlarm:",
                "AlarmActions: [!Ref <Topic>]",
            )),
        ),
        (
            "topic-no-subscription.yaml",
            &[("TW-KMS-001", "TOPIC_NO_CONFIRMED_SUBSCRIPTION")],
            Some(("TW-KMS-001", "  AlertTopic:", "add a `Subscription`")),
        ),
        (
            "email-subscription.yaml",
            &[("TW-KMS-001", "TOPIC_NO_CONFIRMED_SUBSCRIPTION")],
            Some((
                "TW-KMS-001",
                "      Subscription:",
                "Assumes: the email subscription stays PendingConfirmation",
            )),
        ),
    ];
    for (name, expected, primary) in cases {
        let file = template(name);
        let results = sarif(&["--iac", &file, "--only", CHAIN_RULES]);
        let mut found: Vec<(String, String)> = results
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_owned(),
                    r["properties"]["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        found.sort();
        let mut want: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        want.sort();
        assert_eq!(found, want, "{name}");
        if let Some((rule, needle, message)) = primary {
            let result = results
                .iter()
                .find(|r| r["ruleId"] == *rule)
                .unwrap_or_else(|| panic!("{name}: no {rule}"));
            let (uri, line) = physical(&result["locations"][0]);
            assert_eq!(uri, file, "{name}");
            assert_eq!(line, line_of(&file, needle), "{name}: {result:#}");
            let text = result["message"]["text"].as_str().unwrap();
            assert!(text.contains(message), "{name}: {text}");
            // The other links of the chain are related locations in the same template.
            let reason = result["properties"]["reason"].as_str().unwrap();
            if [
                "ALARM_NO_ACTIONS",
                "FILTER_DOES_NOT_MATCH",
                "TOPIC_NO_CONFIRMED_SUBSCRIPTION",
            ]
            .contains(&reason)
            {
                let related = result["relatedLocations"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                assert!(
                    related.iter().any(|l| physical(l).0 == file),
                    "{name}: {related:#?}"
                );
            }
        }
    }
}

#[test]
fn the_template_is_judged_like_the_deployed_equivalent() {
    // Every rule, not only the chain's: a template and a hand-written snapshot of what it
    // deploys give the same failures and the same could-not-verify results.
    let from_code = verdicts(&["--iac", &template("trail-not-multi-region.yaml")]);
    let deployed = verdicts(&["--snapshot", &snapshot("trail-not-multi-region.json")]);
    assert_eq!(from_code, deployed);
    assert!(
        from_code
            .0
            .contains(&("TW-CT-001".into(), "TRAIL_NOT_MULTI_REGION".into()))
    );
    // The same template with Environment=prod records every region; so does the compliant one
    // deployed under the same stack name.
    let prod = verdicts(&[
        "--iac",
        &template("trail-not-multi-region.yaml"),
        "--iac-parameter",
        "Environment=prod",
    ]);
    assert!(
        !prod.0.iter().any(|(rule, _)| rule == "TW-CT-001"),
        "{prod:?}"
    );
    let compliant = verdicts(&[
        "--iac",
        &template("compliant.yaml"),
        "--iac-parameter",
        "AWS::StackName=trail-not-multi-region",
    ]);
    assert_eq!(compliant, prod);
}

#[test]
fn a_pull_request_is_judged_over_the_deployed_account() {
    let deployed = snapshot("deployed-account.json");
    let change = template("pull-request.yaml");
    // Deployed alone: the trail delivers, but nothing counts the KMS events.
    let before = verdicts(&["--snapshot", &deployed, "--only", CHAIN_RULES]);
    assert_eq!(
        before.0,
        vec![("TW-KMS-001".into(), "NO_METRIC_FILTER".into())]
    );
    // The code alone has no trail, and says so.
    let alone = verdicts(&["--iac", &change, "--only", CHAIN_RULES]);
    assert!(
        alone.0.contains(&("TW-CT-001".into(), "NO_TRAIL".into())),
        "{alone:?}"
    );
    // Over the deployed account, the pull request completes the chain.
    let after = verdicts(&[
        "--iac",
        &change,
        "--snapshot",
        &deployed,
        "--only",
        CHAIN_RULES,
    ]);
    assert_eq!(after, (vec![], vec![]));
    // And the overlay takes the account and region from the snapshot.
    let output = run(&[
        "check",
        "--iac",
        &change,
        "--snapshot",
        &deployed,
        "--only",
        CHAIN_RULES,
    ]);
    let text = stdout(&output);
    assert!(text.contains("account 111122223333"), "{text}");
    assert!(!text.contains("AWS::Region is unknown"), "{text}");
}

#[test]
fn email_subscriptions_are_pending_unless_assumed_confirmed() {
    let file = template("email-subscription.yaml");
    let output = run(&["check", "--iac", &file, "--only", "TW-KMS-001"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains(&format!("at {file}:")), "{text}");
    assert!(
        text.contains("assumes the email subscription stays PendingConfirmation"),
        "{text}"
    );
    let output = run(&[
        "check",
        "--iac",
        &file,
        "--only",
        "TW-KMS-001",
        "--iac-assume-confirmed",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn json_reports_carry_file_line_fix_and_assumptions() {
    let file = template("alarm-no-action.yaml");
    let output = run(&[
        "check",
        "--iac",
        &file,
        "--only",
        "TW-KMS-001",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let code = &report["findings"][0]["code"];
    assert_eq!(code["file"], file.as_str());
    assert_eq!(code["line"], line_of(&file, "  KeyChangesAlarm:"));
    assert_eq!(code["logicalId"], "KeyChangesAlarm");
    assert!(code["fix"].as_str().unwrap().contains("AlarmActions"));
    let general = report["iac"]["assumptions"].as_array().unwrap();
    assert!(
        general
            .iter()
            .any(|a| a["text"].as_str().unwrap().contains("AWS::AccountId"))
    );
}

#[test]
fn a_cdk_assembly_is_read_stack_by_stack() {
    let results = sarif(&["--iac", CDK, "--only", CHAIN_RULES]);
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "TW-KMS-001")
        .expect("the CDK app's alarm has no action");
    assert_eq!(result["properties"]["reason"], "ALARM_NO_ACTIONS");
    let (uri, line) = physical(&result["locations"][0]);
    assert!(
        uri.starts_with(CDK) && uri.ends_with(".template.json"),
        "{uri}"
    );
    let template = uri.clone();
    assert_eq!(line, line_of(&template, "\"KeyChangesAlarm"));
    // The construct path names the CDK code the reader wrote.
    let output = run(&["check", "--iac", CDK, "--only", "TW-KMS-001"]);
    assert!(
        stdout(&output).contains("MonitoringStack/KeyChangesAlarm/Resource"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn bad_input_gets_an_error_naming_the_file_and_line() {
    let dir = temp_dir("iac-bad");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let cases = [
        (
            write("notes.txt", "hello\n"),
            "not a CloudFormation template",
        ),
        (
            write(
                "syntax.yaml",
                "Resources:\n  A:\n    Type: [AWS::SNS::Topic\n",
            ),
            "syntax.yaml:4:",
        ),
        (
            write(
                "broken.json",
                "{\n  \"Resources\": {\n    \"A\": {\"Type\" \"AWS::SNS::Topic\"}\n  }\n}\n",
            ),
            "broken.json:3:",
        ),
        (
            write(
                "ref.yaml",
                "Resources:\n  Alarm:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      ComparisonOperator: GreaterThanThreshold\n      EvaluationPeriods: 1\n      AlarmActions: [!Ref Missing]\n",
            ),
            "ref.yaml:7: Ref `Missing` names no parameter",
        ),
        (
            write(
                "cycle.yaml",
                "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !GetAtt Topic.TopicName\n",
            ),
            "a reference cycle",
        ),
        (
            write(
                "param.yaml",
                "Parameters:\n  Email:\n    Type: String\nResources:\n  T:\n    Type: AWS::SNS::Topic\n",
            ),
            "param.yaml:2: parameter `Email` has no Default; give its value with --iac-parameter Email=VALUE",
        ),
        (
            write(
                "alias.yaml",
                "Resources: &r\n  T:\n    Type: AWS::SNS::Topic\nOther: *r\n",
            ),
            "anchors are not supported",
        ),
        // A reference named with a terminal escape: the error quotes it, cleaned (the escape
        // becomes a space), so a pull request cannot write to the reviewer's terminal.
        (
            write(
                "escape.yaml",
                "Resources:\n  Alarm:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      ComparisonOperator: GreaterThanThreshold\n      EvaluationPeriods: 1\n      AlarmActions: [!Ref \"Evil\\e[2J\"]\n",
            ),
            "escape.yaml:7: Ref `Evil [2J` names no parameter",
        ),
    ];
    for (path, expected) in &cases {
        let output = run(&["check", "--iac", path]);
        assert_eq!(output.status.code(), Some(2), "{path}");
        let error = stderr(&output);
        assert!(error.contains(expected), "{path}: {error}");
        assert!(!error.contains("panicked"), "{error}");
    }
    // Over the size limit: refused unread.
    let big = dir.path().join("big.yaml");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(50 * 1024 * 1024).unwrap();
    let output = run(&["check", "--iac", &big.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("bytes is over the 8388608-byte limit"),
        "{}",
        stderr(&output)
    );
    let output = run(&["check", "--iac", "no/such/template.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no/such/template.yaml"),
        "{}",
        stderr(&output)
    );
    let output = run(&["check", "--iac-parameter", "X=1"]);
    assert_eq!(output.status.code(), Some(2), "--iac-parameter needs --iac");
    let _ = Path::new("");
}

#[test]
fn markdown_reports_name_the_line_and_the_fix() {
    let file = template("filter-not-matching.yaml");
    let output = run(&[
        "check",
        "--iac",
        &file,
        "--only",
        "TW-KMS-001",
        "--format",
        "markdown",
    ]);
    let text = stdout(&output);
    let line = line_of(&file, "FilterPattern:");
    // Markdown escapes `.` and `:`; the place reads `…filter-not-matching\.yaml\:LINE`.
    assert!(
        text.contains(&format!("filter-not-matching\\.yaml\\:{line}")),
        "{text}"
    );
    assert!(text.contains("fix in \\`KeyChangesFilter\\`"), "{text}");
    let output = run(&[
        "check",
        "--iac",
        &file,
        "--only",
        "TW-KMS-001",
        "--format",
        "html",
    ]);
    let html = stdout(&output);
    assert!(html.contains(&format!("at {file}:{line};")), "{html}");
}

#[test]
fn metric_math_alarms_and_event_rules_are_read() {
    let rules = "TW-KMS-001,TW-KMS-004";
    let good = template("metric-math-and-eventbridge.yaml");
    assert_eq!(
        verdicts(&["--iac", &good, "--only", rules]),
        (vec![], vec![])
    );
    // The metric-math alarm is what passes TW-KMS-001: point its query at another metric and
    // nothing watches the filter's.
    let dir = temp_dir("iac-math");
    let text = std::fs::read_to_string(repo().join(&good)).unwrap();
    let broken = text.replacen(
        "              MetricName: KmsKeyChanges",
        "              MetricName: Other",
        1,
    );
    assert_ne!(broken, text);
    let path = dir.path().join("math.yaml");
    std::fs::write(&path, broken).unwrap();
    let (failures, _) = verdicts(&["--iac", &path.display().to_string(), "--only", rules]);
    assert_eq!(failures, vec![("TW-KMS-001".into(), "NO_ALARM".into())]);
    // A disabled EventBridge rule is found on its State line.
    let disabled = template("eventbridge-rule-disabled.yaml");
    let results = sarif(&["--iac", &disabled, "--only", rules]);
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["properties"]["reason"], "EVENT_RULE_DISABLED");
    let (uri, line) = physical(&results[0]["locations"][0]);
    assert_eq!(
        (uri.as_str(), line),
        (disabled.as_str(), line_of(&disabled, "State: DISABLED"))
    );
}

/// A topic policy replaces the default policy SNS gives a new topic wherever the template
/// writes it: here before its topic, and allowing EventBridge alone, so the alarm's
/// notification is refused.
#[test]
fn a_topic_policy_written_before_its_topic_still_replaces_the_default() {
    let text = std::fs::read_to_string(repo().join(template("metric-math-and-eventbridge.yaml")))
        .expect("fixture");
    let start = text
        .find("  AlertTopicPolicy:\n")
        .expect("the policy, last");
    let policy = text[start..].replacen(
        "          - Sid: CloudWatchAlarms\n            Effect: Allow\n            Principal:\n              Service: cloudwatch.amazonaws.com\n            Action: sns:Publish\n            Resource: !Ref AlertTopic\n",
        "",
        1,
    );
    assert_ne!(
        policy,
        text[start..],
        "the CloudWatch statement was removed"
    );
    let resources = text.find("Resources:\n").expect("Resources") + "Resources:\n".len();
    let reordered = format!(
        "{}{policy}\n{}",
        &text[..resources],
        &text[resources..start]
    );
    let dir = temp_dir("iac-policy-first");
    let path = dir.path().join("policy-first.yaml");
    std::fs::write(&path, reordered).expect("write");
    let (failures, _) = verdicts(&["--iac", &path.display().to_string(), "--only", "TW-KMS-001"]);
    assert_eq!(
        failures,
        vec![(
            "TW-KMS-001".to_owned(),
            "TOPIC_POLICY_BLOCKS_PUBLISH".to_owned()
        )]
    );
}

/// A FIFO named as code is refused from its metadata: nothing blocks waiting for a writer.
#[cfg(unix)]
#[test]
fn a_fifo_given_as_code_is_refused_without_blocking() {
    let dir = temp_dir("iac-fifo");
    let fifo = dir.path().join("template.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let output = run(&["check", "--iac", &fifo.display().to_string()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("a FIFO, not a regular file"),
        "{}",
        stderr(&output)
    );
}
