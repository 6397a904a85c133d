//! Realistic records for each CIS monitoring control ([`super::cis`]).
//!
//! Request parameters follow each service's API (the shapes CloudTrail logs); identifiers are
//! the AWS documentation examples. Console sign-in records follow "AWS Management Console
//! sign-in events" (CloudTrail User Guide): `eventSource` `signin.amazonaws.com`, `eventType`
//! `AwsConsoleSignIn`, `responseElements.ConsoleLogin` `Success`/`Failure`,
//! `additionalEventData.MFAUsed`, a failure carrying only `errorMessage` `Failed
//! authentication`, and no `requestID`.

use serde_json::{Value, json};

use super::builder::RecordBuilder;
use super::cis;
use super::identity;
use super::kms;

const CONSOLE_AGENT: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0";

fn call(source: &str, name: &str, region: &str, account: &str) -> RecordBuilder {
    RecordBuilder::new(source, name)
        .region(region)
        .account(account)
}

/// 4.1: one record per error-code family the pattern's `*UnauthorizedOperation` and
/// `AccessDenied*` cover: EC2 `Client.UnauthorizedOperation`, S3 and IAM `AccessDenied`, KMS
/// `AccessDeniedException`.
pub fn unauthorized_api_calls(region: &str, account: &str) -> Vec<Value> {
    vec![
        call("ec2.amazonaws.com", "RunInstances", region, account)
            .request_parameters(json!({
                "instancesSet": { "items": [{ "imageId": "ami-0abcdef1234567890", "minCount": 1, "maxCount": 1 }] },
                "instanceType": "t3.micro"
            }))
            .error(
                "Client.UnauthorizedOperation",
                "You are not authorized to perform this operation. Encoded authorization \
                 failure message: EXAMPLE-ENCODED-MESSAGE",
            )
            .build(),
        call("s3.amazonaws.com", "GetBucketPolicy", region, account)
            .read_only(true)
            .request_parameters(json!({ "bucketName": "amzn-s3-demo-bucket", "Host": "amzn-s3-demo-bucket.s3.amazonaws.com", "policy": "" }))
            .error("AccessDenied", "Access Denied")
            .build(),
        call("iam.amazonaws.com", "ListUsers", region, account)
            .read_only(true)
            .error(
                "AccessDenied",
                &format!(
                    "User: arn:aws:iam::{account}:user/Alice is not authorized to perform: \
                     iam:ListUsers on resource: arn:aws:iam::{account}:user/ because no \
                     identity-based policy allows the iam:ListUsers action"
                ),
            )
            .build(),
        kms::encrypt_access_denied(region, account),
    ]
}

fn console_login(region: &str, account: &str, mfa_used: &str) -> RecordBuilder {
    RecordBuilder::new("signin.amazonaws.com", "ConsoleLogin")
        .region(region)
        .account(account)
        .event_type("AwsConsoleSignIn")
        .user_agent(CONSOLE_AGENT)
        .without_request_id()
        .additional_event_data(json!({
            "LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
            "MobileVersion": "No",
            "MFAUsed": mfa_used
        }))
}

/// 4.2: an IAM user's successful console sign-in without MFA.
pub fn console_login_without_mfa(region: &str, account: &str) -> Vec<Value> {
    vec![
        console_login(region, account, "No")
            .user_identity(identity::iam_user(account, "Alice"))
            .response_elements(json!({ "ConsoleLogin": "Success" }))
            .build(),
    ]
}

/// 4.3: the root user signing in to the console and calling an API (no `invokedBy`).
pub fn root_usage(region: &str, account: &str) -> Vec<Value> {
    vec![
        console_login(region, account, "Yes")
            .user_identity(identity::root(account))
            .response_elements(json!({ "ConsoleLogin": "Success" }))
            .build(),
        call("iam.amazonaws.com", "CreateAccessKey", region, account)
            .user_identity(identity::root(account))
            .response_elements(json!({
                "accessKey": {
                    "accessKeyId": "AKIAI44QH8DHBEXAMPLE",
                    "status": "Active",
                    "createDate": "May 20, 2024, 8:45:00 PM"
                }
            }))
            .build(),
    ]
}

/// 4.6: a failed console sign-in. CloudTrail omits the user ARN and access key of a failed
/// IAM-user sign-in.
pub fn console_authentication_failures(region: &str, account: &str) -> Vec<Value> {
    vec![
        console_login(region, account, "No")
            .user_identity(json!({
                "type": "IAMUser",
                "principalId": "AIDAJ45Q7YFFAREXAMPLE",
                "accountId": account,
                "accessKeyId": "",
                "userName": "Alice"
            }))
            .response_elements(json!({ "ConsoleLogin": "Failure" }))
            .error_message("Failed authentication")
            .build(),
    ]
}

/// Request parameters for an IAM policy call.
fn iam_parameters(name: &str, account: &str) -> Value {
    let policy_arn = format!("arn:aws:iam::{account}:policy/ExamplePolicy");
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let principal = |kind: &str| match kind {
        "Group" => ("groupName", "Developers"),
        "Role" => ("roleName", "ExampleRole"),
        _ => ("userName", "Alice"),
    };
    let kind = ["Group", "Role", "User"]
        .into_iter()
        .find(|k| name.contains(k))
        .unwrap_or("User");
    let (key, value) = principal(kind);
    match name {
        "CreatePolicy" => json!({ "policyName": "ExamplePolicy", "policyDocument": document }),
        "DeletePolicy" => json!({ "policyArn": policy_arn }),
        "CreatePolicyVersion" => {
            json!({ "policyArn": policy_arn, "policyDocument": document, "setAsDefault": true })
        }
        "DeletePolicyVersion" => json!({ "policyArn": policy_arn, "versionId": "v1" }),
        _ if name.starts_with("Put") => {
            json!({ key: value, "policyName": "inline-policy", "policyDocument": document })
        }
        _ if name.starts_with("Delete") => json!({ key: value, "policyName": "inline-policy" }),
        _ => json!({ key: value, "policyArn": policy_arn }),
    }
}

/// 4.4: every IAM policy change CIS lists.
pub fn iam_policy_changes(region: &str, account: &str) -> Vec<Value> {
    cis::IAM_POLICY_EVENTS
        .iter()
        .map(|name| {
            call("iam.amazonaws.com", name, region, account)
                .request_parameters(iam_parameters(name, account))
                .build()
        })
        .collect()
}

/// 4.5: every CloudTrail configuration change CIS lists.
pub fn cloudtrail_changes(region: &str, account: &str) -> Vec<Value> {
    let trail = format!("arn:aws:cloudtrail:{region}:{account}:trail/management-events");
    cis::CLOUDTRAIL_EVENTS
        .iter()
        .map(|name| {
            let parameters = match *name {
                "CreateTrail" => json!({
                    "name": "management-events",
                    "s3BucketName": "amzn-s3-demo-bucket",
                    "isMultiRegionTrail": true
                }),
                "UpdateTrail" => json!({ "name": trail, "includeGlobalServiceEvents": false }),
                _ => json!({ "name": trail }),
            };
            call("cloudtrail.amazonaws.com", name, region, account)
                .request_parameters(parameters)
                .build()
        })
        .collect()
}

/// 4.7: `DisableKey` and `ScheduleKeyDeletion`.
pub fn kms_key_changes(region: &str, account: &str) -> Vec<Value> {
    vec![
        kms::disable_key(region, account),
        kms::schedule_key_deletion(region, account),
    ]
}

/// 4.8: every S3 bucket policy change CIS lists.
pub fn s3_bucket_policy_changes(region: &str, account: &str) -> Vec<Value> {
    cis::S3_POLICY_EVENTS
        .iter()
        .map(|name| {
            let bucket = "amzn-s3-demo-bucket";
            let sub = name
                .trim_start_matches("Put")
                .trim_start_matches("Delete")
                .trim_start_matches("Bucket")
                .to_lowercase();
            call("s3.amazonaws.com", name, region, account)
                .request_parameters(json!({
                    "bucketName": bucket,
                    "Host": format!("{bucket}.s3.{region}.amazonaws.com"),
                    sub: ""
                }))
                .resources(json!([{
                    "accountId": account,
                    "type": "AWS::S3::Bucket",
                    "ARN": format!("arn:aws:s3:::{bucket}")
                }]))
                .build()
        })
        .collect()
}

/// 4.9: every AWS Config change CIS lists.
pub fn config_changes(region: &str, account: &str) -> Vec<Value> {
    cis::CONFIG_EVENTS
        .iter()
        .map(|name| {
            let parameters = match *name {
                "StopConfigurationRecorder" => json!({ "configurationRecorderName": "default" }),
                "DeleteDeliveryChannel" => json!({ "deliveryChannelName": "default" }),
                "PutDeliveryChannel" => json!({
                    "deliveryChannel": { "name": "default", "s3BucketName": "amzn-s3-demo-bucket" }
                }),
                _ => json!({
                    "configurationRecorder": {
                        "name": "default",
                        "roleARN": format!("arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")
                    }
                }),
            };
            call("config.amazonaws.com", name, region, account)
                .request_parameters(parameters)
                .build()
        })
        .collect()
}

/// Request parameters for an EC2 network call, by the resource its name is about.
fn ec2_parameters(name: &str) -> Value {
    let rule = json!({ "items": [{
        "ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
        "ipRanges": { "items": [{ "cidrIp": "203.0.113.0/24" }] }
    }]});
    match name {
        "CreateSecurityGroup" => json!({
            "groupName": "example-sg",
            "groupDescription": "example",
            "vpcId": "vpc-1a2b3c4d"
        }),
        _ if name.contains("SecurityGroup") => {
            json!({ "groupId": "sg-903004f8", "ipPermissions": rule })
        }
        "CreateNetworkAcl" => json!({ "vpcId": "vpc-1a2b3c4d" }),
        "ReplaceNetworkAclAssociation" => {
            json!({ "associationId": "aclassoc-e5b95c8c", "networkAclId": "acl-5fb85d36" })
        }
        _ if name.contains("NetworkAclEntry") => json!({
            "networkAclId": "acl-5fb85d36", "ruleNumber": 100, "egress": false,
            "ruleAction": "allow", "protocol": "6", "cidrBlock": "0.0.0.0/0"
        }),
        _ if name.contains("NetworkAcl") => json!({ "networkAclId": "acl-5fb85d36" }),
        "CreateCustomerGateway" => {
            json!({ "type": "ipsec.1", "ipAddress": "203.0.113.12", "bgpAsn": 65534 })
        }
        "DeleteCustomerGateway" => json!({ "customerGatewayId": "cgw-0e11f167" }),
        "CreateInternetGateway" => json!({}),
        _ if name.contains("InternetGateway") => {
            json!({ "internetGatewayId": "igw-c0a643a9", "vpcId": "vpc-1a2b3c4d" })
        }
        "CreateRouteTable" => json!({ "vpcId": "vpc-1a2b3c4d" }),
        "CreateRoute" | "ReplaceRoute" | "DeleteRoute" => json!({
            "routeTableId": "rtb-22574640",
            "destinationCidrBlock": "0.0.0.0/0",
            "gatewayId": "igw-c0a643a9"
        }),
        "ReplaceRouteTableAssociation" => {
            json!({ "associationId": "rtbassoc-781d0d1a", "routeTableId": "rtb-22574640" })
        }
        "DisassociateRouteTable" => json!({ "associationId": "rtbassoc-781d0d1a" }),
        "DeleteRouteTable" => json!({ "routeTableId": "rtb-22574640" }),
        "CreateVpc" => json!({ "cidrBlock": "10.0.0.0/16" }),
        "ModifyVpcAttribute" => {
            json!({ "vpcId": "vpc-1a2b3c4d", "enableDnsHostnames": { "value": true } })
        }
        "CreateVpcPeeringConnection" => {
            json!({ "vpcId": "vpc-1a2b3c4d", "peerVpcId": "vpc-11122233" })
        }
        _ if name.contains("VpcPeeringConnection") => {
            json!({ "vpcPeeringConnectionId": "pcx-111aaa22" })
        }
        "AttachClassicLinkVpc" => json!({
            "instanceId": "i-1234567890abcdef0", "vpcId": "vpc-1a2b3c4d",
            "groupSet": { "items": [{ "groupId": "sg-903004f8" }] }
        }),
        "DetachClassicLinkVpc" => {
            json!({ "instanceId": "i-1234567890abcdef0", "vpcId": "vpc-1a2b3c4d" })
        }
        _ => json!({ "vpcId": "vpc-1a2b3c4d" }),
    }
}

fn ec2_records(names: &[&str], region: &str, account: &str) -> Vec<Value> {
    names
        .iter()
        .map(|name| {
            call("ec2.amazonaws.com", name, region, account)
                .request_parameters(ec2_parameters(name))
                .response_elements(json!({
                    "requestId": super::builder::uuid(&format!("ec2|{name}|{region}")),
                    "_return": true
                }))
                .build()
        })
        .collect()
}

/// 4.10: every security group change CIS lists.
pub fn security_group_changes(region: &str, account: &str) -> Vec<Value> {
    ec2_records(cis::SECURITY_GROUP_EVENTS, region, account)
}

/// 4.11: every network ACL change CIS lists.
pub fn nacl_changes(region: &str, account: &str) -> Vec<Value> {
    ec2_records(cis::NACL_EVENTS, region, account)
}

/// 4.12: every network gateway change CIS lists.
pub fn gateway_changes(region: &str, account: &str) -> Vec<Value> {
    ec2_records(cis::GATEWAY_EVENTS, region, account)
}

/// 4.13: every route table change CIS lists.
pub fn route_table_changes(region: &str, account: &str) -> Vec<Value> {
    ec2_records(cis::ROUTE_TABLE_EVENTS, region, account)
}

/// 4.14: every VPC change CIS lists.
pub fn vpc_changes(region: &str, account: &str) -> Vec<Value> {
    ec2_records(cis::VPC_EVENTS, region, account)
}

/// 4.15: every AWS Organizations change CIS lists.
pub fn organizations_changes(region: &str, account: &str) -> Vec<Value> {
    cis::ORGANIZATIONS_EVENTS
        .iter()
        .map(|name| {
            let parameters = match *name {
                "AcceptHandshake" | "DeclineHandshake" => json!({ "handshakeId": "h-examplehandshakeid111" }),
                "CreateAccount" => json!({ "email": "anika@example.com", "accountName": "Production" }),
                "CreateOrganizationalUnit" => json!({ "parentId": "r-examplerootid111", "name": "Security" }),
                "UpdateOrganizationalUnit" | "DeleteOrganizationalUnit" => {
                    json!({ "organizationalUnitId": "ou-examplerootid111-exampleouid111" })
                }
                "CreatePolicy" => json!({
                    "name": "DenyLeaveOrganization", "type": "SERVICE_CONTROL_POLICY",
                    "description": "example",
                    "content": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#
                }),
                "UpdatePolicy" | "DeletePolicy" => json!({ "policyId": "p-examplepolicyid111" }),
                "AttachPolicy" | "DetachPolicy" => {
                    json!({ "policyId": "p-examplepolicyid111", "targetId": "ou-examplerootid111-exampleouid111" })
                }
                "EnablePolicyType" | "DisablePolicyType" => {
                    json!({ "rootId": "r-examplerootid111", "policyType": "SERVICE_CONTROL_POLICY" })
                }
                "InviteAccountToOrganization" => {
                    json!({ "target": { "id": "444455556666", "type": "ACCOUNT" } })
                }
                "MoveAccount" => json!({
                    "accountId": "444455556666",
                    "sourceParentId": "r-examplerootid111",
                    "destinationParentId": "ou-examplerootid111-exampleouid111"
                }),
                "RemoveAccountFromOrganization" => json!({ "accountId": "444455556666" }),
                _ => Value::Null,
            };
            call("organizations.amazonaws.com", name, region, account)
                .user_identity(identity::assumed_role(account, "OrganizationAdmin", "anika"))
                .request_parameters(parameters)
                .build()
        })
        .collect()
}
