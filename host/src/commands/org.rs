//! Several accounts in one `check`: a directory of snapshots (per account, or per `--shard`)
//! or a schema 2 file, evaluated one account at a time through the engine's one evaluation
//! path, each with the accounts its chains continue into
//! ([`OrganizationSnapshot::evaluation_snapshot`]).

use std::path::Path;

use anyhow::Context;
use trailwarden_sdk::Snapshot;
use trailwarden_sdk::snapshot::org::{OrganizationSnapshot, SnapshotDocument};

use crate::report::{AccountScope, CheckReport, OrganizationScope, SnapshotSource};

/// Reads every `*.json` snapshot of `dir` (version 1 or 2) and merges them into one
/// organization. Two organizations, an account given twice, a file that is not a snapshot, or
/// no snapshot at all, are errors: a merge that silently dropped one would pass accounts
/// nobody checked.
pub fn read_dir(dir: &Path) -> anyhow::Result<OrganizationSnapshot> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading snapshot directory {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "json") && path.is_file())
        .collect();
    paths.sort();
    if paths.is_empty() {
        anyhow::bail!(
            "snapshot directory {} holds no *.json snapshot; write them with `trailwarden \
             snapshot -o DIR/ACCOUNT.json` (or `snapshot --org --shard K/N -o DIR/shard-K.json`)",
            dir.display()
        );
    }
    let mut inputs = Vec::with_capacity(paths.len());
    for path in paths {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading snapshot {display}"))?;
        let document = SnapshotDocument::from_json(&text)
            .with_context(|| format!("reading snapshot {display}"))?;
        inputs.push((display, document.into_organization()));
    }
    OrganizationSnapshot::merge(inputs)
        .with_context(|| format!("merging the snapshots of {}", dir.display()))
}

/// Evaluates every account of `organization` with `evaluate` (the one-account evaluation) and
/// gathers one report: findings carry the account they were evaluated for, and the report
/// knows the accounts and those that could not be read.
pub fn evaluate_organization(
    organization: &OrganizationSnapshot,
    source: &SnapshotSource,
    mut evaluate: impl FnMut(Snapshot) -> CheckReport,
) -> CheckReport {
    let mut merged: Option<CheckReport> = None;
    let mut accounts = Vec::with_capacity(organization.accounts.len());
    for index in 0..organization.accounts.len() {
        let Some(snapshot) = organization.evaluation_snapshot(index) else {
            continue;
        };
        let account = snapshot.account.clone();
        let linked: Vec<String> = snapshot
            .linked_accounts
            .iter()
            .map(|l| l.account.id.clone())
            .collect();
        let mut report = evaluate(snapshot);
        for finding in report
            .findings
            .iter_mut()
            .chain(report.unverifiable.iter_mut())
        {
            finding.account.get_or_insert_with(|| account.id.clone());
        }
        accounts.push(AccountScope {
            regions: report.regions.clone(),
            collection_errors: report.collection_errors.clone(),
            account,
            linked,
        });
        match &mut merged {
            None => merged = Some(report),
            Some(merged) => merged.absorb(report),
        }
    }
    let mut report = merged.unwrap_or_else(|| {
        // Every account failed: an empty report that still lists them (and exits 2).
        let id = organization
            .organization
            .as_ref()
            .and_then(|o| o.management_account_id.clone())
            .unwrap_or_default();
        let empty = Snapshot {
            schema_version: trailwarden_sdk::snapshot::SCHEMA_VERSION,
            generator: Default::default(),
            account: trailwarden_sdk::snapshot::Account {
                id,
                partition: "aws".to_owned(),
                organization_id: organization.organization.as_ref().map(|o| o.id.clone()),
                alias: None,
            },
            regions: Vec::new(),
            events: trailwarden_sdk::snapshot::Section::not_collected(),
            errors: Vec::new(),
            linked_accounts: Vec::new(),
            centralization_rules: Vec::new(),
        };
        CheckReport::new(
            &empty,
            source.clone(),
            Vec::new(),
            crate::time::now_rfc3339(),
        )
    });
    // The organization-wide reading of the centralization rules belongs to no account: its
    // failed calls make the run incomplete once, with the permission to add.
    report
        .collection_errors
        .extend(organization.centralization_rules.errors.iter().cloned());
    report.snapshot = source.clone();
    report.organization = Some(OrganizationScope {
        id: organization.organization.as_ref().map(|o| o.id.clone()),
        management_account_id: organization
            .organization
            .as_ref()
            .and_then(|o| o.management_account_id.clone()),
        accounts,
        failures: organization.failures.clone(),
    });
    report
}
