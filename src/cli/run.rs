//! Options of `cargo slim run` and the function settings `bench` shares with it.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::build::BuildOptions;
use super::select::SelectArgs;
use crate::model::run_options::{EventSource, FunctionRequest, RunRequest};
use crate::runtime::environment;
use crate::runtime::function_config::{refuse_function_name, refuse_region};
use crate::util::error::SlimError;

const RUN_AFTER_HELP: &str = "\
Runs exactly what ships: the bootstrap from function.zip (built first when the
sources changed, as `cargo run` does), unpacked into a read-only task root, with a
loopback Runtime API, Lambda's environment variables and, where the OS permits,
its memory limit and CPU share (cgroups). The response goes to stdout; the
function's own output and the START/END/REPORT lines go to stderr.

Exit status: 0 every invocation succeeded; 1 the function failed (error, panic,
timeout, out of memory, init failure); 2 error.

Examples:
  cargo slim run --sample apigw-http
  cargo slim run --event event.json --memory 512 --timeout 10
  echo '{\"name\":\"x\"}' | cargo slim run --event -
  cargo slim run target/slim/hello/aarch64-unknown-linux-musl/function.zip";

/// Options of `cargo slim run`.
#[derive(Debug, Args, Clone)]
#[command(after_help = RUN_AFTER_HELP)]
pub(crate) struct RunArgs {
    /// A function.zip, a `cargo slim build` output directory, its
    /// slim-manifest.json, or a bootstrap to run as is (never rebuilt)
    /// [default: the selected package's build, built first when needed].
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub build: BuildOptions,
    #[command(flatten)]
    pub event: EventArgs,
    #[command(flatten)]
    pub function: FunctionArgs,
    /// Invoke this many times (warm, in one execution environment, unless one
    /// ends: the next invocation is then a cold start) [default: 1, or the
    /// --concurrency].
    #[arg(long, value_name = "N", help_heading = "Invocation")]
    pub repeat: Option<u32>,
}

/// The event each invocation carries.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct EventArgs {
    /// The event: a JSON file, or `-` for stdin [default: `{}`].
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Invocation",
        group = "event_source"
    )]
    pub event: Option<PathBuf>,
    /// A built-in sample event: apigw-http, function-url, sqs, sns, s3,
    /// eventbridge, dynamodb.
    #[arg(
        long,
        value_name = "NAME",
        help_heading = "Invocation",
        group = "event_source"
    )]
    pub sample: Option<String>,
    /// The event as inline JSON.
    #[arg(
        long,
        value_name = "JSON",
        help_heading = "Invocation",
        group = "event_source"
    )]
    pub payload: Option<String>,
}

/// The function's configuration, as Lambda's.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct FunctionArgs {
    /// Memory size in MB, 128–10240; the CPU share follows (1,769 MB = 1 vCPU)
    /// [default: [package.metadata.slim] memory, else 128].
    #[arg(long, value_name = "MB", help_heading = "Function")]
    pub memory: Option<u32>,
    /// Timeout in seconds, 1–900 [default: [package.metadata.slim] timeout, else 3].
    #[arg(long, value_name = "SECONDS", help_heading = "Function")]
    pub timeout: Option<u64>,
    /// An environment variable for the function, KEY=VALUE (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE", help_heading = "Function")]
    pub env: Vec<String>,
    /// A file of KEY=VALUE lines (# comments and blank lines ignored).
    #[arg(long, value_name = "PATH", help_heading = "Function")]
    pub env_file: Vec<PathBuf>,
    /// Function name [default: the binary's name].
    #[arg(long, value_name = "NAME", help_heading = "Function")]
    pub function_name: Option<String>,
    /// AWS region the function believes it runs in.
    #[arg(
        long,
        value_name = "REGION",
        default_value = "us-east-1",
        help_heading = "Function"
    )]
    pub region: String,
    /// Client context passed as Lambda-Runtime-Client-Context (JSON).
    #[arg(long, value_name = "JSON", help_heading = "Function")]
    pub client_context: Option<String>,
    /// Cognito identity passed as Lambda-Runtime-Cognito-Identity (JSON).
    #[arg(long, value_name = "JSON", help_heading = "Function")]
    pub cognito_identity: Option<String>,
    /// Run without cgroup limits even where they could be applied.
    #[arg(long, help_heading = "Function")]
    pub no_limits: bool,
    /// Run under qemu emulating the oldest CPU Lambda may give the function
    /// (Graviton2's Neoverse N1 for arm64; Nehalem, x86-64-v2, for x86_64), on
    /// any machine: an instruction it lacks stops the function with SIGILL, as
    /// on Lambda, and the report names the function it was in.
    #[arg(long, help_heading = "Function")]
    pub baseline_cpu: bool,
    /// Run as on Lambda Managed Instances: up to N invocations at once in one
    /// execution environment (AWS_LAMBDA_MAX_CONCURRENCY=N), 1–1600; a function
    /// that takes one at a time is refused [default: [package.metadata.slim]
    /// concurrency, else Lambda's default: one at a time, no such variable].
    #[arg(long, value_name = "N", help_heading = "Function")]
    pub concurrency: Option<u32>,
    /// The size of /tmp in MB, 512–10240, where Lambda's filesystem can be
    /// presented (a mount namespace) [default: [package.metadata.slim]
    /// ephemeral-storage, else 512].
    #[arg(long, value_name = "MB", help_heading = "Function")]
    pub ephemeral_storage: Option<u32>,
}

impl RunArgs {
    /// The typed request: every flag checked before anything runs.
    pub(crate) fn to_request(&self) -> Result<RunRequest> {
        if self.repeat == Some(0) {
            return Err(SlimError::InvalidSetting {
                setting: "--repeat".into(),
                reason: "0 invocations: nothing would run (it counts invocations, from 1)".into(),
            }
            .into());
        }
        Ok(RunRequest {
            path: self.path.clone(),
            selection: self.select.to_selection()?,
            build: self.build.to_requested()?,
            event: self.event.to_source(),
            function: self.function.to_request()?,
            repeat: self.repeat,
        })
    }
}

impl EventArgs {
    /// `--event` / `--sample` / `--payload` (clap lets at most one through).
    pub(crate) fn to_source(&self) -> EventSource {
        match (&self.event, &self.sample, &self.payload) {
            (Some(p), _, _) if p.as_os_str() == "-" => EventSource::Stdin,
            (Some(p), _, _) => EventSource::File(p.clone()),
            (_, Some(name), _) => EventSource::Sample(name.clone()),
            (_, _, Some(json)) => EventSource::Inline(json.clone()),
            _ => EventSource::Empty,
        }
    }
}

impl FunctionArgs {
    pub(crate) fn to_request(&self) -> Result<FunctionRequest> {
        let env = self
            .env
            .iter()
            .map(|item| {
                environment::parse_assignment(item).map_err(|reason| {
                    SlimError::InvalidSetting {
                        setting: "--env".into(),
                        reason,
                    }
                    .into()
                })
            })
            .collect::<Result<_>>()?;
        let invalid = |setting: &str, reason: String| SlimError::InvalidSetting {
            setting: setting.into(),
            reason,
        };
        if let Some(why) = self.function_name.as_deref().and_then(refuse_function_name) {
            return Err(invalid("--function-name", why).into());
        }
        if let Some(why) = refuse_region(&self.region) {
            return Err(invalid("--region", why).into());
        }
        Ok(FunctionRequest {
            memory_mb: self.memory,
            timeout_s: self.timeout,
            env,
            env_files: self.env_file.clone(),
            function_name: self.function_name.clone(),
            region: self.region.clone(),
            client_context: compact_json("--client-context", self.client_context.as_deref())?,
            cognito_identity: compact_json("--cognito-identity", self.cognito_identity.as_deref())?,
            confine: !self.no_limits,
            baseline_cpu: self.baseline_cpu,
            concurrency: self.concurrency,
            ephemeral_storage_mb: self.ephemeral_storage,
        })
    }
}

/// A JSON flag's value, compacted so it fits on one header line.
fn compact_json(flag: &str, value: Option<&str>) -> Result<Option<String>> {
    value
        .map(|text| {
            serde_json::from_str::<serde_json::Value>(text)
                .map(|v| v.to_string())
                .map_err(|e| {
                    SlimError::InvalidSetting {
                        setting: flag.into(),
                        reason: format!("not valid JSON: {e}"),
                    }
                    .into()
                })
        })
        .transpose()
}
