//! `GET …/invocation/next`: held until an event is queued, then answered with
//! it and its `Lambda-Runtime-*` headers. Each poll is counted while it holds,
//! so the environment can tell a runtime that polls several times at once
//! (Lambda Managed Instances) from one that takes one invocation at a time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use http_body_util::Full;
use hyper::header::CONTENT_TYPE;
use hyper::{Response, StatusCode};

use super::reply::{error_json, status_only, Reply};
use super::{ApiEvent, Shared};

/// One poll holding for an event; uncounted when dropped (answered, or its
/// connection gone).
struct Holding<'a>(&'a AtomicUsize);

impl<'a> Holding<'a> {
    fn new(count: &'a AtomicUsize) -> Holding<'a> {
        count.fetch_add(1, Ordering::SeqCst);
        Holding(count)
    }
}

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub(super) async fn next(shared: &Shared) -> Reply {
    let holding = Holding::new(&shared.waiting);
    // Counted here, where the count is exact: a runtime that answered its
    // invocation (taking it out of flight) before polling again counts one.
    let answering = shared.in_flight.lock().map_or(0, |set| set.len());
    let outstanding = shared.waiting.load(Ordering::SeqCst) + answering;
    shared
        .peak_outstanding
        .fetch_max(outstanding, Ordering::SeqCst);
    let _ = shared.events.send(ApiEvent::Polled { at: Instant::now() });
    // Polls receive in the order they came (tokio's mutex is fair).
    let mut pending = shared.pending.lock().await;
    let event = loop {
        let Some(event) = pending.recv().await else {
            // The environment is shutting down: the service answers 500
            // ("container error, runtime should exit").
            return error_json(
                StatusCode::INTERNAL_SERVER_ERROR,
                "ServiceException",
                "the execution environment is shutting down",
            );
        };
        let withdrawn = shared
            .withdrawn
            .lock()
            .is_ok_and(|mut set| set.remove(&event.request_id));
        if !withdrawn {
            break event;
        }
    };
    drop(pending);
    // No longer holding before it counts as handed out: never counted twice.
    drop(holding);
    if let Ok(mut in_flight) = shared.in_flight.lock() {
        in_flight.insert(event.request_id.clone());
    }
    let mut builder = Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, "application/json")
        .header("Lambda-Runtime-Aws-Request-Id", &event.request_id)
        .header(
            "Lambda-Runtime-Deadline-Ms",
            deadline_ms(event.timeout).to_string(),
        )
        .header("Lambda-Runtime-Invoked-Function-Arn", &event.function_arn)
        .header("Lambda-Runtime-Trace-Id", &event.trace_id);
    if let Some(cc) = &event.client_context {
        builder = builder.header("Lambda-Runtime-Client-Context", cc);
    }
    if let Some(ci) = &event.cognito_identity {
        builder = builder.header("Lambda-Runtime-Cognito-Identity", ci);
    }
    let _ = shared.events.send(ApiEvent::HandedOut {
        request_id: event.request_id.clone(),
        at: Instant::now(),
    });
    builder
        .body(Full::new(event.payload))
        .unwrap_or_else(|_| status_only(StatusCode::INTERNAL_SERVER_ERROR))
}

/// Milliseconds since the epoch at which an invocation handed out now times out.
fn deadline_ms(timeout: std::time::Duration) -> u128 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    now + timeout.as_millis()
}
