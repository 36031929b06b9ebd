//! The Runtime API on loopback: the HTTP interface a custom runtime polls for
//! events and posts results to, as documented in "Using the Lambda runtime API for
//! custom runtimes" (API version 2018-06-01).
//!
//! - `GET  /2018-06-01/runtime/invocation/next` — held open until there is an event;
//!   answered with the event and the `Lambda-Runtime-*` headers ([`next`]). Polls
//!   queue in arrival order: a runtime of Lambda (default) has one outstanding,
//!   one under Lambda Managed Instances up to `AWS_LAMBDA_MAX_CONCURRENCY`, each
//!   answered with an event of its own.
//! - `POST /2018-06-01/runtime/invocation/{id}/response` — the result; buffered
//!   (6 MB limit: 413 `RequestEntityTooLarge`, the invocation fails with
//!   `Function.ResponseSizeTooLarge`) or streamed
//!   (`Lambda-Runtime-Function-Response-Mode: streaming`, chunked, each chunk
//!   passed on as it arrives, an error may arrive in trailers).
//! - `POST /2018-06-01/runtime/invocation/{id}/error` — a handler error.
//! - `POST /2018-06-01/runtime/init/error` — the runtime could not initialise.
//!
//! A request ID that is not an invocation in flight gets 400 `InvalidRequestID`,
//! as the Lambda service answers it; one whose invocation timed out while the
//! environment lived on (Managed Instances) gets 410 `InvokeTimeout`, as the
//! Managed Instances runtime interface emulator answers it. HTTP itself is
//! hyper's (HTTP/1.1 on a current-thread tokio runtime); this module only routes
//! and enforces the contract. Each execution environment gets its own server, so
//! a killed process's lingering connections cannot touch the next one.

mod next;
mod reply;
mod response;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use reply::{accepted, invalid_request_id, invoke_timeout, not_found, status_only, Reply};

/// Lambda's limit on a buffered response (6 MB, plus the 100 bytes of envelope the
/// service allows: the figure its error message quotes).
pub(crate) const MAX_RESPONSE: usize = 6_291_556;
/// Lambda's limit on a streamed response (20 MB, "Lambda quotas" at the time
/// response streaming was introduced).
pub(crate) const MAX_STREAMED_RESPONSE: usize = 20 * 1024 * 1024;

const PREFIX: &str = "/2018-06-01/runtime/";

/// An event ready to be handed out by `GET …/next`.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub request_id: String,
    /// The function's timeout: the deadline is counted from the moment the
    /// event is handed out, as Lambda counts it.
    pub timeout: std::time::Duration,
    pub function_arn: String,
    pub trace_id: String,
    pub client_context: Option<String>,
    pub cognito_identity: Option<String>,
    pub payload: Bytes,
}

/// What the runtime did, in the order it did it.
#[derive(Debug)]
pub(crate) enum ApiEvent {
    /// A `GET …/next` arrived (the runtime is ready for an event).
    Polled {
        at: Instant,
    },
    /// An event was handed out in answer to a poll.
    HandedOut {
        request_id: String,
        at: Instant,
    },
    /// Bytes of a streamed response, as they arrived.
    Chunk {
        request_id: String,
        data: Bytes,
        at: Instant,
    },
    /// `…/response` was accepted: the whole body (a streamed one's chunks
    /// joined).
    Response {
        request_id: String,
        body: Bytes,
        streamed: bool,
        at: Instant,
    },
    ResponseTooLarge {
        request_id: String,
        at: Instant,
    },
    /// `…/error`, or a streamed response that ended with an error trailer.
    Error {
        request_id: String,
        error_type: Option<String>,
        body: Bytes,
        at: Instant,
    },
    InitError {
        error_type: Option<String>,
        body: Bytes,
        at: Instant,
    },
}

struct Shared {
    events: mpsc::UnboundedSender<ApiEvent>,
    pending: tokio::sync::Mutex<mpsc::UnboundedReceiver<Pending>>,
    /// Request IDs handed out and not answered: results for any other are refused.
    in_flight: Mutex<HashSet<String>>,
    /// Request IDs whose invocation timed out while the environment lives on.
    expired: Mutex<HashSet<String>>,
    /// Request IDs queued and then withdrawn: no poll gets them.
    withdrawn: Mutex<HashSet<String>>,
    /// `GET …/next` requests holding for an event.
    waiting: AtomicUsize,
    /// The most requests outstanding at once (polls holding plus invocations
    /// handed out and not answered), as counted at each poll.
    peak_outstanding: AtomicUsize,
}

/// Whether a result for a request ID is taken.
enum Claim {
    /// It was in flight; now it is answered.
    Taken,
    /// It timed out before this result came.
    Expired,
    Unknown,
}

/// A running server; dropping it stops accepting connections, and polls still
/// holding are told the environment is shutting down.
pub(crate) struct ApiServer {
    pub address: SocketAddr,
    shared: Arc<Shared>,
    pending: mpsc::UnboundedSender<Pending>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl ApiServer {
    /// Queue `event` for the next `GET …/next`; false once the server has
    /// stopped.
    pub(crate) fn hand_out(&self, event: Pending) -> bool {
        self.pending.send(event).is_ok()
    }

    /// The invocation timed out and the environment lives on: a result the
    /// runtime sends for it later is answered 410.
    pub(crate) fn expire(&self, request_id: &str) {
        let was_in_flight = self
            .shared
            .in_flight
            .lock()
            .map(|mut set| set.remove(request_id))
            .unwrap_or(false);
        if was_in_flight {
            if let Ok(mut expired) = self.shared.expired.lock() {
                expired.insert(request_id.to_string());
            }
        }
    }

    /// Take back an event no poll has taken yet: it is never handed out.
    pub(crate) fn withdraw(&self, request_id: &str) {
        if let Ok(mut withdrawn) = self.shared.withdrawn.lock() {
            withdrawn.insert(request_id.to_string());
        }
    }

    /// `GET …/next` requests holding for an event now.
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.shared.waiting.load(Ordering::SeqCst)
    }

    /// The most requests the runtime has had outstanding at once: polls
    /// holding plus invocations handed out and not answered. A runtime that
    /// takes one invocation at a time never has more than one.
    pub(crate) fn peak_outstanding(&self) -> usize {
        self.shared.peak_outstanding.load(Ordering::SeqCst)
    }
}

/// Bind a fresh loopback port and serve. What the runtime does comes out of
/// the returned receiver.
pub(crate) async fn start() -> anyhow::Result<(ApiServer, mpsc::UnboundedReceiver<ApiEvent>)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
        crate::util::error::SlimError::LocalRuntime {
            detail: format!("cannot listen on loopback: {e}"),
        }
    })?;
    let address = listener.local_addr()?;
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let (pending_tx, pending_rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        events: events_tx,
        pending: tokio::sync::Mutex::new(pending_rx),
        in_flight: Mutex::new(HashSet::new()),
        expired: Mutex::new(HashSet::new()),
        withdrawn: Mutex::new(HashSet::new()),
        waiting: AtomicUsize::new(0),
        peak_outstanding: AtomicUsize::new(0),
    });
    let serving = shared.clone();
    let accept = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let shared = serving.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| handle(req, shared.clone()));
                // A connection the function drops mid-request is its business.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    let server = ApiServer {
        address,
        shared,
        pending: pending_tx,
        accept,
    };
    Ok((server, events_rx))
}

async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Reply, Infallible> {
    let path = req.uri().path().to_string();
    let Some(route) = path.strip_prefix(PREFIX) else {
        return Ok(not_found());
    };
    let parts: Vec<&str> = route.split('/').collect();
    let reply = match (req.method(), parts.as_slice()) {
        (&Method::GET, ["invocation", "next"]) => next::next(&shared).await,
        (&Method::POST, ["invocation", id, "response"]) => {
            let id = id.to_string();
            response::response(req, &shared, id).await
        }
        (&Method::POST, ["invocation", id, "error"]) => {
            let id = id.to_string();
            error(req, &shared, id).await
        }
        (&Method::POST, ["init", "error"]) => init_error(req, &shared).await,
        (_, ["invocation", "next"])
        | (_, ["invocation", _, "response" | "error"])
        | (_, ["init", "error"]) => status_only(StatusCode::METHOD_NOT_ALLOWED),
        _ => not_found(),
    };
    Ok(reply)
}

/// Take the request ID out of flight if it is in flight (a result is accepted
/// once).
fn claim(shared: &Shared, id: &str) -> Claim {
    let taken = shared
        .in_flight
        .lock()
        .map(|mut set| set.remove(id))
        .unwrap_or(false);
    if taken {
        return Claim::Taken;
    }
    let expired = shared
        .expired
        .lock()
        .map(|set| set.contains(id))
        .unwrap_or(false);
    if expired {
        Claim::Expired
    } else {
        Claim::Unknown
    }
}

/// The reply to a result whose request ID cannot take one, if it cannot.
fn refused(shared: &Shared, id: &str) -> Option<Reply> {
    match claim(shared, id) {
        Claim::Taken => None,
        Claim::Expired => Some(invoke_timeout()),
        Claim::Unknown => Some(invalid_request_id()),
    }
}

async fn error(req: Request<Incoming>, shared: &Shared, id: String) -> Reply {
    if let Some(reply) = refused(shared, &id) {
        return reply;
    }
    let error_type = req
        .headers()
        .get("Lambda-Runtime-Function-Error-Type")
        .map(header_text);
    let body = read_body(req.into_body()).await;
    let _ = shared.events.send(ApiEvent::Error {
        request_id: id,
        error_type,
        body,
        at: Instant::now(),
    });
    accepted()
}

async fn init_error(req: Request<Incoming>, shared: &Shared) -> Reply {
    let error_type = req
        .headers()
        .get("Lambda-Runtime-Function-Error-Type")
        .map(header_text);
    let body = read_body(req.into_body()).await;
    let _ = shared.events.send(ApiEvent::InitError {
        error_type,
        body,
        at: Instant::now(),
    });
    accepted()
}

/// An error body, at most the response limit (more is cut: it is diagnostics).
async fn read_body(body: Incoming) -> Bytes {
    match http_body_util::Limited::new(body, MAX_RESPONSE)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    }
}

fn header_text(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}
