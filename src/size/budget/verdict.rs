//! The budget verdict for one target and how it reads: the lines on stderr,
//! the block of a build's summary, and the exit code.

use serde::Serialize;

use super::{Growth, OVER_BUDGET_HINT};
use crate::model::budget::{BudgetKind, Source};
use crate::output::OutputFile;
use crate::ui::table::bytes;
use crate::util::error::Exit;

/// Where a limit comes from: a budget the user set, or a hard limit of the
/// service. Serialized as `--budget`, `package.metadata.slim`,
/// `workspace.metadata.slim` or `lambda`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitSource {
    Budget(Source),
    Lambda,
}

impl LimitSource {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LimitSource::Budget(Source::CommandLine) => "--budget",
            LimitSource::Budget(Source::Package) => "package.metadata.slim",
            LimitSource::Budget(Source::Workspace) => "workspace.metadata.slim",
            LimitSource::Lambda => "lambda",
        }
    }
}

impl std::fmt::Display for LimitSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LimitSource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The outcome of the budget check for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BudgetStatus {
    /// Every budget met.
    Ok,
    /// A budget, or a Lambda limit with a budget set, exceeded.
    Over,
    /// A Lambda limit exceeded, no budget set.
    Warning,
    /// No budget set and within Lambda's limits.
    None,
}

/// One budget compared with its figure.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Check {
    /// `bootstrap` or `zip`.
    pub kind: BudgetKind,
    pub bytes: u64,
    pub limit: u64,
    /// The budget as written (`900 KiB`).
    pub limit_text: String,
    /// Where the limit comes from.
    pub source: LimitSource,
    /// `bytes - limit`: positive when over.
    pub over_by: i64,
    pub over: bool,
}

/// The outcome for one target.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BudgetVerdict {
    pub status: BudgetStatus,
    /// The target, when known.
    pub target: Option<String>,
    /// The budgets set, then any Lambda limit exceeded.
    pub checks: Vec<Check>,
    /// The three crates that grew most since the baseline (only growth), when
    /// there is a baseline.
    pub grew: Option<Vec<Growth>>,
    /// What the growth is measured against.
    pub baseline: Option<String>,
}

impl BudgetVerdict {
    pub(crate) fn failed(&self) -> bool {
        self.status == BudgetStatus::Over
    }

    /// The lines a person reads: one per exceeded check, then the growth.
    pub(crate) fn human_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let prefix = self
            .target
            .as_ref()
            .map(|t| format!("{t}: "))
            .unwrap_or_default();
        for c in self.checks.iter().filter(|c| c.over) {
            let what = if c.source == LimitSource::Lambda {
                format!("Lambda's limit of {}", c.limit_text)
            } else {
                format!("its budget of {} ({})", c.limit_text, c.source)
            };
            lines.push(format!(
                "{prefix}{} is {} bytes, over {what} by {} bytes",
                c.kind_label(),
                bytes(c.bytes),
                bytes(c.over_by.unsigned_abs())
            ));
        }
        if self.checks.iter().any(|c| c.over) {
            lines.extend(self.growth_line());
        }
        lines
    }

    /// The budget lines of a summary block: each check with its figure, then the
    /// growth when something is over. Lines start with `indent`.
    pub(crate) fn block(&self, indent: &str) -> String {
        let mut out = String::new();
        for c in &self.checks {
            let of = if c.source == LimitSource::Lambda {
                format!("Lambda's limit of {}", c.limit_text)
            } else {
                format!("{} ({} bytes, {})", c.limit_text, bytes(c.limit), c.source)
            };
            out.push_str(&format!(
                "{indent}budget        {} {} of {of}: {}\n",
                c.kind,
                bytes(c.bytes),
                if c.over { "OVER" } else { "ok" }
            ));
        }
        if self.checks.iter().any(|c| c.over) {
            if let Some(line) = self.growth_line() {
                out.push_str(&format!("{indent}              {line}\n"));
            }
        }
        out
    }

    /// The crates that grew most since the baseline, when there is one.
    pub(crate) fn growth_line(&self) -> Option<String> {
        let (grew, base) = (self.grew.as_ref()?, self.baseline.as_ref()?);
        if grew.is_empty() {
            return Some(format!("no crate grew since {base}"));
        }
        let list: Vec<String> = grew
            .iter()
            .map(|g| format!("{} +{}", g.name, bytes(g.delta.unsigned_abs())))
            .collect();
        Some(format!("grew most since {base}: {}", list.join(", ")))
    }
}

impl Check {
    fn kind_label(&self) -> &'static str {
        match (self.kind, self.source) {
            (BudgetKind::Bootstrap, LimitSource::Lambda) => "the unzipped function",
            (BudgetKind::Bootstrap, _) => OutputFile::Bootstrap.name(),
            (BudgetKind::Zip, _) => OutputFile::Zip.name(),
        }
    }
}

/// Print every failed verdict on stderr — `error: over budget: …` and what to do
/// next — and every Lambda limit exceeded without a budget as a warning; give the
/// exit code: [`Exit::CheckFailed`] when any failed. Over budget is an outcome of
/// the check, not an error, so the command returns it.
pub(crate) fn report_failures<'a>(verdicts: impl IntoIterator<Item = &'a BudgetVerdict>) -> Exit {
    let mut failed = false;
    for v in verdicts {
        let lines = v.human_lines().join("; ");
        if v.failed() {
            failed = true;
            crate::ui::eprintln_error(&format!(
                "error: over budget: {lines}\n  help: {OVER_BUDGET_HINT}"
            ));
        } else if v.status == BudgetStatus::Warning {
            crate::ui::eprintln_error(&format!(
                "warning: {lines}\n  help: Lambda takes a zip over 50 MiB only through \
                 S3, and nothing over 250 MiB unzipped: ship that as a container image"
            ));
        }
    }
    if failed {
        Exit::CheckFailed
    } else {
        Exit::Success
    }
}
