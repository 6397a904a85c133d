//! `check --iac PATH`: infrastructure code read as a snapshot, so the rules judge a change
//! before it is deployed, and findings land on the lines that cause them.
//!
//! # The boundary a reader plugs into
//!
//! Every format is one reader with the same shape:
//!
//! ```text
//! fn read(path: &Path, options: &ReadOptions) -> Result<IacDocument, IacError>
//! ```
//!
//! An [`IacDocument`] is what the reader understood, in trailwarden's terms and nothing else:
//! the planned resources as snapshot fragments ([`Planned`], each the SDK type the collector
//! would have written, with its region), where each one is written ([`SourceMap`]: file, line
//! range, a line per property), and what the code cannot know ([`Assumption`]). The readers
//! never build a [`Snapshot`](trailwarden_sdk::Snapshot) themselves: [`overlay::build`] does
//! that once for every format, alone or on top of a deployed account, so merging, identities
//! and sections behave the same whatever the source.
//!
//! Adding a format (Terraform, say) is: a module `iac/terraform*.rs` with such a `read`, a
//! [`Format`] variant, and one arm each in [`detect`] and [`read`]. Nothing else changes: the
//! rules, the reports and the source locations work from the document.
//!
//! # Limits
//!
//! A file over [`MAX_FILE_BYTES`] is refused before it is read (CloudFormation itself takes a
//! template of at most 1 MB from S3, so 8 MiB leaves room for generated templates while keeping
//! memory bounded); parsers nest at most [`MAX_DEPTH`] levels and refuse YAML aliases.

pub mod annotate;
pub mod aws_defaults;
pub mod cdk;
pub mod cloudformation;
pub mod hints;
pub mod json;
pub mod node;
pub mod overlay;
pub mod source_map;
pub mod terraform;
pub mod typed;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::bounded_read::{Refused, read_bounded};

use trailwarden_sdk::snapshot::{
    CompositeAlarm, EventRule, KeyPolicy, KeyRotation, KmsKey, LogGroup, MetricAlarm, MetricFilter,
    Subscription, Topic, TopicPolicy, Trail,
};

pub use source_map::{SourceMap, SourceSpan};

/// The largest file an IaC reader opens, in bytes (8 MiB). See the module documentation.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// How deep a parsed document may nest before it is refused, so that a hostile file cannot
/// exhaust the stack.
pub const MAX_DEPTH: usize = 128;

/// A format `--iac` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A CloudFormation template in YAML.
    CloudFormationYaml,
    /// A CloudFormation template in JSON.
    CloudFormationJson,
    /// A CDK cloud assembly directory (`cdk.out/`, with `manifest.json`).
    CdkAssembly,
    /// A Terraform plan in JSON (`terraform show -json plan.out`).
    TerraformPlan,
    /// A directory of Terraform `.tf` files (or one such file).
    TerraformConfiguration,
}

impl Format {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::CloudFormationYaml => "CloudFormation template (YAML)",
            Format::CloudFormationJson => "CloudFormation template (JSON)",
            Format::CdkAssembly => "CDK cloud assembly",
            Format::TerraformPlan => "Terraform plan (JSON)",
            Format::TerraformConfiguration => "Terraform configuration (.tf)",
        }
    }
}

/// What the user told the readers: `--iac-parameter` values and the account context.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `--iac-parameter Name=Value`: template parameters (over their defaults), pseudo
    /// parameters such as `AWS::Region` and `AWS::AccountId`, and `Fn::ImportValue` names.
    pub parameters: BTreeMap<String, String>,
    /// The account the code deploys to, when known (from `--snapshot` or a live collection):
    /// used for `AWS::AccountId` unless a parameter says otherwise.
    pub account: Option<String>,
    /// The partition of that account.
    pub partition: Option<String>,
    /// The region the code deploys to when nothing says otherwise.
    pub region: Option<String>,
    /// `--iac-assume-confirmed`: treat e-mail and HTTP(S) subscriptions as confirmed.
    pub assume_confirmed: bool,
}

/// Placeholders for what a template leaves to deploy time, stated as assumptions.
pub mod placeholder {
    /// The account id used when no snapshot or parameter gives one.
    pub const ACCOUNT: &str = "123456789012";
    /// The region used when no snapshot or parameter gives one.
    pub const REGION: &str = "us-east-1";
    /// The partition used when none is known.
    pub const PARTITION: &str = "aws";
}

/// One resource the code plans, as the collector would have recorded it.
#[derive(Debug, Clone, PartialEq)]
pub enum Planned {
    /// A CloudTrail trail.
    Trail(Trail),
    /// A CloudWatch Logs log group.
    LogGroup(LogGroup),
    /// A metric filter (on a log group of the same region).
    MetricFilter(MetricFilter),
    /// A metric alarm.
    MetricAlarm(MetricAlarm),
    /// A composite alarm.
    CompositeAlarm(CompositeAlarm),
    /// An SNS topic, with the subscriptions declared on it.
    Topic(Topic),
    /// A subscription declared apart from its topic (`AWS::SNS::Subscription`).
    Subscription {
        /// The topic it subscribes to.
        topic_arn: String,
        /// The subscription.
        subscription: Subscription,
    },
    /// A topic's access policy as SNS sets it when the topic is created (the default policy).
    TopicPolicy(TopicPolicy),
    /// A topic's access policy set by a policy resource (`AWS::SNS::TopicPolicy`,
    /// `aws_sns_topic_policy`): laid after every topic, so it replaces the default policy of a
    /// topic the code creates, wherever the code writes it.
    TopicPolicyResource(TopicPolicy),
    /// An EventBridge rule with its targets.
    EventRule(EventRule),
    /// A KMS key, with its rotation setting and policy when the code states them.
    KmsKey {
        /// The key.
        key: KmsKey,
        /// Whether automatic rotation is on.
        rotation: Option<KeyRotation>,
        /// The key policy.
        policy: Option<KeyPolicy>,
    },
    /// An alias of a key (`AWS::KMS::Alias`): added to the key's aliases.
    KeyAlias {
        /// The key the alias names (ARN or id as the code gives it).
        target: String,
        /// `alias/...`.
        alias: String,
    },
}

/// A planned resource with the region it is deployed to and the ARN the source map knows it
/// by.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedResource {
    /// The region.
    pub region: String,
    /// The resource.
    pub resource: Planned,
}

/// Something the code cannot know, stated so that no verdict rests on a silent guess.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Assumption {
    /// The ARN (or id) of the resource the assumption is about; `None` when it is about the
    /// whole document (the account id, say).
    pub resource: Option<String>,
    /// The file it arises in.
    pub file: String,
    /// The line, when known.
    pub line: Option<u32>,
    /// One sentence.
    pub text: String,
}

/// What a reader understood of one `--iac` path.
#[derive(Debug, Clone, Default)]
pub struct IacDocument {
    /// The planned resources.
    pub resources: Vec<PlannedResource>,
    /// Where each resource is written.
    pub sources: SourceMap,
    /// What the code leaves open.
    pub assumptions: Vec<Assumption>,
    /// The account the code's ARNs were built in (given, from a CDK environment, or the
    /// placeholder): the account of the snapshot when the code is checked alone.
    pub account: Option<String>,
}

impl IacDocument {
    /// Appends `other`'s resources, sources and assumptions (a CDK assembly's stacks, say).
    pub fn extend(&mut self, other: IacDocument) {
        self.resources.extend(other.resources);
        self.sources.extend(other.sources);
        self.assumptions.extend(other.assumptions);
        self.account = self.account.take().or(other.account);
    }
}

/// Why a path could not be read as infrastructure code. Every variant names the file, and the
/// line where there is one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IacError {
    /// The file or directory could not be opened. The cause follows in the error's chain.
    #[error("cannot read {path}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is over [`MAX_FILE_BYTES`].
    #[error(
        "{path}: {size} bytes is over the {limit}-byte limit for infrastructure code \
         (CloudFormation itself accepts templates of at most 1 MB); split the template"
    )]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// [`MAX_FILE_BYTES`].
        limit: u64,
    },
    /// The path is no format trailwarden reads.
    #[error(
        "{path}: not a CloudFormation template (a YAML or JSON document with `Resources`), a \
         CDK cloud assembly (a directory with manifest.json), a Terraform plan (JSON from \
         `terraform show -json`) nor a Terraform configuration (a directory of .tf files); \
         {}",
        crate::untrusted::line(detail)
    )]
    UnknownFormat {
        /// The path.
        path: PathBuf,
        /// What was found instead.
        detail: String,
    },
    /// The text does not parse. The message quotes the file, which in CI is a pull request's
    /// content: it is cleaned for the terminal ([`crate::untrusted::line`]).
    #[error("{file}:{line}:{column}: {}", crate::untrusted::line(message))]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What the parser said.
        message: String,
    },
    /// The document parses but is not a valid template at a given place: an unresolvable
    /// reference, a cycle, a wrong shape. Cleaned for the terminal like [`IacError::Syntax`].
    #[error("{file}:{line}: {}", crate::untrusted::line(message))]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line.
        line: u32,
        /// What is wrong and what to do.
        message: String,
    },
}

/// Decides which format `path` is, from what it is (a directory with `manifest.json`, or that
/// file itself, is a CDK assembly), then its extension, then its first character for other
/// names.
///
/// A format recognised by its content rather than its name (a Terraform plan is `.json`
/// too: it has `format_version` and `terraform_version`) goes before the extension arms, so
/// that CloudFormation stays the fallback for JSON.
pub fn detect(path: &Path) -> Result<Format, IacError> {
    let io = |source| IacError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        if path.join("manifest.json").is_file() {
            return Ok(Format::CdkAssembly);
        }
        if terraform::hcl::is_configuration(path) {
            return Ok(Format::TerraformConfiguration);
        }
        return Err(IacError::UnknownFormat {
            path: path.to_owned(),
            detail: "the directory has no manifest.json and no .tf files".to_owned(),
        });
    }
    if path.file_name().is_some_and(|name| name == "manifest.json") {
        return Ok(Format::CdkAssembly);
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("yaml" | "yml" | "template") => return Ok(Format::CloudFormationYaml),
        Some("tf") => return Ok(Format::TerraformConfiguration),
        Some("json") if terraform::plan::looks_like_plan(&read_text(path)?) => {
            return Ok(Format::TerraformPlan);
        }
        Some("json") => return Ok(Format::CloudFormationJson),
        _ => {}
    }
    let text = read_text(path)?;
    match text.trim_start().chars().next() {
        Some('{') if terraform::plan::looks_like_plan(&text) => Ok(Format::TerraformPlan),
        Some('{') => Ok(Format::CloudFormationJson),
        Some(_) if text.contains("Resources:") => Ok(Format::CloudFormationYaml),
        _ => Err(IacError::UnknownFormat {
            path: path.to_owned(),
            detail: "the file has no recognised extension (.yaml, .yml, .json, .template) and \
                     no `Resources:`"
                .to_owned(),
        }),
    }
}

/// Reads `path` in the format [`detect`] finds.
pub fn read(path: &Path, options: &ReadOptions) -> Result<IacDocument, IacError> {
    match detect(path)? {
        Format::CloudFormationYaml | Format::CloudFormationJson => {
            cloudformation::read(path, options)
        }
        Format::CdkAssembly => {
            let dir = if path.is_dir() {
                path
            } else {
                path.parent().unwrap_or(Path::new("."))
            };
            cdk::read(dir, options)
        }
        Format::TerraformPlan => terraform::plan::read(path, options),
        Format::TerraformConfiguration => terraform::hcl::read(path, options),
    }
}

/// Reads a file as UTF-8 text, refusing it unread when it is over [`MAX_FILE_BYTES`] or is not
/// a regular file (a FIFO named as `--iac x.json` would block the run; [`read_bounded`]).
pub fn read_text(path: &Path) -> Result<String, IacError> {
    let io = |source| IacError::Io {
        path: path.to_owned(),
        source,
    };
    let too_large = |size| IacError::TooLarge {
        path: path.to_owned(),
        size,
        limit: MAX_FILE_BYTES,
    };
    let limit = usize::try_from(MAX_FILE_BYTES).unwrap_or(usize::MAX);
    let bytes = read_bounded(path, limit).map_err(|refused| match refused {
        Refused::NotAFile(kind) => IacError::UnknownFormat {
            path: path.to_owned(),
            detail: format!("it is {kind}, not a regular file or a directory"),
        },
        Refused::TooLarge(size) => too_large(size),
        Refused::Grew => too_large(MAX_FILE_BYTES + 1),
        Refused::Io(source) => io(source),
    })?;
    String::from_utf8(bytes).map_err(|error| IacError::Syntax {
        file: path.display().to_string(),
        line: 1 + u32::try_from(
            error.as_bytes()[..error.utf8_error().valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count(),
        )
        .unwrap_or(u32::MAX),
        column: 1,
        message: "the file is not UTF-8 text".to_owned(),
    })
}

/// [`parse_parameter`] for clap.
pub fn parse_parameter_arg(text: &str) -> Result<(String, String), String> {
    parse_parameter(text)
}

/// Parses a `--iac-parameter Name=Value`.
pub fn parse_parameter(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!(
            "`{text}` is not Name=Value; write e.g. --iac-parameter Environment=prod"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_detected_by_what_the_path_is() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        assert_eq!(
            detect(&write("a.yml", "x")).unwrap(),
            Format::CloudFormationYaml
        );
        assert_eq!(
            detect(&write("a.template", "x")).unwrap(),
            Format::CloudFormationYaml
        );
        assert_eq!(
            detect(&write("a.json", "x")).unwrap(),
            Format::CloudFormationJson
        );
        assert_eq!(
            detect(&write("noext", " {}")).unwrap(),
            Format::CloudFormationJson
        );
        assert_eq!(
            detect(&write("cfn", "Resources:\n")).unwrap(),
            Format::CloudFormationYaml
        );
        assert!(matches!(
            detect(&write("notes.txt", "hi")),
            Err(IacError::UnknownFormat { .. })
        ));
        let manifest = write("manifest.json", "{}");
        assert_eq!(detect(&manifest).unwrap(), Format::CdkAssembly);
        assert_eq!(detect(dir.path()).unwrap(), Format::CdkAssembly);
        let empty = tempfile::tempdir().unwrap();
        let error = detect(empty.path()).unwrap_err().to_string();
        assert!(error.contains("no manifest.json"), "{error}");
    }

    #[test]
    fn parameters_are_name_equals_value() {
        assert_eq!(
            parse_parameter("A=b=c").unwrap(),
            ("A".into(), "b=c".into())
        );
        assert_eq!(parse_parameter("A=").unwrap(), ("A".into(), String::new()));
        assert!(parse_parameter("=x").is_err());
        assert!(parse_parameter("novalue").is_err());
    }
}
