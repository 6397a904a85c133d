//! The run summary: one line with regions, resources, calls, errors and time, then one line per
//! kind of failure naming what could not be read and what would fix it.
//!
//! The snapshot already records every failed call next to its section; the summary exists so
//! that the person running the command learns, without opening the snapshot, which permission
//! to add or which region to leave out.

use std::collections::BTreeMap;
use std::time::Duration;

use trailwarden_sdk::Snapshot;
use trailwarden_sdk::snapshot::CollectionError;

/// What one collection did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Regions collected.
    pub regions: usize,
    /// Resources found (trails, log groups, filters, alarms, topics, rules, keys, events).
    pub resources: usize,
    /// API calls made.
    pub calls: u64,
    /// Calls that failed after retries.
    pub failed_calls: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Every failure the snapshot records, in its order.
    pub errors: Vec<CollectionError>,
}

impl Summary {
    /// Counts what `snapshot` holds.
    pub fn of(snapshot: &Snapshot, calls: u64, failed_calls: u64, elapsed: Duration) -> Self {
        let mut resources = snapshot.events.items.len();
        for region in &snapshot.regions {
            resources += region.trails.items.len()
                + region.log_groups.items.len()
                + region.metric_filters.items.len()
                + region.metric_alarms.items.len()
                + region.composite_alarms.items.len()
                + region.topics.items.len()
                + region.event_rules.items.len()
                + region.kms_keys.items.len();
        }
        let errors = snapshot.collection_errors().cloned().collect();
        Self {
            regions: snapshot.regions.len(),
            resources,
            calls,
            failed_calls,
            elapsed,
            errors,
        }
    }

    /// Counts what several accounts' snapshots hold: regions and resources summed over them.
    pub fn of_accounts(
        snapshots: &[Snapshot],
        calls: u64,
        failed_calls: u64,
        elapsed: Duration,
    ) -> Self {
        let mut total = Self {
            regions: 0,
            resources: 0,
            calls,
            failed_calls,
            elapsed,
            errors: Vec::new(),
        };
        for snapshot in snapshots {
            let one = Self::of(snapshot, 0, 0, elapsed);
            total.regions += one.regions;
            total.resources += one.resources;
            total.errors.extend(one.errors);
        }
        total
    }

    /// `collected 17 regions: 41,312 resources, 402 calls, 0 errors in 2.4 s`.
    pub fn line(&self) -> String {
        format!(
            "collected {} region{}: {} resources, {} calls, {} error{} in {:.1} s",
            self.regions,
            plural(self.regions),
            self.resources,
            self.calls,
            self.failed_calls,
            plural(self.failed_calls as usize),
            self.elapsed.as_secs_f64()
        )
    }

    /// One line per (call, error code): the regions it failed in and the fix.
    pub fn problems(&self) -> Vec<String> {
        let mut grouped: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
        for error in &self.errors {
            grouped
                .entry((
                    error.service.clone(),
                    error.operation.clone(),
                    error.code.clone(),
                ))
                .or_default()
                .push(error.region.clone().unwrap_or_else(|| "global".to_owned()));
        }
        grouped
            .into_iter()
            .map(|((service, operation, code), mut regions)| {
                regions.sort();
                regions.dedup();
                format!(
                    "could not read {service}:{operation} in {} ({code}): {}",
                    regions.join(", "),
                    remedy(&service, &operation, &code)
                )
            })
            .collect()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What would fix a failure with this code.
pub fn remedy(service: &str, operation: &str, code: &str) -> String {
    let lower = code.to_ascii_lowercase();
    if lower.contains("accessdenied")
        || lower.contains("unauthorized")
        || lower == "authorizationerror"
        || lower == "authorizationerrorexception"
    {
        // The organization-wide calls are made by the management-side identity.
        let policy = if super::org::MANAGEMENT_OPERATIONS
            .iter()
            .any(|op| op.service == service && op.operation == operation)
        {
            "docs/iam-management-role.json"
        } else {
            "docs/iam-policy.json"
        };
        format!("allow {service}:{operation} (see {policy})")
    } else if matches!(
        code,
        "UnrecognizedClientException" | "InvalidClientTokenId" | "AuthFailure" | "OptInRequired"
    ) {
        "the region is probably not enabled for the account: enable it, or leave it out of \
         --regions"
            .to_owned()
    } else if lower.contains("throttl")
        || code == "TooManyRequestsException"
        || code == "RequestLimitExceeded"
    {
        "throttled past every retry: lower --max-in-flight or raise --max-attempts".to_owned()
    } else if code == super::calls::TRUNCATED {
        "more events than --max-events: narrow --since or raise --max-events".to_owned()
    } else if code == "Timeout" || code == "ConnectionError" {
        "no answer in time: check the network or the endpoint, or raise --call-timeout".to_owned()
    } else if operation == "ListRegions" {
        "allow account:ListRegions, or name the regions with --regions".to_owned()
    } else if code == "HTTP 404" || code == "HTTP 501" {
        "the endpoint does not serve this call (an emulator behind AWS_ENDPOINT_URL that lacks it?)"
            .to_owned()
    } else {
        "retry later; the snapshot records the message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(service: &str, operation: &str, region: &str, code: &str) -> CollectionError {
        CollectionError {
            service: service.to_owned(),
            operation: operation.to_owned(),
            region: Some(region.to_owned()),
            code: code.to_owned(),
            message: String::new(),
        }
    }

    #[test]
    fn organization_wide_refusals_point_to_the_management_policy() {
        assert_eq!(
            remedy(
                "observabilityadmin",
                "ListCentralizationRulesForOrganization",
                "AccessDeniedException"
            ),
            "allow observabilityadmin:ListCentralizationRulesForOrganization (see \
             docs/iam-management-role.json)"
        );
        assert!(remedy("logs", "DescribeLogGroups", "AccessDenied").contains("iam-policy.json"));
    }

    #[test]
    fn problems_are_grouped_and_name_the_permission() {
        let summary = Summary {
            regions: 2,
            resources: 10,
            calls: 20,
            failed_calls: 3,
            elapsed: Duration::from_millis(1500),
            errors: vec![
                error("cloudwatch", "DescribeAlarms", "us-east-1", "AccessDenied"),
                error("cloudwatch", "DescribeAlarms", "eu-west-1", "AccessDenied"),
                error("kms", "ListKeys", "eu-west-1", "ThrottlingException"),
            ],
        };
        assert_eq!(
            summary.line(),
            "collected 2 regions: 10 resources, 20 calls, 3 errors in 1.5 s"
        );
        let problems = summary.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(
            problems[0],
            "could not read cloudwatch:DescribeAlarms in eu-west-1, us-east-1 (AccessDenied): \
             allow cloudwatch:DescribeAlarms (see docs/iam-policy.json)"
        );
        assert!(
            problems[1].contains("lower --max-in-flight"),
            "{problems:?}"
        );
    }
}
