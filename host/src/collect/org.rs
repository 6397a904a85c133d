//! Collecting several accounts in one run: an AWS Organization listed from its management
//! account (or a delegated administrator), or a list of accounts.
//!
//! Each member is read through a role assumed in it (`--member-role`, by default
//! `OrganizationAccountAccessRole`, the role AWS Organizations creates in accounts it creates:
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access-cross-account-role.html>).
//! Every account's regions are collected at once, all of them through one [`Caller`], so the
//! bound on calls in flight (`--max-in-flight`) holds for the whole organization: collection
//! time grows with accounts × regions divided by that bound, not with accounts × regions.
//!
//! An account whose role cannot be assumed is recorded as an [`AccountFailure`] with what
//! would fix it, and the others go on; a run with such a failure never passes.

use std::str::FromStr;

use aws_config::SdkConfig;
use aws_sdk_sts::config::{ProvideCredentials, SharedCredentialsProvider};
use futures_util::future::join_all;
use sha2::{Digest, Sha256};
use trailwarden_sdk::snapshot::org::{
    AccountFailure, ORGANIZATION_SCHEMA_VERSION, Organization, OrganizationSnapshot,
};
use trailwarden_sdk::snapshot::{CollectionError, Generator};

use super::calls::{Caller, Op};
use super::{CollectError, Plan};

/// `organizations:DescribeOrganization`.
pub const DESCRIBE_ORGANIZATION: Op = Op::new("organizations", "DescribeOrganization");
/// `organizations:ListAccounts`.
pub const LIST_ACCOUNTS: Op = Op::new("organizations", "ListAccounts");
/// `sts:AssumeRole` into each member account.
pub const ASSUME_ROLE: Op = Op::new("sts", "AssumeRole");

/// What the management-side identity calls besides what it collects in its own account: the
/// policy in `docs/iam-management-role.json` (checked against this list by a test). The
/// member role needs `docs/iam-policy.json`, the one-account policy.
pub const MANAGEMENT_OPERATIONS: &[Op] = &[
    DESCRIBE_ORGANIZATION,
    LIST_ACCOUNTS,
    ASSUME_ROLE,
    super::centralization::LIST_CENTRALIZATION_RULES,
    super::centralization::GET_CENTRALIZATION_RULE,
];

/// The role AWS Organizations creates in the accounts it creates.
pub const DEFAULT_MEMBER_ROLE: &str = "OrganizationAccountAccessRole";

/// Which accounts to collect, and how to enter them.
#[derive(Debug, Clone)]
pub struct AccountsPlan {
    /// List the organization's active accounts with AWS Organizations.
    pub organization: bool,
    /// Accounts named on the command line: the whole list without `organization`, a filter
    /// of the organization's accounts with it.
    pub accounts: Vec<String>,
    /// Accounts left out.
    pub exclude: Vec<String>,
    /// The role to assume in each account other than the caller's.
    pub member_role: String,
    /// The external id the member role's trust policy requires.
    pub external_id: Option<String>,
    /// The session name CloudTrail records for the assumed role.
    pub session_name: String,
    /// One shard of the accounts.
    pub shard: Option<Shard>,
    /// Read the organization's CloudWatch Logs centralization rules (with `organization`),
    /// so that members' chains continue into the destination account
    /// ([`super::centralization`]). Off with `--no-centralization`.
    pub centralization: bool,
}

/// `--shard K/N`: the K-th of N disjoint parts of the accounts.
///
/// An account's shard is decided by its id alone (a hash of it), not by its place in a list:
/// the runners of a CI matrix each list the organization themselves, and an account created
/// while they run must still land in exactly one shard, so that merging the shards neither
/// misses nor doubles an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let usage = "give it as K/N with 1 ≤ K ≤ N, e.g. --shard 1/4 for the first of four";
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a shard: {usage}"))?;
        let parse = |part: &str| part.trim().parse::<u32>().ok();
        match (parse(k), parse(n)) {
            (Some(index), Some(count)) if count >= 1 && (1..=count).contains(&index) => {
                Ok(Shard { index, count })
            }
            (Some(_), Some(0)) => Err(format!(
                "`{text}`: there must be at least one shard; {usage}"
            )),
            (Some(_), Some(_)) => Err(format!(
                "`{text}`: shard {k} of {n} does not exist (shards are numbered from 1 to {n}); {usage}"
            )),
            _ => Err(format!("`{text}` is not a shard: {usage}")),
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether `account` belongs to this shard.
    pub fn holds(&self, account: &str) -> bool {
        let digest = Sha256::digest(account.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// The accounts to collect: listed or given, minus the excluded, within the shard, sorted.
pub fn select(listed: Vec<String>, plan: &AccountsPlan) -> Vec<String> {
    let mut ids: Vec<String> = listed
        .into_iter()
        .filter(|id| plan.accounts.is_empty() || !plan.organization || plan.accounts.contains(id))
        .filter(|id| !plan.exclude.contains(id))
        .filter(|id| plan.shard.is_none_or(|shard| shard.holds(id)))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Collects every selected account, `config` being the management (or caller's) account.
pub async fn collect(
    caller: &Caller,
    config: &SdkConfig,
    plan: &Plan,
    accounts: &AccountsPlan,
) -> Result<OrganizationSnapshot, CollectError> {
    let me = super::account::identify(caller, config).await?;
    let (organization, listed) = if accounts.organization {
        let (organization, listed) = list_organization(caller, config).await?;
        (Some(organization), listed)
    } else {
        (None, accounts.accounts.clone())
    };
    let unknown: Vec<&String> = accounts
        .accounts
        .iter()
        .filter(|id| accounts.organization && !listed.contains(id))
        .collect();
    if !unknown.is_empty() {
        return Err(CollectError::Organization(format!(
            "--accounts names {} that the organization does not list as active; check the ids \
             (`aws organizations list-accounts`)",
            unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let selected = select(listed, accounts);
    // Asked once, with the management-side identity, like the listing: every shard of a run
    // reads the same rules, and the merge keeps one reading.
    let centralization_rules = if accounts.organization && accounts.centralization {
        super::centralization::collect(caller, config).await
    } else {
        trailwarden_sdk::snapshot::Section::not_collected()
    };
    let organization_id = organization.as_ref().map(|o| o.id.clone());
    let results = join_all(selected.iter().map(|id| {
        let me = &me;
        let organization_id = organization_id.clone();
        async move {
            let entered = if *id == me.id {
                Ok(config.clone())
            } else {
                enter(caller, config, &me.partition, id, accounts).await
            };
            let member = match entered {
                Ok(member) => member,
                Err(failure) => return Err(*failure),
            };
            let known = organization_id.as_deref();
            match super::collect_account(caller, &member, plan, None, known).await {
                Ok(snapshot) => {
                    if snapshot.account.id != *id {
                        return Err(AccountFailure {
                            account_id: id.clone(),
                            code: "WrongAccount".to_owned(),
                            message: format!(
                                "the credentials for account {id} belong to account {}",
                                snapshot.account.id
                            ),
                            fix: format!(
                                "make `{}` in account {id} a role of that account",
                                accounts.member_role
                            ),
                        });
                    }
                    Ok(snapshot)
                }
                Err(error) => Err(AccountFailure {
                    account_id: id.clone(),
                    code: "CollectionFailed".to_owned(),
                    message: error.to_string(),
                    fix: "check the member role's permissions (docs/iam-member-role.json)"
                        .to_owned(),
                }),
            }
        }
    }))
    .await;
    let mut snapshots = Vec::new();
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(snapshot) => snapshots.push(snapshot),
            Err(failure) => {
                tracing::warn!(
                    account = %failure.account_id,
                    "could not collect the account: {}",
                    failure.message
                );
                failures.push(failure);
            }
        }
    }
    let mut snapshot = OrganizationSnapshot {
        schema_version: ORGANIZATION_SCHEMA_VERSION,
        generator: Generator {
            tool: Some(format!("trailwarden {}", env!("CARGO_PKG_VERSION"))),
            collected_at: Some(crate::time::now_rfc3339()),
            events_window: None,
        },
        organization,
        shard: accounts.shard.map(|s| s.to_string()),
        accounts: snapshots,
        failures,
        centralization_rules,
    };
    snapshot.sort();
    Ok(snapshot)
}

/// The organization and its active accounts. Failing here stops the run: without the list
/// there is nothing to check, and a partial list would pass the accounts it left out.
async fn list_organization(
    caller: &Caller,
    config: &SdkConfig,
) -> Result<(Organization, Vec<String>), CollectError> {
    let client = aws_sdk_organizations::Client::new(config);
    let home = super::aws::home_region(config);
    let described = caller
        .call(DESCRIBE_ORGANIZATION, Some(&home), || {
            client.describe_organization().send()
        })
        .await
        .map_err(organizations_error)?;
    let Some(org) = described.organization() else {
        return Err(CollectError::Organization(
            "organizations:DescribeOrganization named no organization".to_owned(),
        ));
    };
    let organization = Organization {
        id: org.id().unwrap_or_default().to_owned(),
        management_account_id: org.master_account_id().map(str::to_owned),
    };
    let mut accounts = Vec::new();
    let failed = caller
        .walk(
            LIST_ACCOUNTS,
            Some(&home),
            |token| client.list_accounts().set_next_token(token).send(),
            |page| {
                for account in page.accounts() {
                    // Suspended and closing accounts cannot be entered and run nothing.
                    let active = account.state().map_or_else(
                        || {
                            account.status()
                                == Some(&aws_sdk_organizations::types::AccountStatus::Active)
                        },
                        |state| *state == aws_sdk_organizations::types::AccountState::Active,
                    );
                    if active && let Some(id) = account.id() {
                        accounts.push(id.to_owned());
                    }
                }
                page.next_token().map(str::to_owned)
            },
        )
        .await;
    if let Some(error) = failed {
        return Err(organizations_error(error));
    }
    Ok((organization, accounts))
}

/// An Organizations failure, with what to do about it.
fn organizations_error(error: CollectionError) -> CollectError {
    let advice = match error.code.as_str() {
        "AWSOrganizationsNotInUseException" => {
            "these credentials' account belongs to no organization; run --org from the \
             management account, or list the accounts with --accounts ID,... and --member-role"
        }
        "AccessDeniedException" | "AccessDenied" => {
            "run --org from the organization's management account or a delegated \
             administrator, with organizations:DescribeOrganization and \
             organizations:ListAccounts allowed (docs/iam-management-role.json); or list the \
             accounts with --accounts ID,... and --member-role"
        }
        _ => "check the credentials and AWS_ENDPOINT_URL, or list the accounts with --accounts",
    };
    CollectError::Organization(format!("{error}; {advice}"))
}

/// Credentials for `account` through its member role, checked with one call, so that an
/// account that cannot be entered is recorded before any of its regions is tried.
async fn enter(
    caller: &Caller,
    config: &SdkConfig,
    partition: &str,
    account: &str,
    plan: &AccountsPlan,
) -> Result<SdkConfig, Box<AccountFailure>> {
    let role_arn = format!("arn:{partition}:iam::{account}:role/{}", plan.member_role);
    let client = aws_sdk_sts::Client::new(config);
    let home = super::aws::home_region(config);
    let assumed = caller
        .call(ASSUME_ROLE, Some(&home), || {
            client
                .assume_role()
                .role_arn(&role_arn)
                .role_session_name(&plan.session_name)
                .set_external_id(plan.external_id.clone())
                .send()
        })
        .await;
    if let Err(error) = assumed {
        return Err(Box::new(assume_failure(account, &role_arn, plan, &error)));
    }
    // The refreshing provider: a large organization can take longer than one session.
    let mut provider = aws_config::sts::AssumeRoleProvider::builder(role_arn.clone())
        .session_name(plan.session_name.clone());
    if let Some(id) = &plan.external_id {
        provider = provider.external_id(id.clone());
    }
    let provider = provider.configure(config).build().await;
    if let Err(error) = provider.provide_credentials().await {
        let recorded = CollectionError {
            service: ASSUME_ROLE.service.to_owned(),
            operation: ASSUME_ROLE.operation.to_owned(),
            region: None,
            code: "CredentialsError".to_owned(),
            message: error.to_string(),
        };
        return Err(Box::new(assume_failure(
            account, &role_arn, plan, &recorded,
        )));
    }
    Ok(config
        .clone()
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build())
}

/// Why a member role could not be assumed, and what fixes it. AWS answers `AccessDenied` both
/// when the role does not exist and when its trust policy or the caller's policy refuses, so
/// the fix names all three.
fn assume_failure(
    account: &str,
    role_arn: &str,
    plan: &AccountsPlan,
    error: &CollectionError,
) -> AccountFailure {
    let external = if plan.external_id.is_some() {
        " with the sts:ExternalId condition matching --external-id"
    } else {
        ""
    };
    AccountFailure {
        account_id: account.to_owned(),
        code: error.code.clone(),
        message: format!("could not assume {role_arn}: {}", error.message),
        fix: format!(
            "make sure role `{}` exists in account {account} (Control Tower names it \
             AWSControlTowerExecution; pass --member-role NAME), that its trust policy trusts \
             the identity trailwarden runs as{external} (docs/iam-member-role.json), and that \
             this identity may call sts:AssumeRole on {role_arn} \
             (docs/iam-management-role.json)",
            plan.member_role
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented management-side policy allows what an organization run calls, and the
    /// README shows it.
    #[test]
    fn the_management_policy_matches_the_calls_made() {
        let policy: serde_json::Value =
            serde_json::from_str(include_str!("../../../docs/iam-management-role.json"))
                .expect("json");
        let mut allowed: Vec<String> = policy["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|statement| statement["Action"].as_array().cloned().unwrap_or_default())
            .filter_map(|action| action.as_str().map(str::to_owned))
            .collect();
        allowed.sort();
        let mut called: Vec<String> = MANAGEMENT_OPERATIONS.iter().map(Op::permission).collect();
        called.sort();
        assert_eq!(allowed, called);
        let readme = include_str!("../../../README.md");
        for action in &called {
            assert!(
                readme.contains(&format!("\"{action}\"")),
                "README lacks {action}"
            );
        }
    }

    #[test]
    fn shard_specs_are_checked() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["5/4", "0/0", "0/3", "1", "a/b", "1/", "-1/2"] {
            let error = bad.parse::<Shard>().expect_err(bad);
            assert!(error.contains("K/N"), "{bad}: {error}");
        }
        assert!(
            "5/4"
                .parse::<Shard>()
                .expect_err("5/4")
                .contains("does not exist")
        );
        assert!(
            "0/0"
                .parse::<Shard>()
                .expect_err("0/0")
                .contains("at least one")
        );
    }

    #[test]
    fn shards_split_accounts_into_disjoint_parts_that_cover_them() {
        let accounts: Vec<String> = (0..200).map(|i| format!("{:012}", 100_000 + i)).collect();
        let mut seen = Vec::new();
        for index in 1..=4 {
            let plan = AccountsPlan {
                organization: true,
                accounts: Vec::new(),
                exclude: Vec::new(),
                member_role: DEFAULT_MEMBER_ROLE.to_owned(),
                external_id: None,
                session_name: "trailwarden".to_owned(),
                shard: Some(Shard { index, count: 4 }),
                centralization: true,
            };
            let part = select(accounts.clone(), &plan);
            assert!(part.len() > 20, "roughly balanced: {}", part.len());
            // The same listing in another order gives the same shard.
            let mut reversed = accounts.clone();
            reversed.reverse();
            assert_eq!(select(reversed, &plan), part);
            seen.extend(part);
        }
        seen.sort();
        assert_eq!(seen, accounts);
    }

    #[test]
    fn accounts_and_exclusions_narrow_the_organization() {
        let listed: Vec<String> = ["111", "222", "333"].map(String::from).to_vec();
        let mut plan = AccountsPlan {
            organization: true,
            accounts: vec!["222".to_owned(), "333".to_owned()],
            exclude: vec!["333".to_owned()],
            member_role: DEFAULT_MEMBER_ROLE.to_owned(),
            external_id: None,
            session_name: "trailwarden".to_owned(),
            shard: None,
            centralization: true,
        };
        assert_eq!(select(listed.clone(), &plan), ["222"]);
        plan.accounts.clear();
        assert_eq!(select(listed, &plan), ["111", "222"]);
    }
}
