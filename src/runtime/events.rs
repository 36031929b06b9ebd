//! The event an invocation carries: a JSON document from a file, stdin, or one of
//! the built-in samples of the common triggers. The samples follow AWS's
//! documented example events and parse with the `aws_lambda_events` types (the
//! test suite checks that).

use std::io::Read as _;
use std::path::Path;

pub(crate) use crate::model::run_options::EventSource;
use crate::util::error::SlimError;

/// Lambda's limit on a synchronous invocation's request payload (6 MB).
pub(crate) const MAX_REQUEST_PAYLOAD: usize = 6 * 1024 * 1024;

/// A built-in sample event: its name on the command line and the JSON.
pub(crate) struct Sample {
    pub name: &'static str,
    pub json: &'static str,
}

pub(crate) const SAMPLES: &[Sample] = &[
    // API Gateway HTTP API (payload format 2.0)
    Sample {
        name: "apigw-http",
        json: include_str!("events/apigw-http.json"),
    },
    // Lambda function URL request
    Sample {
        name: "function-url",
        json: include_str!("events/function-url.json"),
    },
    // SQS message batch
    Sample {
        name: "sqs",
        json: include_str!("events/sqs.json"),
    },
    // SNS notification
    Sample {
        name: "sns",
        json: include_str!("events/sns.json"),
    },
    // S3 object created
    Sample {
        name: "s3",
        json: include_str!("events/s3.json"),
    },
    // EventBridge scheduled event
    Sample {
        name: "eventbridge",
        json: include_str!("events/eventbridge.json"),
    },
    // DynamoDB Streams record batch
    Sample {
        name: "dynamodb",
        json: include_str!("events/dynamodb.json"),
    },
];

/// Names of the samples, for the error that names an unknown one.
fn sample_names() -> String {
    SAMPLES
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Read the event and check it is one JSON document no larger than Lambda accepts.
pub(crate) fn load(source: &EventSource) -> anyhow::Result<Vec<u8>> {
    let (bytes, origin) =
        match source {
            EventSource::Empty => return Ok(b"{}".to_vec()),
            EventSource::Sample(name) => {
                let sample = SAMPLES.iter().find(|s| s.name == name).ok_or_else(|| {
                    SlimError::NoSuchSample {
                        name: name.clone(),
                        known: sample_names(),
                    }
                })?;
                return Ok(sample.json.as_bytes().to_vec());
            }
            EventSource::Inline(text) => (text.as_bytes().to_vec(), "the --payload".to_string()),
            EventSource::File(path) => (read_file(path)?, path.display().to_string()),
            EventSource::Stdin => {
                let mut data = Vec::new();
                std::io::stdin()
                    .lock()
                    .take(MAX_REQUEST_PAYLOAD as u64 + 1)
                    .read_to_end(&mut data)
                    .map_err(|e| SlimError::EventUnreadable {
                        origin: "the event on stdin".into(),
                        detail: e.to_string(),
                    })?;
                (data, "the event on stdin".to_string())
            }
        };
    check(&bytes, &origin)?;
    Ok(bytes)
}

fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let unreadable = |e: std::io::Error| SlimError::EventUnreadable {
        origin: format!("the event file {}", path.display()),
        detail: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut data = Vec::new();
    file.take(MAX_REQUEST_PAYLOAD as u64 + 1)
        .read_to_end(&mut data)
        .map_err(unreadable)?;
    Ok(data)
}

/// Lambda refuses a payload that is not JSON or over 6 MB before the function sees
/// it; so do we, with the position of the problem.
pub(crate) fn check(bytes: &[u8], origin: &str) -> anyhow::Result<()> {
    if bytes.len() > MAX_REQUEST_PAYLOAD {
        return Err(SlimError::EventTooLarge {
            origin: origin.into(),
            limit: MAX_REQUEST_PAYLOAD,
        }
        .into());
    }
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(SlimError::EventNotJson {
            origin: origin.into(),
            detail: e.to_string(),
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_is_json() {
        for sample in SAMPLES {
            check(sample.json.as_bytes(), sample.name).unwrap();
        }
    }

    #[test]
    fn bad_json_names_the_position() {
        let err = check(b"{\"a\": }", "x.json").unwrap_err().to_string();
        assert!(err.contains("x.json is not valid JSON"), "{err}");
        assert!(err.contains("line 1 column"), "{err}");
    }

    #[test]
    fn unknown_sample_lists_the_known_ones() {
        let err = load(&EventSource::Sample("kafka".into())).unwrap_err();
        let (text, _) = crate::util::error::render(&err);
        assert!(text.contains("apigw-http, function-url, sqs"), "{text}");
    }
}
