//! A CDK cloud assembly (`cdk.out/`): `manifest.json` lists artifacts; each of type
//! `aws:cloudformation:stack` names its synthesised template (`properties.templateFile`,
//! relative to the assembly), which is read as any CloudFormation template. The stack's
//! `environment` (`aws://ACCOUNT/REGION`) gives the account and region when it names them
//! (`unknown-account`/`unknown-region` for environment-agnostic stacks), and its name is the
//! stack name. Cloud assembly schema:
//! <https://github.com/aws/aws-cdk/tree/main/packages/aws-cdk-lib/cloud-assembly-schema>.

use std::path::Path;

use super::cloudformation;
use super::source_map::display_path;
use super::{IacDocument, IacError, ReadOptions};

/// Reads every stack of the assembly in `dir`.
pub fn read(dir: &Path, options: &ReadOptions) -> Result<IacDocument, IacError> {
    let manifest_path = dir.join("manifest.json");
    let file = display_path(&manifest_path);
    let text = super::read_text(&manifest_path)?;
    let manifest = super::json::parse(&file, &text)?;
    let invalid = |line: u32, message: &str| IacError::Invalid {
        file: file.clone(),
        line,
        message: message.to_owned(),
    };
    let artifacts = manifest
        .get("artifacts")
        .ok_or_else(|| invalid(manifest.line, "the manifest has no `artifacts`"))?;
    let mut document = IacDocument::default();
    let mut stacks = 0;
    for (key, artifact) in artifacts.entries() {
        if artifact.get("type").and_then(|t| t.as_str()) != Some("aws:cloudformation:stack") {
            continue;
        }
        let template = artifact
            .get("properties")
            .and_then(|p| p.get("templateFile"))
            .and_then(|t| t.as_str())
            .ok_or_else(|| {
                invalid(
                    artifact.line,
                    "a stack artifact has no properties.templateFile",
                )
            })?;
        if template.contains("..") || Path::new(template).is_absolute() {
            return Err(invalid(
                artifact.line,
                "a templateFile must lie inside the assembly directory",
            ));
        }
        let mut stack_options = options.clone();
        if let Some(environment) = artifact.get("environment").and_then(|e| e.as_str())
            && let Some((account, region)) = environment
                .strip_prefix("aws://")
                .and_then(|rest| rest.split_once('/'))
        {
            if account != "unknown-account" && !options.parameters.contains_key("AWS::AccountId") {
                stack_options.account = Some(account.to_owned());
            }
            if region != "unknown-region" && !options.parameters.contains_key("AWS::Region") {
                stack_options.region = Some(region.to_owned());
            }
        }
        let path = dir.join(template);
        let template_file = display_path(&path);
        let text = super::read_text(&path)?;
        let root = cloudformation::parse(&template_file, &text)?;
        let stack_name = artifact
            .get("properties")
            .and_then(|p| p.get("stackName"))
            .and_then(|s| s.as_str())
            .unwrap_or(&key.name);
        document.extend(cloudformation::convert(
            &template_file,
            &root,
            &stack_options,
            stack_name,
        )?);
        stacks += 1;
    }
    if stacks == 0 {
        return Err(invalid(
            artifacts.line,
            "the assembly has no artifact of type aws:cloudformation:stack",
        ));
    }
    Ok(document)
}
