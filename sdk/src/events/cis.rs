//! The CIS AWS Foundations Benchmark monitoring controls 4.1–4.15 (v1.4.0 numbering), as data.
//!
//! Each [`CisControl`] carries the exact filter pattern CIS prescribes (so a rule can tell users
//! whether Security Hub, which demands the exact text, will accept their filter), the event
//! names and source it targets, the matching Security Hub control and CIS v1.2.0 number, and
//! realistic records of the events it must catch.
//!
//! Pattern texts are copied verbatim from the `filterPattern` of each control's audit procedure
//! in CIS AWS Foundations Benchmark v1.4.0, as embedded in Prowler's
//! `prowler/compliance/aws/cis_1.4_aws.json`. They keep CIS's own inconsistencies (quoted names
//! in 4.15, unquoted in 4.7, spacing), because Security Hub compares text. Security Hub numbers
//! are from "Security Hub controls for CloudWatch"
//! (<https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>):
//! CloudWatch.1 is root use (CIS 4.3), CloudWatch.2–3 exist only in the CIS v1.2.0 standard, and
//! Organizations changes (4.15) have no Security Hub control.

use serde_json::Value;

use super::cis_records as records;

/// The CIS benchmark versions whose filter-pattern texts the SDK carries, oldest first. v1.2.0
/// is not among them: the cited source has no v1.2.0 file.
pub const CIS_TEXT_VERSIONS: &[&str] = &["v1.4.0", "v3.0.0", "v4.0.1", "v5.0.0"];

/// The version `strict_cis` compares with unless told otherwise.
pub const DEFAULT_CIS_VERSION: &str = "v1.4.0";

/// The filter patterns one benchmark version's audit procedure gives for a control, verbatim
/// from Prowler's `prowler/compliance/aws/cis_{3.0,4.0,5.0}_aws.json` (prowler-cloud/prowler
/// at commit `3e000faa3109230b748e4418a13c11c9e59f5cfb`; the 4.0 file is benchmark 4.0.1).
///
/// The versions differ in more than spacing. v4.0.1 and v5.0.0 drop the quotes (`ConsoleLogin`,
/// `Root`, `Failed authentication`); v4.0.1 4.1 joins the `!=` exclusions with `&&` after an
/// `||`, and `&&` binds tighter than `||` in CloudWatch Logs patterns, so they apply to
/// `AccessDenied*` only (v1.4.0 and v3.0.0 OR them with the error codes, which matches nearly
/// every call); v3.0.0 and later 4.13 read `eventSource = ec2 && CreateRoute || …`, so only
/// `CreateRoute` is tied to EC2; v5.0.0 4.10 adds `ModifySecurityGroupRules`; and the 4.6 text
/// of v4.0.1 and v5.0.0, `$.errorMessage = Failed authentication`, leaves a value with a space
/// unquoted, which the pattern engine (like CloudWatch Logs) rejects.
#[derive(Debug, Clone, Copy)]
pub struct CisText {
    /// The benchmark version, e.g. `v4.0.1`.
    pub benchmark: &'static str,
    /// The patterns, the first being the audit procedure's main one.
    pub patterns: &'static [&'static str],
}

/// One CIS monitoring control.
#[derive(Debug, Clone, Copy)]
pub struct CisControl {
    /// CIS v1.4.0 id, e.g. `4.7`.
    pub id: &'static str,
    /// The CIS recommendation title.
    pub title: &'static str,
    /// The filter pattern of the CIS audit procedure, verbatim.
    pub pattern: &'static str,
    /// Other patterns CIS accepts for the control (4.2 gives a stricter variant).
    pub alternative_patterns: &'static [&'static str],
    /// The Security Hub control for the same check, e.g. `CloudWatch.7`.
    pub security_hub: Option<&'static str>,
    /// The CIS v1.2.0 number, e.g. `3.7`.
    pub v1_2: Option<&'static str>,
    /// The control is about failed calls (4.1 unauthorized calls, 4.6 failed sign-ins): a kind
    /// of event, which a filter must count apart from its successful twin
    /// ([`successful_twin`](super::successful_twin)).
    pub about_failures: bool,
    /// The filter patterns later benchmark versions give in the audit procedure, verbatim
    /// ([`CisText`]); the v1.4.0 texts are [`pattern`](Self::pattern) and
    /// [`alternative_patterns`](Self::alternative_patterns).
    pub texts: &'static [CisText],
    /// The `eventSource` the pattern requires, when it names one.
    pub event_source: Option<&'static str>,
    /// The `eventName`s the pattern lists (empty when it selects by other fields).
    pub event_names: &'static [&'static str],
    /// Realistic records the control must catch, in `region` of `account`. IAM, STS,
    /// Organizations and Sign-In are global services whose events CloudTrail logs in
    /// `us-east-1`; pass that region for the most realistic records.
    pub records: fn(region: &str, account: &str) -> Vec<Value>,
}

impl CisControl {
    /// The patterns benchmark `version` gives for the control (`None` for a version the SDK
    /// carries no texts of): for v1.4.0 the pattern and its alternatives.
    pub fn patterns(&self, version: &str) -> Option<Vec<&'static str>> {
        if version == "v1.4.0" {
            let mut all = vec![self.pattern];
            all.extend(self.alternative_patterns);
            return Some(all);
        }
        self.texts
            .iter()
            .find(|text| text.benchmark == version)
            .map(|text| text.patterns.to_vec())
    }
}

/// The control with CIS v1.4.0 id `id` (`"4.7"`).
pub fn cis_control(id: &str) -> Option<&'static CisControl> {
    CIS_CONTROLS.iter().find(|control| control.id == id)
}

/// 4.4: IAM policy changes, in CIS order.
pub const IAM_POLICY_EVENTS: &[&str] = &[
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
];

/// 4.5: CloudTrail configuration changes.
pub const CLOUDTRAIL_EVENTS: &[&str] = &[
    "CreateTrail",
    "UpdateTrail",
    "DeleteTrail",
    "StartLogging",
    "StopLogging",
];

/// 4.7: disabling or scheduled deletion of customer-managed keys.
pub const KMS_EVENTS: &[&str] = &["DisableKey", "ScheduleKeyDeletion"];

/// 4.8: S3 bucket policy changes.
pub const S3_POLICY_EVENTS: &[&str] = &[
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
];

/// 4.9: AWS Config changes.
pub const CONFIG_EVENTS: &[&str] = &[
    "StopConfigurationRecorder",
    "DeleteDeliveryChannel",
    "PutDeliveryChannel",
    "PutConfigurationRecorder",
];

/// 4.10: security group changes.
pub const SECURITY_GROUP_EVENTS: &[&str] = &[
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
];

/// 4.11: network ACL changes.
pub const NACL_EVENTS: &[&str] = &[
    "CreateNetworkAcl",
    "CreateNetworkAclEntry",
    "DeleteNetworkAcl",
    "DeleteNetworkAclEntry",
    "ReplaceNetworkAclEntry",
    "ReplaceNetworkAclAssociation",
];

/// 4.12: network gateway changes.
pub const GATEWAY_EVENTS: &[&str] = &[
    "CreateCustomerGateway",
    "DeleteCustomerGateway",
    "AttachInternetGateway",
    "CreateInternetGateway",
    "DeleteInternetGateway",
    "DetachInternetGateway",
];

/// 4.13: route table changes.
pub const ROUTE_TABLE_EVENTS: &[&str] = &[
    "CreateRoute",
    "CreateRouteTable",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
    "DeleteRouteTable",
    "DeleteRoute",
    "DisassociateRouteTable",
];

/// 4.14: VPC changes.
pub const VPC_EVENTS: &[&str] = &[
    "CreateVpc",
    "DeleteVpc",
    "ModifyVpcAttribute",
    "AcceptVpcPeeringConnection",
    "CreateVpcPeeringConnection",
    "DeleteVpcPeeringConnection",
    "RejectVpcPeeringConnection",
    "AttachClassicLinkVpc",
    "DetachClassicLinkVpc",
    "DisableVpcClassicLink",
    "EnableVpcClassicLink",
];

/// 4.15: AWS Organizations changes.
pub const ORGANIZATIONS_EVENTS: &[&str] = &[
    "AcceptHandshake",
    "AttachPolicy",
    "CreateAccount",
    "CreateOrganizationalUnit",
    "CreatePolicy",
    "DeclineHandshake",
    "DeleteOrganization",
    "DeleteOrganizationalUnit",
    "DeletePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnablePolicyType",
    "InviteAccountToOrganization",
    "LeaveOrganization",
    "MoveAccount",
    "RemoveAccountFromOrganization",
    "UpdatePolicy",
    "UpdateOrganizationalUnit",
];

/// All fifteen controls, in order.
pub static CIS_CONTROLS: [CisControl; 15] = [
    CisControl {
        id: "4.1",
        title: "Ensure a log metric filter and alarm exist for unauthorized API calls",
        pattern: r#"{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) || ($.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.eventName!=HeadBucket) }"#,
        // The CIS v1.2.0 3.1 text, which Security Hub CloudWatch.2 gives in its remediation.
        alternative_patterns: &[
            r#"{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}"#,
        ],
        security_hub: Some("CloudWatch.2"),
        v1_2: Some("3.1"),
        about_failures: true,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) || ($.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.eventName!=HeadBucket) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.errorCode =*UnauthorizedOperation) || ($.errorCode =AccessDenied*) && ($.sourceIPAddress!=delivery.logs.amazonaws.com) && ($.eventName!=HeadBucket) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.errorCode =*UnauthorizedOperation) || ($.errorCode =AccessDenied*) && ($.sourceIPAddress!=delivery.logs.amazonaws.com) && ($.eventName!=HeadBucket) }"#,
                ],
            },
        ],
        event_source: None,
        event_names: &[],
        records: records::unauthorized_api_calls,
    },
    CisControl {
        id: "4.2",
        title: "Ensure a log metric filter and alarm exist for Management Console sign-in without MFA",
        pattern: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#,
        alternative_patterns: &[
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
        ],
        security_hub: Some("CloudWatch.3"),
        v1_2: Some("3.2"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#,
                    r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }"#,
                    r#"{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) && ($.userIdentity.type = IAMUser) && ($.responseElements.ConsoleLogin = Success) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }"#,
                    r#"{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) && ($.userIdentity.type = IAMUser) && ($.responseElements.ConsoleLogin = Success) }"#,
                ],
            },
        ],
        event_source: None,
        event_names: &["ConsoleLogin"],
        records: records::console_login_without_mfa,
    },
    CisControl {
        id: "4.3",
        title: "Ensure a log metric filter and alarm exist for usage of 'root' account",
        pattern: r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.1"),
        v1_2: Some("3.3"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }"#,
                ],
            },
        ],
        event_source: None,
        event_names: &[],
        records: records::root_usage,
    },
    CisControl {
        id: "4.4",
        title: "Ensure a log metric filter and alarm exist for IAM policy changes",
        pattern: r#"{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.4"),
        v1_2: Some("3.4"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"#,
                ],
            },
        ],
        event_source: None,
        event_names: IAM_POLICY_EVENTS,
        records: records::iam_policy_changes,
    },
    CisControl {
        id: "4.5",
        title: "Ensure a log metric filter and alarm exist for CloudTrail configuration changes",
        pattern: r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.5"),
        v1_2: Some("3.5"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#,
                ],
            },
        ],
        event_source: None,
        event_names: CLOUDTRAIL_EVENTS,
        records: records::cloudtrail_changes,
    },
    CisControl {
        id: "4.6",
        title: "Ensure a log metric filter and alarm exist for AWS Management Console authentication failures",
        pattern: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.6"),
        v1_2: Some("3.6"),
        about_failures: true,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = Failed authentication) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = Failed authentication) }"#,
                ],
            },
        ],
        event_source: None,
        event_names: &["ConsoleLogin"],
        records: records::console_authentication_failures,
    },
    CisControl {
        id: "4.7",
        title: "Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer created CMKs",
        pattern: r#"{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.7"),
        v1_2: Some("3.7"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"#,
                ],
            },
        ],
        event_source: Some("kms.amazonaws.com"),
        event_names: KMS_EVENTS,
        records: records::kms_key_changes,
    },
    CisControl {
        id: "4.8",
        title: "Ensure a log metric filter and alarm exist for S3 bucket policy changes",
        pattern: r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.8"),
        v1_2: Some("3.8"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
                ],
            },
        ],
        event_source: Some("s3.amazonaws.com"),
        event_names: S3_POLICY_EVENTS,
        records: records::s3_bucket_policy_changes,
    },
    CisControl {
        id: "4.9",
        title: "Ensure a log metric filter and alarm exist for AWS Config configuration changes",
        pattern: r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.9"),
        v1_2: Some("3.9"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }"#,
                ],
            },
        ],
        event_source: Some("config.amazonaws.com"),
        event_names: CONFIG_EVENTS,
        records: records::config_changes,
    },
    CisControl {
        id: "4.10",
        title: "Ensure a log metric filter and alarm exist for security group changes",
        pattern: r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.10"),
        v1_2: Some("3.10"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }"#,
                ],
            },
        ],
        event_source: None,
        event_names: SECURITY_GROUP_EVENTS,
        records: records::security_group_changes,
    },
    CisControl {
        id: "4.11",
        title: "Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)",
        pattern: r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.11"),
        v1_2: Some("3.11"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
                ],
            },
        ],
        event_source: None,
        event_names: NACL_EVENTS,
        records: records::nacl_changes,
    },
    CisControl {
        id: "4.12",
        title: "Ensure a log metric filter and alarm exist for changes to network gateways",
        pattern: r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.12"),
        v1_2: Some("3.12"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
                ],
            },
        ],
        event_source: None,
        event_names: GATEWAY_EVENTS,
        records: records::gateway_changes,
    },
    CisControl {
        id: "4.13",
        title: "Ensure a log metric filter and alarm exist for route table changes",
        pattern: r#"{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.13"),
        v1_2: Some("3.13"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{($.eventSource = ec2.amazonaws.com) && ($.eventName =CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName =ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName= DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName =DisassociateRouteTable) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }"#,
                ],
            },
        ],
        event_source: None,
        event_names: ROUTE_TABLE_EVENTS,
        records: records::route_table_changes,
    },
    CisControl {
        id: "4.14",
        title: "Ensure a log metric filter and alarm exist for VPC changes",
        pattern: r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
        alternative_patterns: &[],
        security_hub: Some("CloudWatch.14"),
        v1_2: Some("3.14"),
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
                ],
            },
        ],
        event_source: None,
        event_names: VPC_EVENTS,
        records: records::vpc_changes,
    },
    CisControl {
        id: "4.15",
        title: "Ensure a log metric filter and alarm exists for AWS Organizations changes",
        pattern: r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"#,
        alternative_patterns: &[],
        security_hub: None,
        v1_2: None,
        about_failures: false,
        texts: &[
            CisText {
                benchmark: "v3.0.0",
                patterns: &[
                    r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"#,
                ],
            },
            CisText {
                benchmark: "v4.0.1",
                patterns: &[
                    r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }"#,
                ],
            },
            CisText {
                benchmark: "v5.0.0",
                patterns: &[
                    r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }"#,
                ],
            },
        ],
        event_source: Some("organizations.amazonaws.com"),
        event_names: ORGANIZATIONS_EVENTS,
        records: records::organizations_changes,
    },
];
