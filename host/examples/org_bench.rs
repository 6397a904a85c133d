//! Benchmark of `trailwarden check --org` on an emulated organization (not a test).
//!
//! ```sh
//! cargo build -p trailwarden && cargo run -p trailwarden --example org_bench
//! cargo run -p trailwarden --example org_bench -- --accounts 50 --regions 4
//! ```
//!
//! It starts moto (as the collection tests do: `TRAILWARDEN_MOTO` or `target/py`) on
//! 127.0.0.1, creates an organization of `--accounts` accounts (default 50): the management
//! account with an organization trail and the whole KMS chain in us-east-1 (log group, filter,
//! alarm, topic with a subscription), and each member with a few log groups, metric filters
//! and alarms in each of `--regions` regions (default 17), entered through
//! `OrganizationAccountAccessRole` as trailwarden does. It then runs the `trailwarden` binary
//! next to this example: `check --org`, and `snapshot --org --shard 1/4`, and prints wall
//! time, peak RSS (from /usr/bin/time) and API calls (trailwarden's count and the requests the
//! emulator served). Populating is not measured.
//!
//! Collection goes through one bound on calls in flight (`--max-in-flight`, 32) for the whole
//! organization, so its time is about calls ÷ that bound × the emulator's answer time; moto is
//! one Python process, so the figures measure trailwarden's overhead against a slow server,
//! not AWS's latency.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use aws_sdk_sts::config::Credentials;
use futures_util::stream::{self, StreamExt};
use support::Emulator;

const REGIONS: [&str; 17] = [
    "us-east-1",
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
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// Log groups (each with one filter and one alarm) per member account and region.
const MEMBER_GROUPS: usize = 2;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut accounts = 50_usize;
    let mut regions = REGIONS.len();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().and_then(|v| v.parse::<usize>().ok());
        match arg.as_str() {
            "--accounts" => accounts = value().ok_or("--accounts N")?.max(1),
            "--regions" => regions = value().ok_or("--regions N")?.clamp(1, REGIONS.len()),
            other => {
                return Err(
                    format!("unknown argument {other}: use --accounts N, --regions N").into(),
                );
            }
        }
    }
    let regions = &REGIONS[..regions];
    let binary = trailwarden_binary()?;
    eprintln!("starting moto …");
    let emulator = Arc::new(Emulator::start());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    runtime.block_on(populate(&emulator, accounts, regions));
    eprintln!(
        "populated {accounts} accounts × {} regions in {:.0} s",
        regions.len(),
        started.elapsed().as_secs_f64()
    );
    let home = std::env::temp_dir().join(format!("tw-org-bench-{}", std::process::id()));
    std::fs::create_dir_all(&home)?;
    let _ = Command::new(&binary)
        .env("TRAILWARDEN_CACHE_DIR", home.join("cache"))
        .args(["rules", "list"])
        .stdout(Stdio::null())
        .status();
    let region_list = regions.join(",");
    let report = home.join("report.json").display().to_string();
    let shard = home.join("shard-1.json").display().to_string();
    println!(
        "organization: {accounts} accounts × {} regions (moto 5.2.5 on 127.0.0.1)",
        regions.len()
    );
    measure(
        &emulator,
        &binary,
        &home,
        "trailwarden check --org",
        &[
            "check",
            "--org",
            "--no-centralization",
            "--regions",
            &region_list,
            "--no-lookup-events",
            "--format",
            "json",
            "-o",
            &report,
        ],
    )?;
    measure(
        &emulator,
        &binary,
        &home,
        "trailwarden snapshot --org --shard 1/4",
        &[
            "snapshot",
            "--org",
            "--no-centralization",
            "--shard",
            "1/4",
            "--regions",
            &region_list,
            "--no-lookup-events",
            "-o",
            &shard,
        ],
    )?;
    Ok(())
}

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

/// The management account's chain and the members ([`support::provision_control_tower`]),
/// and each member's few resources per region.
async fn populate(emulator: &Emulator, accounts: usize, regions: &[&str]) {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
    use aws_sdk_cloudwatchlogs::types::MetricTransformation;
    // The organization and the management account's chain, as the organization tests build it.
    let members = support::provision_control_tower(emulator, accounts.saturating_sub(1)).await;
    let us = emulator.sdk("us-east-1").await;
    // Members: a few log groups, filters and alarms per region, through the member role.
    let sts = aws_sdk_sts::Client::new(&us);
    let mut jobs = Vec::new();
    for member in &members {
        let assumed = sts
            .assume_role()
            .role_arn(format!(
                "arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
            ))
            .role_session_name("bench")
            .send()
            .await
            .expect("assume role");
        let creds = assumed.credentials().expect("credentials");
        let credentials = Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_owned()),
            None,
            "bench",
        );
        for region in regions {
            for g in 0..MEMBER_GROUPS {
                jobs.push((credentials.clone(), (*region).to_owned(), g));
            }
        }
    }
    let url = emulator.url();
    stream::iter(jobs)
        .for_each_concurrent(16, |(credentials, region, g)| {
            let url = url.clone();
            async move {
                let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .endpoint_url(url)
                    .region(aws_config::Region::new(region))
                    .credentials_provider(credentials)
                    .load()
                    .await;
                let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
                let group = format!("/app/service-{g}");
                logs.create_log_group()
                    .log_group_name(&group)
                    .send()
                    .await
                    .expect("member log group");
                logs.put_metric_filter()
                    .log_group_name(&group)
                    .filter_name(format!("errors-{g}"))
                    .filter_pattern("ERROR")
                    .metric_transformations(
                        MetricTransformation::builder()
                            .metric_name(format!("Errors{g}"))
                            .metric_namespace("App")
                            .metric_value("1")
                            .build()
                            .expect("transformation"),
                    )
                    .send()
                    .await
                    .expect("member filter");
                aws_sdk_cloudwatch::Client::new(&config)
                    .put_metric_alarm()
                    .alarm_name(format!("errors-{g}"))
                    .metric_name(format!("Errors{g}"))
                    .namespace("App")
                    .statistic(Statistic::Sum)
                    .period(300)
                    .evaluation_periods(1)
                    .threshold(10.0)
                    .comparison_operator(ComparisonOperator::GreaterThanThreshold)
                    .send()
                    .await
                    .expect("member alarm");
            }
        })
        .await;
}

/// Runs the binary once under `/usr/bin/time` (when present) and prints what it took.
fn measure(
    emulator: &Emulator,
    binary: &Path,
    home: &Path,
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
    let timer = Instant::now();
    let output = command.output()?;
    let wall = timer.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary = stderr
        .lines()
        .find(|l| l.contains("account(s), collected"))
        .unwrap_or("(no collection summary)");
    let rss = stderr
        .lines()
        .find(|l| l.starts_with("TIME "))
        .unwrap_or("(peak RSS needs /usr/bin/time)");
    println!("{label}: exit {:?}", output.status.code());
    println!("  {summary}");
    println!("  wall {:.2} s; {rss}", wall.as_secs_f64());
    println!(
        "  emulator requests served: {}",
        emulator.requests() - requests
    );
    Ok(())
}
