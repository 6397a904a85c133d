//! A rule that reads a section its `needs` does not declare fails its native tests the way it
//! would fail in `trailwarden check`: the section is withheld, and the message names `needs`.

use trailwarden_sdk::prelude::*;
use trailwarden_sdk::testing::{SnapshotBuilder, run_native};

/// Every log group must have a metric filter. Reads `metricFilters` but declares only
/// `logGroups`: the mistake under test.
#[rule(
    id = "T-NEEDS-001",
    name = "filters-everywhere",
    level = "warning",
    needs = ["logGroups"]
)]
pub fn under_declared(snapshot: &Snapshot, _ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    let mut findings = Vec::new();
    for region in &snapshot.regions {
        let groups = region.log_groups.verified().unwrap_or_default();
        match region.metric_filters.verified() {
            Ok(filters) => {
                for group in groups {
                    if !filters
                        .iter()
                        .any(|f| f.log_group_name == group.log_group_name)
                    {
                        findings.push(Finding::fail("NO_FILTER", "no filter"));
                    }
                }
            }
            Err(why) => findings.push(Finding::unverifiable(
                "FILTERS_UNKNOWN",
                format!("could not verify: {why}"),
            )),
        }
    }
    Ok(findings)
}

/// The same rule, declared correctly.
#[rule(
    id = "T-NEEDS-002",
    name = "filters-everywhere-declared",
    level = "warning",
    needs = ["logGroups", "metricFilters"]
)]
pub fn declared(snapshot: &Snapshot, ctx: &Ctx) -> Result<Vec<Finding>, RuleError> {
    under_declared(snapshot, ctx)
}

export_rules![under_declared, declared];

fn account() -> Snapshot {
    SnapshotBuilder::new()
        .region("eu-west-1")
        .trail("management-events", "cloudtrail-logs")
        .monitor(
            "cloudtrail-logs",
            "kms",
            r#"{ $.eventSource = "kms.amazonaws.com" }"#,
            "alerts",
        )
        .topic("alerts")
        .build()
}

#[test]
fn run_rule_withholds_what_needs_does_not_declare() {
    let findings = pack()
        .run_rule("T-NEEDS-001", &account(), serde_json::Value::Null)
        .expect("runs");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].reason, "FILTERS_UNKNOWN");
    assert!(
        findings[0].message.contains("`metricFilters` was withheld")
            && findings[0].message.contains("needs"),
        "{}",
        findings[0].message
    );
    let findings = pack()
        .run_rule("T-NEEDS-002", &account(), serde_json::Value::Null)
        .expect("runs");
    assert!(
        findings.is_empty(),
        "declared correctly, it passes: {findings:?}"
    );
}

#[test]
fn cases_run_through_the_same_plan_as_check() {
    let dir = std::env::temp_dir().join(format!("tw-needs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("chain.json"),
        serde_json::to_string(&account()).expect("json"),
    )
    .expect("written");
    std::fs::write(
        dir.join("chain.expected.json"),
        r#"{"rules": ["T-NEEDS-001"], "findings": []}"#,
    )
    .expect("written");
    let cases = trailwarden_sdk::testing::load_cases(&dir).expect("cases");
    let case = &cases[0];
    let reported = run_native(&pack(), case);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(reported.findings.len(), 1);
    assert_eq!(reported.findings[0].reason, "FILTERS_UNKNOWN");
    assert!(reported.findings[0].message.contains("withheld"));
}
