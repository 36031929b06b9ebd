//! The Runtime API on loopback: the HTTP interface a custom runtime polls for
//! events and posts results to, as documented in "Using the Lambda runtime API for
//! custom runtimes" (API version 2018-06-01).
//!
//! - `GET  /2018-06-01/runtime/invocation/next` — held open until there is an event;
//!   answered with the event and the `Lambda-Runtime-*` headers.
//! - `POST /2018-06-01/runtime/invocation/{id}/response` — the result; buffered
//!   (6 MB limit: 413 `RequestEntityTooLarge`, the invocation fails with
//!   `Function.ResponseSizeTooLarge`) or streamed
//!   (`Lambda-Runtime-Function-Response-Mode: streaming`, chunked, an error may
//!   arrive in trailers).
//! - `POST /2018-06-01/runtime/invocation/{id}/error` — a handler error.
//! - `POST /2018-06-01/runtime/init/error` — the runtime could not initialise.
//!
//! A request ID that is not the invocation in flight gets 400 `InvalidRequestID`,
//! as the Lambda service answers it. HTTP itself is hyper's (HTTP/1.1 on a
//! current-thread tokio runtime); this module only routes and enforces the contract.
//! Each execution environment gets its own server, so a killed process's lingering
//! connections cannot touch the next one.

mod reply;
mod response;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use reply::{accepted, error_json, invalid_request_id, not_found, status_only, Reply};
use response::response;

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
    pub deadline_ms: u128,
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
    Response {
        request_id: String,
        body: Bytes,
        streamed: Option<StreamInfo>,
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

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct StreamInfo {
    /// Data frames received.
    pub chunks: usize,
    /// From the first byte to the end of the stream, ms.
    pub stream_ms: f64,
}

struct Shared {
    events: mpsc::UnboundedSender<ApiEvent>,
    pending: tokio::sync::Mutex<mpsc::UnboundedReceiver<Pending>>,
    /// The request ID in flight: results for any other are refused.
    current: Mutex<Option<String>>,
}

/// A running server; dropping it stops accepting connections.
pub(crate) struct ApiServer {
    pub address: SocketAddr,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Bind a fresh loopback port and serve. Events to hand out go into the returned
/// sender; what the runtime does comes out of the returned receiver.
pub(crate) async fn start() -> anyhow::Result<(
    ApiServer,
    mpsc::UnboundedSender<Pending>,
    mpsc::UnboundedReceiver<ApiEvent>,
)> {
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
        current: Mutex::new(None),
    });
    let accept = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let shared = shared.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| handle(req, shared.clone()));
                // A connection the function drops mid-request is its business.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((ApiServer { address, accept }, pending_tx, events_rx))
}

async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Reply, Infallible> {
    let path = req.uri().path().to_string();
    let Some(route) = path.strip_prefix(PREFIX) else {
        return Ok(not_found());
    };
    let parts: Vec<&str> = route.split('/').collect();
    let reply = match (req.method(), parts.as_slice()) {
        (&Method::GET, ["invocation", "next"]) => next(&shared).await,
        (&Method::POST, ["invocation", id, "response"]) => {
            let id = id.to_string();
            response(req, &shared, id).await
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

async fn next(shared: &Shared) -> Reply {
    let _ = shared.events.send(ApiEvent::Polled { at: Instant::now() });
    // One poll at a time receives; a second concurrent poll waits its turn, as the
    // service serves one invocation per environment.
    let mut pending = shared.pending.lock().await;
    let Some(event) = pending.recv().await else {
        // The environment is shutting down: the service answers 500 ("container
        // error, runtime should exit").
        return error_json(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ServiceException",
            "the execution environment is shutting down",
        );
    };
    drop(pending);
    if let Ok(mut current) = shared.current.lock() {
        *current = Some(event.request_id.clone());
    }
    let mut builder = Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, "application/json")
        .header("Lambda-Runtime-Aws-Request-Id", &event.request_id)
        .header("Lambda-Runtime-Deadline-Ms", event.deadline_ms.to_string())
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

/// Take the in-flight request ID if `id` is it (a result is accepted once).
fn claim(shared: &Shared, id: &str) -> bool {
    match shared.current.lock() {
        Ok(mut current) if current.as_deref() == Some(id) => {
            *current = None;
            true
        }
        _ => false,
    }
}

async fn error(req: Request<Incoming>, shared: &Shared, id: String) -> Reply {
    if !claim(shared, &id) {
        return invalid_request_id();
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// One raw HTTP/1.1 exchange (the test plays a runtime that writes its own
    /// requests); returns the response text. The body is written from a task, so
    /// a server that answers before reading it all (413) is seen as it answers.
    async fn exchange(addr: SocketAddr, head: String, body: Vec<u8>) -> String {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut read, mut write) = stream.into_split();
        tokio::spawn(async move {
            let _ = write.write_all(head.as_bytes()).await;
            let _ = write.write_all(&body).await;
        });
        let mut out = Vec::new();
        let _ = read.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    fn post(path: &str, len: usize) -> String {
        format!("POST {PREFIX}{path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
    }

    #[test]
    fn contract_of_next_response_and_the_limits() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (server, pending, mut events) = start().await.unwrap();
            let addr = server.address;
            pending
                .send(Pending {
                    request_id: "req-1".into(),
                    deadline_ms: 42,
                    function_arn: "arn:aws:lambda:us-east-1:123456789012:function:f".into(),
                    trace_id: "Root=1-0-0".into(),
                    client_context: Some("{\"a\":1}".into()),
                    cognito_identity: None,
                    payload: Bytes::from_static(b"{\"k\":1}"),
                })
                .unwrap();
            let next = exchange(
                addr,
                format!("GET {PREFIX}invocation/next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                Vec::new(),
            )
            .await
            .to_ascii_lowercase();
            assert!(next.starts_with("http/1.1 200"), "{next}");
            for header in [
                "lambda-runtime-aws-request-id: req-1",
                "lambda-runtime-deadline-ms: 42",
                "lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:f",
                "lambda-runtime-trace-id: root=1-0-0",
                "lambda-runtime-client-context: {\"a\":1}",
            ] {
                assert!(next.contains(header), "{header}: {next}");
            }
            assert!(next.ends_with("{\"k\":1}"), "{next}");

            // A request ID not in flight.
            let wrong = exchange(addr, post("invocation/req-2/response", 2), b"{}".to_vec()).await;
            assert!(wrong.starts_with("HTTP/1.1 400"), "{wrong}");
            assert!(wrong.contains("{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}"), "{wrong}");

            // Over the buffered limit: 413, and the invocation fails.
            let big = MAX_RESPONSE + 1;
            let refused = exchange(addr, post("invocation/req-1/response", big), vec![b'x'; big]).await;
            assert!(refused.starts_with("HTTP/1.1 413"), "{refused}");
            assert!(refused.contains("Exceeded maximum allowed payload size (6291556 bytes)."), "{refused}");
            assert!(refused.contains("\"errorType\":\"RequestEntityTooLarge\""), "{refused}");
            let mut too_large = false;
            while let Ok(Some(event)) =
                tokio::time::timeout(std::time::Duration::from_millis(200), events.recv()).await
            {
                too_large |= matches!(event, ApiEvent::ResponseTooLarge { ref request_id, .. } if request_id == "req-1");
            }
            assert!(too_large);

            // The result was taken: a second one for the same ID is refused.
            let again = exchange(addr, post("invocation/req-1/response", 2), b"{}".to_vec()).await;
            assert!(again.starts_with("HTTP/1.1 400"), "{again}");
            // Unknown paths and methods.
            let unknown = exchange(addr, post("invocation/next/foo", 0), Vec::new()).await;
            assert!(unknown.starts_with("HTTP/1.1 404"), "{unknown}");
            let method = exchange(addr, post("invocation/next", 0), Vec::new()).await;
            assert!(method.starts_with("HTTP/1.1 405"), "{method}");
        });
    }
}
