//! {{name}}: an AWS Lambda function consuming an SQS queue. Messages that fail are
//! reported one by one (partial batch response), so only they come back.
//! `cargo slim build` turns it into function.zip; events/event.json is a sample.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::{service_fn, Error, LambdaEvent};

/// One message's work. An empty body stands for a message this function cannot use.
fn process(message: &SqsMessage) -> Result<(), String> {
    match message.body.as_deref() {
        Some(body) if !body.is_empty() => {
            println!("processed {} bytes", body.len());
            Ok(())
        }
        _ => Err("empty message body".to_string()),
    }
}

// Needs `FunctionResponseTypes: [ReportBatchItemFailures]` on the event source
// mapping; without it Lambda retries the whole batch on any failure.
async fn handler(event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    let mut response = SqsBatchResponse::default();
    for message in &event.payload.records {
        if let Err(reason) = process(message) {
            let id = message.message_id.clone().unwrap_or_default();
            eprintln!("message {id} failed: {reason}");
            response.add_failure(id);
        }
    }
    Ok(response)
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
    async fn reports_the_failed_message_of_the_sample_event() {
        let payload: SqsEvent =
            serde_json::from_str(include_str!("../events/event.json")).expect("sample event");
        let event = LambdaEvent::new(payload, lambda_runtime::Context::default());
        let response = handler(event).await.expect("handler");
        let failed: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, ["2e1424d4-f796-459a-8184-9c92662be6da"]);
    }
}
