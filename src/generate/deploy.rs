//! `[package.metadata.slim.deploy]`: what the infrastructure files say about a
//! function that its build does not (memory, timeout, log retention, alias).

use serde::Deserialize;

use crate::util::error::SlimError;

/// Log retentions CloudWatch Logs accepts, in days.
const RETENTIONS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deploy {
    /// MB, 128 to 10,240 (Lambda's range).
    pub memory: u32,
    /// Seconds, 1 to 900.
    pub timeout: u32,
    /// Days, one of CloudWatch Logs' values.
    pub log_retention_days: u32,
    /// The alias traffic goes to; the canary shifts it.
    pub alias: String,
}

impl Default for Deploy {
    fn default() -> Self {
        Deploy {
            memory: 128,
            timeout: 10,
            log_retention_days: 30,
            alias: "live".into(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Raw {
    memory: Option<u32>,
    timeout: Option<u32>,
    log_retention_days: Option<u32>,
    alias: Option<String>,
}

const KEYS: &str = "memory (MB), timeout (s), log-retention-days, alias";

impl Deploy {
    /// From a package's `metadata` (cargo metadata's JSON): its `slim.deploy` table,
    /// or the defaults when there is none.
    pub(crate) fn from_package_metadata(
        package: &str,
        metadata: &serde_json::Value,
    ) -> Result<Deploy, SlimError> {
        let invalid = |reason: String, help: String| SlimError::InvalidDeploySetting {
            place: format!("[package.metadata.slim.deploy] of `{package}`"),
            reason,
            help,
        };
        let raw: Raw = match metadata.get("slim").and_then(|s| s.get("deploy")) {
            None | Some(serde_json::Value::Null) => Raw::default(),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|e| invalid(e.to_string(), format!("known keys: {KEYS}")))?,
        };
        let deploy = Deploy::merged(raw, metadata.get("slim"));
        deploy
            .check()
            .map_err(|(reason, help)| invalid(reason, help.to_string()))?;
        Ok(deploy)
    }

    /// The deploy table over `memory` and `timeout` of [package.metadata.slim]
    /// (what `cargo slim run` and `bench` use), over the defaults.
    fn merged(raw: Raw, slim: Option<&serde_json::Value>) -> Deploy {
        let shared = |key: &str| {
            slim.and_then(|s| s.get(key))
                .and_then(serde_json::Value::as_u64)
                .and_then(|v| u32::try_from(v).ok())
        };
        let defaults = Deploy::default();
        Deploy {
            memory: raw
                .memory
                .or_else(|| shared("memory"))
                .unwrap_or(defaults.memory),
            timeout: raw
                .timeout
                .or_else(|| shared("timeout"))
                .unwrap_or(defaults.timeout),
            log_retention_days: raw
                .log_retention_days
                .unwrap_or(defaults.log_retention_days),
            alias: raw.alias.unwrap_or(defaults.alias),
        }
    }

    /// Lambda's and CloudWatch Logs' ranges: what is outside them, and a hint.
    fn check(&self) -> Result<(), (String, &'static str)> {
        if !(128..=10_240).contains(&self.memory) {
            return Err((
                format!(
                    "memory = {} is outside Lambda's 128 to 10240 MB",
                    self.memory
                ),
                "set memory in MB, e.g. memory = 128",
            ));
        }
        if !(1..=900).contains(&self.timeout) {
            return Err((
                format!(
                    "timeout = {} is outside Lambda's 1 to 900 seconds",
                    self.timeout
                ),
                "set timeout in seconds, e.g. timeout = 10",
            ));
        }
        if !RETENTIONS.contains(&self.log_retention_days) {
            return Err((
                format!("log-retention-days = {} is not a value CloudWatch Logs accepts", self.log_retention_days),
                "use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
            ));
        }
        // Lambda alias names: letters, digits, `-` and `_`, not only digits.
        let alias_ok = !self.alias.is_empty()
            && self.alias.len() <= 128
            && self
                .alias
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !self.alias.chars().all(|c| c.is_ascii_digit());
        if !alias_ok {
            return Err((
                format!(
                    "alias `{}` is not a Lambda alias name",
                    self.alias.escape_debug()
                ),
                "use letters, digits, `-` and `_`, e.g. alias = \"live\"",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_and_overrides() {
        let none = Deploy::from_package_metadata("f", &json!(null)).expect("defaults");
        assert_eq!(none, Deploy::default());
        let set = Deploy::from_package_metadata(
            "f",
            &json!({"slim": {"arch": ["arm64"], "deploy": {"memory": 256, "timeout": 30, "log-retention-days": 14, "alias": "prod"}}}),
        )
        .expect("valid");
        assert_eq!(
            (
                set.memory,
                set.timeout,
                set.log_retention_days,
                set.alias.as_str()
            ),
            (256, 30, 14, "prod")
        );
        let shared = Deploy::from_package_metadata(
            "f",
            &json!({"slim": {"memory": 512, "timeout": 20, "deploy": {"timeout": 30}}}),
        )
        .expect("valid");
        assert_eq!(
            (shared.memory, shared.timeout),
            (512, 30),
            "deploy wins, else the shared keys"
        );
    }

    #[test]
    fn refuses_values_lambda_refuses() {
        for deploy in [
            json!({"memory": 64}),
            json!({"timeout": 901}),
            json!({"log-retention-days": 2}),
            json!({"alias": "a\"b"}),
            json!({"alias": "123"}),
            json!({"memroy": 128}),
            json!({"memory": "128"}),
        ] {
            let err = Deploy::from_package_metadata("f", &json!({"slim": {"deploy": deploy}}))
                .expect_err("must refuse");
            assert!(
                err.to_string().contains("[package.metadata.slim.deploy]"),
                "{err}"
            );
            assert!(err.help().is_some());
        }
    }
}
