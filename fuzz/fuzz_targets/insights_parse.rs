//! Fuzz the Metrics Insights reading of alarm queries: parsing arbitrary UTF-8 never panics or
//! hangs, and a query that parses can be asked whether it selects a metric.
//!
//! Run: `cargo +nightly fuzz run insights_parse -- -max_total_time=120`
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use trailwarden_sdk::chain::{EmittedMetric, InsightsQuery};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(query) = InsightsQuery::parse(text) else {
        return;
    };
    let metric = EmittedMetric {
        namespace: query.namespace.clone(),
        name: query.metric_name.clone(),
        dimensions: BTreeMap::from([("KeyId".to_owned(), "k1".to_owned())]),
        value: 1.0,
        default_value: None,
    };
    let _ = query.select(&metric);
});
