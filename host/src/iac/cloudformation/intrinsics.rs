//! CloudFormation's intrinsic functions, conditions, parameters and pseudo parameters,
//! evaluated the way CloudFormation does at deploy time, as far as a template can tell.
//!
//! Reference: "Intrinsic function reference",
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html>,
//! and "Pseudo parameters reference",
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html>.
//!
//! What only deployment knows is replaced by a placeholder and stated as an [`Assumption`]:
//! the account id and region (unless `--iac-parameter` or the deployed snapshot gives them),
//! `Fn::ImportValue` (unless `--iac-parameter NAME=VALUE` gives the export), `Fn::GetAZs`.
//! Physical names a template leaves to CloudFormation are `<stack>-<LogicalId>` (CloudFormation
//! adds a random suffix; references within the template resolve to the same stand-in, so the
//! chain is followed all the same). A reference to a name the template does not define, or a
//! cycle, is an error at its line.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json, json};

use crate::iac::node::{Node, Value};
use crate::iac::{Assumption, IacError};

/// Deepest nesting of intrinsic functions evaluated; deeper is an error, not a stack overflow.
const MAX_EVAL_DEPTH: usize = 64;

/// Everything a template's values are evaluated against.
pub struct Template<'a> {
    /// The file, for messages.
    pub file: String,
    /// `Parameters`, resolved: the `--iac-parameter` value or the default.
    pub parameters: BTreeMap<String, Json>,
    /// `Mappings`.
    pub mappings: Option<&'a Node>,
    /// `Conditions`, unevaluated.
    pub conditions: BTreeMap<String, &'a Node>,
    /// `Resources`: logical id to its node.
    pub resources: BTreeMap<String, &'a Node>,
    /// `AWS::AccountId`.
    pub account: String,
    /// `AWS::Region`.
    pub region: String,
    /// `AWS::Partition`.
    pub partition: String,
    /// `AWS::StackName`.
    pub stack: String,
    /// `--iac-parameter` values, for `Fn::ImportValue`.
    pub imports: BTreeMap<String, String>,
    /// Assumptions made while evaluating.
    pub assumptions: RefCell<Vec<Assumption>>,
    condition_values: RefCell<BTreeMap<String, bool>>,
    visiting: RefCell<BTreeSet<String>>,
}

/// A property value that `AWS::NoValue` removed.
pub type Resolved = Option<Json>;

impl<'a> Template<'a> {
    /// A template context; see the fields.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        file: String,
        parameters: BTreeMap<String, Json>,
        mappings: Option<&'a Node>,
        conditions: BTreeMap<String, &'a Node>,
        resources: BTreeMap<String, &'a Node>,
        pseudo: (String, String, String, String),
        imports: BTreeMap<String, String>,
    ) -> Self {
        let (account, region, partition, stack) = pseudo;
        Self {
            file,
            parameters,
            mappings,
            conditions,
            resources,
            account,
            region,
            partition,
            stack,
            imports,
            assumptions: RefCell::new(Vec::new()),
            condition_values: RefCell::new(BTreeMap::new()),
            visiting: RefCell::new(BTreeSet::new()),
        }
    }

    /// An error at `line`.
    pub fn invalid(&self, line: u32, message: impl Into<String>) -> IacError {
        IacError::Invalid {
            file: self.file.clone(),
            line,
            message: message.into(),
        }
    }

    fn assume(&self, line: u32, text: String) {
        let mut list = self.assumptions.borrow_mut();
        let assumption = Assumption {
            resource: None,
            file: self.file.clone(),
            line: Some(line),
            text,
        };
        if !list.contains(&assumption) {
            list.push(assumption);
        }
    }

    /// Whether the condition `name` holds.
    pub fn condition(&self, name: &str, line: u32) -> Result<bool, IacError> {
        if let Some(value) = self.condition_values.borrow().get(name) {
            return Ok(*value);
        }
        let node = *self.conditions.get(name).ok_or_else(|| {
            self.invalid(
                line,
                format!("condition `{name}` is not defined in Conditions"),
            )
        })?;
        let key = format!("condition {name}");
        if !self.visiting.borrow_mut().insert(key.clone()) {
            return Err(self.invalid(
                line,
                format!("condition `{name}` refers to itself (a cycle)"),
            ));
        }
        let value = self.resolve(node, 0);
        self.visiting.borrow_mut().remove(&key);
        let value = truthy(&value?.unwrap_or(Json::Null)).ok_or_else(|| {
            self.invalid(node.line, format!("condition `{name}` is not a boolean"))
        })?;
        self.condition_values
            .borrow_mut()
            .insert(name.to_owned(), value);
        Ok(value)
    }

    /// Evaluates `node`: plain values as they are, intrinsic functions applied.
    pub fn resolve(&self, node: &Node, depth: usize) -> Result<Resolved, IacError> {
        if depth > MAX_EVAL_DEPTH {
            return Err(self.invalid(node.line, "intrinsic functions nest too deeply"));
        }
        Ok(Some(match &node.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => n
                .parse::<i64>()
                .map(Json::from)
                .or_else(|_| n.parse::<f64>().map(Json::from))
                .unwrap_or_else(|_| Json::String(n.clone())),
            Value::String(s) => Json::String(s.clone()),
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(value) = self.resolve(item, depth + 1)? {
                        out.push(value);
                    }
                }
                Json::Array(out)
            }
            Value::Map(entries) => {
                if let [(key, argument)] = entries.as_slice()
                    && (key.name == "Ref"
                        || key.name.starts_with("Fn::")
                        || key.name == "Condition")
                {
                    return self.function(&key.name, argument, node.line, depth);
                }
                let mut out = Map::new();
                for (key, value) in entries {
                    if let Some(value) = self.resolve(value, depth + 1)? {
                        out.insert(key.name.clone(), value);
                    }
                }
                Json::Object(out)
            }
        }))
    }

    fn string_arg(&self, node: &Node, depth: usize, what: &str) -> Result<String, IacError> {
        match self.resolve(node, depth + 1)? {
            Some(value) => text(&value).ok_or_else(|| {
                self.invalid(node.line, format!("{what} must be a string, not {value}"))
            }),
            None => Err(self.invalid(node.line, format!("{what} is AWS::NoValue"))),
        }
    }

    fn list_arg(&self, node: &Node, depth: usize, what: &str) -> Result<Vec<Json>, IacError> {
        match self.resolve(node, depth + 1)? {
            Some(Json::Array(items)) => Ok(items),
            other => Err(self.invalid(
                node.line,
                format!("{what} must be a list, not {}", other.unwrap_or(Json::Null)),
            )),
        }
    }

    fn items<'n>(&self, node: &'n Node, count: usize, name: &str) -> Result<&'n [Node], IacError> {
        match &node.value {
            Value::Seq(items) if items.len() == count => Ok(items),
            _ => Err(self.invalid(node.line, format!("{name} takes a list of {count} values"))),
        }
    }

    fn function(
        &self,
        name: &str,
        argument: &Node,
        line: u32,
        depth: usize,
    ) -> Result<Resolved, IacError> {
        let depth = depth + 1;
        match name {
            "Ref" => {
                let target = argument.as_str().ok_or_else(|| {
                    self.invalid(line, "Ref takes the name of a parameter or resource")
                })?;
                self.reference(target, line)
            }
            "Condition" => {
                let target = argument
                    .as_str()
                    .ok_or_else(|| self.invalid(line, "Condition takes a condition name"))?;
                Ok(Some(Json::Bool(self.condition(target, line)?)))
            }
            "Fn::GetAtt" => {
                let (resource, attribute) = match &argument.value {
                    Value::Seq(items) if items.len() == 2 => (
                        self.string_arg(&items[0], depth, "Fn::GetAtt's resource")?,
                        self.string_arg(&items[1], depth, "Fn::GetAtt's attribute")?,
                    ),
                    Value::String(s) => match s.split_once('.') {
                        Some((r, a)) => (r.to_owned(), a.to_owned()),
                        None => {
                            return Err(self.invalid(line, "Fn::GetAtt needs Resource.Attribute"));
                        }
                    },
                    _ => return Err(self.invalid(line, "Fn::GetAtt takes [Resource, Attribute]")),
                };
                self.attribute(&resource, &attribute, line).map(Some)
            }
            "Fn::Sub" => {
                let (template, variables) = match &argument.value {
                    Value::Seq(items) if items.len() == 2 => {
                        let mut variables = BTreeMap::new();
                        for (key, value) in items[1].entries() {
                            let value = self.resolve(value, depth)?.unwrap_or(Json::Null);
                            variables.insert(key.name.clone(), value);
                        }
                        (
                            self.string_arg(&items[0], depth, "Fn::Sub's string")?,
                            variables,
                        )
                    }
                    _ => (
                        self.string_arg(argument, depth, "Fn::Sub's string")?,
                        BTreeMap::new(),
                    ),
                };
                self.substitute(&template, &variables, line)
                    .map(|s| Some(Json::String(s)))
            }
            "Fn::Join" => {
                let items = self.items(argument, 2, "Fn::Join")?;
                let separator = self.string_arg(&items[0], depth, "Fn::Join's delimiter")?;
                let parts = self.list_arg(&items[1], depth, "Fn::Join's values")?;
                let parts: Option<Vec<String>> = parts.iter().map(text).collect();
                let parts =
                    parts.ok_or_else(|| self.invalid(line, "Fn::Join joins strings only"))?;
                Ok(Some(Json::String(parts.join(&separator))))
            }
            "Fn::Select" => {
                let items = self.items(argument, 2, "Fn::Select")?;
                let index = self.string_arg(&items[0], depth, "Fn::Select's index")?;
                let index: usize = index.parse().map_err(|_| {
                    self.invalid(
                        line,
                        format!("Fn::Select's index `{index}` is not a number"),
                    )
                })?;
                let list = self.list_arg(&items[1], depth, "Fn::Select's list")?;
                list.get(index).cloned().map(Some).ok_or_else(|| {
                    self.invalid(
                        line,
                        format!(
                            "Fn::Select's index {index} is past the list's {} values",
                            list.len()
                        ),
                    )
                })
            }
            "Fn::Split" => {
                let items = self.items(argument, 2, "Fn::Split")?;
                let separator = self.string_arg(&items[0], depth, "Fn::Split's delimiter")?;
                let source = self.string_arg(&items[1], depth, "Fn::Split's string")?;
                if separator.is_empty() {
                    return Err(self.invalid(line, "Fn::Split's delimiter is empty"));
                }
                Ok(Some(Json::Array(
                    source
                        .split(&separator)
                        .map(|s| Json::String(s.to_owned()))
                        .collect(),
                )))
            }
            "Fn::FindInMap" => {
                let items = match &argument.value {
                    Value::Seq(items) if items.len() >= 3 => items,
                    _ => {
                        return Err(
                            self.invalid(line, "Fn::FindInMap takes [Map, TopKey, SecondKey]")
                        );
                    }
                };
                let map = self.string_arg(&items[0], depth, "Fn::FindInMap's map")?;
                let top = self.string_arg(&items[1], depth, "Fn::FindInMap's top key")?;
                let second = self.string_arg(&items[2], depth, "Fn::FindInMap's second key")?;
                let found = self
                    .mappings
                    .and_then(|m| m.get(&map))
                    .and_then(|m| m.get(&top))
                    .and_then(|m| m.get(&second))
                    .ok_or_else(|| {
                        self.invalid(
                            line,
                            format!("Fn::FindInMap: Mappings has no {map}/{top}/{second}"),
                        )
                    })?;
                self.resolve(found, depth)
            }
            "Fn::If" => {
                let items = self.items(argument, 3, "Fn::If")?;
                let condition = items[0].as_str().ok_or_else(|| {
                    self.invalid(line, "Fn::If's first value is a condition name")
                })?;
                let chosen = if self.condition(condition, line)? {
                    &items[1]
                } else {
                    &items[2]
                };
                self.resolve(chosen, depth)
            }
            "Fn::Equals" => {
                let items = self.items(argument, 2, "Fn::Equals")?;
                let a = self.resolve(&items[0], depth)?;
                let b = self.resolve(&items[1], depth)?;
                let same = match (a.as_ref().and_then(text), b.as_ref().and_then(text)) {
                    (Some(a), Some(b)) => a == b,
                    _ => a == b,
                };
                Ok(Some(Json::Bool(same)))
            }
            "Fn::Not" => {
                let items = self.items(argument, 1, "Fn::Not")?;
                Ok(Some(Json::Bool(!self.boolean(&items[0], depth)?)))
            }
            "Fn::And" | "Fn::Or" => {
                let items = match &argument.value {
                    Value::Seq(items) if (2..=10).contains(&items.len()) => items,
                    _ => return Err(self.invalid(line, format!("{name} takes 2 to 10 conditions"))),
                };
                let mut values = Vec::new();
                for item in items {
                    values.push(self.boolean(item, depth)?);
                }
                let result = if name == "Fn::And" {
                    values.iter().all(|v| *v)
                } else {
                    values.iter().any(|v| *v)
                };
                Ok(Some(Json::Bool(result)))
            }
            "Fn::Base64" => self.resolve(argument, depth),
            "Fn::ImportValue" => {
                let export = self.string_arg(argument, depth, "Fn::ImportValue's export name")?;
                match self.imports.get(&export) {
                    Some(value) => Ok(Some(Json::String(value.clone()))),
                    None => {
                        self.assume(
                            line,
                            format!(
                                "Fn::ImportValue `{export}` is another stack's export, unknown before \
                                 deploy; it stands as `import:{export}` (give it with \
                                 --iac-parameter {export}=VALUE)"
                            ),
                        );
                        Ok(Some(Json::String(format!("import:{export}"))))
                    }
                }
            }
            "Fn::GetAZs" => {
                self.assume(
                    line,
                    "Fn::GetAZs is answered with placeholder zones a and b".to_owned(),
                );
                Ok(Some(json!([
                    format!("{}a", self.region),
                    format!("{}b", self.region)
                ])))
            }
            "Fn::ToJsonString" => {
                let value = self.resolve(argument, depth)?.unwrap_or(Json::Null);
                Ok(Some(Json::String(value.to_string())))
            }
            "Fn::Length" => {
                let list = self.list_arg(argument, depth, "Fn::Length's list")?;
                Ok(Some(Json::from(list.len())))
            }
            other => Err(self.invalid(
                line,
                format!("{other} is not an intrinsic function trailwarden evaluates"),
            )),
        }
    }

    fn boolean(&self, node: &Node, depth: usize) -> Result<bool, IacError> {
        let value = self.resolve(node, depth)?.unwrap_or(Json::Null);
        truthy(&value)
            .ok_or_else(|| self.invalid(node.line, format!("expected a condition, found {value}")))
    }

    /// `Ref`: a parameter's value, a pseudo parameter, or a resource's physical id.
    pub fn reference(&self, target: &str, line: u32) -> Result<Resolved, IacError> {
        if let Some(value) = self.parameters.get(target) {
            return Ok(Some(value.clone()));
        }
        Ok(Some(Json::String(match target {
            "AWS::AccountId" => self.account.clone(),
            "AWS::Region" => self.region.clone(),
            "AWS::Partition" => self.partition.clone(),
            "AWS::StackName" => self.stack.clone(),
            "AWS::StackId" => format!(
                "arn:{}:cloudformation:{}:{}:stack/{}/id",
                self.partition, self.region, self.account, self.stack
            ),
            "AWS::URLSuffix" => "amazonaws.com".to_owned(),
            "AWS::NotificationARNs" => return Ok(Some(json!([]))),
            "AWS::NoValue" => return Ok(None),
            _ if self.resources.contains_key(target) => self.physical_id(target, line)?,
            _ => {
                return Err(self.invalid(
                    line,
                    format!(
                        "Ref `{target}` names no parameter, resource or pseudo parameter of this \
                         template"
                    ),
                ));
            }
        })))
    }

    fn resource_type(&self, logical_id: &str) -> &str {
        self.resources
            .get(logical_id)
            .and_then(|node| node.get("Type"))
            .and_then(Node::as_str)
            .unwrap_or("")
    }

    /// The physical name of a resource: its name property, or CloudFormation's generated
    /// `<stack>-<LogicalId>` stand-in.
    pub fn name(&self, logical_id: &str, line: u32) -> Result<String, IacError> {
        let property = match self.resource_type(logical_id) {
            "AWS::CloudTrail::Trail" => "TrailName",
            "AWS::Logs::LogGroup" => "LogGroupName",
            "AWS::Logs::MetricFilter" => "FilterName",
            "AWS::CloudWatch::Alarm" | "AWS::CloudWatch::CompositeAlarm" => "AlarmName",
            "AWS::SNS::Topic" => "TopicName",
            "AWS::Events::Rule" => "Name",
            "AWS::IAM::Role" => "RoleName",
            "AWS::S3::Bucket" => "BucketName",
            "AWS::KMS::Alias" => "AliasName",
            "AWS::SQS::Queue" => "QueueName",
            "AWS::Lambda::Function" => "FunctionName",
            _ => "",
        };
        let node = self
            .resources
            .get(logical_id)
            .and_then(|r| r.get("Properties"))
            .and_then(|p| p.get(property));
        let Some(node) = node else {
            return Ok(format!("{}-{logical_id}", self.stack));
        };
        let key = format!("resource {logical_id}");
        if !self.visiting.borrow_mut().insert(key.clone()) {
            return Err(self.invalid(
                line,
                format!("the name of `{logical_id}` depends on itself (a reference cycle)"),
            ));
        }
        let value = self.string_arg(node, 0, &format!("{logical_id}.{property}"));
        self.visiting.borrow_mut().remove(&key);
        value
    }

    fn physical_id(&self, logical_id: &str, line: u32) -> Result<String, IacError> {
        match self.resource_type(logical_id) {
            "AWS::SNS::Topic" => self
                .attribute(logical_id, "TopicArn", line)
                .map(|v| text(&v).unwrap_or_default()),
            "AWS::KMS::Key" => Ok(key_id(logical_id)),
            "AWS::SNS::Subscription" => Ok(format!(
                "arn:{}:sns:{}:{}:subscription/{logical_id}",
                self.partition, self.region, self.account
            )),
            _ => self.name(logical_id, line),
        }
    }

    /// `Fn::GetAtt`: the attributes the chain needs, built as AWS builds them.
    pub fn attribute(
        &self,
        logical_id: &str,
        attribute: &str,
        line: u32,
    ) -> Result<Json, IacError> {
        if !self.resources.contains_key(logical_id) {
            return Err(self.invalid(
                line,
                format!("Fn::GetAtt names `{logical_id}`, which is no resource of this template"),
            ));
        }
        let (p, r, a) = (&self.partition, &self.region, &self.account);
        let kind = self.resource_type(logical_id).to_owned();
        let value = match (kind.as_str(), attribute) {
            ("AWS::CloudTrail::Trail", "Arn") => format!(
                "arn:{p}:cloudtrail:{r}:{a}:trail/{}",
                self.name(logical_id, line)?
            ),
            ("AWS::Logs::LogGroup", "Arn") => format!(
                "arn:{p}:logs:{r}:{a}:log-group:{}:*",
                self.name(logical_id, line)?
            ),
            ("AWS::CloudWatch::Alarm" | "AWS::CloudWatch::CompositeAlarm", "Arn") => {
                format!(
                    "arn:{p}:cloudwatch:{r}:{a}:alarm:{}",
                    self.name(logical_id, line)?
                )
            }
            ("AWS::SNS::Topic", "TopicArn") => {
                format!("arn:{p}:sns:{r}:{a}:{}", self.name(logical_id, line)?)
            }
            ("AWS::SNS::Topic", "TopicName") => self.name(logical_id, line)?,
            ("AWS::Events::Rule", "Arn") => format!(
                "arn:{p}:events:{r}:{a}:rule/{}",
                self.name(logical_id, line)?
            ),
            ("AWS::KMS::Key", "Arn") => format!("arn:{p}:kms:{r}:{a}:key/{}", key_id(logical_id)),
            ("AWS::KMS::Key", "KeyId") => key_id(logical_id),
            ("AWS::IAM::Role", "Arn") => {
                format!("arn:{p}:iam::{a}:role/{}", self.name(logical_id, line)?)
            }
            ("AWS::SQS::Queue", "Arn") => {
                format!("arn:{p}:sqs:{r}:{a}:{}", self.name(logical_id, line)?)
            }
            ("AWS::Lambda::Function", "Arn") => format!(
                "arn:{p}:lambda:{r}:{a}:function:{}",
                self.name(logical_id, line)?
            ),
            ("AWS::S3::Bucket", "Arn") => format!("arn:{p}:s3:::{}", self.name(logical_id, line)?),
            _ => {
                self.assume(
                    line,
                    format!("{logical_id}.{attribute} ({kind}) is known only after deploy; it stands as `{logical_id}.{attribute}`"),
                );
                format!("{logical_id}.{attribute}")
            }
        };
        Ok(Json::String(value))
    }

    fn substitute(
        &self,
        template: &str,
        variables: &BTreeMap<String, Json>,
        line: u32,
    ) -> Result<String, IacError> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or_else(|| {
                self.invalid(line, format!("Fn::Sub: unclosed `${{` in `{template}`"))
            })?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(value) = variables.get(name) {
                out.push_str(&text(value).unwrap_or_default());
            } else if let Some((resource, attribute)) = name.split_once('.')
                && self.resources.contains_key(resource)
            {
                out.push_str(
                    &text(&self.attribute(resource, attribute, line)?).unwrap_or_default(),
                );
            } else {
                let value = self.reference(name, line)?.unwrap_or(Json::Null);
                out.push_str(&text(&value).ok_or_else(|| {
                    self.invalid(line, format!("Fn::Sub: `${{{name}}}` is not a string"))
                })?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// The stand-in key id of a template's key: KMS assigns a UUID at creation.
pub fn key_id(logical_id: &str) -> String {
    format!("iac-{logical_id}")
}

/// A scalar as text, as CloudFormation coerces it (numbers and booleans are strings too).
pub fn text(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A boolean as CloudFormation reads one: `true`, or the string `"true"` (any case).
pub fn truthy(value: &Json) -> Option<bool> {
    match value {
        Json::Bool(b) => Some(*b),
        Json::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Json::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}
