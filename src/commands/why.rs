//! `cargo slim size --why CRATE`: the dependency paths to a crate for each
//! selected target (cargo's resolve for that target), with the crate's bytes in
//! that target's last build (or in PATH). Read-only: nothing is built.

use anyhow::Result;

use crate::commands::size_request::SizeRequest;
use crate::model::options::RequestedOptions;
use crate::output::EXECUTABLES;
use crate::pipeline::plan;
use crate::size::{analyze, input, why, Options};
use crate::ui::Ui;
use crate::util::error::Exit;

pub(crate) fn run(ui: &Ui, args: &SizeRequest, krate: &str) -> Result<Exit> {
    let selection = args.selection.clone();
    let plan = plan::plan(ui, &selection, &RequestedOptions::default())?;
    let mut reports = Vec::new();
    for target in &plan.targets {
        let metadata = plan::metadata_for_target(&selection, &target.triple)?;
        let mut report = why::analyze(&metadata, &plan.package.id, krate, &target.triple)?;
        let dir = plan.output(target);
        let file = match &args.path {
            Some(path) => Some(input::load(path)?),
            None if dir.first_of(EXECUTABLES).is_some() => Some(input::load_build(&dir)?),
            None => None,
        };
        match file {
            Some(file) => {
                measure(&mut report, &file.data, krate)?;
                report.binary = Some(file.path.display().to_string());
            }
            None => report.notes.push(format!(
                "no build in {} to measure its bytes: run `cargo slim build` first",
                dir.path().display()
            )),
        }
        reports.push(report);
    }
    if ui.json() {
        match reports.as_slice() {
            [one] => ui.out_json(one)?,
            many => ui.out_json(&many)?,
        }
    } else {
        let text: Vec<String> = reports.iter().map(why::render).collect();
        ui.out(&text.join("\n"))?;
    }
    Ok(Exit::Success)
}

/// The crate's bytes in the binary `data` (its row of the crates view).
fn measure(report: &mut why::WhyReport, data: &[u8], krate: &str) -> Result<()> {
    let analysis = analyze(data, &Options::default())?;
    let wanted = krate.replace('-', "_");
    match &analysis.crates {
        Some(view) => {
            let bytes = view
                .rows
                .iter()
                .find(|r| r.name == wanted)
                .map_or(0, |r| r.bytes);
            report.bytes = Some(bytes);
            if bytes == 0 {
                report.notes.push(format!(
                    "no symbol of `{wanted}` is left in the binary: it is in the graph, but \
                     its code was inlined into its callers, optimised away, or is only used \
                     at compile time"
                ));
            }
        }
        None => report
            .notes
            .push("the binary has no symbols: its bytes per crate are unknown".into()),
    }
    Ok(())
}
