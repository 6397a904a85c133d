//! The SDK configuration: the standard credential and settings chain, plus our retry, timeout
//! and assume-role choices.
//!
//! Everything a user already configures for the AWS CLI works unchanged: environment variables,
//! `~/.aws/config` and `~/.aws/credentials` profiles (`--profile` or `AWS_PROFILE`), SSO,
//! `credential_process`, web identity, container and instance roles, and the
//! `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` variables, so LocalStack or moto can stand
//! in for AWS.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{ProvideCredentials, SharedCredentialsProvider};

use super::CollectError;

/// The region used for account-wide calls when neither `--region`, the profile nor the
/// environment names one. Global services (STS, Account) answer in it for the `aws` partition.
pub const FALLBACK_REGION: &str = "us-east-1";

/// How to reach AWS, as the user asked for it.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// A named profile; `None` follows `AWS_PROFILE` or the default profile.
    pub profile: Option<String>,
    /// The region for account-wide calls; `None` follows the chain.
    pub region: Option<String>,
    /// A role to assume before collecting.
    pub role_arn: Option<String>,
    /// The external id the role's trust policy requires.
    pub external_id: Option<String>,
    /// The assumed role's session name.
    pub role_session_name: String,
    /// Time one attempt of one call may take.
    pub call_timeout: Duration,
    /// Attempts per call (adaptive retry).
    pub max_attempts: u32,
}

/// Loads the SDK configuration from the standard chain and applies our options.
///
/// Adaptive retry is the SDK's client-side rate limiter: after a throttling error it slows every
/// later call of the client, which is what a run of hundreds of calls per region needs.
/// `connect_timeout` is short because a region that is not reachable will not become so.
pub async fn load(options: &AwsOptions) -> Result<SdkConfig, CollectError> {
    let attempts = options.max_attempts.max(1);
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5).min(options.call_timeout))
        .operation_attempt_timeout(options.call_timeout)
        .operation_timeout(options.call_timeout.saturating_mul(attempts + 1))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(attempts))
        .timeout_config(timeouts);
    if let Some(profile) = &options.profile {
        check_profile_exists(profile)?;
        loader = loader.profile_name(profile);
    } else if let Some(profile) = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()) {
        check_profile_exists(&profile)?;
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    let mut config = loader.load().await;
    if config.region().is_none() {
        tracing::info!("no region configured; using {FALLBACK_REGION} for account-wide calls");
        config = config
            .into_builder()
            .region(Region::from_static(FALLBACK_REGION))
            .build();
    }
    let Some(provider) = config.credentials_provider() else {
        return Err(CollectError::NoCredentials);
    };
    // Resolved once here so that a chain that finds nothing says so; the clients resolve
    // again through their identity cache.
    if let Err(error) = provider.provide_credentials().await {
        return Err(CollectError::Credentials(causes(&error)));
    }
    if let Some(role) = &options.role_arn {
        let mut provider = aws_config::sts::AssumeRoleProvider::builder(role.clone())
            .session_name(options.role_session_name.clone());
        if let Some(id) = &options.external_id {
            provider = provider.external_id(id.clone());
        }
        let provider = provider.configure(&config).build().await;
        config = config
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build();
    }
    Ok(config)
}

/// An error and its sources as one line of their messages, without the debug dump that the
/// SDK's `DisplayErrorContext` appends.
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = cause.source();
    }
    text
}

/// Fails with [`CollectError::UnknownProfile`] when neither the shared config file nor the
/// credentials file (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and
/// `~/.aws/credentials`) has a section for `profile`.
fn check_profile_exists(profile: &str) -> Result<(), CollectError> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let path = |var: &str, default: &str| {
        std::env::var_os(var)
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(default)))
    };
    let files: Vec<std::path::PathBuf> = [
        path("AWS_CONFIG_FILE", ".aws/config"),
        path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let defined = files.iter().any(|file| {
        std::fs::read_to_string(file).is_ok_and(|text| defines_profile(&text, profile))
    });
    if defined {
        return Ok(());
    }
    Err(CollectError::UnknownProfile {
        profile: profile.to_owned(),
        searched: files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    })
}

/// Whether an AWS configuration or credentials file has a section for `profile`: `[name]`
/// (credentials file, and `default` in the config file) or `[profile name]` (config file).
/// <https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html>
fn defines_profile(text: &str, profile: &str) -> bool {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix('['))
        .filter_map(|rest| rest.split(']').next())
        .map(str::trim)
        .any(|section| {
            section == profile
                || section
                    .strip_prefix("profile")
                    .filter(|rest| rest.starts_with(char::is_whitespace))
                    .is_some_and(|rest| rest.trim() == profile)
        })
}

/// The region of a configuration, which [`load`] always sets.
pub fn home_region(config: &SdkConfig) -> String {
    config
        .region()
        .map(|region| region.as_ref().to_owned())
        .unwrap_or_else(|| FALLBACK_REGION.to_owned())
}

#[cfg(test)]
mod tests {
    use super::defines_profile;

    #[test]
    fn profile_sections_are_found_in_either_file_format() {
        let config =
            "[default]\nregion = eu-west-1\n\n[profile audit]\nrole_arn = x\n[sso-session corp]\n";
        assert!(defines_profile(config, "default"));
        assert!(defines_profile(config, "audit"));
        assert!(
            !defines_profile(config, "corp"),
            "an sso-session is not a profile"
        );
        assert!(!defines_profile(config, "profile"));
        assert!(defines_profile("[ ci ]\naws_access_key_id = x\n", "ci"));
        assert!(defines_profile("[profile   spaced ]\n", "spaced"));
        assert!(!defines_profile("# [profile commented]\n", "commented"));
        assert!(!defines_profile("[profileaudit]\n", "audit"));
    }
}
