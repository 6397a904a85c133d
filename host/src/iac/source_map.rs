//! Where each planned resource is written: kept by the host, outside the snapshot, so packs
//! (built-in or a user's) run unchanged and the reports place their findings by the ARNs the
//! findings already carry.

use std::collections::BTreeMap;
use std::path::Path;

/// Where one resource is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpan {
    /// The file, as a repository-relative path with `/` separators when it lies under the
    /// working directory (what GitHub annotates), else as given.
    pub file: String,
    /// The resource's logical id (`KmsAlarm`) or address (`aws_cloudwatch_metric_alarm.kms`).
    pub logical_id: String,
    /// The resource type as the code spells it (`AWS::CloudWatch::Alarm`).
    pub kind: String,
    /// First line of the resource, 1-based.
    pub start_line: u32,
    /// Last line of the resource.
    pub end_line: u32,
    /// The line of each top-level property the code sets, by the code's own name.
    pub properties: BTreeMap<String, u32>,
    /// The CDK construct path (`Stack/Alarm/Resource`), when the template records one.
    pub construct_path: Option<String>,
}

impl SourceSpan {
    /// The line of `property` when the code sets it, else the resource's first line: a fix
    /// that adds a property belongs on the resource.
    pub fn line_of(&self, property: Option<&str>) -> u32 {
        property
            .and_then(|p| self.properties.get(p).copied())
            .unwrap_or(self.start_line)
    }

    /// `file:line`.
    pub fn display(&self, property: Option<&str>) -> String {
        format!("{}:{}", self.file, self.line_of(property))
    }
}

/// Resource identity (the ARN a finding names it by) to where it is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    spans: BTreeMap<String, SourceSpan>,
}

impl SourceMap {
    /// Records that the resource known as `identity` is written at `span`. A later insert for
    /// the same identity wins, as a later `--iac` path's resource does in the overlay.
    pub fn insert(&mut self, identity: impl Into<String>, span: SourceSpan) {
        self.spans.insert(identity.into(), span);
    }

    /// Where the resource known as `identity` is written. Log group ARNs are matched with and
    /// without the `:*` CloudTrail appends.
    pub fn get(&self, identity: &str) -> Option<&SourceSpan> {
        self.spans
            .get(identity)
            .or_else(|| self.spans.get(identity.strip_suffix(":*")?))
    }

    /// Adds every entry of `other`.
    pub fn extend(&mut self, other: SourceMap) {
        self.spans.extend(other.spans);
    }

    /// Whether nothing is mapped.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Every identity and its span.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &SourceSpan)> {
        self.spans.iter()
    }
}

/// `path` as the reports should name it: relative to the working directory when it lies
/// under it, with `/` separators and no leading `./`.
pub fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            let absolute = if path.is_absolute() {
                path.to_owned()
            } else {
                cwd.join(path)
            };
            absolute.strip_prefix(&cwd).ok().map(Path::to_owned)
        })
        .unwrap_or_else(|| path.to_owned());
    let text = relative
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() {
        path.display().to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span() -> SourceSpan {
        SourceSpan {
            file: "t.yaml".into(),
            logical_id: "Group".into(),
            kind: "AWS::Logs::LogGroup".into(),
            start_line: 4,
            end_line: 8,
            properties: BTreeMap::from([("RetentionInDays".to_owned(), 7)]),
            construct_path: None,
        }
    }

    #[test]
    fn log_group_arns_match_with_and_without_the_star() {
        let mut map = SourceMap::default();
        map.insert("arn:aws:logs:us-east-1:1:log-group:g", span());
        assert!(map.get("arn:aws:logs:us-east-1:1:log-group:g:*").is_some());
        assert!(map.get("arn:aws:logs:us-east-1:1:log-group:g").is_some());
        assert!(map.get("arn:aws:logs:us-east-1:1:log-group:h").is_none());
    }

    #[test]
    fn properties_have_their_own_line_and_missing_ones_fall_back_to_the_resource() {
        let span = span();
        assert_eq!(span.line_of(Some("RetentionInDays")), 7);
        assert_eq!(span.line_of(Some("KmsKeyId")), 4);
        assert_eq!(span.display(None), "t.yaml:4");
    }

    #[test]
    fn paths_are_relative_with_forward_slashes() {
        assert_eq!(display_path(Path::new("./infra/t.yaml")), "infra/t.yaml");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(display_path(&cwd.join("a").join("b.json")), "a/b.json");
    }
}
