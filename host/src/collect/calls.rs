//! Every AWS call goes through [`Caller`]: a bound on calls in flight, counting, progress, and
//! the translation of a failure into a [`CollectionError`] for the snapshot.
//!
//! A failed call is data, not an exception: the section it was filling records it and the
//! collection goes on, so a rule can say "could not verify" instead of passing or failing on
//! missing data. Retries (adaptive, for throttling) and timeouts are the SDK's, configured in
//! [`super::aws`]; a call that fails here has exhausted them.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use tokio::sync::Semaphore;
use trailwarden_sdk::snapshot::CollectionError;

use super::progress::Progress;

/// One AWS API operation, named as IAM names its permission (`service:Operation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Op {
    /// The IAM service prefix (`cloudtrail`, `logs`, `cloudwatch`, …), which is also what the
    /// snapshot records as the failed call's service.
    pub service: &'static str,
    /// The API operation (`DescribeTrails`).
    pub operation: &'static str,
}

impl Op {
    /// An operation of a service.
    pub const fn new(service: &'static str, operation: &'static str) -> Self {
        Self { service, operation }
    }

    /// The IAM action that allows this call, e.g. `cloudtrail:DescribeTrails`.
    pub fn permission(&self) -> String {
        format!("{}:{}", self.service, self.operation)
    }
}

/// Counters shared by every task of one collection, for the run summary.
#[derive(Debug, Default)]
pub struct Stats {
    calls: AtomicU64,
    failed: AtomicU64,
}

impl Stats {
    /// API operations started (an SDK retry of the same operation is not counted again).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// API operations that failed after the SDK's retries.
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

/// The gate every AWS call passes: a semaphore bounding calls in flight across all regions,
/// the counters and the progress display. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Caller {
    in_flight: Arc<Semaphore>,
    stats: Arc<Stats>,
    progress: Progress,
}

impl Caller {
    /// A caller allowing `max_in_flight` concurrent calls (at least one).
    pub fn new(max_in_flight: usize, progress: Progress) -> Self {
        Self {
            in_flight: Arc::new(Semaphore::new(max_in_flight.max(1))),
            stats: Arc::new(Stats::default()),
            progress,
        }
    }

    /// The shared counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The progress display.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Runs one call (`send` builds and sends the request) once a slot is free, and turns its
    /// failure into the [`CollectionError`] the snapshot records.
    pub async fn call<T, E, R, F, Fut>(
        &self,
        op: Op,
        region: Option<&str>,
        send: F,
    ) -> Result<T, CollectionError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: HttpStatus + std::fmt::Debug,
    {
        // The semaphore is never closed, so acquiring cannot fail; if it ever did, the call
        // would simply run without a slot.
        let _permit = self.in_flight.acquire().await.ok();
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        let result = send().await;
        self.progress.call_done();
        result.map_err(|error| {
            self.stats.failed.fetch_add(1, Ordering::Relaxed);
            let recorded = collection_error(op, region, &error);
            tracing::debug!(
                "{}:{} failed{}: {}",
                op.service,
                op.operation,
                region.map(|r| format!(" in {r}")).unwrap_or_default(),
                DisplayErrorContext(&error)
            );
            recorded
        })
    }

    /// Walks a paginated list to its end: sends `request` with the token of the page before
    /// (`None` for the first page), and hands each page to `on_page`, which keeps its items
    /// and returns the token the page names for the next one (`None` ends the walk early).
    /// Returns the failure that ended the walk, if a call failed; earlier pages stay kept.
    pub async fn walk<P, E, R, F, Fut>(
        &self,
        op: Op,
        region: Option<&str>,
        mut request: F,
        mut on_page: impl FnMut(P) -> Option<String>,
    ) -> Option<CollectionError>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<P, SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: HttpStatus + std::fmt::Debug,
    {
        let mut token: Option<String> = None;
        loop {
            let sent = token.take();
            let page = match self.call(op, region, || request(sent.clone())).await {
                Ok(page) => page,
                Err(error) => return Some(error),
            };
            match next_token(sent.as_deref(), on_page(page)) {
                Some(next) => token = Some(next),
                None => return None,
            }
        }
    }

    /// [`Caller::walk`] for lists that can be long enough to matter (CloudTrail events):
    /// `items_of` returns a page's items and its next token, and the walk stops once `limit`
    /// items are kept with pages left, returning them with a [`TRUNCATED`] error so that the
    /// section reads as incomplete rather than as the whole window.
    pub async fn walk_at_most<T, P, E, R, F, Fut>(
        &self,
        op: Op,
        region: &str,
        limit: usize,
        request: F,
        mut items_of: impl FnMut(P) -> (Vec<T>, Option<String>),
    ) -> (Vec<T>, Option<CollectionError>)
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<P, SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: HttpStatus + std::fmt::Debug,
    {
        let mut kept = Vec::new();
        let mut cut = false;
        let error = self
            .walk(op, Some(region), request, |page| {
                let (items, next) = items_of(page);
                kept.extend(items);
                let next = next.filter(|token| !token.is_empty());
                cut = next.is_some() && kept.len() >= limit;
                next.filter(|_| !cut)
            })
            .await;
        if cut {
            kept.truncate(limit);
            return (kept, Some(truncated(op, region, limit)));
        }
        (kept, error)
    }
}

/// The HTTP status of a raw response, when the SDK kept one; lets an error without an AWS error
/// code (an emulator's HTML 500 page, say) still be named.
pub trait HttpStatus {
    /// The status code.
    fn status_code(&self) -> u16;
    /// The AWS request id, for a support case.
    fn request_id(&self) -> Option<&str>;
}

impl HttpStatus for aws_sdk_sts::config::http::HttpResponse {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }

    fn request_id(&self) -> Option<&str> {
        let headers = self.headers();
        headers
            .get("x-amzn-requestid")
            .or_else(|| headers.get("x-amz-request-id"))
    }
}

/// Longest error message kept in the snapshot; AWS messages are a sentence, but an emulator's
/// or a proxy's can be a whole HTML page.
const MAX_MESSAGE: usize = 300;

/// The snapshot's record of a failed call: service, operation, region, the AWS error code (or
/// `Timeout`, `ConnectionError`, `HTTP 503`, …) and the message.
pub fn collection_error<E, R>(
    op: Op,
    region: Option<&str>,
    error: &SdkError<E, R>,
) -> CollectionError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: HttpStatus + std::fmt::Debug,
{
    let (code, message) = match error {
        SdkError::TimeoutError(_) => (
            "Timeout".to_owned(),
            "no response within the call timeout (--call-timeout)".to_owned(),
        ),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            ("Timeout".to_owned(), DisplayErrorContext(error).to_string())
        }
        SdkError::DispatchFailure(failure) if failure.is_io() => (
            "ConnectionError".to_owned(),
            DisplayErrorContext(error).to_string(),
        ),
        SdkError::DispatchFailure(_) => (
            "DispatchFailure".to_owned(),
            DisplayErrorContext(error).to_string(),
        ),
        SdkError::ConstructionFailure(_) => (
            "RequestConstructionFailure".to_owned(),
            DisplayErrorContext(error).to_string(),
        ),
        _ => {
            let code = error.code().map(str::to_owned).unwrap_or_else(|| {
                error
                    .raw_response()
                    .map(|raw| format!("HTTP {}", raw.status_code()))
                    .unwrap_or_else(|| "UnknownError".to_owned())
            });
            let message = error
                .message()
                .map(str::to_owned)
                .unwrap_or_else(|| DisplayErrorContext(error).to_string());
            let request_id = error.raw_response().and_then(HttpStatus::request_id);
            let message = match request_id {
                Some(id) if !message.is_empty() => format!("{message} (request id {id})"),
                _ => message,
            };
            (code, message)
        }
    };
    CollectionError {
        service: op.service.to_owned(),
        operation: op.operation.to_owned(),
        region: region.map(str::to_owned),
        code,
        message: shorten(&message),
    }
}

fn shorten(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX_MESSAGE {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(MAX_MESSAGE).collect();
    cut.push('…');
    cut
}

/// The record of a list walk that stopped at `--max-events` with more pages left: the section
/// is incomplete, and the rules say so instead of reporting on part of the window as if it
/// were all of it.
fn truncated(op: Op, region: &str, max: usize) -> CollectionError {
    CollectionError {
        service: op.service.to_owned(),
        operation: op.operation.to_owned(),
        region: Some(region.to_owned()),
        code: TRUNCATED.to_owned(),
        message: format!(
            "stopped after {max} events with more to read; narrow the window with --since or \
             raise --max-events"
        ),
    }
}

/// The error code of a walk stopped by `--max-events`.
pub const TRUNCATED: &str = "Truncated";

/// The token for the next page, or `None` when the list is done.
///
/// A token that repeats the one just sent ends the list too: some emulators echo the request's
/// token back, and following it would loop for ever.
pub fn next_token(sent: Option<&str>, received: Option<String>) -> Option<String> {
    received.filter(|token| !token.is_empty() && Some(token.as_str()) != sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_stops_on_an_empty_or_echoed_token() {
        assert_eq!(next_token(None, Some("a".into())), Some("a".into()));
        assert_eq!(next_token(Some("a"), Some("b".into())), Some("b".into()));
        assert_eq!(next_token(Some("a"), Some("a".into())), None);
        assert_eq!(next_token(None, Some(String::new())), None);
        assert_eq!(next_token(Some("a"), None), None);
    }

    #[test]
    fn long_messages_are_cut_to_one_line() {
        let text = format!("<html>\n{}</html>", "x".repeat(1000));
        let short = shorten(&text);
        assert!(!short.contains('\n'));
        assert_eq!(short.chars().count(), MAX_MESSAGE + 1);
    }
}
