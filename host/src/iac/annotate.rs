//! What a report adds to a finding about infrastructure code: the file and line that cause
//! it, the fix in the code's own terms, and the assumptions it rests on. Findings name
//! resources by ARN; the [`SourceMap`] turns those into lines here, host-side, so every pack
//! (built-in or a user's) gets real locations without knowing about IaC.

use trailwarden_sdk::{Finding, Resource};

use super::{Assumption, SourceMap, SourceSpan, hints};

/// The infrastructure code a report was checked from.
#[derive(Debug, Clone, Default)]
pub struct IacContext {
    /// Where each planned resource is written.
    pub sources: SourceMap,
    /// What the code cannot know.
    pub assumptions: Vec<Assumption>,
    /// The `--iac` paths, as given.
    pub paths: Vec<String>,
}

/// A place in the code: file, line, and the span it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePlace<'a> {
    /// The resource's span.
    pub span: &'a SourceSpan,
    /// The line: the property the finding concerns, else the resource's first line.
    pub line: u32,
}

impl CodePlace<'_> {
    /// `file:line`, with the CDK construct path when the template records one.
    pub fn display(&self) -> String {
        match &self.span.construct_path {
            Some(path) => format!("{}:{} ({path})", self.span.file, self.line),
            None => format!("{}:{}", self.span.file, self.line),
        }
    }
}

impl IacContext {
    /// Where `resource` is written, on the line of the property `reason` concerns.
    pub fn place_of(&self, reason: &str, resource: &Resource) -> Option<CodePlace<'_>> {
        let span = self.sources.get(&resource.arn)?;
        let property = hints::property(reason, &span.kind);
        Some(CodePlace {
            span,
            line: span.line_of(property),
        })
    }

    /// Where the finding is caused: the first of its resources (primary, then related, in
    /// the order the rule gave them; a rule lists the link at fault first) for which the
    /// reason names a property in the code; else the primary resource's own lines; else the
    /// first related resource the code defines. `None` when the code defines none of them.
    pub fn cause(&self, finding: &Finding) -> Option<CodePlace<'_>> {
        let resources: Vec<&Resource> = finding
            .resource
            .iter()
            .chain(finding.related.iter())
            .collect();
        let hinted = resources.iter().find_map(|resource| {
            let span = self.sources.get(&resource.arn)?;
            let property = hints::property(&finding.reason, &span.kind)?;
            Some(CodePlace {
                span,
                line: span.line_of(Some(property)),
            })
        });
        hinted.or_else(|| {
            resources
                .iter()
                .find_map(|resource| self.place_of(&finding.reason, resource))
        })
    }

    /// The fix, in the terms of the code the resource is written in (CloudFormation or
    /// Terraform), for the resource at fault, when one is known.
    pub fn fix(&self, finding: &Finding) -> Option<String> {
        finding
            .resource
            .iter()
            .chain(finding.related.iter())
            .find_map(|resource| {
                let span = self.sources.get(&resource.arn)?;
                let (_, fix) = hints::fix(&finding.reason, &span.kind)?;
                Some(format!("in `{}` ({}): {fix}", span.logical_id, span.kind))
            })
    }

    /// The assumptions the finding rests on: those about its resources, and those about the
    /// whole code (placeholder account or region).
    pub fn assumptions_for(&self, finding: &Finding) -> Vec<&Assumption> {
        let arns: Vec<&str> = finding
            .resource
            .iter()
            .chain(finding.related.iter())
            .map(|r| r.arn.as_str())
            .collect();
        let mut out: Vec<&Assumption> = self
            .assumptions
            .iter()
            .filter(|a| a.resource.as_deref().is_some_and(|r| arns.contains(&r)))
            .collect();
        out.dedup();
        out
    }

    /// Assumptions about the whole code rather than one resource.
    pub fn general_assumptions(&self) -> impl Iterator<Item = &Assumption> {
        self.assumptions.iter().filter(|a| a.resource.is_none())
    }
}

/// `file:line: text`, or `text` when the assumption has no place.
pub fn assumption_line(assumption: &Assumption) -> String {
    match (assumption.file.is_empty(), assumption.line) {
        (false, Some(line)) => format!("{}:{line}: {}", assumption.file, assumption.text),
        (false, None) => format!("{}: {}", assumption.file, assumption.text),
        _ => assumption.text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn context() -> IacContext {
        let mut sources = SourceMap::default();
        sources.insert(
            "arn:aws:cloudtrail:us-east-1:1:trail/t",
            SourceSpan {
                file: "t.yaml".into(),
                logical_id: "Trail".into(),
                kind: "AWS::CloudTrail::Trail".into(),
                start_line: 10,
                end_line: 20,
                properties: BTreeMap::from([("IsMultiRegionTrail".to_owned(), 14)]),
                construct_path: None,
            },
        );
        IacContext {
            sources,
            assumptions: vec![Assumption {
                resource: Some("arn:aws:cloudtrail:us-east-1:1:trail/t".into()),
                file: "t.yaml".into(),
                line: Some(12),
                text: "x".into(),
            }],
            paths: vec![],
        }
    }

    #[test]
    fn findings_land_on_the_property_that_causes_them() {
        let trail = Resource::new(
            "AWS::CloudTrail::Trail",
            "arn:aws:cloudtrail:us-east-1:1:trail/t",
            "t",
        );
        let key = Resource::new("AWS::KMS::Key", "arn:aws:kms:us-east-1:1:key/k", "k");
        let finding = Finding::fail("TRAIL_NOT_MULTI_REGION", "m")
            .resource(trail.clone())
            .about(key);
        let context = context();
        let cause = context.cause(&finding).unwrap();
        assert_eq!(cause.display(), "t.yaml:14");
        assert!(
            context
                .fix(&finding)
                .unwrap()
                .contains("IsMultiRegionTrail: true")
        );
        assert_eq!(context.assumptions_for(&finding).len(), 1);
        let other = Finding::fail("NO_TRAIL", "m").resource(trail);
        assert_eq!(context.cause(&other).unwrap().line, 10);
        assert!(context.fix(&other).is_none());
    }
}
