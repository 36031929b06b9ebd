//! The function's configuration for `run` and `bench`: what the command line
//! asked, else `[package.metadata.slim]`, else Lambda's defaults, each value
//! checked against Lambda's range; the variables of `--env` and `--env-file`.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use crate::model::function_limits::Limit;
use crate::model::run_options::FunctionRequest;
use crate::runtime::environment;
use crate::runtime::function_config::{refuse_function_name, CONCURRENCY_RANGE};
use crate::runtime::sandbox::filesystem::TMP_RANGE;
use crate::runtime::FunctionConfig;
use crate::util::error::SlimError;
use crate::util::regular_file;

/// The largest env file read (Lambda allows 4 KB of variables in all).
const ENV_FILE_LIMIT: u64 = 1 << 20;

/// What `[package.metadata.slim]` (or the workspace's) sets for `run` and
/// `bench`.
#[derive(Debug, Clone, Default)]
pub(crate) struct FunctionDefaults {
    pub memory: Option<u32>,
    pub timeout: Option<u64>,
    pub concurrency: Option<u32>,
    pub ephemeral_storage: Option<u32>,
}

/// The function's configuration from the request, the metadata and Lambda's
/// defaults, validated as Lambda validates it.
pub(crate) fn function_config(
    args: &FunctionRequest,
    bin: Option<&str>,
    defaults: &FunctionDefaults,
) -> Result<FunctionConfig> {
    let name = args
        .function_name
        .clone()
        .or_else(|| bin.map(str::to_string))
        .unwrap_or_else(|| "function".into());
    if let Some(why) = refuse_function_name(&name) {
        return Err(SlimError::InvalidSetting {
            setting: "the function name (the binary's name; --function-name sets another)".into(),
            reason: why,
        }
        .into());
    }
    let mut config = FunctionConfig::new(name);
    let lambda = "Lambda's";
    let invalid = |setting: &str, reason: String| SlimError::InvalidSetting {
        setting: setting.into(),
        reason,
    };
    // Memory and timeout from the metadata were checked when read, by the one
    // parser of both (`model::function_limits`); flags are checked here by it.
    if let Some(mb) = args.memory_mb {
        let checked = Limit::Memory.check(u64::from(mb));
        checked.map_err(|e| invalid("--memory", e))?;
    }
    if let Some(mb) = args.memory_mb.or(defaults.memory) {
        config.memory_mb = mb;
    }
    if let Some(secs) = args.timeout_s {
        Limit::Timeout
            .check(secs)
            .map_err(|e| invalid("--timeout", e))?;
    }
    if let Some(secs) = args.timeout_s.or(defaults.timeout) {
        config.timeout = Duration::from_secs(secs);
    }
    if let Some(n) = args.concurrency.or(defaults.concurrency) {
        let managed = "Lambda Managed Instances'";
        config.managed_instances(within("--concurrency", n, CONCURRENCY_RANGE, "", managed)?);
    }
    let storage = args.ephemeral_storage_mb;
    if let Some(mb) = storage.or(defaults.ephemeral_storage) {
        config.ephemeral_storage_mb = within("--ephemeral-storage", mb, TMP_RANGE, " MB", lambda)?;
    }
    config.region = args.region.clone();
    config.confine = args.confine;
    config.client_context = args.client_context.clone();
    config.cognito_identity = args.cognito_identity.clone();
    let mut vars = Vec::new();
    for file in &args.env_files {
        vars.extend(env_file(file)?);
    }
    vars.extend(args.env.iter().cloned());
    config.user_env = vars;
    Ok(config)
}

/// `value` when inside `range` (whose `owner` is Lambda), else the error saying
/// so: `5 MB is outside Lambda's range, 128–10240 MB`.
fn within<T: PartialOrd + std::fmt::Display>(
    setting: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
    unit: &str,
    owner: &str,
) -> Result<T> {
    if range.contains(&value) {
        return Ok(value);
    }
    Err(SlimError::InvalidSetting {
        setting: setting.into(),
        reason: format!(
            "{value}{unit} is outside {owner} range, {}–{}{unit}",
            range.start(),
            range.end()
        ),
    }
    .into())
}

/// The variables of an env file: UTF-8 (a byte-order mark at its start is an
/// encoding mark, not part of the first name), `KEY=VALUE` lines, `#` comments.
fn env_file(file: &Path) -> Result<Vec<(String, String)>> {
    let data = regular_file::read(file, file, ENV_FILE_LIMIT, None)?;
    let data = data.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&data);
    let at_line = |n: usize| format!("--env-file {}:{n}", file.display());
    let text = std::str::from_utf8(data).map_err(|e| {
        let line = data[..e.valid_up_to()].split(|&b| b == b'\n').count();
        SlimError::InvalidSetting {
            setting: at_line(line),
            reason: "not UTF-8 text (Lambda's variables are UTF-8 strings)".into(),
        }
    })?;
    let mut vars = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let pair =
            environment::parse_assignment(line).map_err(|reason| SlimError::InvalidSetting {
                setting: at_line(n + 1),
                reason,
            })?;
        vars.push(pair);
    }
    Ok(vars)
}
