//! A minimal AWS Lambda function: answers `{"name": "…"}` with a greeting.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Request {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Serialize)]
struct Response {
    message: String,
}

/// Kept out of line so `cargo slim size` has a symbol of this crate to point at.
#[inline(never)]
fn hello_lambda_greeting(name: &str) -> String {
    format!("Hello, {name}!")
}

async fn handler(event: LambdaEvent<Request>) -> Result<Response, Error> {
    let name = event.payload.name.unwrap_or_else(|| "world".to_string());
    Ok(Response {
        message: hello_lambda_greeting(&name),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
