//! `cargo bench -p trailwarden --bench check`: how fast `check` starts and evaluates, in the
//! sandbox and natively, on accounts from one region to 17 regions × 40 log groups × 40
//! metric filters (27,200 filters and 13,600 unrelated alarms), and its peak memory.
//!
//! Goals (issue "sandbox, caching, parallel evaluation"): cached `check` on the largest
//! snapshot under 1 s of wall time on a 2-core machine, wasm within 2× of native for the same
//! rules, cold start with compilation under 5 s. Figures are printed as a table; each timing is
//! the median of several runs. Peak RSS is measured in a child process that does only the
//! largest check, read from `/proc/self/status` (Linux).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use trailwarden::builtin::BUILTIN_PACKS;
use trailwarden::engine::cache::ModuleCache;
use trailwarden::engine::{self, Limits, LoadedPack, PackOrigin, Sandbox};
use trailwarden_sdk::abi::RuleOutcome;
use trailwarden_sdk::evaluation::PackRun;
use trailwarden_sdk::{Pack, SCHEMA_VERSION, Snapshot};

const ACCOUNT: &str = "111122223333";
const NOW: &str = "2026-12-01T12:00:00Z";

fn main() {
    if let Ok(path) = std::env::var("TW_BENCH_CHILD") {
        child(Path::new(&path));
        return;
    }
    let scratch = std::env::temp_dir().join(format!("tw-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("scratch dir");

    println!(
        "trailwarden check benchmark ({} built-in packs)\n",
        BUILTIN_PACKS.len()
    );
    let cold = median(3, || {
        let started = Instant::now();
        let sandbox = Sandbox::new(Limits::default(), None).expect("engine");
        let packs = load_all(&sandbox);
        assert_eq!(packs.len(), BUILTIN_PACKS.len());
        started.elapsed()
    });
    let cache_dir = scratch.join("cache");
    let cache_key = scratch.join("key").join("cache.key");
    let warm = ModuleCache::open(cache_dir.clone(), &cache_key).expect("cache");
    load_all(&Sandbox::new(Limits::default(), Some(warm)).expect("engine"));
    let cached = median(5, || {
        let started = Instant::now();
        let cache = ModuleCache::open(cache_dir.clone(), &cache_key).expect("cache");
        let sandbox = Sandbox::new(Limits::default(), Some(cache)).expect("engine");
        load_all(&sandbox);
        started.elapsed()
    });
    println!(
        "start, compiling every pack (no cache)   {:>9.1} ms   goal < 5000 ms",
        ms(cold)
    );
    println!(
        "start, from the compiled-pack cache      {:>9.1} ms\n",
        ms(cached)
    );

    let cache = ModuleCache::open(cache_dir.clone(), &cache_key).expect("cache");
    let sandbox = Sandbox::new(Limits::default(), Some(cache)).expect("engine");
    let packs = load_all(&sandbox);
    let native = native_packs();
    println!(
        "{:<34} {:>9} {:>8} {:>12} {:>12} {:>7}",
        "snapshot", "filters", "alarms", "wasm (ms)", "native (ms)", "ratio"
    );
    let cases = [
        ("1 region", 1, 2, 5, 20),
        ("17 regions", 17, 2, 5, 20),
        ("17 regions × 40 groups × 40 filters", 17, 40, 40, 800),
    ];
    let mut largest = None;
    for (name, regions, groups, filters, alarms) in cases {
        let snapshot = synthetic(regions, groups, filters, alarms);
        let text = serde_json::to_string(&snapshot).expect("json");
        let (filter_count, alarm_count) = counts(&snapshot);
        let wasm = median(3, || {
            let started = Instant::now();
            let findings = evaluate_wasm(&sandbox, &packs, text.as_bytes());
            assert!(findings > 0, "the synthetic account has findings");
            started.elapsed()
        });
        let native_time = median(3, || {
            let started = Instant::now();
            // As in the sandbox run: the host parses once (to prune), each pack parses its part.
            let parsed = Snapshot::from_json(&text).expect("parses");
            let findings = evaluate_native(&native, &parsed);
            assert!(findings > 0);
            started.elapsed()
        });
        println!(
            "{name:<34} {filter_count:>9} {alarm_count:>8} {:>12.1} {:>12.1} {:>6.2}×",
            ms(wasm),
            ms(native_time),
            wasm.as_secs_f64() / native_time.as_secs_f64()
        );
        largest = Some((text, wasm));
    }
    if let Some((text, wasm)) = largest {
        let path = scratch.join("largest.json");
        std::fs::write(&path, text).expect("written");
        println!(
            "\nlargest snapshot, cached start + evaluation   {:>9.1} ms   goal < 1000 ms",
            ms(cached + wasm)
        );
        let output = std::process::Command::new(std::env::current_exe().expect("self"))
            .env("TW_BENCH_CHILD", &path)
            .env("TW_BENCH_CACHE", &cache_dir)
            .env("TW_BENCH_CACHE_KEY", &cache_key)
            .output()
            .expect("child runs");
        print!("{}", String::from_utf8_lossy(&output.stdout));
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The child: one cached check of `path`, then its peak resident memory.
fn child(path: &Path) {
    let started = Instant::now();
    let cache_dir = std::env::var_os("TW_BENCH_CACHE").map(std::path::PathBuf::from);
    let cache = cache_dir.map(|dir| {
        {
            let key = std::env::var_os("TW_BENCH_CACHE_KEY")
                .map(std::path::PathBuf::from)
                .expect("TW_BENCH_CACHE_KEY is set with TW_BENCH_CACHE");
            ModuleCache::open(dir, &key)
        }
        .expect("cache")
    });
    let sandbox = Sandbox::new(Limits::default(), cache).expect("engine");
    let packs = load_all(&sandbox);
    let text = std::fs::read(path).expect("snapshot");
    let _ = Snapshot::from_json(std::str::from_utf8(&text).expect("utf-8")).expect("parses");
    let findings = evaluate_wasm(&sandbox, &packs, &text);
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no /proc)".to_owned());
    println!(
        "largest snapshot in a fresh process: {:.1} ms, {findings} findings, peak RSS {peak}",
        ms(started.elapsed())
    );
}

fn load_all(sandbox: &Sandbox) -> Vec<LoadedPack> {
    BUILTIN_PACKS
        .iter()
        .map(|(name, bytes)| {
            sandbox
                .load(PackOrigin::Builtin(name), bytes)
                .expect("built-in pack loads")
        })
        .collect()
}

/// What `check` does: the engine's one evaluation path over every rule of every pack.
fn evaluate_wasm(sandbox: &Sandbox, packs: &[LoadedPack], snapshot: &[u8]) -> usize {
    let parsed =
        Snapshot::from_json(std::str::from_utf8(snapshot).expect("utf-8")).expect("parses");
    let jobs = engine::plan(packs, |_, _| true, &BTreeMap::new(), Some(NOW));
    engine::evaluate(sandbox, &jobs, parsed)
        .into_iter()
        .map(|run| match run.result {
            Ok((findings, _)) => findings.len(),
            Err(failure) => panic!("{} failed: {}", run.rule_id, failure.message),
        })
        .sum()
}

fn native_packs() -> Vec<Pack> {
    vec![
        trailwarden_rules_cloudtrail::pack(),
        trailwarden_rules_kms::pack(),
        trailwarden_rules_cis_monitoring::pack(),
    ]
}

/// The same rules compiled natively, through the same plan and glue as the sandbox
/// (`PackRun::run_native`): each pack on its own thread parses the sections its rules declare
/// and runs every rule.
fn evaluate_native(packs: &[Pack], snapshot: &Snapshot) -> usize {
    std::thread::scope(|scope| {
        let handles: Vec<_> = packs
            .iter()
            .map(|pack| {
                scope.spawn(move || {
                    let metas: Vec<_> = pack.rules.iter().map(|r| r.meta()).collect();
                    let run = PackRun::plan(
                        &metas,
                        trailwarden_sdk::SDK_VERSION,
                        &BTreeMap::new(),
                        Some(NOW),
                    );
                    run.run_native(pack, snapshot)
                        .results
                        .iter()
                        .map(|result| match &result.outcome {
                            RuleOutcome::Ok { findings, .. } => findings.len(),
                            RuleOutcome::Error { message, .. } => {
                                panic!("{} failed: {message}", result.rule_id)
                            }
                        })
                        .sum::<usize>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    })
}

fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(|_| f()).collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn counts(snapshot: &Snapshot) -> (usize, usize) {
    snapshot.regions.iter().fold((0, 0), |(f, a), r| {
        (
            f + r.metric_filters.items.len(),
            a + r.metric_alarms.items.len(),
        )
    })
}

/// An account shaped like a large real one: one multi-region trail delivering to a log group
/// in us-east-1 with the CIS 4.7 filter and alarm, and per region `groups` log groups with
/// `filters` application metric filters each and `alarms` unrelated alarms.
fn synthetic(regions: usize, groups: usize, filters: usize, alarms: usize) -> Snapshot {
    let names = [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-central-1",
        "eu-north-1",
        "ap-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "sa-east-1",
    ];
    let topic = format!("arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts");
    let trail_log_group = format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:cloudtrail");
    let regions: Vec<Value> = names
        .iter()
        .take(regions)
        .map(|region| {
            let mut trail = json!({
                "name": "org", "trailArn": format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org"),
                "homeRegion": "us-east-1", "isMultiRegionTrail": true,
                "logFileValidationEnabled": true,
                "kmsKeyId": format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/trail"),
                "cloudWatchLogsLogGroupArn": format!("{trail_log_group}:*"),
            });
            if *region == "us-east-1" {
                trail["status"] = json!({"isLogging": true});
                trail["eventSelectors"] = json!({});
            }
            let mut log_groups = Vec::new();
            let mut metric_filters = Vec::new();
            for g in 0..groups {
                let group = format!("/app/service-{g}");
                log_groups.push(json!({
                    "logGroupName": group,
                    "arn": format!("arn:aws:logs:{region}:{ACCOUNT}:log-group:{group}")
                }));
                for f in 0..filters {
                    metric_filters.push(json!({
                        "filterName": format!("errors-{g}-{f}"), "logGroupName": group,
                        "filterPattern": format!("{{ $.level = \"ERROR\" && $.code = {f} }}"),
                        "metricTransformations": [{"metricName": format!("Errors{f}"),
                            "metricNamespace": format!("App/{g}"), "metricValue": "1"}]
                    }));
                }
            }
            let mut metric_alarms: Vec<Value> = (0..alarms)
                .map(|a| json!({
                    "alarmName": format!("app-{a}"),
                    "alarmArn": format!("arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:app-{a}"),
                    "alarmActions": [topic], "metricName": format!("Errors{}", a % 40),
                    "namespace": format!("App/{}", a % 40), "statistic": "Sum", "period": 60,
                    "evaluationPeriods": 3, "threshold": 10.0,
                    "comparisonOperator": "GreaterThanThreshold"
                }))
                .collect();
            if *region == "us-east-1" {
                log_groups.push(json!({"logGroupName": "cloudtrail", "arn": trail_log_group}));
                metric_filters.push(json!({
                    "filterName": "kms-key-changes", "logGroupName": "cloudtrail",
                    "filterPattern": "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
                    "metricTransformations": [{"metricName": "KmsKeyChanges",
                        "metricNamespace": "CISBenchmark", "metricValue": "1"}]
                }));
                metric_alarms.push(json!({
                    "alarmName": "kms-key-changes",
                    "alarmArn": format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:kms-key-changes"),
                    "alarmActions": [topic], "metricName": "KmsKeyChanges",
                    "namespace": "CISBenchmark", "statistic": "Sum", "period": 300,
                    "evaluationPeriods": 1, "threshold": 1.0,
                    "comparisonOperator": "GreaterThanOrEqualToThreshold"
                }));
            }
            let topics = if *region == "us-east-1" {
                json!([{"topicArn": topic, "subscriptions": [{
                    "subscriptionArn": format!("{topic}:1"), "protocol": "email", "endpoint": "<redacted>"}]}])
            } else {
                json!([])
            };
            json!({
                "region": region,
                "trails": {"items": [trail]},
                "logGroups": {"items": log_groups},
                "metricFilters": {"items": metric_filters},
                "metricAlarms": {"items": metric_alarms},
                "compositeAlarms": {"items": []},
                "topics": {"items": topics},
                "eventRules": {"items": []},
                "kmsKeys": {"items": [{
                    "keyId": "trail", "arn": format!("arn:aws:kms:{region}:{ACCOUNT}:key/trail"),
                    "keyManager": "CUSTOMER", "keyState": "Enabled"}]}
            })
        })
        .collect();
    let document = json!({
        "schemaVersion": SCHEMA_VERSION,
        "account": {"id": ACCOUNT},
        "regions": regions,
        "events": {"items": []},
        "generator": {"eventsWindow": ["2026-12-01T11:00:00Z", NOW]},
    });
    serde_json::from_value(document).expect("synthetic snapshot fits the model")
}
