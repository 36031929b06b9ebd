//! `[package.metadata.slim.deploy]`: what the infrastructure files say about a
//! function that its build does not (memory, timeout, log retention, alias).

use serde::Deserialize;

use crate::model::function_limits::Limit;
use crate::util::error::SlimError;

/// A valid value to show in a hint.
fn limit_example(limit: Limit) -> u32 {
    match limit {
        Limit::Memory => 128,
        Limit::Timeout => 10,
    }
}

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
    /// Raw: parsed by the one parser of memory and timeout.
    memory: Option<serde_json::Value>,
    timeout: Option<serde_json::Value>,
    log_retention_days: Option<u32>,
    alias: Option<String>,
}

const KEYS: &str = "memory (MB), timeout (s), log-retention-days, alias";

impl Deploy {
    /// From a package's `metadata` (cargo metadata's JSON): its `slim.deploy` table
    /// over the `memory` and `timeout` that `run` and `bench` use (the package's
    /// `[package.metadata.slim]`, else the workspace's), over the defaults.
    pub(crate) fn from_package_metadata(
        package: &str,
        metadata: &serde_json::Value,
        workspace_metadata: &serde_json::Value,
    ) -> Result<Deploy, SlimError> {
        let invalid = |place: &str, reason: String, help: String| SlimError::InvalidDeploySetting {
            place: format!("[{place}] of `{package}`"),
            reason,
            help,
        };
        let deploy_place = "package.metadata.slim.deploy";
        let raw: Raw = match metadata.get("slim").and_then(|s| s.get("deploy")) {
            None | Some(serde_json::Value::Null) => Raw::default(),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|e| invalid(deploy_place, e.to_string(), format!("known keys: {KEYS}")))?,
        };
        let defaults = Deploy::default();
        // The deploy table's value, else the shared one, parsed as `run` parses it.
        let limit = |limit: Limit, key: &str, own: &Option<serde_json::Value>| {
            let shared = [
                (metadata, "package.metadata.slim"),
                (workspace_metadata, "workspace.metadata.slim"),
            ]
            .into_iter()
            .find_map(|(m, place)| Some((m.get("slim")?.get(key)?.clone(), place)));
            let found = own.clone().map(|v| (v, deploy_place)).or(shared);
            found
                .map(|(value, place)| {
                    limit.parse_json(&value).map_err(|e| {
                        invalid(
                            place,
                            format!("{key}: {e}"),
                            format!("e.g. {key} = {}", limit_example(limit)),
                        )
                    })
                })
                .transpose()
        };
        let deploy = Deploy {
            memory: limit(Limit::Memory, "memory", &raw.memory)?.unwrap_or(defaults.memory),
            timeout: limit(Limit::Timeout, "timeout", &raw.timeout)?.unwrap_or(defaults.timeout),
            log_retention_days: raw
                .log_retention_days
                .unwrap_or(defaults.log_retention_days),
            alias: raw.alias.unwrap_or(defaults.alias),
        };
        deploy
            .check()
            .map_err(|(reason, help)| invalid(deploy_place, reason, help.to_string()))?;
        Ok(deploy)
    }

    /// CloudWatch Logs' retentions and Lambda's alias names: what is outside
    /// them, and a hint.
    fn check(&self) -> Result<(), (String, &'static str)> {
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
        let none =
            Deploy::from_package_metadata("f", &json!(null), &json!(null)).expect("defaults");
        assert_eq!(none, Deploy::default());
        let set = Deploy::from_package_metadata(
            "f",
            &json!({"slim": {"arch": ["arm64"], "deploy": {"memory": 256, "timeout": 30, "log-retention-days": 14, "alias": "prod"}}}),
            &json!(null),
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
            &json!({"slim": {"memory": 1024}}),
        )
        .expect("valid");
        assert_eq!(
            (shared.memory, shared.timeout),
            (512, 30),
            "deploy wins, else the shared keys"
        );
    }

    #[test]
    fn the_shared_memory_and_timeout_are_parsed_as_run_parses_them() {
        // The workspace's table is the fallback, as for `run`.
        let ws =
            Deploy::from_package_metadata("f", &json!(null), &json!({"slim": {"memory": 2048}}))
                .expect("valid");
        assert_eq!(ws.memory, 2048);
        // (Every kind of bad value: model/function_limits.rs.)
        for bad in [json!("2048"), json!(-1)] {
            let err =
                Deploy::from_package_metadata("f", &json!({"slim": {"memory": bad}}), &json!(null))
                    .expect_err("must refuse");
            let text = err.to_string();
            assert!(text.contains("[package.metadata.slim] of `f`"), "{text}");
            assert!(text.contains("128–10240"), "{text}");
        }
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
            let err = Deploy::from_package_metadata(
                "f",
                &json!({"slim": {"deploy": deploy}}),
                &json!(null),
            )
            .expect_err("must refuse");
            assert!(
                err.to_string().contains("[package.metadata.slim.deploy]"),
                "{err}"
            );
            assert!(err.help().is_some());
        }
    }
}
