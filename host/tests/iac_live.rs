//! `check --iac` over a live collection, against moto in server mode: the trail and its log
//! group are deployed, the pull request adds the filter, the alarm and the topic, and the
//! change is judged over what the collection read.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::{ACCOUNT, Emulator, repo, stderr, temp, trailwarden};

const REGION: &str = "eu-west-1";
const LOG_GROUP: &str = "/aws/cloudtrail/management-events";

/// What is deployed: a logging multi-region trail delivering to its log group, nothing more.
async fn deploy_trail(emulator: &Emulator) {
    let config = emulator.sdk(REGION).await;
    emulator.create_bucket("iac-live-trail");
    aws_sdk_cloudwatchlogs::Client::new(&config)
        .create_log_group()
        .log_group_name(LOG_GROUP)
        .send()
        .await
        .expect("log group");
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&config);
    cloudtrail
        .create_trail()
        .name("management-events")
        .s3_bucket_name("iac-live-trail")
        .is_multi_region_trail(true)
        .cloud_watch_logs_log_group_arn(format!(
            "arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{LOG_GROUP}:*"
        ))
        .cloud_watch_logs_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/CloudTrailToLogs"))
        .send()
        .await
        .expect("trail");
    cloudtrail
        .start_logging()
        .name("management-events")
        .send()
        .await
        .expect("logging");
}

fn check(emulator: &Emulator, home: &Path, extra: &[&str]) -> (Output, Value) {
    let output = trailwarden(home, &emulator.env())
        .args([
            "check",
            "--regions",
            REGION,
            "--no-lookup-events",
            "--only",
            "TW-KMS-001",
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .expect("binary runs");
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output, report)
}

fn reasons(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["reason"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_pull_request_is_judged_over_a_live_collection() {
    let emulator = Emulator::start();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(deploy_trail(&emulator));
    let home = temp("iac-live", "pull-request");

    // What is deployed alone: the trail delivers, but nothing counts the KMS events.
    let (output, deployed) = check(&emulator, &home, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(reasons(&deployed), ["NO_METRIC_FILTER"], "{deployed}");

    // The pull request over the live account completes the chain, with the account taken
    // from the collection.
    let change = repo().join("host/tests/fixtures/iac/cloudformation/pull-request.yaml");
    let change = change.display().to_string();
    let (output, after) = check(&emulator, &home, &["--iac", &change]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{after}",
        stderr(&output)
    );
    assert_eq!(reasons(&after), Vec::<String>::new(), "{after}");
    assert!(
        emulator.requests() > 0,
        "the collection went to the emulator"
    );
    let _ = std::fs::remove_dir_all(&home);
}
