//! Realistic `userIdentity` blocks, as "CloudTrail userIdentity element" (CloudTrail User
//! Guide) shows them: `IAMUser`, `AssumedRole` with `sessionContext`, and `Root`.

use serde_json::{Value, json};

/// An IAM user calling with a long-term access key.
pub fn iam_user(account: &str, name: &str) -> Value {
    json!({
        "type": "IAMUser",
        "principalId": "AIDAJ45Q7YFFAREXAMPLE",
        "arn": format!("arn:aws:iam::{account}:user/{name}"),
        "accountId": account,
        "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
        "userName": name
    })
}

/// A role session (`arn:aws:sts::…:assumed-role/role/session`) with its issuer.
pub fn assumed_role(account: &str, role: &str, session: &str) -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": format!("AROAJ45Q7YFFAREXAMPLE:{session}"),
        "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
        "accountId": account,
        "accessKeyId": "ASIAIOSFODNN7EXAMPLE",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAJ45Q7YFFAREXAMPLE",
                "arn": format!("arn:aws:iam::{account}:role/{role}"),
                "accountId": account,
                "userName": role
            },
            "attributes": {
                "creationDate": "2024-05-20T20:30:00Z",
                "mfaAuthenticated": "false"
            }
        }
    })
}

/// The account's root user, without `invokedBy` (a call the root user made).
pub fn root(account: &str) -> Value {
    json!({
        "type": "Root",
        "principalId": account,
        "arn": format!("arn:aws:iam::{account}:root"),
        "accountId": account,
        "accessKeyId": "ASIAIOSFODNN7EXAMPLE"
    })
}
