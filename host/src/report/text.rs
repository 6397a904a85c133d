//! The human report: findings grouped by rule, one line each, then what could not be verified,
//! what was suppressed, errors, failed AWS calls and a summary line.
//!
//! Each finding line gives its level, where (region, or how many regions), what (the resource)
//! and the sentence naming the broken link, ending with the reason code in brackets. Anything
//! a rule wrote has its control characters removed, so a hostile pack cannot move the cursor
//! or recolour the terminal. Colour only on a terminal, never with `NO_COLOR` or in a pipe.

use std::fmt::Write;

use trailwarden_sdk::{Finding, Level};

use super::CheckReport;
use crate::engine::sanitize_line as clean;

struct Style {
    colour: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn level(&self, level: Level) -> String {
        let code = match level {
            Level::Error => "1;31",
            Level::Warning => "1;33",
            Level::Note => "1;36",
        };
        self.paint(code, &format!("{:<7}", level.as_str()))
    }
}

/// Renders the report for a terminal (`colour`) or a file.
pub fn render(report: &CheckReport, colour: bool) -> String {
    let style = Style { colour };
    let mut out = String::new();
    organization(&mut out, &style, report);
    // An organization's findings are all listed under the account that must act.
    if report.organization.is_none() {
        findings_by_rule(&mut out, &style, report);
    }
    if !report.unverifiable.is_empty() {
        heading(
            &mut out,
            &style,
            "could not verify",
            report.unverifiable.len(),
        );
        for finding in &report.unverifiable {
            let account = match (&report.organization, &finding.account) {
                (Some(_), Some(account)) => format!("account {}  ", clean(account)),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {}  {account}{}  {} [{}]",
                clean(&finding.rule_id),
                place(finding),
                clean(&finding.message),
                clean(&finding.reason)
            );
            code_lines(&mut out, report, finding);
        }
        out.push('\n');
    }
    if !report.suppressed.is_empty() {
        heading(&mut out, &style, "suppressed", report.suppressed.len());
        for suppressed in &report.suppressed {
            let finding = &suppressed.finding;
            let _ = writeln!(
                out,
                "  {}  {}  {} [{}], accepted: {}",
                clean(&finding.rule_id),
                place(finding),
                clean(&finding.message),
                clean(&finding.reason),
                clean(&suppressed.justification)
            );
        }
        out.push('\n');
    }
    if !report.rule_errors.is_empty() || !report.pack_errors.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.paint("1;31", "errors (the run is incomplete):")
        );
        for (pack, message) in &report.pack_errors {
            let _ = writeln!(out, "  pack {}: {}", clean(pack), clean(message));
        }
        for error in &report.rule_errors {
            let _ = writeln!(
                out,
                "  rule {} failed [{}]: {}",
                clean(&error.rule_id),
                clean(error.kind.as_str()),
                clean(&error.message)
            );
        }
        out.push('\n');
    }
    for (rule, dropped) in &report.dropped {
        let _ = writeln!(
            out,
            "{} rule {}: {dropped} finding(s) over the per-rule limit were dropped; raise it with --max-findings\n",
            style.paint("1", "note:"),
            clean(rule)
        );
    }
    if !report.collection_errors.is_empty() {
        heading(
            &mut out,
            &style,
            "failed AWS calls, so results that need their data could not be verified",
            report.collection_errors.len(),
        );
        for error in &report.collection_errors {
            let hint = if error.code.contains("AccessDenied") || error.code.contains("Unauthorized")
            {
                format!("; grant {}:{}", error.service, error.operation)
            } else {
                String::new()
            };
            let _ = writeln!(out, "  {}{}", clean(&error.to_string()), clean(&hint));
        }
        out.push('\n');
    }
    if let (Some(counts), Some(baseline)) = (report.baseline_counts(), &report.baseline) {
        let _ = writeln!(
            out,
            "against baseline {}: {} new, {} unchanged, {} fixed\n",
            clean(&baseline.path),
            counts.new,
            counts.unchanged,
            counts.fixed
        );
    }
    if let Some(iac) = &report.iac {
        let general: Vec<_> = iac.general_assumptions().collect();
        if !general.is_empty() {
            heading(
                &mut out,
                &style,
                "assumed, as the infrastructure code cannot say",
                general.len(),
            );
            for assumption in general {
                let _ = writeln!(
                    out,
                    "  {}",
                    clean(&crate::iac::annotate::assumption_line(assumption))
                );
            }
            out.push('\n');
        }
    }
    summary(&mut out, &style, report);
    out
}

/// For a multi-account run: a summary per account, the accounts that could not be read, then
/// the findings grouped by the account that must act (an organization trail's broken alarm is
/// the management account's to fix, for every member it leaves blind).
fn organization(out: &mut String, style: &Style, report: &CheckReport) {
    let Some(org) = &report.organization else {
        return;
    };
    let name = org
        .id
        .as_deref()
        .map_or(String::new(), |id| format!(" of {}", clean(id)));
    heading(out, style, &format!("accounts{name}"), org.accounts.len());
    for scope in &org.accounts {
        let id = scope.account.id.as_str();
        let failing = report
            .findings
            .iter()
            .filter(|f| f.account.as_deref() == Some(id))
            .count();
        let unverifiable = report
            .unverifiable
            .iter()
            .filter(|f| f.account.as_deref() == Some(id))
            .count();
        let verdict = match (failing, unverifiable) {
            (0, 0) => "pass".to_owned(),
            (0, n) => format!("{n} could not verify"),
            (f, 0) => format!("{f} failing"),
            (f, n) => format!("{f} failing, {n} could not verify"),
        };
        let via = if scope.linked.is_empty() {
            String::new()
        } else {
            format!(", chains followed into {}", clean(&scope.linked.join(", ")))
        };
        let _ = writeln!(
            out,
            "  {}  {} region(s)  {verdict}{via}",
            clean(id),
            scope.regions.len()
        );
    }
    out.push('\n');
    if !org.failures.is_empty() {
        heading(out, style, "accounts not read", org.failures.len());
        for failure in &org.failures {
            let _ = writeln!(
                out,
                "  {}  {} ({})\n      fix: {}",
                clean(&failure.account_id),
                clean(&failure.message),
                clean(&failure.code),
                clean(&failure.fix)
            );
        }
        out.push('\n');
    }
    let mut acting: Vec<&str> = report
        .findings
        .iter()
        .map(|f| report.acting_account(f))
        .collect();
    acting.sort_unstable();
    acting.dedup();
    for account in acting {
        let mine: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| report.acting_account(f) == account)
            .collect();
        heading(
            out,
            style,
            &format!("account {} must act", clean(account)),
            mine.len(),
        );
        // One broken link in the account that must act leaves every member blind in the same
        // way: one line for the link, naming the accounts it affects, not one per member.
        let mut lines: Vec<(&Finding, Vec<&str>)> = Vec::new();
        for finding in mine {
            let affected = finding.account.as_deref().unwrap_or("?");
            match lines
                .iter_mut()
                .find(|(first, _)| same_break(first, finding))
            {
                Some((_, accounts)) => accounts.push(affected),
                None => lines.push((finding, vec![affected])),
            }
        }
        for (finding, accounts) in lines {
            let _ = writeln!(
                out,
                "  {}  {}  {}  {} [{}]",
                clean(&finding.rule_id),
                for_accounts(&accounts),
                place(finding),
                clean(&finding.message),
                clean(&finding.reason)
            );
        }
        out.push('\n');
    }
}

/// Whether two findings report the same break (rule, reason, message, place), whichever
/// account they were found for.
fn same_break(a: &Finding, b: &Finding) -> bool {
    a.rule_id == b.rule_id
        && a.reason == b.reason
        && a.message == b.message
        && a.region == b.region
        && a.resource == b.resource
}

/// `for account 111122223333`, or `for 3 accounts: 1…, 2…, 3…`, the list cut after
/// [`LISTED_ACCOUNTS`] so that a line stays readable for an organization of hundreds.
fn for_accounts(accounts: &[&str]) -> String {
    match accounts {
        [one] => format!("for account {}", clean(one)),
        _ => {
            let shown: Vec<String> = accounts
                .iter()
                .take(LISTED_ACCOUNTS)
                .map(|a| clean(a))
                .collect();
            let more = accounts.len().saturating_sub(LISTED_ACCOUNTS);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!(
                "for {} accounts ({}{tail})",
                accounts.len(),
                shown.join(", ")
            )
        }
    }
}

/// How many affected accounts a line names before it counts the rest.
const LISTED_ACCOUNTS: usize = 5;

/// For a finding about infrastructure code: where (`file:line`), the fix in the code's terms,
/// and what it assumes, each on its own indented line.
fn code_lines(out: &mut String, report: &CheckReport, finding: &Finding) {
    let Some(iac) = &report.iac else { return };
    if let Some(cause) = iac.cause(finding) {
        let _ = writeln!(out, "           at {}", clean(&cause.display()));
    }
    if let Some(fix) = iac.fix(finding) {
        let _ = writeln!(out, "           fix {}", clean(&fix));
    }
    for assumption in iac.assumptions_for(finding) {
        let _ = writeln!(out, "           assumes {}", clean(&assumption.text));
    }
}

fn heading(out: &mut String, style: &Style, title: &str, count: usize) {
    let _ = writeln!(out, "{}", style.paint("1", &format!("{title} ({count}):")));
}

/// One block per rule with findings, in rule order; one line per finding.
fn findings_by_rule(out: &mut String, style: &Style, report: &CheckReport) {
    let mut index = 0;
    while index < report.findings.len() {
        let rule_id = &report.findings[index].rule_id;
        let end = report.findings[index..]
            .iter()
            .position(|f| &f.rule_id != rule_id)
            .map_or(report.findings.len(), |n| index + n);
        let group = &report.findings[index..end];
        let meta = report
            .rule(rule_id)
            .cloned()
            .or_else(|| crate::tool_rules::meta(rule_id));
        let mut title = clean(rule_id);
        if let Some(meta) = &meta {
            let _ = write!(title, " {}", clean(&meta.name));
            let mut mappings: Vec<String> = meta
                .mappings
                .cis
                .iter()
                .take(1)
                .map(|c| format!("CIS {}", trailwarden_sdk::meta::cis_reference(c)))
                .collect();
            mappings.extend(
                meta.mappings
                    .security_hub
                    .iter()
                    .map(|s| format!("Security Hub {s}")),
            );
            mappings.extend(
                meta.mappings
                    .mitre_attack
                    .iter()
                    .map(|m| format!("ATT&CK {m}")),
            );
            if !mappings.is_empty() {
                let _ = write!(title, " ({})", clean(&mappings.join(", ")));
            }
        }
        let _ = writeln!(out, "{}", style.paint("1", &title));
        for finding in group {
            let marker = if report.baseline.is_some() && report.is_new(finding) {
                style.paint("1", " new")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {}{marker}  {}  {}{} [{}]",
                style.level(report.level_of(finding)),
                place(finding),
                what(finding),
                clean(&finding.message),
                clean(&finding.reason)
            );
            code_lines(out, report, finding);
        }
        out.push('\n');
        index = end;
    }
}

/// Where: the region, `us-east-1 +2` for a finding shared by regions, or `account`.
fn place(finding: &Finding) -> String {
    if let Some(region) = &finding.region {
        return clean(region);
    }
    let regions: Vec<&str> = finding
        .properties
        .get("regions")
        .and_then(|r| r.as_array())
        .map(|list| list.iter().filter_map(|r| r.as_str()).collect())
        .unwrap_or_default();
    match regions.as_slice() {
        [] => "account".to_owned(),
        [one] => clean(one),
        [first, rest @ ..] => format!("{} +{}", clean(first), rest.len()),
    }
}

/// What: `alarm cmk-changes: ` for the finding's resource, or nothing (also when the message
/// already names it).
fn what(finding: &Finding) -> String {
    finding
        .resource
        .as_ref()
        .filter(|resource| !finding.message.contains(&format!("`{}`", resource.name)))
        .map(|resource| {
            let role = resource
                .role
                .clone()
                .unwrap_or_else(|| resource.kind.rsplit("::").next().unwrap_or("").to_owned());
            format!("{} `{}`: ", clean(&role), clean(&resource.name))
        })
        .unwrap_or_default()
}

fn summary(out: &mut String, style: &Style, report: &CheckReport) {
    let (errors, warnings, notes) = report.counts();
    let account = match &report.account.alias {
        Some(alias) => format!("{} ({alias})", report.account.id),
        None => report.account.id.clone(),
    };
    let headline = format!("{errors} error(s), {warnings} warning(s), {notes} note(s)");
    let headline = if errors + warnings + notes == 0 {
        style.paint("1;32", &headline)
    } else {
        style.paint("1", &headline)
    };
    let suppressed = if report.suppressed.is_empty() {
        String::new()
    } else {
        format!("; {} suppressed", report.suppressed.len())
    };
    let account = match &report.organization {
        Some(org) => format!("{} account(s)", org.accounts.len()),
        None => format!("account {account}"),
    };
    let _ = writeln!(
        out,
        "{headline}; {} could not be verified{suppressed}; {} rule error(s). {} rule(s) checked {} in {} region(s) from {}.",
        report.unverifiable.len(),
        report.rule_errors.len(),
        report.rules.len(),
        clean(&account),
        report.regions.len(),
        clean(&report.snapshot.display),
    );
}
