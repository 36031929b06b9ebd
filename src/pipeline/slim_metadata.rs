//! `[package.metadata.slim]` and `[workspace.metadata.slim]`: the defaults a
//! function's Cargo.toml may set. Values are raw here; [`MetadataTables`] hands
//! each to the same `FromStr` parser the command line uses, and an error names
//! the table and key (`invalid [package.metadata.slim] cpu: …`).

use anyhow::Result;
use serde::Deserialize;

use crate::model::budget::{BudgetRule, BudgetTable, Source};
use crate::util::error::SlimError;

/// `[package.metadata.slim]` and `[workspace.metadata.slim]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct SlimMetadata {
    pub arch: Option<OneOrMany>,
    pub libc: Option<String>,
    pub target: Option<OneOrMany>,
    pub runtime: Option<String>,
    pub opt_level: Option<toml_like::Scalar>,
    pub cpu: Option<String>,
    pub build_std: Option<bool>,
    pub panic: Option<String>,
    pub linker: Option<String>,
    pub include: Option<Vec<String>>,
    pub preflight: Option<bool>,
    pub audit_data: Option<bool>,
    pub image: Option<bool>,
    pub budget: Option<BudgetTable>,
    /// Defaults of `cargo slim run` / `bench`: Lambda memory size (MB), timeout (s).
    pub memory: Option<u32>,
    pub timeout: Option<u64>,
    /// `[package.metadata.slim.deploy]`: read by `cargo slim generate`, not the
    /// build, which accepts it and looks no further.
    #[serde(rename = "deploy")]
    _deploy: Option<serde::de::IgnoredAny>,
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

pub(crate) mod toml_like {
    use serde::Deserialize;

    /// `opt-level = 3` and `opt-level = "z"` are both valid, as in Cargo.toml.
    #[derive(Debug, Clone, Deserialize)]
    #[serde(untagged)]
    pub(crate) enum Scalar {
        Int(i64),
        Str(String),
    }

    impl Scalar {
        pub(crate) fn to_string_value(&self) -> String {
            match self {
                Scalar::Int(i) => i.to_string(),
                Scalar::Str(s) => s.clone(),
            }
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
            .map(|v| ("package.metadata.slim", v))
            .or_else(|| get(&self.workspace).map(|v| ("workspace.metadata.slim", v)))
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

    /// The `budget` rules of both tables (the package's before the workspace's:
    /// [`crate::model::budget::Budgets::limit`] ranks them by source).
    pub(crate) fn budget_rules(&self) -> Result<Vec<BudgetRule>> {
        let mut rules = Vec::new();
        for (table, source, place) in [
            (&self.package, Source::Package, "package.metadata.slim"),
            (
                &self.workspace,
                Source::Workspace,
                "workspace.metadata.slim",
            ),
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

fn slim_metadata(value: &serde_json::Value, place: &str) -> Result<SlimMetadata> {
    match value.get("slim") {
        None | Some(serde_json::Value::Null) => Ok(SlimMetadata::default()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            SlimError::InvalidMetadataTable {
                place: place.into(),
                reason: e.to_string(),
            }
            .into()
        }),
    }
}
