//! The JSON report: a stable, documented shape for scripts (`jq`), versioned by `format`.

use serde_json::json;

use super::CheckReport;

/// The version of this JSON shape.
pub const FORMAT: &str = "trailwarden-report/1";

/// Where a finding about `--iac` code is caused (`file`, `line`, `logicalId`, `constructPath`),
/// the fix in the code's terms, and the assumptions it rests on.
fn code(
    iac: &crate::iac::annotate::IacContext,
    finding: &trailwarden_sdk::Finding,
) -> serde_json::Value {
    let cause = iac.cause(finding);
    json!({
        "file": cause.as_ref().map(|c| &c.span.file),
        "line": cause.as_ref().map(|c| c.line),
        "logicalId": cause.as_ref().map(|c| &c.span.logical_id),
        "constructPath": cause.as_ref().and_then(|c| c.span.construct_path.as_ref()),
        "fix": iac.fix(finding),
        "assumptions": iac.assumptions_for(finding).iter().map(|a| &a.text).collect::<Vec<_>>(),
    })
}

/// Renders the report as pretty JSON with a trailing newline.
pub fn render(report: &CheckReport) -> anyhow::Result<String> {
    let (errors, warnings, notes) = report.counts();
    let entry = |finding: &trailwarden_sdk::Finding| {
        let mut value = serde_json::to_value(finding).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.insert("level".to_owned(), json!(report.level_of(finding)));
            object.insert("fingerprint".to_owned(), json!(report.fingerprint(finding)));
            if report.organization.is_some() {
                object.insert(
                    "actingAccount".to_owned(),
                    json!(report.acting_account(finding)),
                );
            }
            if report.baseline.is_some() {
                object.insert("new".to_owned(), json!(report.is_new(finding)));
            }
            if let Some(iac) = &report.iac {
                object.insert("code".to_owned(), code(iac, finding));
            }
        }
        value
    };
    let findings: Vec<_> = report.findings.iter().map(entry).collect();
    let unverifiable: Vec<_> = report.unverifiable.iter().map(entry).collect();
    let suppressed: Vec<_> = report
        .suppressed
        .iter()
        .map(|s| {
            let mut value = entry(&s.finding);
            if let Some(object) = value.as_object_mut() {
                object.insert("justification".to_owned(), json!(s.justification));
            }
            value
        })
        .collect();
    let baseline = report.baseline_counts().map(|counts| {
        json!({
            "new": counts.new, "unchanged": counts.unchanged, "fixed": counts.fixed,
        })
    });
    let document = json!({
        "format": FORMAT,
        "tool": {"name": "trailwarden", "version": report.tool_version},
        "started": report.started,
        "finished": report.finished,
        "snapshot": report.snapshot.display,
        "account": report.account,
        "regions": report.regions,
        "summary": {
            "errors": errors,
            "warnings": warnings,
            "notes": notes,
            "unverifiable": report.unverifiable.len(),
            "ruleErrors": report.rule_errors.len(),
            "packErrors": report.pack_errors.len(),
            "rules": report.rules.len(),
            "suppressed": report.suppressed.len(),
            "baseline": baseline,
        },
        "findings": findings,
        "suppressed": suppressed,
        "unverifiable": unverifiable,
        "iac": report.iac.as_ref().map(|iac| json!({
            "paths": iac.paths,
            "assumptions": iac.general_assumptions().map(|a| json!({
                "file": a.file, "line": a.line, "text": a.text,
            })).collect::<Vec<_>>(),
        })),
        "ruleErrors": report.rule_errors.iter().map(|e| json!({
            "ruleId": e.rule_id, "kind": e.kind, "message": e.message,
        })).collect::<Vec<_>>(),
        "packErrors": report.pack_errors.iter().map(|(pack, message)| json!({
            "pack": pack, "message": message,
        })).collect::<Vec<_>>(),
        "collectionErrors": report.collection_errors,
        "truncated": report.dropped.iter().map(|(rule, n)| json!({
            "ruleId": rule, "dropped": n,
        })).collect::<Vec<_>>(),
        "rules": report.rules.iter().map(|r| json!({
            "id": r.meta.id, "name": r.meta.name, "pack": r.pack, "level": r.meta.level,
        })).collect::<Vec<_>>(),
    });
    let mut document = document;
    if let (Some(org), Some(object)) = (&report.organization, document.as_object_mut()) {
        // Accounts as a level of their own: each with its verdict counts and its findings'
        // fingerprints, so a script can go account by account.
        let accounts: Vec<_> = org
            .accounts
            .iter()
            .map(|scope| {
                let id = scope.account.id.as_str();
                let of = |list: &[trailwarden_sdk::Finding]| -> Vec<String> {
                    list.iter()
                        .filter(|f| f.account.as_deref() == Some(id))
                        .map(|f| report.fingerprint(f))
                        .collect()
                };
                json!({
                    "account": scope.account,
                    "regions": scope.regions,
                    "linkedAccounts": scope.linked,
                    "collectionErrors": scope.collection_errors.len(),
                    "findings": of(&report.findings),
                    "unverifiable": of(&report.unverifiable),
                    "mustAct": report.findings.iter()
                        .filter(|f| report.acting_account(f) == id)
                        .map(|f| report.fingerprint(f))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        object.insert(
            "organization".to_owned(),
            json!({
                "id": org.id,
                "managementAccountId": org.management_account_id,
                "accounts": accounts,
                "failures": org.failures,
            }),
        );
    }
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(text)
}
