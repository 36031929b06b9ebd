//! Size budgets, typed: `--budget zip=450KiB`, `--budget arm64:bootstrap=900KiB`
//! and `[package.metadata.slim] budget = { bootstrap = "900 KiB", zip = "450 KiB" }`
//! are all parsed here into [`BudgetRule`]s, with the same grammar, before any
//! command uses them.
//!
//! Units follow the usual convention: `KB`/`MB`/`GB` are powers of 1000, `KiB`/
//! `MiB`/`GiB` powers of 1024, `B` (or no unit) bytes. A decimal point is allowed
//! (`1.5MiB`); the result is rounded down to whole bytes. (Over 400 lines with its
//! tests: the flag and table grammars share the size and target parsers.)

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::options::shown;
use crate::model::target::{Arch, Target};

/// A number of bytes, as written with a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteSize {
    pub bytes: u64,
    /// As the user wrote it (`900 KiB`), for messages.
    pub text: String,
}

const UNITS: &[(&str, u64)] = &[
    ("b", 1),
    ("kb", 1_000),
    ("kib", 1 << 10),
    ("mb", 1_000_000),
    ("mib", 1 << 20),
    ("gb", 1_000_000_000),
    ("gib", 1 << 30),
];

impl FromStr for ByteSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let bad = || {
            format!(
                "`{}` is not a size: write a number and a unit, e.g. 900KiB, 1.5MB or \
                 500000 (units B, KB, KiB, MB, MiB, GB, GiB)",
                shown(s)
            )
        };
        if text.is_empty() || text.len() > 40 {
            return Err(bad());
        }
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let unit = unit.trim().to_ascii_lowercase();
        let factor = if unit.is_empty() {
            1
        } else {
            UNITS
                .iter()
                .find(|(name, _)| *name == unit)
                .map(|(_, f)| *f)
                .ok_or_else(bad)?
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() || fraction.contains('.') || fraction.len() > 6 {
            return Err(bad());
        }
        let whole: u64 = whole.parse().map_err(|_| bad())?;
        // Fraction as millionths, so 1.5MiB is exact and 0.1KB is 100 bytes.
        let millionths: u64 = if fraction.is_empty() {
            0
        } else {
            format!("{fraction:0<6}").parse().map_err(|_| bad())?
        };
        let bytes = whole
            .checked_mul(factor)
            .and_then(|b| b.checked_add(millionths.checked_mul(factor)? / 1_000_000))
            .ok_or_else(bad)?;
        Ok(ByteSize {
            bytes,
            text: text.to_string(),
        })
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What a budget limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetKind {
    /// The stripped executable Lambda runs (what is unzipped on the host).
    Bootstrap,
    /// function.zip, what is uploaded.
    Zip,
}

impl BudgetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetKind::Bootstrap => "bootstrap",
            BudgetKind::Zip => "zip",
        }
    }

    fn parse(s: &str) -> Option<BudgetKind> {
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

/// Which targets a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Arch(Arch),
    Triple(String),
}

impl Scope {
    fn parse(s: &str) -> Result<Scope, String> {
        let s = s.trim();
        if let Ok(arch) = s.parse::<Arch>() {
            return Ok(Scope::Arch(arch));
        }
        let triple_ok = s.len() <= 80
            && s.split('-').count() >= 3
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if triple_ok {
            Ok(Scope::Triple(s.to_string()))
        } else {
            Err(format!(
                "`{}` is not a target: use arm64, x86_64 or a target triple",
                shown(s)
            ))
        }
    }

    fn matches(&self, arch: Option<Arch>, triple: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Arch(a) => Some(*a) == arch,
            Scope::Triple(t) => Some(t.as_str()) == triple,
        }
    }

    /// More specific scopes win over broader ones from the same source.
    fn rank(&self) -> u8 {
        match self {
            Scope::Triple(_) => 0,
            Scope::Arch(_) => 1,
            Scope::All => 2,
        }
    }
}

/// Where a rule was written; the command line wins over the package's metadata,
/// which wins over the workspace's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Source {
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
pub struct BudgetRule {
    pub scope: Scope,
    pub kind: BudgetKind,
    pub limit: ByteSize,
    pub source: Source,
}

impl BudgetRule {
    /// One `--budget` value: `[TARGET:]KIND=SIZE`, or a bare `SIZE` (the bootstrap).
    pub fn parse_flag(value: &str) -> Result<BudgetRule, String> {
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

/// Every `--budget` value parsed; a bad one is an error naming the flag (exit 2).
pub fn parse_flags(flags: &[String]) -> anyhow::Result<Vec<BudgetRule>> {
    flags
        .iter()
        .map(|f| {
            BudgetRule::parse_flag(f).map_err(|reason| {
                crate::util::error::SlimError::InvalidSetting {
                    setting: "--budget".into(),
                    reason,
                }
                .into()
            })
        })
        .collect()
}

/// `[*.metadata.slim] budget`, as written: `{ bootstrap = "900 KiB", zip = "450
/// KiB", arm64 = { zip = "400 KiB" } }`. Sizes may be strings with a unit or a
/// number of bytes. Turned into rules by [`BudgetTable::rules`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct BudgetTable(BTreeMap<String, BudgetEntry>);

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum BudgetEntry {
    Bytes(u64),
    Text(String),
    Target(BTreeMap<String, SizeValue>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SizeValue {
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
    pub fn rules(&self, source: Source) -> Result<Vec<BudgetRule>, String> {
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

/// Every budget rule in force, from all sources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Budgets {
    pub rules: Vec<BudgetRule>,
}

impl Budgets {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule that decides `kind` for `target`: the command line before the
    /// package before the workspace, and within one source a triple before an
    /// architecture before a rule for every target.
    pub fn limit(&self, target: &Target, kind: BudgetKind) -> Option<&BudgetRule> {
        self.limit_for(Some(target.arch), Some(&target.triple), kind)
    }

    /// [`Budgets::limit`] for a file whose target is known in part (a path given
    /// to `size`: its architecture from the ELF, the triple when it is a build's):
    /// rules for what is not known do not apply.
    pub fn limit_for(
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
    use crate::model::target::Libc;

    fn size(s: &str) -> u64 {
        s.parse::<ByteSize>().unwrap().bytes
    }

    #[test]
    fn units() {
        assert_eq!(size("900"), 900);
        assert_eq!(size("900 B"), 900);
        assert_eq!(size("900KB"), 900_000);
        assert_eq!(size("900 KiB"), 921_600);
        assert_eq!(size("1.5MiB"), 1_572_864);
        assert_eq!(size("0.1kb"), 100);
        assert_eq!(size("50 MB"), 50_000_000);
        assert_eq!(size("1 GiB"), 1 << 30);
        for bad in [
            "",
            "KiB",
            "1.2.3MB",
            "12 furlongs",
            "-5KB",
            "1e3",
            "99999999999999999999GB",
        ] {
            assert!(bad.parse::<ByteSize>().is_err(), "{bad}");
        }
    }

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
        let limit = |t: &Target, k| budgets.limit(t, k).unwrap().limit.bytes;
        assert_eq!(limit(&arm, BudgetKind::Bootstrap), 1_000_000);
        assert_eq!(limit(&arm, BudgetKind::Zip), 300_000);
        assert_eq!(limit(&x86, BudgetKind::Zip), 400_000);
        let bad: BudgetTable = serde_json::from_str(r#"{"heap": "1MB"}"#).unwrap();
        assert!(bad.rules(Source::Package).is_err());
    }
}
