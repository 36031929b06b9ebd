//! {{name}}: an AWS Lambda function behind an API Gateway HTTP API or a Function
//! URL (payload format 2.0): `GET /?name=…` answers with a greeting.
//! `cargo slim build` turns it into function.zip; events/event.json is a sample.

use lambda_http::{service_fn, Body, Error, Request, RequestExt, Response};

async fn handler(request: Request) -> Result<Response<Body>, Error> {
    let params = request.query_string_parameters();
    let name = params.first("name").unwrap_or("world");
    let response = Response::builder()
        .status(200)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Body::from(format!("Hello, {name}!")))?;
    Ok(response)
}

// Lambda sends one event at a time to an environment, and a small one gets a
// fraction of a CPU: a single-threaded runtime does the same work with less.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(handler)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_the_sample_event() {
        let request = lambda_http::request::from_str(include_str!("../events/event.json"))
            .expect("sample event");
        let response = handler(request).await.expect("handler");
        assert_eq!(response.status(), 200);
        assert_eq!(response.body(), &Body::from("Hello, cargo-slim!"));
    }
}
