//! CloudFormation templates, YAML or JSON, read into an [`IacDocument`].
//!
//! The template is parsed with lines ([`crate::iac::yaml`], [`crate::iac::json`]), its
//! parameters, conditions and intrinsic functions evaluated ([`intrinsics`]), and each
//! resource the monitoring chain involves mapped to the snapshot type the collector would
//! have recorded ([`resources`]). A resource whose `Condition` is false is not planned.

pub mod intrinsics;
pub mod resources;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use super::node::{Node, Value};
use super::source_map::{SourceSpan, display_path};
use super::{Assumption, IacDocument, IacError, PlannedResource, ReadOptions, placeholder};
use intrinsics::Template;
use resources::Props;

/// Reads the template at `path`.
pub fn read(path: &Path, options: &ReadOptions) -> Result<IacDocument, IacError> {
    let file = display_path(path);
    let text = super::read_text(path)?;
    let stack = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("stack")
        .to_owned();
    let root = parse(&file, &text)?;
    convert(&file, &root, options, &stack)
}

/// Parses template text: JSON when it starts with `{`, else YAML.
pub fn parse(file: &str, text: &str) -> Result<Node, IacError> {
    if text.trim_start().starts_with('{') {
        super::json::parse(file, text)
    } else {
        super::yaml::parse(file, text)
    }
}

/// Converts a parsed template (from `file`, deployed as stack `stack`).
pub fn convert(
    file: &str,
    root: &Node,
    options: &ReadOptions,
    stack: &str,
) -> Result<IacDocument, IacError> {
    let invalid = |line: u32, message: String| IacError::Invalid {
        file: file.to_owned(),
        line,
        message,
    };
    let resources_node = root
        .get("Resources")
        .filter(|r| r.is_map())
        .ok_or_else(|| {
            invalid(
                root.line,
                "no `Resources` mapping: this is not a CloudFormation template".to_owned(),
            )
        })?;
    let mut assumptions = Vec::new();
    let parameters = parameters(file, root, options)?;
    let mut pseudo = |name: &str, given: Option<&String>, fallback: &str, what: &str| match options
        .parameters
        .get(name)
        .or(given)
    {
        Some(value) => value.clone(),
        None => {
            assumptions.push(Assumption {
                resource: None,
                file: file.to_owned(),
                line: None,
                text: format!(
                    "{name} is unknown before deploy; {what} `{fallback}` stands in (give it \
                         with --iac-parameter {name}=VALUE, or check over --snapshot)"
                ),
            });
            fallback.to_owned()
        }
    };
    let account = pseudo(
        "AWS::AccountId",
        options.account.as_ref(),
        placeholder::ACCOUNT,
        "the account",
    );
    let region = pseudo(
        "AWS::Region",
        options.region.as_ref(),
        placeholder::REGION,
        "the region",
    );
    let partition = options
        .parameters
        .get("AWS::Partition")
        .or(options.partition.as_ref())
        .cloned()
        .unwrap_or_else(|| placeholder::PARTITION.to_owned());
    let stack = options
        .parameters
        .get("AWS::StackName")
        .cloned()
        .unwrap_or_else(|| stack.to_owned());
    let conditions = root
        .get("Conditions")
        .map(|c| {
            c.entries()
                .iter()
                .map(|(k, v)| (k.name.clone(), v))
                .collect()
        })
        .unwrap_or_default();
    let resource_nodes: BTreeMap<String, &Node> = resources_node
        .entries()
        .iter()
        .map(|(k, v)| (k.name.clone(), v))
        .collect();
    let mut document = IacDocument {
        account: Some(account.clone()),
        ..IacDocument::default()
    };
    let template = Template::new(
        file.to_owned(),
        parameters,
        root.get("Mappings"),
        conditions,
        resource_nodes,
        (account, region.clone(), partition, stack),
        options.parameters.clone(),
    );
    for (key, node) in resources_node.entries() {
        let id = key.name.as_str();
        let kind = node
            .get("Type")
            .and_then(Node::as_str)
            .ok_or_else(|| invalid(node.line, format!("resource `{id}` has no Type")))?;
        if let Some(condition) = node.get("Condition") {
            let name = condition.as_str().ok_or_else(|| {
                invalid(
                    condition.line,
                    format!("{id}.Condition must be a condition name"),
                )
            })?;
            if !template.condition(name, condition.line)? {
                continue;
            }
        }
        let mut values = serde_json::Map::new();
        let mut lines = BTreeMap::new();
        if let Some(properties) = node.get("Properties") {
            if !matches!(properties.value, Value::Map(_)) {
                return Err(invalid(
                    properties.line,
                    format!("{id}.Properties must be a mapping"),
                ));
            }
            for (name, value) in properties.entries() {
                lines.insert(name.name.clone(), name.line);
                if let Some(resolved) = template.resolve(value, 0)? {
                    values.insert(name.name.clone(), resolved);
                }
            }
        }
        let props = Props {
            template: &template,
            logical_id: id,
            line: key.line,
            values,
            lines: lines.clone(),
        };
        let Some(mapped) = resources::map(kind, &props, options.assume_confirmed)? else {
            continue;
        };
        let span = SourceSpan {
            file: file.to_owned(),
            logical_id: id.to_owned(),
            kind: kind.to_owned(),
            start_line: key.line,
            end_line: node.end_line.max(key.line),
            properties: lines,
            construct_path: node
                .get("Metadata")
                .and_then(|m| m.get("aws:cdk:path"))
                .and_then(Node::as_str)
                .map(str::to_owned),
        };
        for identity in mapped.identities {
            document.sources.insert(identity, span.clone());
        }
        document.assumptions.extend(mapped.assumptions);
        document
            .resources
            .extend(mapped.planned.into_iter().map(|resource| PlannedResource {
                region: region.clone(),
                resource,
            }));
    }
    document.assumptions.extend(assumptions);
    document
        .assumptions
        .extend(template.assumptions.borrow().iter().cloned());
    Ok(document)
}

/// The template's parameters: the `--iac-parameter` value, else the default; lists split.
fn parameters(
    file: &str,
    root: &Node,
    options: &ReadOptions,
) -> Result<BTreeMap<String, Json>, IacError> {
    let mut out = BTreeMap::new();
    let Some(declared) = root.get("Parameters") else {
        return Ok(out);
    };
    for (key, declaration) in declared.entries() {
        let name = &key.name;
        let kind = declaration
            .get("Type")
            .and_then(Node::as_str)
            .unwrap_or("String");
        let value = match options.parameters.get(name) {
            Some(value) => value.clone(),
            None => match declaration.get("Default") {
                Some(default) => match &default.value {
                    Value::String(s) | Value::Number(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Seq(items) => items
                        .iter()
                        .filter_map(Node::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                    _ => String::new(),
                },
                None => {
                    return Err(IacError::Invalid {
                        file: file.to_owned(),
                        line: key.line,
                        message: format!(
                            "parameter `{name}` has no Default; give its value with \
                             --iac-parameter {name}=VALUE"
                        ),
                    });
                }
            },
        };
        if let Some(Value::Seq(allowed)) = declaration.get("AllowedValues").map(|a| &a.value)
            && !allowed.iter().any(|a| a.as_str() == Some(value.as_str()))
        {
            return Err(IacError::Invalid {
                file: file.to_owned(),
                line: key.line,
                message: format!("parameter `{name}` = `{value}` is not one of its AllowedValues"),
            });
        }
        let resolved = if kind.starts_with("List<") || kind == "CommaDelimitedList" {
            Json::Array(
                value
                    .split(',')
                    .map(|s| Json::String(s.trim().to_owned()))
                    .collect(),
            )
        } else {
            Json::String(value)
        };
        out.insert(name.clone(), resolved);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iac::Planned;

    fn read_text(text: &str, options: &ReadOptions) -> Result<IacDocument, IacError> {
        let root = parse("t.yaml", text)?;
        convert("t.yaml", &root, options, "stack")
    }

    fn topic_names(document: &IacDocument) -> Vec<String> {
        document
            .resources
            .iter()
            .filter_map(|p| match &p.resource {
                Planned::Topic(t) => Some(t.topic_arn.rsplit(':').next()?.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn intrinsic_functions_evaluate_in_short_and_long_form() {
        let text = r#"
Parameters:
  Env: {Type: String, Default: dev}
  Names: {Type: CommaDelimitedList, Default: "a,b,c"}
Mappings:
  M: {dev: {Suffix: x}}
Conditions:
  IsDev: !Equals [!Ref Env, dev]
  NotDev: {"Fn::Not": [{"Condition": IsDev}]}
  Both: !And [!Condition IsDev, !Or [!Condition NotDev, !Equals [1, "1"]]]
Resources:
  A: {Type: AWS::SNS::Topic, Properties: {TopicName: !Sub "${Env}-${AWS::Region}-${!Literal}"}}
  B: {Type: AWS::SNS::Topic, Properties: {TopicName: {"Fn::Join": ["-", [{"Fn::Select": [1, {"Ref": Names}]}, !FindInMap [M, !Ref Env, Suffix]]]}}}
  C: {Type: AWS::SNS::Topic, Condition: NotDev, Properties: {TopicName: c}}
  D: {Type: AWS::SNS::Topic, Properties: {TopicName: !If [Both, !Select [0, !Split ["/", "d/e"]], never]}}
  E: {Type: AWS::SNS::Topic, Properties: {TopicName: !Sub ["${X}-${A.TopicName}", {X: !GetAtt B.TopicName}]}}
  F: {Type: AWS::SNS::Topic, Properties: {TopicName: !ImportValue shared-topic-name}}
"#;
        let options = ReadOptions {
            region: Some("eu-west-1".into()),
            ..ReadOptions::default()
        };
        let document = read_text(text, &options).unwrap();
        assert_eq!(
            topic_names(&document),
            [
                "dev-eu-west-1-${Literal}",
                "b-x",
                "d",
                "b-x-dev-eu-west-1-${Literal}",
                "shared-topic-name" // `import:shared-topic-name`, after the last colon
            ]
        );
        assert!(
            document
                .assumptions
                .iter()
                .any(|a| a.text.contains("Fn::ImportValue `shared-topic-name`")
                    && a.line == Some(17)),
            "{:?}",
            document.assumptions
        );
        // Overrides: a parameter, and the export named by --iac-parameter.
        let options = ReadOptions {
            parameters: [
                ("Env".to_owned(), "prod".to_owned()),
                ("shared-topic-name".to_owned(), "shared".to_owned()),
            ]
            .into_iter()
            .collect(),
            ..ReadOptions::default()
        };
        let text = text.replace(
            "M: {dev: {Suffix: x}}",
            "M: {dev: {Suffix: x}, prod: {Suffix: y}}",
        );
        let document = read_text(&text, &options).unwrap();
        assert_eq!(
            topic_names(&document),
            [
                "prod-us-east-1-${Literal}",
                "b-y",
                "c",
                "never",
                "b-y-prod-us-east-1-${Literal}",
                "shared"
            ]
        );
    }

    #[test]
    fn resources_remember_their_lines_and_their_properties_lines() {
        let text = "Resources:\n  Group:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: g\n      RetentionInDays: 7\n  Other:\n    Type: AWS::SNS::Topic\n";
        let document = read_text(text, &ReadOptions::default()).unwrap();
        let span = document
            .sources
            .get("arn:aws:logs:us-east-1:123456789012:log-group:g")
            .unwrap();
        assert_eq!((span.start_line, span.end_line), (2, 6));
        assert_eq!(span.properties.get("RetentionInDays"), Some(&6));
        assert_eq!(span.logical_id, "Group");
    }

    #[test]
    fn condition_cycles_and_bad_shapes_are_errors_at_their_line() {
        let cycle = "Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Condition: A\n";
        let error = read_text(cycle, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("refers to itself (a cycle)"), "{error}");
        let select = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Select [5, [a]]\n";
        let error = read_text(select, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "t.yaml:5: Fn::Select's index 5 is past the list's 1 values"
        );
        let unknown = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Cidr [a, 1, 2]\n";
        let error = read_text(unknown, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("t.yaml:5: Fn::Cidr is not an intrinsic function"),
            "{error}"
        );
        let no_resources = "AWSTemplateFormatVersion: '2010-09-09'\n";
        let error = read_text(no_resources, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("no `Resources` mapping"), "{error}");
    }
}
