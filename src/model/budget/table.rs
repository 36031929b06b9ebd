//! `[*.metadata.slim] budget` as written in Cargo.toml, and the rules it makes.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{BudgetKind, BudgetRule, ByteSize, Scope, Source};
use crate::model::invalid_value::shown;

/// `[*.metadata.slim] budget`, as written: `{ bootstrap = "900 KiB", zip = "450
/// KiB", arm64 = { zip = "400 KiB" } }`. Sizes may be strings with a unit or a
/// number of bytes. Turned into rules by [`BudgetTable::rules`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub(crate) struct BudgetTable(BTreeMap<String, BudgetEntry>);

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum BudgetEntry {
    Bytes(u64),
    Text(String),
    Target(BTreeMap<String, SizeValue>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum SizeValue {
    Bytes(u64),
    Text(String),
}

impl SizeValue {
    fn parse(&self) -> Result<ByteSize, String> {
        match self {
            SizeValue::Bytes(b) => Ok(ByteSize {
                bytes: *b,
                text: format!("{b} B"),
            }),
            SizeValue::Text(t) => t.parse(),
        }
    }
}

impl BudgetTable {
    /// The rules of this table; errors name the key.
    pub(crate) fn rules(&self, source: Source) -> Result<Vec<BudgetRule>, String> {
        let mut rules = Vec::new();
        let mut push = |scope: Scope, key: &str, value: &SizeValue| -> Result<(), String> {
            let kind = BudgetKind::parse(key).ok_or_else(|| {
                format!(
                    "unknown key `{}`; use bootstrap, zip, or a target (arm64, x86_64, a \
                     triple) holding them",
                    shown(key)
                )
            })?;
            let limit = value.parse().map_err(|e| format!("{key}: {e}"))?;
            rules.push(BudgetRule {
                scope,
                kind,
                limit,
                source,
            });
            Ok(())
        };
        for (key, entry) in &self.0 {
            match entry {
                BudgetEntry::Bytes(b) => push(Scope::All, key, &SizeValue::Bytes(*b))?,
                BudgetEntry::Text(t) => push(Scope::All, key, &SizeValue::Text(t.clone()))?,
                BudgetEntry::Target(inner) => {
                    let scope = Scope::parse(key)?;
                    for (kind, value) in inner {
                        push(scope.clone(), kind, value)?;
                    }
                }
            }
        }
        Ok(rules)
    }
}
