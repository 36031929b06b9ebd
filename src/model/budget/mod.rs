//! Size budgets, typed: `--budget zip=450KiB`, `--budget arm64:bootstrap=900KiB`
//! and `[package.metadata.slim] budget = { bootstrap = "900 KiB", zip = "450 KiB" }`
//! are all parsed here into [`BudgetRule`]s, with the same grammar, before any
//! command uses them.
//!
//! Here: what a rule limits, where it was written, the `--budget` grammar and
//! which rule wins; sizes in `byte_size.rs`, target scopes in `scope.rs`, the
//! metadata table in `table.rs`.

mod byte_size;
mod scope;
mod table;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::invalid_value::shown;
use crate::model::target::Arch;
pub(crate) use byte_size::{ByteSize, LARGEST_FILE};
pub(crate) use scope::Scope;
pub(crate) use table::BudgetTable;

/// What a budget limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BudgetKind {
    /// The stripped executable Lambda runs (what is unzipped on the host).
    Bootstrap,
    /// function.zip, what is uploaded.
    Zip,
}

impl BudgetKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BudgetKind::Bootstrap => "bootstrap",
            BudgetKind::Zip => "zip",
        }
    }

    pub(super) fn parse(s: &str) -> Option<BudgetKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bootstrap" => Some(BudgetKind::Bootstrap),
            "zip" | "function.zip" => Some(BudgetKind::Zip),
            _ => None,
        }
    }
}

impl fmt::Display for BudgetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a rule was written; the command line wins over the package's metadata,
/// which wins over the workspace's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) enum Source {
    #[serde(rename = "--budget")]
    CommandLine,
    #[serde(rename = "package.metadata.slim")]
    Package,
    #[serde(rename = "workspace.metadata.slim")]
    Workspace,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::CommandLine => "--budget",
            Source::Package => "[package.metadata.slim] budget",
            Source::Workspace => "[workspace.metadata.slim] budget",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BudgetRule {
    pub scope: Scope,
    pub kind: BudgetKind,
    pub limit: ByteSize,
    pub source: Source,
}

impl BudgetRule {
    /// One `--budget` value: `[TARGET:]KIND=SIZE`, or a bare `SIZE` (the bootstrap).
    pub(crate) fn parse_flag(value: &str) -> Result<BudgetRule, String> {
        let (scope_kind, size) = match value.split_once('=') {
            Some((left, size)) => (Some(left), size),
            None => (None, value),
        };
        let (scope, kind) = match scope_kind {
            None => (Scope::All, BudgetKind::Bootstrap),
            Some(left) => {
                let (scope, kind) = match left.rsplit_once(':') {
                    Some((scope, kind)) => (Scope::parse(scope)?, kind),
                    None => (Scope::All, left),
                };
                let kind = BudgetKind::parse(kind).ok_or_else(|| {
                    format!(
                        "`{}` is not a budget: write [TARGET:]bootstrap=SIZE or \
                         [TARGET:]zip=SIZE, e.g. zip=450KiB or arm64:bootstrap=1MiB",
                        shown(value)
                    )
                })?;
                (scope, kind)
            }
        };
        Ok(BudgetRule {
            scope,
            kind,
            limit: size.parse()?,
            source: Source::CommandLine,
        })
    }
}

/// Every `--budget` value parsed; a bad one is an error naming the flag (exit 2),
/// and so is one limit given twice (`zip=1KiB,zip=2KiB`: which was meant?).
pub(crate) fn parse_flags(flags: &[String]) -> anyhow::Result<Vec<BudgetRule>> {
    let invalid = |reason: String| crate::util::error::SlimError::InvalidSetting {
        setting: "--budget".into(),
        reason,
    };
    let mut rules: Vec<BudgetRule> = Vec::new();
    for flag in flags {
        let rule = BudgetRule::parse_flag(flag).map_err(invalid)?;
        if let Some(first) = rules
            .iter()
            .find(|r| r.scope == rule.scope && r.kind == rule.kind)
        {
            return Err(invalid(format!(
                "the {} budget{} is given twice ({} and {}): give it once",
                rule.kind.as_str(),
                rule.scope.for_text(),
                first.limit,
                rule.limit
            ))
            .into());
        }
        rules.push(rule);
    }
    Ok(rules)
}

/// Every budget rule in force, from all sources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Budgets {
    pub rules: Vec<BudgetRule>,
}

impl Budgets {
    /// The rule that decides `kind` for a target: the command line before the
    /// package before the workspace, and within one source a triple before an
    /// architecture before a rule for every target. The target may be known in
    /// part (a path given to `size`: its architecture from the ELF, the triple
    /// when it is a build's): rules for what is not known do not apply.
    pub(crate) fn limit_for(
        &self,
        arch: Option<Arch>,
        triple: Option<&str>,
        kind: BudgetKind,
    ) -> Option<&BudgetRule> {
        self.rules
            .iter()
            .filter(|r| r.kind == kind && r.scope.matches(arch, triple))
            .min_by_key(|r| (r.source, r.scope.rank()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::target::{Libc, Target};

    #[test]
    fn flags() {
        let r = BudgetRule::parse_flag("arm64:zip=450KiB").unwrap();
        assert_eq!(
            (r.scope, r.kind, r.limit.bytes),
            (Scope::Arch(Arch::Arm64), BudgetKind::Zip, 460_800)
        );
        let r = BudgetRule::parse_flag("1MB").unwrap();
        assert_eq!((r.scope, r.kind), (Scope::All, BudgetKind::Bootstrap));
        let r = BudgetRule::parse_flag("x86_64-unknown-linux-gnu:bootstrap=2MiB").unwrap();
        assert_eq!(r.scope, Scope::Triple("x86_64-unknown-linux-gnu".into()));
        assert!(BudgetRule::parse_flag("heap=1MB").is_err());
        assert!(BudgetRule::parse_flag("mips:zip=1MB").is_err());
    }

    #[test]
    fn precedence() {
        let table: BudgetTable = serde_json::from_str(
            r#"{"bootstrap": "900 KiB", "zip": 400000, "arm64": {"zip": "300 KB"}}"#,
        )
        .unwrap();
        let mut rules = table.rules(Source::Package).unwrap();
        rules.push(BudgetRule::parse_flag("bootstrap=1MB").unwrap());
        let budgets = Budgets { rules };
        let arm = Target::new(Arch::Arm64, Libc::Musl);
        let x86 = Target::new(Arch::X86_64, Libc::Musl);
        let limit = |t: &Target, k| {
            budgets
                .limit_for(Some(t.arch), Some(&t.triple), k)
                .unwrap()
                .limit
                .bytes
        };
        assert_eq!(limit(&arm, BudgetKind::Bootstrap), 1_000_000);
        assert_eq!(limit(&arm, BudgetKind::Zip), 300_000);
        assert_eq!(limit(&x86, BudgetKind::Zip), 400_000);
        let bad: BudgetTable = serde_json::from_str(r#"{"heap": "1MB"}"#).unwrap();
        assert!(bad.rules(Source::Package).is_err());
    }
}
