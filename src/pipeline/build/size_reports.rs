//! This build's size report (`size.json`), the previous build's, and the size
//! budgets checked against them.

use anyhow::Result;

use crate::model::budget::Budgets;
use crate::model::target::Target;
use crate::output::{Locked, OutputFile};
use crate::pipeline::package::Entry;
use crate::size::budget::{self, BudgetStatus, BudgetVerdict, Figures};
use crate::size::size_report::{self, SizeFile};
use crate::ui::Ui;

/// This build's size report (`size.json`) and the previous build's, read before
/// it is replaced: the baseline that names the crates that grew when a budget is
/// exceeded.
pub(crate) struct SizeReports {
    shipped: Figures,
    pub(crate) file: Option<SizeFile>,
    pub(crate) json: Option<String>,
    previous: Option<SizeFile>,
}

impl SizeReports {
    pub(crate) fn new(
        ui: &Ui,
        locked: &Locked<'_>,
        target: &Target,
        full: &[u8],
        entries: &[Entry],
        zip: &[u8],
    ) -> Result<Self> {
        let shipped = Figures {
            bootstrap: entries.first().map(|e| e.data.len() as u64),
            zip: Some(zip.len() as u64),
            unzipped: Some(entries.iter().map(|e| e.data.len() as u64).sum()),
        };
        // The summary's crates come from the same analysis; a binary it cannot
        // read still ships (the preflight read it), without a size.json.
        let bootstrap = entries.first().map(|e| e.data.as_slice());
        let file = match SizeFile::for_build(full, bootstrap, &target.triple, shipped) {
            Ok(file) => Some(file),
            Err(e) => {
                ui.warn(format!(
                    "{target}: no {}: {e:#}",
                    OutputFile::SizeReport.name()
                ));
                None
            }
        };
        let json = file.as_ref().map(SizeFile::to_json).transpose()?;
        let previous = size_report::read(&locked.path(OutputFile::SizeReport))
            .ok()
            .filter(|p| p.target.as_deref() == Some(target.triple.as_str()));
        Ok(SizeReports {
            shipped,
            file,
            json,
            previous,
        })
    }

    /// The budgets checked against this build, growth against the previous one;
    /// `None` when no budget is set and Lambda's limits are met.
    pub(crate) fn verdict(&self, target: &Target, budgets: &Budgets) -> Option<BudgetVerdict> {
        let baseline = self
            .previous
            .as_ref()
            .zip(self.file.as_ref())
            .map(|(old, new)| {
                (
                    "the previous build".to_string(),
                    budget::growth(&old.crate_sizes(), &new.crate_sizes(), 3),
                )
            });
        let verdict = budget::check(Some(target), budgets, &self.shipped, baseline);
        (verdict.status != BudgetStatus::None).then_some(verdict)
    }
}
