//! How the local function is configured: what Lambda's function configuration
//! holds (name, memory, timeout, region, environment variables), already typed.

use std::time::Duration;

/// Lambda's default memory size, in MB.
pub(crate) const DEFAULT_MEMORY_MB: u32 = 128;
/// Lambda's default timeout.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// Lambda's init phase limit for on-demand functions (10 seconds).
pub(crate) const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Lambda Managed Instances' `PerExecutionEnvironmentMaxConcurrency` range (the
/// Lambda API's model of `LambdaManagedInstancesCapacityProviderConfig`).
pub(crate) const CONCURRENCY_RANGE: std::ops::RangeInclusive<u32> = 1..=1600;
/// The init phase limit of a Lambda Managed Instances function: 130 seconds, or
/// the function's timeout when that is longer ("Understanding the Lambda
/// Managed Instances execution environment").
const MANAGED_INIT_TIMEOUT: Duration = Duration::from_secs(130);

/// Why `name` is not a function name Lambda accepts: 1–64 of `a-z A-Z 0-9 - _`
/// (CreateFunction's `FunctionName`, given as a name rather than an ARN).
pub(crate) fn refuse_function_name(name: &str) -> Option<String> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (!ok).then(|| {
        format!("{name:?} is not a Lambda function name: 1 to 64 letters, digits, `-` or `_`")
    })
}

/// Why `region` is not a region name as Lambda's ARNs spell it:
/// `[a-z]{2}((-gov)|(-iso[a-z]?))?-[a-z]+-\d` (`us-east-1`, `us-gov-west-1`,
/// `us-isob-east-1`).
pub(crate) fn refuse_region(region: &str) -> Option<String> {
    let ok = regex::Regex::new(r"^[a-z]{2}((-gov)|(-iso[a-z]?))?-[a-z]+-[0-9]$")
        .is_ok_and(|re| re.is_match(region));
    (!ok).then(|| format!("{region:?} is not an AWS region name like us-east-1"))
}

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
    /// Lambda Managed Instances: up to this many invocations at once in one
    /// execution environment (`AWS_LAMBDA_MAX_CONCURRENCY`). `None`: Lambda's
    /// default, one at a time.
    pub concurrency: Option<u32>,
    /// The size of `/tmp` (Lambda's ephemeral storage), MB.
    pub ephemeral_storage_mb: u32,
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
            concurrency: None,
            ephemeral_storage_mb: super::sandbox::filesystem::DEFAULT_TMP_MB,
        }
    }

    /// Run as a Lambda Managed Instances function taking up to `n` invocations
    /// at once: its init may take longer, as there.
    pub(crate) fn managed_instances(&mut self, n: u32) {
        self.concurrency = Some(n);
        self.init_timeout = MANAGED_INIT_TIMEOUT.max(self.timeout);
    }

    /// How many invocations one environment takes at once.
    pub(crate) fn max_in_flight(&self) -> usize {
        self.concurrency.map_or(1, |n| n as usize)
    }

    /// The vCPU share Lambda gives this memory size: one full vCPU at 1,769 MB
    /// ("Configuring function memory", Lambda developer guide), proportionally less
    /// below.
    pub(crate) fn vcpus(&self) -> f64 {
        f64::from(self.memory_mb) / 1769.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_as_lambda_accepts_them() {
        for good in ["orders", "a", "My-Function_2", &"x".repeat(64)] {
            assert_eq!(refuse_function_name(good), None, "{good}");
        }
        for bad in [
            "",
            "a b",
            "a\nb",
            "a\r\nb",
            "é",
            "a.b",
            "a:b",
            &"x".repeat(65),
        ] {
            assert!(refuse_function_name(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn regions_as_lambda_arns_spell_them() {
        for good in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "us-isob-east-1",
            "ap-southeast-7",
        ] {
            assert_eq!(refuse_region(good), None, "{good}");
        }
        for bad in [
            "",
            "us-east-1\n",
            "US-EAST-1",
            "us-east",
            "useast1",
            "us-east-10",
            "x\r\n",
        ] {
            assert!(refuse_region(bad).is_some(), "{bad:?}");
        }
    }
}
