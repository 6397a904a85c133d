//! The run's clock: "now" for SARIF invocations and for rules about windows and expiry.
//!
//! Formatting lives in the SDK (`trailwarden_sdk::time`), which wasm rules use to read the
//! times back; the host only adds the system clock, which rules do not have.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    trailwarden_sdk::time::format_rfc3339(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_reads_back() {
        let now = now_rfc3339();
        assert!(trailwarden_sdk::time::parse_rfc3339(&now).is_ok(), "{now}");
        assert!(now.as_str() > "2026-01-01", "{now}");
    }
}
