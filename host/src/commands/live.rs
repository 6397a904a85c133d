//! The CLI side of live collection: turns the flags and the selected rules into a
//! [`collect::Plan`], runs it, and prints the summary on stderr.

use std::time::Duration;

use anyhow::{Context, bail};
use trailwarden_sdk::time::parse_rfc3339;

use crate::cli::CollectArgs;
use crate::collect::progress::Progress;
use crate::collect::{self, Collection, Plan, aws::AwsOptions, events::EventSources};
use crate::report::RuleEntry;
use trailwarden_sdk::sections::SectionSet;

/// The sections `rules` need, with a warning for names that are not sections (a pack built
/// with a newer SDK; everything is then collected). A rule without `needs` needs every
/// section its pack's SDK knows: a pack built before a section existed never makes the
/// collector call (and need the permission for) what it cannot read.
pub fn needs_of(rules: &[RuleEntry]) -> SectionSet {
    let mut needs = SectionSet::EMPTY;
    let mut unknown = Vec::new();
    for rule in rules {
        let (rule_needs, rule_unknown) = SectionSet::needed_by(
            [rule.meta.needs.iter().map(String::as_str)],
            SectionSet::known_to(&rule.sdk_version),
        );
        needs = needs.union(rule_needs);
        unknown.extend(rule_unknown);
    }
    for name in unknown {
        tracing::warn!(
            "a rule declares it needs `{}`, which is not a snapshot section this trailwarden \
             knows; collecting every section",
            crate::engine::sanitize_line(&name)
        );
    }
    needs
}

/// The plan for `args` and `needs`, with the events window ending at `now` (Unix seconds)
/// unless `--until` says otherwise.
pub fn plan(args: &CollectArgs, needs: SectionSet, now: i64) -> anyhow::Result<Plan> {
    let end = match &args.until {
        Some(until) => parse_rfc3339(until).context("--until")?,
        None => now,
    };
    let start = parse_since(&args.since, end).context("--since")?;
    if start > end {
        bail!("--since is after the end of the events window");
    }
    if args.max_in_flight == 0 {
        bail!("--max-in-flight must be at least 1");
    }
    if args.max_events == 0 {
        bail!("--max-events must be at least 1");
    }
    if args.call_timeout == 0 {
        bail!("--call-timeout must be at least 1 second");
    }
    if args.external_id.is_some() && args.role_arn.is_none() && !args.asks_for_accounts() {
        bail!("--external-id applies to an assumed role: pass --role-arn, --org or --accounts");
    }
    if !args.asks_for_accounts() && (args.shard.is_some() || !args.exclude_accounts.is_empty()) {
        bail!("--shard and --exclude-accounts select among accounts: pass --org or --accounts");
    }
    if let Some(bad) = args
        .accounts
        .iter()
        .chain(&args.exclude_accounts)
        .find(|id| id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()))
    {
        bail!("`{bad}` is not an AWS account id (12 digits) in --accounts or --exclude-accounts");
    }
    Ok(Plan {
        aws: AwsOptions {
            profile: args.profile.clone(),
            region: args.region.clone(),
            role_arn: args.role_arn.clone(),
            external_id: args.external_id.clone(),
            role_session_name: args.role_session_name.clone(),
            call_timeout: Duration::from_secs(args.call_timeout),
            max_attempts: args.max_attempts.max(1),
        },
        regions: collect::regions::from_flag(&args.regions),
        needs,
        window: (start, end),
        events: EventSources {
            lookup: !args.no_lookup_events,
            log_groups: args.events_log_group,
            files: args.event_paths.clone(),
            max_events: args.max_events,
        },
        redact: !args.no_redact,
        max_in_flight: args.max_in_flight,
    })
}

/// `--since`: a duration back from `end` (`90s`, `60m`, `12h`, `7d`) or an RFC 3339 time.
pub fn parse_since(text: &str, end: i64) -> anyhow::Result<i64> {
    let text = text.trim();
    if text.len() > 10 && text.as_bytes().get(4) == Some(&b'-') {
        return Ok(parse_rfc3339(text)?);
    }
    // A bare number counts minutes; anything else is a humantime duration (`90s`, `1h 30m`).
    let seconds = match text.parse::<u64>() {
        Ok(minutes) => minutes.saturating_mul(60),
        Err(_) => humantime::parse_duration(text)
            .with_context(|| format!("`{text}` is neither a duration (60m, 12h, 7d) nor a time"))?
            .as_secs(),
    };
    Ok(end.saturating_sub(i64::try_from(seconds).unwrap_or(i64::MAX)))
}

/// Collects for `rules` as `args` say, printing progress and the summary on stderr.
pub fn collect(args: &CollectArgs, rules: &[RuleEntry]) -> anyhow::Result<Collection> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let plan = plan(args, needs_of(rules), now)?;
    let collection = collect::collect_blocking(&plan, Progress::for_stderr(args.quiet))?;
    if !args.quiet {
        let summary = &collection.summary;
        eprintln!("trailwarden: {}", summary.line());
        for problem in summary.problems() {
            eprintln!("trailwarden: {problem}");
        }
    }
    Ok(collection)
}

/// Collects every account `args` name (`--org`, `--accounts`) for `rules`, printing the
/// summary and the accounts that could not be read on stderr.
pub fn collect_accounts(
    args: &CollectArgs,
    rules: &[RuleEntry],
) -> anyhow::Result<trailwarden_sdk::snapshot::org::OrganizationSnapshot> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let plan = plan(args, needs_of(rules), now)?;
    let accounts = collect::org::AccountsPlan {
        organization: args.org,
        accounts: args.accounts.clone(),
        exclude: args.exclude_accounts.clone(),
        member_role: args.member_role.clone(),
        external_id: args.external_id.clone(),
        session_name: args.role_session_name.clone(),
        shard: args.shard,
        centralization: !args.no_centralization,
    };
    let (organization, summary) =
        collect::collect_accounts_blocking(&plan, &accounts, Progress::for_stderr(args.quiet))?;
    if !args.quiet {
        eprintln!(
            "trailwarden: {} account(s), {}",
            organization.accounts.len(),
            summary.line()
        );
        for problem in summary.problems() {
            eprintln!("trailwarden: {problem}");
        }
        for failure in &organization.failures {
            eprintln!(
                "trailwarden: account {} was not read: {} ({}); fix: {}",
                failure.account_id, failure.message, failure.code, failure.fix
            );
        }
    }
    Ok(organization)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_durations_and_times() {
        let end = 1_000_000;
        assert_eq!(parse_since("60m", end).ok(), Some(end - 3600));
        assert_eq!(parse_since("90s", end).ok(), Some(end - 90));
        assert_eq!(parse_since("2h", end).ok(), Some(end - 7200));
        assert_eq!(parse_since("7d", end).ok(), Some(end - 7 * 86_400));
        assert_eq!(parse_since("30", end).ok(), Some(end - 1800));
        assert_eq!(
            parse_since("2026-11-25T09:00:00Z", end).ok(),
            parse_rfc3339("2026-11-25T09:00:00Z").ok()
        );
        assert!(parse_since("soon", end).is_err());
        assert_eq!(parse_since("1h 30m", end).ok(), Some(end - 5400));
        let error = parse_since("5x", end).map_err(|e| format!("{e:#}"));
        assert!(
            error
                .as_ref()
                .is_err_and(|e| e.contains("`5x` is neither a duration") && e.contains("unit")),
            "{error:?}"
        );
    }
}
