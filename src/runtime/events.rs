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

/// The deepest nesting of arrays and objects accepted. Lambda's Invoke API
/// refuses deeper documents; its parse errors are those of Jackson
/// (`Unexpected character ('}' (code 125))`), whose default limit since 2.15
/// (`StreamReadConstraints`) is 1,000 levels, the figure taken here.
pub(crate) const MAX_NESTING: usize = 1_000;

/// Lambda refuses a payload that is not JSON or over 6 MB before the function sees
/// it; so do we, with the position of the problem. JSON is UTF-8 text (RFC 8259),
/// inside strings too, which serde's skipping parser does not check.
pub(crate) fn check(bytes: &[u8], origin: &str) -> anyhow::Result<()> {
    if bytes.len() > MAX_REQUEST_PAYLOAD {
        return Err(SlimError::EventTooLarge {
            origin: origin.into(),
            limit: MAX_REQUEST_PAYLOAD,
        }
        .into());
    }
    let not_json = |detail: String| SlimError::EventNotJson {
        origin: origin.into(),
        detail,
    };
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        return Err(not_json(format!("invalid UTF-8 at {}", position(bytes, at))).into());
    }
    if let Some(at) = too_deep(bytes) {
        return Err(not_json(format!(
            "nested deeper than {MAX_NESTING} levels at {}",
            position(bytes, at)
        ))
        .into());
    }
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(not_json(e.to_string()).into());
    }
    Ok(())
}

/// Where the first array or object deeper than [`MAX_NESTING`] opens, if one
/// does (brackets inside strings do not count).
fn too_deep(bytes: &[u8]) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (at, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(at);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// `line L column C`, as serde_json words a position (1-based; columns in bytes).
fn position(bytes: &[u8], at: usize) -> String {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    format!("line {line} column {column}")
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
    fn invalid_utf8_inside_a_string_is_refused() {
        let err = check(b"{\"a\": \"x\xff\"}", "e.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid UTF-8 at line 1 column 9"), "{err}");
    }

    #[test]
    fn nesting_is_bounded_as_lambda_bounds_it() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        check(nested(MAX_NESTING).as_bytes(), "e.json").unwrap();
        let err = check(nested(100_000).as_bytes(), "e.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("nested deeper than 1000 levels at line 1 column 1001"),
            "{err}"
        );
        // Brackets inside strings are text.
        let text = format!(
            "{{\"a\": \"{}\\\" {}\"}}",
            "[".repeat(2000),
            "{".repeat(2000)
        );
        check(text.as_bytes(), "e.json").unwrap();
    }

    #[test]
    fn unknown_sample_lists_the_known_ones() {
        let err = load(&EventSource::Sample("kafka".into())).unwrap_err();
        let (text, _) = crate::util::error::render(&err);
        assert!(text.contains("apigw-http, function-url, sqs"), "{text}");
    }
}
