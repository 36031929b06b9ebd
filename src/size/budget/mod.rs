//! Budgets checked: a build's bootstrap and function.zip against the budgets in
//! force ([`crate::model::budget`]) and against Lambda's own hard limits, with the
//! crates that grew most when a baseline (the previous build's size.json, or
//! `--diff BASE`) is known. One [`BudgetVerdict`] serves the human message, the
//! `budget` field of the JSON documents and the markdown table ([`verdict`]); a
//! build's figures are checked here, a file `cargo slim size` read in
//! [`for_input`].

mod for_input;
mod verdict;

use serde::Serialize;

use super::delta::difference;
use crate::model::budget::{BudgetKind, Budgets};
use crate::model::target::{Arch, Target};

pub(crate) use for_input::for_input;
pub(crate) use verdict::{report_failures, BudgetStatus, BudgetVerdict, Check, LimitSource};

/// Lambda's limit on a function.zip uploaded directly (through the API, the CLI or
/// an SDK): "50 MB (zipped, for direct upload)" in the Lambda quotas page, which
/// the API enforces as 50 MiB of zip before base64 (its request limit is
/// 69,905,067 bytes = 50 MiB × 4/3).
pub(crate) const LAMBDA_ZIP_LIMIT: u64 = 50 * 1024 * 1024;
/// Lambda's limit on a function's unzipped code: "250 MB (unzipped)"; the API's
/// error says "Unzipped size must be smaller than 262144000 bytes" (250 MiB).
pub(crate) const LAMBDA_UNZIPPED_LIMIT: u64 = 250 * 1024 * 1024;

/// What to do when over budget.
pub(crate) const OVER_BUDGET_HINT: &str =
    "see where the bytes are with `cargo slim size --crates`, \
     how a crate got in with `cargo slim size --why CRATE`; or raise the budget (--budget, \
     [package.metadata.slim] budget)";

/// The sizes of one build to check.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Figures {
    /// The stripped executable.
    pub bootstrap: Option<u64>,
    pub zip: Option<u64>,
    /// Every file of the zip, uncompressed (bootstrap plus `--include` files).
    pub unzipped: Option<u64>,
}

/// A crate's change against the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Growth {
    #[serde(rename = "crate")]
    pub name: String,
    pub delta: i64,
}

/// Check `figures` of `target` (None: unknown, only rules for every target apply)
/// against `budgets` and Lambda's limits. `grew` is the baseline comparison, when
/// there is one.
pub(crate) fn check(
    target: Option<&Target>,
    budgets: &Budgets,
    figures: &Figures,
    baseline: Option<(String, Vec<Growth>)>,
) -> BudgetVerdict {
    check_for(
        target.map(|t| t.arch),
        target.map(|t| t.triple.as_str()),
        budgets,
        figures,
        baseline,
    )
}

/// [`check`] for a file whose target is known in part (see [`Budgets::limit_for`]).
pub(crate) fn check_for(
    arch: Option<Arch>,
    triple: Option<&str>,
    budgets: &Budgets,
    figures: &Figures,
    baseline: Option<(String, Vec<Growth>)>,
) -> BudgetVerdict {
    let mut checks = Vec::new();
    for (kind, figure) in [
        (BudgetKind::Bootstrap, figures.bootstrap),
        (BudgetKind::Zip, figures.zip),
    ] {
        let rule = budgets.limit_for(arch, triple, kind);
        if let (Some(rule), Some(bytes)) = (rule, figure) {
            let over_by = difference(bytes, rule.limit.bytes);
            checks.push(Check {
                kind,
                bytes,
                limit: rule.limit.bytes,
                limit_text: rule.limit.text.clone(),
                source: LimitSource::Budget(rule.source),
                over_by,
                over: over_by > 0,
            });
        }
    }
    let mut lambda_over = false;
    for (kind, figure, limit, text) in [
        (
            BudgetKind::Zip,
            figures.zip,
            LAMBDA_ZIP_LIMIT,
            "50 MiB zipped",
        ),
        (
            BudgetKind::Bootstrap,
            figures.unzipped.or(figures.bootstrap),
            LAMBDA_UNZIPPED_LIMIT,
            "250 MiB unzipped",
        ),
    ] {
        if let Some(bytes) = figure.filter(|b| *b > limit) {
            lambda_over = true;
            checks.push(Check {
                kind,
                bytes,
                limit,
                limit_text: text.into(),
                source: LimitSource::Lambda,
                over_by: difference(bytes, limit),
                over: true,
            });
        }
    }
    let any_budget = checks.iter().any(|c| c.source != LimitSource::Lambda);
    let budget_over = checks
        .iter()
        .any(|c| c.over && c.source != LimitSource::Lambda);
    let status = if budget_over || (lambda_over && any_budget) {
        BudgetStatus::Over
    } else if lambda_over {
        BudgetStatus::Warning
    } else if any_budget {
        BudgetStatus::Ok
    } else {
        BudgetStatus::None
    };
    let (baseline, grew) = match baseline {
        Some((name, grew)) => (Some(name), Some(grew)),
        None => (None, None),
    };
    BudgetVerdict {
        status,
        target: triple.map(str::to_string),
        checks,
        grew,
        baseline,
    }
}

/// The `n` crates that grew most from `old` to `new` (name, bytes rows), growth
/// only; `[unattributed]` (padding and literals, no crate) is left out.
pub(crate) fn growth(old: &[(String, u64)], new: &[(String, u64)], n: usize) -> Vec<Growth> {
    let mut out: Vec<Growth> = new
        .iter()
        .filter(|(name, _)| name != super::crates::UNATTRIBUTED)
        .map(|(name, bytes)| {
            let before = old.iter().find(|(o, _)| o == name).map_or(0, |(_, b)| *b);
            Growth {
                name: name.clone(),
                delta: difference(*bytes, before),
            }
        })
        .filter(|g| g.delta > 0)
        .collect();
    out.sort_by(|a, b| b.delta.cmp(&a.delta).then_with(|| a.name.cmp(&b.name)));
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::budget::BudgetRule;
    use crate::model::target::Libc;

    fn budgets(flags: &[&str]) -> Budgets {
        Budgets {
            rules: flags
                .iter()
                .map(|f| BudgetRule::parse_flag(f).unwrap())
                .collect(),
        }
    }

    #[test]
    fn over_and_under() {
        let t = Target::new(Arch::X86_64, Libc::Musl);
        let figures = Figures {
            bootstrap: Some(1_000_000),
            zip: Some(400_000),
            unzipped: Some(1_000_000),
        };
        let v = check(Some(&t), &budgets(&["zip=500KB"]), &figures, None);
        assert_eq!(v.status, BudgetStatus::Ok);
        assert!(!v.failed());
        let grew = vec![Growth {
            name: "regex".into(),
            delta: 300_000,
        }];
        let v = check(
            Some(&t),
            &budgets(&["bootstrap=900KiB", "zip=500KB"]),
            &figures,
            Some(("base".into(), grew)),
        );
        assert_eq!(v.status, BudgetStatus::Over);
        let lines = v.human_lines();
        assert_eq!(
            lines[0],
            "x86_64-unknown-linux-musl: bootstrap is 1,000,000 bytes, over its budget of \
             900KiB (--budget) by 78,400 bytes"
        );
        assert_eq!(lines[1], "grew most since base: regex +300,000");
        assert!(v.failed());
    }

    #[test]
    fn lambda_limits_warn_and_fail_with_a_budget() {
        let figures = Figures {
            bootstrap: Some(300 << 20),
            zip: Some(60 << 20),
            unzipped: None,
        };
        let v = check(None, &Budgets::default(), &figures, None);
        assert_eq!(v.status, BudgetStatus::Warning);
        assert_eq!(v.checks.len(), 2);
        let v = check(None, &budgets(&["bootstrap=1GiB"]), &figures, None);
        assert_eq!(v.status, BudgetStatus::Over);
        // The largest budget there can be: the difference is exact, not clamped
        // (a budget of u64::MAX gave i64::MIN; it is refused now).
        let huge = budgets(&["zip=9223372036854775807"]);
        let v = check(
            None,
            &huge,
            &Figures {
                zip: Some(1),
                ..figures
            },
            None,
        );
        assert_eq!(
            (v.checks[0].over, v.checks[0].over_by),
            (false, 1 - i64::MAX)
        );
    }

    #[test]
    fn growth_keeps_the_top_growers() {
        let row = |n: &str, b: u64| (n.to_string(), b);
        let old = [row("a", 10), row("b", 10), row("[unattributed]", 5)];
        let new = [
            row("a", 30),
            row("b", 5),
            row("c", 15),
            row("d", 1),
            row("e", 2),
            row("[unattributed]", 500),
        ];
        let g = growth(&old, &new, 3);
        let names: Vec<_> = g.iter().map(|g| (g.name.as_str(), g.delta)).collect();
        assert_eq!(names, [("a", 20), ("c", 15), ("e", 2)]);
    }
}
