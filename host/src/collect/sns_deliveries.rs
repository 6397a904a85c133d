//! `topicDeliveries`: what SNS counted of each topic's deliveries over the last
//! [`WINDOW_HOURS`] hours, from CloudWatch's `AWS/SNS` metrics `NumberOfNotificationsDelivered`
//! and `NumberOfNotificationsFailed` (dimension `TopicName`, statistic `Sum`).
//!
//! This is how a confirmed subscription that reaches nobody shows: a deleted SQS queue or
//! Lambda function, or an HTTPS endpoint that refuses. Whether the queue or function exists is
//! not asked (that would need the SQS and Lambda APIs); SNS's own counts are. See
//! [`TopicDeliveries`] for what AWS documents the metrics to count. SNS publishes no datapoint
//! for a topic with nothing to deliver, which reads as zero.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Statistic};
use futures_util::future::join_all;
use trailwarden_sdk::snapshot::{CollectionError, Section, TopicDeliveries};

use super::calls::{Caller, Op};

/// `cloudwatch:GetMetricStatistics`.
pub const GET_METRIC_STATISTICS: Op = Op::new("cloudwatch", "GetMetricStatistics");

/// The window the counts cover, ending at the collection.
pub const WINDOW_HOURS: u32 = 24;

/// The metric of delivered notifications.
pub const DELIVERED: &str = "NumberOfNotificationsDelivered";
/// The metric of failed notifications.
pub const FAILED: &str = "NumberOfNotificationsFailed";

/// The counts of every topic in `arns`. A refused call is recorded in the section's errors and
/// leaves that topic out, so the chain assumes its delivery rather than judging it on half the
/// counts.
pub async fn collect(
    caller: &Caller,
    client: &aws_sdk_cloudwatch::Client,
    region: &str,
    arns: &[String],
) -> Section<TopicDeliveries> {
    let end = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let end = i64::try_from(end).unwrap_or(i64::MAX);
    let start = end.saturating_sub(i64::from(WINDOW_HOURS) * 3600);
    let reads = join_all(arns.iter().map(|arn| async move {
        let name = topic_name(arn);
        let (delivered, failed) = tokio::join!(
            sum(caller, client, region, name, DELIVERED, (start, end)),
            sum(caller, client, region, name, FAILED, (start, end)),
        );
        Ok::<_, CollectionError>(TopicDeliveries {
            topic_arn: arn.clone(),
            window_hours: WINDOW_HOURS,
            delivered: delivered?,
            failed: failed?,
        })
    }))
    .await;
    let mut section = Section::of(Vec::new());
    for read in reads {
        match read {
            Ok(item) => section.items.push(item),
            Err(error) => section.errors.push(error),
        }
    }
    section
}

/// The topic's name, the `TopicName` dimension: the last field of its ARN.
fn topic_name(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// The sum of `metric` for the topic over `(start, end)`, in hourly datapoints (24 of them, well
/// under the 1,440 a call may return).
async fn sum(
    caller: &Caller,
    client: &aws_sdk_cloudwatch::Client,
    region: &str,
    topic: &str,
    metric: &str,
    (start, end): (i64, i64),
) -> Result<u64, CollectionError> {
    let output = caller
        .call(GET_METRIC_STATISTICS, Some(region), || {
            client
                .get_metric_statistics()
                .namespace("AWS/SNS")
                .metric_name(metric)
                .dimensions(Dimension::builder().name("TopicName").value(topic).build())
                .start_time(DateTime::from_secs(start))
                .end_time(DateTime::from_secs(end))
                .period(3600)
                .statistics(Statistic::Sum)
                .send()
        })
        .await?;
    Ok(total(
        output.datapoints().iter().filter_map(|point| point.sum()),
    ))
}

/// The datapoints' sums as a count: negative, fractional or non-finite values (which a count
/// never has) are clamped, so a hostile or odd answer cannot wrap around.
fn total(sums: impl Iterator<Item = f64>) -> u64 {
    let total: f64 = sums.filter(|v| v.is_finite() && *v > 0.0).sum();
    if total >= u64::MAX as f64 {
        u64::MAX
    } else {
        total.round() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dimension_is_the_last_field_of_the_arn() {
        assert_eq!(
            topic_name("arn:aws:sns:us-east-1:111122223333:security-alerts"),
            "security-alerts"
        );
    }

    #[test]
    fn sums_are_counts_and_odd_values_do_not_wrap() {
        assert_eq!(total([2.0, 3.0].into_iter()), 5);
        assert_eq!(total([-4.0, f64::NAN, 1.0].into_iter()), 1);
        assert_eq!(total([f64::MAX, f64::MAX].into_iter()), u64::MAX);
        assert_eq!(total(std::iter::empty()), 0);
    }
}
