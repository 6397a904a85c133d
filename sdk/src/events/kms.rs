//! KMS records for the rules' target events.
//!
//! Shapes follow the KMS developer guide, "Examples of AWS KMS log entries"
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/understanding-kms-entries.html>):
//! `requestParameters` carry `keyId` (and `encryptionAlgorithm`, `keySpec`, … per operation),
//! `resources` lists the key as `AWS::KMS::Key`, and the cryptographic operations (`Decrypt`,
//! `Encrypt`, `GenerateDataKey*`, `ReEncrypt`) are `readOnly: true` while `DisableKey` and
//! `ScheduleKeyDeletion` are `readOnly: false`.
//!
//! Error codes: KMS speaks the AWS JSON protocol, whose error codes are the exception names, so
//! a wrong key is `IncorrectKeyException` (as in the guide's "Decrypt failure" example) and a
//! refused call `AccessDeniedException`. S3, IAM and STS instead write `AccessDenied`, and EC2
//! `Client.UnauthorizedOperation` (see [`super::cis`]); CIS 4.1's `AccessDenied*` covers both.

use serde_json::{Value, json};

use super::builder::RecordBuilder;

/// The key id used in the records (the KMS documentation example key).
pub const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
/// A second key, the destination of `ReEncrypt`.
pub const OTHER_KEY_ID: &str = "0987dcba-09fe-87dc-65ba-ab0987654321";
/// The KMS event source.
pub const EVENT_SOURCE: &str = "kms.amazonaws.com";

/// The ARN of [`KEY_ID`] in `region` and `account`.
pub fn key_arn(region: &str, account: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:key/{KEY_ID}")
}

fn key_resource(arn: &str, account: &str) -> Value {
    json!([{ "accountId": account, "type": "AWS::KMS::Key", "ARN": arn }])
}

/// A KMS record of `event_name` on the example key, with the common fields set.
pub fn builder(event_name: &str, region: &str, account: &str, read_only: bool) -> RecordBuilder {
    let arn = key_arn(region, account);
    RecordBuilder::new(EVENT_SOURCE, event_name)
        .region(region)
        .account(account)
        .read_only(read_only)
        .resources(key_resource(&arn, account))
        .request_parameters(json!({ "keyId": arn }))
}

fn context() -> Value {
    json!({ "project": "workshop" })
}

/// `DisableKey` (CIS 4.7).
pub fn disable_key(region: &str, account: &str) -> Value {
    builder("DisableKey", region, account, false).build()
}

/// `ScheduleKeyDeletion` with the default 30-day window (CIS 4.7).
pub fn schedule_key_deletion(region: &str, account: &str) -> Value {
    let arn = key_arn(region, account);
    builder("ScheduleKeyDeletion", region, account, false)
        .request_parameters(json!({ "keyId": arn, "pendingWindowInDays": 30 }))
        .response_elements(json!({
            "keyId": arn,
            "deletionDate": "Jun 19, 2024, 12:00:00 AM",
            "keyState": "PendingDeletion",
            "pendingWindowInDays": 30
        }))
        .build()
}

fn decrypt_builder(region: &str, account: &str) -> RecordBuilder {
    builder("Decrypt", region, account, true).request_parameters(json!({
        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "keyId": key_arn(region, account),
        "encryptionContext": context()
    }))
}

/// A successful `Decrypt` (read-only).
pub fn decrypt(region: &str, account: &str) -> Value {
    decrypt_builder(region, account).build()
}

/// A `Decrypt` that named the wrong key: `IncorrectKeyException` (read-only, failed).
pub fn decrypt_incorrect_key(region: &str, account: &str) -> Value {
    decrypt_builder(region, account)
        .error(
            "IncorrectKeyException",
            "The key ID in the request does not identify a CMK that can perform this operation.",
        )
        .build()
}

fn encrypt_builder(region: &str, account: &str) -> RecordBuilder {
    builder("Encrypt", region, account, true).request_parameters(json!({
        "keyId": key_arn(region, account),
        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "encryptionContext": context()
    }))
}

/// A successful `Encrypt` (read-only).
pub fn encrypt(region: &str, account: &str) -> Value {
    encrypt_builder(region, account).build()
}

fn denied(action: &str, region: &str, account: &str) -> String {
    format!(
        "User: arn:aws:iam::{account}:user/Alice is not authorized to perform: kms:{action} on \
         resource: {} because no identity-based policy allows the kms:{action} action",
        key_arn(region, account)
    )
}

/// An `Encrypt` refused with `AccessDeniedException`.
pub fn encrypt_access_denied(region: &str, account: &str) -> Value {
    encrypt_builder(region, account)
        .error("AccessDeniedException", &denied("Encrypt", region, account))
        .build()
}

fn data_key_builder(event_name: &str, region: &str, account: &str) -> RecordBuilder {
    builder(event_name, region, account, true).request_parameters(json!({
        "keyId": key_arn(region, account),
        "keySpec": "AES_256",
        "encryptionContext": context()
    }))
}

/// `GenerateDataKey` with `AES_256` and an encryption context, as in seed 002 (read-only).
pub fn generate_data_key(region: &str, account: &str) -> Value {
    data_key_builder("GenerateDataKey", region, account).build()
}

/// A `GenerateDataKey` refused with `AccessDeniedException`.
pub fn generate_data_key_access_denied(region: &str, account: &str) -> Value {
    data_key_builder("GenerateDataKey", region, account)
        .error(
            "AccessDeniedException",
            &denied("GenerateDataKey", region, account),
        )
        .build()
}

/// `GenerateDataKeyWithoutPlaintext` (read-only).
pub fn generate_data_key_without_plaintext(region: &str, account: &str) -> Value {
    data_key_builder("GenerateDataKeyWithoutPlaintext", region, account).build()
}

/// `GenerateDataKeyPair` with an `RSA_2048` pair (read-only).
pub fn generate_data_key_pair(region: &str, account: &str) -> Value {
    builder("GenerateDataKeyPair", region, account, true)
        .request_parameters(json!({
            "keyId": key_arn(region, account),
            "keyPairSpec": "RSA_2048",
            "encryptionContext": context()
        }))
        .build()
}

/// `ReEncrypt` from the example key to a second key (read-only; `eventName` is `ReEncrypt`).
pub fn re_encrypt(region: &str, account: &str) -> Value {
    let source = key_arn(region, account);
    let destination = format!("arn:aws:kms:{region}:{account}:key/{OTHER_KEY_ID}");
    builder("ReEncrypt", region, account, true)
        .request_parameters(json!({
            "sourceKeyId": source,
            "destinationKeyId": destination,
            "sourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "destinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT"
        }))
        .resources(json!([
            { "accountId": account, "type": "AWS::KMS::Key", "ARN": source },
            { "accountId": account, "type": "AWS::KMS::Key", "ARN": destination }
        ]))
        .build()
}

/// Every KMS record above, for tests and "what does the trail capture" reports.
pub fn all(region: &str, account: &str) -> Vec<Value> {
    vec![
        disable_key(region, account),
        schedule_key_deletion(region, account),
        decrypt(region, account),
        decrypt_incorrect_key(region, account),
        encrypt(region, account),
        encrypt_access_denied(region, account),
        generate_data_key(region, account),
        generate_data_key_access_denied(region, account),
        generate_data_key_without_plaintext(region, account),
        generate_data_key_pair(region, account),
        re_encrypt(region, account),
    ]
}

/// A refused attempt at `event_name` (`DisableKey`, `ScheduleKeyDeletion`): CloudTrail logs
/// attempts with `errorCode` `AccessDeniedException`, and an attacker's failed try is as
/// important to see as a successful one.
pub fn access_denied(event_name: &str, region: &str, account: &str) -> Value {
    builder(event_name, region, account, false)
        .error(
            "AccessDeniedException",
            &denied(event_name, region, account),
        )
        .build()
}

/// The operations [`successful`] has a record for: the key-state changes and the cryptographic
/// operations, as CloudTrail names them.
pub const OPERATIONS: &[&str] = &[
    "DisableKey",
    "ScheduleKeyDeletion",
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "ReEncrypt",
];

/// The successful record of a KMS operation by its CloudTrail `eventName`; `None` for an
/// operation not in [`OPERATIONS`], so that a rule can reject a misspelt setting.
pub fn successful(event_name: &str, region: &str, account: &str) -> Option<Value> {
    let record = match event_name {
        "DisableKey" => disable_key(region, account),
        "ScheduleKeyDeletion" => schedule_key_deletion(region, account),
        "Decrypt" => decrypt(region, account),
        "Encrypt" => encrypt(region, account),
        "GenerateDataKey" => generate_data_key(region, account),
        "GenerateDataKeyWithoutPlaintext" => generate_data_key_without_plaintext(region, account),
        "GenerateDataKeyPair" => generate_data_key_pair(region, account),
        "ReEncrypt" => re_encrypt(region, account),
        _ => return None,
    };
    Some(record)
}
