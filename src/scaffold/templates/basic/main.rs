//! {{name}}: an AWS Lambda function answering `{"name": "…"}` with a greeting.
//! `cargo slim build` turns it into function.zip; events/event.json is a sample.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct Request {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Serialize)]
struct Response {
    message: String,
}

async fn handler(event: LambdaEvent<Request>) -> Result<Response, Error> {
    let name = event.payload.name.as_deref().unwrap_or("world");
    Ok(Response {
        message: format!("Hello, {name}!"),
    })
}

// Lambda sends one event at a time to an environment, and a small one gets a
// fraction of a CPU: a single-threaded runtime does the same work with less.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_the_sample_event() {
        let payload: Request =
            serde_json::from_str(include_str!("../events/event.json")).expect("sample event");
        let event = LambdaEvent::new(payload, lambda_runtime::Context::default());
        let response = handler(event).await.expect("handler");
        assert_eq!(response.message, "Hello, cargo-slim!");
    }
}
