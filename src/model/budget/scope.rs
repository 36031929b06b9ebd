//! Which targets a budget rule applies to: all, an architecture, or a triple.

use crate::model::invalid_value::shown;
use crate::model::target::Arch;

/// Which targets a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    All,
    Arch(Arch),
    Triple(String),
}

impl Scope {
    pub(super) fn parse(s: &str) -> Result<Scope, String> {
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

    pub(super) fn matches(&self, arch: Option<Arch>, triple: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Arch(a) => Some(*a) == arch,
            Scope::Triple(t) => Some(t.as_str()) == triple,
        }
    }

    /// ` for arm64`, ` for x86_64-unknown-linux-musl`, or nothing for every target.
    pub(super) fn for_text(&self) -> String {
        match self {
            Scope::All => String::new(),
            Scope::Arch(a) => format!(" for {a}"),
            Scope::Triple(t) => format!(" for {t}"),
        }
    }

    /// More specific scopes win over broader ones from the same source.
    pub(super) fn rank(&self) -> u8 {
        match self {
            Scope::Triple(_) => 0,
            Scope::Arch(_) => 1,
            Scope::All => 2,
        }
    }
}
