//! Applying `[[suppress]]` entries: accepted findings leave the gate but stay in the report.
//!
//! A suppressed finding is still written to SARIF, with a `suppressions` entry (kind
//! `external`, the reason as justification), so GitHub shows it as dismissed rather than
//! losing it. A suppression past its expiry no longer applies, and is reported itself under
//! [`crate::tool_rules::EXPIRED_SUPPRESSION`].

use trailwarden_sdk::Finding;

use crate::config::Suppression;
use crate::report::{CheckReport, Suppressed};
use crate::tool_rules::EXPIRED_SUPPRESSION;

/// Moves the findings that an active suppression covers to `report.suppressed`, and adds a
/// finding for every expired suppression. `today` is `YYYY-MM-DD`.
pub fn apply(report: &mut CheckReport, suppressions: &[Suppression], today: &str) {
    let (active, expired): (Vec<&Suppression>, Vec<&Suppression>) =
        suppressions.iter().partition(|s| !s.is_expired(today));
    let findings = std::mem::take(&mut report.findings);
    for finding in findings {
        let covering = active.iter().find(|s| {
            s.covers(
                &finding.rule_id,
                finding.region.as_deref(),
                finding.resource.as_ref().map(|r| r.arn.as_str()),
            )
        });
        match covering {
            Some(suppression) => report.suppressed.push(Suppressed {
                finding,
                justification: suppression.reason.clone(),
            }),
            None => report.findings.push(finding),
        }
    }
    for suppression in expired {
        let expiry = suppression.expiry().unwrap_or_default();
        let scope = [
            suppression.region.as_deref().map(|r| format!("region {r}")),
            suppression
                .resource
                .as_deref()
                .map(|r| format!("resource {r}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
        let scope = if scope.is_empty() {
            String::new()
        } else {
            format!(" ({})", scope.join(", "))
        };
        let mut finding = Finding::fail(
            "SUPPRESSION_EXPIRED",
            format!(
                "the suppression of {}{scope} expired on {expiry} (\"{}\"), so its findings count again; fix them or renew the suppression",
                suppression.rule, suppression.reason
            ),
        )
        .account(&report.account.id)
        .property("suppressedRule", suppression.rule.clone())
        .property("expires", expiry);
        finding.rule_id = EXPIRED_SUPPRESSION.to_owned();
        report.findings.push(finding);
    }
}
