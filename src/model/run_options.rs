//! What `cargo slim run` and `cargo slim bench` are asked to do, typed: the
//! command line converts its flags into these once, and the commands see nothing
//! else.

use std::path::PathBuf;

use super::options::{RequestedOptions, Selection};

/// Where the event comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EventSource {
    /// `{}`: what `aws lambda invoke` sends without a payload.
    Empty,
    File(PathBuf),
    Stdin,
    Sample(String),
    /// JSON given inline.
    Inline(String),
}

/// `cargo slim run` as asked, already typed and checked by the command line.
#[derive(Debug, Clone)]
pub(crate) struct RunRequest {
    pub path: Option<PathBuf>,
    pub selection: Selection,
    pub build: RequestedOptions,
    pub event: EventSource,
    pub function: FunctionRequest,
    /// Invocations [default: one, or the Managed Instances concurrency].
    pub repeat: Option<u32>,
}

/// The function settings asked for; defaults (metadata, then Lambda's) fill the rest.
#[derive(Debug, Clone, Default)]
pub(crate) struct FunctionRequest {
    pub memory_mb: Option<u32>,
    pub timeout_s: Option<u64>,
    /// `--env` pairs, checked; applied after the env files.
    pub env: Vec<(String, String)>,
    pub env_files: Vec<PathBuf>,
    pub function_name: Option<String>,
    pub region: String,
    /// Compact JSON.
    pub client_context: Option<String>,
    pub cognito_identity: Option<String>,
    pub confine: bool,
    /// Under qemu emulating the CPU baseline (`--baseline-cpu`).
    pub baseline_cpu: bool,
    /// Lambda Managed Instances' concurrency per environment, when asked for.
    pub concurrency: Option<u32>,
    /// The size of `/tmp`, MB.
    pub ephemeral_storage_mb: Option<u32>,
}

/// `cargo slim bench` as asked, already typed and checked by the command line.
#[derive(Debug, Clone)]
pub(crate) struct BenchRequest {
    pub path: Option<PathBuf>,
    /// Other builds to run beside it.
    pub compare: Vec<PathBuf>,
    pub cold: u32,
    pub warm: u32,
    pub selection: Selection,
    pub build: RequestedOptions,
    pub event: EventSource,
    pub function: FunctionRequest,
}
