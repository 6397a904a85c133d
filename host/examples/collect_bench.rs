//! Benchmark of a live `trailwarden check` (collection plus evaluation) on a large account.
//!
//! ```sh
//! cargo run --release -p trailwarden --example collect_bench            # the full size
//! cargo run --release -p trailwarden --example collect_bench -- --scale 0.1
//! cargo run --release -p trailwarden --example collect_bench -- --hold   # populate, then wait
//! ```
//!
//! `--hold` populates the emulator, prints the environment that points `trailwarden` at it,
//! and waits for Enter: for profiling one command by hand without populating again.
//!
//! It starts moto (as the collection tests do: `TRAILWARDEN_MOTO` or `target/py`, installed by
//! `tests/run`) on 127.0.0.1, populates 17 regions × 40 log groups × 40 metric filters (27,200
//! filters) plus 13,600 alarms unrelated to KMS, a multi-region trail with its KMS chain, and a
//! few topics, then runs the release (or debug) `trailwarden` binary next to this example
//! (collection alone, evaluation alone, then the live check three times) and reports wall time,
//! peak RSS and API calls. Populating takes minutes; the measured runs do
//! not include it. Prowler needs about 100 s and 1.3 GB for the equivalent; the goal here is
//! under 5 s and 130 MB.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use futures_util::stream::{self, StreamExt};
use support::Emulator;

const REGIONS: [&str; 17] = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

struct Size {
    groups: usize,
    filters: usize,
    alarms: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut scale = 1.0_f64;
    let mut hold = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--scale" => scale = args.next().and_then(|s| s.parse().ok()).unwrap_or(1.0),
            "--hold" => hold = true,
            other => return Err(format!("unknown argument {other}: use --scale F, --hold").into()),
        }
    }
    let size = Size {
        groups: ((40.0 * scale).round() as usize).max(1),
        filters: ((40.0 * scale).round() as usize).max(1),
        alarms: ((800.0 * scale).round() as usize).max(1),
    };
    let binary = trailwarden_binary()?;
    eprintln!("starting moto …");
    let emulator = Arc::new(Emulator::start());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    let calls = runtime.block_on(populate(emulator.clone(), &size));
    eprintln!(
        "populated {} regions × {} log groups × {} filters ({} filters) and {} alarms with {calls} calls in {:.0} s",
        REGIONS.len(),
        size.groups,
        size.filters,
        REGIONS.len() * size.groups * size.filters,
        REGIONS.len() * size.alarms,
        started.elapsed().as_secs_f64()
    );

    if hold {
        println!(
            "the emulated account is at {}; run trailwarden with:",
            emulator.url()
        );
        for (key, value) in emulator.env() {
            println!("  export {key}={value}");
        }
        println!("press Enter to stop the emulator");
        let _ = std::io::stdin().read_line(&mut String::new());
        return Ok(());
    }

    let home = std::env::temp_dir().join(format!("tw-bench-{}", std::process::id()));
    std::fs::create_dir_all(&home)?;
    // A first run fills the compiled-pack cache, as every run after a user's first finds it.
    let _ = Command::new(&binary)
        .env("TRAILWARDEN_CACHE_DIR", home.join("cache"))
        .args(["rules", "list"])
        .stdout(Stdio::null())
        .status();
    let regions = REGIONS.join(",");
    let snapshot = home.join("snapshot.json");
    let snapshot_arg = snapshot.display().to_string();
    let report = home.join("report.json").display().to_string();
    let live: Vec<&str> = vec!["--regions", &regions, "--no-lookup-events"];
    let mut collect_only = vec!["snapshot"];
    collect_only.extend(&live);
    collect_only.extend(["-o", &snapshot_arg]);
    let mut evaluate_only = vec!["check", "--snapshot", &snapshot_arg];
    evaluate_only.extend(["--format", "json", "-o", &report]);
    let mut both = vec!["check"];
    both.extend(&live);
    both.extend(["--format", "json", "-o", &report]);

    measure(
        &emulator,
        &binary,
        &home,
        "collection only: trailwarden snapshot",
        &collect_only,
    )?;
    let size = std::fs::metadata(&snapshot).map(|m| m.len()).unwrap_or(0);
    println!(
        "  snapshot: {:.1} MB at {}",
        size as f64 / 1e6,
        snapshot.display()
    );
    measure(
        &emulator,
        &binary,
        &home,
        "evaluation only: trailwarden check --snapshot",
        &evaluate_only,
    )?;
    // The emulator's answer times vary from run to run by a second or so (it is one Python
    // process serving every region), so the benchmark is run three times.
    for run in 1..=3 {
        measure(
            &emulator,
            &binary,
            &home,
            &format!(
                "THE BENCHMARK, run {run} of 3: live trailwarden check (collection + evaluation)"
            ),
            &both,
        )?;
    }
    Ok(())
}

/// Runs the binary once under `/usr/bin/time` (when present) and prints what it took.
fn measure(
    emulator: &Emulator,
    binary: &std::path::Path,
    home: &std::path::Path,
    label: &str,
    args: &[&str],
) -> Result<(), Box<dyn std::error::Error>> {
    let mut command = if PathBuf::from("/usr/bin/time").is_file() {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f")
            .arg("TIME %e s wall, %M KiB peak RSS, %U s user + %S s sys CPU")
            .arg(binary);
        c
    } else {
        Command::new(binary)
    };
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    command
        .envs(emulator.env())
        .env("HOME", home)
        .env("TRAILWARDEN_CACHE_DIR", home.join("cache"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let requests = emulator.requests();
    let (upstream, _) = emulator.upstream_seconds();
    let timer = Instant::now();
    let output = command.output()?;
    let wall = timer.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary = stderr
        .lines()
        .find(|l| l.contains("collected "))
        .unwrap_or("(no collection)");
    let rss = stderr
        .lines()
        .find(|l| l.starts_with("TIME "))
        .unwrap_or("(peak RSS needs /usr/bin/time)");
    let (upstream_after, slowest) = emulator.upstream_seconds();
    println!("{label}: exit {:?}", output.status.code());
    println!("  {summary}");
    println!("  wall {:.2} s; /usr/bin/time: {rss}", wall.as_secs_f64());
    println!(
        "  emulator: {} HTTP requests, {:.2} s answering them in total (slowest answer so far {:.2} s)",
        emulator.requests() - requests,
        upstream_after - upstream,
        slowest
    );
    if !matches!(output.status.code(), Some(0 | 1)) {
        eprintln!("{stderr}");
    }
    Ok(())
}

/// The `trailwarden` binary of the same profile as this example.
fn trailwarden_binary() -> Result<PathBuf, Box<dyn std::error::Error>> {
    let example = std::env::current_exe()?;
    let profile_dir = example
        .parent()
        .and_then(|examples| examples.parent())
        .ok_or("cannot locate the target directory")?;
    let binary = profile_dir.join("trailwarden");
    if !binary.is_file() {
        return Err(format!(
            "{} is missing: build it first with the same profile (cargo build [--release] -p trailwarden)",
            binary.display()
        )
        .into());
    }
    Ok(binary)
}

async fn populate(emulator: Arc<Emulator>, size: &Size) -> usize {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
    use aws_sdk_cloudwatchlogs::types::MetricTransformation;

    let mut configs = Vec::new();
    for region in REGIONS {
        configs.push((region, emulator.sdk(region).await));
    }
    let home = emulator.sdk("us-east-1").await;
    // The usual trail, with a KMS chain in its home region.
    let logs = aws_sdk_cloudwatchlogs::Client::new(&home);
    let _ = logs
        .create_log_group()
        .log_group_name("ct/org")
        .send()
        .await;
    let sns = aws_sdk_sns::Client::new(&home);
    let topic = sns
        .create_topic()
        .name("security-alerts")
        .send()
        .await
        .ok()
        .and_then(|t| t.topic_arn().map(str::to_owned))
        .unwrap_or_default();
    let _ = sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("email")
        .endpoint("security@example.com")
        .send()
        .await;
    let _ = logs
        .put_metric_filter()
        .log_group_name("ct/org")
        .filter_name("cmk-changes")
        .filter_pattern("{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }")
        .metric_transformations(
            MetricTransformation::builder()
                .metric_name("CMKEventCount")
                .metric_namespace("CloudTrailMetrics")
                .metric_value("1")
                .build()
                .expect("transformation"),
        )
        .send()
        .await;
    let _ = aws_sdk_cloudwatch::Client::new(&home)
        .put_metric_alarm()
        .alarm_name("kms-changes")
        .metric_name("CMKEventCount")
        .namespace("CloudTrailMetrics")
        .statistic(Statistic::Sum)
        .period(300)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .alarm_actions(&topic)
        .send()
        .await;
    raw_bucket(&emulator);
    let _ = aws_sdk_cloudtrail::Client::new(&home)
        .create_trail()
        .name("org")
        .s3_bucket_name("tw-bench-trail")
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .cloud_watch_logs_log_group_arn("arn:aws:logs:us-east-1:123456789012:log-group:ct/org:*")
        .cloud_watch_logs_role_arn("arn:aws:iam::123456789012:role/ct")
        .send()
        .await;
    let _ = aws_sdk_cloudtrail::Client::new(&home)
        .start_logging()
        .name("org")
        .send()
        .await;

    // Log groups first, then their filters and the alarms, 16 calls at a time.
    let mut jobs: Vec<(usize, &aws_config::SdkConfig, usize)> = Vec::new();
    for (index, (_, config)) in configs.iter().enumerate() {
        for group in 0..size.groups {
            jobs.push((index, config, group));
        }
    }
    let groups = stream::iter(jobs.iter().map(|(_, config, group)| async move {
        let _ = aws_sdk_cloudwatchlogs::Client::new(config)
            .create_log_group()
            .log_group_name(format!("/app/group-{group:02}"))
            .send()
            .await;
    }))
    .buffer_unordered(16)
    .count()
    .await;
    let mut filter_jobs = Vec::new();
    for (_, config, group) in &jobs {
        for filter in 0..size.filters {
            filter_jobs.push((*config, *group, filter));
        }
    }
    let filters = stream::iter(
        filter_jobs
            .into_iter()
            .map(|(config, group, filter)| async move {
                let transformation = MetricTransformation::builder()
                    .metric_name(format!("AppErrors{filter}"))
                    .metric_namespace("App")
                    .metric_value("1")
                    .build()
                    .expect("transformation");
                let _ = aws_sdk_cloudwatchlogs::Client::new(config)
                    .put_metric_filter()
                    .log_group_name(format!("/app/group-{group:02}"))
                    .filter_name(format!("errors-{filter:02}"))
                    .filter_pattern(format!("[level = ERROR, code = E{filter}*, ...]"))
                    .metric_transformations(transformation)
                    .send()
                    .await;
            }),
    )
    .buffer_unordered(16)
    .count()
    .await;
    let mut alarm_jobs = Vec::new();
    for (_, config) in &configs {
        for alarm in 0..size.alarms {
            alarm_jobs.push((config, alarm));
        }
    }
    let alarms = stream::iter(alarm_jobs.into_iter().map(|(config, alarm)| async move {
        let _ = aws_sdk_cloudwatch::Client::new(config)
            .put_metric_alarm()
            .alarm_name(format!("cpu-high-{alarm:04}"))
            .metric_name("CPUUtilization")
            .namespace("AWS/EC2")
            .statistic(Statistic::Average)
            .period(300)
            .evaluation_periods(3)
            .threshold(80.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await;
    }))
    .buffer_unordered(16)
    .count()
    .await;
    groups + filters + alarms + 10
}

fn raw_bucket(emulator: &Emulator) {
    use std::io::{Read, Write};
    if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", emulator.moto.port)) {
        let request = "PUT /tw-bench-trail HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: AWS4-HMAC-SHA256 \
             Credential=AKIDMOTOTEST/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, \
             Signature=0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let _ = stream.write_all(request.as_bytes());
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
    }
}
