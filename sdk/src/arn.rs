//! Amazon Resource Names, parsed just enough to compare identities.
//!
//! The chain is followed by identity, not by name: a log group called `CloudTrail/logs` in
//! another region or account is a different log group. [`Arn`] exposes the partition, service,
//! region, account and resource of an ARN so that rules can compare them field by field.

/// A borrowed, parsed ARN: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: &'a str,
    /// Service namespace, e.g. `logs`.
    pub service: &'a str,
    /// Region, empty for global resources.
    pub region: &'a str,
    /// 12-digit account id, empty for some resources.
    pub account: &'a str,
    /// Everything after the account, e.g. `log-group:CloudTrail/logs:*`.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses `text`; `None` when it is not an ARN.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?;
        let service = parts.next()?;
        let region = parts.next()?;
        let account = parts.next()?;
        let resource = parts.next()?;
        if partition.is_empty() || service.is_empty() {
            return None;
        }
        Some(Self {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// The log group name of a CloudWatch Logs log-group ARN, with or without the `:*` suffix
    /// that CloudTrail stores.
    pub fn log_group_name(&self) -> Option<&'a str> {
        if self.service != "logs" {
            return None;
        }
        let name = self.resource.strip_prefix("log-group:")?;
        Some(name.strip_suffix(":*").unwrap_or(name))
    }

    /// The last path or colon segment of the resource, a readable name for messages.
    pub fn short_name(&self) -> &'a str {
        let resource = self.resource.strip_suffix(":*").unwrap_or(self.resource);
        resource
            .rsplit(['/', ':'])
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(resource)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_log_group_arn_with_suffix() {
        let arn = Arn::parse("arn:aws:logs:eu-west-1:111122223333:log-group:CloudTrail/logs:*")
            .expect("valid arn");
        assert_eq!(arn.region, "eu-west-1");
        assert_eq!(arn.account, "111122223333");
        assert_eq!(arn.log_group_name(), Some("CloudTrail/logs"));
        assert_eq!(arn.short_name(), "logs");
    }

    #[test]
    fn rejects_non_arns() {
        assert!(Arn::parse("alias/aws/sns").is_none());
        assert!(Arn::parse("arn::x").is_none());
    }

    #[test]
    fn topic_short_name() {
        let arn = Arn::parse("arn:aws:sns:us-east-1:111122223333:security-alerts").expect("arn");
        assert_eq!(arn.short_name(), "security-alerts");
        assert_eq!(arn.log_group_name(), None);
    }
}
