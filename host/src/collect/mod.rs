//! Live collection: reads an AWS account into a [`Snapshot`], per enabled region, concurrently.
//!
//! The flow is: who are we (`sts`), which regions (`account:ListRegions` or `--regions`), then
//! every region at once ([`fanout`]) with each service in its own module, then CloudTrail
//! events ([`events`]). Only the sections the selected rules declare they need are read
//! (`Plan::needs`, from the section registry). Every call passes one [`calls::Caller`], which bounds the calls in flight and
//! turns a failure into a [`CollectionError`] recorded next to the section it left empty: the
//! collection always goes on, and the rules say "could not verify" where data is missing.
//!
//! Nothing here knows about clap or terminals beyond the progress bar: the CLI builds a
//! [`Plan`] and prints the [`summary::Summary`].

pub mod account;
pub mod aws;
pub mod calls;
pub mod centralization;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod eventbridge;
pub mod events;
pub mod fanout;
pub mod files;
pub mod kms;
pub mod kms_attached;
pub mod logs;
pub mod org;
pub mod organization;
pub mod progress;
pub mod regions;
pub mod sns;
pub mod sns_deliveries;
pub mod sns_endpoints;
pub mod summary;

use std::time::Instant;

use aws_config::SdkConfig;
use trailwarden_sdk::snapshot::{CollectionError, Generator, RegionSnapshot, Section};
use trailwarden_sdk::time::format_rfc3339;
use trailwarden_sdk::{SCHEMA_VERSION, Snapshot};

use calls::{Caller, Op};
use events::EventSources;
use files::EventsFileError;
use progress::Progress;
use summary::Summary;
use trailwarden_sdk::sections::{SectionName, SectionSet, SectionState};

/// Every operation the collector may call, for the IAM policy (`docs/iam-policy.json`, checked
/// against this list by a test) and the summary's advice.
pub const OPERATIONS: &[Op] = &[
    account::GET_CALLER_IDENTITY,
    org::DESCRIBE_ORGANIZATION,
    regions::LIST_REGIONS,
    cloudtrail::DESCRIBE_TRAILS,
    cloudtrail::GET_TRAIL_STATUS,
    cloudtrail::GET_EVENT_SELECTORS,
    cloudtrail::LOOKUP_EVENTS,
    logs::DESCRIBE_LOG_GROUPS,
    logs::DESCRIBE_METRIC_FILTERS,
    logs::FILTER_LOG_EVENTS,
    cloudwatch::DESCRIBE_ALARMS,
    sns::LIST_TOPICS,
    sns::GET_TOPIC_ATTRIBUTES,
    sns::LIST_SUBSCRIPTIONS_BY_TOPIC,
    sns::GET_SUBSCRIPTION_ATTRIBUTES,
    sns_endpoints::LIST_QUEUES,
    sns_endpoints::LIST_FUNCTIONS,
    sns_deliveries::GET_METRIC_STATISTICS,
    eventbridge::LIST_RULES,
    eventbridge::LIST_TARGETS_BY_RULE,
    kms::LIST_KEYS,
    kms::DESCRIBE_KEY,
    kms::LIST_ALIASES,
    kms_attached::GET_KEY_ROTATION_STATUS,
    kms_attached::GET_KEY_POLICY,
    kms_attached::LIST_RESOURCE_TAGS,
];

/// What to collect, decided by the CLI.
#[derive(Debug, Clone)]
pub struct Plan {
    /// How to reach AWS.
    pub aws: aws::AwsOptions,
    /// Regions to collect; empty means every region enabled for the account.
    pub regions: Vec<String>,
    /// The sections the selected rules need; the others are written as not collected, which
    /// rules report as "could not verify". Collecting only these saves calls, time and
    /// permissions: a user who runs only the CloudTrail rules needs no `kms:*` or `sns:*`.
    pub needs: SectionSet,
    /// The events window, Unix seconds `(start, end)`.
    pub window: (i64, i64),
    /// Where events come from (used only when `needs` has `events`).
    pub events: EventSources,
    /// Redact subscription endpoints.
    pub redact: bool,
    /// Calls in flight at most, over all regions.
    pub max_in_flight: usize,
}

/// Why a collection could not produce a snapshot at all. Failed AWS calls are not here: they
/// are recorded in the snapshot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The credential chain found nothing.
    #[error(
        "no AWS credentials found: set AWS_PROFILE or pass --profile, set AWS_ACCESS_KEY_ID and \
         AWS_SECRET_ACCESS_KEY, or run `aws sso login`"
    )]
    NoCredentials,
    /// The credential chain found or produced nothing usable: checked before any call, so that
    /// the user reads why rather than a failed `GetCallerIdentity` wrapping it.
    #[error(
        "could not load AWS credentials ({0}); set AWS_PROFILE or pass --profile, set \
         AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws sso login`, or check the \
         instance or container role"
    )]
    Credentials(String),
    /// `--profile` (or `AWS_PROFILE`) names a profile that no AWS configuration file defines; without this check
    /// the SDK would fall through to the instance role and report an IMDS failure instead.
    #[error(
        "no profile `{profile}` in {searched}: name one that exists (`aws configure \
         list-profiles` lists them), or point AWS_CONFIG_FILE at the file that defines it"
    )]
    UnknownProfile {
        /// The profile asked for.
        profile: String,
        /// The files looked in.
        searched: String,
    },
    /// `sts:GetCallerIdentity` failed, so the account is unknown.
    #[error(
        "could not identify the AWS account ({0}); check the credentials, the profile and \
         AWS_ENDPOINT_URL"
    )]
    Identity(CollectionError),
    /// A `--events` file could not be read.
    #[error(transparent)]
    EventsFile(#[from] EventsFileError),
    /// The organization's accounts could not be listed (`--org`), or `--accounts` names
    /// accounts it does not hold.
    #[error("could not list the organization's accounts: {0}")]
    Organization(String),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// A finished collection.
#[derive(Debug)]
pub struct Collection {
    /// The snapshot.
    pub snapshot: Snapshot,
    /// What it took.
    pub summary: Summary,
}

/// Collects with a fresh runtime and the SDK configuration from the standard chain: the entry
/// point of the CLI, which is synchronous.
pub fn collect_blocking(plan: &Plan, progress: Progress) -> Result<Collection, CollectError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("trailwarden-collect")
        .build()
        .map_err(CollectError::Runtime)?;
    runtime.block_on(async {
        let config = aws::load(&plan.aws).await?;
        collect(&config, plan, progress).await
    })
}

/// Collects several accounts (`--org`, `--accounts`) with a fresh runtime, every account
/// through one bound on calls in flight.
pub fn collect_accounts_blocking(
    plan: &Plan,
    accounts: &org::AccountsPlan,
    progress: Progress,
) -> Result<
    (
        trailwarden_sdk::snapshot::org::OrganizationSnapshot,
        Summary,
    ),
    CollectError,
> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("trailwarden-collect")
        .build()
        .map_err(CollectError::Runtime)?;
    runtime.block_on(async {
        let started = Instant::now();
        let config = aws::load(&plan.aws).await?;
        let caller = Caller::new(plan.max_in_flight, progress.clone());
        let organization = org::collect(&caller, &config, plan, accounts).await?;
        progress.finish();
        let stats = caller.stats();
        let summary = Summary::of_accounts(
            &organization.accounts,
            stats.calls(),
            stats.failed(),
            started.elapsed(),
        );
        Ok((organization, summary))
    })
}

/// Collects with a given SDK configuration (tests pass one with a recorded HTTP client).
pub async fn collect(
    config: &SdkConfig,
    plan: &Plan,
    progress: Progress,
) -> Result<Collection, CollectError> {
    let started = Instant::now();
    let wants_events = plan.needs.contains(SectionName::Events);
    // Files first: a malformed one stops the run before it spends any call.
    let files = if wants_events && !plan.events.files.is_empty() {
        let read = files::read(&plan.events.files, plan.window)?;
        tracing::info!(
            files = read.files,
            records = read.records.len(),
            skipped = read.skipped,
            "read CloudTrail log files"
        );
        Some(read)
    } else {
        None
    };
    let caller = Caller::new(plan.max_in_flight, progress.clone());
    let snapshot = collect_account(&caller, config, plan, files, None).await?;
    progress.finish();
    let stats = caller.stats();
    let summary = Summary::of(&snapshot, stats.calls(), stats.failed(), started.elapsed());
    Ok(Collection { snapshot, summary })
}

/// Collects one account through `caller`, whose bound on calls in flight may be shared with
/// other accounts collected at the same time (an organization: [`org`]). `known_organization` is the
/// account's organization id when the run already knows it (`--org` listed it); otherwise an
/// account that lists an organization trail is asked ([`organization`]).
pub async fn collect_account(
    caller: &Caller,
    config: &SdkConfig,
    plan: &Plan,
    files: Option<files::FileEvents>,
    known_organization: Option<&str>,
) -> Result<Snapshot, CollectError> {
    let caller = caller.clone();
    let progress = caller.progress().clone();
    let wants_events = plan.needs.contains(SectionName::Events);
    let account = account::identify(&caller, config).await?;
    let mut errors = Vec::new();
    let regions = if plan.regions.is_empty() {
        match regions::enabled(&caller, config).await {
            Ok(regions) if !regions.is_empty() => regions,
            Ok(_) => vec![aws::home_region(config)],
            Err(error) => {
                let home = aws::home_region(config);
                tracing::warn!(
                    "could not list the account's regions ({error}); collecting {home} only: \
                     pass --regions to name them"
                );
                errors.push(error);
                vec![home]
            }
        }
    } else {
        plan.regions.clone()
    };
    progress.regions(regions.len());

    let mut needs = plan.needs;
    // Events from the trails' log groups need the trails to find the groups.
    if wants_events && plan.events.log_groups {
        needs.insert(SectionName::Trails);
    }
    let region_snapshots = if needs.any_regional() {
        fanout::collect(&caller, config, &regions, needs, plan.redact).await
    } else {
        regions.iter().map(|region| empty_region(region)).collect()
    };
    let mut account = account;
    if let Some(known) = known_organization {
        account.organization_id = Some(known.to_owned());
    } else if organization::lists_organization_trail(&region_snapshots) {
        match organization::organization_id(&caller, config).await {
            Ok(id) => account.organization_id = id,
            Err(error) => {
                tracing::warn!(
                    "could not learn the account's organization ({error}); the organization \
                     trail it lists cannot be followed into its owner's account"
                );
                errors.push(error);
            }
        }
    }
    let events = if wants_events {
        progress.phase("events");
        events::collect(
            &caller,
            config,
            &region_snapshots,
            plan.window,
            &plan.events,
            files,
        )
        .await
    } else {
        Section::not_collected()
    };

    let snapshot = Snapshot {
        schema_version: SCHEMA_VERSION,
        generator: Generator {
            tool: Some(format!("trailwarden {}", env!("CARGO_PKG_VERSION"))),
            collected_at: Some(crate::time::now_rfc3339()),
            events_window: wants_events
                .then(|| (format_rfc3339(plan.window.0), format_rfc3339(plan.window.1))),
        },
        account,
        regions: region_snapshots,
        events,
        errors,
        linked_accounts: Vec::new(),
        centralization_rules: Vec::new(),
    };
    Ok(snapshot)
}

fn empty_region(region: &str) -> RegionSnapshot {
    RegionSnapshot::uniform(region, SectionSet::EMPTY, &SectionState::NotCollected)
}

/// An SDK timestamp as RFC 3339 UTC, whole seconds, as the snapshot writes every time.
pub(crate) fn rfc3339(time: &aws_sdk_cloudtrail::primitives::DateTime) -> String {
    format_rfc3339(time.secs())
}

/// Recorded-response helpers for the calls moto cannot serve (`account:ListRegions`,
/// `cloudtrail:LookupEvents`): the SDK's own replay client, so the real request serialisation
/// and response parsing run.
#[cfg(test)]
pub(crate) mod replay {
    use aws_config::{BehaviorVersion, Region, SdkConfig};
    use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;

    /// A configuration whose HTTP client answers with `responses` (status, JSON body) in order.
    pub fn config(responses: &[(u16, &str)]) -> (SdkConfig, StaticReplayClient) {
        let responses: Vec<_> = responses
            .iter()
            .map(|(status, body)| {
                (
                    *status,
                    vec![("content-type", "application/json")],
                    body.as_bytes().to_vec(),
                )
            })
            .collect();
        config_with(responses)
    }

    /// One recorded answer: status, headers, body.
    pub type Answer<'a> = (u16, Vec<(&'a str, &'a str)>, Vec<u8>);

    /// A configuration whose HTTP client answers with `responses` in order.
    pub fn config_with(responses: Vec<Answer<'_>>) -> (SdkConfig, StaticReplayClient) {
        let events = responses
            .into_iter()
            .map(|(status, headers, body)| {
                let request = http::Request::builder()
                    .uri("https://example.invalid/")
                    .body(SdkBody::empty())
                    .expect("request");
                let mut response = http::Response::builder().status(status);
                for (name, value) in headers {
                    response = response.header(name, value);
                }
                let response = response.body(SdkBody::from(body)).expect("response");
                ReplayEvent::new(request, response)
            })
            .collect();
        let client = StaticReplayClient::new(events);
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::from_static("us-east-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            )))
            .http_client(client.clone())
            .build();
        (config, client)
    }

    /// The JSON bodies the client was sent, in order.
    pub fn sent_bodies(client: &StaticReplayClient) -> Vec<serde_json::Value> {
        client
            .actual_requests()
            .map(|request| {
                let bytes = request.body().bytes().unwrap_or_default();
                serde_json::from_slice(bytes).unwrap_or(serde_json::Value::Null)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented policy allows exactly what the collector calls (`sts:GetCallerIdentity`
    /// needs no permission), so it neither breaks a run nor grants more than needed.
    #[test]
    fn the_iam_policy_matches_the_calls_made() {
        let policy: serde_json::Value =
            serde_json::from_str(include_str!("../../../docs/iam-policy.json")).expect("json");
        let mut allowed: Vec<String> = policy["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|statement| statement["Action"].as_array().cloned().unwrap_or_default())
            .filter_map(|action| action.as_str().map(str::to_owned))
            .collect();
        allowed.sort();
        let mut called: Vec<String> = OPERATIONS
            .iter()
            .filter(|op| op.service != "sts")
            .map(Op::permission)
            .collect();
        called.sort();
        assert_eq!(allowed, called);
        let readme = include_str!("../../../README.md");
        for action in &called {
            assert!(
                readme.contains(&format!("\"{action}\"")),
                "README policy lacks {action}"
            );
        }
    }
}
