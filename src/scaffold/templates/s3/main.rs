//! {{name}}: an AWS Lambda function notified of new S3 objects; it answers with
//! the `bucket/key` of each one.
//! `cargo slim build` turns it into function.zip; events/event.json is a sample.

use aws_lambda_events::event::s3::S3Event;
use lambda_runtime::{service_fn, Error, LambdaEvent};

async fn handler(event: LambdaEvent<S3Event>) -> Result<Vec<String>, Error> {
    let mut objects = Vec::with_capacity(event.payload.records.len());
    for record in &event.payload.records {
        let bucket = record.s3.bucket.name.as_deref().unwrap_or_default();
        let key = record.s3.object.key.as_deref().unwrap_or_default();
        let size = record.s3.object.size.unwrap_or_default();
        println!("{bucket}/{key}: {size} bytes");
        objects.push(format!("{bucket}/{key}"));
    }
    Ok(objects)
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
    async fn names_the_object_of_the_sample_event() {
        let payload: S3Event =
            serde_json::from_str(include_str!("../events/event.json")).expect("sample event");
        let event = LambdaEvent::new(payload, lambda_runtime::Context::default());
        let objects = handler(event).await.expect("handler");
        assert_eq!(objects, ["example-bucket/uploads/report.csv"]);
    }
}
