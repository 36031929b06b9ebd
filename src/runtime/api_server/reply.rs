//! The Runtime API's answers: `202 {"status":"OK"}`, an error as the service
//! words it (`{"errorMessage", "errorType"}`), a bare status.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};

pub(super) type Reply = Response<Full<Bytes>>;

pub(super) fn invalid_request_id() -> Reply {
    error_json(
        StatusCode::BAD_REQUEST,
        "InvalidRequestID",
        "Invalid request ID",
    )
}

/// A result for an invocation that already timed out (410, as the Managed
/// Instances runtime interface emulator answers it).
pub(super) fn invoke_timeout() -> Reply {
    error_json(StatusCode::GONE, "InvokeTimeout", "Invoke timeout")
}

pub(super) fn accepted() -> Reply {
    json(StatusCode::ACCEPTED, "{\"status\":\"OK\"}".into())
}

pub(super) fn error_json(status: StatusCode, error_type: &str, message: &str) -> Reply {
    let body = serde_json::json!({ "errorMessage": message, "errorType": error_type });
    json(status, body.to_string())
}

fn json(status: StatusCode, body: String) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body)));
    *reply.status_mut() = status;
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    reply
}

pub(super) fn status_only(status: StatusCode) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::new()));
    *reply.status_mut() = status;
    reply
}

pub(super) fn not_found() -> Reply {
    status_only(StatusCode::NOT_FOUND)
}
