//! {{name}}: an AWS Lambda function triggered by an EventBridge rule; the event's
//! `detail` is parsed into a typed struct.
//! `cargo slim build` turns it into function.zip; events/event.json is a sample.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde::{Deserialize, Serialize};

/// The `detail` of the events this function is subscribed to.
#[derive(Debug, Deserialize, Serialize)]
struct OrderPlaced {
    order_id: String,
    amount_cents: u64,
}

async fn handler(event: LambdaEvent<EventBridgeEvent<OrderPlaced>>) -> Result<String, Error> {
    let order = &event.payload.detail;
    println!(
        "{} from {}: order {} ({} cents)",
        event.payload.detail_type, event.payload.source, order.order_id, order.amount_cents
    );
    Ok(order.order_id.clone())
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
    async fn reads_the_detail_of_the_sample_event() {
        let payload: EventBridgeEvent<OrderPlaced> =
            serde_json::from_str(include_str!("../events/event.json")).expect("sample event");
        let event = LambdaEvent::new(payload, lambda_runtime::Context::default());
        assert_eq!(handler(event).await.expect("handler"), "o-1001");
    }
}
