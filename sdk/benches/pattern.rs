//! Filter-pattern throughput: parse time per pattern and matches per second on a realistic
//! CloudTrail record. A plain `harness = false` binary (no criterion): `cargo bench --bench pattern`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::Value;
use trailwarden_sdk::pattern::Pattern;

const RECORD: &str = r#"{
  "eventVersion": "1.08",
  "userIdentity": {
    "type": "AssumedRole",
    "principalId": "AROAEXAMPLE:alice",
    "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
    "accountId": "111122223333",
    "accessKeyId": "ASIAEXAMPLE",
    "sessionContext": {
      "sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/Admin", "userName": "Admin"},
      "attributes": {"creationDate": "2024-05-01T10:00:00Z", "mfaAuthenticated": "true"}
    }
  },
  "eventTime": "2024-05-01T10:15:00Z",
  "eventSource": "kms.amazonaws.com",
  "eventName": "DisableKey",
  "awsRegion": "us-east-1",
  "sourceIPAddress": "203.0.113.10",
  "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
  "requestParameters": {"keyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
  "responseElements": null,
  "requestID": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
  "eventID": "a1b2c3d4-5678-90ab-cdef-EXAMPLE22222",
  "readOnly": false,
  "resources": [{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}],
  "eventType": "AwsApiCall",
  "managementEvent": true,
  "recipientAccountId": "111122223333",
  "eventCategory": "Management"
}"#;

const PATTERNS: &[(&str, &str)] = &[
    (
        "cis-4.7",
        "{($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion))}",
    ),
    (
        "cis-4.1",
        r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#,
    ),
    (
        "cis-4.3-root",
        r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
    ),
    (
        "wildcards",
        r#"{ $.eventName = "Disable*" && $.requestParameters.keyId = "*1234567890ab" }"#,
    ),
    (
        "numeric+bool",
        "{ $.readOnly IS FALSE && $.resources[0].accountId = 111122223333 }",
    ),
    (
        "regex",
        r"{ $.sourceIPAddress = %^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$% }",
    ),
    ("terms", r#"DisableKey "kms.amazonaws.com" -Decrypt"#),
    ("standalone-regex", "%Disable[A-Za-z]+%"),
];

/// Runs `f` repeatedly for about `budget`, returning (iterations, elapsed).
fn time(budget: Duration, mut f: impl FnMut()) -> (u64, Duration) {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    (n, start.elapsed())
}

fn main() {
    let record: Value = match serde_json::from_str(RECORD) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("bad bench record: {e}");
            return;
        }
    };
    let budget = Duration::from_millis(300);
    println!(
        "{:<18} {:>12} {:>16} {:>8}",
        "pattern", "parse (µs)", "matches/s", "result"
    );
    for (name, text) in PATTERNS {
        let pattern = match Pattern::parse(text) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{name}: {e}");
                continue;
            }
        };
        let (n, t) = time(budget, || {
            let _ = black_box(Pattern::parse(black_box(text)));
        });
        let parse_us = t.as_secs_f64() * 1e6 / n as f64;
        let (n, t) = time(budget, || {
            black_box(pattern.matches(black_box(&record)));
        });
        let per_sec = n as f64 / t.as_secs_f64();
        println!(
            "{name:<18} {parse_us:>12.2} {per_sec:>16.0} {:>8}",
            pattern.matches(&record)
        );
    }
}
