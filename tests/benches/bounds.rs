//! The figures of the run-time bounds (issue #16): the peak memory and wall time of
//! `trailwarden check`, with the default limits, against the three hostile workloads.
//!
//! ```text
//! cargo bench -p trailwarden-tests --bench bounds                # release build
//! cargo bench -p trailwarden-tests --bench bounds --profile dev  # debug build
//! ```
//!
//! Each workload runs the real command as a child process (built from the host's `main.rs`)
//! and reads that child's own peak resident set with `wait4`.

#[path = "../tests/bounds_support/mod.rs"]
mod bounds_support;

use bounds_support::{
    ChildRun, MIB, looping, memory_hog, output_bomb, pack_dir, run_child, swelling_finding,
};
use trailwarden_tests::fixture;

fn check(name: &str, packs: &[(&str, Vec<u8>)], only: &str, extra: &[&str]) -> ChildRun {
    let dir = pack_dir(&format!("bench-{name}"), packs);
    let snapshot = fixture("compliant.json");
    let mut args = vec![
        "check",
        "--snapshot",
        snapshot.to_str().unwrap_or_default(),
        "--rules",
        dir.to_str().unwrap_or_default(),
        "--only",
        only,
        "--format",
        "json",
    ];
    args.extend(extra);
    run_child(name, &args)
}

fn report(what: &str, run: &ChildRun) {
    println!(
        "{what:<48} peak {:>5} MiB  wall {:>6.2} s  exit {}",
        run.peak_rss / MIB,
        run.wall.as_secs_f64(),
        run.code
    );
}

fn main() {
    let hogs: Vec<(String, Vec<u8>)> = (1..=6)
        .map(|n| {
            (
                format!("hog{n}"),
                memory_hog(&format!("hog-pack-{n}"), &format!("HOG-{n}"), 500),
            )
        })
        .collect();
    let hogs: Vec<(&str, Vec<u8>)> = hogs.iter().map(|(f, b)| (f.as_str(), b.clone())).collect();
    report(
        "six packs each touching 500 MiB",
        &check("hogs", &hogs, "HOG-*", &[]),
    );

    let count = 31_000_000 / swelling_finding().len() as u32;
    let bombs: Vec<(&str, Vec<u8>)> = (1..=3)
        .map(|n| {
            let file = ["bomb1", "bomb2", "bomb3"][n - 1];
            (
                file,
                output_bomb(&format!("bomb-pack-{n}"), &format!("BOMB-{n}"), count),
            )
        })
        .collect();
    report(
        "three packs each returning 31 MB",
        &check("bombs", &bombs, "BOMB-*", &[]),
    );

    let loops = [("loops", looping(20))];
    report(
        "twenty looping rules, --rule-timeout 1",
        &check("loops", &loops, "LOOP-*", &["--rule-timeout", "1"]),
    );
}
