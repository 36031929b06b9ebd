//! The function templates: one per kind of trigger, each a `main.rs`, the
//! dependency lines of its `Cargo.toml` and a sample event, embedded at compile
//! time from `templates/`.

use std::fmt;
use std::str::FromStr;

pub(crate) const COMMON_CARGO_TOML: &str = include_str!("templates/common/Cargo.toml");
pub(crate) const COMMON_TOOLCHAIN: &str = include_str!("templates/common/rust-toolchain.toml");
pub(crate) const COMMON_GITIGNORE: &str = include_str!("templates/common/gitignore");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Template {
    /// A JSON event in, a JSON answer out.
    Basic,
    /// API Gateway HTTP API or a Function URL (payload format 2.0).
    Http,
    /// An SQS queue, with partial batch failures.
    Sqs,
    /// S3 object notifications.
    S3,
    /// An EventBridge rule with a typed `detail`.
    Eventbridge,
    /// A Kinesis data stream, with partial batch failures.
    Stream,
}

/// A template's own files.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sources {
    pub deps: &'static str,
    pub main: &'static str,
    pub event: &'static str,
}

macro_rules! sources {
    ($dir:literal) => {
        Sources {
            deps: include_str!(concat!("templates/", $dir, "/deps.toml")),
            main: include_str!(concat!("templates/", $dir, "/main.rs")),
            event: include_str!(concat!("templates/", $dir, "/event.json")),
        }
    };
}

impl Template {
    pub(crate) const ALL: &'static [Template] = &[
        Template::Basic,
        Template::Http,
        Template::Sqs,
        Template::S3,
        Template::Eventbridge,
        Template::Stream,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Template::Basic => "basic",
            Template::Http => "http",
            Template::Sqs => "sqs",
            Template::S3 => "s3",
            Template::Eventbridge => "eventbridge",
            Template::Stream => "stream",
        }
    }

    pub(crate) fn sources(self) -> Sources {
        match self {
            Template::Basic => sources!("basic"),
            Template::Http => sources!("http"),
            Template::Sqs => sources!("sqs"),
            Template::S3 => sources!("s3"),
            Template::Eventbridge => sources!("eventbridge"),
            Template::Stream => sources!("stream"),
        }
    }
}

impl FromStr for Template {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Template::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Template::ALL.iter().map(|t| t.as_str()).collect();
                format!("unknown template `{s}`: use one of {}", names.join(", "))
            })
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
