//! Organizations against moto in server mode: `check --org` and `snapshot --org` from the
//! management account, members entered through `OrganizationAccountAccessRole`.
//!
//! moto 5.2.5 serves `organizations:CreateOrganization`, `CreateAccount`, `ListAccounts` and
//! `sts:AssumeRole` into a member account with the member's identity on the assumed
//! credentials (its `GetCallerIdentity` answers the member's id, checked below through the
//! snapshot's account ids). It does not list the organization trail to member accounts, as
//! AWS does ("member accounts can see the organization trail",
//! <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html>):
//! the evaluation models that view from the management account's copy
//! (`OrganizationSnapshot::evaluation_snapshot`), which is what these tests exercise. moto does
//! not refuse `AssumeRole` into a role that does not exist; the harness front answers
//! `AccessDenied` instead, as AWS answers for a missing or untrusting role.

mod support;

use std::path::Path;
use std::process::Output;

use support::{
    ACCOUNT, Emulator, Fault, provision_control_tower, read_json, stderr, temp, trailwarden,
};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// `check --org`: every member evaluated with the management account's chain; the same
/// verdicts as the management account for the chain rule, and nothing a member must fix.
#[test]
fn check_org_credits_every_member_with_the_organization_trail() {
    let emulator = Emulator::start();
    let members = runtime().block_on(provision_control_tower(&emulator, 2));
    let home = temp("org", "check");
    let report = home.join("report.json");
    let saved = home.join("org.json");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "check",
            "--org",
            // moto does not serve CloudWatch Observability Admin (centralization rules).
            "--no-centralization",
            "--regions",
            "us-east-1",
            "--no-lookup-events",
            "--only",
            "TW-KMS-001",
            "--format",
            "json",
            "-o",
        ])
        .arg(&report)
        .arg("--save-snapshot")
        .arg(&saved)
        .output()
        .expect("binary runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    let snapshot = read_json(&saved);
    assert_eq!(snapshot["schemaVersion"], 2);
    let ids: Vec<&str> = snapshot["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter_map(|a| a["account"]["id"].as_str())
        .collect();
    let mut expected: Vec<&str> = members.iter().map(String::as_str).collect();
    expected.push(ACCOUNT);
    expected.sort_unstable();
    assert_eq!(ids, expected, "each member read with its own identity");
    let report = read_json(&report);
    let accounts = report["organization"]["accounts"]
        .as_array()
        .expect("accounts");
    assert_eq!(accounts.len(), 3);
    let findings = report["findings"].as_array().expect("findings");
    let reasons = |account: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["account"] == account)
            .map(|f| f["reason"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    for member in &members {
        let scope = accounts
            .iter()
            .find(|a| a["account"]["id"] == member.as_str())
            .expect("member in report");
        assert_eq!(scope["linkedAccounts"], serde_json::json!([ACCOUNT]));
        assert_eq!(scope["mustAct"], serde_json::json!([]), "{scope}");
        assert!(
            !reasons(member).iter().any(|r| r == "NO_TRAIL"),
            "{member}: {:?}",
            reasons(member)
        );
        assert_eq!(
            reasons(member),
            reasons(ACCOUNT),
            "same chain, same verdict"
        );
    }
}

/// `--accounts` narrows, `--exclude-accounts` leaves out, `--shard` splits, and the shards'
/// snapshots merge back into the whole organization.
#[test]
fn accounts_exclusions_and_shards_select_and_merge() {
    let emulator = Emulator::start();
    let members = runtime().block_on(provision_control_tower(&emulator, 3));
    let home = temp("org", "select");
    let snapshot = |extra: &[&str], out: &Path| {
        let output = trailwarden(&home, &emulator.env())
            .args([
                "snapshot",
                "-q",
                "--org",
                // moto does not serve CloudWatch Observability Admin (centralization rules).
                "--no-centralization",
                "--regions",
                "us-east-1",
                "--no-lookup-events",
            ])
            .args(extra)
            .arg("-o")
            .arg(out)
            .output()
            .expect("binary runs");
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let value = read_json(out);
        let mut ids: Vec<String> = value["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .filter_map(|a| a["account"]["id"].as_str().map(str::to_owned))
            .collect();
        ids.sort();
        ids
    };
    let only = snapshot(&["--accounts", &members[0]], &home.join("only.json"));
    assert_eq!(only, [members[0].clone()]);
    let excluded = snapshot(
        &["--exclude-accounts", &format!("{},{}", members[1], ACCOUNT)],
        &home.join("excluded.json"),
    );
    let mut expected = vec![members[0].clone(), members[2].clone()];
    expected.sort();
    assert_eq!(excluded, expected);
    let shards = home.join("shards");
    std::fs::create_dir_all(&shards).expect("dir");
    let mut union = Vec::new();
    for k in 1..=2 {
        let part = snapshot(
            &["--shard", &format!("{k}/2")],
            &shards.join(format!("shard-{k}.json")),
        );
        union.extend(part);
    }
    union.sort();
    let mut all: Vec<String> = members.clone();
    all.push(ACCOUNT.to_owned());
    all.sort();
    assert_eq!(union, all, "the shards cover every account once");
    let report = home.join("merged.json");
    let output = trailwarden(&home, &[])
        .args(["check", "--snapshot"])
        .arg(&shards)
        .args(["--only", "TW-KMS-001", "--format", "json", "-o"])
        .arg(&report)
        .output()
        .expect("binary runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    let report = read_json(&report);
    assert_eq!(
        report["organization"]["accounts"].as_array().map(Vec::len),
        Some(4)
    );
    for bad in ["5/4", "0/0"] {
        let output = trailwarden(&home, &emulator.env())
            .args(["snapshot", "--org", "--shard", bad])
            .output()
            .expect("binary runs");
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(stderr(&output).contains("K/N"), "{}", stderr(&output));
    }
}

/// A member whose role cannot be assumed is recorded with the fix, the others are collected,
/// and the run is never a pass.
#[test]
fn a_member_that_cannot_be_entered_is_recorded_and_the_run_goes_on() {
    let emulator = Emulator::start();
    let members = runtime().block_on(provision_control_tower(&emulator, 1));
    emulator.inject(Fault::error(
        "sts",
        None,
        Some("AssumeRole"),
        403,
        "AccessDenied",
    ));
    let home = temp("org", "denied");
    let out = home.join("org.json");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "snapshot",
            "--org",
            // moto does not serve CloudWatch Observability Admin (centralization rules).
            "--no-centralization",
            "--regions",
            "us-east-1",
            "--no-lookup-events",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains(&members[0]), "{message}");
    assert!(
        message.contains("OrganizationAccountAccessRole"),
        "{message}"
    );
    let value = read_json(&out);
    assert_eq!(value["accounts"][0]["account"]["id"], ACCOUNT);
    let failure = &value["failures"][0];
    assert_eq!(failure["accountId"], members[0].as_str());
    assert_eq!(failure["code"], "AccessDenied");
    assert!(
        failure["fix"]
            .as_str()
            .is_some_and(|f| f.contains("trust policy")),
        "{failure}"
    );
    // Checking that snapshot exits 2: an account nobody read is never a pass.
    let output = trailwarden(&home, &[])
        .args(["check", "--snapshot"])
        .arg(&out)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stdout_of(&output).contains("accounts not read"));
}

/// Without Organizations (not the management account): a clear error, not a pass.
#[test]
fn org_without_organizations_is_a_clear_error() {
    let emulator = Emulator::start();
    let home = temp("org", "no-org");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "check",
            "--org",
            "--no-centralization",
            "--regions",
            "us-east-1",
        ])
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("could not list the organization's accounts"),
        "{message}"
    );
    assert!(message.contains("--accounts"), "{message}");
}

fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A run without `--org` still learns the organization of an account that lists an
/// organization trail (`organizations:DescribeOrganization`), so per-account snapshots made
/// separately merge into an organization whose trail is credited to its members. moto answers
/// `DescribeOrganization` from the management account, which owns the trail here.
#[test]
fn a_single_account_snapshot_records_the_organization_of_its_trail() {
    let emulator = Emulator::start();
    runtime().block_on(provision_control_tower(&emulator, 1));
    let organization_id = runtime().block_on(async {
        let us = emulator.sdk("us-east-1").await;
        aws_sdk_organizations::Client::new(&us)
            .describe_organization()
            .send()
            .await
            .expect("organization")
            .organization()
            .and_then(|o| o.id())
            .expect("id")
            .to_owned()
    });
    let home = temp("org", "single");
    let out = home.join("management.json");
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
    assert_eq!(snapshot["schemaVersion"], 1);
    assert_eq!(
        snapshot["account"]["organizationId"],
        organization_id.as_str()
    );

    // A list of accounts without --org keeps what each account learned (the listing of an
    // organization run is not there to overwrite it).
    let listed = home.join("listed.json");
    let output = trailwarden(&home, &emulator.env())
        .args([
            "snapshot",
            "-q",
            "--accounts",
            ACCOUNT,
            "--regions",
            "us-east-1",
            "--no-lookup-events",
            "-o",
        ])
        .arg(&listed)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let listed = read_json(&listed);
    assert_eq!(listed["schemaVersion"], 2);
    assert_eq!(
        listed["accounts"][0]["account"]["organizationId"],
        organization_id.as_str(),
        "{listed}"
    );

    // Refused, the gap is recorded with the permission to add, and the run is incomplete.
    let refused = home.join("refused.json");
    emulator.inject(Fault::error(
        "organizations",
        None,
        Some("DescribeOrganization"),
        400,
        "AccessDeniedException",
    ));
    let output = trailwarden(&home, &emulator.env())
        .args([
            "snapshot",
            "-q",
            "--regions",
            "us-east-1",
            "--no-lookup-events",
            "-o",
        ])
        .arg(&refused)
        .output()
        .expect("binary runs");
    let snapshot = read_json(&refused);
    assert!(snapshot["account"]["organizationId"].is_null());
    let errors = snapshot["errors"].as_array().expect("errors recorded");
    assert!(
        errors
            .iter()
            .any(|e| e["operation"] == "DescribeOrganization"),
        "{errors:?} / {}",
        stderr(&output)
    );
}
