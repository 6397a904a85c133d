//! Where a SARIF result points: a stable virtual path per AWS resource, or a file the user
//! maps in `[[locations]]`.
//!
//! GitHub refuses a result without a physical location and refuses `arn:` URIs, but accepts a
//! repository-relative path that does not exist: OpenSSF Scorecard uploads its results at `no file
//! associated with this alert`, line 1, and GitHub files them under that path (ossf/scorecard#3063,
//! github/codeql-action#1703). So by default a result about an alarm points at
//! `aws/111122223333/us-east-1/cloudwatch/alarm/cmk-changes`, line 1. Unlike a line in the snapshot
//! file, this path does not move when the snapshot changes, exists for live runs that have no file
//! at all, and tells the reader in the alert list what the alert is about. Teams whose monitoring
//! is defined in IaC can point results at that file instead.

use trailwarden_sdk::{Finding, Resource};

use crate::config::LocationMapping;

/// A physical location: a repository-relative URI and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Repository-relative, percent-encoded.
    pub uri: String,
    /// 1-based.
    pub line: u32,
}

/// Where a result about `resource` (or the finding itself, when it has none) points.
pub fn place(
    mappings: &[LocationMapping],
    account: &str,
    rule_id: &str,
    finding: &Finding,
    resource: Option<&Resource>,
) -> Place {
    let region = resource
        .and_then(|r| arn_region(&r.arn))
        .or(finding.region.as_deref());
    let kind = resource.map(|r| r.kind.as_str());
    if let Some(mapping) = mappings.iter().find(|m| m.covers(rule_id, kind, region)) {
        return Place {
            uri: mapping
                .file
                .split('/')
                .map(encode_segment)
                .collect::<Vec<_>>()
                .join("/"),
            line: mapping.line.unwrap_or(1).max(1),
        };
    }
    Place {
        uri: virtual_path(account, region, resource),
        line: 1,
    }
}

/// `aws/<account>/<region>/<service>/<type>/<name>`; `aws/<account>/<region>` or
/// `aws/<account>` when there is no resource. Global resources use the region `global`.
pub fn virtual_path(account: &str, region: Option<&str>, resource: Option<&Resource>) -> String {
    let mut segments = vec!["aws".to_owned(), encode_segment(account)];
    match resource {
        Some(resource) => {
            segments.push(encode_segment(region.unwrap_or("global")));
            let (service, kind) = service_and_type(&resource.kind);
            segments.push(encode_segment(&service));
            segments.push(encode_segment(&kind));
            segments.push(encode_segment(&resource.name));
        }
        None => {
            if let Some(region) = region {
                segments.push(encode_segment(region));
            }
        }
    }
    segments.join("/")
}

/// The region of an ARN, when it names one (IAM and other global ARNs leave it empty).
fn arn_region(arn: &str) -> Option<&str> {
    trailwarden_sdk::arn::Arn::parse(arn)
        .map(|a| a.region)
        .filter(|r| !r.is_empty())
}

/// `AWS::CloudWatch::CompositeAlarm` → (`cloudwatch`, `composite-alarm`).
fn service_and_type(kind: &str) -> (String, String) {
    let mut parts = kind.split("::");
    let _provider = parts.next();
    let service = parts.next().unwrap_or("resource").to_ascii_lowercase();
    let name = parts.next().unwrap_or("resource");
    let mut kebab = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            kebab.push('-');
        }
        kebab.push(c.to_ascii_lowercase());
    }
    (service, kebab)
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so a log group name like
/// `/aws/cloudtrail` stays one segment and no segment can read as a URI scheme. A segment of
/// only dots (`.`, `..`) is encoded whole: RFC 3986 section 5.2.4 removes dot segments when a
/// reference is resolved, so a resource named `..` (names come from packs and from AWS) would
/// otherwise point outside the repository root; `%2E%2E` is not a dot segment.
pub fn encode_segment(text: &str) -> String {
    if !text.is_empty() && text.bytes().all(|b| b == b'.') {
        return "%2E".repeat(text.len());
    }
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    if out.is_empty() { "-".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm() -> Resource {
        Resource::new(
            "AWS::CloudWatch::Alarm",
            "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cmk changes",
            "cmk changes",
        )
    }

    #[test]
    fn virtual_paths_name_the_resource() {
        let finding = Finding::fail("X", "m");
        let alarm_place = place(&[], "111122223333", "TW-KMS-001", &finding, Some(&alarm()));
        assert_eq!(
            alarm_place.uri,
            "aws/111122223333/us-east-1/cloudwatch/alarm/cmk%20changes"
        );
        assert_eq!(alarm_place.line, 1);
        let group = Resource::new(
            "AWS::Logs::LogGroup",
            "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/cloudtrail",
            "/aws/cloudtrail",
        );
        assert_eq!(
            virtual_path("111122223333", Some("eu-west-1"), Some(&group)),
            "aws/111122223333/eu-west-1/logs/log-group/%2Faws%2Fcloudtrail"
        );
        let dots = Resource::new("AWS::SNS::Topic", "arn:aws:sns:us-east-1:1:x", "..");
        assert_eq!(
            virtual_path("..", Some("."), Some(&dots)),
            "aws/%2E%2E/%2E/sns/topic/%2E%2E"
        );
        assert_eq!(
            encode_segment("a..b"),
            "a..b",
            "dots inside a name are harmless"
        );
        let account_wide = place(&[], "111122223333", "TW-CT-001", &finding, None);
        assert_eq!(account_wide.uri, "aws/111122223333");
        let regional = Finding::fail("X", "m").region("eu-west-1");
        assert_eq!(
            place(&[], "111122223333", "TW-CT-005", &regional, None).uri,
            "aws/111122223333/eu-west-1"
        );
    }

    #[test]
    fn mappings_send_results_to_the_users_file() {
        let mapping = LocationMapping {
            rule: Some("TW-KMS-*".into()),
            resource_type: None,
            region: None,
            file: "infra/kms monitoring.tf".into(),
            line: Some(40),
        };
        let finding = Finding::fail("X", "m");
        let mapped = place(
            std::slice::from_ref(&mapping),
            "111122223333",
            "TW-KMS-001",
            &finding,
            Some(&alarm()),
        );
        assert_eq!(mapped.uri, "infra/kms%20monitoring.tf");
        assert_eq!(mapped.line, 40);
        let other = place(
            &[mapping],
            "111122223333",
            "TW-CT-001",
            &finding,
            Some(&alarm()),
        );
        assert!(other.uri.starts_with("aws/"));
    }
}
