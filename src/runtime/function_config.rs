//! How the local function is configured: what Lambda's function configuration
//! holds (name, memory, timeout, region, environment variables), already typed.

use std::time::Duration;

/// Lambda's default memory size, in MB.
pub(crate) const DEFAULT_MEMORY_MB: u32 = 128;
/// Lambda's default timeout.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// Lambda's init phase limit for on-demand functions (10 seconds).
pub(crate) const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Lambda's accepted memory sizes, in MB.
pub(crate) const MEMORY_RANGE: std::ops::RangeInclusive<u32> = 128..=10_240;
/// Lambda's longest timeout (15 minutes).
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(900);

#[derive(Debug, Clone)]
pub(crate) struct FunctionConfig {
    pub function_name: String,
    pub memory_mb: u32,
    pub timeout: Duration,
    pub init_timeout: Duration,
    pub region: String,
    /// The user's variables (`--env`, `--env-file`), in order; later ones win.
    pub user_env: Vec<(String, String)>,
    /// Sent as `Lambda-Runtime-Client-Context` (compact JSON).
    pub client_context: Option<String>,
    /// Sent as `Lambda-Runtime-Cognito-Identity` (compact JSON).
    pub cognito_identity: Option<String>,
    /// Apply cgroup limits where permitted (false: run unconfined on purpose).
    pub confine: bool,
}

impl FunctionConfig {
    pub(crate) fn new(function_name: impl Into<String>) -> FunctionConfig {
        FunctionConfig {
            function_name: function_name.into(),
            memory_mb: DEFAULT_MEMORY_MB,
            timeout: DEFAULT_TIMEOUT,
            init_timeout: INIT_TIMEOUT,
            region: "us-east-1".into(),
            user_env: Vec::new(),
            client_context: None,
            cognito_identity: None,
            confine: true,
        }
    }

    /// The vCPU share Lambda gives this memory size: one full vCPU at 1,769 MB
    /// ("Configuring function memory", Lambda developer guide), proportionally less
    /// below.
    pub(crate) fn vcpus(&self) -> f64 {
        f64::from(self.memory_mb) / 1769.0
    }
}
