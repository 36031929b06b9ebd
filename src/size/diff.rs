//! `--diff OLD`: per-section, per-crate and per-symbol byte deltas between two
//! files, largest absolute change first, with totals that are the real sizes — what
//! a CI size check reads.
//!
//! Symbols are matched by demangled name without the legacy hash (the hash changes
//! with every dependency bump); symbols sharing a name (closures of one function,
//! say) are summed on each side before comparing.

use std::collections::BTreeMap;

use serde::Serialize;

use super::analysis::Analysis;
use super::delta::difference;
use super::filter::Filter;
use super::input::Input;
use super::View;

/// The row that makes section totals the file sizes.
pub(crate) const OUTSIDE_SECTIONS: &str = "[headers+padding]";

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DiffReport {
    pub old: Side,
    pub new: Side,
    /// `new.file_bytes - old.file_bytes`.
    pub file_delta: i64,
    pub sections: Option<DeltaTable>,
    pub crates: Option<DeltaTable>,
    pub symbols: Option<DeltaTable>,
    /// The new side's budgets checked, growth against the old side.
    pub budget: Option<super::budget::BudgetVerdict>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Side {
    pub path: String,
    pub label: Option<String>,
    pub file_bytes: u64,
    pub stripped: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeltaTable {
    /// Totals over every row, shown or not.
    pub old_total: u64,
    pub new_total: u64,
    pub delta: i64,
    /// Rows whose size changed.
    pub changed: u64,
    /// Largest absolute change first (symbols: only changed ones, at most `-n`).
    pub rows: Vec<DeltaRow>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeltaRow {
    pub name: String,
    /// For symbol rows: the crate the symbol is charged to.
    #[serde(rename = "crate", skip_serializing_if = "Option::is_none")]
    pub krate: Option<String>,
    pub old_bytes: u64,
    pub new_bytes: u64,
    pub delta: i64,
}

/// The two files compared in the views `args` asks for; a view one side
/// cannot give (a stripped file has no crates or symbols) is left out with a
/// note.
pub(crate) fn compare(
    old_input: &Input,
    old: &Analysis,
    new_input: &Input,
    new: &Analysis,
    args: &View,
) -> anyhow::Result<DiffReport> {
    let (want_sections, want_crates, want_symbols) = args.shown();
    let mut notes = Vec::new();
    let side = |input: &Input, a: &Analysis| Side {
        path: input.path.display().to_string(),
        label: input.label.clone(),
        file_bytes: a.file_bytes,
        stripped: a.stripped,
    };
    let both_have_symbols = !old.stripped && !new.stripped;
    if !both_have_symbols && (want_crates || want_symbols) {
        for (input, a) in [(old_input, old), (new_input, new)] {
            if a.stripped {
                notes.push(format!(
                    "{}: {}",
                    input.path.display(),
                    input.stripped_note()
                ));
            }
        }
    }

    let sections = want_sections.then(|| table(section_sizes(old), section_sizes(new), usize::MAX));
    let crates = if want_crates {
        crate_table(old, new, &mut notes)
    } else {
        None
    };
    let symbols = if want_symbols && both_have_symbols {
        Some(symbol_table(old, new, args)?)
    } else {
        None
    };

    Ok(DiffReport {
        old: side(old_input, old),
        new: side(new_input, new),
        file_delta: difference(new.file_bytes, old.file_bytes),
        sections,
        crates,
        symbols,
        budget: None,
        notes,
    })
}

/// Per-crate deltas, when both sides have a crate view.
fn crate_table(old: &Analysis, new: &Analysis, notes: &mut Vec<String>) -> Option<DeltaTable> {
    let (o, n) = (old.crates.as_ref()?, new.crates.as_ref()?);
    if o.sections != n.sections {
        notes.push(format!(
            "the crate views cover different sections (old: {}; new: {})",
            o.sections.join(", "),
            n.sections.join(", ")
        ));
    }
    let sizes = |v: &super::crates::CratesView| {
        v.rows
            .iter()
            .map(|r| (r.name.clone(), (r.bytes, None)))
            .collect()
    };
    Some(table(sizes(o), sizes(n), usize::MAX))
}

/// Per-symbol deltas (those `--filter` keeps), changed rows only, at most `-n`.
fn symbol_table(old: &Analysis, new: &Analysis, args: &View) -> anyhow::Result<DeltaTable> {
    let filter = Filter::from_arg(args.filter.as_deref(), &[old, new])?;
    let sizes = |a: &Analysis| {
        let mut m: Sizes = BTreeMap::new();
        for sym in &a.symbols {
            if filter
                .as_ref()
                .is_some_and(|f| !f.matches(sym, args.split_std))
            {
                continue;
            }
            let krate = sym.shown_crate(args.split_std).to_string();
            let e = m.entry(sym.name.clone()).or_insert((0, Some(krate)));
            e.0 += sym.bytes;
        }
        m
    };
    let limit = if args.n == 0 { usize::MAX } else { args.n };
    let mut t = table(sizes(old), sizes(new), limit);
    t.rows.retain(|r| r.delta != 0);
    Ok(t)
}

/// Bytes (and, for symbols, the crate) by row name.
type Sizes = BTreeMap<String, (u64, Option<String>)>;

fn section_sizes(a: &Analysis) -> Sizes {
    let mut m: Sizes = BTreeMap::new();
    for row in &a.sections.rows {
        m.entry(row.name.clone()).or_default().0 += row.file_bytes;
    }
    let in_rows: u64 = a.sections.rows.iter().map(|r| r.file_bytes).sum();
    let outside = a.sections.accounted_bytes().saturating_sub(in_rows);
    m.entry(OUTSIDE_SECTIONS.to_string()).or_default().0 += outside;
    m
}

/// Join two sides into rows sorted by absolute change; keep the first `limit`
/// changed rows (unchanged rows follow when the limit allows).
fn table(old: Sizes, mut new: Sizes, limit: usize) -> DeltaTable {
    let old_total: u64 = old.values().map(|v| v.0).sum();
    let new_total: u64 = new.values().map(|v| v.0).sum();
    let mut rows: Vec<DeltaRow> = Vec::with_capacity(old.len().max(new.len()));
    for (name, (old_bytes, old_crate)) in old {
        let (new_bytes, new_crate) = new.remove(&name).unwrap_or((0, None));
        rows.push(DeltaRow {
            krate: new_crate.or(old_crate),
            delta: difference(new_bytes, old_bytes),
            name,
            old_bytes,
            new_bytes,
        });
    }
    for (name, (new_bytes, krate)) in new {
        rows.push(DeltaRow {
            name,
            krate,
            old_bytes: 0,
            new_bytes,
            delta: difference(new_bytes, 0),
        });
    }
    let changed = rows.iter().filter(|r| r.delta != 0).count() as u64;
    rows.sort_by(|a, b| {
        b.delta
            .unsigned_abs()
            .cmp(&a.delta.unsigned_abs())
            .then(b.delta.cmp(&a.delta))
            .then_with(|| a.name.cmp(&b.name))
    });
    rows.truncate(limit);
    DeltaTable {
        old_total,
        new_total,
        delta: difference(new_total, old_total),
        changed,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_sorted_by_absolute_change_with_totals() {
        let old: Sizes = [("a", 100), ("b", 50), ("gone", 30)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), (v, None)))
            .collect();
        let new: Sizes = [("a", 90), ("b", 50), ("added", 200)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), (v, None)))
            .collect();
        let t = table(old, new, usize::MAX);
        let names: Vec<_> = t.rows.iter().map(|r| (r.name.as_str(), r.delta)).collect();
        assert_eq!(names, [("added", 200), ("gone", -30), ("a", -10), ("b", 0)]);
        assert_eq!(
            (t.old_total, t.new_total, t.delta, t.changed),
            (180, 340, 160, 3)
        );
    }
}
