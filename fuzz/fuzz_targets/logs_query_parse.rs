//! Fuzz the Logs Insights reading of log alarm queries: parsing arbitrary UTF-8 as a query or
//! an aggregation expression never panics or hangs, and what parses can be evaluated on a
//! CloudTrail record.
//!
//! Run: `cargo +nightly fuzz run logs_query_parse -- -max_total_time=120`
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailwarden_sdk::chain::{AggregationExpression, LogsQuery};
use trailwarden_sdk::events::kms;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let record = kms::disable_key("us-east-1", "111122223333");
    if let Ok(query) = LogsQuery::parse(text) {
        let _ = query.passes(&record);
        let _ = query.row_cap().rows(10);
    }
    if let Ok(aggregation) = AggregationExpression::parse(text) {
        let _ = aggregation.value(&record, 1);
    }
});
