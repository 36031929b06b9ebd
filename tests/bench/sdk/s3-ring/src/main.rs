//! s3-default's function with rustls over ring: the HTTPS client is built with
//! ring as its crypto provider and handed to the SDK's config loader.

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let config = aws_config::from_env().http_client(http).load().await;
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
