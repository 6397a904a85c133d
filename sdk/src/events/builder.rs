//! [`RecordBuilder`]: one realistic CloudTrail record, field by field.
//!
//! Field set and shapes follow "CloudTrail record contents for management, data, and network
//! activity events" (CloudTrail User Guide) and the example records of the KMS developer guide
//! ("Examples of AWS KMS log entries"): `eventVersion`, `userIdentity`, `eventTime`,
//! `eventSource`, `eventName`, `awsRegion`, `sourceIPAddress`, `userAgent`,
//! `requestParameters`, `responseElements`, `requestID`, `eventID`, `readOnly`, `eventType`,
//! `managementEvent`, `recipientAccountId`, `eventCategory`, with `errorCode`/`errorMessage`
//! when the call failed (a failed call has `responseElements` `null`).

use serde_json::{Map, Value, json};

use super::identity;

/// The account used when none is given: the AWS documentation example account.
pub const DEFAULT_ACCOUNT: &str = "111122223333";
/// The region used when none is given.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The event time used when none is given; records are data, so time is a fixed string.
pub const DEFAULT_TIME: &str = "2024-05-20T20:45:00Z";
/// Source address used when none is given (TEST-NET-2, reserved for documentation).
pub const DEFAULT_SOURCE_IP: &str = "198.51.100.23";
/// User agent used when none is given.
pub const DEFAULT_USER_AGENT: &str =
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.167.amzn2023.x86_64 exe/x86_64.amzn.2023";

/// Builds a CloudTrail record with every field a real one has.
///
/// Defaults: a successful, write (`readOnly` false) `AwsApiCall` management event by IAM user
/// `Alice` of [`DEFAULT_ACCOUNT`] in [`DEFAULT_REGION`] at [`DEFAULT_TIME`]. `eventID` and
/// `requestID` are derived from the other fields, so equal builders give equal records and
/// different calls get different ids.
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    event_source: String,
    event_name: String,
    read_only: bool,
    error_code: Option<String>,
    error_message: Option<String>,
    region: String,
    account: String,
    user_identity: Option<Value>,
    request_parameters: Value,
    response_elements: Value,
    additional_event_data: Option<Value>,
    resources: Option<Value>,
    event_type: String,
    event_time: String,
    source_ip: String,
    user_agent: String,
    request_id: bool,
    event_version: String,
    management: bool,
}

impl RecordBuilder {
    /// A record of `event_name` from `event_source` (`kms.amazonaws.com`).
    pub fn new(event_source: &str, event_name: &str) -> Self {
        Self {
            event_source: event_source.to_owned(),
            event_name: event_name.to_owned(),
            read_only: false,
            error_code: None,
            error_message: None,
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            user_identity: None,
            request_parameters: Value::Null,
            response_elements: Value::Null,
            additional_event_data: None,
            resources: None,
            event_type: "AwsApiCall".to_owned(),
            event_time: DEFAULT_TIME.to_owned(),
            source_ip: DEFAULT_SOURCE_IP.to_owned(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            request_id: true,
            event_version: "1.08".to_owned(),
            management: true,
        }
    }

    /// Sets `readOnly`.
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// Marks the call failed with `errorCode` and `errorMessage`.
    pub fn error(mut self, code: &str, message: &str) -> Self {
        self.error_code = Some(code.to_owned());
        self.error_message = Some(message.to_owned());
        self
    }

    /// Sets only `errorMessage`, as failed console sign-ins do.
    pub fn error_message(mut self, message: &str) -> Self {
        self.error_message = Some(message.to_owned());
        self
    }

    /// Sets `awsRegion`. Global services (IAM, STS, CloudFront, Sign-In) log `us-east-1`.
    pub fn region(mut self, region: &str) -> Self {
        self.region = region.to_owned();
        self
    }

    /// Sets `recipientAccountId` and the account of the default identity.
    pub fn account(mut self, account: &str) -> Self {
        self.account = account.to_owned();
        self
    }

    /// Sets `userIdentity` (see [`super::identity`] for realistic ones).
    pub fn user_identity(mut self, identity: Value) -> Self {
        self.user_identity = Some(identity);
        self
    }

    /// Sets `requestParameters`.
    pub fn request_parameters(mut self, parameters: Value) -> Self {
        self.request_parameters = parameters;
        self
    }

    /// Sets `responseElements` (ignored when the call failed).
    pub fn response_elements(mut self, elements: Value) -> Self {
        self.response_elements = elements;
        self
    }

    /// Sets `additionalEventData`.
    pub fn additional_event_data(mut self, data: Value) -> Self {
        self.additional_event_data = Some(data);
        self
    }

    /// Sets `resources` (KMS records list the key as `AWS::KMS::Key`).
    pub fn resources(mut self, resources: Value) -> Self {
        self.resources = Some(resources);
        self
    }

    /// Sets `eventType` (`AwsApiCall`, `AwsConsoleSignIn`, `AwsServiceEvent`, …).
    pub fn event_type(mut self, event_type: &str) -> Self {
        self.event_type = event_type.to_owned();
        self
    }

    /// Sets `eventTime` (RFC 3339, `Z`).
    pub fn event_time(mut self, time: &str) -> Self {
        self.event_time = time.to_owned();
        self
    }

    /// Sets `sourceIPAddress`.
    pub fn source_ip(mut self, address: &str) -> Self {
        self.source_ip = address.to_owned();
        self
    }

    /// Sets `userAgent`.
    pub fn user_agent(mut self, agent: &str) -> Self {
        self.user_agent = agent.to_owned();
        self
    }

    /// Leaves out `requestID`, as console sign-in records do.
    pub fn without_request_id(mut self) -> Self {
        self.request_id = false;
        self
    }

    /// Makes this a data event (`managementEvent` false, `eventCategory` `Data`).
    pub fn data_event(mut self) -> Self {
        self.management = false;
        self
    }

    /// The record.
    pub fn build(self) -> Value {
        let seed = format!(
            "{}|{}|{}|{}|{}|{}|{:?}|{}|{}",
            self.event_source,
            self.event_name,
            self.region,
            self.account,
            self.event_time,
            self.read_only,
            self.error_code.as_deref().or(self.error_message.as_deref()),
            self.user_identity
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_default(),
            self.request_parameters,
        );
        let mut record = Map::new();
        let mut put = |key: &str, value: Value| {
            record.insert(key.to_owned(), value);
        };
        put("eventVersion", json!(self.event_version));
        put(
            "userIdentity",
            self.user_identity
                .unwrap_or_else(|| identity::iam_user(&self.account, "Alice")),
        );
        put("eventTime", json!(self.event_time));
        put("eventSource", json!(self.event_source));
        put("eventName", json!(self.event_name));
        put("awsRegion", json!(self.region));
        put("sourceIPAddress", json!(self.source_ip));
        put("userAgent", json!(self.user_agent));
        if let Some(code) = &self.error_code {
            put("errorCode", json!(code));
        }
        if let Some(message) = &self.error_message {
            put("errorMessage", json!(message));
        }
        put("requestParameters", self.request_parameters);
        let failed = self.error_code.is_some() && self.event_type == "AwsApiCall";
        put(
            "responseElements",
            if failed {
                Value::Null
            } else {
                self.response_elements
            },
        );
        if let Some(data) = self.additional_event_data {
            put("additionalEventData", data);
        }
        if self.request_id {
            put("requestID", json!(uuid(&format!("request|{seed}"))));
        }
        put("eventID", json!(uuid(&format!("event|{seed}"))));
        put("readOnly", json!(self.read_only));
        if let Some(resources) = self.resources {
            put("resources", resources);
        }
        put("eventType", json!(self.event_type));
        put("managementEvent", json!(self.management));
        put("recipientAccountId", json!(self.account));
        put(
            "eventCategory",
            json!(if self.management {
                "Management"
            } else {
                "Data"
            }),
        );
        Value::Object(record)
    }
}

/// A UUID-shaped id derived from `seed` (FNV-1a), so records are reproducible without a
/// random source (the SDK also runs inside wasm rules, which have none).
pub fn uuid(seed: &str) -> String {
    let hash = |salt: u64| {
        seed.bytes().fold(0xcbf2_9ce4_8422_2325 ^ salt, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let (a, b) = (hash(0), hash(0x9e37_79b9_7f4a_7c15));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}
