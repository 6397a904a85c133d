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
use aws_sdk_sts::config::SharedCredentialsProvider;

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
        loader = loader.profile_name(profile);
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
    if config.credentials_provider().is_none() {
        return Err(CollectError::NoCredentials);
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

/// The region of a configuration, which [`load`] always sets.
pub fn home_region(config: &SdkConfig) -> String {
    config
        .region()
        .map(|region| region.as_ref().to_owned())
        .unwrap_or_else(|| FALLBACK_REGION.to_owned())
}
