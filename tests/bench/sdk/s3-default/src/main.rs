// An S3 function as the SDK's guide writes it: `aws_config::load_from_env` and
// one client, built once at init; each invocation lists the buckets.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_s3::Client::new(&config);
    lambda_runtime::run(service_fn(|_event: LambdaEvent<Value>| {
        let client = &client;
        async move {
            let out = client.list_buckets().send().await?;
            Ok::<Value, Error>(json!({ "buckets": out.buckets().len() }))
        }
    }))
    .await
}
