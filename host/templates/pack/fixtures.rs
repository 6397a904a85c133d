//! The snapshots of the fixture cases in `tests/cases`, as code: `cargo test` fails when a
//! `tests/cases/*.json` file differs from what its builder here builds, and
//! `cargo test -- --ignored write_fixtures` rewrites the files from these builders.
//!
//! (`trailwarden rules new` compiles this very file to write the first fixtures, so the files
//! it writes and the builders here agree from the start.)

use trailwarden_sdk::testing::SnapshotBuilder;

/// A filter for every `PutKeyPolicy` call, successful or refused.
pub const KEY_POLICY: &str =
    r#"{ $.eventSource = "kms.amazonaws.com" && $.eventName = "PutKeyPolicy" }"#;

/// The same filter dropping refused calls (`errorCode NOT EXISTS`).
pub const KEY_POLICY_NO_ERRORS: &str = r#"{ $.eventSource = "kms.amazonaws.com" && $.eventName = "PutKeyPolicy" && $.errorCode NOT EXISTS }"#;

/// An account whose trail's log group counts `pattern` and alarms a subscribed topic in
/// us-east-1; eu-west-1 is enabled too (the trail is multi-region).
pub fn monitored(pattern: &str) -> SnapshotBuilder {
    SnapshotBuilder::new()
        .region("us-east-1")
        .trail("management-events", "cloudtrail-logs")
        .monitor(
            "cloudtrail-logs",
            "kms-key-policy",
            pattern,
            "security-alerts",
        )
        .topic("security-alerts")
        .region("eu-west-1")
}

/// Each fixture snapshot: its file name in `tests/cases` and the builder that writes it.
pub fn fixtures() -> Vec<(&'static str, SnapshotBuilder)> {
    vec![
        ("monitored.json", monitored(KEY_POLICY)),
        (
            "refused-calls-dropped.json",
            monitored(KEY_POLICY_NO_ERRORS),
        ),
    ]
}
