//! The budget verdict for a file `cargo slim size` analysed: which bootstrap
//! and zip it stands for, and which target.

use super::{check_for, growth, BudgetStatus, BudgetVerdict, Figures};
use crate::model::budget::Budgets;
use crate::model::target::Arch;
use crate::output::{OutputDir, OutputFile, BOOTSTRAP};
use crate::size::baseline::Loaded;
use crate::size::input::Input;

/// The verdict for a file `cargo slim size` analysed (`None` when no budget is
/// set and Lambda's limits are met). The shipped bootstrap is the stripped twin
/// when there is one (or the file itself when it is stripped); the zip is the one
/// the file came from, or the `function.zip` of the build directory it is in. The
/// target is the ELF's architecture, and the triple when the file sits in a
/// build's `<triple>/` directory.
pub(crate) fn for_input(
    loaded: &Loaded,
    budgets: &Budgets,
    baseline: Option<&Loaded>,
) -> Option<BudgetVerdict> {
    let (input, analysis) = (&loaded.input, &loaded.analysis);
    let (bootstrap, zip, recorded_triple) = match &loaded.report {
        // A size.json says what was shipped.
        Some(r) => (r.bootstrap_bytes, r.zip_bytes, r.target.clone()),
        None => (
            match &input.pair {
                Some(pair) => Some(pair.stripped_bytes),
                None => analysis.stripped.then_some(analysis.file_bytes),
            },
            zip_of(input),
            None,
        ),
    };
    let arch = Arch::from_triple(&analysis.format.machine);
    let dir_triple = input
        .path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .filter(|n| n.contains("-linux-") && Arch::from_triple(n) == arch)
        .map(str::to_string);
    let triple = recorded_triple
        .or_else(|| input.label.clone())
        .or(dir_triple);
    let growth = baseline.map(|b| {
        let new: Vec<(String, u64)> = analysis
            .crates
            .iter()
            .flat_map(|c| c.rows.iter().map(|r| (r.name.clone(), r.bytes)))
            .collect();
        (
            b.input.path.display().to_string(),
            growth(&b.crate_sizes(), &new, 3),
        )
    });
    let figures = Figures {
        bootstrap,
        zip,
        unzipped: None,
    };
    let verdict = check_for(arch, triple.as_deref(), budgets, &figures, growth);
    (verdict.status != BudgetStatus::None).then_some(verdict)
}

/// The zip a file came from (`x.zip!bootstrap`), or the `function.zip` of the
/// build directory it is in.
fn zip_of(input: &Input) -> Option<u64> {
    let shown = input.path.to_string_lossy();
    match shown.strip_suffix(&format!("!{BOOTSTRAP}")) {
        Some(zip) => std::fs::metadata(zip).ok(),
        None => {
            let name = input.path.file_name().and_then(|n| n.to_str());
            let executable = matches!(
                name.and_then(OutputFile::named),
                Some(OutputFile::Bootstrap | OutputFile::Unstripped)
            );
            executable
                .then(|| OutputDir::beside(&input.path))
                .flatten()
                .and_then(|dir| std::fs::metadata(dir.unlocked(OutputFile::Zip)).ok())
        }
    }
    .filter(|m| m.is_file())
    .map(|m| m.len())
}
