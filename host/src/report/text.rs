//! The human report: one block per finding, then what could not be verified, then errors.
//!
//! Anything a rule wrote has its control characters removed, so a hostile pack cannot move the
//! cursor or recolour the terminal. Colour only when writing to a terminal.

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
        self.paint(code, level.as_str())
    }
}

/// Renders the report for a terminal (`colour`) or a file.
pub fn render(report: &CheckReport, colour: bool) -> String {
    let style = Style { colour };
    let mut out = String::new();
    for finding in &report.findings {
        finding_block(&mut out, &style, report.level_of(finding), finding);
    }
    if !report.unverifiable.is_empty() {
        let _ = writeln!(out, "{}", style.paint("1", "could not verify:"));
        for finding in &report.unverifiable {
            let _ = writeln!(
                out,
                "  [{}] {} ({})",
                clean(&finding.rule_id),
                clean(&finding.message),
                clean(&finding.reason)
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
                clean(&error.kind),
                clean(&error.message)
            );
        }
        out.push('\n');
    }
    if !report.collection_errors.is_empty() {
        let _ = writeln!(
            out,
            "{} {} AWS call(s) failed during collection, so some results could not be verified:",
            style.paint("1", "note:"),
            report.collection_errors.len()
        );
        for error in &report.collection_errors {
            let _ = writeln!(out, "  {}", clean(&error.to_string()));
        }
        out.push('\n');
    }
    summary(&mut out, &style, report);
    out
}

fn finding_block(out: &mut String, style: &Style, level: Level, finding: &Finding) {
    let _ = writeln!(
        out,
        "{}[{}]: {} ({})",
        style.level(level),
        clean(&finding.rule_id),
        clean(&finding.message),
        clean(&finding.reason)
    );
    if let Some(resource) = &finding.resource {
        let region = finding.region.as_deref().unwrap_or("account-wide");
        let _ = writeln!(out, "  --> {} ({})", clean(&resource.arn), clean(region));
    } else if let Some(region) = &finding.region {
        let _ = writeln!(out, "  --> region {}", clean(region));
    }
    for related in &finding.related {
        let role = related.role.as_deref().unwrap_or(&related.kind);
        let _ = writeln!(out, "   = {}: {}", clean(role), clean(&related.arn));
    }
    out.push('\n');
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
    let _ = writeln!(
        out,
        "{headline}; {} could not be verified; {} rule error(s). {} rule(s) checked account {account} in {} region(s) from {}.",
        report.unverifiable.len(),
        report.rule_errors.len(),
        report.rules.len(),
        report.regions.len(),
        report.snapshot.display,
    );
}
