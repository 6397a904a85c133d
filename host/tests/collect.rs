//! Live collection against moto in server mode, as a user runs it against AWS: the
//! `trailwarden` binary with credentials, region and `AWS_ENDPOINT_URL` in its environment.
//!
//! Each test starts its own moto (on a free 127.0.0.1 port, killed on drop), provisions a
//! multi-region account with the AWS SDK, runs the binary and asserts on the snapshot.
//! `account:ListRegions` and `cloudtrail:LookupEvents` are not served by moto; they are tested
//! with recorded responses in `host/src/collect/`, and here `--regions` names the regions.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{ACCOUNT, Emulator, Fault, read_json, stderr, temp, trailwarden};

const REGIONS: &str = "ap-southeast-2,eu-west-1,us-east-1";
const TRAIL_ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org";

fn region<'a>(snapshot: &'a Value, name: &str) -> &'a Value {
    snapshot["regions"]
        .as_array()
        .and_then(|regions| regions.iter().find(|r| r["region"] == name))
        .unwrap_or_else(|| panic!("region {name} in the snapshot"))
}

fn items(section: &Value) -> &[Value] {
    section["items"].as_array().expect("a section with items")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn kms_record(id: &str, name: &str, minutes_ago: i64) -> Value {
    json!({
        "eventVersion": "1.08",
        "eventID": id,
        "eventTime": trailwarden_sdk::time::format_rfc3339(now() - minutes_ago * 60),
        "eventSource": "kms.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "recipientAccountId": ACCOUNT,
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/mallory", "accountId": ACCOUNT},
        "requestParameters": {"keyId": "arn:aws:kms:us-east-1:123456789012:key/0d7a6b36-1111-2222-3333-444455556666"},
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "readOnly": false
    })
}

/// A three-region account: an organization-style multi-region trail homed in us-east-1 that
/// delivers to CloudWatch Logs (so eu-west-1 and ap-southeast-2 list it as a shadow trail),
/// a single-region trail in eu-west-1, more log groups, topics, subscriptions and rules than
/// one page holds, alarms of every kind and keys with aliases.
async fn provision(emulator: &Emulator) {
    emulator.create_bucket("tw-trail-logs");
    let us = emulator.sdk("us-east-1").await;
    let eu = emulator.sdk("eu-west-1").await;

    let logs = aws_sdk_cloudwatchlogs::Client::new(&us);
    logs.create_log_group()
        .log_group_name("ct/org")
        .send()
        .await
        .expect("log group");
    logs.create_log_stream()
        .log_group_name("ct/org")
        .log_stream_name("123456789012_CloudTrail_us-east-1")
        .send()
        .await
        .expect("log stream");
    use aws_sdk_cloudwatchlogs::types::{InputLogEvent, MetricTransformation};
    let records = [
        kms_record("evt-disable", "DisableKey", 10),
        json!({"eventID": "evt-s3", "eventTime": trailwarden_sdk::time::format_rfc3339(now() - 300),
               "eventSource": "s3.amazonaws.com", "eventName": "GetObject"}),
    ];
    let mut put = logs
        .put_log_events()
        .log_group_name("ct/org")
        .log_stream_name("123456789012_CloudTrail_us-east-1");
    for record in &records {
        put = put.log_events(
            InputLogEvent::builder()
                .timestamp((now() - 60) * 1000)
                .message(record.to_string())
                .build()
                .expect("log event"),
        );
    }
    put.send().await.expect("log events");
    logs.put_metric_filter()
        .log_group_name("ct/org")
        .filter_name("cmk-changes")
        .filter_pattern(
            "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
        )
        .metric_transformations(
            MetricTransformation::builder()
                .metric_name("CMKEventCount")
                .metric_namespace("CloudTrailMetrics")
                .metric_value("1")
                .default_value(0.0)
                .build()
                .expect("transformation"),
        )
        .send()
        .await
        .expect("metric filter");

    let cloudtrail = aws_sdk_cloudtrail::Client::new(&us);
    cloudtrail
        .create_trail()
        .name("org")
        .s3_bucket_name("tw-trail-logs")
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .cloud_watch_logs_log_group_arn("arn:aws:logs:us-east-1:123456789012:log-group:ct/org:*")
        .cloud_watch_logs_role_arn("arn:aws:iam::123456789012:role/CloudTrailToLogs")
        .send()
        .await
        .expect("trail");
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType,
    };
    cloudtrail
        .put_event_selectors()
        .trail_name("org")
        .advanced_event_selectors(
            AdvancedEventSelector::builder()
                .name("management events")
                .field_selectors(
                    AdvancedFieldSelector::builder()
                        .field("eventCategory")
                        .equals("Management")
                        .build()
                        .expect("field selector"),
                )
                .build()
                .expect("selector"),
        )
        .send()
        .await
        .expect("advanced selectors");
    cloudtrail
        .start_logging()
        .name("org")
        .send()
        .await
        .expect("logging");

    let cloudtrail_eu = aws_sdk_cloudtrail::Client::new(&eu);
    cloudtrail_eu
        .create_trail()
        .name("eu-local")
        .s3_bucket_name("tw-trail-logs")
        .send()
        .await
        .expect("eu trail");
    cloudtrail_eu
        .put_event_selectors()
        .trail_name("eu-local")
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::WriteOnly)
                .include_management_events(true)
                .exclude_management_event_sources("kms.amazonaws.com")
                .build(),
        )
        .send()
        .await
        .expect("basic selectors");

    // More log groups than one DescribeLogGroups page (50).
    let logs_eu = aws_sdk_cloudwatchlogs::Client::new(&eu);
    for i in 0..60 {
        logs_eu
            .create_log_group()
            .log_group_name(format!("/app/service-{i:02}"))
            .send()
            .await
            .expect("eu log group");
    }
    logs_eu
        .put_retention_policy()
        .log_group_name("/app/service-00")
        .retention_in_days(30)
        .send()
        .await
        .expect("retention");

    let kms = aws_sdk_kms::Client::new(&us);
    let key = kms
        .create_key()
        .description("trail logs")
        .send()
        .await
        .expect("key");
    let key = key.key_metadata().expect("metadata");
    let key_arn = key.arn().expect("key arn").to_owned();
    kms.create_alias()
        .alias_name("alias/trail-logs")
        .target_key_id(key.key_id())
        .send()
        .await
        .expect("alias");
    let kms_eu = aws_sdk_kms::Client::new(&eu);
    kms_eu
        .create_key()
        .origin(aws_sdk_kms::types::OriginType::External)
        .send()
        .await
        .expect("external key");

    let sns = aws_sdk_sns::Client::new(&us);
    let topic = sns
        .create_topic()
        .name("security-alerts")
        .attributes("KmsMasterKeyId", &key_arn)
        .send()
        .await
        .expect("topic");
    let topic_arn = topic.topic_arn().expect("topic arn").to_owned();
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("email")
        .endpoint("security@example.com")
        .send()
        .await
        .expect("email subscription");
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint("arn:aws:sqs:us-east-1:123456789012:alerts")
        .send()
        .await
        .expect("sqs subscription");
    // More subscriptions than one ListSubscriptionsByTopic page (100), more topics than one
    // ListTopics page (100).
    let bulk = sns
        .create_topic()
        .name("bulk")
        .send()
        .await
        .expect("bulk topic");
    let bulk_arn = bulk.topic_arn().expect("bulk arn").to_owned();
    for i in 0..105 {
        sns.subscribe()
            .topic_arn(&bulk_arn)
            .protocol("https")
            .endpoint(format!("https://hooks.example.com/{i}"))
            .send()
            .await
            .expect("https subscription");
    }
    for i in 0..100 {
        sns.create_topic()
            .name(format!("noise-{i:03}"))
            .send()
            .await
            .expect("noise topic");
    }

    let cloudwatch = aws_sdk_cloudwatch::Client::new(&us);
    use aws_sdk_cloudwatch::types::{
        ComparisonOperator, Metric, MetricDataQuery, MetricStat, Statistic,
    };
    cloudwatch
        .put_metric_alarm()
        .alarm_name("kms-changes")
        .metric_name("CMKEventCount")
        .namespace("CloudTrailMetrics")
        .statistic(Statistic::Sum)
        .period(300)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data("notBreaching")
        .alarm_actions(&topic_arn)
        .send()
        .await
        .expect("alarm");
    cloudwatch
        .put_metric_alarm()
        .alarm_name("kms-math")
        .evaluation_periods(1)
        .threshold(0.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .metrics(
            MetricDataQuery::builder()
                .id("m1")
                .return_data(false)
                .metric_stat(
                    MetricStat::builder()
                        .metric(
                            Metric::builder()
                                .namespace("CloudTrailMetrics")
                                .metric_name("CMKEventCount")
                                .build(),
                        )
                        .period(300)
                        .stat("Sum")
                        .build(),
                )
                .build(),
        )
        .metrics(
            MetricDataQuery::builder()
                .id("e1")
                .expression("FILL(m1, 0)")
                .label("changes")
                .return_data(true)
                .build(),
        )
        .alarm_actions(&topic_arn)
        .send()
        .await
        .expect("math alarm");
    // moto 5.2.5 implements no PutCompositeAlarm; composite alarms are covered with recorded
    // responses in host/src/collect/cloudwatch.rs.

    // More rules than one ListRules page (100), one with a target.
    let events = aws_sdk_eventbridge::Client::new(&us);
    events
        .put_rule()
        .name("kms-key-changes")
        .event_pattern(
            r#"{"source": ["aws.kms"], "detail": {"eventName": ["DisableKey", "ScheduleKeyDeletion"]}}"#,
        )
        .send()
        .await
        .expect("rule");
    events
        .put_targets()
        .rule("kms-key-changes")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("security-alerts")
                .arn(&topic_arn)
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("targets");
    for i in 0..110 {
        events
            .put_rule()
            .name(format!("nightly-{i:03}"))
            .schedule_expression("rate(1 day)")
            .send()
            .await
            .expect("noise rule");
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn snapshot_reads_a_multi_region_account_to_the_last_page() {
    let emulator = Emulator::start();
    runtime().block_on(provision(&emulator));
    let home = temp("collect", "full");
    let events_file = home.join("events.json");
    let file_records = json!({"Records": [
        kms_record("evt-disable", "DisableKey", 10),
        kms_record("evt-delete", "ScheduleKeyDeletion", 20),
        kms_record("evt-old", "DisableKey", 600),
    ]});
    std::fs::write(&events_file, file_records.to_string()).expect("events file");
    let out = home.join("snapshot.json");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "snapshot",
            "--regions",
            REGIONS,
            "--no-lookup-events",
            "--events-log-group",
        ])
        .arg("--events")
        .arg(&events_file)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("collected 3 regions:"), "{err}");
    assert!(err.contains("0 errors"), "{err}");

    let snapshot = read_json(&out);
    assert_eq!(snapshot["schemaVersion"], 1);
    assert_eq!(snapshot["account"]["id"], ACCOUNT);
    assert_eq!(snapshot["account"]["partition"], "aws");
    assert!(
        snapshot["generator"]["tool"]
            .as_str()
            .is_some_and(|t| t.starts_with("trailwarden ")),
        "{}",
        snapshot["generator"]
    );
    assert!(snapshot["generator"]["collectedAt"].is_string());
    let window = snapshot["generator"]["eventsWindow"]
        .as_array()
        .expect("window");
    let start = trailwarden_sdk::time::parse_rfc3339(window[0].as_str().unwrap_or_default());
    let end = trailwarden_sdk::time::parse_rfc3339(window[1].as_str().unwrap_or_default());
    assert_eq!(
        end.and_then(|e| start.map(|s| e - s)),
        Ok(3600),
        "{window:?}"
    );
    let names: Vec<&str> = snapshot["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .filter_map(|r| r["region"].as_str())
        .collect();
    assert_eq!(names, ["ap-southeast-2", "eu-west-1", "us-east-1"]);

    // The multi-region trail: home copy with status and advanced selectors, and shadow copies
    // in the other regions carrying what the home region said.
    for name in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
        let trails = items(&region(&snapshot, name)["trails"]);
        let org = trails
            .iter()
            .find(|t| t["trailArn"] == TRAIL_ARN)
            .unwrap_or_else(|| panic!("org trail listed in {name}: {trails:?}"));
        assert_eq!(org["homeRegion"], "us-east-1");
        assert_eq!(org["isMultiRegionTrail"], true);
        assert_eq!(org["logFileValidationEnabled"], true);
        assert_eq!(org["status"]["isLogging"], true, "{name}: {org}");
        assert_eq!(
            org["eventSelectors"]["advancedEventSelectors"][0]["fieldSelectors"][0],
            json!({"field": "eventCategory", "equals": ["Management"]}),
            "{name}: {org}"
        );
        assert_eq!(
            org["cloudWatchLogsLogGroupArn"],
            "arn:aws:logs:us-east-1:123456789012:log-group:ct/org:*"
        );
    }
    let eu = region(&snapshot, "eu-west-1");
    let local = items(&eu["trails"])
        .iter()
        .find(|t| t["name"] == "eu-local")
        .expect("eu-local trail");
    assert_eq!(local["homeRegion"], "eu-west-1");
    assert_eq!(
        local["eventSelectors"]["eventSelectors"][0],
        json!({"readWriteType": "WriteOnly", "includeManagementEvents": true,
               "excludeManagementEventSources": ["kms.amazonaws.com"]})
    );
    assert!(
        items(&region(&snapshot, "ap-southeast-2")["trails"])
            .iter()
            .all(|t| t["name"] != "eu-local"),
        "a single-region trail is not shadowed"
    );

    // Pagination past the first page.
    let groups = items(&eu["logGroups"]);
    assert_eq!(groups.len(), 60, "log groups beyond one page of 50");
    let first = groups
        .iter()
        .find(|g| g["logGroupName"] == "/app/service-00")
        .expect("first group");
    assert_eq!(first["retentionInDays"], 30);
    assert_eq!(
        first["arn"],
        "arn:aws:logs:eu-west-1:123456789012:log-group:/app/service-00"
    );

    let us = region(&snapshot, "us-east-1");
    let filters = items(&us["metricFilters"]);
    assert_eq!(filters.len(), 1, "{filters:?}");
    assert_eq!(filters[0]["filterName"], "cmk-changes");
    assert_eq!(filters[0]["logGroupName"], "ct/org");
    assert_eq!(
        filters[0]["metricTransformations"][0],
        json!({"metricName": "CMKEventCount", "metricNamespace": "CloudTrailMetrics",
               "metricValue": "1", "defaultValue": 0.0})
    );

    // Log alarms are asked for in a call of their own (AlarmTypes=[LogAlarm]). moto 5.2.5
    // ignores AlarmTypes and serves no log alarm, so the section is read, empty, with no error
    // (the converted fields are tested on recorded responses in collect/cloudwatch.rs).
    assert_eq!(
        us["logAlarms"],
        json!({"collected": true, "items": []}),
        "{}",
        us["logAlarms"]
    );

    let alarms = items(&us["metricAlarms"]);
    let alarm = alarms
        .iter()
        .find(|a| a["alarmName"] == "kms-changes")
        .expect("alarm");
    assert_eq!(alarm["statistic"], "Sum");
    assert_eq!(alarm["threshold"], 1.0);
    assert_eq!(alarm["comparisonOperator"], "GreaterThanOrEqualToThreshold");
    assert_eq!(alarm["treatMissingData"], "notBreaching");
    let math = alarms
        .iter()
        .find(|a| a["alarmName"] == "kms-math")
        .expect("math alarm");
    assert_eq!(
        math["metrics"][0]["metricStat"]["metric"]["metricName"],
        "CMKEventCount"
    );
    assert_eq!(math["metrics"][0]["returnData"], false);
    assert_eq!(math["metrics"][1]["expression"], "FILL(m1, 0)");
    assert_eq!(
        us["compositeAlarms"],
        json!({"collected": true, "items": []})
    );

    let topics = items(&us["topics"]);
    assert_eq!(topics.len(), 102, "topics beyond one page of 100");
    let alerts = topics
        .iter()
        .find(|t| {
            t["topicArn"]
                .as_str()
                .is_some_and(|a| a.ends_with(":security-alerts"))
        })
        .expect("alerts topic");
    assert!(
        alerts["kmsMasterKeyId"]
            .as_str()
            .is_some_and(|k| k.starts_with("arn:aws:kms:us-east-1:")),
        "{alerts}"
    );
    let subscriptions = alerts["subscriptions"].as_array().expect("subscriptions");
    let email = subscriptions
        .iter()
        .find(|s| s["protocol"] == "email")
        .expect("email");
    assert_eq!(
        email["endpoint"], "<redacted>",
        "e-mail addresses are redacted"
    );
    let sqs = subscriptions
        .iter()
        .find(|s| s["protocol"] == "sqs")
        .expect("sqs");
    assert_eq!(sqs["endpoint"], "arn:aws:sqs:us-east-1:123456789012:alerts");
    let bulk = topics
        .iter()
        .find(|t| t["topicArn"].as_str().is_some_and(|a| a.ends_with(":bulk")))
        .expect("bulk topic");
    let bulk_subscriptions = bulk["subscriptions"]
        .as_array()
        .expect("bulk subscriptions");
    assert_eq!(
        bulk_subscriptions.len(),
        105,
        "subscriptions beyond one page"
    );
    assert!(
        bulk_subscriptions
            .iter()
            .all(|s| s["endpoint"] == "<redacted>")
    );
    assert!(
        !std::fs::read_to_string(&out)
            .unwrap_or_default()
            .contains("example.com")
    );

    let rules = items(&us["eventRules"]);
    assert_eq!(rules.len(), 111, "rules beyond one page of 100");
    let kms_rule = rules
        .iter()
        .find(|r| r["name"] == "kms-key-changes")
        .expect("kms rule");
    assert_eq!(kms_rule["state"], "ENABLED");
    assert_eq!(kms_rule["eventBusName"], "default");
    assert!(
        kms_rule["eventPattern"]
            .as_str()
            .is_some_and(|p| p.contains("aws.kms"))
    );
    assert_eq!(kms_rule["targets"][0]["id"], "security-alerts");

    let keys = items(&us["kmsKeys"]);
    let key = keys
        .iter()
        .find(|k| k["aliases"] == json!(["alias/trail-logs"]))
        .expect("aliased key");
    assert_eq!(key["keyManager"], "CUSTOMER");
    assert_eq!(key["keyState"], "Enabled");
    assert_eq!(key["origin"], "AWS_KMS");
    let external = items(&eu["kmsKeys"]);
    assert_eq!(external.len(), 1, "{external:?}");
    assert_eq!(external[0]["origin"], "EXTERNAL");

    // Events: the file and the trail's log group overlap on one record, which is kept once;
    // the record outside the window and the S3 record are left out.
    let events = items(&snapshot["events"]);
    let ids: Vec<&str> = events
        .iter()
        .filter_map(|e| e["eventID"].as_str())
        .collect();
    assert_eq!(ids, ["evt-delete", "evt-disable"], "{events:?}");
    assert!(
        snapshot["events"]["errors"].is_null(),
        "{}",
        snapshot["events"]
    );

    // --no-redact keeps endpoints.
    let unredacted = home.join("unredacted.json");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "snapshot",
            "-q",
            "--regions",
            "us-east-1",
            "--no-redact",
            "--only",
            "TW-KMS-001",
            "-o",
        ])
        .arg(&unredacted)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "-q prints nothing");
    let text = std::fs::read_to_string(&unredacted).expect("snapshot");
    assert!(text.contains("security@example.com"));
    assert!(text.contains("https://hooks.example.com/7"));
    // Only what TW-KMS-001 needs: event rules (its `accept_eventbridge` setting reads them),
    // but no CloudTrail events.
    let snapshot: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        region(&snapshot, "us-east-1")["eventRules"]["collected"],
        true
    );
    assert_eq!(snapshot["events"]["collected"], false);
    assert!(snapshot["generator"]["eventsWindow"].is_null());
}

#[test]
fn failed_calls_are_recorded_next_to_their_sections_and_collection_goes_on() {
    let emulator = Emulator::start();
    runtime().block_on(provision(&emulator));
    emulator.inject(Fault::error(
        "logs",
        Some("eu-west-1"),
        Some("DescribeMetricFilters"),
        400,
        "AccessDeniedException",
    ));
    emulator.inject(Fault::error(
        "sns",
        Some("eu-west-1"),
        Some("ListTopics"),
        403,
        "AuthorizationError",
    ));
    emulator.inject(Fault::delay(
        "monitoring",
        Some("eu-west-1"),
        None,
        Duration::from_secs(8),
    ));
    let home = temp("collect", "faults");
    let out = home.join("snapshot.json");
    // xx-hidden-1 stands for a region that is not enabled: moto fails every call there.
    let output = trailwarden(&home, &emulator.env())
        .args([
            "snapshot",
            "--regions",
            "us-east-1,eu-west-1,xx-hidden-1",
            "--call-timeout",
            "3",
            "--max-attempts",
            "2",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    let snapshot = read_json(&out);

    let error_of = |section: &Value| -> Value { section["errors"][0].clone() };
    let eu = region(&snapshot, "eu-west-1");
    let denied = error_of(&eu["metricFilters"]);
    assert_eq!(denied["service"], "logs");
    assert_eq!(denied["operation"], "DescribeMetricFilters");
    assert_eq!(denied["region"], "eu-west-1");
    assert_eq!(denied["code"], "AccessDeniedException");
    assert!(items(&eu["metricFilters"]).is_empty());
    assert_eq!(
        items(&eu["logGroups"]).len(),
        60,
        "the rest of the region is read"
    );

    let timeout = error_of(&eu["metricAlarms"]);
    assert_eq!(timeout["service"], "cloudwatch");
    assert_eq!(timeout["operation"], "DescribeAlarms");
    assert_eq!(timeout["code"], "Timeout");
    assert_eq!(error_of(&eu["compositeAlarms"])["code"], "Timeout");

    assert_eq!(error_of(&eu["topics"])["code"], "AuthorizationError");

    let us = region(&snapshot, "us-east-1");
    assert_eq!(
        items(&us["topics"]).len(),
        102,
        "us-east-1 is otherwise complete"
    );
    assert!(us["topics"]["errors"].is_null());

    // The disabled region: every section records its failure.
    let hidden = region(&snapshot, "xx-hidden-1");
    for section in [
        "trails",
        "logGroups",
        "metricFilters",
        "metricAlarms",
        "topics",
        "eventRules",
        "kmsKeys",
    ] {
        let error = error_of(&hidden[section]);
        assert_eq!(
            error["region"], "xx-hidden-1",
            "{section}: {}",
            hidden[section]
        );
        assert!(error["code"].is_string(), "{section}: {error}");
    }

    // LookupEvents is not served by moto: recorded per region, not fatal.
    let lookup: Vec<&Value> = snapshot["events"]["errors"]
        .as_array()
        .expect("events errors")
        .iter()
        .filter(|e| e["operation"] == "LookupEvents")
        .collect();
    assert_eq!(lookup.len(), 3, "{}", snapshot["events"]);

    // Throttled past every retry, in a run of its own: under adaptive retry the back-off
    // must not run into a short call timeout.
    emulator.clear_faults();
    emulator.inject(Fault::error(
        "kms",
        Some("us-east-1"),
        Some("ListKeys"),
        400,
        "ThrottlingException",
    ));
    let throttled_out = home.join("throttled.json");
    let throttled_run = trailwarden(&home, &emulator.env())
        .args(["snapshot", "--regions", "us-east-1", "--no-lookup-events"])
        .args(["--max-attempts", "2", "--call-timeout", "30", "-o"])
        .arg(&throttled_out)
        .output()
        .expect("binary runs");
    assert_eq!(
        throttled_run.status.code(),
        Some(0),
        "{}",
        stderr(&throttled_run)
    );
    let throttled_snapshot = read_json(&throttled_out);
    let throttled = error_of(&region(&throttled_snapshot, "us-east-1")["kmsKeys"]);
    assert_eq!(throttled["operation"], "ListKeys");
    assert_eq!(throttled["code"], "ThrottlingException");
    let throttled_err = stderr(&throttled_run);
    assert!(
        throttled_err.contains("(ThrottlingException): throttled past every retry"),
        "{throttled_err}"
    );

    // The summary names what could not be read and the fix.
    assert!(
        err.contains(
            "could not read logs:DescribeMetricFilters in eu-west-1 (AccessDeniedException): allow logs:DescribeMetricFilters"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "could not read sns:ListTopics in eu-west-1 (AuthorizationError): allow sns:ListTopics"
        ),
        "{err}"
    );
    assert!(
        err.contains("cloudwatch:DescribeAlarms in eu-west-1 (Timeout): no answer in time"),
        "{err}"
    );
}

#[test]
fn live_check_collects_and_checks_in_one_go() {
    let emulator = Emulator::start();
    runtime().block_on(provision(&emulator));
    let home = temp("collect", "check");
    let saved = home.join("saved.json");
    let report = home.join("report.json");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "check",
            "--regions",
            REGIONS,
            "--no-lookup-events",
            "--format",
            "json",
            "-o",
        ])
        .arg(&report)
        .arg("--save-snapshot")
        .arg(&saved)
        .output()
        .expect("binary runs");
    // Findings (exit 1) or a pass (0), never a failed run.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    let report = read_json(&report);
    assert_eq!(report["format"], "trailwarden-report/1");
    assert!(report["rules"].as_array().is_some_and(|r| r.len() > 10));
    let snapshot = read_json(&saved);
    assert_eq!(snapshot["account"]["id"], ACCOUNT);
    // SARIF from a live run names the AWS resources by their virtual paths.
    let sarif = home.join("report.sarif");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "check",
            "-q",
            "--regions",
            "us-east-1",
            "--no-lookup-events",
            "--format",
            "sarif",
            "-o",
        ])
        .arg(&sarif)
        .arg("--save-snapshot")
        .arg(&saved)
        .output()
        .expect("binary runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif")).expect("json");
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(!uris.is_empty(), "{sarif}");
    let prefix = format!("aws/{ACCOUNT}/");
    assert!(uris.iter().all(|uri| uri.starts_with(&prefix)), "{uris:?}");
}

#[test]
fn credentials_region_and_endpoint_come_from_a_profile() {
    let emulator = Emulator::start();
    let home = temp("collect", "profile");
    let aws = home.join(".aws");
    std::fs::create_dir_all(&aws).expect("aws dir");
    std::fs::write(
        aws.join("config"),
        format!(
            "[profile audit]\nregion = eu-west-1\nendpoint_url = {}\n",
            emulator.url()
        ),
    )
    .expect("config");
    std::fs::write(
        aws.join("credentials"),
        "[audit]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n",
    )
    .expect("credentials");
    let out = home.join("snapshot.json");
    // No --regions: ListRegions is not served by moto, so the failure is recorded and the
    // profile's region is collected alone.
    let output = trailwarden(
        &home,
        &[("AWS_EC2_METADATA_DISABLED".into(), "true".into())],
    )
    .args(["snapshot", "--profile", "audit", "--no-lookup-events", "-o"])
    .arg(&out)
    .output()
    .expect("binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let snapshot = read_json(&out);
    assert_eq!(snapshot["account"]["id"], ACCOUNT);
    let names: Vec<&str> = snapshot["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .filter_map(|r| r["region"].as_str())
        .collect();
    assert_eq!(names, ["eu-west-1"]);
    assert_eq!(snapshot["errors"][0]["operation"], "ListRegions");
    let err = stderr(&output);
    assert!(
        err.contains("allow account:ListRegions, or name the regions with --regions"),
        "{err}"
    );

    // AWS_PROFILE in the environment makes a bare `check` collect live rather than show the
    // demo.
    let output = trailwarden(
        &home,
        &[
            ("AWS_PROFILE".into(), "audit".into()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ],
    )
    .args(["check", "--no-lookup-events", "--format", "json"])
    .output()
    .expect("binary runs");
    // The refused ListRegions makes the results partial: exit 2, saying so.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("--allow-partial"), "{err}");
    assert!(!err.contains("embedded demo"), "{err}");
    assert!(err.contains("collected 1 region:"), "{err}");
}

#[test]
fn a_role_is_assumed_with_its_external_id_first() {
    let emulator = Emulator::start();
    let home = temp("collect", "role");
    let out = home.join("snapshot.json");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "snapshot",
            "--regions",
            "us-east-1",
            "--role-arn",
            "arn:aws:iam::111122223333:role/trailwarden-audit",
            "--external-id",
            "tw-4711",
            "--no-lookup-events",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let snapshot = read_json(&out);
    assert_eq!(
        snapshot["account"]["id"], "111122223333",
        "the snapshot describes the assumed role's account"
    );
}

/// Credentials and an endpoint on which nothing listens (port 9, discard).
fn unreachable_aws() -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
    ]
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .to_vec()
}

#[test]
fn bad_credentials_endpoint_is_a_clear_error() {
    // Nothing listens on the endpoint: identifying the account fails, and the run says so.
    let home = temp("collect", "noendpoint");
    let env = unreachable_aws();
    let output = trailwarden(&home, &env)
        .args([
            "snapshot",
            "--regions",
            "us-east-1",
            "--max-attempts",
            "1",
            "--call-timeout",
            "2",
        ])
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("could not identify the AWS account"), "{err}");
    assert!(err.contains("sts:GetCallerIdentity"), "{err}");
}

#[test]
fn an_unknown_profile_is_named_instead_of_an_instance_role_failure() {
    let home = temp("collect", "noprofile");
    std::fs::create_dir_all(home.join(".aws")).expect(".aws");
    std::fs::write(
        home.join(".aws/config"),
        "[profile audit]\nregion = eu-west-1\n",
    )
    .expect("config");
    let output = trailwarden(&home, &[])
        .args(["snapshot", "--profile", "audti", "--regions", "eu-west-1"])
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("no profile `audti`"), "{err}");
    assert!(err.contains(".aws/config"), "{err}");
    assert!(!err.contains("IMDS"), "{err}");
}

#[test]
fn no_credentials_anywhere_is_named_before_any_call() {
    let home = temp("collect", "nocredentials");
    let output = trailwarden(&home, &[])
        .args(["snapshot", "--regions", "eu-west-1"])
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("could not load AWS credentials"), "{err}");
    assert!(err.contains("--profile"), "{err}");
    assert!(!err.contains("GetCallerIdentity"), "{err}");
}

#[test]
fn a_malformed_events_file_is_an_error_naming_it_before_any_call() {
    let home = temp("collect", "badevents");
    let bad = home.join("broken_CloudTrail.json");
    std::fs::write(&bad, "{\"Records\": [ {\"eventName\": ").expect("file");
    let env = unreachable_aws();
    let output = trailwarden(&home, &env)
        .args(["snapshot", "--regions", "us-east-1", "--events"])
        .arg(&bad)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("broken_CloudTrail.json is not a CloudTrail log file"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !err.contains("could not identify"),
        "files are read before any call: {err}"
    );
}

/// An account with what the attached-configuration sections read: in us-east-1 a
/// customer-managed key with rotation on, its own policy and tags, a second one with rotation
/// off and no tags, and a topic with an access policy; in eu-west-1 one more key. Returns the
/// ARNs of the two us-east-1 keys and of the topic.
async fn provision_attached(emulator: &Emulator) -> (String, String, String) {
    let us = emulator.sdk("us-east-1").await;
    let eu = emulator.sdk("eu-west-1").await;
    let kms = aws_sdk_kms::Client::new(&us);
    let rotated = kms.create_key().send().await.expect("key");
    let rotated = rotated.key_metadata().expect("metadata");
    let rotated_arn = rotated.arn().expect("arn").to_owned();
    kms.enable_key_rotation()
        .key_id(rotated.key_id())
        .send()
        .await
        .expect("rotation on");
    kms.put_key_policy()
        .key_id(rotated.key_id())
        .policy_name("default")
        .policy(KEY_POLICY)
        .send()
        .await
        .expect("key policy");
    let tag = |key: &str, value: &str| {
        aws_sdk_kms::types::Tag::builder()
            .tag_key(key)
            .tag_value(value)
            .build()
            .expect("tag")
    };
    kms.tag_resource()
        .key_id(rotated.key_id())
        .tags(tag("team", "security"))
        .tags(tag("data", "logs"))
        .send()
        .await
        .expect("tags");
    let plain = kms.create_key().send().await.expect("key");
    let plain_arn = plain
        .key_metadata()
        .and_then(|m| m.arn())
        .expect("arn")
        .to_owned();
    aws_sdk_kms::Client::new(&eu)
        .create_key()
        .send()
        .await
        .expect("eu key");
    let sns = aws_sdk_sns::Client::new(&us);
    let topic = sns
        .create_topic()
        .name("security-alerts")
        .send()
        .await
        .expect("topic");
    let topic_arn = topic.topic_arn().expect("topic arn").to_owned();
    sns.set_topic_attributes()
        .topic_arn(&topic_arn)
        .attribute_name("Policy")
        .attribute_value(topic_policy(&topic_arn))
        .send()
        .await
        .expect("topic policy");
    (rotated_arn, plain_arn, topic_arn)
}

const KEY_POLICY: &str = r#"{"Version":"2012-10-17","Id":"acme","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}"#;

fn topic_policy(topic_arn: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "CloudWatch", "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
        "Resource": topic_arn}]})
    .to_string()
}

/// Collects `needs` in us-east-1 and eu-west-1 in-process, with the SDK configuration of the
/// emulator.
fn collect_sections(
    emulator: &Emulator,
    needs: &[trailwarden_sdk::sections::SectionName],
) -> trailwarden::collect::Collection {
    use trailwarden::collect::{Plan, aws::AwsOptions, events::EventSources, progress::Progress};
    let plan = Plan {
        aws: AwsOptions {
            profile: None,
            region: Some("us-east-1".to_owned()),
            role_arn: None,
            external_id: None,
            role_session_name: "trailwarden".to_owned(),
            call_timeout: Duration::from_secs(20),
            max_attempts: 2,
        },
        regions: vec!["us-east-1".to_owned(), "eu-west-1".to_owned()],
        needs: needs.iter().copied().collect(),
        window: (now() - 3600, now()),
        events: EventSources::default(),
        redact: true,
        max_in_flight: 8,
    };
    runtime()
        .block_on(async {
            let config = emulator.sdk("us-east-1").await;
            trailwarden::collect::collect(&config, &plan, Progress::hidden()).await
        })
        .expect("collected")
}

#[test]
fn key_rotation_policy_tags_and_topic_policies_are_collected_when_declared() {
    use trailwarden_sdk::sections::SectionName;
    let emulator = Emulator::start();
    let (rotated, plain, topic) = runtime().block_on(provision_attached(&emulator));

    let needs = [
        SectionName::KeyRotations,
        SectionName::KeyPolicies,
        SectionName::KeyTags,
        SectionName::TopicPolicies,
    ];
    let snapshot = collect_sections(&emulator, &needs).snapshot;
    let us = snapshot.region("us-east-1").expect("us-east-1");
    for name in needs {
        let section = us.section(name).expect("regional");
        assert!(
            section.errors().is_empty(),
            "{name}: {:?}",
            section.errors()
        );
    }
    // The sections ride on the key listing, but `kmsKeys` itself was not asked for.
    assert!(us.kms_keys.is_not_collected());
    assert!(us.topics.is_not_collected());

    let rotation = snapshot
        .key_rotation(&rotated)
        .expect("rotation of the rotated key");
    assert!(rotation.rotation_enabled);
    let rotation = snapshot
        .key_rotation(&plain)
        .expect("rotation of the plain key");
    assert!(!rotation.rotation_enabled);
    assert_eq!(us.key_rotations.items.len(), 2, "{:?}", us.key_rotations);

    let policy = snapshot.key_policy(&rotated).expect("policy");
    assert_eq!(
        policy.document().expect("JSON"),
        serde_json::from_str::<Value>(KEY_POLICY).expect("JSON")
    );
    assert!(
        snapshot
            .key_policy(&plain)
            .is_some_and(|p| p.document().is_ok()),
        "the default policy is read too"
    );

    let tags = snapshot.key_tags(&rotated).expect("tags");
    assert_eq!(tags.tag("team"), Some("security"));
    assert_eq!(tags.tag("data"), Some("logs"));
    assert_eq!(tags.tags.len(), 2);
    assert!(snapshot.key_tags(&plain).is_some_and(|t| t.tags.is_empty()));

    let topic_policy_read = snapshot.topic_policy(&topic).expect("topic policy");
    assert_eq!(
        topic_policy_read.document().expect("JSON")["Statement"][0]["Sid"],
        "CloudWatch"
    );
    let eu = snapshot.region("eu-west-1").expect("eu-west-1");
    assert_eq!(eu.key_rotations.items.len(), 1, "{:?}", eu.key_rotations);

    // A saved snapshot keeps them and reads back the same.
    let text = serde_json::to_string(&snapshot).expect("json");
    assert_eq!(
        trailwarden_sdk::Snapshot::from_json(&text).expect("parses"),
        snapshot
    );
}

#[test]
fn a_refused_key_call_is_recorded_and_the_rest_is_read() {
    use trailwarden_sdk::sections::SectionName;
    let emulator = Emulator::start();
    let (rotated, _, topic) = runtime().block_on(provision_attached(&emulator));
    emulator.inject(Fault::error(
        "kms",
        Some("us-east-1"),
        Some("GetKeyPolicy"),
        400,
        "AccessDeniedException",
    ));
    let collection = collect_sections(
        &emulator,
        &[
            SectionName::KmsKeys,
            SectionName::KeyRotations,
            SectionName::KeyPolicies,
            SectionName::Topics,
            SectionName::TopicPolicies,
        ],
    );
    let snapshot = &collection.snapshot;
    let us = snapshot.region("us-east-1").expect("us-east-1");
    assert_eq!(
        us.key_policies.errors.len(),
        2,
        "one per key: {:?}",
        us.key_policies
    );
    assert_eq!(us.key_policies.errors[0].operation, "GetKeyPolicy");
    assert_eq!(us.key_policies.errors[0].code, "AccessDeniedException");
    assert!(us.key_policies.verified().is_err());
    let eu = snapshot.region("eu-west-1").expect("eu-west-1");
    assert!(eu.key_policies.verified().is_ok(), "{:?}", eu.key_policies);
    assert!(
        snapshot.key_rotation(&rotated).is_some(),
        "rotations are still read"
    );
    assert!(us.key_rotations.verified().is_ok());
    assert_eq!(us.kms_keys.items.len(), 2);
    assert!(us.kms_keys.verified().is_ok());
    // Topics and their policies from one GetTopicAttributes each.
    assert!(snapshot.topic_policy(&topic).is_some());
    assert_eq!(us.topics.items.len(), 1);
    assert!(
        collection
            .summary
            .problems()
            .iter()
            .any(|p| p.contains("allow kms:GetKeyPolicy")),
        "{:?}",
        collection.summary.problems()
    );
}

#[test]
fn attached_sections_are_collected_only_when_a_rule_declares_them() {
    let emulator = Emulator::start();
    runtime().block_on(provision_attached(&emulator));
    let home = temp("collect", "attached");
    let snapshot = |only: Option<&str>| {
        let out = home.join("snapshot.json");
        let mut command = trailwarden(&home, &emulator.env());
        command.args([
            "snapshot",
            "-q",
            "--regions",
            "us-east-1",
            "--no-lookup-events",
            "-o",
        ]);
        command.arg(&out);
        if let Some(only) = only {
            command.args(["--only", only]);
        }
        let output = command.output().expect("binary runs");
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        read_json(&out)
    };
    let all = snapshot(None);
    let us = region(&all, "us-east-1");
    assert!(
        !items(&us["kmsKeys"]).is_empty(),
        "the built-in rules read keys"
    );
    // The chain rules judge topic and key policies (who may publish); no built-in rule reads
    // rotation or tags.
    for key in ["keyPolicies", "topicPolicies", "topicDeliveries"] {
        assert!(!items(&us[key]).is_empty(), "{key} is declared: {us}");
    }
    // The topic here has no subscription: the section is read, and empty.
    assert_eq!(us["subscriptionAttributes"]["collected"], true, "{us}");
    for key in ["keyRotations", "keyTags"] {
        assert!(us.get(key).is_none(), "{key} was not asked for: {us}");
    }
    let trails_only = snapshot(Some("TW-CT-001"));
    let us = region(&trails_only, "us-east-1");
    for key in [
        "keyRotations",
        "keyPolicies",
        "keyTags",
        "topicPolicies",
        "topicDeliveries",
        "subscriptionAttributes",
    ] {
        assert!(us.get(key).is_none(), "{key} was not asked for: {us}");
    }
}

/// Runs `check --only TW-KMS-001` on us-east-1 of the emulator and returns the reasons of its
/// findings.
fn key_alarm_reasons(emulator: &Emulator, home: &std::path::Path) -> Vec<String> {
    let report = home.join("report.json");
    let output = trailwarden(home, &emulator.env())
        .args([
            "check",
            "-q",
            "--only",
            "TW-KMS-001",
            "--regions",
            "us-east-1",
            "--no-lookup-events",
            "--format",
            "json",
            "-o",
        ])
        .arg(&report)
        .output()
        .expect("binary runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    read_json(&report)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["reason"].as_str().map(str::to_owned))
        .collect()
}

/// Issue #19: the topic's access policy and its CMK's key policy decide whether CloudWatch can
/// publish. moto stores both; the chain of `provision` is complete up to the topic, whose key
/// has moto's default policy (the account root only).
#[test]
fn a_topic_or_key_policy_that_leaves_cloudwatch_out_breaks_the_chain() {
    let emulator = Emulator::start();
    runtime().block_on(provision(&emulator));
    let home = temp("collect", "policies");
    // The key policy grants the account only: CloudWatch cannot encrypt the notification.
    assert_eq!(
        key_alarm_reasons(&emulator, &home),
        ["TOPIC_KEY_POLICY_BLOCKS_PUBLISH"]
    );

    let topic_arn = format!("arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts");
    runtime().block_on(async {
        let us = emulator.sdk("us-east-1").await;
        let sns = aws_sdk_sns::Client::new(&us);
        let attributes = sns
            .get_topic_attributes()
            .topic_arn(&topic_arn)
            .send()
            .await
            .expect("topic attributes");
        let key = attributes
            .attributes()
            .and_then(|a| a.get("KmsMasterKeyId"))
            .expect("the topic is encrypted")
            .clone();
        let policy = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Root", "Effect": "Allow",
             "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "CloudWatchAlarms", "Effect": "Allow",
             "Principal": {"Service": "cloudwatch.amazonaws.com"},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
             "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]});
        aws_sdk_kms::Client::new(&us)
            .put_key_policy()
            .key_id(key)
            .policy_name("default")
            .policy(policy.to_string())
            .send()
            .await
            .expect("key policy");
        // A topic policy for one role only.
        let restrictive = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Ops",
            "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:role/ops")},
            "Action": "sns:Publish", "Resource": &topic_arn}]});
        sns.set_topic_attributes()
            .topic_arn(&topic_arn)
            .attribute_name("Policy")
            .attribute_value(restrictive.to_string())
            .send()
            .await
            .expect("topic policy");
    });
    assert_eq!(
        key_alarm_reasons(&emulator, &home),
        ["TOPIC_POLICY_BLOCKS_PUBLISH"]
    );

    // The policy CloudWatch's guide gives: the chain is whole.
    runtime().block_on(async {
        let us = emulator.sdk("us-east-1").await;
        aws_sdk_sns::Client::new(&us)
            .set_topic_attributes()
            .topic_arn(&topic_arn)
            .attribute_name("Policy")
            .attribute_value(topic_policy(&topic_arn))
            .send()
            .await
            .expect("topic policy");
    });
    assert_eq!(key_alarm_reasons(&emulator, &home), Vec::<String>::new());
}

/// Puts a key policy and a topic policy that let CloudWatch alarms publish to the
/// `security-alerts` topic of `provision`, so that the chain is whole up to its subscribers.
async fn let_cloudwatch_publish(emulator: &Emulator) {
    let topic_arn = format!("arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts");
    let us = emulator.sdk("us-east-1").await;
    let sns = aws_sdk_sns::Client::new(&us);
    let attributes = sns
        .get_topic_attributes()
        .topic_arn(&topic_arn)
        .send()
        .await
        .expect("topic attributes");
    let key = attributes
        .attributes()
        .and_then(|a| a.get("KmsMasterKeyId"))
        .expect("the topic is encrypted")
        .clone();
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow",
         "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudWatchAlarms", "Effect": "Allow",
         "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]});
    aws_sdk_kms::Client::new(&us)
        .put_key_policy()
        .key_id(key)
        .policy_name("default")
        .policy(policy.to_string())
        .send()
        .await
        .expect("key policy");
    sns.set_topic_attributes()
        .topic_arn(&topic_arn)
        .attribute_name("Policy")
        .attribute_value(topic_policy(&topic_arn))
        .send()
        .await
        .expect("topic policy");
}

/// Records `count` of the `AWS/SNS` metric `metric` for `security-alerts`, an hour ago, as SNS
/// would (moto stores `PutMetricData` and answers `GetMetricStatistics` from it).
async fn sns_metric(emulator: &Emulator, metric: &str, count: f64) {
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
    let us = emulator.sdk("us-east-1").await;
    aws_sdk_cloudwatch::Client::new(&us)
        .put_metric_data()
        .namespace("AWS/SNS")
        .metric_data(
            MetricDatum::builder()
                .metric_name(metric)
                .dimensions(
                    Dimension::builder()
                        .name("TopicName")
                        .value("security-alerts")
                        .build(),
                )
                .timestamp(DateTime::from_secs(now() - 3600))
                .value(count)
                .build(),
        )
        .send()
        .await
        .expect("metric data");
}

/// Issue #19: a confirmed subscription that reaches nobody shows in SNS's delivery metrics.
/// Every delivery failed: the chain breaks; some failed: a warning, the chain holds. The
/// snapshot carries the counts read with `GetMetricStatistics`.
#[test]
fn failed_sns_deliveries_break_or_warn_through_the_collected_counts() {
    let emulator = Emulator::start();
    runtime().block_on(async {
        provision(&emulator).await;
        let_cloudwatch_publish(&emulator).await;
    });
    let home = temp("collect", "deliveries");
    // Nothing recorded: delivery is assumed, the chain is whole.
    assert_eq!(key_alarm_reasons(&emulator, &home), Vec::<String>::new());

    runtime().block_on(sns_metric(&emulator, "NumberOfNotificationsFailed", 3.0));
    assert_eq!(
        key_alarm_reasons(&emulator, &home),
        ["TOPIC_DELIVERIES_FAILING"]
    );
    let report = read_json(&home.join("report.json"));
    let message = report["findings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("3 failed") && message.contains("24 hours"),
        "{message}"
    );

    runtime().block_on(sns_metric(&emulator, "NumberOfNotificationsDelivered", 5.0));
    assert_eq!(
        key_alarm_reasons(&emulator, &home),
        ["TOPIC_DELIVERIES_PARTLY_FAILING"]
    );
    let report = read_json(&home.join("report.json"));
    assert_eq!(report["findings"][0]["level"], "warning", "{report}");

    // The snapshot records what was read.
    let out = home.join("snapshot.json");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "snapshot",
            "-q",
            "--regions",
            "us-east-1",
            "--no-lookup-events",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let snapshot = read_json(&out);
    let counts = items(&region(&snapshot, "us-east-1")["topicDeliveries"]);
    let alerts = counts
        .iter()
        .find(|c| {
            c["topicArn"]
                .as_str()
                .is_some_and(|a| a.ends_with(":security-alerts"))
        })
        .expect("counts of security-alerts");
    assert_eq!(
        (
            &alerts["delivered"],
            &alerts["failed"],
            &alerts["windowHours"]
        ),
        (&json!(5), &json!(3), &json!(24))
    );
}

/// Sets `policy` (and `scope`, when given) as the filter policy of every confirmed
/// subscription of `provision`'s `security-alerts` topic.
async fn filter_every_subscription(emulator: &Emulator, policy: &str, scope: Option<&str>) {
    let topic_arn = format!("arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts");
    let us = emulator.sdk("us-east-1").await;
    let sns = aws_sdk_sns::Client::new(&us);
    let listed = sns
        .list_subscriptions_by_topic()
        .topic_arn(&topic_arn)
        .send()
        .await
        .expect("subscriptions");
    for subscription in listed.subscriptions() {
        let Some(arn) = subscription
            .subscription_arn()
            .filter(|a| a.starts_with("arn:"))
        else {
            continue;
        };
        if let Some(scope) = scope {
            sns.set_subscription_attributes()
                .subscription_arn(arn)
                .attribute_name("FilterPolicyScope")
                .attribute_value(scope)
                .send()
                .await
                .expect("filter policy scope");
        }
        sns.set_subscription_attributes()
            .subscription_arn(arn)
            .attribute_name("FilterPolicy")
            .attribute_value(policy)
            .send()
            .await
            .expect("filter policy");
    }
}

/// Issue #19: subscription attributes are collected (`GetSubscriptionAttributes`, which moto
/// serves), and a filter policy that drops the alarm notification on every confirmed
/// subscription breaks the chain, while a body policy that admits it keeps it whole.
#[test]
fn a_filter_policy_that_drops_alarm_notifications_breaks_the_chain() {
    let emulator = Emulator::start();
    runtime().block_on(async {
        provision(&emulator).await;
        let_cloudwatch_publish(&emulator).await;
    });
    let home = temp("collect", "filter-policies");
    assert_eq!(key_alarm_reasons(&emulator, &home), Vec::<String>::new());

    runtime().block_on(filter_every_subscription(
        &emulator,
        r#"{"severity": ["critical"]}"#,
        None,
    ));
    assert_eq!(
        key_alarm_reasons(&emulator, &home),
        ["SUBSCRIPTION_FILTER_DROPS_ALARMS"]
    );

    runtime().block_on(filter_every_subscription(
        &emulator,
        r#"{"NewStateValue": ["ALARM"]}"#,
        Some("MessageBody"),
    ));
    assert_eq!(key_alarm_reasons(&emulator, &home), Vec::<String>::new());

    // A Lambda subscription to a function that does not exist, next to the SQS subscription
    // of `provision` to a queue that does not exist either.
    let topic_arn = format!("arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts");
    runtime().block_on(async {
        let us = emulator.sdk("us-east-1").await;
        aws_sdk_sns::Client::new(&us)
            .subscribe()
            .topic_arn(&topic_arn)
            .protocol("lambda")
            .endpoint(format!(
                "arn:aws:lambda:us-east-1:{ACCOUNT}:function:pager:live"
            ))
            .send()
            .await
            .expect("lambda subscription");
    });

    // The snapshot records what SNS returned.
    let out = home.join("snapshot.json");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "snapshot",
            "-q",
            "--regions",
            "us-east-1",
            "--no-lookup-events",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let snapshot = read_json(&out);
    let attributes = items(&region(&snapshot, "us-east-1")["subscriptionAttributes"]);
    let alerts: Vec<&Value> = attributes
        .iter()
        .filter(|a| {
            a["topicArn"]
                .as_str()
                .is_some_and(|t| t.ends_with(":security-alerts"))
        })
        .collect();
    assert!(!alerts.is_empty(), "{attributes:?}");
    let exists = |suffix: &str| {
        let endpoint = items(&region(&snapshot, "us-east-1")["topics"])
            .iter()
            .flat_map(|t| t["subscriptions"].as_array().into_iter().flatten())
            .find(|s| s["endpoint"].as_str().is_some_and(|e| e.ends_with(suffix)))
            .map(|s| s["subscriptionArn"].clone())
            .expect("subscription");
        attributes
            .iter()
            .find(|a| a["subscriptionArn"] == endpoint)
            .map(|a| a["endpointExists"].clone())
            .expect("attributes")
    };
    assert_eq!(exists(":alerts"), json!(false));
    assert_eq!(exists(":function:pager:live"), json!(false));
    for attributes in alerts.iter().filter(|a| a.get("endpointExists").is_none()) {
        assert_eq!(
            attributes["filterPolicyScope"], "MessageBody",
            "{attributes}"
        );
        assert_eq!(attributes["pendingConfirmation"], false, "{attributes}");
        assert!(
            attributes["filterPolicy"]
                .as_str()
                .is_some_and(|p| p.contains("NewStateValue")),
            "{attributes}"
        );
    }

    // Once the queue exists, it is seen.
    runtime().block_on(async {
        let us = emulator.sdk("us-east-1").await;
        aws_sdk_sqs::Client::new(&us)
            .create_queue()
            .queue_name("alerts")
            .send()
            .await
            .expect("queue");
    });
    let output = trailwarden(&home, &emulator.env())
        .args([
            "snapshot",
            "-q",
            "--regions",
            "us-east-1",
            "--no-lookup-events",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let snapshot = read_json(&out);
    let attributes = items(&region(&snapshot, "us-east-1")["subscriptionAttributes"]);
    assert!(
        attributes
            .iter()
            .any(|a| a["endpointExists"] == json!(true)),
        "{attributes:?}"
    );
}
