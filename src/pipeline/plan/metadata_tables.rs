//! `[package.metadata.slim]` and `[workspace.metadata.slim]`: the defaults a
//! function's Cargo.toml may set. The build options' keys are the settings
//! table's (`model/options/table.rs`): their values go, as given, to the same
//! parser the command line's do. The other keys (targets, runtime, budgets,
//! `run`'s defaults, `generate`'s deploy table) are typed here. An error names
//! the table and key (`invalid [package.metadata.slim] cpu: …`).

use std::path::Path;

use anyhow::Result;
use serde::Deserialize;

use crate::model::budget::{BudgetRule, BudgetTable, Source};
use crate::model::function_limits::Limit;
use crate::model::options::{self, GivenValue, Layer, Paths, SETTINGS};
use crate::util::error::SlimError;

/// The keys of a table that are not build options, as `help` lists them.
const OTHER_KEYS: &[&str] = &[
    "arch",
    "libc",
    "target",
    "runtime",
    "budget",
    "memory",
    "timeout",
    "concurrency",
    "ephemeral-storage",
    "deploy",
];

/// `[package.metadata.slim]` and `[workspace.metadata.slim]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct SlimMetadata {
    pub arch: Option<OneOrMany>,
    pub libc: Option<String>,
    pub target: Option<OneOrMany>,
    pub runtime: Option<String>,
    pub budget: Option<BudgetTable>,
    /// Defaults of `cargo slim run` / `bench` (and `generate`): Lambda memory
    /// size (MB), timeout (s). Raw: [`MetadataTables::limit`] parses them with
    /// the one parser of both.
    pub memory: Option<serde_json::Value>,
    pub timeout: Option<serde_json::Value>,
    /// Lambda Managed Instances: invocations at once per environment.
    pub concurrency: Option<u32>,
    /// The size of `/tmp`, MB.
    pub ephemeral_storage: Option<u32>,
    /// `[package.metadata.slim.deploy]`: read by `cargo slim generate`, not the
    /// build, which accepts it and looks no further.
    #[serde(rename = "deploy")]
    _deploy: Option<serde::de::IgnoredAny>,
    /// The build options (the settings table's keys) and anything unknown.
    #[serde(flatten)]
    options: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => s.split(',').map(|p| p.trim().to_string()).collect(),
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// Where each setting of `[*.metadata.slim]` comes from: the package's table,
/// else the workspace's. Values are parsed by the same `FromStr` as the command
/// line; an error names the table and key.
pub(crate) struct MetadataTables {
    package: SlimMetadata,
    workspace: SlimMetadata,
}

impl MetadataTables {
    /// Both tables, from the package's and the workspace's `metadata` values.
    pub(crate) fn read(package: &serde_json::Value, workspace: &serde_json::Value) -> Result<Self> {
        Ok(MetadataTables {
            package: slim_metadata(package, "package.metadata.slim")?,
            workspace: slim_metadata(workspace, "workspace.metadata.slim")?,
        })
    }

    /// The first table that sets `key`, its name and the raw value.
    pub(crate) fn pick<T>(
        &self,
        get: impl Fn(&SlimMetadata) -> Option<T>,
    ) -> Option<(&'static str, T)> {
        get(&self.package)
            .map(|v| (PACKAGE, v))
            .or_else(|| get(&self.workspace).map(|v| (WORKSPACE, v)))
    }

    /// `key` parsed with `FromStr`, if a table sets it.
    pub(crate) fn parse<T: std::str::FromStr>(
        &self,
        key: &str,
        get: impl Fn(&SlimMetadata) -> Option<String>,
    ) -> Result<Option<T>>
    where
        T::Err: std::fmt::Display,
    {
        self.pick(get)
            .map(|(place, raw)| raw.parse::<T>().map_err(|e| metadata_error(place, key, e)))
            .transpose()
    }

    /// The build options each table sets, as given: the package's (paths in it
    /// relative to `package_dir`), then the workspace's.
    pub(crate) fn option_layers(&self, package_dir: &Path, workspace_root: &Path) -> Vec<Layer> {
        [
            (&self.package, PACKAGE, package_dir),
            (&self.workspace, WORKSPACE, workspace_root),
        ]
        .into_iter()
        .map(|(table, place, base)| Layer {
            source: options::Source::Metadata(place),
            paths: Paths::new(base, workspace_root),
            values: table
                .options
                .iter()
                .filter_map(|(key, value)| {
                    let row = options::by_key(key)?;
                    Some((row.field, given(value)))
                })
                .collect(),
        })
        .collect()
    }

    /// `memory` or `timeout`, if a table sets it, parsed as every command parses it.
    pub(crate) fn limit(&self, limit: Limit) -> Result<Option<u32>> {
        let (key, picked) = match limit {
            Limit::Memory => ("memory", self.pick(|m| m.memory.clone())),
            Limit::Timeout => ("timeout", self.pick(|m| m.timeout.clone())),
        };
        picked
            .map(|(place, raw)| {
                limit
                    .parse_json(&raw)
                    .map_err(|e| metadata_error(place, key, e))
            })
            .transpose()
    }

    /// The `budget` rules of both tables (the package's before the workspace's:
    /// [`crate::model::budget::Budgets::limit`] ranks them by source).
    pub(crate) fn budget_rules(&self) -> Result<Vec<BudgetRule>> {
        let mut rules = Vec::new();
        for (table, source, place) in [
            (&self.package, Source::Package, PACKAGE),
            (&self.workspace, Source::Workspace, WORKSPACE),
        ] {
            if let Some(budget) = &table.budget {
                rules.extend(
                    budget
                        .rules(source)
                        .map_err(|reason| metadata_error(place, "budget", reason))?,
                );
            }
        }
        Ok(rules)
    }
}

/// A value of `[place] key` that does not parse.
pub(crate) fn metadata_error(place: &str, key: &str, err: impl std::fmt::Display) -> anyhow::Error {
    SlimError::InvalidMetadataValue {
        place: place.into(),
        key: key.into(),
        reason: err.to_string(),
    }
    .into()
}

const PACKAGE: &str = "package.metadata.slim";
const WORKSPACE: &str = "workspace.metadata.slim";

fn slim_metadata(value: &serde_json::Value, place: &str) -> Result<SlimMetadata> {
    let invalid = |reason: String| SlimError::InvalidMetadataTable {
        place: place.into(),
        reason,
        known: known_keys(),
    };
    let table: SlimMetadata = match value.get("slim") {
        None | Some(serde_json::Value::Null) => return Ok(SlimMetadata::default()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| invalid(e.to_string()))?,
    };
    if let Some(unknown) = table.options.keys().find(|k| options::by_key(k).is_none()) {
        return Err(invalid(format!("unknown key `{}`", shown(unknown))).into());
    }
    Ok(table)
}

/// Every key a table may set, for the error that lists them.
fn known_keys() -> String {
    let options = SETTINGS.iter().map(|s| s.key);
    let all: Vec<&str> = OTHER_KEYS[..4]
        .iter()
        .copied()
        .chain(options)
        .chain(OTHER_KEYS[4..].iter().copied())
        .collect();
    all.join(", ")
}

/// A TOML value as a setting's parser takes it: a string (a number as its
/// digits: `opt-level = 3`), a bool, or a list of strings. Anything else is
/// handed on as text its parser refuses, shown as TOML would show it.
fn given(value: &serde_json::Value) -> GivenValue {
    use serde_json::Value;
    match value {
        Value::String(s) => GivenValue::Text(s.clone()),
        Value::Bool(b) => GivenValue::Bool(*b),
        Value::Number(n) => GivenValue::Text(n.to_string()),
        Value::Array(items) if items.iter().all(Value::is_string) => GivenValue::List(
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
        ),
        other => GivenValue::Text(other.to_string()),
    }
}

fn shown(key: &str) -> String {
    crate::model::invalid_value::shown(key)
}
