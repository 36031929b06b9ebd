//! {{name}}: an AWS Lambda function consuming a Kinesis data stream. A record
//! that fails is reported (partial batch response), so the stream resumes from it.
//! `cargo slim build` turns it into function.zip; events/event.json is a sample.

use aws_lambda_events::event::kinesis::{KinesisEvent, KinesisEventRecord};
use aws_lambda_events::event::streams::KinesisEventResponse;
use lambda_runtime::{service_fn, Error, LambdaEvent};

/// One record's work. An empty payload stands for a record this function cannot use.
fn process(record: &KinesisEventRecord) -> Result<(), String> {
    let data = &record.kinesis.data.0;
    if data.is_empty() {
        return Err("empty record".to_string());
    }
    println!("processed {} bytes", data.len());
    Ok(())
}

// Needs `FunctionResponseTypes: [ReportBatchItemFailures]` on the event source
// mapping. Kinesis keeps order: stop at the first failure and report it, so the
// batch is retried from that record on.
async fn handler(event: LambdaEvent<KinesisEvent>) -> Result<KinesisEventResponse, Error> {
    let mut response = KinesisEventResponse::default();
    for record in &event.payload.records {
        if let Err(reason) = process(record) {
            let sequence = record.kinesis.sequence_number.clone();
            eprintln!("record {sequence} failed: {reason}");
            response.add_failure(sequence);
            break;
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
    async fn reports_the_failed_record_of_the_sample_event() {
        let payload: KinesisEvent =
            serde_json::from_str(include_str!("../events/event.json")).expect("sample event");
        let event = LambdaEvent::new(payload, lambda_runtime::Context::default());
        let response = handler(event).await.expect("handler");
        let failed: Vec<Option<&str>> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_deref())
            .collect();
        let empty_record = "49590338271490256608559692540925702759324208523137515618";
        assert_eq!(failed, [Some(empty_record)]);
    }
}
