//! `POST …/invocation/{id}/response`: a buffered or streamed result read within
//! Lambda's limits, and what it amounts to — a response, an error sent in the
//! trailers of a stream, a response too large, or one cut off mid-body. A
//! streamed response's chunks are passed on as they arrive ([`ApiEvent::Chunk`]),
//! as Lambda passes them on to the caller.

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::{Request, StatusCode};

use super::reply::{accepted, error_json, status_only, Reply};
use super::{header_text, refused, ApiEvent, Shared, MAX_RESPONSE, MAX_STREAMED_RESPONSE};

/// How much of a refused response body is read and dropped before answering.
const DRAIN_LIMIT: usize = 64 << 20;

/// A response body as read.
enum Body {
    /// All of it, within the limit.
    Complete {
        data: Bytes,
        trailers: Option<HeaderMap>,
    },
    /// More than the limit: the rest is still unread.
    TooLarge,
    /// The function hung up mid-body.
    Truncated,
}

pub(super) async fn response(req: Request<Incoming>, shared: &Shared, id: String) -> Reply {
    if let Some(reply) = refused(shared, &id) {
        return reply;
    }
    let streaming = req
        .headers()
        .get("Lambda-Runtime-Function-Response-Mode")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"streaming"));
    let limit = if streaming {
        MAX_STREAMED_RESPONSE
    } else {
        MAX_RESPONSE
    };
    let mut body = req.into_body();
    let passed_on = streaming.then_some((shared, id.as_str()));
    let (data, trailers) = match read(&mut body, limit, passed_on).await {
        Body::Complete { data, trailers } => (data, trailers),
        Body::Truncated => {
            // Lambda reports a truncated response.
            let _ = shared.events.send(ApiEvent::Error {
                request_id: id,
                error_type: Some("Runtime.TruncatedResponse".into()),
                body: Bytes::from_static(
                    b"{\"errorType\":\"Runtime.TruncatedResponse\",\"errorMessage\":\"the runtime closed the connection before the response was complete\"}",
                ),
                at: Instant::now(),
            });
            return status_only(StatusCode::BAD_REQUEST);
        }
        Body::TooLarge => {
            let _ = shared.events.send(ApiEvent::ResponseTooLarge {
                request_id: id,
                at: Instant::now(),
            });
            // Read (and drop) what the runtime is still sending before
            // answering: closing on unread bytes makes the kernel send a
            // reset, and the runtime may then never see the 413 at all.
            // Bounded, so a runtime streaming for ever is cut off.
            drain(&mut body, DRAIN_LIMIT).await;
            return error_json(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                &format!("Exceeded maximum allowed payload size ({limit} bytes)."),
            );
        }
    };
    let at = Instant::now();
    if let Some((error_type, body)) = trailers.as_ref().and_then(trailer_error) {
        let _ = shared.events.send(ApiEvent::Error {
            request_id: id,
            error_type: Some(error_type),
            body,
            at,
        });
        return accepted();
    }
    let _ = shared.events.send(ApiEvent::Response {
        request_id: id,
        body: data,
        streamed: streaming,
        at,
    });
    accepted()
}

/// Read the body frame by frame, up to `limit` bytes of data; each chunk is
/// also passed on as it comes when `passed_on` names the invocation.
async fn read(body: &mut Incoming, limit: usize, passed_on: Option<(&Shared, &str)>) -> Body {
    let mut data = BytesMut::new();
    let mut trailers: Option<HeaderMap> = None;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Body::Truncated;
        };
        match frame.into_data() {
            Ok(chunk) => {
                if chunk.is_empty() {
                    continue;
                }
                if data.len() + chunk.len() > limit {
                    return Body::TooLarge;
                }
                data.extend_from_slice(&chunk);
                if let Some((shared, id)) = passed_on {
                    let _ = shared.events.send(ApiEvent::Chunk {
                        request_id: id.to_string(),
                        data: chunk,
                        at: Instant::now(),
                    });
                }
            }
            Err(frame) => {
                if let Ok(t) = frame.into_trailers() {
                    trailers = Some(t);
                }
            }
        }
    }
    Body::Complete {
        data: data.freeze(),
        trailers,
    }
}

/// A streamed response that failed midway: its error type, and its body (base64
/// in a trailer).
fn trailer_error(trailers: &HeaderMap) -> Option<(String, Bytes)> {
    let error_type = header_text(trailers.get("Lambda-Runtime-Function-Error-Type")?);
    let body = trailers
        .get("Lambda-Runtime-Function-Error-Body")
        .and_then(|v| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(v.as_bytes())
                .ok()
        })
        .map(Bytes::from)
        .unwrap_or_default();
    Some((error_type, body))
}

/// Read and drop up to `limit` more bytes of `body`.
async fn drain(body: &mut Incoming, limit: usize) {
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        seen += frame.data_ref().map_or(0, |d| d.len());
        if seen > limit {
            return;
        }
    }
}
