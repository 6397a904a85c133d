//! Terraform, read two ways into an [`IacDocument`]:
//!
//! - [`plan`]: a plan in JSON (`terraform show -json plan.out`), HashiCorp's "JSON Output
//!   Format" (<https://developer.hashicorp.com/terraform/internals/json-format>). Values come
//!   from `planned_values`; what is known only after apply is resolved through the
//!   configuration's `references`. A plan carries no `.tf` file names or lines, so results
//!   point at the resource's object in the plan file.
//! - [`hcl`]: a directory of `.tf` files, parsed with `hcl-rs` (its `hcl-edit` parser keeps
//!   byte spans), with module-local references, variables and locals evaluated here.
//!
//! Both bring each resource to a [`resources::TfResource`] (arguments as JSON, blocks as
//! lists of objects, as a plan writes them), which [`resources::map`] turns into the snapshot
//! fragments the rules read; the document is assembled by [`assemble`] for both.

pub mod hcl;
pub mod plan;
pub mod resources;

use std::collections::BTreeMap;

use super::source_map::SourceSpan;
use super::{Assumption, IacDocument, IacError, PlannedResource, ReadOptions, placeholder};
use resources::{Env, TfResource};

/// The partition, region and account of the code, from the `--iac-parameter`s
/// (`AWS::Region`, `AWS::AccountId`, `AWS::Partition`, as for CloudFormation), then what the
/// code says (`region` of the provider), then the deployed account, else a placeholder stated
/// as an assumption.
pub fn environment(
    file: &str,
    code_region: Option<String>,
    code_account: Option<String>,
    options: &ReadOptions,
    assumptions: &mut Vec<Assumption>,
) -> Env {
    let mut pick = |name: &str, code: Option<String>, known: Option<&String>, fallback: &str| {
        if let Some(value) = options.parameters.get(name).cloned().or(code) {
            return value;
        }
        if let Some(value) = known {
            return value.clone();
        }
        assumptions.push(Assumption {
            resource: None,
            file: file.to_owned(),
            line: None,
            text: format!(
                "{name} is unknown before apply; `{fallback}` stands in (give it with \
                 --iac-parameter {name}=VALUE, or check over --snapshot)"
            ),
        });
        fallback.to_owned()
    };
    let region = pick(
        "AWS::Region",
        code_region,
        options.region.as_ref(),
        placeholder::REGION,
    );
    let account = pick(
        "AWS::AccountId",
        code_account,
        options.account.as_ref(),
        placeholder::ACCOUNT,
    );
    let partition = options
        .parameters
        .get("AWS::Partition")
        .or(options.partition.as_ref())
        .cloned()
        .unwrap_or_else(|| placeholder::PARTITION.to_owned());
    Env {
        partition,
        region,
        account,
    }
}

/// Maps every resource, attaching event targets to their rules, and records where each is
/// written.
pub fn assemble(
    resources: &[TfResource],
    env: &Env,
    options: &ReadOptions,
    mut assumptions: Vec<Assumption>,
) -> Result<IacDocument, IacError> {
    let mut targets: BTreeMap<String, Vec<_>> = BTreeMap::new();
    let mut rules = std::collections::BTreeSet::new();
    for resource in resources {
        if resource.kind == "aws_cloudwatch_event_rule" {
            let v = resource.values.get("name").and_then(resources::scalar);
            let bus = resource
                .values
                .get("event_bus_name")
                .and_then(resources::scalar)
                .unwrap_or_else(|| "default".to_owned());
            rules.insert(format!(
                "{bus}/{}",
                v.unwrap_or_else(|| resources::generated_name(&resource.name))
            ));
        }
    }
    for resource in resources {
        if resource.kind == "aws_cloudwatch_event_target" {
            let (rule, target) = resources::event_target(resource)?;
            if !rules.contains(&rule) {
                assumptions.push(Assumption {
                    resource: None,
                    file: resource.file.clone(),
                    line: Some(resource.start_line),
                    text: format!(
                        "{}: its rule `{rule}` is not defined in this code, so the target is \
                         not checked (check over --snapshot to include the deployed rule)",
                        resource.address
                    ),
                });
            }
            targets.entry(rule).or_default().push(target);
        }
    }
    let mut document = IacDocument::default();
    for resource in resources {
        let Some(mapped) = resources::map(resource, env, options.assume_confirmed, &targets)?
        else {
            continue;
        };
        let span = SourceSpan {
            file: resource.file.clone(),
            logical_id: resource.address.clone(),
            kind: resource.kind.clone(),
            start_line: resource.start_line,
            end_line: resource.end_line.max(resource.start_line),
            properties: resource.lines.clone(),
            construct_path: None,
        };
        for identity in mapped.identities {
            document.sources.insert(identity, span.clone());
        }
        document.assumptions.extend(mapped.assumptions);
        document
            .resources
            .extend(mapped.planned.into_iter().map(|resource| PlannedResource {
                region: env.region.clone(),
                resource,
            }));
    }
    document.assumptions.extend(assumptions);
    Ok(document)
}
