//! Benchmark of `trailwarden check --iac` on large generated code (not a test).
//!
//! ```sh
//! cargo build -p trailwarden && cargo run -p trailwarden --example iac_bench
//! cargo run -p trailwarden --example iac_bench -- --groups 5000
//! ```
//!
//! It writes, in a temporary directory, the compliant KMS chain (a multi-region trail, its log
//! group, a metric filter, an alarm, a subscribed topic) plus `--groups` further log groups
//! (default 18,000), each with a metric filter, in three forms: a CloudFormation template in
//! YAML, the same in JSON, and a directory of `.tf` files. Then it runs the `trailwarden`
//! binary next to this example with `check --iac PATH --only TW-KMS-001` on each, and prints
//! the file size, wall time and peak RSS (from /usr/bin/time, when present). The figures are
//! what reading, resolving and judging cost for code of that size; writing the files and
//! compiling the built-in packs into the cache (one run before the measured ones) are not
//! measured.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut groups = 18_000_usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--groups" => {
                groups = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--groups N")?;
            }
            other => return Err(format!("unknown argument {other}: use --groups N").into()),
        }
    }
    let binary = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("trailwarden"))
        .ok_or("cannot locate the trailwarden binary")?;
    if !binary.is_file() {
        return Err(format!(
            "{} is missing: run `cargo build -p trailwarden` first",
            binary.display()
        )
        .into());
    }
    let dir = std::env::temp_dir().join(format!("tw-iac-bench-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("tf"))?;
    let yaml = dir.join("large.yaml");
    std::fs::write(&yaml, cloudformation_yaml(groups))?;
    let json = dir.join("large.json");
    std::fs::write(&json, cloudformation_json(groups)?)?;
    std::fs::write(dir.join("tf/main.tf"), terraform(groups))?;
    println!(
        "{groups} extra log groups with a metric filter each, plus the KMS chain; binary {}",
        binary.display()
    );
    // The first run compiles the built-in packs into the cache; do that outside the figures.
    Command::new(&binary)
        .env("HOME", &dir)
        .env("TRAILWARDEN_CACHE_DIR", dir.join("cache"))
        .args([
            "check",
            "--demo",
            "--only",
            "TW-KMS-001",
            "--format",
            "json",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    for (label, path) in [
        ("CloudFormation YAML", yaml.clone()),
        ("CloudFormation JSON", json.clone()),
        ("Terraform .tf directory", dir.join("tf")),
    ] {
        measure(&binary, &dir, label, &path)?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

const TOPIC_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"*"}]}"#;

fn cloudformation_yaml(groups: usize) -> String {
    let mut out = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n\
         \x20 Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n\
         \x20     TrailName: main\n      IsLogging: true\n      IsMultiRegionTrail: true\n\
         \x20     S3BucketName: trail-logs\n      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn\n\
         \x20     CloudWatchLogsRoleArn: arn:aws:iam::123456789012:role/trail-to-logs\n\
         \x20 TrailLogs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: trail-logs\n\
         \x20 KeyChanges:\n    Type: AWS::Logs::MetricFilter\n    Properties:\n\
         \x20     LogGroupName: !Ref TrailLogs\n\
         \x20     FilterPattern: '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }'\n\
         \x20     MetricTransformations:\n        - MetricName: KmsKeyChanges\n          MetricNamespace: CIS\n          MetricValue: '1'\n\
         \x20 KeyChangesAlarm:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n\
         \x20     MetricName: KmsKeyChanges\n      Namespace: CIS\n      Statistic: Sum\n      Period: 300\n\
         \x20     EvaluationPeriods: 1\n      Threshold: 1\n      ComparisonOperator: GreaterThanOrEqualToThreshold\n\
         \x20     AlarmActions: [!Ref Alerts]\n\
         \x20 Alerts:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: alerts\n\
         \x20     Subscription:\n        - Protocol: sqs\n          Endpoint: arn:aws:sqs:us-east-1:123456789012:alerts\n",
    );
    let _ = writeln!(
        out,
        "  AlertsPolicy:\n    Type: AWS::SNS::TopicPolicy\n    Properties:\n      Topics: [!Ref Alerts]\n      PolicyDocument: '{TOPIC_POLICY}'"
    );
    for i in 0..groups {
        let _ = write!(
            out,
            "  Group{i}:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: app-{i}\n\
             \x20 Filter{i}:\n    Type: AWS::Logs::MetricFilter\n    Properties:\n\
             \x20     LogGroupName: !Ref Group{i}\n      FilterPattern: '\"ERROR {i}\"'\n\
             \x20     MetricTransformations:\n        - MetricName: Errors{i}\n          MetricNamespace: App\n          MetricValue: '1'\n"
        );
    }
    out
}

fn cloudformation_json(groups: usize) -> Result<String, serde_json::Error> {
    use serde_json::{Map, Value, json};
    let mut resources = Map::new();
    resources.insert(
        "Trail".into(),
        json!({"Type": "AWS::CloudTrail::Trail", "Properties": {
        "TrailName": "main", "IsLogging": true, "IsMultiRegionTrail": true,
        "S3BucketName": "trail-logs",
        "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["TrailLogs", "Arn"]},
        "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/trail-to-logs"}}),
    );
    resources.insert(
        "TrailLogs".into(),
        json!({"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "trail-logs"}}),
    );
    resources.insert("KeyChanges".into(), json!({"Type": "AWS::Logs::MetricFilter", "Properties": {
        "LogGroupName": {"Ref": "TrailLogs"},
        "FilterPattern": "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
        "MetricTransformations": [{"MetricName": "KmsKeyChanges", "MetricNamespace": "CIS", "MetricValue": "1"}]}}));
    resources.insert("KeyChangesAlarm".into(), json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "MetricName": "KmsKeyChanges", "Namespace": "CIS", "Statistic": "Sum", "Period": 300,
        "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "AlarmActions": [{"Ref": "Alerts"}]}}));
    resources.insert("Alerts".into(), json!({"Type": "AWS::SNS::Topic", "Properties": {
        "TopicName": "alerts",
        "Subscription": [{"Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:123456789012:alerts"}]}}));
    resources.insert(
        "AlertsPolicy".into(),
        json!({"Type": "AWS::SNS::TopicPolicy", "Properties": {
        "Topics": [{"Ref": "Alerts"}],
        "PolicyDocument": serde_json::from_str::<Value>(TOPIC_POLICY)?}}),
    );
    for i in 0..groups {
        resources.insert(
            format!("Group{i}"),
            json!({"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": format!("app-{i}")}}),
        );
        resources.insert(format!("Filter{i}"), json!({"Type": "AWS::Logs::MetricFilter", "Properties": {
            "LogGroupName": {"Ref": format!("Group{i}")},
            "FilterPattern": format!("\"ERROR {i}\""),
            "MetricTransformations": [{"MetricName": format!("Errors{i}"), "MetricNamespace": "App", "MetricValue": "1"}]}}));
    }
    serde_json::to_string(&json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": resources,
    }))
}

fn terraform(groups: usize) -> String {
    let mut out = String::from(
        r#"provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "trail-logs"
  is_multi_region_trail      = true
  enable_logging             = true
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn  = "arn:aws:iam::123456789012:role/trail-to-logs"
}

resource "aws_cloudwatch_log_group" "trail" {
  name = "trail-logs"
}

resource "aws_cloudwatch_log_metric_filter" "key_changes" {
  name           = "key-changes"
  log_group_name = aws_cloudwatch_log_group.trail.name
  pattern        = "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"
  metric_transformation {
    name      = "KmsKeyChanges"
    namespace = "CIS"
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "key_changes" {
  alarm_name          = "key-changes"
  metric_name         = "KmsKeyChanges"
  namespace           = "CIS"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  alarm_actions       = [aws_sns_topic.alerts.arn]
}

resource "aws_sns_topic" "alerts" {
  name = "alerts"
}

resource "aws_sns_topic_subscription" "alerts" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "sqs"
  endpoint  = "arn:aws:sqs:us-east-1:123456789012:alerts"
}
"#,
    );
    for i in 0..groups {
        let _ = write!(
            out,
            "\nresource \"aws_cloudwatch_log_group\" \"g{i}\" {{\n  name = \"app-{i}\"\n}}\n\n\
             resource \"aws_cloudwatch_log_metric_filter\" \"f{i}\" {{\n  name           = \"errors-{i}\"\n  \
             log_group_name = aws_cloudwatch_log_group.g{i}.name\n  pattern        = \"\\\"ERROR {i}\\\"\"\n  \
             metric_transformation {{\n    name      = \"Errors{i}\"\n    namespace = \"App\"\n    value     = \"1\"\n  }}\n}}\n"
        );
    }
    out
}

/// Runs `check --iac PATH` once under `/usr/bin/time` (when present) and prints what it took.
fn measure(
    binary: &Path,
    home: &Path,
    label: &str,
    path: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let size: u64 = if path.is_dir() {
        std::fs::read_dir(path)?
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    } else {
        std::fs::metadata(path)?.len()
    };
    let mut command = if PathBuf::from("/usr/bin/time").is_file() {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f")
            .arg("TIME %e s wall, %M KiB peak RSS")
            .arg(binary);
        c
    } else {
        Command::new(binary)
    };
    command
        .env("HOME", home)
        .env("TRAILWARDEN_CACHE_DIR", home.join("cache"))
        .args(["check", "--only", "TW-KMS-001", "--format", "json", "--iac"])
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let timer = Instant::now();
    let output = command.output()?;
    let wall = timer.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let rss = stderr
        .lines()
        .find(|l| l.starts_with("TIME "))
        .unwrap_or("(peak RSS needs /usr/bin/time)");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    let findings = report["findings"].as_array().map_or(0, Vec::len);
    println!(
        "{label}: {:.1} MB, exit {:?}, {findings} finding(s)",
        size as f64 / 1e6,
        output.status.code()
    );
    println!("  wall {:.2} s; {rss}", wall.as_secs_f64());
    if !output.status.success() {
        let last = stderr.lines().rfind(|l| !l.starts_with("TIME "));
        println!("  {}", last.unwrap_or_default());
    }
    Ok(())
}
