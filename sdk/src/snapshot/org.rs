//! Several accounts in one snapshot: an organization, or a list of accounts.
//!
//! An AWS Organization is usually monitored from one place: an **organization trail** owned by
//! the management account (or a delegated administrator for CloudTrail) records the events of
//! every member account and delivers them to a log group in its own account, where the metric
//! filters, alarms and topics live (the Control Tower shape). A member's requirement is then
//! met, or broken, by resources in another account. This module holds the accounts side by
//! side and hands each one to the rules with the accounts its chains continue into
//! ([`OrganizationSnapshot::evaluation_snapshot`]): the rules, built-in or a user's, read the
//! same [`Snapshot`] model as for one account, with [`Snapshot::linked_accounts`] filled in,
//! and the one chain analysis follows the trail there.
//!
//! AWS readings this relies on:
//! - "An organization trail logs events for the management account and all member accounts in
//!   the organization"; member accounts can see the trail but not change it, and the events
//!   go to the log group the trail names, in the account that owns the trail
//!   (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html>).
//! - A delegated administrator for CloudTrail can create organization trails; the trail is
//!   still owned by the management account
//!   (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html>),
//!   so the owner read from the trail ARN is the account that must act on the trail; the log
//!   group account is read from `CloudWatchLogsLogGroupArn`.
//!
//! The file form is schema version [`ORGANIZATION_SCHEMA_VERSION`]; a version 1 file (one
//! account) reads as an organization of one ([`SnapshotDocument::from_json`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::centralization::{CentralizationRule, Copying, SourceGroup};
use super::{Generator, SCHEMA_VERSION, Section, Snapshot, SnapshotError};

/// The schema version of a snapshot holding several accounts. Version 1 is one account.
pub const ORGANIZATION_SCHEMA_VERSION: u32 = 2;

/// Several accounts' snapshots, collected (or merged) together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationSnapshot {
    /// Must equal [`ORGANIZATION_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Who wrote it and when.
    #[serde(default)]
    pub generator: Generator,
    /// The organization, when the accounts were listed from AWS Organizations (or belong to
    /// one); `None` for a plain list of accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    /// `K/N` when this file holds one shard of the accounts (`--shard`); merged files drop it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Each account's snapshot (schema version 1 each, without linked accounts).
    pub accounts: Vec<Snapshot>,
    /// Accounts that were meant to be checked but could not be read at all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<AccountFailure>,
    /// The organization's CloudWatch Logs centralization rules, read from the management
    /// account or a delegated administrator in an `--org` run (`ListCentralizationRules…`,
    /// `GetCentralizationRuleForOrganization`), with the calls that failed. Not collected
    /// (and not written) otherwise, so files without it read as before.
    #[serde(
        default = "Section::not_collected",
        skip_serializing_if = "Section::is_not_collected"
    )]
    pub centralization_rules: Section<CentralizationRule>,
}

/// An AWS Organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Organization {
    /// `o-…`.
    pub id: String,
    /// The management account's id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_account_id: Option<String>,
}

/// An account that could not be read, and what would fix it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountFailure {
    /// The 12-digit account id.
    pub account_id: String,
    /// The AWS error code (`AccessDenied`, …).
    pub code: String,
    /// What failed, as AWS said it.
    pub message: String,
    /// What to change so that the next run reads the account.
    pub fix: String,
}

/// A snapshot file as read: one account (schema 1) or several (schema 2).
#[derive(Debug, Clone, PartialEq)]
pub enum SnapshotDocument {
    /// A version 1 file.
    Account(Box<Snapshot>),
    /// A version 2 file.
    Organization(Box<OrganizationSnapshot>),
}

impl SnapshotDocument {
    /// Reads either version: a version 1 file is one account, as it always was.
    ///
    /// A version 1 file is parsed once, as [`Snapshot::from_json`] parses it; only a text that
    /// it refuses as version 2 is parsed again, as an organization.
    pub fn from_json(text: &str) -> Result<Self, SnapshotError> {
        match Snapshot::from_json(text) {
            Ok(snapshot) => Ok(SnapshotDocument::Account(Box::new(snapshot))),
            Err(SnapshotError::Version { found, .. })
                if found == u64::from(ORGANIZATION_SCHEMA_VERSION) =>
            {
                let organization: OrganizationSnapshot =
                    serde_json::from_str(text).map_err(SnapshotError::Invalid)?;
                for account in &organization.accounts {
                    if account.schema_version != SCHEMA_VERSION {
                        return Err(SnapshotError::Version {
                            found: u64::from(account.schema_version),
                            expected: SCHEMA_VERSION,
                        });
                    }
                }
                Ok(SnapshotDocument::Organization(Box::new(organization)))
            }
            Err(error) => Err(error),
        }
    }

    /// The document as an organization: one account becomes an organization of one.
    pub fn into_organization(self) -> OrganizationSnapshot {
        match self {
            SnapshotDocument::Organization(organization) => *organization,
            SnapshotDocument::Account(snapshot) => {
                let snapshot = *snapshot;
                OrganizationSnapshot {
                    schema_version: ORGANIZATION_SCHEMA_VERSION,
                    generator: snapshot.generator.clone(),
                    organization: snapshot
                        .account
                        .organization_id
                        .clone()
                        .map(|id| Organization {
                            id,
                            management_account_id: None,
                        }),
                    shard: None,
                    accounts: vec![snapshot],
                    failures: Vec::new(),
                    centralization_rules: Section::not_collected(),
                }
            }
        }
    }
}

/// Why several snapshots cannot be read as one organization.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Two organizations in one merge.
    #[error(
        "{first_source} belongs to organization {first} but {second_source} to organization \
         {second}: a merge must hold one organization's snapshots; put each organization's \
         snapshots in a directory of its own"
    )]
    MixedOrganizations {
        /// The first organization seen.
        first: String,
        /// Where it was seen.
        first_source: String,
        /// The other one.
        second: String,
        /// Where that was seen.
        second_source: String,
    },
    /// One account in two inputs.
    #[error(
        "account {account} appears in both {first_source} and {second_source}: each account \
         must be in one snapshot only (shards of one run never overlap); remove the older one"
    )]
    DuplicateAccount {
        /// The account.
        account: String,
        /// One input.
        first_source: String,
        /// The other.
        second_source: String,
    },
    /// Nothing to merge.
    #[error("no snapshot to merge")]
    Empty,
}

impl OrganizationSnapshot {
    /// Merges snapshots read from several files (per account, or per shard) into one
    /// organization, each input named by its `source` for errors. Inputs of two
    /// organizations, or an account given twice, are refused: merging them would check one
    /// organization's members against another's trail.
    pub fn merge(
        inputs: Vec<(String, OrganizationSnapshot)>,
    ) -> Result<OrganizationSnapshot, MergeError> {
        let mut merged: Option<OrganizationSnapshot> = None;
        let mut org_source: Option<(String, String)> = None;
        let mut seen: Vec<(String, String)> = Vec::new();
        for (source, input) in inputs {
            for id in input.organization_ids() {
                match &org_source {
                    None => org_source = Some((id, source.clone())),
                    Some((first, first_source)) if *first != id => {
                        return Err(MergeError::MixedOrganizations {
                            first: first.clone(),
                            first_source: first_source.clone(),
                            second: id,
                            second_source: source,
                        });
                    }
                    Some(_) => {}
                }
            }
            let ids = input
                .accounts
                .iter()
                .map(|a| a.account.id.clone())
                .chain(input.failures.iter().map(|f| f.account_id.clone()));
            for account in ids {
                if let Some((_, first_source)) = seen.iter().find(|(id, _)| *id == account) {
                    return Err(MergeError::DuplicateAccount {
                        account,
                        first_source: first_source.clone(),
                        second_source: source.clone(),
                    });
                }
                seen.push((account, source.clone()));
            }
            match &mut merged {
                None => merged = Some(input),
                Some(merged) => {
                    if merged.organization.is_none() {
                        merged.organization = input.organization;
                    } else if let (Some(kept), Some(new)) =
                        (&mut merged.organization, input.organization)
                        && kept.management_account_id.is_none()
                    {
                        kept.management_account_id = new.management_account_id;
                    }
                    merged.accounts.extend(input.accounts);
                    merged.failures.extend(input.failures);
                    // Every shard of an `--org` run reads the same organization-wide rules:
                    // keep the first complete reading, else the first attempt with its errors.
                    let kept = &merged.centralization_rules;
                    let complete =
                        |s: &Section<CentralizationRule>| s.collected && s.errors.is_empty();
                    if !complete(kept)
                        && (complete(&input.centralization_rules) || kept.is_not_collected())
                    {
                        merged.centralization_rules = input.centralization_rules;
                    }
                }
            }
        }
        let mut merged = merged.ok_or(MergeError::Empty)?;
        merged.shard = None;
        merged.sort();
        Ok(merged)
    }

    /// Every organization id the input names: its own and its accounts'.
    fn organization_ids(&self) -> BTreeSet<String> {
        self.organization
            .iter()
            .map(|o| o.id.clone())
            .chain(
                self.accounts
                    .iter()
                    .filter_map(|a| a.account.organization_id.clone()),
            )
            .collect()
    }

    /// Accounts and failures in account-id order, so that output never depends on the order
    /// files were listed or accounts finished.
    pub fn sort(&mut self) {
        self.accounts
            .sort_by(|a, b| a.account.id.cmp(&b.account.id));
        self.failures.sort();
    }

    /// The snapshot the rules receive for account `index`: that account's own, with the
    /// accounts its chains continue into as [`Snapshot::linked_accounts`]. Those are the
    /// owners of organization trails of its organization, and the accounts of the log groups
    /// its trails deliver to. Built one account at a time, so a run holds one such copy per
    /// account being evaluated, not one per account of the organization.
    pub fn evaluation_snapshot(&self, index: usize) -> Option<Snapshot> {
        let account = self.accounts.get(index)?;
        let wanted = self.linked_ids(account);
        let mut snapshot = account.clone();
        snapshot.linked_accounts = self
            .accounts
            .iter()
            .filter(|other| wanted.contains(other.account.id.as_str()))
            .map(|other| {
                let mut linked = self.linked_copy(other);
                // Its alarms may notify a topic in a third account (Control Tower's alarms in
                // the management account notify the Audit account's topic): that account is
                // linked to it in turn, one level deep, which no chain goes beyond.
                linked.linked_accounts = topic_accounts_of(other)
                    .into_iter()
                    .filter_map(|id| self.accounts.iter().find(|a| a.account.id == id))
                    .map(|third| self.linked_copy(third))
                    .collect();
                linked
            })
            .collect();
        snapshot.centralization_rules = self.centralization_rules.items.clone();
        show_organization_trails(&mut snapshot);
        Some(snapshot)
    }

    /// `account` as a linked account: without its events (a chain reads its configuration
    /// alone) and without linked accounts of its own.
    fn linked_copy(&self, account: &Snapshot) -> Snapshot {
        let mut linked = account.clone();
        linked.linked_accounts = Vec::new();
        linked.events = super::Section::not_collected();
        linked
    }

    /// The other accounts of this document that `account`'s chains may continue into.
    fn linked_ids<'a>(&'a self, account: &'a Snapshot) -> BTreeSet<&'a str> {
        let mut wanted = BTreeSet::new();
        let organization = account.account.organization_id.as_deref();
        for other in &self.accounts {
            if other.account.id == account.account.id {
                continue;
            }
            let same_org =
                organization.is_some() && other.account.organization_id.as_deref() == organization;
            // Only an account of the same organization is looked at: deduplicating its trails
            // is the costly part, and every account is evaluated against every other.
            if same_org && other.owns_organization_trail() {
                wanted.insert(other.account.id.as_str());
            }
        }
        for trail in account.unique_trails() {
            let delivers_to = trail
                .cloud_watch_logs_log_group_arn
                .as_deref()
                .and_then(crate::arn::Arn::parse)
                .map(|arn| arn.account);
            for id in [trail.owner_account(), delivers_to].into_iter().flatten() {
                if id != account.account.id && self.accounts.iter().any(|a| a.account.id == id) {
                    wanted.insert(id);
                }
            }
        }
        // The destination accounts of centralization rules that copy the log groups its
        // trails deliver to (chain::centralized).
        for id in self.centralization_destinations(account) {
            if id != account.account.id
                && let Some(other) = self.accounts.iter().find(|a| a.account.id == id)
            {
                wanted.insert(other.account.id.as_str());
            }
        }
        // The accounts of the topics its own alarms and event rules publish to.
        for id in topic_accounts_of(account) {
            if let Some(other) = self.accounts.iter().find(|a| a.account.id == id) {
                wanted.insert(other.account.id.as_str());
            }
        }
        wanted
    }
}

impl OrganizationSnapshot {
    /// The destination accounts of the rules that copy a log group `account`'s trails deliver
    /// to (its own, or the trail owner's). Encryption and health are left to the chain: a
    /// linked account that turns out not to receive the events costs nothing but its copy.
    fn centralization_destinations(&self, account: &Snapshot) -> BTreeSet<String> {
        let mut destinations = BTreeSet::new();
        for trail in account.unique_trails() {
            let Some(arn) = trail
                .cloud_watch_logs_log_group_arn
                .as_deref()
                .and_then(crate::arn::Arn::parse)
            else {
                continue;
            };
            let Some(name) = arn.log_group_name() else {
                continue;
            };
            let organization_id = self
                .accounts
                .iter()
                .find(|a| a.account.id == arn.account)
                .and_then(|a| a.account.organization_id.as_deref())
                .or(self.organization.as_ref().map(|o| o.id.as_str()));
            let group = SourceGroup {
                account: arn.account,
                organization_id,
                region: arn.region,
                name,
                encrypted: false,
            };
            for rule in &self.centralization_rules.items {
                if let Copying::Copied { account, .. } = rule.copying(&group) {
                    destinations.insert(account);
                }
            }
        }
        destinations
    }
}

/// The accounts of the SNS topics `snapshot`'s alarms and event rules publish to.
fn topic_accounts_of(snapshot: &Snapshot) -> BTreeSet<&str> {
    snapshot
        .regions
        .iter()
        .flat_map(super::RegionSnapshot::published_to)
        .filter_map(|action| crate::arn::Arn::parse(action))
        .filter(|arn| arn.service == "sns" && arn.account != snapshot.account.id)
        .map(|arn| arn.account)
        .collect()
}

/// Lists the organization trails of linked accounts in the member's own trail lists, where
/// the collection did not (an emulator, or a listing made before the trail existed): AWS shows
/// an organization trail to every member account, in every region the trail covers ("member
/// accounts can see the organization trail", creating-trail-organization.html). Rules that
/// read the trail lists alone then see what AWS would show them, rather than "no trail".
fn show_organization_trails(snapshot: &mut Snapshot) {
    let org_trails: Vec<super::Trail> = snapshot
        .organization_trails_from_linked()
        .into_iter()
        .cloned()
        .collect();
    for region in &mut snapshot.regions {
        if !region.trails.collected {
            continue;
        }
        for trail in &org_trails {
            let covers = trail.is_multi_region_trail || trail.home_region == region.region;
            let listed = region
                .trails
                .items
                .iter()
                .any(|t| t.trail_arn == trail.trail_arn);
            if covers && !listed {
                region.trails.items.push(trail.clone());
            }
        }
    }
}

#[cfg(test)]
#[path = "org_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "org_centralization_tests.rs"]
mod centralization_tests;
