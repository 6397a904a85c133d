//! What AWS attaches to a resource whose code leaves it out, so that code is judged as the
//! deployed resource will be, whatever the format it is written in.

/// The access policy SNS gives a new topic: the owner account's principals (CloudWatch alarms
/// of that account included) may publish. A topic policy in the code replaces it ("Example
/// cases for Amazon SNS access control",
/// <https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html>).
pub fn topic_policy(topic_arn: &str, account: &str) -> String {
    serde_json::json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish"
            ],
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
    .to_string()
}

/// The key policy KMS attaches to a key created without one: the account (its IAM policies)
/// has full access ("Default key policy", AWS KMS Developer Guide,
/// <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html>).
pub fn key_policy(partition: &str, account: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
            "Action": "kms:*",
            "Resource": "*"
        }]
    })
    .to_string()
}
